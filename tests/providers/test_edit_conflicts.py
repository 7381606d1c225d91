"""Two people editing the same provider or service: the second is told what the first changed,
keeps what they typed, and can save again on purpose."""

import re

from core.extensions import db
from core.roles import Role
from providers.services import (
    PROVIDER_FIELDS,
    SERVICE_FIELDS,
    get_provider,
    get_service,
    update_provider,
    update_service,
)
from tests.providers.test_views import _provider_form, _service_form


def _hidden(html: str) -> dict:
    return dict(re.findall(r'name="(version|loaded)" type="hidden" value="([^"]*)"', html))


def _summary(html: str) -> list[tuple[str, str]]:
    """(href, text) of each error summary entry."""
    body = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.S).group(1)
    return [
        (href, re.sub(r"<[^>]+>", "", text).strip())
        for href, text in re.findall(r'<a href="([^"]*)">(.*?)</a>', body, re.S)
    ]


def _panel(html: str) -> str:
    start = html.index('id="edit-conflict"')
    return html[start : html.index("<form", start)]


def _meanwhile(app, getter, updater, record_id, fields, **changes):
    """Someone else saves changes to the record."""
    with app.app_context():
        record = getter(record_id)
        updater(record, {**{f: getattr(record, f) for f in fields}, **changes})
        db.session.commit()


def test_service_conflict_keeps_my_answers_shows_theirs_and_saves_on_purpose(
    app, browser_as, make_service
):
    service_id = make_service(name="Old name", capacity=12, rate_pence=1250)
    url = f"/providers/services/{service_id}/edit"
    browser = browser_as(Role.COMMISSIONER)
    opened = _hidden(browser.get(url).get_data(as_text=True))
    _meanwhile(
        app, get_service, update_service, service_id, SERVICE_FIELDS, name="Their name", capacity=20
    )

    mine = _service_form(name="My name", capacity="12", rate="15.00")
    response = browser.post(url, {**mine, **opened})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: " in html
    # One message, in the error summary, linking to the explanation on the page.
    assert _summary(html) == [
        ("#edit-conflict", "Someone else changed this service while you were editing it")
    ]
    assert html.count("Someone else changed this service") == 1
    panel = _panel(html)
    assert "Service name" in panel and "Their name" in panel
    assert "Capacity" in panel and "20" in panel
    assert "Rate" not in panel  # they did not change it
    assert "Your changes have not been saved" in panel
    # What I typed is still in the form, and the form now carries the saved version.
    assert 'value="My name"' in html and 'value="15.00"' in html
    shown = _hidden(html)
    with app.app_context():
        assert get_service(service_id).name == "Their name"
        assert shown["version"] == str(get_service(service_id).version) != opened["version"]

    # Saving again is a deliberate choice: it now succeeds with my answers.
    response = browser.post(url, {**mine, **shown})
    assert response.status_code == 302
    with app.app_context():
        service = get_service(service_id)
        assert (service.name, service.rate_pence, service.capacity) == ("My name", 1500, 12)


def test_provider_conflict_shows_their_changes_and_can_be_resolved(app, browser_as, make_provider):
    provider_id = make_provider(name="Steady Ltd", localities=["east"], phone="01632 960000")
    url = f"/providers/framework/{provider_id}/edit"
    browser = browser_as(Role.COMMISSIONER)
    opened = _hidden(browser.get(url).get_data(as_text=True))
    _meanwhile(
        app,
        get_provider,
        update_provider,
        provider_id,
        PROVIDER_FIELDS,
        phone="01632 969999",
        localities=["east", "coast"],
    )

    mine = _provider_form(name="Steady Ltd", status="suspended", localities=["east"])
    html = browser.post(url, {**mine, **opened}).get_data(as_text=True)
    assert _summary(html) == [
        ("#edit-conflict", "Someone else changed this provider while you were editing it")
    ]
    assert html.count("Someone else changed this provider") == 1
    panel = _panel(html)
    assert "Telephone" in panel and "01632 969999" in panel
    assert "Localities served" in panel and "Eastfield, Saltcoast" in panel
    assert "Status" not in panel
    assert 'value="suspended" checked' in html or 'checked value="suspended"' in html

    response = browser.post(url, {**mine, **_hidden(html)})
    assert response.status_code == 302
    with app.app_context():
        provider = get_provider(provider_id)
        assert provider.status == "suspended" and provider.localities == ["east"]


def test_a_conflict_without_what_was_loaded_still_lists_the_differences(
    app, browser_as, make_service
):
    service_id = make_service(name="Old name")
    url = f"/providers/services/{service_id}/edit"
    browser = browser_as(Role.COMMISSIONER)
    version = _hidden(browser.get(url).get_data(as_text=True))["version"]
    _meanwhile(app, get_service, update_service, service_id, SERVICE_FIELDS, name="Their name")
    html = browser.post(url, _service_form(name="My name", version=version)).get_data(as_text=True)
    assert "Their name" in _panel(html)
    assert 'value="My name"' in html
