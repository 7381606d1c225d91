"""What people (and hostile clients) type: numbers beyond the database's integers, GOV.UK
messages on every field, dates that cannot be right, and rules applied at the right time."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from casework import forms, services
from casework.models import CaseNote, Child, EligibilityCriterion, Professional
from core.extensions import db
from core.models import AuditEvent, User
from core.roles import Role
from tests.casework.conftest import CHILD, form_values, years_ago
from tests.casework.test_views import _errors, _parts, child_form

TODAY = dt.date.today()
HUGE = "99999999999999999999999"


def _user(u):
    return db.session.get(User, u.id)


# --- 1. Numbers beyond the database's integers ----------------------------------------------


def test_huge_and_odd_numbers_in_the_address_are_not_errors(app, own_case):
    browser, child_id, worker, *_ = own_case
    for url in (
        f"/casework/search?worker={HUGE}",
        "/casework/search?worker=%C2%B2",  # '²' passes str.isdigit() but not int()
        f"/casework/children/{child_id}/timeline?page={HUGE}",
        f"/casework/children/{child_id}/timeline?page=%C2%B2",
        f"/casework/?page={HUGE}",
    ):
        assert browser.get(url).status_code == 200, url


def test_a_huge_version_is_refused_as_stale_not_an_error(app, own_case):
    browser, child_id, *_ = own_case
    url = f"/casework/children/{child_id}/edit"
    shown = form_values(browser.get(url).get_data(as_text=True))
    response = browser.post(url, {**shown, "version": HUGE, "loaded": "", "school": "Elsewhere"})
    assert response.status_code == 200
    assert "while you were editing" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Child, child_id).school == CHILD["school"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (HUGE, "Position in the list must be between 0 and 9999"),
        ("-3", "Position in the list must be between 0 and 9999"),
        ("ten", "Position in the list must be a whole number, like 10"),
        ("1.5", "Position in the list must be a whole number, like 10"),
        ("", "Enter the position in the list, like 10"),
    ],
)
def test_criterion_position_must_be_a_sensible_whole_number(app, browser_as, value, message):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post(
        "/casework/criteria/new",
        {"tier": "targeted", "text": "Lives in the county", "sort_order": value, "active": "yes"},
    )
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [message]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(EligibilityCriterion)) == 0
        with pytest.raises(services.CaseworkError, match="between 0 and 9999"):
            services.save_criterion({"tier": "targeted", "text": "x", "sort_order": 10**12})


# --- 4. Young people who have turned 26 ------------------------------------------------------


def _twenty_six_year_old(app, make_child, team, worker):
    """Referred at 20, now 26."""
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        services.add_referral(
            child,
            _user(worker),
            {"received_on": years_ago(6), "source": "self", "reason": "Wants breaks"},
        )
        child.date_of_birth = years_ago(26) - dt.timedelta(days=20)
        db.session.commit()
    return child_id


def test_a_young_person_who_has_turned_26_can_have_their_details_changed(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = _twenty_six_year_old(app, make_child, team, worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        dob = child.date_of_birth
        services.update_child(
            child,
            {**CHILD, "date_of_birth": dob, "address_line_1": "1 New Road"},
            ["AUT"],
            child.version,
        )
        db.session.commit()
    browser = browser_as(user=worker)
    url = f"/casework/children/{child_id}/edit"
    shown = form_values(browser.get(url).get_data(as_text=True))
    response = browser.post(url, {**shown, "town": "Eastbrook"})
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert (child.address_line_1, child.town) == ("1 New Road", "Eastbrook")


def test_a_changed_date_of_birth_is_checked_against_the_referral_date(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = _twenty_six_year_old(app, make_child, team, worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        # A correction that still makes them 25 or under when referred is fine.
        fine = years_ago(26) - dt.timedelta(days=40)
        services.update_child(child, {**CHILD, "date_of_birth": fine}, ["AUT"], child.version)
        db.session.commit()
        # One that makes them 26 when referred is not.
        too_old = years_ago(33)
        with pytest.raises(services.CaseworkError, match="over 25 on the date of referral") as exc:
            services.update_child(
                child, {**CHILD, "date_of_birth": too_old}, ["AUT"], child.version
            )
        assert exc.value.field == "date_of_birth"
        db.session.rollback()
    browser = browser_as(user=worker)
    url = f"/casework/children/{child_id}/edit"
    shown = form_values(browser.get(url).get_data(as_text=True))
    bad = browser.post(url, {**shown, "date_of_birth": _parts(years_ago(33))})
    assert bad.status_code == 200
    assert "over 25 on the date of referral" in " ".join(_errors(bad.get_data(as_text=True)))
    future = browser.post(url, {**shown, "date_of_birth": _parts(TODAY + dt.timedelta(days=2))})
    assert _errors(future.get_data(as_text=True)) == ["Date of birth must be today or in the past"]


def test_a_new_record_is_still_refused_for_someone_over_25(app, team_and_worker):
    _team, worker = team_and_worker
    with app.app_context():
        with pytest.raises(services.CaseworkError, match="25 or under"):
            services.create_child(_user(worker), {**CHILD, "date_of_birth": years_ago(26)}, ["AUT"])


def test_without_a_referral_a_changed_date_of_birth_is_checked_against_the_record_date(
    app, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError, match="25 or under"):
            services.update_child(
                child, {**CHILD, "date_of_birth": years_ago(27)}, ["AUT"], child.version
            )


# --- 5. Every search is audited ---------------------------------------------------------------


def test_searches_by_disability_or_worker_alone_are_audited(app, browser_as, team_and_worker):
    _team, worker = team_and_worker
    browser = browser_as(user=worker)
    for query in ("disability=AUT", f"worker={worker.id}", "worker=none", "tier=targeted"):
        assert browser.get(f"/casework/search?{query}").status_code == 200
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail)
            .where(AuditEvent.action == "search", AuditEvent.user_id == worker.id)
            .order_by(AuditEvent.id)
        ).all()
        assert details == ["disability=AUT", f"worker={worker.id}", "worker=none", "tier=targeted"]


# --- 7. Smaller validation gaps ----------------------------------------------------------------


def test_professional_email_is_checked(app, own_case):
    browser, child_id, *_ = own_case
    url = f"/casework/children/{child_id}/professionals/new"
    for bad in ("not an email", "dr.chen@", "@nhs.net", "a b@nhs.net", "chen@nhs"):
        response = browser.post(url, {"name": "Dr Chen", "role": "GP", "email": bad})
        assert _errors(response.get_data(as_text=True)) == [
            "Enter an email address in the correct format, like name@example.com"
        ], bad
    assert (
        browser.post(url, {"name": "Dr Chen", "role": "GP", "email": "chen@nhs.net"}).status_code
        == 302
    )
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError, match="correct format") as exc:
            services.save_professional(child, {"name": "A", "role": "GP", "email": "nope"})
        assert exc.value.field == "email"
        db.session.rollback()
        assert db.session.scalar(select(Professional.email)) == "chen@nhs.net"


def test_case_notes_cannot_be_dated_before_the_child_was_born(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, date_of_birth=dt.date(2015, 3, 27))
    browser = browser_as(user=worker)
    note = {"note_type": "note", "summary": "Old letter", "body": "Found an old letter"}
    response = browser.post(
        f"/casework/children/{child_id}/notes/new",
        {**note, "occurred_on": ["26", "3", "2015"]},
    )
    assert _errors(response.get_data(as_text=True)) == [
        "Date must be on or after the child's date of birth, 27 March 2015"
    ]
    ok = browser.post(
        f"/casework/children/{child_id}/notes/new", {**note, "occurred_on": ["27", "3", "2015"]}
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CaseNote)) == 1


def test_close_and_reopen_ask_for_their_own_reason(app, own_case):
    browser, child_id, *_ = own_case
    base = f"/casework/children/{child_id}"
    close = browser.post(f"{base}/close", {"reason": "  "}).get_data(as_text=True)
    assert _errors(close) == ["Enter the reason for closing the case"]
    assert browser.post(f"{base}/close", {"reason": "Moved away"}).status_code == 302
    reopen = browser.post(f"{base}/reopen", {"reason": ""}).get_data(as_text=True)
    assert _errors(reopen) == ["Enter the reason for reopening the case"]


def test_a_page_beyond_the_last_shows_the_last_page(app, browser_as, make_child, team_and_worker):
    team, worker = team_and_worker
    for i in range(30):
        make_child(team=team, worker=worker, first_name=f"Kid{i:02d}", last_name="Marsden")
    browser = browser_as(user=worker)
    response = browser.get("/casework/search?q=marsden&page=99999", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "30 children found" in html and "No children match" not in html
    assert "Kid29" in html and "Kid00" not in html
    caseload = browser.get("/casework/?page=99999", follow_redirects=True).get_data(as_text=True)
    assert "There are no open cases" not in caseload and "Kid29" in caseload


def test_length_errors_are_in_govuk_style(app, browser_as, team_and_worker):
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    response = browser.post(
        "/casework/children/new",
        child_form(
            team=str(team.id),
            first_name="A" * 101,
            preferred_name="B" * 101,
            school="S" * 201,
            gender="robot",
            ethnicity="XXXX",
            disabilities=["AUT", "WINGS"],
        ),
    )
    assert _errors(response.get_data(as_text=True)) == [
        "First name must be 100 characters or fewer",
        "Preferred name must be 100 characters or fewer",
        "Select the child's gender",
        "Select the child's ethnicity",
        "School or setting must be 200 characters or fewer",
        "Select disabilities from the list",
    ]


# Phrases of WTForms' own messages, which no casework field should show.
_DEFAULTS = re.compile(
    r"Field cannot be longer|Field must be|Not a valid|not a valid choice|Invalid|"
    r"This field is required|could not coerce|Field must be equal",
)


def _hostile(field) -> list[str]:
    kind = field.type
    if kind in ("StringField", "TextAreaField"):
        return ["x" * 30_001]
    if kind in ("SelectField", "RadioField", "SelectMultipleField"):
        return ["not-a-choice"]
    if kind == "GovDateField":
        return ["1", "1", "2015"]
    if kind in ("IntegerField", "WholeNumberField"):
        return ["lots"]
    return ["x"]


# Every casework form, wherever it is defined (casework.forms imports them all).
FORM_CLASSES = [
    getattr(forms, name)
    for name in dir(forms)
    if isinstance(getattr(forms, name), type)
    and issubclass(getattr(forms, name), forms.FlaskForm)
    and getattr(forms, name).__module__.startswith("casework.")
    and getattr(forms, name).__module__.endswith("forms")
]


def test_the_form_list_has_every_form():
    names = {c.__name__ for c in FORM_CLASSES}
    assert {"ChildForm", "CarerForm", "DecisionForm", "RegistrationForm", "CriterionForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda c: c.__name__)
def test_every_casework_field_has_govuk_messages(app, form_class):
    from werkzeug.datastructures import MultiDict

    with app.test_request_context(method="POST"):
        form = form_class(formdata=None, meta={"csrf": False})
        data = MultiDict()
        for field in form:
            if field.type in ("CSRFTokenField", "SubmitField", "HiddenField"):
                continue
            if hasattr(field, "choices") and not field.choices:
                field.choices = forms.choices([("1", "One"), ("2", "Two")])
            for value in _hostile(field):
                data.add(field.name, value)
        form = form_class(formdata=data, meta={"csrf": False})
        for field in form:
            if hasattr(field, "choices") and not field.choices:
                field.choices = forms.choices([("1", "One"), ("2", "Two")])
        form.validate()
        messages = [m for errors in form.errors.values() for m in errors]
        assert messages, f"{form_class.__name__}: hostile input accepted"
        for message in messages:
            assert isinstance(message, str) and not _DEFAULTS.search(message), message
            assert not message.endswith("."), message


# --- Dates bounded by the child's date of birth, or by sense --------------------------------


def _long_date(d: dt.date) -> str:
    return f"{d.day} {d.strftime('%B %Y')}"


def test_the_ehc_plan_cannot_be_dated_before_the_child_was_born(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, date_of_birth=dt.date(2015, 3, 27))
    browser = browser_as(user=worker)
    url = f"/casework/children/{child_id}/edit"
    shown = form_values(browser.get(url).get_data(as_text=True))
    before_birth = {"ehc_plan": "yes", "ehc_plan_date": ["1", "1", "1990"]}
    response = browser.post(url, {**shown, **before_birth})
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [
        "Date of the EHC plan must be on or after the child's date of birth, 27 March 2015"
    ]
    # Against the date of birth on the form, when that is corrected at the same time.
    response = browser.post(
        url,
        {**shown, "date_of_birth": ["1", "4", "2015"], "ehc_plan": "yes",
         "ehc_plan_date": ["31", "3", "2015"]},
    )  # fmt: skip
    assert _errors(response.get_data(as_text=True)) == [
        "Date of the EHC plan must be on or after the child's date of birth, 1 April 2015"
    ]
    future = browser.post(
        url, {**shown, "ehc_plan": "yes", "ehc_plan_date": _parts(TODAY + dt.timedelta(days=1))}
    )
    assert _errors(future.get_data(as_text=True)) == [
        "Date of the EHC plan must be today or in the past"
    ]
    ok = browser.post(url, {**shown, "ehc_plan": "yes", "ehc_plan_date": ["27", "3", "2015"]})
    assert ok.status_code == 302
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert child.ehc_plan_date == dt.date(2015, 3, 27)
        # The service refuses it too, whoever calls it.
        for bad, message in (
            (dt.date(1990, 1, 1), "on or after the child's date of birth, 27 March 2015"),
            (TODAY + dt.timedelta(days=1), "today or in the past"),
        ):
            with pytest.raises(services.CaseworkError, match=message) as exc:
                services.update_child(
                    child,
                    {**CHILD, "ehc_plan": True, "ehc_plan_date": bad},
                    ["AUT"],
                    child.version,
                )
            assert exc.value.field == "ehc_plan_date"
            db.session.rollback()
        assert db.session.get(Child, child_id).ehc_plan_date == dt.date(2015, 3, 27)


def test_a_siblings_date_of_birth_is_no_more_than_60_years_ago(app, own_case):
    browser, child_id, *_ = own_case
    url = f"/casework/children/{child_id}/siblings/new"
    sibling = {"name": "Noah Hollins", "lives_with_child": "yes", "notes": ""}
    earliest = years_ago(60)
    too_old = (
        f"Date of birth must be no more than 60 years ago, {_long_date(earliest)} at the earliest"
    )
    for bad in (["1", "1", "1900"], _parts(earliest - dt.timedelta(days=1))):
        response = browser.post(url, {**sibling, "date_of_birth": bad})
        assert response.status_code == 200, bad
        assert _errors(response.get_data(as_text=True)) == [too_old], bad
    future = browser.post(url, {**sibling, "date_of_birth": _parts(TODAY + dt.timedelta(days=1))})
    assert _errors(future.get_data(as_text=True)) == ["Date of birth must be today or in the past"]
    assert browser.post(url, {**sibling, "date_of_birth": _parts(earliest)}).status_code == 302
    with app.app_context():
        child = db.session.get(Child, child_id)
        (saved,) = services.family_members(child, "sibling")
        assert saved.date_of_birth == earliest
        with pytest.raises(services.CaseworkError, match="no more than 60 years ago") as exc:
            services.save_family_member(
                child, {"kind": "sibling", "name": "Old", "date_of_birth": dt.date(1900, 1, 1)}
            )
        assert exc.value.field == "date_of_birth"
        db.session.rollback()
        # A date saved before the rule (or one that has since passed 60 years) does not stop
        # the rest of the sibling's details being changed.
        saved = services.family_members(child, "sibling")[0]
        saved.date_of_birth = dt.date(1900, 1, 1)
        db.session.commit()
        member_id = saved.id
    edit = f"/casework/children/{child_id}/family/{member_id}/edit"
    shown = form_values(browser.get(edit).get_data(as_text=True))
    response = browser.post(edit, {**shown, "notes": "Young carer"})
    assert response.status_code == 302, _errors(response.get_data(as_text=True))


def test_demo_data_keeps_these_date_rules(app):
    """So a practitioner changing a demo child or sibling is not asked to correct a date the
    demo data made up: EHC plans dated on or after birth, siblings born in the last 60 years."""
    import random

    from casework import demo as casework_demo
    from casework.models import FamilyMember
    from core.demo import load_core
    from providers import demo as providers_demo

    with app.app_context():
        load_core(random.Random("2026:core"))
        providers_demo.load(random.Random("2026:providers"))
        casework_demo.load(random.Random("2026:casework"))
        db.session.flush()
        with_plans = db.session.scalars(select(Child).where(Child.ehc_plan_date.is_not(None))).all()
        assert len(with_plans) > 10
        for child in with_plans:
            services.check_ehc_plan_date(child.ehc_plan_date, child.date_of_birth)
        siblings = db.session.scalars(
            select(FamilyMember).where(
                FamilyMember.kind == "sibling", FamilyMember.date_of_birth.is_not(None)
            )
        ).all()
        assert len(siblings) > 10
        for sibling in siblings:
            services.check_sibling_date_of_birth(sibling.date_of_birth)
