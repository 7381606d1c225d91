"""The statement's narrative sections: every version kept, approval by a second person."""

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from reports import services
from reports.models import StatementNarrative

URL = "/reports/statement/2026/text"


def _versions(app, section="introduction", year=2026):
    with app.app_context():
        return db.session.scalars(
            select(StatementNarrative)
            .where(StatementNarrative.year == year, StatementNarrative.section == section)
            .order_by(StatementNarrative.number)
        ).all()


def test_a_commissioner_writes_versions_and_every_one_is_kept(app, browser_as):
    writer = browser_as(Role.COMMISSIONER)
    assert "Not written" in writer.get(URL).get_data(as_text=True)
    r = writer.post(f"{URL}/introduction", {"body": "Our vision.", "based_on": "0"})
    assert r.status_code == 302
    r = writer.post(f"{URL}/introduction", {"body": "Our vision, revised.", "based_on": "1"})
    assert r.status_code == 302
    v1, v2 = _versions(app)
    assert (v1.number, v1.body, v2.number, v2.body) == (1, "Our vision.", 2, "Our vision, revised.")
    assert v2.written_by_id == writer.user.id and v2.approved_at is None
    page = writer.get(f"{URL}/introduction").get_data(as_text=True)
    assert "Version 2 (latest)" in page and "Version 1" in page and "Not approved" in page
    assert "Waiting for approval" in writer.get(URL).get_data(as_text=True)


def test_a_second_commissioner_approves_the_latest_version(app, browser_as):
    writer = browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/complaints", {"body": "Write to us.", "based_on": "0"})
    writer.post(f"{URL}/complaints", {"body": "Write or phone.", "based_on": "1"})
    approver = browser_as(Role.COMMISSIONER)
    stale = approver.post(f"{URL}/complaints/approve", {"number": "1"}, follow_redirects=True)
    assert "Only the latest version can be approved" in stale.get_data(as_text=True)
    assert "Approve version 2" in approver.get(f"{URL}/complaints").get_data(as_text=True)
    r = approver.post(f"{URL}/complaints/approve", {"number": "2"})
    assert r.status_code == 302
    v1, v2 = _versions(app, "complaints")
    assert v1.approved_at is None
    assert v2.approved_by_id == approver.user.id and v2.approved_at is not None
    page = approver.get(f"{URL}/complaints").get_data(as_text=True)
    assert f"By {approver.user.name}" in page
    assert "Approved" in approver.get(URL).get_data(as_text=True)


def test_the_person_who_saved_a_version_cannot_approve_it(app, browser_as):
    writer = browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/how_to_ask", {"body": "Phone us.", "based_on": "0"})
    page = writer.get(f"{URL}/how_to_ask").get_data(as_text=True)
    assert "Approve version 1" not in page
    assert "another commissioner must check and approve it" in page
    r = writer.post(f"{URL}/how_to_ask/approve", {"number": "1"}, follow_redirects=True)
    assert "You saved this version, so you cannot approve it" in r.get_data(as_text=True)
    (v1,) = _versions(app, "how_to_ask")
    assert v1.approved_at is None and v1.approved_by_id is None


def test_an_edit_based_on_an_old_version_is_refused_not_lost_silently(app, browser_as):
    writer = browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/how_to_ask", {"body": "Phone us.", "based_on": "0"})
    writer.post(f"{URL}/how_to_ask", {"body": "Phone or email us.", "based_on": "1"})
    r = writer.post(f"{URL}/how_to_ask", {"body": "My edit.", "based_on": "1"})
    assert r.status_code == 400
    assert "Someone else saved a newer version" in r.get_data(as_text=True)
    assert len(_versions(app, "how_to_ask")) == 2


@pytest.mark.parametrize("based_on", [None, "", "two", "²"])
def test_an_edit_that_does_not_say_which_version_it_started_from_is_refused(
    app, browser_as, based_on
):
    writer = browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/introduction", {"body": "Our vision.", "based_on": "0"})
    form = {"body": "Overwrites whatever is there."}
    if based_on is not None:
        form["based_on"] = based_on
    r = writer.post(f"{URL}/introduction", form)
    assert r.status_code == 400
    assert "Someone else saved a newer version" in r.get_data(as_text=True)
    assert [v.body for v in _versions(app)] == ["Our vision."]


