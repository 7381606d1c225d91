"""What the Open Referral API publishes, honestly: contacts without a name, schedules without
invented days, cost text for families, the search over every answer, and which query
parameters it supports (the others are a 400 naming them)."""

# ruff: noqa: F811 (the fixtures imported from test_openreferral are arguments here)

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from core.extensions import db
from providers.services import get_provider, get_service
from tests.providers.test_openreferral import _json, _valid, published, schemas  # noqa: F401


def _service(client, schemas, app, service_id):
    with app.app_context():
        public_id = get_service(service_id).public_id
    return _valid(schemas["service"], _json(client, f"/openreferral/services/{public_id}"))


# --- 4. Contacts ------------------------------------------------------------------------------


def test_a_contact_without_a_name_still_has_its_phone_and_email(
    app,
    client,
    schemas,
    make_provider,
    make_service,
):
    provider_id = make_provider(contact_name="", phone="01632 960555", email="hi@example.org")
    service_id = make_service(provider_id, contact_name="", contact_phone="", contact_email="")
    data = _service(client, schemas, app, service_id)
    (contact,) = [c for c in data["contacts"] if c.get("phones")]
    assert contact["phones"][0]["number"] == "01632 960555"
    assert contact["email"] == "hi@example.org"
    assert "name" not in contact or contact["name"]


def test_a_telephone_saved_before_numbers_were_checked_is_not_published(
    app, client, schemas, make_provider, make_service
):
    provider_id = make_provider(contact_name="", phone="01632 960555", email="hi@example.org")
    service_id = make_service(provider_id, contact_name="", contact_phone="", contact_email="")
    with app.app_context():
        db.session.execute(
            text("UPDATE provider SET phone = 'javascript:alert(1)' WHERE id = :id"),
            {"id": provider_id},
        )
        db.session.commit()
    data = _service(client, schemas, app, service_id)
    assert "javascript" not in str(data)
    (contact,) = [c for c in data["contacts"] if c.get("email")]
    assert "phones" not in contact and contact["email"] == "hi@example.org"


def test_no_contact_details_means_no_contact(app, client, schemas, make_provider, make_service):
    provider_id = make_provider(contact_name="", phone="", email="")
    service_id = make_service(
        provider_id, contact_name="", contact_phone="", contact_email="", who_to_contact=""
    )
    assert _service(client, schemas, app, service_id)["contacts"] == []


# --- 10. Schedules: only what is recorded -----------------------------------------------------


def test_schedules_say_when_it_runs_without_inventing_days_or_times(client, schemas, published):
    data = _valid(schemas["service"], _json(client, f"/openreferral/services/{published['venue']}"))
    assert {s["description"] for s in data["schedules"]} == {
        "Weekends",
        "Evenings",
        "School holidays",
    }
    for schedule in data["schedules"]:
        assert not {"freq", "byday", "opens_at", "closes_at"} & set(schedule), schedule


# --- 11. Cost text for families ---------------------------------------------------------------


def _cost(app, client, schemas, make_provider, make_service, direct_payments, **service):
    provider_id = make_provider(direct_payments=direct_payments)
    data = _service(client, schemas, app, make_service(provider_id, **service))
    return data["cost_options"]


def test_a_targeted_service_shows_the_price_families_pay(
    app,
    client,
    schemas,
    make_provider,
    make_service,
):
    (cost,) = _cost(
        app,
        client,
        schemas,
        make_provider,
        make_service,
        False,
        tier="targeted",
        rate_pence=1250,
        rate_unit="session",
    )
    assert cost["amount"] == 12.5
    assert cost["amount_description"] == "£12.50 per session."
    (free,) = _cost(
        app,
        client,
        schemas,
        make_provider,
        make_service,
        True,
        tier="targeted",
        rate_pence=0,
        rate_unit="session",
    )
    assert free["amount"] == 0
    assert free["amount_description"].startswith("Free")
    assert "pay" not in free["amount_description"].lower()


def test_a_specialist_service_is_arranged_through_an_assessment(
    app,
    client,
    schemas,
    make_provider,
    make_service,
):
    (cost,) = _cost(
        app,
        client,
        schemas,
        make_provider,
        make_service,
        True,
        tier="specialist",
        rate_pence=2150,
        rate_unit="hour",
    )
    description = cost["amount_description"]
    assert "assessment" in description
    assert "direct payment at £21.50 per hour" in description
    assert "Families can pay" not in description
    (council,) = _cost(
        app,
        client,
        schemas,
        make_provider,
        make_service,
        False,
        tier="specialist",
        rate_pence=2150,
        rate_unit="hour",
    )
    assert "assessment" in council["amount_description"]
    assert "£21.50" not in council["amount_description"]
    assert "amount" not in council


