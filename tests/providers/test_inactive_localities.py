"""A locality an administrator no longer uses: a provider or service that has it keeps it when
it is saved again (its edit form offers it, ticked, marked as no longer in use, and it may be
unticked); a record that does not have it, or a new one, cannot be given it, by a form or by a
CSV import."""

import re
from html import unescape

from sqlalchemy import select

from core.extensions import db
from core.models import ReferenceValue
from core.roles import Role
from providers import csv_io
from providers.models import Provider
from providers.services import ProviderError, get_provider, get_service, update_provider
from tests.providers.conftest import provider_data
from tests.providers.test_form_saves import (
    _errors,
    _provider_post,
    _service_post,
    _version_and_loaded,
)
from tests.providers.test_views import _provider_form, _service_form

NO_LONGER = "Northbrook (no longer in use)"


def _stop_using(app, code="north"):
    """What an administrator does at /admin/localities/<id>/edit by unticking Active."""
    with app.app_context():
        row = db.session.scalar(
            select(ReferenceValue).where(
                ReferenceValue.kind == "locality", ReferenceValue.code == code
            )
        )
        row.active = False
        db.session.commit()


def _locality_boxes(page: str) -> dict[str, tuple[str, bool]]:
    """The form's locality checkboxes: {value: (label, ticked)}."""
    boxes = {}
    for tag in re.findall(r'<input[^>]*name="localities"[^>]*>', page):
        value = re.search(r'value="([^"]*)"', tag).group(1)
        box_id = re.search(r'id="([^"]*)"', tag).group(1)
        label = re.search(rf'<label[^>]*for="{re.escape(box_id)}"[^>]*>(.*?)</label>', page, re.S)
        boxes[value] = (unescape(label.group(1)).strip(), " checked" in tag)
    return boxes


def _ticked(page: str) -> list[str]:
    """The localities a browser sends back for the form as it stands."""
    return [value for value, (_label, ticked) in _locality_boxes(page).items() if ticked]


# --- Providers: the edit form -----------------------------------------------------------------


