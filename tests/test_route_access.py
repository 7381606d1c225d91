"""Every route declares who may use it (core.access); this walk fails on any that does not."""

from core.access import ACCESS_ATTR
from core.roles import Role

PUBLIC_ALLOWED = {
    "auth.sign_in",
    "auth.signed_out",
    "auth.sign_out_page",
    "auth.health_live",
    "static",
    "govuk_assets",
}


def test_every_endpoint_declares_an_access_rule(app):
    missing = []
    public = set()
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        access = getattr(view, ACCESS_ATTR, None)
        if access is None:
            missing.append(f"{rule.endpoint} ({rule.rule})")
        elif access == ("public",):
            public.add(rule.endpoint)
    assert not missing, "Endpoints without an access rule: " + ", ".join(sorted(missing))
    unexpected = {e for e in public if not e.startswith("openreferral.")} - PUBLIC_ALLOWED
    assert not unexpected, f"Endpoints made public without review: {sorted(unexpected)}"


def _parameterless_get_endpoints(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and not rule.arguments:
            yield rule


def test_signed_out_visitors_are_sent_to_sign_in_from_every_protected_page(app, client):
    for rule in _parameterless_get_endpoints(app):
        access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
        if access == ("public",):
            continue
        response = client.get(rule.rule)
        assert response.status_code == 302, rule.rule
        assert "/sign-in" in response.headers["Location"], rule.rule


def test_each_role_is_refused_every_page_outside_its_rights(app, browser_as):
    for role in Role:
        browser = browser_as(role)
        for rule in _parameterless_get_endpoints(app):
            access = getattr(app.view_functions[rule.endpoint], ACCESS_ATTR)
            if access[0] != "roles":
                continue
            response = browser.get(rule.rule)
            if role.value in access[1]:
                assert response.status_code == 200, (role, rule.rule, response.status_code)
            else:
                assert response.status_code == 403, (role, rule.rule, response.status_code)
