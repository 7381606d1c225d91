"""Casework journeys in a real browser, each page checked with axe-core: find a child, record a
new child with a carer and an eligibility decision, add a case note, see my caseload."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from playwright.sync_api import expect

from core.extensions import db
from core.roles import Role
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser

TODAY = dt.date.today()
_n = itertools.count(1)


def _setup_children(live_server, user, *children):
    """Children allocated to `user` and their first team, in the live database: their ids."""
    from casework import services
    from core.models import User
    from core.reference import ensure_demo_localities

    ids = []
    with live_server.app.app_context():
        ensure_demo_localities()
        worker = db.session.get(User, user.id)
        for fields in children:
            data = {
                "first_name": "Amelia",
                "last_name": "Hollins",
                "date_of_birth": dt.date(2015, 3, 27),
                "gender": "female",
                "ethnicity": "WBRI",
                "address_line_1": "12 Mill Lane",
                "town": "Northbrook",
                "postcode": "NN1 1AA",
                "locality": "north",
                **fields,
            }
            due = data.pop("next_due_on", None)
            child = services.create_child(
                worker, data, ["AUT"], team=worker.teams[0], worker=worker
            )
            if due:
                child.next_due_on, child.next_due_kind = due, "Eligibility review"
            ids.append(child.id)
        db.session.commit()
    return ids


def _criteria(live_server):
    from casework import services

    with live_server.app.app_context():
        n = next(_n)
        made = services.save_criterion(
            {"tier": "targeted", "text": f"Needs support to join in activities ({n})"}
        )
        db.session.commit()
        return made.text


def test_find_a_child(signed_in_page, live_server):
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Find team {next(_n)}"])
    _setup_children(
        live_server,
        user,
        {
            "first_name": "Zebedee",
            "last_name": "Quillfeather",
            "date_of_birth": dt.date(2012, 6, 1),
        },
        {"first_name": "Zara", "last_name": "Quillon", "date_of_birth": dt.date(2020, 1, 9)},
        {"first_name": "Oscar", "last_name": "Brightwater"},
    )
    page.goto(f"{live_server.url}/casework/")
    assert_accessible(page, "(caseload)")
    page.get_by_label("Find a child").fill("quill")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_title(re.compile("^Find a child"))
    expect(page.locator("#results-heading")).to_have_text("2 children found")
    assert_accessible(page, "(search results)")
    # Narrow by age band, then sort by date of birth.
    page.get_by_label("Age").select_option("11-15")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.locator("#results-heading")).to_have_text("1 child found")
    page.get_by_role("link", name="Date of birth").click()
    expect(page.locator("#results th[aria-sort='ascending']")).to_contain_text("Date of birth")
    page.get_by_role("link", name="Quillfeather, Zebedee").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Zebedee Quillfeather")
    assert_accessible(page, "(child record)")
    # By date of birth, as a practitioner on the phone would.
    page.goto(f"{live_server.url}/casework/search?q=1/6/2012")
    expect(page.locator("#results")).to_contain_text("Quillfeather")


def test_record_a_new_child_with_a_carer_and_an_eligibility_decision(signed_in_page, live_server):
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Record team {next(_n)}"])
    _setup_children(live_server, user)  # localities
    criterion = _criteria(live_server)
    page.goto(f"{live_server.url}/casework/")
    page.get_by_role("button", name="Record a child").click()
    expect(page).to_have_title(re.compile("^Record a child or young person"))
    assert_accessible(page, "(new child form)")

    page.get_by_label("First name").fill("Freya")
    page.get_by_label("Last name").fill("Northcott")
    future = TODAY + dt.timedelta(days=30)
    page.locator("#date_of_birth-day").fill(str(future.day))
    page.locator("#date_of_birth-month").fill(str(future.month))
    page.locator("#date_of_birth-year").fill(str(future.year))
    page.get_by_label("NHS number (optional)").fill("943 476 5918")
    page.get_by_role("button", name="Save and issue case number").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Date of birth must be today or in the past")
    expect(summary).to_contain_text("Enter a valid NHS number")
    expect(summary).to_contain_text("Enter the postcode")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, "(new child form with errors)")

    page.locator("#date_of_birth-day").fill("14")
    page.locator("#date_of_birth-month").fill("2")
    page.locator("#date_of_birth-year").fill("2013")
    page.get_by_label("Female").check()
    page.get_by_label("Ethnicity").select_option("WBRI")
    page.get_by_label("NHS number (optional)").fill("943 476 5919")
    page.get_by_label("Address line 1").fill("7 Beech Avenue")
    page.get_by_label("Town or city").fill("Northbrook")
    page.get_by_label("Postcode").fill("nn2 3ab")
    page.get_by_label("Locality").select_option("north")
    # The plan's date is revealed only under "Yes".
    expect(page.locator("#ehc_plan_date-day")).to_be_hidden()
    page.locator("#ehc_plan").check()
    expect(page.locator("#ehc_plan_date-day")).to_be_visible()
    page.locator("#ehc_plan-2").check()
    expect(page.locator("#ehc_plan_date-day")).to_be_hidden()
    page.locator("#disability_register").check()
    page.get_by_label("Learning").check()
    page.get_by_label("Communication", exact=True).check()
    page.locator("#consent_to_share").check()
    page.get_by_role("button", name="Save and issue case number").click()

    banner = page.locator(".govuk-notification-banner--success")
    expect(banner).to_contain_text("Freya Northcott recorded with case number C")
    expect(page.locator("h1")).to_contain_text("Freya Northcott")
    assert_accessible(page, "(new child record)")

    page.get_by_role("link", name="Add a parent or carer").click()
    assert_accessible(page, "(add carer)")
    page.get_by_label("Full name").fill("Helen Northcott")
    page.get_by_label("Relationship to the child").select_option("mother")
    page.locator("#parental_responsibility").check()
    page.locator("#lives_with_child").check()
    page.get_by_label("The carer's own needs (optional)").fill("Works nights; little sleep")
    page.locator("#needs_carers_assessment").check()
    page.get_by_role("button", name="Save carer").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Carer Helen Northcott saved"
    )
    expect(page.locator("#family ~ .govuk-summary-card").first).to_contain_text("Works nights")

    page.get_by_role("button", name="Record eligibility decision").click()
    assert_accessible(page, "(eligibility decision form)")
    # Each tier's criteria are revealed under its answer; the date is today already.
    expect(page.get_by_label(criterion)).to_be_hidden()
    expect(page.locator("#conditional-tier-2")).to_be_hidden()
    page.get_by_label("Specialist short breaks").check()
    expect(page.locator("#conditional-tier-2")).to_be_visible()
    expect(page.get_by_label(criterion)).to_be_hidden()
    page.get_by_label("Targeted short breaks").check()
    expect(page.get_by_label(criterion)).to_be_visible()
    assert_accessible(page, "(eligibility decision form, targeted criteria revealed)")
    page.get_by_label(criterion).check()
    expect(page.locator("#decided_on-day")).to_have_value(f"{TODAY.day:02d}")
    expect(page.locator("#decided_on-year")).to_have_value(str(TODAY.year))
    page.get_by_label("Reasons for the decision").fill("Needs support to join a youth club.")
    review = TODAY + dt.timedelta(days=365)
    page.locator("#review_date-day").fill(str(review.day))
    page.locator("#review_date-month").fill(str(review.month))
    page.locator("#review_date-year").fill(str(review.year))
    page.get_by_role("button", name="Save decision").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Decision recorded: Targeted"
    )
    expect(page.locator(".govuk-summary-card").first).to_contain_text(criterion)
    assert_accessible(page, "(child record with decision)")


def test_add_a_case_note(signed_in_page, live_server):
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Note team {next(_n)}"])
    (child_id,) = _setup_children(live_server, user, {"first_name": "Noor", "last_name": "Aldous"})
    page.goto(f"{live_server.url}/casework/children/{child_id}")
    page.get_by_role("button", name="Add a case note").click()
    assert_accessible(page, "(note form)")
    expect(page.locator("#occurred_on-day")).to_have_value(f"{TODAY.day:02d}")  # today
    page.get_by_role("button", name="Save entry").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter what happened")
    assert_accessible(page, "(note form with errors)")
    page.get_by_label("Phone call").check()
    page.get_by_label("Summary").fill("Call with mum")
    page.get_by_label("Who was involved (optional)").fill("Noor's mum")
    page.get_by_label("What happened").fill("Mum asked about holiday play schemes.")
    page.get_by_label("This is a significant event").check()
    page.get_by_role("button", name="Save entry").click()
    expect(page).to_have_title(re.compile("^Chronology"))
    entry = page.locator("#chronology li").first
    expect(entry).to_contain_text("Call with mum")
    expect(entry).to_contain_text("Significant")
    expect(entry).to_contain_text("Mum asked about holiday play schemes.")
    expect(entry).to_contain_text("With: Noor's mum")
    assert_accessible(page, "(chronology)")


def test_see_my_caseload(signed_in_page, live_server):
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Caseload team {next(_n)}"])
    _setup_children(
        live_server,
        user,
        {"first_name": "Late", "last_name": "Ellerby", "next_due_on": TODAY - dt.timedelta(days=5)},
        {"first_name": "Soon", "last_name": "Ellerby", "next_due_on": TODAY + dt.timedelta(days=5)},
        {"first_name": "Calm", "last_name": "Ellerby"},
    )
    page.goto(f"{live_server.url}/")
    page.locator(".govuk-service-navigation").get_by_role("link", name="Cases").click()
    expect(page).to_have_title(re.compile("^My caseload"))
    expect(page.locator("#caseload-summary")).to_contain_text("3 open cases, 1 overdue")
    rows = page.locator("#caseload tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("Late Ellerby")
    expect(rows.nth(0)).to_contain_text("Overdue")
    expect(rows.nth(1)).to_contain_text("Soon Ellerby")
    expect(rows.nth(1)).not_to_contain_text("Overdue")
    expect(rows.nth(2)).to_contain_text("Nothing due")
    assert_accessible(page, "(my caseload)")


def test_team_manager_allocates_then_closes_and_reopens_a_case(
    signed_in_page, live_server, live_user
):
    team = f"Manager team {next(_n)}"
    worker = live_user(Role.PRACTITIONER, teams=[team], name="Wendy Worker")
    page, manager = signed_in_page(Role.TEAM_MANAGER, teams=[team])
    (child_id,) = _setup_children(live_server, manager, {"first_name": "Ola", "last_name": "Sand"})
    page.goto(f"{live_server.url}/casework/")
    expect(page).to_have_title(re.compile("^Team caseload"))
    page.get_by_role("link", name="Ola Sand").click()
    page.get_by_role("button", name="Allocate").click()
    assert_accessible(page, "(allocate)")
    page.get_by_label("Practitioner").select_option(label=worker.name)
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Case allocated to Wendy Worker"
    )

    page.get_by_role("link", name="Close the case").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to close this case?"
    )
    assert_accessible(page, "(close confirmation)")
    page.get_by_label("Why is the case being closed?").fill("Family moved out of the county")
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator("h1")).to_contain_text("Closed")
    expect(page.get_by_role("button", name="Add a case note")).to_have_count(0)
    assert_accessible(page, "(closed record)")
    # Still found by search.
    page.goto(f"{live_server.url}/casework/search?q=sand&status=closed")
    expect(page.locator("#results")).to_contain_text("Sand, Ola")
    page.goto(f"{live_server.url}/casework/children/{child_id}")
    page.get_by_role("button", name="Reopen the case").click()
    page.get_by_label("Why is the case being reopened?").fill("Moved back")
    page.get_by_role("button", name="Reopen the case").click()
    expect(page.get_by_role("button", name="Add a case note")).to_be_visible()
    page.get_by_role("link", name="See the full chronology").click()
    expect(page.locator("#chronology")).to_contain_text("Case closed")
    expect(page.locator("#chronology")).to_contain_text("Allocated to Wendy Worker")
    assert_accessible(page, "(chronology with closure)")


def test_administrator_maintains_the_eligibility_criteria(signed_in_page, live_server):
    page, _admin = signed_in_page(Role.ADMINISTRATOR)
    page.goto(f"{live_server.url}/casework/criteria")
    assert_accessible(page, "(criteria)")
    page.get_by_role("button", name="Add a criterion").click()
    page.get_by_role("button", name="Save criterion").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the wording")
    assert_accessible(page, "(criterion form with errors)")
    page.get_by_label("Specialist").check()
    page.get_by_label("Wording").fill("Needs two carers for personal care")
    page.get_by_role("button", name="Save criterion").click()
    expect(page.locator("main")).to_contain_text("Needs two carers for personal care")


def _targeted_service(live_server, name: str, provider: str, **fields) -> int:
    """A targeted service of a provider on the framework, in the live database: its id."""
    from providers import services as providers
    from tests.providers.conftest import provider_data, service_data

    with live_server.app.app_context():
        owner = providers.create_provider(provider_data(name=provider))
        service = providers.create_service(owner, service_data(name=name, **fields))
        db.session.commit()
        return service.id


def test_register_a_child_with_a_service_on_the_framework(signed_in_page, live_server):
    from casework import services
    from casework.models import Child
    from core.models import User

    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Registration team {next(_n)}"])
    (child_id,) = _setup_children(live_server, user, {"first_name": "Kai", "last_name": "Oakley"})
    criterion = _criteria(live_server)
    with live_server.app.app_context():
        from casework.models import EligibilityCriterion

        crit_id = db.session.scalar(
            db.select(EligibilityCriterion.id).where(EligibilityCriterion.text == criterion)
        )
        services.record_decision(
            db.session.get(Child, child_id),
            db.session.get(User, user.id),
            tier="targeted",
            criterion_ids=[crit_id],
            rationale="Needs support to join in",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=365),
        )
        db.session.commit()
    n = next(_n)
    service_id = _targeted_service(
        live_server, f"Climbing Club {n}", f"Kestrel Trust {n}", localities=["north"]
    )

    page.goto(f"{live_server.url}/casework/children/{child_id}")
    page.get_by_role("link", name="Register for a targeted short break").click()
    expect(page).to_have_title(re.compile("^Register for a targeted short break"))
    assert_accessible(page, "(registration form)")
    page.get_by_role("button", name="Save registration").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select a service on the framework"
    )
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, "(registration form with errors)")

    page.get_by_label("Targeted service").select_option(str(service_id))
    page.locator("#from_date-day").fill(str(TODAY.day))
    page.locator("#from_date-month").fill(str(TODAY.month))
    page.locator("#from_date-year").fill(str(TODAY.year))
    page.get_by_role("button", name="Save registration").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Registration saved"
    )
    registrations = page.locator("#registration-list")
    expect(registrations).to_contain_text(f"Climbing Club {n} – Kestrel Trust {n}")
    assert_accessible(page, "(child record with a registration)")
    registrations.get_by_role("link", name=f"Climbing Club {n}", exact=True).click()
    expect(page.locator("h1")).to_contain_text(f"Climbing Club {n}")
    assert f"/providers/services/{service_id}" in page.url
    page.goto(f"{live_server.url}/casework/children/{child_id}/timeline")
    entry = page.locator("#chronology li", has_text="Registered with")
    expect(entry).to_contain_text(f"Registered with Climbing Club {n} – Kestrel Trust {n}")
    expect(entry.get_by_role("link")).to_have_attribute("href", f"/providers/services/{service_id}")
    assert_accessible(page, "(chronology with a registration)")


def test_a_likely_duplicate_is_announced_and_shows_only_what_the_person_may_see(
    signed_in_page, live_server
):
    from casework import services
    from core.models import Team, User
    from core.reference import ensure_demo_localities

    n = next(_n)
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Duplicate team {n}"])
    with live_server.app.app_context():
        ensure_demo_localities()
        other = Team(name=f"Faraway Team {n}")
        db.session.add(other)
        db.session.flush()
        services.create_child(
            db.session.get(User, user.id),
            {
                "first_name": "Hidden",
                "last_name": f"Twin{n}",
                "date_of_birth": dt.date(2014, 5, 6),
                "gender": "female",
                "ethnicity": "WBRI",
                "address_line_1": "1 Far Lane",
                "town": "Faraway",
                "postcode": "NN1 1AA",
                "locality": "south",
            },
            ["AUT"],
            team=other,
        )
        db.session.commit()
    page.goto(f"{live_server.url}/casework/children/new")
    page.get_by_label("First name").fill("Hidden")
    page.get_by_label("Last name").fill(f"Twin{n}")
    for part, value in (("day", "6"), ("month", "5"), ("year", "2014")):
        page.locator(f"#date_of_birth-{part}").fill(value)
    page.get_by_label("Female").check()
    page.get_by_label("Ethnicity").select_option("WBRI")
    page.get_by_label("Address line 1").fill("2 Near Road")
    page.get_by_label("Town or city").fill("Northbrook")
    page.get_by_label("Postcode").fill("NN1 1AA")
    page.get_by_label("Locality").select_option("north")
    page.locator("#ehc_plan-2").check()
    page.locator("#disability_register").check()
    page.get_by_label("Learning").check()
    page.locator("#consent_to_share").check()
    page.get_by_role("button", name="Save and issue case number").click()
    warning = page.locator("#duplicate-warning")
    expect(warning).to_be_visible()
    expect(warning).to_be_focused()  # announced: focus moves to it
    expect(warning).to_contain_text(f"held by Faraway Team {n}")
    expect(warning).not_to_contain_text("C0")  # no case number of a child they may not see
    expect(warning).not_to_contain_text("Southmere")
    assert_accessible(page, "(likely duplicate warning)")
    page.get_by_role("button", name="This is a different child: create the record").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"Hidden Twin{n} recorded with case number C"
    )


def test_a_refused_save_keeps_the_typing_and_saves_deliberately(signed_in_page, live_server):
    from casework import services
    from casework.models import Child

    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Locking team {next(_n)}"])
    (child_id,) = _setup_children(live_server, user, {"first_name": "Lou", "last_name": "Lock"})
    page.goto(f"{live_server.url}/casework/children/{child_id}/edit")
    # A colleague saves a new town while this page is open.
    with live_server.app.app_context():
        child = db.session.get(Child, child_id)
        data = {k: getattr(child, k) for k in services.CHILD_FIELDS}
        services.update_child(child, {**data, "town": "Eastfield"}, ["AUT"], child.version)
        db.session.commit()
    page.get_by_label("School or setting (optional)").fill("Ashby Academy")
    page.get_by_label("Town or city").fill("Saltcoast")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Town or city was changed to ‘Eastfield’ by someone else")
    expect(page.locator("#stale-notice")).to_contain_text("Your changes have not been saved yet")
    expect(page.get_by_label("School or setting (optional)")).to_have_value("Ashby Academy")
    expect(page.get_by_label("Town or city")).to_have_value("Saltcoast")
    assert_accessible(page, "(refused save)")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Details saved")
    with live_server.app.app_context():
        child = db.session.get(Child, child_id)
        assert (child.town, child.school) == ("Saltcoast", "Ashby Academy")


def test_team_manager_transfers_a_case_to_another_team(signed_in_page, live_server, live_user):
    n = next(_n)
    receiving = f"Receiving team {n}"
    live_user(Role.PRACTITIONER, teams=[receiving], name=f"Rita Receiver {n}")
    page, manager = signed_in_page(Role.TEAM_MANAGER, teams=[f"Sending team {n}"])
    (child_id,) = _setup_children(live_server, manager, {"first_name": "Tia", "last_name": "Move"})
    page.goto(f"{live_server.url}/casework/children/{child_id}")
    page.get_by_role("link", name="Transfer to another team").click()
    expect(page).to_have_title(re.compile("^Transfer the case to another team"))
    assert_accessible(page, "(transfer form)")
    page.get_by_role("button", name="Transfer the case").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Select the team")
    assert_accessible(page, "(transfer form with errors)")
    # The receiving team has no manager: marked, and the case must go to someone by name.
    page.get_by_label("Team the case is going to").select_option(
        label=f"{receiving} (no team manager)"
    )
    page.get_by_label("Practitioner in that team (optional)").select_option(
        label=f"Rita Receiver {n}"
    )
    page.get_by_label("Reason for the transfer").fill("Family moved to the coast")
    page.get_by_role("button", name="Transfer the case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"transferred to {receiving} (Rita Receiver {n})"
    )
    warning = page.locator(".govuk-notification-banner:not(.govuk-notification-banner--success)")
    expect(warning).to_contain_text(f"{receiving} has no team manager")
    expect(page).to_have_title(re.compile("caseload"))


def test_team_manager_finds_cases_held_by_someone_who_can_no_longer_sign_in(
    signed_in_page, live_server, live_user
):
    from core.models import User

    team = f"Leavers team {next(_n)}"
    leaver = live_user(Role.PRACTITIONER, teams=[team], name="Lee Leaver")
    page, _manager = signed_in_page(Role.TEAM_MANAGER, teams=[team])
    _setup_children(live_server, leaver, {"first_name": "Sam", "last_name": "Leftover"})
    with live_server.app.app_context():
        db.session.get(User, leaver.id).enabled = False
        db.session.commit()
    page.goto(f"{live_server.url}/casework/")
    warning = page.locator("#cannot-sign-in")
    expect(warning).to_contain_text("1 case allocated to a person who can no longer sign in")
    assert_accessible(page, "(team caseload with a warning)")
    warning.get_by_role("link").click()
    expect(page.locator("#results-heading")).to_have_text("1 child found")
    expect(page.locator("#results")).to_contain_text("Leftover, Sam")
    assert_accessible(page, "(cases held by people who can no longer sign in)")


def test_wide_tables_scroll_in_their_own_region_on_a_narrow_screen(signed_in_page, live_server):
    """WCAG 1.4.10: at 320px the page itself never scrolls sideways; a table that cannot fit
    scrolls inside a named region that a keyboard can reach."""
    page, user = signed_in_page(Role.PRACTITIONER, teams=[f"Narrow team {next(_n)}"])
    (child_id, _) = _setup_children(
        live_server,
        user,
        {"first_name": "Maximilian-Alexander", "last_name": "Featherstonehaugh-Worthington"},
        {"first_name": "Zara", "last_name": "Featherstone", "next_due_on": TODAY},
    )
    page.set_viewport_size({"width": 320, "height": 640})
    for path in ("/casework/", "/casework/search?q=feather", f"/casework/children/{child_id}"):
        page.goto(f"{live_server.url}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 320, path
    for path in ("/casework/", "/casework/search?q=feather"):
        page.goto(f"{live_server.url}{path}")
        region = page.locator(".app-table-scroll").first
        assert region.get_attribute("role") == "region" and region.get_attribute("aria-label")
        assert page.evaluate(
            "(() => { const r = document.querySelector('.app-table-scroll');"
            " return r.scrollWidth > r.clientWidth; })()"
        ), f"{path}: the table should be wider than the screen, in its region"
        assert_accessible(page, f"({path}, 320px wide)")
