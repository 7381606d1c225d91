"""A team manager transfers a case to another team: it leaves their team, goes to a worker in
the receiving team or waits there for that team's manager to allocate, audited and in the
allocation history."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from casework import services
from casework.models import Allocation, Child
from core.extensions import db
from core.models import AuditEvent, Team, User
from core.roles import Role
from tests.casework.test_views import _errors


def _user(u):
    return db.session.get(User, u.id)


@pytest.fixture
def teams(app, make_child, make_team, make_user, team_and_worker):
    team, worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team], name="Mina Manager")
    receiving = make_team("Saltcoast Team")
    newcomer = make_user(Role.PRACTITIONER, teams=[receiving], name="Nia Newcomer")
    receiving_manager = make_user(Role.TEAM_MANAGER, teams=[receiving], name="Rhys Receiver")
    child_id = make_child(team=team, worker=worker, first_name="Ola", last_name="Sand")
    return {
        "child_id": child_id,
        "team": team,
        "worker": worker,
        "manager": manager,
        "receiving": receiving,
        "newcomer": newcomer,
        "receiving_manager": receiving_manager,
    }


def test_a_manager_transfers_a_case_to_another_team_unallocated(app, browser_as, teams):
    t = teams
    browser = browser_as(user=t["manager"])
    url = f"/casework/children/{t['child_id']}/transfer"
    page = browser.get(url).get_data(as_text=True)
    assert "Saltcoast Team" in page and "Nia Newcomer" in page
    assert t["team"].name not in page.split('id="team"', 1)[1].split("</select>", 1)[0]
    response = browser.post(
        url, {"team": str(t["receiving"].id), "worker": "", "reason": "Family moved to Saltcoast"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/casework/")
    flashed = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "transferred to Saltcoast Team" in flashed
    with app.app_context():
        child = db.session.get(Child, t["child_id"])
        assert child.allocated_team_id == t["receiving"].id and child.allocated_worker_id is None
        history = services.allocations(child)
        assert history[0].kind == "transfer" and history[0].reason == "Family moved to Saltcoast"
        assert history[0].team_id == t["receiving"].id and history[1].ended_at is not None
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "transfer"))
        assert event.subject == f"child:{child.id}" and event.user_id == t["manager"].id
        assert "to Saltcoast Team" in event.detail and t["team"].name in event.detail
    # The case has left the manager's team, and their worker's caseload.
    assert browser.get(f"/casework/children/{t['child_id']}").status_code == 403
    assert (
        browser_as(user=t["worker"]).get(f"/casework/children/{t['child_id']}").status_code == 403
    )
    # The receiving team's manager sees it waiting, allocates it and sees the history.
    receiver = browser_as(user=t["receiving_manager"])
    waiting = receiver.get("/casework/search?worker=none").get_data(as_text=True)
    assert "Sand, Ola" in waiting
    allocate = f"/casework/children/{t['child_id']}/allocate"
    history = receiver.get(allocate).get_data(as_text=True)
    assert "Transferred from " + t["team"].name in history
    assert "Family moved to Saltcoast" in history
    done = receiver.post(
        allocate, {"team": str(t["receiving"].id), "worker": str(t["newcomer"].id)}
    )
    assert done.status_code == 302
    timeline = receiver.get(f"/casework/children/{t['child_id']}/timeline").get_data(as_text=True)
    assert "Transferred to Saltcoast Team" in timeline


def test_a_transfer_can_name_a_worker_in_the_receiving_team_only(app, browser_as, teams):
    t = teams
    browser = browser_as(user=t["manager"])
    url = f"/casework/children/{t['child_id']}/transfer"
    wrong = browser.post(
        url,
        {"team": str(t["receiving"].id), "worker": str(t["worker"].id), "reason": "Moved"},
    )
    assert wrong.status_code == 200
    assert _errors(wrong.get_data(as_text=True)) == [
        f"{t['worker'].name} is not in Saltcoast Team: select someone in Saltcoast Team, or "
        "leave the case for the team's manager to allocate"
    ]
    right = browser.post(
        url,
        {"team": str(t["receiving"].id), "worker": str(t["newcomer"].id), "reason": "Moved"},
    )
    assert right.status_code == 302
    with app.app_context():
        child = db.session.get(Child, t["child_id"])
        assert child.allocated_worker_id == t["newcomer"].id
    assert (
        browser_as(user=t["newcomer"]).get(f"/casework/children/{t['child_id']}").status_code == 200
    )


def test_transfer_rules(app, browser_as, teams):
    t = teams
    browser = browser_as(user=t["manager"])
    url = f"/casework/children/{t['child_id']}/transfer"
    empty = browser.post(url, {"team": "", "worker": "", "reason": ""}).get_data(as_text=True)
    assert _errors(empty) == [
        "Select the team the case is going to",
        "Enter the reason for the transfer",
    ]
    same = browser.post(url, {"team": str(t["team"].id), "reason": "x"}).get_data(as_text=True)
    assert _errors(same) == ["Select the team the case is going to"]  # not offered
    assert browser_as(user=t["worker"]).get(url).status_code == 403  # practitioners do not
    with app.app_context():
        child = db.session.get(Child, t["child_id"])
        team = db.session.get(Team, t["team"].id)
        with pytest.raises(services.CaseworkError, match="already held by"):
            services.transfer(child, _user(t["manager"]), team, None, "x")
        with pytest.raises(services.CaseworkError, match="team manager"):
            services.transfer(
                child, _user(t["worker"]), db.session.get(Team, t["receiving"].id), None, "x"
            )
        assert db.session.scalar(select(Allocation.kind).order_by(Allocation.id.desc())) == (
            "allocation"
        )


def test_a_team_without_a_manager_is_marked_and_a_case_cannot_wait_there(
    app, browser_as, make_team, make_user, teams
):
    t = teams
    empty = make_team("Harbour Team")
    lone = make_user(Role.PRACTITIONER, teams=[empty], name="Lee Lone")
    browser = browser_as(user=t["manager"])
    url = f"/casework/children/{t['child_id']}/transfer"
    page = browser.get(url).get_data(as_text=True)
    options = page.split('id="team"', 1)[1].split("</select>", 1)[0]
    assert "Harbour Team (no team manager)" in options
    assert "Saltcoast Team (no team manager)" not in options
    refused = browser.post(url, {"team": str(empty.id), "worker": "", "reason": "Moved"})
    assert refused.status_code == 200
    assert _errors(refused.get_data(as_text=True)) == [
        "Harbour Team has no team manager to allocate the case: select a practitioner in "
        "Harbour Team, or ask an administrator to add a team manager to the team first"
    ]
    with app.app_context():
        assert db.session.get(Child, t["child_id"]).allocated_team_id == t["team"].id
    # To a named practitioner it goes, with a warning that no manager oversees the team.
    done = browser.post(url, {"team": str(empty.id), "worker": str(lone.id), "reason": "Moved"})
    assert done.status_code == 302
    flashed = browser.get(done.headers["Location"]).get_data(as_text=True)
    assert "Harbour Team has no team manager" in flashed
    with app.app_context():
        assert db.session.get(Child, t["child_id"]).allocated_worker_id == lone.id


def test_a_disabled_manager_is_no_manager(app, make_team, make_user, teams):
    t = teams
    team = make_team("Dormant Team")
    gone = make_user(Role.TEAM_MANAGER, teams=[team], name="Gone Manager")
    with app.app_context():
        db.session.get(User, gone.id).enabled = False
        db.session.commit()
        child = db.session.get(Child, t["child_id"])
        with pytest.raises(services.CaseworkError, match="Dormant Team has no team manager"):
            services.transfer(child, _user(t["manager"]), db.session.get(Team, team.id), None, "x")
