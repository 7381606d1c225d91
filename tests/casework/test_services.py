"""The rules of casework, at the service level (no HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import due, eligibility, search, services, timeline
from casework.models import Child, EligibilityDecision
from core.extensions import db
from core.models import AuditEvent, User
from core.roles import Role
from tests.casework.conftest import CHILD, years_ago

TODAY = dt.date.today()


def _user(u):
    return db.session.get(User, u.id)


# --- Validation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("sw1a1aa", "SW1A 1AA"), ("NN1 1AA", "NN1 1AA"), (" m1  1ae ", "M1 1AE"), ("", "")],
)
def test_postcodes_are_normalised(raw, expected):
    assert services.normalise_postcode(raw) == expected


@pytest.mark.parametrize("raw", ["NOTAPOSTCODE", "12345", "SW1A", "QQ1 1AA", "NN1 1AAA"])
def test_bad_postcodes_are_refused(raw):
    with pytest.raises(services.CaseworkError) as exc:
        services.normalise_postcode(raw)
    assert exc.value.field == "postcode"


def test_nhs_number_checksum():
    assert services.normalise_nhs_number("943 476 5919") == "9434765919"
    assert services.normalise_nhs_number("") is None
    with pytest.raises(services.CaseworkError, match="valid NHS number"):
        services.normalise_nhs_number("9434765918")
    with pytest.raises(services.CaseworkError, match="10 digits"):
        services.normalise_nhs_number("12345")


def test_date_of_birth_rules():
    services.check_date_of_birth(TODAY)
    with pytest.raises(services.CaseworkError, match="today or in the past"):
        services.check_date_of_birth(TODAY + dt.timedelta(days=1))
    with pytest.raises(services.CaseworkError, match="25 or under"):
        services.check_date_of_birth(years_ago(27))


def test_working_days_skip_weekends_and_english_bank_holidays():
    # Friday 19 December 2025 + 3 working days: skips the weekend, Christmas Day and Boxing Day.
    assert services.add_working_days(dt.date(2025, 12, 19), 3) == dt.date(2025, 12, 24)
    assert services.add_working_days(dt.date(2025, 12, 19), 4) == dt.date(2025, 12, 29)
    # 45 working days from Monday 6 January 2025 (no bank holidays in between).
    assert services.add_working_days(dt.date(2025, 1, 6), 45) == dt.date(2025, 3, 10)


# --- Children -------------------------------------------------------------------------------


def test_new_children_get_unique_case_numbers_and_allocation(app, team_and_worker):
    team, worker = team_and_worker
    with app.app_context():
        by = _user(worker)
        a = services.create_child(by, dict(CHILD), ["AUT"], team=by.teams[0], worker=by)
        b = services.create_child(
            by, {**CHILD, "first_name": "Oscar"}, ["LD", "COMM"], team=by.teams[0]
        )
        assert a.case_number != b.case_number
        assert a.case_number == f"C{a.id:06d}"
        assert a.allocated_worker_id == worker.id and a.allocated_team_id == team.id
        assert b.allocated_worker_id is None
        assert b.disability_codes == ["COMM", "LD"]
        assert a.status == "open"


def test_no_disability_must_stand_alone(app, team_and_worker):
    _team, worker = team_and_worker
    with app.app_context():
        with pytest.raises(services.CaseworkError) as exc:
            services.create_child(_user(worker), dict(CHILD), ["NONE", "AUT"])
        assert exc.value.field == "disabilities"
        assert db.session.scalar(select(Child).where(Child.last_name == "Hollins")) is None


def test_duplicates_are_found_by_name_and_date_of_birth_whatever_the_case(app, make_child):
    make_child(first_name="Amelia", last_name="Marsden")
    with app.app_context():
        found = services.find_duplicates("amelia", "MARSDEN ", CHILD["date_of_birth"])
        assert [c.last_name for c in found] == ["Marsden"]
        assert services.find_duplicates("Amelia", "Marsden", dt.date(2016, 1, 1)) == []


def test_a_known_nhs_number_is_a_likely_duplicate(app, make_child):
    make_child(first_name="Amelia", last_name="Marsden", nhs_number="9434765919")
    with app.app_context():
        other = dt.date(2016, 1, 1)
        found = services.find_duplicates("Millie", "Smith", other, "943 476 5919")
        assert [c.last_name for c in found] == ["Marsden"]
        assert services.find_duplicates("Millie", "Smith", other, "not a number") == []


def test_second_edit_with_an_old_version_is_refused(app, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        seen = child.version
        services.update_child(child, {**CHILD, "first_name": "Amy"}, ["AUT"], seen)
        db.session.commit()
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError, match="Someone else changed"):
            services.update_child(child, {**CHILD, "first_name": "Millie"}, ["AUT"], seen)
        db.session.rollback()
        assert db.session.get(Child, child_id).first_name == "Amy"


def test_changes_to_a_child_are_audited(app, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        services.update_child(child, {**CHILD, "postcode": "M1 1AE"}, ["AUT"], child.version)
        db.session.commit()
        rows = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "child", AuditEvent.record_id == str(child_id)
            )
        ).all()
        assert [r.action for r in rows] == ["create", "update"]
        assert rows[1].changes["postcode"] == ["NN1 1AA", "M1 1AE"]


# --- Referral, eligibility ------------------------------------------------------------------


def test_referral_after_the_25th_birthday_is_refused(app, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        # Recorded years ago; the young person is now 26.
        child.date_of_birth = years_ago(26) - dt.timedelta(days=10)
        data = {"received_on": TODAY, "source": "parent", "reason": "Needs support"}
        with pytest.raises(services.CaseworkError, match="over 25") as exc:
            services.add_referral(child, _user(worker), data)
        assert exc.value.field == "received_on"
        earlier = {**data, "received_on": TODAY - dt.timedelta(days=30)}  # aged 25 then
        services.add_referral(child, _user(worker), earlier)
        assert child.next_due_kind == "Assessment due"
        assert child.next_due_on == services.add_working_days(earlier["received_on"], 45)


def _decide(child, user, tier, ids, **kw):
    return services.record_decision(
        child,
        user,
        tier=tier,
        criterion_ids=ids,
        rationale=kw.get("rationale", "Meets the criteria"),
        decided_on=kw.get("decided_on", TODAY),
        review_date=kw.get("review_date", TODAY + dt.timedelta(days=365)),
    )


def test_specialist_without_an_authorised_assessment_is_pending(
    app, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        d = _decide(child, _user(worker), "specialist", crit["specialist"][:1])
        assert d.tier == "pending_assessment" and d.requested_tier == "specialist"
        assert child.current_tier == "pending_assessment"
        assert child.next_due_kind == "Assessment due"


def test_specialist_with_an_authorised_assessment_is_specialist(
    app, make_child, make_criteria, team_and_worker, monkeypatch
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    monkeypatch.setattr(eligibility, "_authorised_assessment_check", lambda cid: cid == child_id)
    with app.app_context():
        child = db.session.get(Child, child_id)
        d = _decide(child, _user(worker), "specialist", crit["specialist"])
        assert d.tier == "specialist"
        assert [c.text for c in d.criteria] == ["specialist criterion 1", "specialist criterion 2"]


def test_earlier_decisions_stay_as_history(app, make_child, make_criteria, team_and_worker):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        _decide(
            child,
            _user(worker),
            "not_eligible",
            [],
            review_date=None,
            decided_on=TODAY - dt.timedelta(days=100),
        )
        _decide(child, _user(worker), "targeted", crit["targeted"][:1])
        db.session.commit()
        rows = services.decisions(child)
        assert [(d.tier, d.is_current) for d in rows] == [
            ("targeted", True),
            ("not_eligible", False),
        ]
        assert services.current_decision(child).tier == "targeted"
        assert child.current_tier == "targeted"
        assert child.next_due_on == TODAY + dt.timedelta(days=365)


@pytest.mark.parametrize(
    ("tier", "which", "review", "field"),
    [
        ("targeted", [], 365, "criteria"),
        ("targeted", "specialist", 365, "criteria"),
        ("targeted", "targeted", None, "review_date"),
        ("targeted", "targeted", -1, "review_date"),
        ("maybe", "targeted", 365, "tier"),
    ],
)
def test_decision_rules(
    app, make_child, make_criteria, team_and_worker, tier, which, review, field
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    ids = crit[which] if which else []
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError) as exc:
            _decide(
                child,
                _user(worker),
                tier,
                ids,
                review_date=TODAY + dt.timedelta(days=review) if review is not None else None,
            )
        assert exc.value.field == field
        assert db.session.scalar(select(EligibilityDecision)) is None
        assert child.current_tier is None


def test_closed_case_is_read_only_until_reopened(app, make_child, make_criteria, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child, user = db.session.get(Child, child_id), _user(worker)
        with pytest.raises(services.CaseworkError, match="reason"):
            services.close_case(child, user, "  ")
        services.close_case(child, user, "Moved out of the county")
        note = {"occurred_on": TODAY, "note_type": "note", "summary": "x", "body": "y"}
        with pytest.raises(services.CaseworkError, match="closed"):
            services.add_note(child, user, note)
        with pytest.raises(services.CaseworkError, match="closed"):
            services.update_child(child, dict(CHILD), ["AUT"], child.version)
        services.reopen_case(child, user, "Moved back")
        services.add_note(child, user, note)
        kinds = [e.kind for e in timeline.timeline(child)]
        assert "Case closed" in kinds and "Case reopened" in kinds and "Note" in kinds


def test_targeted_registration_needs_an_eligibility_decision(
    app, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    data = {"activity": "Sailing club", "from_date": TODAY, "to_date": TODAY - dt.timedelta(1)}
    with app.app_context():
        child, user = db.session.get(Child, child_id), _user(worker)
        with pytest.raises(services.CaseworkError, match="To must be the same as or after From"):
            services.add_registration(child, user, data)
        with pytest.raises(services.CaseworkError, match="eligibility decision"):
            services.add_registration(child, user, {**data, "to_date": None})
        _decide(child, user, "targeted", crit["targeted"][:1])
        reg = services.add_registration(child, user, {**data, "to_date": None})
        assert reg.to_date is None
        # Ending it later.
        services.save_registration(
            child, user, {**data, "to_date": TODAY}, reg, expected_version=reg.version
        )
        assert reg.to_date == TODAY and len(services.registrations(child)) == 1


def test_timeline_merges_sources_newest_first(app, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    extra = timeline.TimelineEntry(TODAY - dt.timedelta(days=3), "Payment", "Payment made")
    with app.app_context():
        child, user = db.session.get(Child, child_id), _user(worker)
        for days, summary, significant in ((10, "Old visit", False), (1, "New visit", True)):
            services.add_note(
                child,
                user,
                {
                    "occurred_on": TODAY - dt.timedelta(days=days),
                    "note_type": "visit",
                    "summary": summary,
                    "body": "Saw the family",
                    "significant": significant,
                },
            )
        timeline.register_timeline_source(lambda c: [extra] if c.id == child_id else [])
        try:
            titles = [e.title for e in timeline.timeline(child)]
            assert titles == [
                "Allocated to " + user.name + ", " + team.name,
                "New visit",
                "Payment made",
                "Old visit",
            ]
            assert [e.title for e in timeline.timeline(child, significant_only=True)] == [
                "New visit"
            ]
        finally:
            timeline._TIMELINE_SOURCES.clear()


# --- Access, search, caseload ---------------------------------------------------------------


def test_who_may_see_a_child(app, make_child, make_team, make_user):
    north, south = make_team(), make_team()
    mine = make_user(Role.PRACTITIONER, teams=[north])
    colleague = make_user(Role.PRACTITIONER, teams=[north])
    outsider = make_user(Role.PRACTITIONER, teams=[south])
    manager = make_user(Role.TEAM_MANAGER, teams=[north])
    other_manager = make_user(Role.TEAM_MANAGER, teams=[south])
    admin = make_user(Role.ADMINISTRATOR, Role.FINANCE_OFFICER, Role.COMMISSIONER)
    child_id = make_child(team=north, worker=mine)
    with app.app_context():
        child = db.session.get(Child, child_id)
        seen = {
            u: services.child_visible_to(_user(u), child)
            for u in (mine, colleague, outsider, manager, other_manager, admin)
        }
        assert seen == {
            mine: True,
            colleague: True,
            outsider: False,
            manager: True,
            other_manager: False,
            admin: False,
        }
        for u, expected in seen.items():
            found = db.session.scalars(
                search.search_statement(_user(u), search.SearchCriteria())
            ).all()
            assert (child in found) == expected


def _search(user, **kw):
    return [
        c.last_name
        for c in db.session.scalars(
            search.search_statement(_user(user), search.SearchCriteria(**kw))
        )
    ]


def test_free_text_search(app, make_child, team_and_worker):
    team, worker = team_and_worker
    a = make_child(
        team=team,
        worker=worker,
        first_name="Noah",
        last_name="Pennington",
        nhs_number="943 476 5919",
        date_of_birth=dt.date(2012, 5, 4),
    )
    make_child(
        team=team,
        worker=worker,
        first_name="Penny",
        last_name="Lowther",
        date_of_birth=dt.date(2019, 1, 2),
    )
    make_child(team=team, worker=worker, first_name="Mia", last_name="O'Neill_%")
    with app.app_context():
        case_number = db.session.get(Child, a).case_number
        assert _search(worker, q="penni") == ["Pennington"]
        assert sorted(_search(worker, q="pen")) == ["Lowther", "Pennington"]
        assert _search(worker, q="noah penn") == ["Pennington"]
        assert _search(worker, q="Pennington, Noah") == ["Pennington"]
        assert _search(worker, q=case_number.lower()) == ["Pennington"]
        assert _search(worker, q="9434765919") == ["Pennington"]
        assert _search(worker, q="4/5/2012") == ["Pennington"]
        assert _search(worker, q="4 May 2012") == ["Pennington"]
        assert _search(worker, q="o'neill_") == ["O'Neill_%"]
        assert _search(worker, q="o%") == ["O'Neill_%"]  # punctuation is ignored, % too
        assert _search(worker, q="%") == []  # not a wildcard: nothing to search by


def test_filters_and_sorting(app, make_child, make_criteria, team_and_worker):
    team, worker = team_and_worker
    crit = make_criteria()
    young = make_child(
        team=team,
        worker=worker,
        last_name="Young",
        date_of_birth=years_ago(3),
        disabilities=["HEAR"],
    )
    make_child(
        team=team,
        worker=worker,
        last_name="Middle",
        locality="south",
        date_of_birth=years_ago(11) - dt.timedelta(days=1),
    )
    make_child(
        team=team,
        worker=worker,
        last_name="Adult",
        date_of_birth=years_ago(20),
    )
    with app.app_context():
        child = db.session.get(Child, young)
        _decide(child, _user(worker), "targeted", crit["targeted"][:1])
        db.session.commit()
        assert _search(worker, age_band="0-4") == ["Young"]
        assert _search(worker, age_band="11-15") == ["Middle"]
        assert _search(worker, age_band="18-25") == ["Adult"]
        assert _search(worker, locality="south") == ["Middle"]
        assert _search(worker, disability="HEAR") == ["Young"]
        assert _search(worker, tier="targeted") == ["Young"]
        assert sorted(_search(worker, tier="none")) == ["Adult", "Middle"]
        assert _search(worker, sort="dob") == ["Adult", "Middle", "Young"]
        assert _search(worker, sort="name", direction="desc") == ["Young", "Middle", "Adult"]
        services.close_case(child, _user(worker), "Done")
        db.session.commit()
        assert _search(worker, status="closed") == ["Young"]
        assert "Young" in _search(worker)  # closed cases can still be found


def test_caseload_lists_open_cases_soonest_due_first(
    app, make_child, make_criteria, make_user, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    other = make_user(Role.PRACTITIONER, teams=[team])
    later = make_child(team=team, worker=worker, last_name="Later")
    sooner = make_child(team=team, worker=worker, last_name="Sooner")
    make_child(team=team, worker=worker, last_name="Nothing")
    closed = make_child(team=team, worker=worker, last_name="Closed")
    make_child(team=team, worker=other, last_name="Colleague")
    with app.app_context():
        user = _user(worker)
        for cid, days in ((later, 200), (sooner, 20)):
            _decide(
                db.session.get(Child, cid),
                user,
                "targeted",
                crit["targeted"][:1],
                review_date=TODAY + dt.timedelta(days=days),
            )
        services.close_case(db.session.get(Child, closed), user, "Done")
        db.session.commit()
        rows, figures = search.caseload_page(user, "mine", 1, 25)
        assert [r.last_name for r in rows] == ["Sooner", "Later", "Nothing"]
        assert figures == {"total": 3, "overdue": 0, "unallocated": 0}
        team_rows, team_figures = search.caseload_page(user, "team", 1, 25)
        assert "Colleague" in [r.last_name for r in team_rows]
        assert {r.last_name: r.allocated_worker_name for r in team_rows}["Colleague"] == other.name
        assert team_figures["total"] == 4
        # Page by page, and past the end, the figures still count the whole caseload.
        first, _ = search.caseload_page(user, "mine", 1, 2)
        second, _ = search.caseload_page(user, "mine", 2, 2)
        beyond, beyond_figures = search.caseload_page(user, "mine", 9, 2)
        assert [r.last_name for r in first + second] == ["Sooner", "Later", "Nothing"]
        assert beyond == [] and beyond_figures["total"] == 3
        db.session.get(Child, sooner).next_due_on = TODAY - dt.timedelta(days=1)
        db.session.commit()
        assert search.caseload_page(user, "mine", 1, 25)[1]["overdue"] == 1


def test_only_team_managers_allocate(app, make_child, make_user, team_and_worker):
    team, worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    colleague = make_user(Role.PRACTITIONER, teams=[team])
    child_id = make_child(team=team)
    with app.app_context():
        child = db.session.get(Child, child_id)
        t = _user(worker).teams[0]
        with pytest.raises(services.CaseworkError, match="team manager"):
            services.allocate(child, _user(worker), t, _user(worker))
        services.allocate(child, _user(manager), t, _user(colleague))
        assert child.allocated_worker_id == colleague.id
        history = services.allocations(child)
        assert history[0].worker_id == colleague.id and history[0].ended_at is None
        assert history[1].ended_at is not None


def test_pending_specialist_becomes_specialist_when_the_assessment_is_authorised(
    app, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child, user = db.session.get(Child, child_id), _user(worker)
        with pytest.raises(services.CaseworkError, match="no specialist decision waiting"):
            services.confirm_specialist(child, user, TODAY)
        _decide(
            child,
            user,
            "specialist",
            crit["specialist"][:1],
            decided_on=TODAY - dt.timedelta(days=30),
        )
        final = services.confirm_specialist(child, user, TODAY)
        assert final.tier == "specialist" and child.current_tier == "specialist"
        assert [c.text for c in final.criteria] == ["specialist criterion 1"]
        assert [d.tier for d in services.decisions(child)] == ["specialist", "pending_assessment"]
        assert child.next_due_kind == "Eligibility review"


def test_other_packages_can_add_what_is_due(app, make_child, team_and_worker, monkeypatch):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    soon = TODAY + dt.timedelta(days=3)
    monkeypatch.setattr(due, "_DUE_SOURCES", [])
    services.register_due_source(lambda c: [(soon, "Direct payment review")])
    with app.app_context():
        child = db.session.get(Child, child_id)
        assert child.next_due_on is None
        services.refresh_next_due(child)
        assert (child.next_due_on, child.next_due_kind) == (soon, "Direct payment review")
