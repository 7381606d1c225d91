"""Eligibility decisions: the current one is the latest by decision date (a backdated decision
goes into the history), and the form reveals each tier's criteria under its answer (all shown,
with headings, without JavaScript), with today's date filled in."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from casework import services
from casework.models import Child, EligibilityDecision
from core.extensions import db
from core.models import User
from tests.casework.conftest import form_values
from tests.casework.test_views import _errors, child_form

TODAY = dt.date.today()


def _user(u):
    return db.session.get(User, u.id)


def _parts(d: dt.date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _decide(child, user, tier, ids, decided_on, review_date=None):
    return services.record_decision(
        child,
        user,
        tier=tier,
        criterion_ids=ids,
        rationale="Reasons",
        decided_on=decided_on,
        review_date=review_date,
    )


@pytest.fixture
def decided(app, make_child, make_criteria, team_and_worker):
    """A child whose current decision is targeted, made 10 days ago with a review in 355 days:
    (child_id, worker, criteria)."""
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        _decide(
            child,
            _user(worker),
            "targeted",
            crit["targeted"][:1],
            TODAY - dt.timedelta(days=10),
            TODAY + dt.timedelta(days=355),
        )
        db.session.commit()
    return child_id, worker, crit


def test_a_backdated_decision_goes_into_the_history_not_in_place_of_the_current_one(app, decided):
    child_id, worker, _crit = decided
    with app.app_context():
        child = db.session.get(Child, child_id)
        old = _decide(child, _user(worker), "not_eligible", [], TODAY - dt.timedelta(days=400))
        db.session.commit()
        assert not old.is_current
        current = services.current_decision(child)
        assert current.tier == "targeted" and current.decided_on == TODAY - dt.timedelta(days=10)
        assert child.current_tier == "targeted"
        assert (child.next_due_kind, child.next_due_on) == (
            "Eligibility review",
            TODAY + dt.timedelta(days=355),
        )
        # The history reads newest decision first, the backdated one in its place.
        assert [d.tier for d in services.decisions(child)] == ["targeted", "not_eligible"]
        assert (
            db.session.scalar(
                select(db.func.count())
                .select_from(EligibilityDecision)
                .where(EligibilityDecision.child_id == child_id, EligibilityDecision.is_current)
            )
            == 1
        )


def test_a_decision_of_the_same_date_replaces_the_current_one(app, decided):
    child_id, worker, _crit = decided
    with app.app_context():
        child = db.session.get(Child, child_id)
        later = _decide(child, _user(worker), "not_eligible", [], TODAY - dt.timedelta(days=10))
        db.session.commit()
        assert later.is_current and child.current_tier == "not_eligible"
        assert child.next_due_on is None and child.next_due_kind == ""


def test_a_newer_decision_replaces_the_current_one_and_next_due_follows(app, decided):
    child_id, worker, crit = decided
    with app.app_context():
        child = db.session.get(Child, child_id)
        _decide(
            child,
            _user(worker),
            "targeted",
            crit["targeted"],
            TODAY,
            TODAY + dt.timedelta(days=100),
        )
        db.session.commit()
        assert services.current_decision(child).decided_on == TODAY
        assert child.next_due_on == TODAY + dt.timedelta(days=100)


def test_the_page_says_a_backdated_decision_went_into_the_history(app, browser_as, decided):
    child_id, worker, _crit = decided
    browser = browser_as(user=worker)
    response = browser.post(
        f"/casework/children/{child_id}/eligibility/new",
        {
            "tier": "not_eligible",
            "rationale": "An earlier decision found on paper",
            "decided_on": ["1", "1", str(TODAY.year - 2)],
        },
    )
    assert response.status_code == 302
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    current = (TODAY - dt.timedelta(days=10)).strftime("%-d %B %Y")
    assert (
        "Decision recorded in the history: Not eligible. It is dated before the current "
        f"decision (Targeted, {current}), which stays current." in html
    )
    assert "Eligibility review" in html


# --- The form -------------------------------------------------------------------------------


def test_each_tiers_criteria_are_revealed_under_its_answer(
    app, browser_as, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    make_criteria()
    child_id = make_child(team=team, worker=worker)
    browser = browser_as(user=worker)
    html = browser.get(f"/casework/children/{child_id}/eligibility/new").get_data(as_text=True)
    # Targeted is the first answer, specialist the second; not eligible reveals nothing.
    assert 'data-app-reveals="conditional-tier"' in html
    assert 'data-app-reveals="conditional-tier-2"' in html
    assert 'data-app-reveals="conditional-tier-3"' not in html
    targeted = html.split('id="conditional-tier"', 1)[1].split('id="conditional-tier-2"', 1)[0]
    specialist = html.split('id="conditional-tier-2"', 1)[1].split('name="rationale"', 1)[0]
    assert "Criteria met for targeted short breaks" in targeted
    assert "targeted criterion 1" in targeted and "specialist criterion" not in targeted
    assert "Criteria met for specialist short breaks" in specialist
    assert "specialist criterion 2" in specialist and "targeted criterion" not in specialist
    # Without JavaScript every group shows: the hidden class only applies once GOV.UK
    # Frontend has started.
    assert "govuk-radios__conditional--hidden" in html
    values = form_values(html)
    assert values["decided_on"] == TODAY.strftime("%d %m %Y").split()


def test_only_the_criteria_of_the_tier_decided_count(app, make_criteria, own_case):
    crit = make_criteria()
    browser, child_id, *_ = own_case
    url = f"/casework/children/{child_id}/eligibility/new"
    base = {
        "tier": "targeted",
        "rationale": "Meets targeted criteria",
        "decided_on": _parts(TODAY),
        "review_date": _parts(TODAY + dt.timedelta(days=365)),
    }
    # Specialist ones ticked (they were visible, or ticked before changing the answer) and
    # none of the tier decided: asked for the tier's own.
    bad = browser.post(url, {**base, "specialist_criteria": [str(crit["specialist"][0])]})
    assert _errors(bad.get_data(as_text=True)) == [
        "Select the criteria the child meets for targeted short breaks"
    ]
    ok = browser.post(
        url,
        {
            **base,
            "targeted_criteria": [str(crit["targeted"][1])],
            "specialist_criteria": [str(i) for i in crit["specialist"]],
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        decision = services.current_decision(db.session.get(Child, child_id))
        assert [c.text for c in decision.criteria] == ["targeted criterion 2"]
    # Not eligible: whatever is ticked is left out.
    ok = browser.post(
        url,
        {
            **base,
            "tier": "not_eligible",
            "review_date": ["", "", ""],
            "targeted_criteria": [str(crit["targeted"][0])],
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        decision = services.current_decision(db.session.get(Child, child_id))
        assert decision.tier == "not_eligible" and decision.criteria == []


def test_a_specialist_decision_without_criteria_is_asked_for_them(
    app, browser_as, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    make_criteria()
    child_id = make_child(team=team, worker=worker)
    browser = browser_as(user=worker)
    bad = browser.post(
        f"/casework/children/{child_id}/eligibility/new",
        {
            "tier": "specialist",
            "rationale": "Needs have grown",
            "decided_on": _parts(TODAY),
            "review_date": _parts(TODAY + dt.timedelta(days=365)),
        },
    )
    html = bad.get_data(as_text=True)
    assert _errors(html) == ["Select the criteria the child meets for specialist short breaks"]
    assert 'href="#specialist_criteria"' in html


def test_the_case_note_date_is_today_to_start_with(app, own_case):
    browser, child_id, *_ = own_case
    html = browser.get(f"/casework/children/{child_id}/notes/new").get_data(as_text=True)
    assert form_values(html)["occurred_on"] == TODAY.strftime("%d %m %Y").split()


def test_the_ehc_plan_date_is_revealed_under_yes(app, browser_as, team_and_worker):
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    html = browser.get("/casework/children/new").get_data(as_text=True)
    assert 'data-app-reveals="conditional-ehc_plan"' in html
    revealed = html.split('id="conditional-ehc_plan"', 1)[1].split("</fieldset>", 1)[0]
    assert 'name="ehc_plan_date-day"' in revealed or 'id="ehc_plan_date"' in revealed
    # Answered "No": whatever is in the date (shown without JavaScript) is left out.
    response = browser.post(
        "/casework/children/new",
        child_form(team=str(team.id), ehc_plan="no", ehc_plan_date=["31", "2", "20"]),
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        child = db.session.scalar(select(Child))
        assert not child.ehc_plan and child.ehc_plan_date is None
    # Answered "Yes": the date is needed, and checked.
    response = browser.post(
        "/casework/children/new",
        child_form(team=str(team.id), first_name="Ola", ehc_plan="yes", ehc_plan_date=["", "", ""]),
    )
    assert _errors(response.get_data(as_text=True)) == ["Enter the date of the EHC plan"]
    assert re.search(r'class="govuk-radios"', response.get_data(as_text=True))


def test_the_review_date_is_no_more_than_3_years_after_the_decision(app, make_criteria, own_case):
    crit = make_criteria()
    browser, child_id, worker, *_ = own_case
    url = f"/casework/children/{child_id}/eligibility/new"
    decided_on, latest = dt.date(2025, 6, 2), dt.date(2028, 6, 2)
    base = {
        "tier": "targeted",
        "targeted_criteria": [str(crit["targeted"][0])],
        "rationale": "Meets targeted criteria",
        "decided_on": _parts(decided_on),
    }
    too_late = (
        "Review date must be no more than 3 years after the date of the decision, "
        "2 June 2028 at the latest"
    )
    for tier, review in (
        ("targeted", ["1", "1", "2126"]),
        ("targeted", _parts(latest + dt.timedelta(days=1))),
        ("not_eligible", ["1", "1", "2126"]),
    ):
        response = browser.post(url, {**base, "tier": tier, "review_date": review})
        assert response.status_code == 200, review
        assert _errors(response.get_data(as_text=True)) == [too_late], review
    before = browser.post(url, {**base, "review_date": _parts(decided_on)})
    assert _errors(before.get_data(as_text=True)) == [
        "Review date must be after the date of the decision"
    ]
    with app.app_context():
        assert services.decisions(db.session.get(Child, child_id)) == []
    assert browser.post(url, {**base, "review_date": _parts(latest)}).status_code == 302
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert services.current_decision(child).review_date == latest
        with pytest.raises(services.CaseworkError, match="no more than 3 years") as exc:
            _decide(child, _user(worker), "not_eligible", [], decided_on, dt.date(2126, 1, 1))
        assert exc.value.field == "review_date"
