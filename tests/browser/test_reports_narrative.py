"""A manager writes and approves the statement's text, in a real browser, with axe checks."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role

pytestmark = pytest.mark.browser


def test_a_manager_writes_and_approves_a_section(signed_in_page, live_server, assert_accessible):
    page, user = signed_in_page(Role.TEAM_MANAGER)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="Write and approve the statement's text").click()
    expect(page).to_have_title(re.compile("^Statement text"))
    assert_accessible(page, "(statement text)")
    page.get_by_role("link", name="How to ask for a short break").click()
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the text of this section")
    expect(page).to_have_title(re.compile("^Error: "))
    assert_accessible(page, "(section, with an error)")
    page.get_by_label("Text").fill("Phone the short breaks team.\n\nOr email us.")
    page.get_by_role("button", name="Save as a new version").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Version 1 saved")
    page.get_by_role("button", name="Approve version 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("approved")
    expect(page.locator("#how_to_ask-status")).to_have_text("Approved")
    page.get_by_role("link", name="How to ask for a short break").click()
    expect(page.locator(".govuk-summary-card")).to_contain_text(f"By {user.name}")
    assert_accessible(page, "(section, approved)")
