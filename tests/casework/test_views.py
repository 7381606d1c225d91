"""Request tests of the casework pages: what a practitioner or manager sees and can do."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from sqlalchemy import func, select

from casework import services
from casework.models import CaseNote, Child, EligibilityDecision, FamilyMember, Referral
from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from tests.casework.conftest import form_values, years_ago

TODAY = dt.date.today()


def _parts(d: dt.date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def child_form(**overrides) -> dict:
    data = {
        "first_name": "Isla",
        "last_name": "Fairbairn",
        "preferred_name": "",
        "date_of_birth": ["4", "7", "2014"],
        "gender": "female",
        "ethnicity": "WBRI",
        "first_language": "English",
        "nhs_number": "943 476 5919",
        "address_line_1": "3 Orchard Close",
        "address_line_2": "",
        "town": "Northbrook",
        "postcode": "nn1 1aa",
        "locality": "north",
        "school": "Fenside Special School",
        "ehc_plan": "yes",
        "ehc_plan_date": ["1", "9", "2022"],
        "disability_register": "yes",
        "disabilities": ["AUT", "COMM"],
        "communication_needs": "Uses Makaton",
        "health_needs": "",
        "consent_to_share": "yes",
    }
    data.update(overrides)
    return data


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _errors(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", e)).strip()
        for e in re.findall(r"<a [^>]*>(.*?)</a>", summary)
    ]


def test_casework_index_is_my_caseload(app, browser_as, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, first_name="Rosie", last_name="Varley")
    with app.app_context():
        child = db.session.get(Child, child_id)
        child.next_due_on, child.next_due_kind = TODAY - dt.timedelta(days=3), "Eligibility review"
        db.session.commit()
    browser = browser_as(user=worker)
    html = browser.get("/casework/").get_data(as_text=True)
    assert "<title>My caseload" in html
    assert "Rosie Varley" in html
    assert "1 open case, " in html and "1 overdue" in html
    assert "Overdue" in html and "Eligibility review" in html


def test_team_manager_sees_the_team_caseload(
    app, browser_as, make_child, make_user, team_and_worker
):
    team, worker = team_and_worker
    make_child(team=team, worker=worker, first_name="Kai", last_name="Rowntree")
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    make_child(team=team, first_name="Una", last_name="Held")
    html = browser_as(user=manager).get("/casework/").get_data(as_text=True)
    assert "<title>Team caseload" in html
    assert "Kai Rowntree" in html and worker.name in html
    assert "1 open case not allocated to a person" in html
    assert '<td class="govuk-table__cell">Not allocated to a person</td>' in html  # Una's row


def test_record_a_new_child(app, browser_as, team_and_worker):
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    response = browser.post("/casework/children/new", child_form(team=str(team.id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        child = db.session.scalar(select(Child).where(Child.last_name == "Fairbairn"))
        assert child.case_number in page
        assert f"recorded with case number {child.case_number}" in page
        assert child.postcode == "NN1 1AA" and child.nhs_number == "9434765919"
        assert child.ehc_plan_date == dt.date(2022, 9, 1)
        assert child.disability_codes == ["AUT", "COMM"]
        assert child.allocated_worker_id == worker.id and child.allocated_team_id == team.id
        assert "943 476 5919" in page and "Autistic spectrum disorder, Communication" in page


def test_bad_input_gets_a_message_per_field_and_saves_nothing(app, browser_as, team_and_worker):
    _team, worker = team_and_worker
    browser = browser_as(user=worker)
    tomorrow = TODAY + dt.timedelta(days=1)
    response = browser.post(
        "/casework/children/new",
        child_form(
            first_name="",
            date_of_birth=_parts(tomorrow),
            nhs_number="9434765918",
            postcode="NOT A POSTCODE",
            locality="",
            disabilities=[],
            ehc_plan_date=["", "", ""],
        ),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Record a child" in html
    assert _errors(html) == [
        "Enter the child's first name",
        "Date of birth must be today or in the past",
        "Enter a valid NHS number: check it has been typed correctly",
        "Enter a real postcode, like NN1 1AA",
        "Select the locality",
        "Enter the date of the EHC plan",
        "Select at least one disability category",
        "Select the team that will hold the case",
    ]
    with app.app_context():
        assert _count(Child) == 0


def test_over_25_and_impossible_dates_are_refused(app, browser_as, team_and_worker):
    _team, worker = team_and_worker
    browser = browser_as(user=worker)
    old = years_ago(26)
    html = browser.post("/casework/children/new", child_form(date_of_birth=_parts(old))).get_data(
        as_text=True
    )
    assert "aged 25 or under" in html
    html = browser.post(
        "/casework/children/new", child_form(date_of_birth=["31", "2", "2015"])
    ).get_data(as_text=True)
    assert "Date of birth must be a real date" in html
    with app.app_context():
        assert _count(Child) == 0


def test_likely_duplicate_is_shown_before_a_second_record(
    app, browser_as, make_child, make_team, team_and_worker
):
    team, worker = team_and_worker
    elsewhere = make_team()
    make_child(
        team=elsewhere, first_name="Isla", last_name="Fairbairn", date_of_birth=dt.date(2014, 7, 4)
    )
    browser = browser_as(user=worker)
    html = browser.post("/casework/children/new", child_form(team=str(team.id))).get_data(
        as_text=True
    )
    assert "There may already be a record for this child" in html
    assert elsewhere.name in html
    confirmation = form_values(html)["confirm_not_duplicate"]
    assert confirmation  # what was warned about, so the confirmation is for this record only
    with app.app_context():
        assert _count(Child) == 1
    response = browser.post(
        "/casework/children/new",
        child_form(confirm_not_duplicate=confirmation, team=str(team.id)),
    )
    assert response.status_code == 302
    with app.app_context():
        assert _count(Child) == 2


def test_view_of_a_child_is_audited(app, own_case):
    browser, child_id, worker, *_ = own_case
    assert browser.get(f"/casework/children/{child_id}").status_code == 200
    assert browser.get(f"/casework/children/{child_id}/timeline").status_code == 200
    with app.app_context():
        views = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "view",
                AuditEvent.record_type == "child",
                AuditEvent.record_id == str(child_id),
            )
        ).all()
        assert len(views) == 2 and {v.user_id for v in views} == {worker.id}


def test_second_save_of_the_same_record_is_refused(
    app, browser_as, make_child, make_user, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, first_name="Ava", last_name="Jessop")
    colleague = make_user(Role.PRACTITIONER, teams=[team])
    first, second = browser_as(user=worker), browser_as(user=colleague)
    page = first.get(f"/casework/children/{child_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    second.get(f"/casework/children/{child_id}/edit")
    base = child_form(first_name="Ava", last_name="Jessop", nhs_number="", version=version)
    ok = first.post(f"/casework/children/{child_id}/edit", {**base, "school": "Ashby Academy"})
    assert ok.status_code == 302
    late = second.post(f"/casework/children/{child_id}/edit", {**base, "school": "Other School"})
    html = late.get_data(as_text=True)
    assert late.status_code == 200
    assert "Someone else changed this child" in html
    assert "<title>Error: " in html
    assert 'value="Other School"' in html  # their typing is still on the page, not lost
    with app.app_context():
        assert db.session.get(Child, child_id).school == "Ashby Academy"


def test_add_a_carer_a_sibling_and_a_professional(app, own_case):
    browser, child_id, *_ = own_case
    base = f"/casework/children/{child_id}"
    r = browser.post(
        f"{base}/carers/new",
        {
            "name": "Grace Hollins",
            "relationship_to_child": "mother",
            "parental_responsibility": "yes",
            "lives_with_child": "yes",
            "phone": "07700 900123",
            "carer_needs": "Night waking; works shifts",
            "needs_carers_assessment": "yes",
        },
    )
    assert r.status_code == 302
    r = browser.post(
        f"{base}/siblings/new",
        {"name": "Theo Hollins", "date_of_birth": ["1", "1", "2012"], "lives_with_child": "yes"},
    )
    assert r.status_code == 302
    r = browser.post(
        f"{base}/professionals/new",
        {"name": "Dr Chen", "role": "GP", "organisation": "Northbrook Medical Practice"},
    )
    assert r.status_code == 302
    html = browser.get(base).get_data(as_text=True)
    assert "Grace Hollins (Mother)" in html and "Night waking; works shifts" in html
    assert "Theo Hollins, born 1 January 2012" in html
    assert "Northbrook Medical Practice" in html
    empty = browser.post(f"{base}/carers/new", {"name": ""}).get_data(as_text=True)
    assert _errors(empty) == [
        "Enter the person's name",
        "Select the relationship to the child",
        "Select yes if they have parental responsibility",
        "Select yes if they live with the child",
        "Select yes if they need a carer's assessment",
    ]
    with app.app_context():
        assert _count(FamilyMember, FamilyMember.child_id == child_id) == 2
        carer = db.session.scalar(select(FamilyMember).where(FamilyMember.kind == "carer"))
        assert carer.parental_responsibility and carer.needs_carers_assessment
    shown = form_values(browser.get(f"{base}/family/{carer.id}/edit").get_data(as_text=True))
    edit = browser.post(
        f"{base}/family/{carer.id}/edit",
        {
            "version": shown["version"],
            "loaded": shown["loaded"],
            "name": "Grace Hollins-Reed",
            "relationship_to_child": "mother",
            "parental_responsibility": "yes",
            "lives_with_child": "no",
            "needs_carers_assessment": "no",
        },
    )
    assert edit.status_code == 302
    with app.app_context():
        assert db.session.get(FamilyMember, carer.id).name == "Grace Hollins-Reed"


def test_referral_for_someone_over_25_at_referral_is_refused(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        db.session.get(Child, child_id).date_of_birth = years_ago(30)
        db.session.commit()
    browser = browser_as(user=worker)
    data = {"received_on": _parts(TODAY), "source": "parent", "reason": "Asking for breaks"}
    html = browser.post(f"/casework/children/{child_id}/referrals/new", data).get_data(as_text=True)
    assert "over 25 on the date of referral" in html
    old_enough = {**data, "received_on": _parts(years_ago(6))}
    assert (
        browser.post(f"/casework/children/{child_id}/referrals/new", old_enough).status_code == 302
    )
    with app.app_context():
        assert _count(Referral, Referral.child_id == child_id) == 1


def test_record_eligibility_decisions_with_history(app, make_criteria, own_case):
    crit = make_criteria()
    browser, child_id, *_ = own_case
    url = f"/casework/children/{child_id}/eligibility/new"
    page = browser.get(url).get_data(as_text=True)
    assert "targeted criterion 1" in page and "pending assessment" in page
    review = _parts(TODAY + dt.timedelta(days=365))
    r = browser.post(
        url,
        {
            "tier": "targeted",
            "targeted_criteria": [str(crit["targeted"][0])],
            "rationale": "Meets targeted criteria",
            "decided_on": _parts(TODAY),
            "review_date": review,
        },
    )
    assert r.status_code == 302
    r = browser.post(
        url,
        {
            "tier": "specialist",
            "specialist_criteria": [str(i) for i in crit["specialist"]],
            "rationale": "Needs have grown",
            "decided_on": _parts(TODAY),
            "review_date": review,
        },
    )
    assert r.status_code == 302
    html = browser.get(r.headers["Location"]).get_data(as_text=True)
    assert "Decision recorded as specialist – pending assessment" in html
    assert "Meets targeted criteria" in html and "Needs have grown" in html
    assert "specialist criterion 2" in html
    bad = browser.post(
        url,
        {
            "tier": "targeted",
            "targeted_criteria": [str(crit["targeted"][0])],
            "rationale": "",
            "decided_on": _parts(TODAY),
        },
    )
    assert _errors(bad.get_data(as_text=True)) == ["Enter the reasons for the decision"]
    bad = browser.post(
        url,
        {
            "tier": "targeted",
            # A specialist criterion sent as a targeted one (not from the page): not on the list.
            "targeted_criteria": [str(crit["specialist"][0])],
            "rationale": "x",
            "decided_on": _parts(TODAY),
            "review_date": review,
        },
    )
    assert _errors(bad.get_data(as_text=True)) == ["Select criteria from the list"]
    with app.app_context():
        tiers = db.session.scalars(
            select(EligibilityDecision.tier).order_by(EligibilityDecision.id)
        ).all()
        assert tiers == ["targeted", "pending_assessment"]


def test_add_a_case_note_and_see_it_in_the_chronology(app, own_case):
    browser, child_id, worker, *_ = own_case
    r = browser.post(
        f"/casework/children/{child_id}/notes/new",
        {
            "occurred_on": _parts(TODAY),
            "note_type": "visit",
            "summary": "Home visit",
            "people": "Amelia and her mum Grace",
            "body": "Saw Amelia and her mum at home.",
            "significant": "y",
        },
    )
    assert r.status_code == 302
    html = browser.get(r.headers["Location"]).get_data(as_text=True)
    assert "Home visit" in html and "Saw Amelia and her mum at home." in html
    assert "Significant" in html
    assert "With: Amelia and her mum Grace" in html
    assert f"recorded by {worker.name}" in html
    bad = browser.post(f"/casework/children/{child_id}/notes/new", {"summary": ""})
    assert _errors(bad.get_data(as_text=True)) == [
        "Enter the date it happened",
        "Select the type of entry",
        "Enter a short summary",
        "Enter what happened",
    ]
    with app.app_context():
        assert _count(CaseNote) == 1


def test_closing_asks_for_confirmation_and_makes_the_record_read_only(app, own_case):
    browser, child_id, *_ = own_case
    base = f"/casework/children/{child_id}"
    page = browser.get(f"{base}/close").get_data(as_text=True)
    assert "Are you sure you want to close this case?" in page
    assert _errors(browser.post(f"{base}/close", {"reason": ""}).get_data(as_text=True)) == [
        "Enter the reason for closing the case"
    ]
    assert browser.post(f"{base}/close", {"reason": "Family moved away"}).status_code == 302
    html = browser.get(base).get_data(as_text=True)
    assert "The record is read-only" in html and "Add a case note" not in html
    r = browser.post(
        f"{base}/notes/new",
        {"occurred_on": _parts(TODAY), "note_type": "note", "summary": "x", "body": "y"},
    )
    assert r.status_code == 302
    assert "This case is closed" in browser.get(base).get_data(as_text=True)
    with app.app_context():
        assert _count(CaseNote) == 0
    found = browser.get("/casework/search?status=closed").get_data(as_text=True)
    assert f"/casework/children/{child_id}" in found
    assert browser.post(f"{base}/reopen", {"reason": "Moved back"}).status_code == 302
    assert "Add a case note" in browser.get(base).get_data(as_text=True)


def test_search_page_finds_sorts_and_paginates(app, browser_as, make_child, team_and_worker):
    team, worker = team_and_worker
    for i in range(30):
        make_child(team=team, worker=worker, first_name=f"Kid{i:02d}", last_name="Marsden")
    make_child(team=team, worker=worker, first_name="Solo", last_name="Quarrie")
    browser = browser_as(user=worker)
    html = browser.get("/casework/search?q=marsden").get_data(as_text=True)
    assert "30 children found" in html and "Quarrie" not in html
    assert 'aria-label="Pages"' in html or "govuk-pagination" in html
    page2 = browser.get("/casework/search?q=marsden&page=2").get_data(as_text=True)
    assert "Kid29" in page2 and "Kid00" not in page2
    desc = browser.get("/casework/search?q=marsden&sort=name&dir=desc").get_data(as_text=True)
    assert 'aria-sort="descending"' in desc
    assert desc.index("Marsden, Kid29") < desc.index("Marsden, Kid28")
    none = browser.get("/casework/search?q=zzzz").get_data(as_text=True)
    assert "0 children found" in none and "No children match" in none
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "search")
            )
            == 4
        )


def test_team_manager_allocates_within_their_teams(
    app, browser_as, make_child, make_user, make_team, team_and_worker
):
    team, worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    child_id = make_child(team=team)
    browser = browser_as(user=manager)
    url = f"/casework/children/{child_id}/allocate"
    assert worker.name in browser.get(url).get_data(as_text=True)
    assert browser.post(url, {"team": str(team.id), "worker": str(worker.id)}).status_code == 302
    with app.app_context():
        assert db.session.get(Child, child_id).allocated_worker_id == worker.id
    other = make_team()
    assert browser.post(url, {"team": str(other.id), "worker": ""}).status_code == 200
    with app.app_context():
        assert db.session.get(Child, child_id).allocated_team_id == team.id
    # Practitioners see allocations to them, but do not allocate.
    assert browser_as(user=worker).get(url).status_code == 403


def test_administrators_maintain_the_eligibility_criteria(app, browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    r = admin.post(
        "/casework/criteria/new",
        {"tier": "targeted", "text": "Lives in the county", "sort_order": "10", "active": "yes"},
    )
    assert r.status_code == 302
    html = admin.get("/casework/criteria").get_data(as_text=True)
    assert "Lives in the county" in html
    with app.app_context():
        crit = services.criteria("targeted")[0]
    shown = form_values(admin.get(f"/casework/criteria/{crit.id}/edit").get_data(as_text=True))
    r = admin.post(f"/casework/criteria/{crit.id}/edit", {**shown, "active": "no"})
    assert r.status_code == 302
    with app.app_context():
        assert services.criteria("targeted") == []
        assert len(services.criteria("targeted", active_only=False)) == 1
    bad = admin.post("/casework/criteria/new", {"text": ""}).get_data(as_text=True)
    assert "Enter the wording of the criterion" in bad
    practitioner = browser_as(Role.PRACTITIONER, Role.TEAM_MANAGER)
    assert practitioner.get("/casework/criteria").status_code == 403
    assert practitioner.get(f"/casework/criteria/{crit.id}/edit").status_code == 403
    refused = practitioner.post(
        f"/casework/criteria/{crit.id}/edit",
        {"tier": "targeted", "text": "Changed", "sort_order": "1", "active": "yes"},
    )
    assert refused.status_code == 403
    assert admin.get("/casework/criteria/999999/edit").status_code == 404
    with app.app_context():
        assert services.criteria("targeted", active_only=False)[0].text == "Lives in the county"


def test_team_manager_finds_cases_waiting_for_a_worker(
    app, browser_as, make_child, make_user, team_and_worker
):
    team, worker = team_and_worker
    manager = make_user(Role.TEAM_MANAGER, teams=[team])
    make_child(team=team, worker=worker, last_name="Allocated")
    make_child(team=team, last_name="Waiting")
    html = browser_as(user=manager).get("/casework/search?worker=none").get_data(as_text=True)
    assert "1 child found" in html and "Waiting" in html and "Allocated," not in html
    mine = browser_as(user=manager).get(f"/casework/search?worker={worker.id}")
    assert "Allocated," in mine.get_data(as_text=True)


def test_a_locality_no_longer_in_use_is_marked_on_the_childs_form_and_still_searchable(
    app, browser_as, make_child, team_and_worker
):
    from core.models import ReferenceValue

    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker, first_name="Ava", last_name="Jessop")
    with app.app_context():
        row = db.session.scalar(
            db.select(ReferenceValue).where(
                ReferenceValue.kind == "locality", ReferenceValue.code == "north"
            )
        )
        row.active = False
        db.session.commit()
    browser = browser_as(user=worker)
    page = browser.get(f"/casework/children/{child_id}/edit").get_data(as_text=True)
    (option,) = re.findall(r'<option[^>]*value="north"[^>]*>[^<]*', page)
    assert "selected" in option and option.endswith(">Northbrook (no longer in use)")
    assert "Northbrook (no longer in use)" not in browser.get("/casework/children/new").get_data(
        as_text=True
    )
    search = browser.get("/casework/search?locality=north").get_data(as_text=True)
    assert "Jessop" in search and "There is a problem" not in search
