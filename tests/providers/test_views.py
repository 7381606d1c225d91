"""The providers pages: who may do what, the forms and their errors, the directory's filters."""

import datetime as dt
import re

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.roles import Role
from providers.models import Provider, ProviderService
from providers.services import get_provider, get_service

EDITORS = [Role.COMMISSIONER, Role.ADMINISTRATOR]
READERS = [Role.PRACTITIONER, Role.TEAM_MANAGER, Role.FINANCE_OFFICER]


def _provider_form(**overrides):
    data = {
        "name": "Kingfisher Play",
        "kind": "organisation",
        "status": "on_framework",
        "registration_body": "ofsted",
        "registration_number": "SC123456",
        "registration_rating": "good",
        "email": "hello@kingfisher.example.org",
        "postcode": "nb1 2ab",
        "localities": ["north", "east"],
        "direct_payments": "yes",
        "dbs_expires_on": ["31", "3", "2030"],
    }
    data.update(overrides)
    return data


def _service_form(**overrides):
    data = {
        "name": "Saturday Swim",
        "short_break_type": "educational_leisure",
        "tier": "targeted",
        "age_from": "5",
        "age_to": "15",
        "needs": ["MOB", "AUT"],
        "localities": ["north"],
        "runs": ["weekends"],
        "capacity": "10",
        "capacity_unit": "places_per_session",
        "rate": "£12.50",
        "rate_unit": "session",
        "published": "yes",
        "what_it_does": "Swimming lessons with one-to-one support.",
    }
    data.update(overrides)
    return data


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("role", READERS + EDITORS)
def test_every_role_reads_the_directory_provider_and_service(browser_as, make_service, role):
    service_id = make_service(name="Readable Club")
    browser = browser_as(role)
    assert "Readable Club" in browser.get("/providers/").get_data(as_text=True)
    page = browser.get(f"/providers/services/{service_id}").get_data(as_text=True)
    assert "What does the service do?" in page
    assert "Climbing and games for disabled children." in page
    service_page_has_change = "Change this service" in page
    assert service_page_has_change is (role in EDITORS)


@pytest.mark.parametrize("role", READERS)
def test_readers_cannot_change_anything(app, browser_as, make_service, role):
    service_id = make_service()
    with app.app_context():
        provider_id = get_service(service_id).provider_id
    browser = browser_as(role)
    for url in (
        "/providers/framework/new",
        f"/providers/framework/{provider_id}/edit",
        f"/providers/framework/{provider_id}/services/new",
        f"/providers/services/{service_id}/edit",
        f"/providers/services/{service_id}/remove",
        "/providers/import",
    ):
        assert browser.get(url).status_code == 403, url
        assert browser.post(url, _service_form(name="Hacked")).status_code == 403, url
    for url in ("/providers/usage", "/providers/export/providers.csv"):
        assert browser.get(url).status_code == 403, url
    with app.app_context():
        assert get_service(service_id).name != "Hacked"
        assert get_service(service_id) is not None


