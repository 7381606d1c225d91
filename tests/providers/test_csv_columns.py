"""CSV import: columns left out of a file leave those fields alone, a bad line lists all of its
problems, the export opens in Excel (a byte order mark), honest counts, and what a broken file
is told."""

import datetime as dt
import io

from sqlalchemy import func, select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from providers import csv_io
from providers.models import Provider, ProviderService
from providers.services import get_provider, get_service

SERVICES_HEADER = "provider,name,short_break_type,tier,age_from,age_to,needs,localities"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _import(app, what, text):
    with app.app_context():
        result = csv_io.import_csv(what, text.encode() if isinstance(text, str) else text)
        db.session.commit()
        return result


def _audit_updates(record_type):
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "update", AuditEvent.record_type == record_type)
    )


# --- 1. Columns left out of the file ---------------------------------------------------------


def test_a_providers_file_without_some_columns_leaves_those_fields_alone(app, make_provider):
    provider_id = make_provider(
        name="Heron Club",
        email="hello@heron.example.org",
        phone="01632 960123",
        notes="Contract renewed in May",
        localities=["north", "east"],
        direct_payments=True,
        dbs_expires_on=dt.date(2030, 3, 31),
    )
    with app.app_context():
        public_id = get_provider(provider_id).public_id
        version = get_provider(provider_id).version
    result = _import(app, "providers", f"id,name,kind\r\n{public_id},Heron Club,organisation\r\n")
    assert result.ok, result.errors
    with app.app_context():
        provider = get_provider(provider_id)
        assert provider.email == "hello@heron.example.org"
        assert provider.phone == "01632 960123"
        assert provider.notes == "Contract renewed in May"
        assert provider.localities == ["north", "east"]
        assert provider.direct_payments is True
        assert provider.dbs_expires_on == dt.date(2030, 3, 31)
        assert provider.version == version
    # A column that is in the file does change its field (a blank cell clears it).
    result = _import(app, "providers", f"id,phone,notes\r\n{public_id},01632 960999,\r\n")
    assert result.ok, result.errors
    with app.app_context():
        provider = get_provider(provider_id)
        assert (provider.phone, provider.notes) == ("01632 960999", "")
        assert provider.email == "hello@heron.example.org"


def test_a_services_file_without_the_se7_columns_keeps_them_and_stays_published(
    app, make_provider, make_service
):
    make_provider(name="Real Provider")
    service_id = make_service(
        name="Kept Club",
        published=True,
        what_it_does="Climbing.",
        accessibility="Step-free access.",
        runs=["weekends"],
        rate_pence=1250,
    )
    with app.app_context():
        service = get_service(service_id)
        public_id, provider_name = service.public_id, service.provider.name
    result = _import(app, "services", f"id,name,age_to\r\n{public_id},Kept Club Renamed,16\r\n")
    assert result.ok, result.errors
    assert result.updated == 1
    with app.app_context():
        service = get_service(service_id)
        assert (service.name, service.age_to) == ("Kept Club Renamed", 16)
        assert service.published is True
        assert service.what_it_does == "Climbing."
        assert service.accessibility == "Step-free access."
        assert service.runs == ["weekends"]
        assert service.rate_pence == 1250
        assert service.provider.name == provider_name


def test_a_new_row_needs_the_required_columns(app, make_provider):
    make_provider(name="Real Provider")
    with app.app_context():
        existing = db.session.scalar(select(Provider.public_id))
    result = _import(app, "providers", f"id,name\r\n{existing},Real Provider\r\n,Brand New\r\n")
    assert [line for line, _ in result.errors] == [3]
    assert "kind" in result.errors[0][1]
    assert "new provider" in result.errors[0][1]

    result = _import(app, "services", "id,provider,name\r\n,Real Provider,New Club\r\n")
    assert [line for line, _ in result.errors] == [2]
    for column in ("short_break_type", "tier", "age_from", "age_to", "needs", "localities"):
        assert column in result.errors[0][1]
    with app.app_context():
        assert _count(ProviderService) == 0
    # Without an id column every row is new: the first line says what is missing.
    result = _import(app, "services", "provider,name\r\nReal Provider,New Club\r\n")
    assert result.errors[0][0] == 1 and "short_break_type" in result.errors[0][1]


# --- 3. Every problem of a line at once -------------------------------------------------------


def test_a_bad_line_lists_all_of_its_problems(app):
    content = (
        "name,kind,registration_body,email,website,postcode,direct_payments\r\n"
        "Heron,robot,ofsted,not-an-email,not a site,12345,maybe\r\n"
    )
    result = _import(app, "providers", content)
    reasons = [reason for line, reason in result.errors if line == 2]
    joined = " | ".join(reasons)
    assert "robot" in joined
    assert "registration number" in joined
    assert "email address" in joined
    assert "website address" in joined
    assert "postcode" in joined
    assert "yes or no" in joined
    assert len(reasons) == 6, reasons