def test_empty_text_is_refused(app, browser_as):
    r = browser_as(Role.COMMISSIONER).post(f"{URL}/introduction", {"body": "  ", "based_on": "0"})
    assert r.status_code == 400 and "Enter the text of this section" in r.get_data(as_text=True)


def test_last_years_approved_text_can_start_this_year(app, browser_as):
    writer, approver = browser_as(Role.COMMISSIONER), browser_as(Role.COMMISSIONER)
    old = "/reports/statement/2025/text"
    writer.post(f"{old}/introduction", {"body": "Last year's vision.", "based_on": "0"})
    approver.post(f"{old}/introduction/approve", {"number": "1"})
    writer.post(f"{old}/complaints", {"body": "Never approved.", "based_on": "0"})
    writer.post(f"{URL}/copy")
    (copied,) = _versions(app)
    assert copied.body == "Last year's vision." and copied.approved_at is None
    assert _versions(app, "complaints") == []


def test_an_approved_section_with_a_newer_draft_says_which_version_prints(app, browser_as):
    writer, approver = browser_as(Role.COMMISSIONER), browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/introduction", {"body": "Approved words.", "based_on": "0"})
    approver.post(f"{URL}/introduction/approve", {"number": "1"})
    writer.post(f"{URL}/introduction", {"body": "Newer words.", "based_on": "1"})
    page = writer.get(URL).get_data(as_text=True)
    assert "Newer version waiting for approval" in page
    assert "Version 1 (approved) prints until version 2 is approved." in page


def test_next_years_text_can_be_written_before_it_starts(app, browser_as):
    next_year = services.latest_year() + 1
    writer = browser_as(Role.COMMISSIONER)
    page = writer.get(f"/reports/statement/{next_year}/text").get_data(as_text=True)
    assert "has not started yet" in page and f"can be made from 1 April {next_year}" in page
    assert writer.get(f"/reports/statement/{next_year + 1}/text").status_code == 404


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.FINANCE_OFFICER, Role.PRACTITIONER])
def test_only_commissioners_write_or_approve_the_text_and_refusals_are_audited(
    app, browser_as, role
):
    writer = browser_as(Role.COMMISSIONER)
    writer.post(f"{URL}/introduction", {"body": "Our vision.", "based_on": "0"})
    browser = browser_as(role)
    assert browser.get(URL).status_code == 403
    assert browser.get(f"{URL}/introduction").status_code == 403
    assert browser.post(f"{URL}/introduction", {"body": "x", "based_on": "1"}).status_code == 403
    assert browser.post(f"{URL}/introduction/approve", {"number": "1"}).status_code == 403
    (v1,) = _versions(app)
    assert v1.approved_at is None
    with app.app_context():
        refusals = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "access_refused", AuditEvent.user_id == browser.user.id
            )
        ).all()
    assert len(refusals) == 4
    assert any(f"{URL}/introduction/approve" in e.detail for e in refusals)


@pytest.mark.parametrize(
    "text",
    [
        "Call \u202e0123 456 7890\u202c",  # right-to-left override: prints backwards
        "Email short\u200bbreaks@example.gov.uk",  # zero-width space
        "Phone us\u2066 now\u2069",
        "A bell\u0007",
        "One line\u2028and an invisible break",
    ],
)
def test_hidden_characters_are_refused_with_a_message(app, browser_as, text):
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post(f"{URL}/how_to_ask", {"body": text, "based_on": "0"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "must not contain hidden characters" in page
    with app.app_context():
        assert _versions(app, "how_to_ask") == []


def test_emoji_built_with_joiners_are_allowed(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    body = "Families told us \U0001f468\u200d\U0001f469\u200d\U0001f467 what they need."
    response = browser.post(f"{URL}/how_to_ask", {"body": body, "based_on": "0"})
    assert response.status_code == 302
    with app.app_context():
        assert _versions(app, "how_to_ask")[0].body == body


def test_new_lines_and_tabs_are_allowed(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post(
        f"{URL}/how_to_ask", {"body": "Phone:\t0123\r\n\r\nOr email us.", "based_on": "0"}
    )
    assert response.status_code == 302
    with app.app_context():
        assert _versions(app, "how_to_ask")[0].body == "Phone:\t0123\n\nOr email us."
