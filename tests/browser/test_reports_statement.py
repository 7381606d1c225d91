"""Request the statement, watch it finish, download it: in a real browser, with a real worker."""

import re
import time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from core.roles import Role
from tests.browser.conftest import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.worker]


def _records_from_2024(app):
    """A child known since May 2024, so that statements from 2024 to 2025 can be made."""
    import datetime as dt

    from casework.models import Referral
    from core.extensions import db
    from tests.reports.conftest import Records

    with app.app_context():
        if db.session.scalar(
            db.select(Referral).where(Referral.received_on <= dt.date(2024, 5, 1))
        ):
            return
        Records().child(dt.date(2015, 1, 1), since=dt.date(2024, 5, 1))
        db.session.commit()


def test_request_the_statement_watch_it_finish_and_download_it(
    signed_in_page, live_server, celery_worker, assert_accessible, console_errors, tmp_path
):
    from core.extensions import db
    from core.reference import ensure_demo_localities

    with live_server.app.app_context():
        ensure_demo_localities()  # six localities: a table wider than a phone
        db.session.commit()
    _records_from_2024(live_server.app)
    page, _user = signed_in_page(Role.COMMISSIONER)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Reports").click()
    expect(page).to_have_title(re.compile("^Reports"))
    assert_accessible(page, "(reports, before)")
    page.get_by_label("Financial year").select_option(label="2025 to 2026")
    page.get_by_role("button", name="Make the statement").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("is being made")
    row = page.locator("#runs tr").first
    expect(row).to_contain_text("2025 to 2026")
    # With JavaScript the page says it updates itself (and keeps the refresh link).
    expect(page.locator("#refresh-note")).to_contain_text("update on this page by themselves")
    page.evaluate("window.__notReloaded = true")
    # The page updates itself while the worker makes the statement: no reload.
    expect(row.locator(".govuk-tag").first).to_have_text("Ready", timeout=120_000)
    # Its text is not approved: the list says it is a draft.
    expect(row.locator(".govuk-tag[data-draft]")).to_have_text("Draft")
    assert page.evaluate("window.__notReloaded === true")
    expect(page.locator("#runs-announcer")).to_contain_text("is ready to download")
    assert_accessible(page, "(reports, statement ready)")
    # At 320 px the page itself does not scroll sideways (WCAG 1.4.10): the list of reports
    # made scrolls in its own keyboard-reachable, named region.
    wide = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    runs_region = page.get_by_role("region", name="Reports made")
    runs_region.focus()
    assert page.evaluate("document.activeElement.classList.contains('app-table-scroll')")
    assert runs_region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_accessible(page, "(reports, 320px wide)")
    page.set_viewport_size(wide)
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
    with page.expect_download() as info:
        row.get_by_role("link", name=re.compile("^Download CSV of figures")).click()
    assert info.value.suggested_filename == "short-breaks-services-statement-2025-26.csv"
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
    # On a phone the page itself does not scroll sideways: wide tables scroll in their own
    # keyboard-reachable, named region.
    page.set_viewport_size({"width": 320, "height": 640})
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    region = page.get_by_role("region", name="Number of services of each type in each locality")
    region.focus()
    assert page.evaluate("document.activeElement.classList.contains('table-scroll')")
    assert region.evaluate("el => el.scrollWidth > el.clientWidth")
    assert_accessible(page, "(statement web page, 320px wide)")


def test_without_javascript_a_refresh_shows_the_finished_statement(
    browser, live_server, live_user, celery_worker
):
    _records_from_2024(live_server.app)
    user = live_user(Role.COMMISSIONER)
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    try:
        sign_in_page(page, live_server, user.email)
        page.goto(f"{live_server.url}/reports/")
        page.get_by_label("Financial year").select_option(label="2024 to 2025")
        page.get_by_role("button", name="Make the statement").click()
        row = page.locator("#runs tr", has_text="2024 to 2025").first
        expect(row).to_be_visible()
        # No promise of live updates that cannot happen without JavaScript.
        expect(page.get_by_text("update on this page by themselves")).to_have_count(0)
        expect(page.locator("#refresh-note")).to_contain_text("Refresh the page")
        deadline = time.monotonic() + 120
        while row.locator(".govuk-tag").first.inner_text() != "Ready":
            assert time.monotonic() < deadline, "the statement did not finish"
            page.get_by_role("link", name="Refresh the page").click()
            time.sleep(0.5)
        with page.expect_download() as info:
            row.get_by_role("link", name=re.compile("^Download PDF")).click()
        assert info.value.suggested_filename.endswith("2024-25.pdf")
    finally:
        context.close()
