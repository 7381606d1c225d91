"""Every casework route that takes a child id refuses anyone who may not see that child.

The routes are found by walking the app's URL map, so a new route is covered the day it is
added; a test also fails if a route with a child id is left out of the walk.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework.models import Child, FamilyMember, Professional, TargetedRegistration
from core.extensions import db
from core.models import AuditEvent
from core.roles import Role


def _child_routes(app):
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.endpoint.startswith("casework.") and "child_id" in r.arguments
    ]
    assert len(rules) >= 15, "the walk found too few child routes"
    return rules


@pytest.fixture
def case(app, make_child, make_team, make_user):
    """A child in one team, with a carer and a professional, and the ids to fill routes."""
    team = make_team()
    worker = make_user(Role.PRACTITIONER, teams=[team])
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        member = FamilyMember(child_id=child_id, kind="carer", name="Parent")
        prof = Professional(child_id=child_id, name="Dr Who", role="GP")
        reg = TargetedRegistration(
            child_id=child_id, activity="Youth club", from_date=dt.date(2026, 1, 5)
        )
        db.session.add_all([member, prof, reg])
        db.session.commit()
        return {
            "child_id": child_id,
            "member_id": member.id,
            "prof_id": prof.id,
            "reg_id": reg.id,
            "team": team,
        }


def _urls(app, case):
    with app.test_request_context():
        from flask import url_for

        for rule in _child_routes(app):
            args = {k: case[k] for k in rule.arguments}
            yield rule, url_for(rule.endpoint, **args)


@pytest.mark.parametrize(
    "who",
    ["practitioner_elsewhere", "manager_elsewhere", "administrator", "finance", "commissioner"],
)
def test_every_child_route_refuses_people_who_may_not_see_the_child(
    app, browser_as, make_team, case, who
):
    other = make_team()
    roles = {
        "practitioner_elsewhere": (Role.PRACTITIONER,),
        "manager_elsewhere": (Role.TEAM_MANAGER,),
        "administrator": (Role.ADMINISTRATOR,),
        "finance": (Role.FINANCE_OFFICER,),
        "commissioner": (Role.COMMISSIONER,),
    }[who]
    browser = browser_as(*roles, teams=[other])
    checked = 0
    for rule, url in _urls(app, case):
        for method in sorted(rule.methods & {"GET", "POST"}):
            if method == "GET":
                response = browser.get(url)
            else:
                response = browser.post(url, {"reason": "x", "name": "x", "summary": "x"})
            assert response.status_code in (403, 404), (who, method, url, response.status_code)
            assert "Amelia" not in response.get_data(as_text=True)
            checked += 1
    assert checked >= 25
    with app.app_context():
        refusals = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "access_refused", AuditEvent.user_id == browser.user.id
            )
        ).all()
        assert len(refusals) == checked  # every refusal is in the audit log
        child = db.session.get(Child, case["child_id"])
        assert child.status == "open" and child.version == 1  # nothing changed


def test_signed_out_visitors_are_sent_to_sign_in(app, client, case):
    for _rule, url in _urls(app, case):
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in" in response.headers["Location"], url


def test_a_colleague_in_the_team_and_their_manager_may_see_the_child(app, browser_as, case):
    team = case["team"]
    for roles in ((Role.PRACTITIONER,), (Role.TEAM_MANAGER,)):
        browser = browser_as(*roles, teams=[team])
        for rule, url in _urls(app, case):
            if "GET" not in rule.methods:
                continue
            response = browser.get(url)
            managers_only = ("casework.allocate", "casework.transfer")
            if rule.endpoint in managers_only and roles == (Role.PRACTITIONER,):
                assert response.status_code == 403  # only managers allocate and transfer
            else:
                assert response.status_code in (200, 302), (roles, url, response.status_code)


def test_ids_of_another_childs_family_are_not_found(app, browser_as, make_child, case):
    team = case["team"]
    browser = browser_as(Role.PRACTITIONER, teams=[team])
    other_child = make_child(team=team)
    for path in (
        f"/casework/children/{other_child}/family/{case['member_id']}/edit",
        f"/casework/children/{other_child}/professionals/{case['prof_id']}/edit",
        f"/casework/children/{other_child}/registrations/{case['reg_id']}/edit",
    ):
        assert browser.get(path).status_code == 404, path


def test_unknown_child_is_not_found(browser_as, make_team):
    browser = browser_as(Role.PRACTITIONER, teams=[make_team()])
    assert browser.get("/casework/children/999999").status_code == 404


def _refusals(user_id):
    return db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "access_refused", AuditEvent.user_id == user_id)
        .order_by(AuditEvent.id)
    ).all()


def test_an_id_of_another_childs_record_is_audited_as_a_refusal_of_that_child(
    app, browser_as, make_child, case
):
    """A carer, professional or registration of one child in the URL of another: not found,
    and an administrator searching the audit log by the first child's case number sees the
    attempt (GET and POST alike), though the person may see both children."""
    team = case["team"]
    browser = browser_as(Role.PRACTITIONER, teams=[team])
    other_child = make_child(team=team)
    attempts = {
        f"/casework/children/{other_child}/family/{case['member_id']}/edit": "family_member",
        f"/casework/children/{other_child}/professionals/{case['prof_id']}/edit": "professional",
        f"/casework/children/{other_child}/registrations/{case['reg_id']}/edit": (
            "targeted_registration"
        ),
    }
    for path in attempts:
        assert browser.get(path).status_code == 404, path
        assert browser.post(path, {"name": "Changed", "role": "GP"}).status_code == 404, path
    with app.app_context():
        rows = _refusals(browser.user.id)
        assert {(r.detail, r.record_type, r.subject) for r in rows} == {
            (f"{method} {path} (another child's record)", kind, f"child:{case['child_id']}")
            for path, kind in attempts.items()
            for method in ("GET", "POST")
        }
        case_number = db.session.get(Child, case["child_id"]).case_number
        assert db.session.get(FamilyMember, case["member_id"]).name == "Parent"  # unchanged
    admin = browser_as(Role.ADMINISTRATOR)
    html = admin.get(f"/admin/audit?q={case_number}&action=access_refused").get_data(as_text=True)
    assert "6 entries" in html
    for path in attempts:
        assert f"GET {path}" in html and f"POST {path}" in html


def test_a_practitioners_refused_allocation_or_transfer_names_the_child(app, browser_as, case):
    """Only managers allocate and transfer: a practitioner is refused (403), and the refusal
    is found by the child's case number like every other refusal on the child's routes."""
    browser = browser_as(Role.PRACTITIONER, teams=[case["team"]])
    base = f"/casework/children/{case['child_id']}"
    for path in (f"{base}/allocate", f"{base}/transfer"):
        assert browser.get(path).status_code == 403, path
        assert browser.post(path, {"team": "1", "reason": "x"}).status_code == 403, path
    with app.app_context():
        rows = _refusals(browser.user.id)
        assert len(rows) == 4
        assert {r.subject for r in rows} == {f"child:{case['child_id']}"}
        assert all(r.detail.endswith("(role)") for r in rows)