# --- 2 and 13. Unchanged rows write nothing and are counted as unchanged -----------------------


def test_importing_the_export_again_changes_nothing_and_says_so(app, make_service):
    make_service(name="Stable Club", needs=["BEH", "COMM", "MOB"], localities=["south", "north"])
    with app.app_context():
        exported = csv_io.export_services()
        version = db.session.scalar(select(ProviderService.version))
        audits = _audit_updates("provider_service")
    result = _import(app, "services", exported.encode("utf-8"))
    assert result.ok, result.errors
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    with app.app_context():
        assert db.session.scalar(select(ProviderService.version)) == version
        assert _audit_updates("provider_service") == audits
    edited = exported.replace("Stable Club", "Stable Club 2")
    result = _import(app, "services", edited)
    assert (result.updated, result.unchanged) == (1, 0)


def test_import_page_counts_unchanged_rows(app, browser_as, make_provider):
    make_provider(name="Same Ltd")
    with app.app_context():
        exported = csv_io.export_providers()
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post(
        "/providers/import",
        {"what": "providers", "file": (io.BytesIO(exported.encode()), "framework.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "0 added, 0 updated and 1 unchanged" in page


# --- 7. Excel: a byte order mark, and what to do with a Windows-1252 file ---------------------


def test_exports_start_with_a_byte_order_mark_and_import_again(app, browser_as, make_provider):
    make_provider(name="Café £ Club’s")
    browser = browser_as(Role.COMMISSIONER)
    for what in ("providers", "services"):
        body = browser.get(f"/providers/export/{what}.csv").get_data()
        assert body.startswith(b"\xef\xbb\xbf"), what
    body = browser.get("/providers/export/providers.csv").get_data()
    assert "Café £ Club’s".encode() in body
    result = _import(app, "providers", body)
    assert result.ok and result.unchanged == 1, result.errors


def test_a_windows_1252_file_is_told_how_to_save_it(app, browser_as):
    content = "name,kind\r\nCaf\xe9 \u20ac\u2019,organisation\r\n".encode("cp1252")
    result = _import(app, "providers", content)
    assert len(result.errors) == 1
    assert "CSV UTF-8 (comma delimited)" in result.errors[0][1]
    html = browser_as(Role.COMMISSIONER).get("/providers/import").get_data(as_text=True)
    assert "CSV UTF-8 (comma delimited)" in html


# --- 8. Hidden characters and look-alike names --------------------------------------------------


def test_hidden_characters_are_refused_in_cells(app, make_provider):
    result = _import(app, "providers", "name,kind\r\nQA\u202eProv,organisation\r\n")
    assert result.errors and "hidden characters" in result.errors[0][1]
    make_provider(name="QA Prov")
    for name in ("qa\u00a0prov", "\uff31\uff21 Prov", "QA  PROV"):
        result = _import(app, "providers", f"name,kind\r\n{name},organisation\r\n")
        assert result.errors and "already on the framework" in result.errors[0][1], name
    with app.app_context():
        assert _count(Provider) == 1


def test_a_service_row_finds_its_provider_by_the_same_name_rules(app, make_provider):
    make_provider(name="QA Prov")
    row = "qa\u00a0prov,Club,educational_leisure,targeted,5,10,AUT,north"
    result = _import(app, "services", f"{SERVICES_HEADER}\r\n{row}\r\n")
    assert result.ok, result.errors


# --- 9. Dates: the form's range ---------------------------------------------------------------


def test_a_date_outside_the_forms_range_is_a_line_error(app):
    for value in ("0001-01-01", "9999-12-31"):
        result = _import(
            app, "providers", f"name,kind,dbs_expires_on\r\nHeron,organisation,{value}\r\n"
        )
        assert result.errors and "DBS check expires must be between" in result.errors[0][1]


# --- 13. Broken files --------------------------------------------------------------------------


def test_an_unclosed_quote_is_reported_as_such(app):
    content = (
        'name,kind\r\nHeron,organisation\r\n"Kite Club,organisation\r\nPlover,organisation\r\n'
    )
    result = _import(app, "providers", content)
    assert result.errors == [(3, "A quoted cell is not closed")]


def test_a_cell_too_long_to_read_names_its_line(app):
    content = "name,kind,notes\r\nHeron,organisation,short\r\nKite,organisation," + "N" * 200_000
    result = _import(app, "providers", content + "\r\n")
    assert len(result.errors) == 1
    line, reason = result.errors[0]
    assert line == 3
    assert "too long" in reason
