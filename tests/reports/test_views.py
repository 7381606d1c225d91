"""The reports page, requests, the status feed, downloads and who may do what."""

import csv
import datetime as dt
import hashlib
import io
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from reports import services
from reports.models import ReportRun


def _audit(app, action, record_id=None):
    with app.app_context():
        stmt = select(AuditEvent).where(AuditEvent.action == action)
        if record_id is not None:
            stmt = stmt.where(AuditEvent.record_id == str(record_id))
        return db.session.scalars(stmt).all()


def _runs(app):
    with app.app_context():
        return db.session.scalars(select(ReportRun).order_by(ReportRun.id)).all()


@pytest.fixture
def done_run(app, make_user):
    """A finished statement run (made eagerly, as the worker would)."""
    from reports import services

    user = make_user(Role.COMMISSIONER)
    with app.test_request_context():
        run, _ = services.request_run("statement", {"year": 2026}, user)
        db.session.commit()
        run_id = run.id
    app.extensions["celery"].tasks["reports.generate"].apply(args=[run_id])
    return run_id


@pytest.fixture
def approved_run(app, make_user, approved_text):
    """A finished statement whose every section of text was approved: not a draft."""
    approved_text(2026)
    user = make_user(Role.COMMISSIONER)
    with app.test_request_context():
        run, _ = services.request_run("statement", {"year": 2026}, user)
        db.session.commit()
        run_id = run.id
    app.extensions["celery"].tasks["reports.generate"].apply(args=[run_id])
    return run_id