def test_signed_out_visitors_are_sent_to_sign_in(client, make_service):
    service_id = make_service()
    response = client.get(f"/providers/services/{service_id}")
    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_commissioner_adds_a_provider(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post("/providers/framework/new", _provider_form())
    assert response.status_code == 302, re.findall(
        r'govuk-error-message">(.*?)</p', response.get_data(as_text=True), re.S
    )
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Kingfisher Play added to the framework." in page
    assert "SC123456" in page
    with app.app_context():
        provider = db.session.scalar(select(Provider).where(Provider.name == "Kingfisher Play"))
        assert provider.localities == ["north", "east"]
        assert provider.postcode == "NB1 2AB"
        assert provider.direct_payments is True
        assert provider.dbs_expires_on == dt.date(2030, 3, 31)


def test_empty_provider_form_shows_an_error_for_each_field_and_saves_nothing(app, browser_as):
    browser = browser_as(Role.ADMINISTRATOR)
    response = browser.post("/providers/framework/new", {"status": "on_framework"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<title>Error: Add a provider" in html
    assert "There is a problem" in html
    for message in (
        "Enter the provider&#39;s name",
        "Select the kind of provider",
        "Select yes if direct payment holders can buy from them",
    ):
        assert message in html
    with app.app_context():
        assert _count(Provider) == 0


def test_provider_rules_from_the_service_layer_show_on_the_field(app, browser_as, make_provider):
    make_provider(name="Kingfisher Play")
    browser = browser_as(Role.COMMISSIONER)
    html = browser.post("/providers/framework/new", _provider_form()).get_data(as_text=True)
    assert "A provider with this name is already on the framework" in html
    assert 'href="#name"' in html
    html = browser.post(
        "/providers/framework/new", _provider_form(name="Other", postcode="12345")
    ).get_data(as_text=True)
    assert "Enter a real postcode" in html
    html = browser.post(
        "/providers/framework/new",
        _provider_form(name="Other", dbs_expires_on=["31", "13", "2030"]),
    ).get_data(as_text=True)
    assert "must be a real date" in html
    with app.app_context():
        assert _count(Provider) == 1


def test_commissioner_adds_a_service_with_a_rate_in_pounds(app, browser_as, make_provider):
    provider_id = make_provider()
    browser = browser_as(Role.COMMISSIONER)
    form_page = browser.get(f"/providers/framework/{provider_id}/services/new")
    assert "What does the service do?" in form_page.get_data(as_text=True)
    response = browser.post(f"/providers/framework/{provider_id}/services/new", _service_form())
    assert response.status_code == 302
    page = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert "Saturday Swim added." in page
    assert "£12.50 per session" in page
    with app.app_context():
        service = db.session.scalar(select(ProviderService))
        assert service.rate_pence == 1250
        assert service.needs == ["MOB", "AUT"]
        assert service.published is True


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"name": ""}, "Enter the service&#39;s name"),
        ({"rate": "12.5.0"}, "Enter the rate in pounds and pence, like 12.50"),
        ({"age_from": "x"}, "Youngest age must be a whole number from 0 to 25"),
        ({"age_from": "12", "age_to": "6"}, "Oldest age must be the same as or more"),
        ({"needs": []}, "Select at least one need the service caters for"),
        ({"localities": []}, "Select at least one locality"),
        ({"capacity": "lots"}, "Capacity must be a whole number"),
        ({"what_it_does": ""}, "Answer &#39;What does the service do?&#39; before publishing"),
    ],
)
def test_service_form_errors_save_nothing(app, browser_as, make_provider, changes, message):
    provider_id = make_provider()
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post(
        f"/providers/framework/{provider_id}/services/new", _service_form(**changes)
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in html
    assert message in html
    with app.app_context():
        assert _count(ProviderService) == 0


def test_editing_a_service_and_a_stale_edit(app, browser_as, make_service):
    service_id = make_service(name="Old name")
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/services/{service_id}/edit").get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    assert 'value="Old name"' in page
    response = browser.post(
        f"/providers/services/{service_id}/edit", _service_form(name="New name", version=version)
    )
    assert response.status_code == 302
    with app.app_context():
        assert get_service(service_id).name == "New name"
    # The same (now stale) version again: refused, nothing changes.
    html = browser.post(
        f"/providers/services/{service_id}/edit", _service_form(name="Newer", version=version)
    ).get_data(as_text=True)
    assert "Someone else changed this service" in html
    with app.app_context():
        assert get_service(service_id).name == "New name"


def test_removing_a_service_asks_first(app, browser_as, make_service):
    service_id = make_service(name="Doomed Club")
    browser = browser_as(Role.ADMINISTRATOR)
    page = browser.get(f"/providers/services/{service_id}/remove").get_data(as_text=True)
    assert "Are you sure you want to remove Doomed Club?" in page
    with app.app_context():
        assert get_service(service_id) is not None
    response = browser.post(f"/providers/services/{service_id}/remove")
    assert response.status_code == 302
    assert "Doomed Club removed" in browser.get(response.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        assert get_service(service_id) is None


def test_provider_page_and_list_flag_expired_checks(app, browser_as, make_provider):
    today = dt.date.today()
    provider_id = make_provider(
        name="Lapsed Ltd",
        dbs_expires_on=today - dt.timedelta(days=3),
        insurance_expires_on=today + dt.timedelta(days=10),
    )
    make_provider(name="Fine Ltd", dbs_expires_on=today + dt.timedelta(days=300))
    browser = browser_as(Role.FINANCE_OFFICER)
    page = browser.get(f"/providers/framework/{provider_id}").get_data(as_text=True)
    assert "DBS check expired on" in page
    assert "Insurance expires on" in page
    listing = browser.get("/providers/framework?flagged=1").get_data(as_text=True)
    assert "Lapsed Ltd" in listing and "Fine Ltd" not in listing
    assert "DBS check expired" in listing


def test_directory_filters_are_a_get_form(browser_as, make_provider, make_service):
    dp = make_provider(direct_payments=True)
    make_service(dp, name="Alpha Swim", age_from=4, age_to=10, needs=["MOB"], localities=["north"])
    make_service(
        name="Beta Nights",
        age_from=11,
        age_to=18,
        needs=["AUT"],
        localities=["south"],
        short_break_type="overnight_elsewhere",
        tier="specialist",
    )
    browser = browser_as(Role.PRACTITIONER)

    def found(query):
        html = browser.get("/providers/?" + query).get_data(as_text=True)
        return {n for n in ("Alpha Swim", "Beta Nights") if n in html}

    assert found("") == {"Alpha Swim", "Beta Nights"}
    assert found("q=swim") == {"Alpha Swim"}
    assert found("age=12") == {"Beta Nights"}
    assert found("locality=north") == {"Alpha Swim"}
    assert found("need=AUT") == {"Beta Nights"}
    assert found("short_break_type=overnight_elsewhere") == {"Beta Nights"}
    assert found("tier=targeted") == {"Alpha Swim"}
    assert found("direct_payments=y") == {"Alpha Swim"}
    assert found("tier=specialist&direct_payments=y") == set()
    html = browser.get("/providers/?age=old").get_data(as_text=True)
    assert "Age must be a whole number from 0 to 25" in html
    assert "Alpha Swim" not in html


def test_directory_is_paginated(browser_as, make_provider, make_service):
    provider_id = make_provider()
    for n in range(30):
        make_service(provider_id, name=f"Club {n:02d}")
    browser = browser_as(Role.PRACTITIONER)
    first = browser.get("/providers/").get_data(as_text=True)
    assert "30 services" in first
    assert "Club 00" in first and "Club 29" not in first
    assert "page=2" in first
    second = browser.get("/providers/?page=2").get_data(as_text=True)
    assert "Club 29" in second and "Club 00" not in second


def test_usage_page_shows_gaps_and_capacity(browser_as, make_service):
    make_service(name="Only Club", localities=["north"], capacity=7, needs=["MOB"])
    browser = browser_as(Role.COMMISSIONER)
    html = browser.get("/providers/usage").get_data(as_text=True)
    assert "Gaps by locality" in html
    assert "Only Club" in html
    assert "7 places per session" in html
    south_row = html[html.index("Southmere") : html.index("Southmere") + 2000]
    assert "Educational or leisure activities outside the home" in south_row


def test_unknown_records_are_not_found(browser_as):
    browser = browser_as(Role.COMMISSIONER)
    assert browser.get("/providers/framework/999999").status_code == 404
    assert browser.get("/providers/services/999999").status_code == 404
    assert browser.get("/providers/services/999999/edit").status_code == 404
    assert browser.get("/providers/export/children.csv").status_code == 404


def test_provider_edit_keeps_what_was_there(app, browser_as, make_provider):
    provider_id = make_provider(name="Steady Ltd", localities=["east"], direct_payments=True)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    assert 'value="Steady Ltd"' in page
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    response = browser.post(
        f"/providers/framework/{provider_id}/edit",
        _provider_form(name="Steady Ltd", status="suspended", version=version),
    )
    assert response.status_code == 302
    with app.app_context():
        assert get_provider(provider_id).status == "suspended"


def test_tables_link_to_records_and_escape_names(browser_as, make_provider, make_service):
    provider_id = make_provider(name="<b>Bold</b> & Co")
    service_id = make_service(provider_id, name="<i>Club</i>")
    browser = browser_as(Role.COMMISSIONER)
    for url, link in (
        (f"/providers/framework/{provider_id}", f'href="/providers/services/{service_id}"'),
        ("/providers/framework", f'href="/providers/framework/{provider_id}"'),
        ("/providers/usage", f'href="/providers/services/{service_id}"'),
        (f"/providers/services/{service_id}", f'href="/providers/framework/{provider_id}"'),
    ):
        html = browser.get(url).get_data(as_text=True)
        assert f'<a class="govuk-link" {link}>' in html, url
        assert "&lt;a class" not in html, url
        assert "<i>Club</i>" not in html and "<b>Bold</b>" not in html, url
