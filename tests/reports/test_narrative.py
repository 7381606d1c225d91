"""The statement's narrative sections: every version kept, approval recorded."""

from sqlalchemy import select

from core.extensions import db
from core.roles import Role
from reports.models import StatementNarrative

URL = "/reports/statement/2026/text"


def _versions(app, section="introduction"):
    with app.app_context():
        return db.session.scalars(
            select(StatementNarrative)
            .where(StatementNarrative.year == 2026, StatementNarrative.section == section)
            .order_by(StatementNarrative.number)
        ).all()


def test_a_manager_writes_versions_and_every_one_is_kept(app, browser_as):
    manager = browser_as(Role.TEAM_MANAGER)
    assert "Not written" in manager.get(URL).get_data(as_text=True)
    r = manager.post(f"{URL}/introduction", {"body": "Our vision.", "based_on": "0"})
    assert r.status_code == 302
    r = manager.post(f"{URL}/introduction", {"body": "Our vision, revised.", "based_on": "1"})
    assert r.status_code == 302
    v1, v2 = _versions(app)
    assert (v1.number, v1.body, v2.number, v2.body) == (1, "Our vision.", 2, "Our vision, revised.")
    assert v2.written_by_id == manager.user.id and v2.approved_at is None
    page = manager.get(f"{URL}/introduction").get_data(as_text=True)
    assert "Version 2 (latest)" in page and "Version 1" in page and "Not approved" in page
    assert "Waiting for approval" in manager.get(URL).get_data(as_text=True)


def test_approval_records_who_approved_the_latest_version(app, browser_as):
    writer = browser_as(Role.TEAM_MANAGER)
    writer.post(f"{URL}/complaints", {"body": "Write to us.", "based_on": "0"})
    writer.post(f"{URL}/complaints", {"body": "Write or phone.", "based_on": "1"})
    approver = browser_as(Role.COMMISSIONER)
    stale = approver.post(f"{URL}/complaints/approve", {"number": "1"}, follow_redirects=True)
    assert "Only the latest version can be approved" in stale.get_data(as_text=True)
    r = approver.post(f"{URL}/complaints/approve", {"number": "2"})
    assert r.status_code == 302
    v1, v2 = _versions(app, "complaints")
    assert v1.approved_at is None
    assert v2.approved_by_id == approver.user.id and v2.approved_at is not None
    page = approver.get(f"{URL}/complaints").get_data(as_text=True)
    assert f"By {approver.user.name}" in page
    assert "Approved" in approver.get(URL).get_data(as_text=True)


def test_an_edit_based_on_an_old_version_is_refused_not_lost_silently(app, browser_as):
    manager = browser_as(Role.TEAM_MANAGER)
    manager.post(f"{URL}/how_to_ask", {"body": "Phone us.", "based_on": "0"})
    manager.post(f"{URL}/how_to_ask", {"body": "Phone or email us.", "based_on": "1"})
    r = manager.post(f"{URL}/how_to_ask", {"body": "My edit.", "based_on": "1"})
    assert r.status_code == 400
    assert "Someone else saved a newer version" in r.get_data(as_text=True)
    assert len(_versions(app, "how_to_ask")) == 2


def test_empty_text_is_refused(app, browser_as):
    r = browser_as(Role.TEAM_MANAGER).post(f"{URL}/introduction", {"body": "  ", "based_on": "0"})
    assert r.status_code == 400 and "Enter the text of this section" in r.get_data(as_text=True)


def test_last_years_approved_text_can_start_this_year(app, browser_as):
    manager = browser_as(Role.TEAM_MANAGER)
    old = "/reports/statement/2025/text"
    manager.post(f"{old}/introduction", {"body": "Last year's vision.", "based_on": "0"})
    manager.post(f"{old}/introduction/approve", {"number": "1"})
    manager.post(f"{old}/complaints", {"body": "Never approved.", "based_on": "0"})
    manager.post(f"{URL}/copy")
    (copied,) = _versions(app)
    assert copied.body == "Last year's vision." and copied.approved_at is None
    assert _versions(app, "complaints") == []


def test_only_managers_edit_the_text(browser_as):
    for role in (Role.FINANCE_OFFICER, Role.PRACTITIONER):
        browser = browser_as(role)
        assert browser.get(URL).status_code == 403
        assert (
            browser.post(f"{URL}/introduction", {"body": "x", "based_on": "0"}).status_code == 403
        )
