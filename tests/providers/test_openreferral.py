"""The Open Referral UK 3.0 API: every path's responses validated against the shared schemas
(tests/providers/standards/openreferral-uk, copied from ../shared/standards), its filters, its JSON errors, and what it never shows."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from core.extensions import db
from providers.services import get_provider, get_service, update_provider
from tests.providers.conftest import provider_data

# A copy of ../shared/standards/openreferral-uk (CC BY-SA 4.0, see its LICENSE and SOURCE_COMMIT),
# kept in the repository so a fresh clone can run the tests.
STANDARD = Path(__file__).resolve().parent / "standards" / "openreferral-uk"
BASE = "https://schemas.test/openreferral-uk/"

# jsonschema's own format checks (uuid, email, date, ...). It checks "uri" only when
# rfc3986-validator (or rfc3987) is installed: the test extras should include it. Without it,
# and without rfc3339-validator for "date-time", the small checks below stand in.
FORMATS = FormatChecker()
URI_CHECKED_BY_JSONSCHEMA = "uri" in FORMATS.checkers
# RFC 3986: an absolute URI of scheme ":" then only unreserved, reserved or %HH characters.
RFC3986_URI = re.compile(
    r"^[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$"
)

if "date-time" not in FORMATS.checkers:

    @FORMATS.checks("date-time", raises=ValueError)
    def _date_time(value):
        if not isinstance(value, str):
            return True
        if "T" not in value or not value.endswith(("Z", "+00:00")):
            raise ValueError("not an RFC 3339 date-time")
        dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True


if not URI_CHECKED_BY_JSONSCHEMA:

    @FORMATS.checks("uri", raises=ValueError)
    def _uri(value):
        if not isinstance(value, str):
            return True
        if not RFC3986_URI.match(value) or not urlsplit(value).netloc:
            raise ValueError("not an absolute RFC 3986 URI")
        return True


def _load(relative: str) -> dict:
    path = STANDARD / relative
    if not path.exists():
        pytest.fail(f"The Open Referral UK schemas are missing: {path}")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def schemas():
    """name -> a validator: 'service' (compiled/service.json), 'service_page', and so on."""
    resources = []
    for path in sorted((STANDARD / "schema").glob("*.json")):
        resources.append(
            (
                BASE + path.name,
                Resource.from_contents(
                    json.loads(path.read_text()), default_specification=DRAFT202012
                ),
            )
        )
    for path in sorted((STANDARD / "schema" / "compiled").glob("*.json")):
        resources.append(
            (
                BASE + "compiled/" + path.name,
                Resource.from_contents(
                    json.loads(path.read_text()), default_specification=DRAFT202012
                ),
            )
        )
    registry = Registry().with_resources(resources)
    openapi = _load("schema/openapi.json")
    page = openapi["components"]["schemas"]["Page"]

    def validator(ref):
        return Draft202012Validator({"$ref": BASE + ref}, registry=registry, format_checker=FORMATS)

    def paged(ref):
        schema = {
            "allOf": [page],
            "required": [*page["properties"], "contents"],
            "properties": {"contents": {"type": "array", "items": {"$ref": BASE + ref}}},
        }
        return Draft202012Validator(schema, registry=registry, format_checker=FORMATS)

    meta = openapi["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
    return {
        "meta": Draft202012Validator(
            {**meta["schema"], "required": ["version", "profile", "openapi_url"]},
            format_checker=FORMATS,
        ),
        "service": validator("compiled/service.json"),
        "service_page": paged("compiled/service_list.json"),
        "service_at_location": validator("compiled/service_at_location.json"),
        "service_at_location_page": paged("compiled/service_at_location_list.json"),
        "taxonomy": validator("taxonomy.json"),
        "taxonomy_page": paged("taxonomy.json"),
        "taxonomy_term": validator("taxonomy_term.json"),
        "taxonomy_term_page": paged("taxonomy_term.json"),
        "phone": validator("phone.json"),
    }


def _valid(validator, data):
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])
    return data


def _json(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json", url
    return response.get_json()


@pytest.fixture
def published(app, make_provider, make_service):
    """A published service with a venue, a published one without, and an unpublished one."""
    provider_id = make_provider(
        name="Osprey Trust",
        registration_body="ofsted",
        registration_number="SC654321",
        registration_rating="good",
        direct_payments=True,
        dbs_expires_on=dt.date(2031, 1, 1),
    )
    with_venue = make_service(
        provider_id,
        name="Osprey Climbing",
        age_from=8,
        age_to=16,
        needs=["AUT", "MOB"],
        localities=["north", "coast"],
        runs=["weekends", "evenings", "holidays"],
        rate_pence=1250,
        rate_unit="session",
        venue_name="Osprey Wall",
        venue_address="1 Quarry Hill",
        venue_town="Northbrook",
        venue_postcode="NB1 2AB",
    )
    at_home = make_service(
        provider_id,
        name="Osprey Home Sitting",
        short_break_type="daytime_home",
        tier="specialist",
        age_from=0,
        age_to=5,
        needs=["PC"],
        what_it_does="Care at home while parents rest.",
        rate_pence=1800,
        rate_unit="hour",
    )
    hidden = make_service(provider_id, name="Osprey Secret Pilot", published=False)
    with app.app_context():
        return {
            "venue": get_service(with_venue).public_id,
            "venue_sal": get_service(with_venue).venue_public_id,
            "home": get_service(at_home).public_id,
            "hidden": get_service(hidden).public_id,
            "provider_id": provider_id,
        }


def test_api_description(client, schemas):
    data = _valid(schemas["meta"], _json(client, "/openreferral/"))
    assert data["version"] == "3.0"


def test_services_list_validates_and_shows_only_published(client, schemas, published):
    data = _valid(schemas["service_page"], _json(client, "/openreferral/services"))
    names = {s["name"] for s in data["contents"]}
    assert names == {"Osprey Climbing", "Osprey Home Sitting"}
    assert data["total_items"] == 2 and data["empty"] is False
    assert all(s["organization"]["name"] == "Osprey Trust" for s in data["contents"])


def test_services_list_paging(client, schemas, published):
    first = _valid(schemas["service_page"], _json(client, "/openreferral/services?per_page=1"))
    second = _valid(
        schemas["service_page"], _json(client, "/openreferral/services?per_page=1&page=2")
    )
    assert (first["size"], first["total_pages"], first["first_page"], first["last_page"]) == (
        1,
        2,
        True,
        False,
    )
    assert (second["page_number"], second["first_page"], second["last_page"]) == (2, False, True)
    assert first["contents"][0]["id"] != second["contents"][0]["id"]
    beyond = _valid(schemas["service_page"], _json(client, "/openreferral/services?page=9"))
    assert beyond["contents"] == [] and beyond["size"] == 0


@pytest.mark.parametrize(
    "path, schema",
    [
        ("services", "service_page"),
        ("service_at_locations", "service_at_location_page"),
        ("taxonomies", "taxonomy_page"),
        ("taxonomy_terms", "taxonomy_term_page"),
    ],
)
def test_a_page_past_the_end_is_empty(client, schemas, published, path, schema):
    """A Local Offer site that reads page after page until one is empty must stop."""
    first = _valid(schemas[schema], _json(client, f"/openreferral/{path}"))
    assert first["empty"] is False and first["size"] > 0
    beyond = _valid(schemas[schema], _json(client, f"/openreferral/{path}?page=99999"))
    assert beyond["contents"] == [] and beyond["size"] == 0
    assert beyond["empty"] is True
    assert beyond["last_page"] is True and beyond["total_items"] == first["total_items"]


def _names(client, query):
    return {s["name"] for s in _json(client, "/openreferral/services?" + query)["contents"]}


def test_services_filters(client, published):
    from providers.openreferral import taxonomy_id, term_id

    assert _names(client, "search=climbing") == {"Osprey Climbing"}
    assert _names(client, "search=secret") == set()  # unpublished
    assert _names(client, "search=%25") == set()  # LIKE wildcards match only themselves
    assert _names(client, "search=_") == set()
    assert _names(client, "minimum_age=5") == {"Osprey Climbing"}
    assert _names(client, "maximum_age=5") == {"Osprey Home Sitting"}
    assert _names(client, "minimum_age=0&maximum_age=16") == {
        "Osprey Climbing",
        "Osprey Home Sitting",
    }
    assert _names(client, "taxonomy_term_id=" + term_id("need", "PC")) == {"Osprey Home Sitting"}
    assert _names(
        client, "taxonomy_term_id=" + term_id("short_break_type", "educational_leisure")
    ) == {"Osprey Climbing"}
    assert _names(client, "taxonomy_term_id=" + term_id("tier", "specialist")) == {
        "Osprey Home Sitting"
    }
    assert _names(client, "taxonomy_term_id=00000000-0000-4000-8000-000000000000") == set()
    assert len(_names(client, "taxonomy_id=" + taxonomy_id("need"))) == 2


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=abc",
        "per_page=0",
        "per_page=1000",
        "minimum_age=old",
        "maximum_age=-1",
        "minimum_age=nan",
        "taxonomy_term_id=not-a-uuid",
        "taxonomy_id=42",
        "search=" + "x" * 101,
        "page=²",
        "per_page=²",
        "page=１",
        "page=99999999999999999999999",
        "minimum_age=²",
        "maximum_age=١٢",
    ],
)
def test_bad_query_parameters_get_a_json_400(client, published, query):
    data = _json(client, "/openreferral/services?" + query, status=400)
    assert data["status"] == 400 and data["error"]


def test_full_service_validates_with_everything_nested(client, schemas, published):
    data = _valid(schemas["service"], _json(client, f"/openreferral/services/{published['venue']}"))
    assert data["organization"]["name"] == "Osprey Trust"
    assert data["organization_id"] == data["organization"]["id"]
    assert data["accreditations"] == "Registered with Ofsted (SC654321), rated Good"
    assert (data["minimum_age"], data["maximum_age"]) == (8, 16)
    assert data["cost_options"][0]["amount"] == 12.5
    assert data["cost_options"][0]["amount_description"].startswith("£12.50 per session")
    assert {s["description"] for s in data["schedules"]} == {
        "Weekends",
        "Evenings",
        "School holidays",
    }
    assert {a["name"] for a in data["service_areas"]} == {"Northbrook", "Saltcoast"}
    assert data["contacts"][0]["name"] == "Pat Contact"
    _valid(schemas["phone"], data["contacts"][0]["phones"][0])
    terms = {a["taxonomy_term"]["name"] for a in data["attributes"]}
    assert {
        "Autistic spectrum disorder",
        "Mobility",
        "Targeted",
        "Educational or leisure activities outside the home",
    } <= terms
    sal = data["service_at_locations"][0]
    assert sal["id"] == published["venue_sal"]
    address = sal["location"]["addresses"][0]
    assert (address["address_1"], address["postal_code"]) == ("1 Quarry Hill", "NB1 2AB")
    assert data["eligibility_description"] == "Children aged 5 to 17 with a disability."

    home = _valid(schemas["service"], _json(client, f"/openreferral/services/{published['home']}"))
    # Care at home: no venue address, but its accessibility answer is still published.
    (at_home,) = home["service_at_locations"]
    assert "addresses" not in at_home["location"]
    assert at_home["location"]["accessibility"][0]["description"] == "Step-free access."


def test_unknown_and_unpublished_services_are_a_json_404(client, published):
    for sid in (published["hidden"], "00000000-0000-4000-8000-000000000000", "123", "x" * 40):
        data = _json(client, f"/openreferral/services/{sid}", status=404)
        assert data["status"] == 404
    assert _json(client, "/openreferral/no-such-thing", status=404)["status"] == 404


def test_suspended_providers_services_leave_the_api(app, client, published):
    with app.app_context():
        provider = get_provider(published["provider_id"])
        update_provider(provider, provider_data(name=provider.name, status="suspended"))
        db.session.commit()
    assert _json(client, "/openreferral/services")["total_items"] == 0
    _json(client, f"/openreferral/services/{published['venue']}", status=404)


def test_service_at_locations(client, schemas, published):
    page = _valid(
        schemas["service_at_location_page"], _json(client, "/openreferral/service_at_locations")
    )
    names = [s["service"]["name"] for s in page["contents"]]
    assert names == ["Osprey Climbing", "Osprey Home Sitting"]
    assert page["contents"][0]["id"] == published["venue_sal"]
    assert "addresses" not in page["contents"][1]["location"]
    one = _valid(
        schemas["service_at_location"],
        _json(client, f"/openreferral/service_at_locations/{published['venue_sal']}"),
    )
    assert one["service"]["name"] == "Osprey Climbing"
    assert one["location"]["addresses"][0]["city"] == "Northbrook"
    _json(client, f"/openreferral/service_at_locations/{published['venue']}", status=404)
    _json(client, "/openreferral/service_at_locations?per_page=x", status=400)


def test_taxonomies_and_terms(client, schemas):
    page = _valid(schemas["taxonomy_page"], _json(client, "/openreferral/taxonomies"))
    names = {t["name"] for t in page["contents"]}
    assert names == {"Short break types", "Needs", "Short break tiers"}
    types = next(t for t in page["contents"] if t["name"] == "Short break types")
    assert len(types["taxonomy_terms"]) == 6
    one = _valid(schemas["taxonomy"], _json(client, f"/openreferral/taxonomies/{types['id']}"))
    assert one == types

    terms = _valid(
        schemas["taxonomy_term_page"], _json(client, "/openreferral/taxonomy_terms?per_page=100")
    )
    assert terms["total_items"] == 6 + 12 + 2
    assert "No disability" not in {t["name"] for t in terms["contents"]}
    only_types = _valid(
        schemas["taxonomy_term_page"],
        _json(client, f"/openreferral/taxonomy_terms?taxonomy_id={types['id']}"),
    )
    assert only_types["total_items"] == 6
    term = terms["contents"][0]
    assert (
        _valid(
            schemas["taxonomy_term"], _json(client, f"/openreferral/taxonomy_terms/{term['id']}")
        )
        == term
    )
    _json(client, "/openreferral/taxonomy_terms/00000000-0000-4000-8000-000000000000", 404)
    _json(client, "/openreferral/taxonomies/nope", 404)
    _json(client, "/openreferral/taxonomy_terms?taxonomy_id=nope", 400)


def test_api_needs_no_sign_in_and_never_shows_staff_only_or_child_data(app, client, published):
    from core.access import rule_for

    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.startswith("openreferral."):
                assert rule_for(rule.endpoint) == ("public",)
    bodies = [
        client.get(url).get_data(as_text=True)
        for url in (
            "/openreferral/services",
            f"/openreferral/services/{published['venue']}",
            f"/openreferral/services/{published['home']}",
            "/openreferral/service_at_locations",
            f"/openreferral/service_at_locations/{published['venue_sal']}",
        )
    ]
    for body in bodies:
        assert "Staff-only note" not in body
        assert "2031-01-01" not in body  # DBS expiry
        assert "child_id" not in body and "date_of_birth" not in body
        assert "Osprey Secret Pilot" not in body


def test_api_is_json_for_post_too_and_open_to_other_sites(client):
    response = client.get("/openreferral/services")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    for method in (client.post, client.put, client.delete):
        for url in ("/openreferral/", "/openreferral/services", "/openreferral/taxonomies/x"):
            response = method(url)
            assert response.status_code == 405
            assert response.get_json()["error"] == "This API is read-only: use GET"


def test_the_schema_checks_would_catch_a_bad_response(schemas):
    bad_service = {
        "id": "not-a-uuid",
        "name": "X",
        "status": "open",
        "last_modified": "2026-01-01 10:00",
        "cost_options": [{"amount": "12.50"}],
    }
    messages = " ".join(e.message for e in schemas["service"].iter_errors(bad_service))
    assert "not-a-uuid" in messages and "'open'" in messages
    assert "2026-01-01 10:00" in messages and "'12.50'" in messages
    for bad_uri in ('https://exa mple.org/<b>"x', "https://example.org/<script>", "not a uri"):
        bad = {"id": "1c3b7f0e-43d2-4d61-9f5e-111111111111", "name": "X", "status": "active"}
        assert not schemas["service"].is_valid({**bad, "url": bad_uri}), bad_uri
        assert not schemas["service"].is_valid(
            {
                **bad,
                "organization": {
                    "id": bad["id"],
                    "name": "O",
                    "description": "D",
                    "website": bad_uri,
                },
            }
        ), bad_uri
    assert not schemas["service_page"].is_valid({"contents": []})  # page fields missing
    assert not schemas["taxonomy"].is_valid({"id": "1c3b7f0e-43d2-4d61-9f5e-111111111111"})


def test_api_reads_start_no_session(client, published):
    response = client.get(f"/openreferral/services/{published['venue']}")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers


def test_last_modified_follows_the_provider_too(app, client, published):
    before = _json(client, f"/openreferral/services/{published['venue']}")["last_modified"]
    with app.app_context():
        provider = get_provider(published["provider_id"])
        provider.updated_at = dt.datetime(2099, 1, 2, 3, 4, 5)
        db.session.commit()
    after = _json(client, f"/openreferral/services/{published['venue']}")["last_modified"]
    assert after == "2099-01-02T03:04:05.000Z" != before


def test_an_unexpected_error_is_a_json_500_that_reveals_nothing(app, client, monkeypatch):
    import providers.openreferral as api

    def broken(**_filters):
        raise RuntimeError("psycopg: relation provider_service /srv/app/secret.py")

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(api, "search_services_stmt", broken)
    for url in ("/openreferral/services", "/openreferral/service_at_locations"):
        response = client.get(url)
        assert response.status_code == 500
        assert response.mimetype == "application/json"
        body = response.get_data(as_text=True)
        assert response.get_json() == {
            "status": 500,
            "error": "Sorry, there is a problem with the service",
        }
        assert "psycopg" not in body and "secret" not in body and "<html" not in body


def test_http_errors_from_anywhere_in_the_api_are_json(app, client, monkeypatch):
    from werkzeug.exceptions import BadRequest, NotFound

    import providers.openreferral as api

    for error, status in ((BadRequest(), 400), (NotFound(), 404)):

        def raising(*_args, error=error, **_filters):
            raise error

        monkeypatch.setattr(api, "search_services_stmt", raising)
        response = client.get("/openreferral/services")
        assert response.status_code == status
        assert response.mimetype == "application/json"
        assert response.get_json()["status"] == status


def test_a_bad_website_saved_before_the_check_is_never_published(app, client, schemas, published):
    with app.app_context():
        provider = get_provider(published["provider_id"])
        provider.website = 'https://exa mple.org/<b>"x'
        db.session.commit()
    for sid in (published["venue"], published["home"]):
        data = _valid(schemas["service"], _json(client, f"/openreferral/services/{sid}"))
        assert "url" not in data and "website" not in data["organization"]
    _valid(schemas["service_page"], _json(client, "/openreferral/services"))


def test_every_se7_answer_is_published(app, client, schemas, make_provider, make_service):
    from providers.models import SE7_FIELDS

    answers = {field: f"The answer about {field.replace('_', ' ')}." for field in SE7_FIELDS}
    provider_id = make_provider(
        name="Answer Trust", registration_body="cqc", registration_number="1-23"
    )
    service_id = make_service(provider_id, name="Answered Club", **answers)  # no venue
    with app.app_context():
        public_id = get_service(service_id).public_id
        sal_id = get_service(service_id).venue_public_id
    data = _valid(schemas["service"], _json(client, f"/openreferral/services/{public_id}"))

    assert data["description"] == answers["what_it_does"]
    areas = [a["name"] for a in data["service_areas"]]
    assert answers["where_it_is"] in areas and "Northbrook" in areas
    assert answers["who_it_is_for"] in data["eligibility_description"]
    assert answers["how_decisions_are_made"] in data["eligibility_description"]
    assert data["application_process"] == answers["how_to_start"]
    assert data["interpretation_services"] == answers["how_it_communicates"]
    assert data["accreditations"].startswith("Registered with CQC (1-23)")
    assert answers["staff_training"] in data["accreditations"]
    assert answers["who_to_contact"] in [c["name"] for c in data["contacts"]]
    assert "Pat Contact" in [c["name"] for c in data["contacts"]]
    (sal,) = data["service_at_locations"]
    assert sal["location"]["accessibility"][0]["description"] == answers["accessibility"]
    assert sal["location"]["description"] == answers["where_it_is"]
    published_text = json.dumps(data)
    assert all(answer in published_text for answer in answers.values())

    one = _valid(
        schemas["service_at_location"],
        _json(client, f"/openreferral/service_at_locations/{sal_id}"),
    )
    assert one["location"]["accessibility"][0]["description"] == answers["accessibility"]
    page = _valid(
        schemas["service_at_location_page"], _json(client, "/openreferral/service_at_locations")
    )
    assert sal_id in [s["id"] for s in page["contents"]]


def test_a_service_with_nothing_to_say_about_a_place_has_no_location(
    app, client, schemas, make_service
):
    service_id = make_service(name="Anywhere Club", accessibility="")
    with app.app_context():
        public_id = get_service(service_id).public_id
        sal_id = get_service(service_id).venue_public_id
    data = _valid(schemas["service"], _json(client, f"/openreferral/services/{public_id}"))
    assert data["service_at_locations"] == []
    assert "Anywhere Club" not in _json(client, "/openreferral/service_at_locations?per_page=200")
    _json(client, f"/openreferral/service_at_locations/{sal_id}", status=404)