# --- 5. Search ---------------------------------------------------------------------------------


def test_search_covers_needs_and_every_answer(client, make_service):
    make_service(name="Plain Club", needs=["AUT"], what_it_does="Games.")
    make_service(
        name="Pool Time", needs=["MOB"], what_it_does="Swimming.", accessibility="Wheelchair hoist."
    )

    def names(query):
        return {s["name"] for s in _json(client, "/openreferral/services?" + query)["contents"]}

    assert names("search=autism") == {"Plain Club"}
    assert names("search=wheelchair") == {"Pool Time"}
    assert names("search=Northbrook") == {"Plain Club", "Pool Time"}


# --- 6. Query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path, query, parameter",
    [
        ("services", "postcode=ZZ1", "postcode"),
        ("services", "day=XX", "day"),
        ("services", "start_time=abc", "start_time"),
        ("services", "end_time=10:00", "end_time"),
        ("services", "proximity=5", "proximity"),
        ("services", "format=ndjson", "format"),
        ("services", "colour=red", "colour"),
        ("service_at_locations", "postcode=NB1+2AB", "postcode"),
        ("taxonomies", "search=x", "search"),
        ("taxonomy_terms", "minimum_age=3", "minimum_age"),
    ],
)
def test_unsupported_parameters_are_a_400_naming_them(client, path, query, parameter):
    data = _json(client, f"/openreferral/{path}?{query}", status=400)
    assert parameter in data["error"]


def test_the_api_description_lists_the_supported_parameters(client, schemas):
    data = _valid(schemas["meta"], _json(client, "/openreferral/"))
    services = data["parameters"]["/services"]
    for name in ("search", "page", "per_page", "organization_id", "modified_after"):
        assert name in services
    assert "postcode" not in services
    assert data["openapi_url"] == (
        "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
    )


def test_organization_id_filters_by_provider(client, published, make_provider, make_service):
    other = make_provider(name="Other Org")
    make_service(other, name="Other Club")
    names = {s["name"] for s in _json(client, "/openreferral/services")["contents"]}
    assert "Other Club" in names
    with client.application.app_context():
        osprey = get_provider(published["provider_id"]).public_id
    data = _json(client, f"/openreferral/services?organization_id={osprey}")
    assert {s["name"] for s in data["contents"]} == {"Osprey Climbing", "Osprey Home Sitting"}
    data = _json(client, "/openreferral/services?organization_id=" + osprey.upper())
    assert data["total_items"] == 2
    unknown = "00000000-0000-4000-8000-000000000000"
    assert _json(client, f"/openreferral/services?organization_id={unknown}")["empty"] is True
    assert (
        "organization_id"
        in _json(client, "/openreferral/services?organization_id=42", status=400)["error"]
    )


def test_modified_after_filters_by_last_change(app, client, published):
    with app.app_context():
        old = {"t": dt.datetime(2020, 1, 1)}
        db.session.execute(text("UPDATE provider_service SET updated_at = :t"), old)
        db.session.execute(text("UPDATE provider SET updated_at = :t"), old)
        db.session.execute(
            text("UPDATE provider_service SET updated_at = :t WHERE name = :n"),
            {"t": dt.datetime(2024, 6, 1, 12), "n": "Osprey Climbing"},
        )
        db.session.commit()

    def names(value):
        data = _json(client, f"/openreferral/services?modified_after={value}")
        return {s["name"] for s in data["contents"]}

    assert names("2024-01-01") == {"Osprey Climbing"}
    assert names("2024-01-01T00:00:00Z") == {"Osprey Climbing"}
    assert names("2024-06-01T13:00:00%2B02:00") == {"Osprey Climbing"}  # 11:00 UTC
    assert names("2024-06-01T12:00:00Z") == set()
    assert names("2019-12-31") == {"Osprey Climbing", "Osprey Home Sitting"}
    for bad in ("garbage", "2024-13-01", "yesterday", "1" * 40):
        data = _json(client, f"/openreferral/services?modified_after={bad}", status=400)
        assert "modified_after" in data["error"]
    # The provider's change counts too (last_modified is the later of the two).
    with app.app_context():
        db.session.execute(
            text("UPDATE provider SET updated_at = :t"), {"t": dt.datetime(2025, 1, 1)}
        )
        db.session.commit()
    assert names("2024-12-31") == {"Osprey Climbing", "Osprey Home Sitting"}
