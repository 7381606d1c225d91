"""Journeys through the core pages in a real browser, each page checked with axe-core."""

import re

import pytest
from playwright.sync_api import expect

from core.roles import Role
from tests.browser.conftest import assert_accessible, sign_in_page
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_page_is_accessible_and_shows_errors(page, live_server, console_errors):
    page.goto(f"{live_server.url}/sign-in")
    expect(page).to_have_title(re.compile("^Sign in"))
    assert_accessible(page)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile("^Error: Sign in"))
    # The error summary takes focus, as the Design System asks (needs the JS, so no CSP errors).
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    assert_accessible(page, "(with errors)")
    assert not [e for e in console_errors if "Content Security Policy" in e]


def test_each_role_sees_only_its_navigation(page, live_server, live_user):
    expected = {
        Role.PRACTITIONER: {"Cases", "Assessments", "Direct payments", "Providers"},
        Role.FINANCE_OFFICER: {"Direct payments", "Providers"},
        Role.COMMISSIONER: {"Providers", "Reports"},
        Role.ADMINISTRATOR: {"Providers", "Eligibility criteria", "Users", "Audit log"},
    }
    for role, labels in expected.items():
        labels = labels | {"Change password"}  # every signed-in person's own account
        user = live_user(role)
        page.context.clear_cookies()
        sign_in_page(page, live_server, user.email)
        page.goto(f"{live_server.url}/?menu=1")
        nav = page.locator(".govuk-service-navigation__list a")
        assert set(nav.all_inner_texts()) == labels, role
        assert_accessible(page, f"(home, {role.value})")
        # Every page in the navigation opens for this role and passes axe.
        hrefs = [a.get_attribute("href") for a in nav.all()]
        for href in hrefs:
            response = page.goto(f"{live_server.url}{href}")
            assert response.status == 200, (role, href)
            assert_accessible(page, f"({href}, {role.value})")
        # At 320px no page scrolls sideways (WCAG 1.4.10): wide tables scroll in a region.
        page.set_viewport_size({"width": 320, "height": 640})
        for href in hrefs:
            page.goto(f"{live_server.url}{href}")
            assert page.evaluate("document.documentElement.scrollWidth") <= 320, (role, href)
        page.set_viewport_size({"width": 1280, "height": 720})


def test_administrator_adds_a_user_who_can_then_sign_in(page, live_server, live_user):
    admin = live_user(Role.ADMINISTRATOR)
    sign_in_page(page, live_server, admin.email)
    page.locator(".govuk-service-navigation").get_by_role("link", name="Users").click()
    assert_accessible(page, "(users)")
    page.get_by_role("button", name="Add a user").click()
    assert_accessible(page, "(add user)")
    page.get_by_role("button", name="Save user").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "(add user, errors)")
    page.get_by_label("Full name").fill("Nadia Newstarter")
    page.get_by_label("Email address").fill("nadia.newstarter@example.gov.uk")
    page.get_by_label("Practitioner").check()
    page.locator("#password").fill("a long enough initial password")
    page.get_by_role("button", name="Save user").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("added")
    assert_accessible(page, "(user detail)")
    detail_url = page.url
    page.get_by_role("link", name="Change name, roles and teams").click()
    assert_accessible(page, "(edit user)")
    page.goto(detail_url)
    page.get_by_role("button", name="Set a new password").click()
    page.get_by_role("button", name="Set password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "(set password, errors)")
    page.goto(detail_url)
    page.get_by_role("button", name="Disable user").click()
    expect(page.locator("h1")).to_contain_text("Are you sure")
    assert_accessible(page, "(disable confirmation)")
    page.goto(f"{live_server.url}/account/password")
    assert_accessible(page, "(change own password)")
    page.locator(".govuk-service-navigation").get_by_role("link", name="Audit log").click()
    expect(page.locator("table")).to_contain_text("nadia.newstarter@example.gov.uk")
    assert_accessible(page, "(audit log)")
    page.goto(f"{live_server.url}/admin/health")
    assert_accessible(page, "(health)")
    page.goto(f"{live_server.url}/admin/teams")
    assert_accessible(page, "(teams)")
    page.get_by_role("button", name="Add a team").click()
    assert_accessible(page, "(add team)")
    page.goto(f"{live_server.url}/admin/localities")
    assert_accessible(page, "(localities)")
    page.get_by_role("button", name="Add a locality").click()
    page.get_by_role("button", name="Save locality").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "(add locality, errors)")

    page.context.clear_cookies()
    sign_in_page(
        page, live_server, "nadia.newstarter@example.gov.uk", "a long enough initial password"
    )
    expect(page.locator("h1")).to_have_text("My caseload")  # a practitioner lands on it


def test_error_pages_are_accessible(signed_in_page, live_server):
    page, _ = signed_in_page(Role.PRACTITIONER)
    page.goto(f"{live_server.url}/no-such-page")
    expect(page.locator("h1")).to_have_text("Page not found")
    assert_accessible(page, "(404)")
    page.goto(f"{live_server.url}/admin/users")
    expect(page.locator("h1")).to_have_text("You do not have permission to see this page")
    assert_accessible(page, "(403)")
    page.goto(f"{live_server.url}/session/extend")  # a form's address, opened directly
    expect(page.locator("h1")).to_have_text("This page cannot be opened directly")
    assert_accessible(page, "(405)")
    # A typed /sign-out asks for the button rather than failing.
    page.goto(f"{live_server.url}/sign-out")
    assert_accessible(page, "(sign out)")
    page.locator("main").get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You have signed out")


