"""Two people editing the same record: the second save is refused, clearly, and the person who
was refused can save deliberately from the same page (their typing kept, the other person's
changes shown). The same for a child, a carer, a sibling, a professional and a registration."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from sqlalchemy import select

from casework import services
from casework.models import Child, FamilyMember, Professional, TargetedRegistration
from core.extensions import db
from core.models import AuditEvent, User
from core.roles import Role
from tests.casework.conftest import CHILD, form_values
from tests.casework.test_views import _errors

TODAY = dt.date.today()


def _user(u):
    return db.session.get(User, u.id)


@pytest.fixture
def pair(app, browser_as, make_child, make_user, team_and_worker):
    """A child and two colleagues who may both edit the record: (child_id, first, second)."""
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, first_name="Ava", last_name="Jessop")
    colleague = make_user(Role.PRACTITIONER, teams=[team], name="Colin Colleague")
    return child_id, browser_as(user=worker), browser_as(user=colleague)


def _carer(app, child_id, **fields):
    with app.app_context():
        child = db.session.get(Child, child_id)
        data = {
            "kind": "carer",
            "name": "Grace Jessop",
            "relationship_to_child": "mother",
            "parental_responsibility": True,
            "lives_with_child": True,
            "phone": "07700 900123",
            **fields,
        }
        member = services.save_family_member(child, data)
        db.session.commit()
        return member.id


def _warning(html: str) -> str:
    found = re.search(r'id="stale-notice"(.*?)<form', html, re.S)
    assert found, "no notice of the other person's changes"
    return html_lib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0))))


# --- The service refuses a save from an old version -----------------------------------------


def test_every_locked_record_refuses_a_save_from_an_old_version(app, pair, make_criteria):
    child_id, first, _second = pair
    crit = make_criteria()
    carer_id = _carer(app, child_id)
    with app.app_context():
        child = db.session.get(Child, child_id)
        user = _user(first.user)
        sibling = services.save_family_member(child, {"kind": "sibling", "name": "Theo"})
        prof = services.save_professional(child, {"name": "Dr Chen", "role": "GP"})
        services.record_decision(
            child,
            user,
            tier="targeted",
            criterion_ids=crit["targeted"][:1],
            rationale="Meets the criteria",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=365),
        )
        reg = services.save_registration(
            child, user, {"activity": "Youth club", "from_date": TODAY}
        )
        db.session.commit()
        carer = db.session.get(FamilyMember, carer_id)
        assert {carer.version, sibling.version, prof.version, reg.version} == {1}
        saves = [
            lambda v: services.save_family_member(
                child, {"kind": "carer", "name": "Grace B"}, carer, expected_version=v
            ),
            lambda v: services.save_family_member(
                child, {"kind": "sibling", "name": "Theo B"}, sibling, expected_version=v
            ),
            lambda v: services.save_professional(
                child,
                {"name": "Dr Chen", "role": "GP", "phone": "01632 960001"},
                prof,
                expected_version=v,
            ),
            lambda v: services.save_registration(
                child,
                user,
                {"activity": "Youth club", "from_date": TODAY, "to_date": TODAY},
                reg,
                expected_version=v,
            ),
        ]
        for save in saves:
            save(1)
            db.session.commit()
        for save in saves:
            for stale in (1, None):
                with pytest.raises(services.StaleEdit):
                    save(stale)
                db.session.rollback()
        assert db.session.get(FamilyMember, carer_id).version == 2
        assert db.session.get(FamilyMember, carer_id).name == "Grace B"


def test_a_save_racing_another_in_the_database_is_refused(app, pair):
    """Both read version 1; the other save reaches the database first."""
    child_id, _first, _second = pair
    carer_id = _carer(app, child_id)
    with app.app_context():
        child = db.session.get(Child, child_id)
        carer = db.session.get(FamilyMember, carer_id)
        assert carer.version == 1
        db.session.execute(
            FamilyMember.__table__.update()
            .where(FamilyMember.id == carer_id)
            .values(version=2, phone="01234 567890")
        )
        with pytest.raises(services.StaleEdit):
            services.save_family_member(child, {"name": "Grace B"}, carer, expected_version=1)
        db.session.rollback()


# --- In the browser: refused clearly, then saved deliberately -------------------------------


def test_second_save_of_a_carer_is_refused_then_saved_deliberately(app, pair):
    child_id, first, second = pair
    carer_id = _carer(app, child_id)
    url = f"/casework/children/{child_id}/family/{carer_id}/edit"
    mine = form_values(first.get(url).get_data(as_text=True))
    theirs = form_values(second.get(url).get_data(as_text=True))
    assert mine["version"] == "1" and mine["loaded"]
    assert first.post(url, {**mine, "phone": "01234 000111"}).status_code == 302

    late = second.post(url, {**theirs, "phone": "07000 222333", "carer_needs": "Back pain"})
    html = late.get_data(as_text=True)
    assert late.status_code == 200
    assert "<title>Error: " in html
    assert "Someone else changed this carer's details while you were editing them" in _warning(html)
    # The clash is on the field, with the value now saved; what they typed is still there.
    assert _errors(html) == [
        "Telephone number was changed to ‘01234 000111’ by someone else. Save again to replace it "
        "with what you entered"
    ]
    shown = form_values(html)
    assert shown["phone"] == "07000 222333" and shown["carer_needs"] == "Back pain"
    assert shown["version"] == "2"
    with app.app_context():
        assert db.session.get(FamilyMember, carer_id).phone == "01234 000111"

    # Saving again from the same page is deliberate, and works.
    again = second.post(url, shown)
    assert again.status_code == 302, again.get_data(as_text=True)
    with app.app_context():
        carer = db.session.get(FamilyMember, carer_id)
        assert (carer.phone, carer.carer_needs, carer.version) == ("07000 222333", "Back pain", 3)


def test_other_persons_changes_are_kept_when_they_touched_other_fields(app, pair):
    child_id, first, second = pair
    url = f"/casework/children/{child_id}/edit"
    mine = form_values(first.get(url).get_data(as_text=True))
    theirs = form_values(second.get(url).get_data(as_text=True))
    assert first.post(url, {**mine, "town": "Eastbrook"}).status_code == 302

    late = second.post(url, {**theirs, "school": "Ashby Academy"})
    html = late.get_data(as_text=True)
    assert late.status_code == 200
    notice = _warning(html)
    assert "Someone else changed this child's record while you were editing it" in notice
    assert "Town or city: ‘Eastbrook’" in notice
    shown = form_values(html)
    # Their change is now in the form, so saving again does not undo it; the typing is kept.
    assert shown["town"] == "Eastbrook" and shown["school"] == "Ashby Academy"
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert (child.town, child.school) == ("Eastbrook", CHILD["school"])
        assert shown["version"] == str(child.version)
        # Showing the other person's change is a view of the record, audited.
        details = db.session.scalars(
            select(AuditEvent.detail).where(
                AuditEvent.action == "view",
                AuditEvent.user_id == second.user.id,
                AuditEvent.subject == f"child:{child_id}",
            )
        ).all()
        assert "Current values shown after a refused save" in details
    assert second.post(url, shown).status_code == 302
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert (child.town, child.school) == ("Eastbrook", "Ashby Academy")


def test_a_clash_on_a_child_names_the_field_and_the_saved_value(app, pair):
    child_id, first, second = pair
    url = f"/casework/children/{child_id}/edit"
    mine = form_values(first.get(url).get_data(as_text=True))
    theirs = form_values(second.get(url).get_data(as_text=True))
    ehc = {"school": "Ashby Academy", "ehc_plan": "yes", "ehc_plan_date": ["1", "9", "2022"]}
    assert first.post(url, {**mine, **ehc}).status_code == 302
    late = second.post(url, {**theirs, "school": "Other School", "gender": "other"})
    html = late.get_data(as_text=True)
    assert _errors(html) == [
        "School or setting was changed to ‘Ashby Academy’ by someone else. Save again to "
        "replace it with what you entered"
    ]
    notice = _warning(html)
    assert "Does the child have an education, health and care (EHC) plan?: ‘Yes’" in notice
    assert "Date of the EHC plan: ‘1 September 2022’" in notice
    shown = form_values(html)
    assert shown["school"] == "Other School" and shown["gender"] == "other"
    assert shown["ehc_plan"] == "yes" and shown["ehc_plan_date"] == ["01", "09", "2022"]
    assert second.post(url, shown).status_code == 302
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert (child.school, child.gender) == ("Other School", "other")
        assert child.ehc_plan_date == dt.date(2022, 9, 1)


def test_a_change_elsewhere_on_the_case_does_not_block_a_save(app, pair):
    """A referral moves the child's version on (the next thing due changes) but changes
    nothing on the details form: the save goes through."""
    child_id, first, second = pair
    url = f"/casework/children/{child_id}/edit"
    mine = form_values(first.get(url).get_data(as_text=True))
    referral = {
        "received_on": [str(TODAY.day), str(TODAY.month), str(TODAY.year)],
        "source": "parent",
        "reason": "Asking for breaks",
    }
    assert second.post(f"/casework/children/{child_id}/referrals/new", referral).status_code == 302
    with app.app_context():
        assert str(db.session.get(Child, child_id).version) != mine["version"]
    assert first.post(url, {**mine, "school": "Ashby Academy"}).status_code == 302
    with app.app_context():
        assert db.session.get(Child, child_id).school == "Ashby Academy"


@pytest.mark.parametrize("kind", ["sibling", "professional", "registration"])
def test_siblings_professionals_and_registrations_are_locked_too(app, pair, make_criteria, kind):
    child_id, first, second = pair
    with app.app_context():
        child = db.session.get(Child, child_id)
        if kind == "sibling":
            row = services.save_family_member(child, {"kind": "sibling", "name": "Theo"})
            url = f"/casework/children/{child_id}/family/{{}}/edit"
            field, a, b = "notes", "Young carer", "Goes to the same school"
        elif kind == "professional":
            row = services.save_professional(child, {"name": "Dr Chen", "role": "GP"})
            url = f"/casework/children/{child_id}/professionals/{{}}/edit"
            field, a, b = "organisation", "Northbrook Practice", "Eastbrook Practice"
        else:
            crit = make_criteria()
            services.record_decision(
                child,
                _user(first.user),
                tier="targeted",
                criterion_ids=crit["targeted"][:1],
                rationale="Meets the criteria",
                decided_on=TODAY,
                review_date=TODAY + dt.timedelta(days=365),
            )
            row = services.save_registration(
                child, _user(first.user), {"activity": "Youth club", "from_date": TODAY}
            )
            url = f"/casework/children/{child_id}/registrations/{{}}/edit"
            field, a, b = "activity", "Youth club (Saturdays)", "Youth club (Sundays)"
        db.session.commit()
        url = url.format(row.id)
    mine = form_values(first.get(url).get_data(as_text=True))
    theirs = form_values(second.get(url).get_data(as_text=True))
    assert mine["version"] == "1"
    assert first.post(url, {**mine, field: a}).status_code == 302
    late = second.post(url, {**theirs, field: b})
    html = late.get_data(as_text=True)
    assert late.status_code == 200 and "while you were editing" in html
    assert len(_errors(html)) == 1 and f"‘{a}’ by someone else" in _errors(html)[0]
    shown = form_values(html)
    assert shown[field] == b and shown["version"] == "2"
    assert second.post(url, shown).status_code == 302
    model = {"sibling": FamilyMember, "professional": Professional}.get(kind, TargetedRegistration)
    with app.app_context():
        assert getattr(db.session.get(model, row.id), field) == b


# --- Eligibility criteria (administrators in two tabs) -----------------------------------------


def test_second_save_of_a_criterion_is_refused_not_lost(app, browser_as, make_user):
    from casework.models import EligibilityCriterion

    with app.app_context():
        criterion = services.save_criterion({"tier": "targeted", "text": "Needs support"})
        db.session.commit()
        criterion_id = criterion.id
        assert criterion.version == 1
    first = browser_as(Role.ADMINISTRATOR)
    second = browser_as(user=make_user(Role.ADMINISTRATOR, name="Ada Admin"))
    url = f"/casework/criteria/{criterion_id}/edit"
    mine = form_values(first.get(url).get_data(as_text=True))
    theirs = form_values(second.get(url).get_data(as_text=True))
    assert mine["version"] == "1" and mine["loaded"]
    assert first.post(url, {**mine, "text": "Needs support to join in"}).status_code == 302

    late = second.post(url, {**theirs, "text": "Needs help with activities"})
    html = late.get_data(as_text=True)
    assert late.status_code == 200
    assert "Someone else changed this criterion while you were editing it" in _warning(html)
    assert _errors(html) == [
        "Wording was changed to ‘Needs support to join in’ by someone else. Save again to "
        "replace it with what you entered"
    ]
    shown = form_values(html)
    assert shown["text"] == "Needs help with activities" and shown["version"] == "2"
    with app.app_context():
        assert db.session.get(EligibilityCriterion, criterion_id).text == "Needs support to join in"
    assert second.post(url, shown).status_code == 302
    with app.app_context():
        saved = db.session.get(EligibilityCriterion, criterion_id)
        assert (saved.text, saved.version) == ("Needs help with activities", 3)


def test_the_criterion_service_checks_the_version(app):
    with app.app_context():
        criterion = services.save_criterion({"tier": "targeted", "text": "Needs support"})
        db.session.commit()
        data = {"tier": "targeted", "text": "Changed", "sort_order": 0, "active": True}
        services.save_criterion(data, criterion, expected_version=1)
        db.session.commit()
        with pytest.raises(services.StaleEdit, match="this criterion"):
            services.save_criterion({**data, "text": "Again"}, criterion, expected_version=1)
        db.session.rollback()
