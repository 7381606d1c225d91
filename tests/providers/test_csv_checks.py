"""The CSV import applies the forms' limits: lengths, whole numbers, no control characters; and
it copes with the files spreadsheets really save (trailing empty columns, an empty file)."""

import io

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.roles import Role
from providers import csv_io
from providers.models import Provider, ProviderService

SERVICES_HEADER = "provider,name,short_break_type,tier,age_from,age_to,needs,localities"
GOOD_SERVICE = "Real Provider,Fine,educational_leisure,targeted,5,10,AUT,north"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _import(app, what, text):
    with app.app_context():
        result = csv_io.import_csv(what, text.encode() if isinstance(text, str) else text)
        db.session.commit()
        return result, _count(Provider if what == "providers" else ProviderService)


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("registration_number", "R" * 41, "Registration number must be 40 characters or fewer"),
        ("phone", "0" * 300, "Telephone must be 40 characters or fewer"),
        ("town", "T" * 300, "Town or city must be 100 characters or fewer"),
        ("contact_name", "C" * 201, "Contact name must be 200 characters or fewer"),
        ("address_line_1", "A" * 201, "Address line 1 must be 200 characters or fewer"),
        ("description", "D" * 5001, "Description must be 5000 characters or fewer"),
        ("notes", "N" * 5001, "Notes must be 5000 characters or fewer"),
        ("name", "P" * 201, "Provider name must be 200 characters or fewer"),
        ("town", "North\x00brook", "Town or city must not include control characters"),
        ("notes", "Bad \x07 bell", "Notes must not include control characters"),
        ("name", "Two\nlines", "Provider name must be on one line"),
    ],
)
def test_provider_cells_get_the_forms_limits(app, column, value, reason):
    header = "name,kind" + ("" if column == "name" else f",{column}")
    cells = f'"{value}",organisation' if column == "name" else f'Heron,organisation,"{value}"'
    result, saved = _import(app, "providers", f"{header}\r\n{cells}\r\n")
    assert result.errors and result.errors[0][0] == 2
    assert reason in result.errors[0][1]
    assert saved == 0


@pytest.mark.parametrize(
    "column, value, reason",
    [
        ("contact_phone", "0" * 200, "Contact telephone must be 40 characters or fewer"),
        ("venue_town", "V" * 101, "Venue town or city must be 100 characters or fewer"),
        (
            "what_it_does",
            "W" * 5001,
            "The answer to 'What does the service do?' must be 5000 characters or fewer",
        ),
        ("venue_name", "Hall\x00", "Venue name must not include control characters"),
        ("age_from", "²", "age_from must be a whole number, not '²'"),
        ("capacity", "²", "capacity must be a whole number, not '²'"),
        ("capacity", "9" * 30, "capacity must be a whole number"),
    ],
)
def test_service_cells_get_the_forms_limits(app, make_provider, column, value, reason):
    make_provider(name="Real Provider")
    if column in SERVICES_HEADER.split(","):
        header, row = SERVICES_HEADER, GOOD_SERVICE.replace(",5,", f",{value},")
    else:
        header, row = f"{SERVICES_HEADER},{column}", f'{GOOD_SERVICE},"{value}"'
    result, saved = _import(app, "services", f"{header}\r\n{row}\r\n")
    assert result.errors and result.errors[0][0] == 2, result.errors
    assert reason in result.errors[0][1]
    assert saved == 0


def test_a_service_name_longer_than_the_column_is_a_line_error(app, make_provider):
    make_provider(name="Real Provider")
    row = GOOD_SERVICE.replace(",Fine,", "," + "S" * 300 + ",")
    result, saved = _import(app, "services", f"{SERVICES_HEADER}\r\n{GOOD_SERVICE}\r\n{row}\r\n")
    assert result.errors == [(3, "Service name must be 200 characters or fewer")]
    assert saved == 0


def test_an_empty_file_says_so(app, browser_as):
    for content in (b"", b"\xef\xbb\xbf", b"\r\n \r\n"):
        result, _ = _import(app, "providers", content)
        assert result.errors == [(1, "The selected file is empty")]
    html = (
        browser_as(Role.COMMISSIONER)
        .post(
            "/providers/import",
            {"what": "providers", "file": (io.BytesIO(b""), "framework.csv")},
            content_type="multipart/form-data",
        )
        .get_data(as_text=True)
    )
    assert "The selected file is empty" in html
    assert 'href="#file"' in html


def test_trailing_empty_columns_from_a_spreadsheet_are_ignored(app):
    content = (
        "name,kind,localities,,,\r\n"
        "Heron Club,organisation,north,,,\r\n"
        "Plover Care,organisation,south\r\n"
        "Kite Club,organisation,east,,,,\r\n"
    )
    result, saved = _import(app, "providers", content)
    assert result.ok, result.errors
    assert saved == 3


def test_cells_beyond_the_named_columns_are_still_an_error(app):
    content = "name,kind,,\r\nHeron Club,organisation,,surprise\r\n"
    result, saved = _import(app, "providers", content)
    assert result.errors == [(2, "The row has more cells than there are columns")]
    assert saved == 0


def test_a_header_must_name_each_column_once(app):
    result, _ = _import(app, "providers", "name,kind,name\r\nA,organisation,B\r\n")
    assert result.errors == [(1, "The column 'name' appears more than once")]
    result, _ = _import(app, "providers", "name,,kind\r\nA,,organisation\r\n")
    assert result.errors == [(1, "Column 2 has no name in the first line")]


def test_a_nul_in_a_lookup_column_is_a_line_error(app, make_provider):
    make_provider(name="Real Provider")
    row = GOOD_SERVICE.replace("Real Provider", "Real\x00Provider")
    result, saved = _import(app, "services", f"{SERVICES_HEADER}\r\n{row}\r\n")
    assert result.errors == [(2, "provider must not include control characters")]
    result, saved = _import(app, "services", f"id,{SERVICES_HEADER}\r\nabc\x00,{GOOD_SERVICE}\r\n")
    assert result.errors == [(2, "id must not include control characters")]
    assert saved == 0
