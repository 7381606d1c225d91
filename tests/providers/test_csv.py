"""CSV import and export: bad rows by line number, all or nothing, and the round trip."""

import csv
import io

from sqlalchemy import func, select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from providers import csv_io
from providers.models import Provider, ProviderService

PROVIDERS_HEADER = "name,kind,localities,direct_payments,dbs_expires_on,postcode\r\n"


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_good_file_is_saved_whole(app):
    content = (
        PROVIDERS_HEADER
        + "Heron Club,organisation,north;EASTFIELD,yes,2027-03-31,nb1 2ab\r\n"
        + "Sam Pemberton,Personal assistant,south,no,31/12/2026,\r\n"
    )
    with app.app_context():
        result = csv_io.import_csv("providers", content.encode())
        db.session.commit()
        assert result.ok and result.created == 2
        heron = db.session.scalar(select(Provider).where(Provider.name == "Heron Club"))
        assert heron.localities == ["north", "east"]
        assert heron.postcode == "NB1 2AB"
        assert heron.direct_payments is True
        pa = db.session.scalar(select(Provider).where(Provider.name == "Sam Pemberton"))
        assert pa.kind == "personal_assistant"
        assert str(pa.dbs_expires_on) == "2026-12-31"


def test_bad_rows_are_reported_by_line_and_nothing_is_saved(app):
    content = (
        PROVIDERS_HEADER
        + "Good One,organisation,north,yes,,\r\n"  # line 2: fine
        + ",organisation,north,yes,,\r\n"  # line 3: no name
        + "Bad Kind,spaceship,north,yes,,\r\n"  # line 4
        + '"Multi\nline name",organisation,atlantis,yes,,\r\n'  # lines 5-6: bad locality
        + "Bad Date,organisation,north,yes,32/13/2026,\r\n"  # line 7
        + "Good One,organisation,north,yes,,\r\n"  # line 8: duplicate of line 2
        + "Bad Postcode,organisation,north,maybe,,\r\n"  # line 9
    )
    with app.app_context():
        result = csv_io.import_csv("providers", content.encode())
        db.session.commit()
        lines = {}
        for line, reason in result.errors:  # each line lists all of its problems
            lines[line] = lines.get(line, "") + reason + "; "
        assert sorted(lines) == [3, 4, 5, 7, 8, 9]
        assert "Provider name must be on one line" in lines[5]
        assert "Enter the provider's name" in lines[3]
        assert "spaceship" in lines[4]
        assert "atlantis" in lines[5]
        assert "32/13/2026" in lines[7]
        assert "already on the framework" in lines[8]
        assert "yes or no" in lines[9]
        assert _count(Provider) == 0
        assert result.created == 0


def test_headers_and_encoding_are_checked(app):
    with app.app_context():
        assert csv_io.import_csv("providers", b"kind\r\norganisation\r\n").errors == [
            (1, "The first line must name the columns; missing: name")
        ]
        assert (
            "Unknown columns: colour"
            in csv_io.import_csv("providers", b"name,kind,colour\r\nA,organisation,red\r\n").errors[
                0
            ][1]
        )
        assert csv_io.import_csv(
            "providers", "name,kind\r\nCaf\xe9,organisation\r\n".encode("latin-1")
        ).errors == [(1, csv_io.SAVE_AS_UTF8)]
        assert csv_io.import_csv("providers", b"name,kind\r\n").errors == [
            (2, "The file has no rows to import")
        ]


def test_services_need_an_existing_provider(app, make_provider):
    make_provider(name="Real Provider")
    content = (
        "provider,name,short_break_type,tier,age_from,age_to,needs,localities,rate\r\n"
        "Real Provider,Fine,educational_leisure,targeted,5,10,AUT,north,£9.50\r\n"
        "Ghost Provider,Lost,educational_leisure,targeted,5,10,AUT,north,9.50\r\n"
        "Real Provider,Dear,educational_leisure,targeted,5,10,AUT,north,9.505\r\n"
        "Real Provider,Old,educational_leisure,targeted,12,10,AUT,north,\r\n"
    )
    with app.app_context():
        result = csv_io.import_csv("services", content.encode())
        db.session.commit()
        lines = dict(result.errors)
        assert sorted(lines) == [3, 4, 5]
        assert "no provider is called 'Ghost Provider'" in lines[3]
        assert "rate" in lines[4]
        assert "Oldest age" in lines[5]
        assert _count(ProviderService) == 0
        fixed = "\r\n".join(content.split("\r\n")[:2]) + "\r\n"
        result = csv_io.import_csv("services", fixed.encode())
        db.session.commit()
        assert result.ok and result.created == 1
        assert db.session.scalar(select(ProviderService.rate_pence)) == 950


