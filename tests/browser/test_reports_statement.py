"""Request the statement, watch it finish, download it: in a real browser, with a real worker."""

import re
import time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core.roles import Role
from tests.browser.conftest import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def test_request_the_statement_watch_it_finish_and_download_it(
    signed_in_page, live_server, celery_worker, assert_accessible, console_errors, tmp_path
):
    page, _user = signed_in_page(Role.COMMISSIONER)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Reports").click()
    expect(page).to_have_title(re.compile("^Reports"))
    assert_accessible(page, "(reports, before)")
    page.get_by_label("Financial year").select_option(label="2025 to 2026")
    page.get_by_role("button", name="Make the statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is being made")
    row = page.locator("#runs tr").first
    expect(row).to_contain_text("2025 to 2026")
    page.evaluate("window.__notReloaded = true")
    # The page updates itself while the worker makes the statement: no reload.
    expect(row.locator(".govuk-tag")).to_have_text("Ready", timeout=120_000)
    assert page.evaluate("window.__notReloaded === true")
    expect(page.locator("#runs-announcer")).to_contain_text("is ready to download")
    assert_accessible(page, "(reports, statement ready)")
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("^Download PDF")).click()
    download = info.value
    assert download.suggested_filename == "short-breaks-services-statement-2025-26.pdf"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    reader = PdfReader(path)
    assert reader.metadata.title.startswith("Short Breaks Services Statement 2025 to 2026")
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    row.get_by_role("link", name="Short Breaks Services Statement", exact=True).click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("PDF SHA-256")
    assert_accessible(page, "(run page)")
    page.go_back()
    row = page.locator("#runs tr").first
    # The web page version of the same statement is accessible too, and styled under its CSP.
    row.get_by_role("link", name=re.compile("^View web page")).click()
    expect(page).to_have_title(re.compile("^Short Breaks Services Statement 2025 to 2026"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Short Breaks Services Statement")
    assert page.evaluate("getComputedStyle(document.querySelector('h1')).fontSize") != "32px"
    assert_accessible(page, "(statement web page)")
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors


def test_without_javascript_a_refresh_shows_the_finished_statement(
    browser, live_server, live_user, celery_worker
):
    user = live_user(Role.TEAM_MANAGER)
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_page(page, live_server, user.email)
        page.goto(f"{live_server.url}/reports/")
        page.get_by_label("Financial year").select_option(label="2024 to 2025")
        page.get_by_role("button", name="Make the statement").click()
        row = page.locator("#runs tr", has_text="2024 to 2025").first
        expect(row).to_be_visible()
        deadline = time.monotonic() + 120
        while row.locator(".govuk-tag").inner_text() != "Ready":
            assert time.monotonic() < deadline, "the statement did not finish"
            page.get_by_role("link", name="Refresh the page").click()
            time.sleep(0.5)
        with page.expect_download() as info:
            row.get_by_role("link", name=re.compile("^Download PDF")).click()
        assert info.value.suggested_filename.endswith("2024-25.pdf")
    finally:
        context.close()