def test_timeout_warning_lets_a_person_stay_signed_in(signed_in_page, live_server, monkeypatch):
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_MINUTES", 1)
    monkeypatch.setitem(live_server.app.config, "SESSION_WARNING_SECONDS", 57)
    page, _ = signed_in_page(Role.COMMISSIONER)
    page.goto(f"{live_server.url}/?menu=1")
    dialog = page.get_by_role("dialog", name="You will be signed out soon")
    expect(dialog).to_be_visible(timeout=10_000)
    expect(page.get_by_role("button", name="Stay signed in")).to_be_focused()
    assert_accessible(page, "(timeout warning)")
    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(page.locator("h1")).to_be_visible()
    assert "/sign-in" not in page.url


def test_what_was_typed_is_kept_when_the_idle_timeout_signs_the_person_out(
    page, live_server, live_user, monkeypatch
):
    """The practitioners' complaint of other systems: work lost on timeout. Here the idle
    sign-out keeps the form's contents in the tab and puts them back after signing in."""
    admin = live_user(Role.ADMINISTRATOR)
    sign_in_page(page, live_server, admin.email)
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_MINUTES", 0.05)  # 3 seconds
    monkeypatch.setitem(live_server.app.config, "SESSION_WARNING_SECONDS", 1)
    page.goto(f"{live_server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Half Typed")
    page.get_by_label("Email address").fill("half.typed@example.gov.uk")
    expect(page).to_have_url(re.compile(r"/sign-in\?expired=1"), timeout=15_000)
    expect(page.locator("[data-drafts-kept]")).to_be_visible()
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_MINUTES", 30)
    page.get_by_label("Email address").fill(admin.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    expect(page.locator("#app-draft-restored")).to_be_focused()
    expect(page.get_by_label("Full name")).to_have_value("Half Typed")
    expect(page.get_by_label("Email address")).to_have_value("half.typed@example.gov.uk")
    assert_accessible(page, "(draft put back)")
    # Put back once: opening the page again shows an empty form.
    page.reload()
    expect(page.get_by_label("Full name")).to_have_value("")


def test_a_form_sent_after_the_session_ended_is_kept_for_the_same_person_only(
    page, live_server, live_user
):
    from core.extensions import db
    from core.models import WebSession

    admin = live_user(Role.ADMINISTRATOR)
    other = live_user(Role.ADMINISTRATOR)
    sign_in_page(page, live_server, admin.email)
    page.goto(f"{live_server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Sent Too Late")
    with live_server.app.app_context():  # the session ends on the server (e.g. another tab)
        db.session.execute(db.delete(WebSession))
        db.session.commit()
    page.get_by_role("button", name="Save user").click()
    expect(page.get_by_role("heading", name="Your form could not be sent")).to_be_visible()
    expect(page.locator("[data-drafts-kept]")).to_be_visible()
    assert_accessible(page, "(form refused after sign-out)")
    page.get_by_role("link", name="Sign in again").click()
    # Someone else signing in on this tab does not get it...
    page.get_by_label("Email address").fill(other.email)
    page.locator("#password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/admin/users/new$"))
    expect(page.get_by_label("Full name")).to_have_value("")
    assert page.evaluate("sessionStorage.getItem('app-drafts')") is None


def test_every_administration_page_is_linked_from_the_others_and_accessible(
    page, live_server, live_user
):
    admin = live_user(Role.ADMINISTRATOR)
    sign_in_page(page, live_server, admin.email)
    page.goto(f"{live_server.url}/admin/users")
    subnav = page.get_by_role("navigation", name="Administration pages")
    labels = subnav.get_by_role("link").all_inner_texts()
    assert labels == [
        "Users",
        "Teams",
        "Localities",
        "Sign-in blocks",
        "Audit log",
        "System health",
    ]
    for label in labels:
        page.get_by_role("navigation", name="Administration pages").get_by_role(
            "link", name=label
        ).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(label)
        assert_accessible(page, f"({label})")


def test_an_idle_tab_stays_while_another_tab_keeps_the_session_alive(
    page, live_server, live_user, monkeypatch
):
    import time
    from datetime import timedelta

    import core.sessions

    admin = live_user(Role.ADMINISTRATOR)
    sign_in_page(page, live_server, admin.email)
    monkeypatch.setattr(core.sessions, "TOUCH_EVERY", timedelta(0))  # every request is activity
    monkeypatch.setitem(live_server.app.config, "SESSION_IDLE_MINUTES", 0.1)  # 6 seconds
    monkeypatch.setitem(live_server.app.config, "SESSION_WARNING_SECONDS", 2)
    page.goto(f"{live_server.url}/admin/users/new")
    page.get_by_label("Full name").fill("Typed in the quiet tab")
    other = page.context.new_page()
    for _ in range(9):  # the person works in another tab for longer than the idle time
        other.goto(f"{live_server.url}/admin/users")
        time.sleep(1)
    assert page.url.endswith("/admin/users/new")
    expect(page.get_by_label("Full name")).to_have_value("Typed in the quiet tab")
    other.close()
    # Then nothing happens anywhere: the quiet tab is signed out after all.
    expect(page).to_have_url(re.compile(r"/sign-in\?expired=1"), timeout=20_000)
