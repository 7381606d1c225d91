"""A team manager is told when cases are still allocated to people who can no longer sign in,
and can find them."""

from __future__ import annotations

from core.extensions import db
from core.models import User
from core.roles import Role


def _disable(app, user):
    with app.app_context():
        db.session.get(User, user.id).enabled = False
        db.session.commit()


def test_the_team_caseload_warns_of_cases_held_by_people_who_cannot_sign_in(
    app, browser_as, make_child, make_user, team_and_worker
):
    team, worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    leaver = make_user(Role.PRACTITIONER, teams=[team], name="Lena Leaver")
    make_child(team=team, worker=leaver, last_name="Orphaned")
    make_child(team=team, worker=leaver, last_name="Stranded")
    make_child(team=team, worker=worker, last_name="Held")
    browser = browser_as(user=manager)
    assert "can no longer sign in" not in browser.get("/casework/").get_data(as_text=True)
    _disable(app, leaver)
    html = browser.get("/casework/").get_data(as_text=True)
    assert "2 cases allocated to people who can no longer sign in" in html
    assert 'href="/casework/search?worker=inactive&amp;status=open"' in html
    found = browser.get("/casework/search?worker=inactive&status=open").get_data(as_text=True)
    assert "2 children found" in found
    assert "Orphaned" in found and "Stranded" in found and "Held," not in found
    # A practitioner's own caseload says nothing of it.
    mine = browser_as(user=worker).get("/casework/?scope=mine").get_data(as_text=True)
    assert "can no longer sign in" not in mine


def test_one_case_is_one_case(app, browser_as, make_child, make_user, team_and_worker):
    team, _worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    leaver = make_user(Role.PRACTITIONER, teams=[team])
    make_child(team=team, worker=leaver)
    _disable(app, leaver)
    html = browser_as(user=manager).get("/casework/").get_data(as_text=True)
    assert "1 case allocated to a person who can no longer sign in" in html
