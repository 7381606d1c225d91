"""A commissioner writes a section of the statement's text and a second commissioner approves
it, in a real browser, with axe checks."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from tests.browser.conftest import sign_in_page

pytestmark = pytest.mark.browser


def test_a_commissioner_writes_a_section_and_another_approves_it(
    signed_in_page, live_server, live_user, browser, assert_accessible
):
    page, _writer = signed_in_page(Role.COMMISSIONER)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Write and approve the statement's text").click()
    expect(page).to_have_title(re.compile("^Statement text"))
    assert_accessible(page, "(statement text)")
    page.get_by_role("link", name="How to ask for a short break").click()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the text of this section")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, "(section, with an error)")
    # A right-to-left override would print the number backwards: refused, with a message.
    page.get_by_label("Text").fill("Call \u202e0123 456 7890\u202c")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("must not contain hidden")
    assert_accessible(page, "(section, hidden characters refused)")
    page.get_by_label("Text").fill("Phone the short breaks team.\n\nOr email us.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 saved")
    # The author cannot approve their own words: a second person must.
    expect(page.get_by_role("button", name="Approve version 1")).to_have_count(0)
    expect(page.locator(".govuk-inset-text")).to_contain_text("another commissioner must")
    assert_accessible(page, "(section, saved)")
    section_url = page.url

    approver = live_user(Role.COMMISSIONER)
    context = browser.new_context()
    other = context.new_page()
    try:
        sign_in_page(other, live_server, approver.email)
        other.goto(section_url)
        other.get_by_role("button", name="Approve version 1").click()
        expect(other.locator(".govuk-notification-banner")).to_contain_text("approved")
        expect(other.locator("#how_to_ask-status")).to_have_text("Approved")
        other.get_by_role("link", name="How to ask for a short break").click()
        expect(other.locator(".govuk-summary-card")).to_contain_text(f"By {approver.name}")
        assert_accessible(other, "(section, approved)")
    finally:
        context.close()
