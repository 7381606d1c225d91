"""A second record for the same child: the likely-duplicate warning shows only what the person
may see (and is audited), and an NHS number belongs to one child only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from casework import services
from casework.models import Child
from core.extensions import db
from core.models import AuditEvent, User
from tests.casework.conftest import CHILD, form_values
from tests.casework.test_views import _errors, child_form

NHS = "9434765919"


def _user(u):
    return db.session.get(User, u.id)


def _count():
    return db.session.scalar(select(func.count()).select_from(Child))


@pytest.fixture
def elsewhere(app, make_child, make_team):
    """A child held by another team, with the name, date of birth and NHS number of the
    child_form() the tests post."""
    team = make_team("Eastbrook Disabled Children's Team")
    child_id = make_child(
        team=team,
        first_name="Isla",
        last_name="Fairbairn",
        date_of_birth=dt.date(2014, 7, 4),
        nhs_number=NHS,
        locality="south",
    )
    with app.app_context():
        return db.session.get(Child, child_id).case_number, team


def test_the_warning_shows_another_teams_child_only_as_a_record_held_by_that_team(
    app, browser_as, elsewhere, team_and_worker
):
    case_number, other_team = elsewhere
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    response = browser.post("/casework/children/new", child_form(team=str(team.id)))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="duplicate-warning"' in html
    assert "A record that may be the same child is held by Eastbrook Disabled Children" in html
    section = html.split('id="duplicate-warning"', 1)[1].split("<form", 1)[0]
    for secret in (case_number, "4 July 2014", "Southmere", "Fairbairn", "/casework/children/"):
        assert secret not in section, secret
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "duplicate_check", AuditEvent.user_id == worker.id
            )
        ).all()
        child_id = db.session.scalar(select(Child.id).where(Child.case_number == case_number))
        assert [(r.record_type, r.record_id, r.subject) for r in rows] == [
            ("child", str(child_id), f"child:{child_id}")
        ]
        assert "team only" in rows[0].detail


def test_the_warning_shows_full_details_of_a_child_the_person_may_see(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(
        team=team, first_name="Isla", last_name="Fairbairn", date_of_birth=dt.date(2014, 7, 4)
    )
    browser = browser_as(user=worker)
    html = browser.post("/casework/children/new", child_form(team=str(team.id))).get_data(
        as_text=True
    )
    section = html.split('id="duplicate-warning"', 1)[1].split("<form", 1)[0]
    with app.app_context():
        case_number = db.session.get(Child, child_id).case_number
    assert f'href="/casework/children/{child_id}"' in section
    assert case_number in section and "born 4 July 2014" in section and team.name in section
    with app.app_context():
        detail = db.session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "duplicate_check")
        )
        assert "full details" in detail


def test_an_nhs_number_already_recorded_elsewhere_is_refused_without_naming_the_child(
    app, browser_as, elsewhere, team_and_worker
):
    case_number, _other = elsewhere
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    # Past the warning ("this is a different child"), with a different name: still refused.
    form = child_form(team=str(team.id), first_name="Isobel")
    warned = browser.post("/casework/children/new", form).get_data(as_text=True)
    confirmation = form_values(warned)["confirm_not_duplicate"]
    response = browser.post(
        "/casework/children/new", {**form, "confirm_not_duplicate": confirmation}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _errors(html) == [
        "This NHS number is already recorded for another child. Contact Eastbrook Disabled "
        "Children's Team, who hold the record"
    ]
    assert case_number not in html
    with app.app_context():
        assert _count() == 1
        assert db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "duplicate_check", AuditEvent.user_id == worker.id)
        )


def test_an_nhs_number_of_a_child_the_person_may_see_names_the_case(
    app, make_child, team_and_worker
):
    team, worker = team_and_worker
    first = make_child(team=team, worker=worker, nhs_number=NHS)
    second = make_child(team=team, worker=worker)
    with app.app_context():
        case_number = db.session.get(Child, first).case_number
        with pytest.raises(services.CaseworkError) as exc:
            services.create_child(
                _user(worker), {**CHILD, "nhs_number": "943 476 5919"}, ["AUT"], team=None
            )
        assert exc.value.field == "nhs_number"
        assert str(exc.value) == (
            f"This NHS number is already recorded for Amelia {db.session.get(Child, first).last_name}"
            f", case {case_number}"
        )
        db.session.rollback()
        child = db.session.get(Child, second)
        with pytest.raises(services.CaseworkError, match="already recorded"):
            services.update_child(
                child, {**CHILD, "nhs_number": NHS}, ["AUT"], child.version, by=_user(worker)
            )
        db.session.rollback()
        # Its own number is no clash.
        child = db.session.get(Child, first)
        services.update_child(
            child, {**CHILD, "nhs_number": NHS, "town": "Eastbrook"}, ["AUT"], child.version
        )


def test_two_records_with_one_nhs_number_saved_at_the_same_moment_are_refused_not_a_crash(
    app, make_child, team_and_worker, monkeypatch
):
    """Both passed the look-up before either was saved: the database's unique index refuses
    the second, and the person gets the same message as ever."""
    from casework import children

    team, worker = team_and_worker
    make_child(team=team, worker=worker, nhs_number=NHS)
    real_check = children._check_nhs_unique
    calls = []

    def late_check(*args, **kwargs):
        calls.append(1)
        if len(calls) > 1:  # the look-up after the insert failed sees the other record
            real_check(*args, **kwargs)

    monkeypatch.setattr(children, "_check_nhs_unique", late_check)
    with app.app_context():
        with pytest.raises(services.CaseworkError, match="already recorded for Amelia"):
            services.create_child(_user(worker), {**CHILD, "nhs_number": NHS}, ["AUT"], team=None)
        db.session.rollback()


# --- The warning cannot be stepped round ------------------------------------------------------


def _warned(html: str) -> bool:
    return 'id="duplicate-warning"' in html


@pytest.fixture
def kai(app, make_child, team_and_worker):
    """Kai O'Neill, born 29 May 2014, in the worker's team: (team, worker)."""
    team, worker = team_and_worker
    make_child(
        team=team,
        worker=worker,
        first_name="Kai",
        last_name="O'Neill",
        date_of_birth=dt.date(2014, 5, 29),
    )
    return team, worker


def _kai_form(team, **overrides):
    kai = {
        "first_name": "Kai",
        "last_name": "O'Neill",
        "date_of_birth": ["29", "5", "2014"],
        "nhs_number": "",
    }
    return child_form(team=str(team.id), **{**kai, **overrides})


@pytest.mark.parametrize(
    ("first", "last"),
    [("Kai", "ONeill"), ("kai", "O’Neill"), ("KAI", "O Neill"), ("Kai", "o-neill")],
)
def test_punctuation_case_and_spaces_do_not_hide_a_likely_duplicate(
    app, browser_as, kai, first, last
):
    team, worker = kai
    browser = browser_as(user=worker)
    html = browser.post(
        "/casework/children/new", _kai_form(team, first_name=first, last_name=last)
    ).get_data(as_text=True)
    assert _warned(html)
    with app.app_context():
        assert _count() == 1


def test_find_duplicates_compares_names_as_search_does(app, kai):
    with app.app_context():
        found = services.find_duplicates("Kai", "ONeill", dt.date(2014, 5, 29))
        assert [c.last_name for c in found] == ["O'Neill"]
        assert services.find_duplicates("Kaia", "ONeill", dt.date(2014, 5, 29)) == []


def test_hidden_characters_in_a_name_are_refused_not_a_way_past_the_warning(app, browser_as, kai):
    team, worker = kai
    browser = browser_as(user=worker)
    response = browser.post("/casework/children/new", _kai_form(team, first_name="Kai\u200b"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert _errors(html) == [
        "First name must not contain hidden characters, such as zero-width spaces: "
        "type it again instead of pasting it"
    ]
    with app.app_context():
        assert _count() == 1


def test_confirming_a_different_child_applies_only_to_the_record_warned_about(
    app, browser_as, kai, make_child
):
    team, worker = kai
    make_child(
        team=team,
        worker=worker,
        first_name="Isla",
        last_name="Fairbairn",
        date_of_birth=dt.date(2014, 7, 4),
    )
    browser = browser_as(user=worker)
    warned = browser.post("/casework/children/new", _kai_form(team)).get_data(as_text=True)
    assert _warned(warned)
    confirmation = form_values(warned)["confirm_not_duplicate"]
    assert confirmation and confirmation != "yes"
    # The name and date of birth changed to another existing child's: warned again.
    other = _kai_form(
        team,
        first_name="Isla",
        last_name="Fairbairn",
        date_of_birth=["4", "7", "2014"],
        confirm_not_duplicate=confirmation,
    )
    html = browser.post("/casework/children/new", other).get_data(as_text=True)
    assert _warned(html) and "Isla Fairbairn" in html.split('id="duplicate-warning"', 1)[1]
    # An old-style "yes" is no confirmation of anything.
    html = browser.post(
        "/casework/children/new", _kai_form(team, confirm_not_duplicate="yes")
    ).get_data(as_text=True)
    assert _warned(html)
    with app.app_context():
        assert _count() == 2
    # The very record warned about, confirmed: created.
    done = browser.post(
        "/casework/children/new", _kai_form(team, confirm_not_duplicate=confirmation)
    )
    assert done.status_code == 302
    with app.app_context():
        assert _count() == 3
