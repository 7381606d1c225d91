"""The reports page, requests, the status feed, downloads and who may do what."""

import hashlib
import re

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
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


@pytest.mark.parametrize("role", [Role.COMMISSIONER, Role.TEAM_MANAGER])
def test_commissioners_and_team_managers_can_ask_for_the_statement(app, browser_as, role):
    browser = browser_as(role)
    page = browser.get("/reports/").get_data(as_text=True)
    assert "Make the statement" in page and "No reports have been made yet" in page
    assert "0 of 4 sections approved; until all are, the statement is marked as a draft" in page
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
    assert "The year must be between 2011 and" in page and "There is a problem" in page
    assert _runs(app) == []


def test_finance_officers_see_the_page_but_cannot_run_the_statement(app, browser_as):
    browser = browser_as(Role.FINANCE_OFFICER)
    page = browser.get("/reports/").get_data(as_text=True)
    assert "Make the statement" not in page and "no reports for your role" in page
    assert browser.post("/reports/statement", {"year": "2026"}).status_code == 403
    assert _runs(app) == []


def test_practitioners_cannot_open_reports(browser_as):
    assert browser_as(Role.PRACTITIONER).get("/reports/").status_code == 403


def test_the_status_feed_gives_each_runs_status_and_row(app, browser_as, done_run):
    browser = browser_as(Role.TEAM_MANAGER)
    data = browser.get(f"/reports/runs.json?ids={done_run}").get_json()
    assert data["active"] is False
    (run,) = data["runs"]
    assert run["id"] == done_run and run["status"] == "done"
    assert "Download PDF" in run["html"] and f'id="run-{done_run}"' in run["html"]
    assert browser_as(Role.FINANCE_OFFICER).get("/reports/runs.json").get_json()["runs"] == []


def test_downloading_the_pdf_is_audited(app, browser_as, done_run):
    browser = browser_as(Role.TEAM_MANAGER)
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


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PRACTITIONER, Role.ADMINISTRATOR])
def test_a_refused_download_is_403_and_audited(app, browser_as, done_run, role):
    browser = browser_as(role)
    response = browser.get(f"/reports/runs/{done_run}/pdf")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    refusals = [e for e in _audit(app, "access_refused") if e.user_id == browser.user.id]
    assert len(refusals) == 1 and f"/reports/runs/{done_run}/pdf" in refusals[0].detail
    assert _audit(app, "report_download", done_run) == []


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