def test_export_then_import_changes_nothing_and_edits_update(app, make_provider, make_service):
    provider_id = make_provider(name="=Formula Trust", phone="+44 1632 960000")
    make_service(
        provider_id,
        name="Round Trip",
        rate_pence=1999,
        needs=["AUT", "VIS"],
        what_it_does="Line one.\nLine two, with a comma.",
    )
    with app.app_context():
        providers_csv = csv_io.export_providers()
        services_csv = csv_io.export_services()
        assert "'=Formula Trust" in providers_csv  # not run as a formula in a spreadsheet
        rows = list(csv.DictReader(io.StringIO(services_csv)))
        assert rows[0]["rate"] == "19.99"
        assert rows[0]["needs"] == "VIS;AUT"  # the census order
        assert list(rows[0]) == csv_io.SERVICE_COLUMNS

        before = db.session.scalar(select(Provider.version))
        assert csv_io.import_csv("providers", providers_csv.encode()).unchanged == 1
        assert csv_io.import_csv("services", services_csv.encode()).unchanged == 1
        db.session.commit()
        provider = db.session.scalar(select(Provider))
        service = db.session.scalar(select(ProviderService))
        assert provider.name == "=Formula Trust"
        assert provider.phone == "+44 1632 960000"
        assert provider.version == before  # nothing changed, so nothing was written
        assert service.what_it_does == "Line one.\nLine two, with a comma."
        assert service.rate_pence == 1999

        edited = services_csv.replace("19.99", "21.00").replace("Round Trip", "Round Trip 2")
        assert csv_io.import_csv("services", edited.encode()).updated == 1
        db.session.commit()
        service = db.session.scalar(select(ProviderService))
        assert (service.name, service.rate_pence) == ("Round Trip 2", 2100)
        assert _count(ProviderService) == 1


def test_import_page_shows_bad_rows_and_success(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    bad = PROVIDERS_HEADER + "Fine,organisation,north,yes,,\r\nBroken,robot,north,yes,,\r\n"
    response = browser.post(
        "/providers/import",
        {"what": "providers", "file": (io.BytesIO(bad.encode()), "framework.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert "The file was not imported" in html
    assert "Line 3: kind &#39;robot&#39; is not one of" in html
    with app.app_context():
        assert _count(Provider) == 0

    good = PROVIDERS_HEADER + "Fine,organisation,north,yes,,\r\n"
    response = browser.post(
        "/providers/import",
        {"what": "providers", "file": (io.BytesIO(good.encode()), "framework.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert "1 added, 0 updated and 0 unchanged" in browser.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    with app.app_context():
        assert _count(Provider) == 1
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))


def test_import_page_needs_a_csv_file(browser_as):
    browser = browser_as(Role.ADMINISTRATOR)
    html = browser.post(
        "/providers/import",
        {"what": "providers", "file": (io.BytesIO(b"x"), "framework.xlsx")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "The selected file must be a CSV" in html
    html = browser.post("/providers/import", {}).get_data(as_text=True)
    assert "Select providers or services" in html
    assert "Select a CSV file" in html


def test_export_downloads_csv(browser_as, make_service):
    make_service(name="Exported Club")
    browser = browser_as(Role.COMMISSIONER)
    response = browser.get("/providers/export/services.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "Exported Club" in response.get_data(as_text=True)


def test_a_file_too_large_is_refused(app, browser_as, monkeypatch):
    monkeypatch.setattr(csv_io, "MAX_BYTES", 100)
    browser = browser_as(Role.COMMISSIONER)
    big = PROVIDERS_HEADER + "".join(f"P{n},organisation,north,yes,,\r\n" for n in range(20))
    html = browser.post(
        "/providers/import",
        {"what": "providers", "file": (io.BytesIO(big.encode()), "framework.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "The selected file must be smaller than 5 MB" in html
    with app.app_context():
        assert _count(Provider) == 0
