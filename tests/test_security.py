"""Security headers on every response; error pages that reveal nothing internal."""

import pytest

from core.roles import Role


def test_headers_on_a_signed_in_page(browser_as):
    browser = browser_as(Role.ADMINISTRATOR)
    response = browser.get("/admin/users")
    h = response.headers
    csp = h["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    html = response.get_data(as_text=True)
    # Every inline script carries this response's nonce.
    assert html.count("<script") == html.count(f'nonce="{nonce}"')
    assert h["Strict-Transport-Security"].startswith("max-age=")
    assert h["X-Content-Type-Options"] == "nosniff"
    assert h["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert h["Cache-Control"] == "no-store"


def test_nonce_changes_with_every_response(client):
    first = client.get("/sign-in").headers["Content-Security-Policy"]
    second = client.get("/sign-in").headers["Content-Security-Policy"]
    assert first != second


def test_static_assets_may_be_cached(client):
    response = client.get("/static/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert client.get("/assets/images/favicon.svg").status_code == 200


def test_static_path_traversal_is_refused(client):
    assert client.get("/static/../core/config.py").status_code == 404
    assert client.get("/static/vendor/../../pyproject.toml").status_code == 404


def test_session_cookie_flags(app, make_user):
    from tests.conftest import sign_in

    user = make_user(Role.PRACTITIONER)
    client = app.test_client()
    response = sign_in(client, user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_cookies_are_secure():
    from core import config

    assert config.load({"APP_ENV": "production", "SECRET_KEY": "x" * 40})["SESSION_COOKIE_SECURE"]
    assert not config.load({"APP_ENV": "development"})["SESSION_COOKIE_SECURE"]


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    from core import config

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    with pytest.raises(config.ConfigurationError, match="SECRET_KEY must be set"):
        config.load()


def test_the_safest_environment_is_the_default(monkeypatch):
    from core import config

    monkeypatch.delenv("APP_ENV", raising=False)
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    assert config.load()["APP_ENV"] == "production"
    monkeypatch.setenv("APP_ENV", "staging")
    with pytest.raises(config.ConfigurationError):
        config.load()


def test_500_page_reveals_nothing(app, browser_as, monkeypatch):
    browser = browser_as(Role.ADMINISTRATOR)
    original = app.view_functions["admin.team_list"]

    def boom():
        raise RuntimeError("secret internal detail: password=hunter2")

    boom.access_rule = original.access_rule
    monkeypatch.setitem(app.view_functions, "admin.team_list", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = browser.get("/admin/teams")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "secret internal detail" not in html
    assert "Traceback" not in html


def test_404_and_400_pages(browser_as):
    browser = browser_as(Role.PRACTITIONER)
    response = browser.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)
    response = browser.get("/admin/audit?q=%00")
    assert response.status_code in (400, 403)


def test_nul_bytes_in_a_form_are_a_bad_request_not_a_crash(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.post("/admin/teams/new", {"name": "Bad\x00team"})
    assert response.status_code == 400


def test_a_request_that_fails_saves_nothing(app, browser_as, monkeypatch):
    from sqlalchemy import select

    from core.extensions import db
    from core.models import Team
    from core.users import create_team

    browser = browser_as(Role.ADMINISTRATOR)
    original = app.view_functions["admin.team_list"]

    def half_done():
        create_team("Half-saved team")  # flushed to the database...
        raise RuntimeError("...then the request fails")

    half_done.access_rule = original.access_rule
    monkeypatch.setitem(app.view_functions, "admin.team_list", half_done)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    assert browser.get("/admin/teams").status_code == 500
    with app.app_context():
        assert db.session.scalar(select(Team).where(Team.name == "Half-saved team")) is None


def test_published_open_data_may_be_cached_but_pages_may_not(client):
    api = client.get("/openreferral/services")
    assert api.status_code == 200
    assert api.headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/sign-in").headers["Cache-Control"] == "no-store"


def test_a_refused_form_page_keeps_its_scripts_under_the_policy(client):
    """A CSRF refusal is a full page: its CSP nonce is set and matches its scripts."""
    import re

    response = client.post("/sign-in", data={"email": "x", "password": "y"})
    assert response.status_code == 400
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    assert nonce and f'nonce="{nonce}"' in response.get_data(as_text=True)
    assert response.headers["X-Request-Id"]


@pytest.mark.parametrize(
    "url", ["/admin/users?q=a%00", "/admin/audit?q=a%00", "/admin/users?a%00=1"]
)
def test_nul_bytes_in_a_query_are_a_bad_request_not_a_crash(browser_as, url):
    admin = browser_as(Role.ADMINISTRATOR)
    assert admin.get(url).status_code == 400


def test_a_client_cannot_choose_the_request_id_written_to_the_audit_log(client, monkeypatch, app):
    forged = {"X-Request-Id": "forged-request-id-0001"}
    assert client.get("/sign-in", headers=forged).headers["X-Request-Id"] != forged["X-Request-Id"]
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)  # set by the proxy in front: kept
    assert client.get("/sign-in", headers=forged).headers["X-Request-Id"] == forged["X-Request-Id"]
    bad = {"X-Request-Id": "<b>x</b>"}
    assert client.get("/sign-in", headers=bad).headers["X-Request-Id"] != bad["X-Request-Id"]


def test_front_end_packages_are_not_served_whole(client):
    assert client.get("/static/vendor/.package-lock.json").status_code == 404
    assert client.get("/static/vendor/axe-core/package.json").status_code == 404


def test_opening_an_address_meant_for_a_form_says_so_plainly(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.get("/admin/sign-in-blocks/lift")
    assert response.status_code == 405
    page = response.get_data(as_text=True)
    assert "This page cannot be opened directly" in page and "Nothing has been changed" in page