def test_commissioners_ask_for_the_statement(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get("/reports/").get_data(as_text=True)
    assert "Make the statement" in page and "No reports have been made yet" in page
    assert "0 of 4 sections have an approved version" in page
    assert "Until every section has one, the statement is marked as a draft" in page
    response = browser.post("/reports/statement", {"year": "2026"})
    assert response.status_code == 302
    again = browser.post("/reports/statement", {"year": "2026"}, follow_redirects=True)
    text = again.get_data(as_text=True)
    assert "already being made" in text
    runs = _runs(app)
    assert len(runs) == 1 and runs[0].params == {"year": 2026} and runs[0].status == "queued"
    assert "Queued" in text and "Waiting for a worker" in text and "2026 to 2027" in text
    # Without JavaScript the page still offers a way to see progress.
    assert "Refresh the page" in text


def _outside_scripts(html: str) -> str:
    return re.sub(r"<script.*?</script>", "", html, flags=re.S)


def test_without_javascript_the_page_does_not_promise_live_updates(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.post("/reports/statement", {"year": "2026"}, follow_redirects=True)
    html = page.get_data(as_text=True)
    words = _outside_scripts(html)
    assert "update on this page by themselves" not in words
    assert "as it was when this page loaded" in words and "Refresh the page" in words
    # The page's script, when it runs, says so instead.
    assert "update on this page by themselves" in html


def test_the_page_says_which_version_of_each_section_prints(app, browser_as, make_user):
    from reports import narrative

    writer, approver = make_user(Role.COMMISSIONER), make_user(Role.COMMISSIONER)
    year = services.financial_year_of(dt.date.today())
    with app.app_context():
        for key in narrative.SECTIONS:
            narrative.save_version(year, key, f"Approved words for {key}.", writer, 0)
            narrative.approve(year, key, 1, approver)
        narrative.save_version(year, "complaints", "Newer words.", writer, 1)
        db.session.commit()
    page = browser_as(Role.COMMISSIONER).get("/reports/").get_data(as_text=True)
    assert "3 of 4 sections" not in page and "Until every section has one" not in page
    assert "Every section has an approved version, so the statement is not marked as a draft" in (
        page
    )
    row = re.search(r"Complaints and appeals</th>(.*?)</tr>", page, re.S).group(1)
    assert f"Version 1, approved by {approver.name}" in row
    assert "Version 2 (newer: prints once approved)" in row
    intro = re.search(r"Introduction and local vision</th>(.*?)</tr>", page, re.S).group(1)
    assert "Version 1, approved" in intro and "None" in intro


def test_a_year_that_has_not_started_is_neither_offered_nor_accepted(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    this_year = services.financial_year_of(dt.date.today())
    page = browser.get("/reports/").get_data(as_text=True)
    assert f'value="{this_year}"' in page and f'value="{this_year + 1}"' not in page
    response = browser.post("/reports/statement", {"year": str(this_year + 1)})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and "<title>Error: " in html
    assert f"The financial year {this_year + 1} to {this_year + 2} has not started yet" in html
    assert _runs(app) == []


def test_a_request_that_crossed_an_identical_one_gets_its_run(app, browser_as, monkeypatch):
    """SQLite refuses the second of two simultaneous writers; the page then finds the first
    request's run instead of failing."""
    from sqlalchemy.exc import OperationalError

    from reports import services

    browser = browser_as(Role.COMMISSIONER)
    browser.post("/reports/statement", {"year": "2026"})
    real = services.request_run
    calls = []

    def locked_once(*args):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("INSERT", {}, Exception("database is locked"))
        return real(*args)

    monkeypatch.setattr(services, "request_run", locked_once)
    response = browser.post("/reports/statement", {"year": "2026"}, follow_redirects=True)
    assert response.status_code == 200 and "already being made" in response.get_data(as_text=True)
    assert len(_runs(app)) == 1 and len(calls) == 2


def test_a_bad_year_is_refused_with_a_message(app, browser_as):
    response = browser_as(Role.COMMISSIONER).post("/reports/statement", {"year": "1999"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There are no figures for 1999 to 2000" in page and "There is a problem" in page
    assert _runs(app) == []


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.TEAM_MANAGER])
def test_other_roles_are_refused_every_reports_page_whether_or_not_the_run_exists(
    app, browser_as, done_run, role
):
    browser = browser_as(role)
    for path in (
        "/reports/",
        "/reports/runs.json",
        f"/reports/runs/{done_run}",
        "/reports/runs/999999",
        f"/reports/runs/{done_run}/pdf",
        "/reports/runs/999999/pdf",
    ):
        assert browser.get(path).status_code == 403, path
    refusals = [e for e in _audit(app, "access_refused") if e.user_id == browser.user.id]
    assert len(refusals) == 6


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.FINANCE_OFFICER])
def test_only_commissioners_may_ask_for_the_statement(app, browser_as, role):
    browser = browser_as(role)
    assert browser.post("/reports/statement", {"year": "2026"}).status_code == 403
    assert _runs(app) == []
    refusals = [e for e in _audit(app, "access_refused") if e.user_id == browser.user.id]
    assert len(refusals) == 1 and "POST /reports/statement" in refusals[0].detail


def test_practitioners_cannot_open_reports(browser_as):
    assert browser_as(Role.PRACTITIONER).get("/reports/").status_code == 403


def test_the_status_feed_gives_each_runs_status_and_row(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    data = browser.get(f"/reports/runs.json?ids={done_run}").get_json()
    assert data["active"] is False
    (run,) = data["runs"]
    assert run["id"] == done_run and run["status"] == "done"
    assert "Download PDF" in run["html"] and f'id="run-{done_run}"' in run["html"]
    assert browser.get("/reports/runs.json?ids=x,²,99999999999999").get_json()["runs"] == []


def test_downloading_the_pdf_is_audited(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get("/reports/").get_data(as_text=True)
    assert "Ready" in page and f"/reports/runs/{done_run}/pdf" in page
    response = browser.get(f"/reports/runs/{done_run}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "short-breaks-services-statement-2026-27.pdf" in response.headers["Content-Disposition"]
    body = response.get_data()
    with app.app_context():
        run = db.session.get(ReportRun, done_run)
        assert hashlib.sha256(body).hexdigest() == run.sha256
    (event,) = _audit(app, "report_download", done_run)
    assert event.user_id == browser.user.id and run.sha256 in event.detail


def test_the_web_page_version_is_served_with_a_strict_policy(app, browser_as, done_run):
    response = browser_as(Role.COMMISSIONER).get(f"/reports/runs/{done_run}/html")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<html lang="en-GB">' in html and "<script" not in html
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "script-src" not in csp
    style = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    import base64

    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"'sha256-{digest}'" in csp
    assert len(_audit(app, "report_download", done_run)) == 1


@pytest.mark.parametrize(
    "role", [Role.TEAM_MANAGER, Role.FINANCE_OFFICER, Role.PRACTITIONER, Role.ADMINISTRATOR]
)
@pytest.mark.parametrize("fmt", ["pdf", "html", "csv"])
def test_a_refused_download_is_403_and_audited(app, browser_as, done_run, role, fmt):
    browser = browser_as(role)
    response = browser.get(f"/reports/runs/{done_run}/{fmt}")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    refusals = [e for e in _audit(app, "access_refused") if e.user_id == browser.user.id]
    assert len(refusals) == 1 and f"/reports/runs/{done_run}/{fmt}" in refusals[0].detail
    assert _audit(app, "report_download", done_run) == []


def test_the_csv_of_figures_is_stored_with_its_hash_and_its_download_audited(
    app, browser_as, done_run
):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get("/reports/").get_data(as_text=True)
    assert f"/reports/runs/{done_run}/csv" in page and "Download CSV of figures" in page
    response = browser.get(f"/reports/runs/{done_run}/csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "short-breaks-services-statement-2026-27.csv" in response.headers["Content-Disposition"]
    body = response.get_data()
    with app.app_context():
        run = db.session.get(ReportRun, done_run)
    assert hashlib.sha256(body).hexdigest() == run.csv_sha256 != ""
    (event,) = _audit(app, "report_download", done_run)
    assert "csv" in event.detail and run.csv_sha256 in event.detail
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # No records at all: no year columns (no invented zeros), only the register's.
    assert rows[0][:3] == ["Section", "Breakdown", "Category"]
    assert rows[0][3].startswith("The register as it is now (")
    assert all(len(r) == len(rows[0]) for r in rows)
    assert "CSV SHA-256" in browser.get(f"/reports/runs/{done_run}").get_data(as_text=True)


def test_an_expired_run_has_nothing_to_download(app, browser_as, done_run):
    with app.app_context():
        run = db.session.get(ReportRun, done_run)
        run.status = "expired"
        db.session.commit()
    browser = browser_as(Role.COMMISSIONER)
    response = browser.get(f"/reports/runs/{done_run}/pdf")
    assert response.status_code == 404
    assert "after the retention period" in response.get_data(as_text=True)
    assert _audit(app, "report_download", done_run) == []


def test_the_run_page_shows_hash_data_date_and_attempts(browser_as, done_run):
    page = browser_as(Role.COMMISSIONER).get(f"/reports/runs/{done_run}").get_data(as_text=True)
    assert "PDF SHA-256" in page and "Figures taken from records on" in page
    assert "Attempts" in page


def test_unknown_runs_are_not_found(browser_as):
    assert browser_as(Role.COMMISSIONER).get("/reports/runs/999999/pdf").status_code == 404


def test_a_draft_cannot_be_marked_published_and_says_it_is_a_draft(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    with app.app_context():
        assert db.session.get(ReportRun, done_run).draft is True
    page = browser.get(f"/reports/runs/{done_run}").get_data(as_text=True)
    assert "data-draft>Draft</strong>" in page and "This is a draft" in page
    assert "Mark as published — keep" not in page
    assert "A draft cannot be marked as published" in page
    response = browser.post(
        f"/reports/runs/{done_run}/keep", {"action": "keep"}, follow_redirects=True
    )
    assert "This statement is a draft" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ReportRun, done_run).kept_at is None
    assert _audit(app, "report_kept", done_run) == []
    row = re.search(
        rf'id="run-{done_run}".*?</tr>', browser.get("/reports/").get_data(as_text=True), re.S
    )
    assert "data-draft>Draft</strong>" in row.group(0)


def test_a_commissioner_marks_a_published_statement_to_keep(app, browser_as, approved_run):
    done_run = approved_run
    with app.app_context():
        assert db.session.get(ReportRun, done_run).draft is False
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/reports/runs/{done_run}").get_data(as_text=True)
    assert "Mark as published — keep" in page
    response = browser.post(
        f"/reports/runs/{done_run}/keep", {"action": "keep"}, follow_redirects=True
    )
    assert "its files will be kept" in response.get_data(as_text=True)
    with app.app_context():
        run = db.session.get(ReportRun, done_run)
        assert run.kept_at is not None and run.kept_by_id == browser.user.id
    (event,) = _audit(app, "report_kept", done_run)
    assert event.user_id == browser.user.id
    row = re.search(
        rf'id="run-{done_run}".*?</tr>', browser.get("/reports/").get_data(as_text=True), re.S
    )
    assert "Published — keep" in row.group(0) and "data-draft" not in row.group(0)
    browser.post(f"/reports/runs/{done_run}/keep", {"action": "release"})
    with app.app_context():
        assert db.session.get(ReportRun, done_run).kept_at is None
    assert len(_audit(app, "report_released", done_run)) == 1


def test_only_commissioners_mark_a_statement_to_keep(app, browser_as, done_run):
    browser = browser_as(Role.TEAM_MANAGER)
    assert browser.post(f"/reports/runs/{done_run}/keep", {"action": "keep"}).status_code == 403
    with app.app_context():
        assert db.session.get(ReportRun, done_run).kept_at is None
    assert _audit(app, "report_kept", done_run) == []
    refusals = [e for e in _audit(app, "access_refused") if e.user_id == browser.user.id]
    assert len(refusals) == 1


def test_the_list_of_reports_made_is_paginated(app, browser_as):
    with app.app_context():
        for i in range(app.config["PAGE_SIZE"] + 3):
            db.session.add(
                ReportRun(
                    report_type="statement",
                    params={"year": 2020},
                    status="failed",
                    progress="Failed",
                    requested_at=dt.datetime(2026, 1, 1) + dt.timedelta(minutes=i),
                )
            )
        db.session.commit()
    browser = browser_as(Role.COMMISSIONER)
    first = browser.get("/reports/").get_data(as_text=True)
    second = browser.get("/reports/?page=2").get_data(as_text=True)
    assert first.count('data-run-id="') == app.config["PAGE_SIZE"]
    assert second.count('data-run-id="') == 3
    assert "govuk-pagination" in first and "page=2" in first
    assert browser.get("/reports/?page=²").status_code == 200


def test_only_years_with_records_are_offered_or_accepted(app, browser_as, records):
    with app.app_context():
        records.child(dt.date(2015, 1, 1), since=dt.date(2024, 6, 14))
        db.session.commit()
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get("/reports/").get_data(as_text=True)
    latest = services.financial_year_of(dt.date.today())
    offered = [int(y) for y in re.findall(r'<option value="(\d{4})"', page)]
    assert offered == list(range(latest, 2023, -1))  # 2024 to 2025 is the first with records
    for year in ("2023", "2011"):
        response = browser.post("/reports/statement", {"year": year})
        assert response.status_code == 400
        html = " ".join(response.get_data(as_text=True).split())
        assert (
            f"There are no figures for {year} to {int(year) + 1}: records in this system begin "
            "on 14 June 2024. The earliest statement you can make is for 2024 to 2025" in html
        )
    assert _runs(app) == []
    assert browser.post("/reports/statement", {"year": "2024"}).status_code == 302


def test_a_configured_first_year_is_the_earliest_offered(app, browser_as, records, monkeypatch):
    with app.app_context():
        records.child(dt.date(2015, 1, 1), since=dt.date(2020, 6, 14))
        db.session.commit()
    monkeypatch.setitem(app.config, "REPORTS_FIRST_YEAR", "2023")
    page = browser_as(Role.COMMISSIONER).get("/reports/").get_data(as_text=True)
    assert min(int(y) for y in re.findall(r'<option value="(\d{4})"', page)) == 2023


def test_a_page_past_the_end_of_the_list_shows_the_last_page(app, browser_as):
    with app.app_context():
        for i in range(app.config["PAGE_SIZE"] + 3):
            db.session.add(
                ReportRun(
                    report_type="statement",
                    params={"year": 2020},
                    status="failed",
                    progress="Failed",
                    requested_at=dt.datetime(2026, 1, 1) + dt.timedelta(minutes=i),
                )
            )
        db.session.commit()
    browser = browser_as(Role.COMMISSIONER)
    response = browser.get("/reports/?page=99")
    assert response.status_code == 302 and response.headers["Location"].endswith("page=2")
    page = browser.get("/reports/?page=99", follow_redirects=True).get_data(as_text=True)
    assert page.count('data-run-id="') == 3 and "No reports have been made yet" not in page


def test_times_are_shown_in_uk_time_with_the_zone(app, browser_as, done_run):
    with app.app_context():
        run = db.session.get(ReportRun, done_run)
        run.requested_at = dt.datetime(2026, 7, 1, 23, 30)  # UTC: 12:30am BST on 2 July
        run.finished_at = dt.datetime(2026, 12, 1, 9, 5)  # UTC and GMT alike
        db.session.commit()
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/reports/runs/{done_run}").get_data(as_text=True)
    assert "2 July 2026 at 12:30am BST" in page and "1 December 2026 at 9:05am GMT" in page
    listing = browser.get("/reports/").get_data(as_text=True)
    assert "2 July 2026 at 12:30am BST" in listing and "UK time (GMT, or BST in summer)" in listing


def test_the_list_of_reports_scrolls_in_its_own_named_region(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get("/reports/").get_data(as_text=True)
    regions = re.findall(r'<div class="app-table-scroll"[^>]*>', page)
    # The versions of the statement's text, and the runs: each in a named region.
    assert [re.search(r'aria-labelledby="([^"]+)"', r).group(1) for r in regions] == [
        "text-heading",
        "runs-heading",
    ]
    assert all('role="region"' in r and 'tabindex="0"' in r for r in regions)


def _stored(app, run_id, fmt):
    with app.app_context():
        return services.file_for(app, db.session.get(ReportRun, run_id), fmt)


def test_a_file_removed_outside_the_system_is_said_to_be_missing(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    _stored(app, done_run, "pdf").unlink()
    page = browser.get(f"/reports/runs/{done_run}").get_data(as_text=True)
    assert "no longer in the reports folder (PDF)" in page
    response = browser.get(f"/reports/runs/{done_run}/pdf")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "no longer in the reports folder" in text and "did not finish" not in text
    assert _audit(app, "report_download", done_run) == []


def test_a_file_changed_since_it_was_made_is_not_given_out(app, browser_as, done_run):
    browser = browser_as(Role.COMMISSIONER)
    path = _stored(app, done_run, "csv")
    path.write_bytes(path.read_bytes() + b"Edited,by,hand\r\n")
    response = browser.get(f"/reports/runs/{done_run}/csv")
    assert response.status_code == 404
    assert "has been changed since" in response.get_data(as_text=True)
    assert _audit(app, "report_download", done_run) == []
    # The other files are untouched and still given out.
    assert browser.get(f"/reports/runs/{done_run}/pdf").status_code == 200


def test_a_run_whose_worker_stopped_answering_says_so_not_its_last_progress(
    app, browser_as, make_user
):
    browser = browser_as(Role.COMMISSIONER)
    with app.test_request_context():
        run, _ = services.request_run("statement", {"year": 2026}, make_user(Role.COMMISSIONER))
        run.status, run.attempts, run.worker = "running", 1, "elsewhere:42"
        run.progress = "Collecting the range"
        run.updated_at = services.utcnow() - dt.timedelta(minutes=10)  # no heartbeat since
        db.session.commit()
        run_id = run.id
    for page in (browser.get(f"/reports/runs/{run_id}"), browser.get("/reports/")):
        text = page.get_data(as_text=True)
        assert "Its worker stopped answering" in text and "Collecting the range" not in text
        assert "Worker elsewhere:42" not in text
    with app.app_context():
        db.session.get(ReportRun, run_id).updated_at = services.utcnow()  # beating again
        db.session.commit()
    text = browser.get(f"/reports/runs/{run_id}").get_data(as_text=True)
    assert "Collecting the range" in text and "Its worker stopped answering" not in text