def test_saving_a_provider_keeps_a_locality_no_longer_in_use(app, browser_as, make_provider):
    provider_id = make_provider(localities=["north", "east"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    boxes = _locality_boxes(page)
    assert boxes["north"] == (NO_LONGER, True)
    assert boxes["east"] == ("Eastfield", True)
    with app.app_context():
        post = _provider_post(get_provider(provider_id))
    post |= {"notes": "Contract renewed", "localities": _ticked(page)}
    response = browser.post(
        f"/providers/framework/{provider_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        provider = get_provider(provider_id)
        assert provider.notes == "Contract renewed"
        assert provider.localities == ["north", "east"]
    detail = browser.get(f"/providers/framework/{provider_id}").get_data(as_text=True)
    assert "Northbrook" in detail


def test_a_locality_no_longer_in_use_can_be_unticked(app, browser_as, make_provider):
    provider_id = make_provider(localities=["north", "east"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    with app.app_context():
        post = _provider_post(get_provider(provider_id))
    post["localities"] = ["east"]
    response = browser.post(
        f"/providers/framework/{provider_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        assert get_provider(provider_id).localities == ["east"]
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    assert "north" not in _locality_boxes(page)
    assert "Northbrook" not in page


def test_a_locality_no_longer_in_use_is_not_offered_to_a_provider_without_it(
    app, browser_as, make_provider
):
    provider_id = make_provider(localities=["east"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    for url in ("/providers/framework/new", f"/providers/framework/{provider_id}/edit"):
        page = browser.get(url).get_data(as_text=True)
        assert "north" not in _locality_boxes(page), url
        assert "east" in _locality_boxes(page), url
        assert "Northbrook" not in page, url


def test_a_locality_no_longer_in_use_cannot_be_added_by_a_form(app, browser_as, make_provider):
    provider_id = make_provider(localities=["east"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.post(
        "/providers/framework/new", _provider_form(localities=["north", "east"])
    ).get_data(as_text=True)
    assert "Select localities from the list" in _errors(page)
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    with app.app_context():
        post = _provider_post(get_provider(provider_id))
    post["localities"] = ["north", "east"]
    page = browser.post(
        f"/providers/framework/{provider_id}/edit", {**post, **_version_and_loaded(page)}
    ).get_data(as_text=True)
    assert "Select localities from the list" in _errors(page)
    with app.app_context():
        assert get_provider(provider_id).localities == ["east"]
        assert db.session.scalar(select(Provider).where(Provider.name == "Kingfisher Play")) is None


def test_the_rules_refuse_adding_a_locality_no_longer_in_use(app, make_provider):
    provider_id = make_provider(localities=["east"])
    _stop_using(app)
    with app.app_context():
        provider = get_provider(provider_id)
        data = {**provider_data(name=provider.name), "localities": ["north", "east"]}
        try:
            update_provider(provider, data)
        except ProviderError as exc:
            assert ("localities", "Northbrook is no longer in use: choose another locality") in (
                exc.problems
            )
        else:
            raise AssertionError("a locality no longer in use was added")


# --- Services: the edit form and a new service ------------------------------------------------


def test_saving_a_service_keeps_a_locality_no_longer_in_use(app, browser_as, make_service):
    service_id = make_service(localities=["north", "coast"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/services/{service_id}/edit").get_data(as_text=True)
    assert _locality_boxes(page)["north"] == (NO_LONGER, True)
    with app.app_context():
        post = _service_post(get_service(service_id))
    post |= {"venue_name": "Sports hall", "localities": _ticked(page)}
    response = browser.post(
        f"/providers/services/{service_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        service = get_service(service_id)
        assert service.venue_name == "Sports hall"
        assert service.localities == ["north", "coast"]


def test_a_new_service_is_not_offered_its_providers_locality_no_longer_in_use(
    app, browser_as, make_provider
):
    provider_id = make_provider(localities=["north", "east"])
    _stop_using(app)
    browser = browser_as(Role.COMMISSIONER)
    url = f"/providers/framework/{provider_id}/services/new"
    page = browser.get(url).get_data(as_text=True)
    assert "north" not in _locality_boxes(page)
    assert _locality_boxes(page)["east"] == ("Eastfield", True)
    page = browser.post(url, _service_form(localities=["north"])).get_data(as_text=True)
    assert "Select localities from the list" in _errors(page)


# --- The CSV import ---------------------------------------------------------------------------


def _import(app, what, content):
    with app.app_context():
        result = csv_io.import_csv(what, content.encode())
        db.session.commit()
        return result


def test_an_import_keeps_a_locality_no_longer_in_use_that_the_record_has(
    app, make_provider, make_service
):
    provider_id = make_provider(localities=["north", "east"])
    service_id = make_service(provider_id, localities=["north"])
    _stop_using(app)
    with app.app_context():
        provider, service = get_provider(provider_id), get_service(service_id)
        ids = provider.public_id, service.public_id
    result = _import(app, "providers", f"id,localities,notes\r\n{ids[0]},north;east,Renewed\r\n")
    assert result.ok, result.errors
    result = _import(app, "services", f"id,localities,venue_name\r\n{ids[1]},Northbrook,Hall\r\n")
    assert result.ok, result.errors
    # A row that leaves the localities out keeps them too.
    result = _import(app, "providers", f"id,notes\r\n{ids[0]},Renewed again\r\n")
    assert result.ok, result.errors
    with app.app_context():
        assert get_provider(provider_id).localities == ["north", "east"]
        assert get_provider(provider_id).notes == "Renewed again"
        assert get_service(service_id).localities == ["north"]
        assert get_service(service_id).venue_name == "Hall"


def test_an_import_cannot_add_a_locality_no_longer_in_use(app, make_provider, make_service):
    provider_id = make_provider(name="Heron Club", localities=["east"])
    service_id = make_service(provider_id, localities=["east"])
    _stop_using(app)
    with app.app_context():
        ids = get_provider(provider_id).public_id, get_service(service_id).public_id
    reason = "Northbrook is no longer in use: choose another locality (column localities)"
    result = _import(app, "providers", f"id,localities\r\n{ids[0]},east;north\r\n")
    assert result.errors == [(2, reason)]
    result = _import(app, "providers", "name,kind,localities\r\nKite Club,organisation,north\r\n")
    assert result.errors == [(2, reason)]
    result = _import(app, "services", f"id,localities\r\n{ids[1]},east;Northbrook\r\n")
    assert result.errors == [(2, reason)]
    with app.app_context():
        assert get_provider(provider_id).localities == ["east"]
        assert get_service(service_id).localities == ["east"]
        assert db.session.scalar(select(Provider).where(Provider.name == "Kite Club")) is None


def test_the_directory_still_finds_services_in_a_locality_no_longer_in_use(
    app, browser_as, make_service
):
    make_service(name="Alpha Swim", localities=["north"])
    _stop_using(app)
    html = browser_as(Role.PRACTITIONER).get("/providers/?locality=north").get_data(as_text=True)
    assert "There is a problem" not in html and "Alpha Swim" in html
    assert NO_LONGER in unescape(html)  # offered in the filter, marked
