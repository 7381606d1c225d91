"""Journeys through the providers pages in a real browser, each page checked with axe-core."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from core.extensions import db
from core.reference import ensure_demo_localities
from core.roles import Role
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def localities(live_server):
    with live_server.app.app_context():
        ensure_demo_localities()
        db.session.commit()


def test_add_a_provider_with_a_service(signed_in_page, live_server, localities):
    page, _ = signed_in_page(Role.COMMISSIONER)
    name = f"Kingfisher Play {uuid.uuid4().hex[:6]}"
    page.locator(".govuk-service-navigation").get_by_role("link", name="Providers").click()
    page.get_by_role("link", name="Providers framework").click()
    expect(page.locator("h1")).to_have_text("Providers framework")
    assert_accessible(page, "(framework)")

    page.get_by_role("button", name="Add a provider").click()
    assert_accessible(page, "(add provider)")
    page.get_by_role("button", name="Save provider").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the provider's name")
    expect(page).to_have_title(re.compile("^Error: Add a provider"))
    assert_accessible(page, "(add provider, errors)")

    page.get_by_label("Provider name").fill(name)
    page.get_by_label("Organisation").check()
    page.get_by_label("Ofsted").check()
    page.get_by_label("Registration number (optional)").fill("SC112233")
    page.get_by_label("Northbrook").check()
    page.get_by_label("Yes").check()
    page.locator("#dbs_expires_on-day").fill("31")
    page.locator("#dbs_expires_on-month").fill("3")
    page.locator("#dbs_expires_on-year").fill("2030")
    page.get_by_role("button", name="Save provider").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        f"{name} added to the framework"
    )
    expect(page.locator("h1")).to_have_text(name)
    assert_accessible(page, "(provider)")

    page.get_by_role("button", name="Add a service").click()
    assert_accessible(page, "(add service)")
    page.get_by_label("Service name").fill("Saturday Swim")
    page.get_by_label("Educational or leisure activities outside the home").check()
    page.get_by_label("Targeted: families use it without a social care assessment").check()
    page.get_by_label("Youngest age").fill("12")
    page.get_by_label("Oldest age").fill("6")
    page.get_by_label("Rate in pounds (optional)").fill("12.505")
    page.get_by_role("button", name="Save service").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select at least one need the service caters for")
    expect(summary).to_contain_text("Enter the rate in pounds and pence, like 12.50")
    expect(summary).to_contain_text("Oldest age must be the same as or more than the youngest")
    assert_accessible(page, "(add service, errors)")

    page.get_by_label("Oldest age").fill("16")
    page.get_by_label("Rate in pounds (optional)").fill("£12.50")
    page.get_by_label("Mobility").check()
    page.get_by_label("Autistic spectrum disorder").check()
    page.get_by_role("checkbox", name="Weekends", exact=True).check()
    page.get_by_label("What does the service do?").fill("Swimming with one-to-one support.")
    page.get_by_label("Youngest age").fill("6")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Saturday Swim added"
    )
    expect(page.locator(".govuk-summary-list")).to_contain_text("£12.50 per session")
    expect(page.locator("main")).to_contain_text("Swimming with one-to-one support.")
    assert_accessible(page, "(service)")

    page.get_by_role("button", name="Remove this service").click()
    expect(page.locator("h1")).to_have_text("Are you sure you want to remove Saturday Swim?")
    assert_accessible(page, "(remove service)")
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("h1")).to_have_text("Saturday Swim")

    page.get_by_role("link", name="Back to the directory").click()
    page.get_by_role("link", name="Usage and gaps").click()
    expect(page.locator("h1")).to_have_text("Usage and gaps")
    assert_accessible(page, "(usage and gaps)")
    page.get_by_role("link", name="Import and export").click()
    assert_accessible(page, "(import and export)")


def test_search_the_directory(signed_in_page, live_server, localities):
    from providers.services import create_provider, create_service
    from tests.providers.conftest import provider_data, service_data

    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        dp = create_provider(provider_data(name=f"Heron Trust {tag}", direct_payments=True))
        other = create_provider(provider_data(name=f"Plover Care {tag}"))
        create_service(
            dp,
            service_data(
                name=f"Heron Sailing {tag}",
                age_from=8,
                age_to=18,
                localities=["coast"],
                needs=["MOB"],
            ),
        )
        create_service(
            other,
            service_data(
                name=f"Plover Nights {tag}",
                age_from=5,
                age_to=18,
                localities=["coast"],
                needs=["AUT"],
                short_break_type="overnight_elsewhere",
                tier="specialist",
            ),
        )
        db.session.commit()

    page, _ = signed_in_page(Role.PRACTITIONER)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Providers").click()
    expect(page.locator("h1")).to_have_text("Short breaks directory")
    assert_accessible(page, "(directory)")

    page.get_by_label("Age of the child or young person").fill("ten")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Age must be a whole number")
    assert_accessible(page, "(directory, errors)")

    page.get_by_label("Search by name or keyword").fill(tag)
    page.get_by_label("Age of the child or young person").fill("10")
    page.get_by_label("Locality").select_option(label="Saltcoast")
    page.get_by_role("button", name="Apply filters").click()
    results = page.locator(".app-results")
    expect(results).to_contain_text(f"Heron Sailing {tag}")
    expect(results).to_contain_text(f"Plover Nights {tag}")
    assert "age=10" in page.url and "locality=coast" in page.url  # a GET form: shareable

    # Sorting by age keeps the filters; the column says how the list is sorted.
    page.get_by_role("link", name="Ages (sort)").click()
    expect(page.locator("th[aria-sort='ascending']")).to_have_text("Ages (sort)")
    rows = results.locator("tbody tr")
    expect(rows.first).to_contain_text(f"Plover Nights {tag}")  # from 5, before 8
    page.get_by_role("link", name="Ages (sort)").click()
    expect(page.locator("th[aria-sort='descending']")).to_have_text("Ages (sort)")
    expect(rows.first).to_contain_text(f"Heron Sailing {tag}")
    assert "locality=coast" in page.url
    assert_accessible(page, "(directory, sorted)")

    page.get_by_label("Can be bought with a direct payment").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_contain_text(f"Heron Sailing {tag}")
    expect(results).not_to_contain_text(f"Plover Nights {tag}")
    expect(page.locator("#results")).to_have_text("1 service matches your filters")
    assert_accessible(page, "(directory, filtered)")

    page.get_by_label("Can be bought with a direct payment").uncheck()
    page.get_by_label("Need").select_option(label="Autistic spectrum disorder")
    page.get_by_role("button", name="Apply filters").click()
    expect(results).to_contain_text(f"Plover Nights {tag}")
    expect(results).not_to_contain_text(f"Heron Sailing {tag}")

    page.get_by_role("link", name=f"Plover Nights {tag}").click()
    expect(page.locator("h1")).to_have_text(f"Plover Nights {tag}")
    expect(page.locator("main")).to_contain_text("How can I start using the service?")
    expect(page.get_by_role("button", name="Change this service")).to_have_count(0)
    assert_accessible(page, "(service page)")


def test_two_people_edit_the_same_service(signed_in_page, live_server, localities):
    from providers.services import (
        SERVICE_FIELDS,
        create_provider,
        create_service,
        get_service,
        update_service,
    )
    from tests.providers.conftest import provider_data, service_data

    tag = uuid.uuid4().hex[:6]
    with live_server.app.app_context():
        owner = create_provider(provider_data(name=f"Curlew Trust {tag}"))
        service_id = create_service(owner, service_data(name=f"Curlew Club {tag}", capacity=8)).id
        db.session.commit()

    page, _ = signed_in_page(Role.COMMISSIONER)
    page.goto(f"{live_server.url}/providers/services/{service_id}/edit")
    page.get_by_label("Capacity (optional)").fill("10")

    # Meanwhile a colleague renames the service.
    with live_server.app.app_context():
        service = get_service(service_id)
        data = {f: getattr(service, f) for f in SERVICE_FIELDS}
        update_service(service, {**data, "name": f"Curlew Climbing {tag}"})
        db.session.commit()

    page.get_by_role("button", name="Save service").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Someone else changed this service while you were editing it")
    expect(page).to_have_title(re.compile("^Error: "))
    conflict = page.locator("#edit-conflict")
    expect(conflict).to_contain_text("Service name")
    expect(conflict).to_contain_text(f"Curlew Climbing {tag}")
    expect(page.get_by_label("Capacity (optional)")).to_have_value("10")
    assert_accessible(page, "(edit conflict)")

    summary.get_by_role("link").click()
    assert page.url.endswith("#edit-conflict")
    page.get_by_label("Service name").fill(f"Curlew Climbing {tag}")
    page.get_by_role("button", name="Save service").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Service details saved"
    )
    with live_server.app.app_context():
        service = get_service(service_id)
        assert (service.name, service.capacity) == (f"Curlew Climbing {tag}", 10)
