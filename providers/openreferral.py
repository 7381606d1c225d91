"""The published directory as an Open Referral UK 3.0 API, read-only and without sign-in.

Only published services of providers on the framework appear; nothing about a child ever does
(this module reads only the providers tables), nor a provider's notes, DBS or insurance dates,
or address. Identifiers are UUIDs: services and providers carry their own; the objects nested
in them (cost options, schedules, contacts, service areas, ...) get UUIDs derived from their
parent's, so they are stable from one request to the next. Taxonomies: the regulation 4
short-break types, the needs (CIN census disability categories) and the tiers.
"""

from __future__ import annotations

import math
import re
import uuid
from decimal import Decimal

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException

from core.access import public
from core.extensions import csrf, db
from core.reference import SHORT_BREAK_TYPES, locality_labels

from .models import RATE_UNITS, REGISTRATION_RATINGS, RUNS, SERVICE_TIERS, ProviderService
from .services import NEEDS, search_services_stmt

openreferral_blueprint = Blueprint("openreferral", __name__, url_prefix="/openreferral")
csrf.exempt(openreferral_blueprint)

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://shortbreaks.example/openreferral")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/openapi.json"
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)

# (key, name, description, terms)
TAXONOMIES = [
    (
        "short_break_type",
        "Short break types",
        "The range of short breaks in regulation 4 of the Breaks for Carers of Disabled "
        "Children Regulations 2011.",
        SHORT_BREAK_TYPES,
    ),
    (
        "need",
        "Needs",
        "Disabilities a service caters for: the Children in Need census disability categories.",
        NEEDS,
    ),
    (
        "tier",
        "Short break tiers",
        "Targeted short breaks are used without a social care assessment; specialist short "
        "breaks follow an assessment or are bought with a direct payment.",
        SERVICE_TIERS,
    ),
]


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def taxonomy_id(key: str) -> str:
    return _id("taxonomy", key)


def term_id(key: str, code: str) -> str:
    return _id("term", key, code)


def _all_terms():
    """{term uuid: (taxonomy key, code, label)}."""
    return {
        term_id(key, code): (key, code, label)
        for key, _name, _desc, terms in TAXONOMIES
        for code, label in terms.items()
    }


def _term_json(key: str, code: str, label: str) -> dict:
    taxonomy_name = next(name for k, name, _d, _t in TAXONOMIES if k == key)
    return {
        "id": term_id(key, code),
        "name": label,
        "description": f"{taxonomy_name}: {label}",
        "taxonomy": taxonomy_name,
        "taxonomy_id": taxonomy_id(key),
        "term": code,
    }


def _taxonomy_json(key: str, name: str, description: str, terms: dict) -> dict:
    return {
        "id": taxonomy_id(key),
        "name": name,
        "description": description,
        "version": "1",
        "taxonomy_terms": [_term_json(key, c, label) for c, label in terms.items()],
    }


# --- Errors: JSON on this blueprint, never the HTML pages ------------------------------------


def _error(status: int, message: str):
    response = jsonify({"status": status, "error": message})
    response.status_code = status
    return response


@openreferral_blueprint.errorhandler(BadRequest)
def _bad_request(exc):
    return _error(400, exc.message)


@openreferral_blueprint.errorhandler(HTTPException)
def _http_error(exc):
    return _error(exc.code or 500, exc.description or exc.name)


@openreferral_blueprint.after_request
def _open_to_all(response):
    # Published open data: any Local Offer website may read it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- Query parameters -----------------------------------------------------------------------


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or not low <= int(raw) <= high:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return int(raw)


def _age_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(raw)
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 150:
        raise BadRequest(f"{name} must be a number of years, like 5")
    return math.ceil(value) if name == "minimum_age" else math.floor(value)


def _filters() -> dict:
    search = request.args.get("search", "")
    if len(search) > 100:
        raise BadRequest("search must be 100 characters or fewer")
    filters = {"text": search.strip(), "published_only": True}
    filters["min_age"] = _age_arg("minimum_age")
    filters["max_age"] = _age_arg("maximum_age")
    term = request.args.get("taxonomy_term_id")
    if term:
        if not UUID_RE.match(term):
            raise BadRequest("taxonomy_term_id must be a UUID")
        found = _all_terms().get(term.lower())
        filters["taxonomy_code"] = found[1] if found else "-no-such-term-"
    taxonomy = request.args.get("taxonomy_id")
    if taxonomy:
        if not UUID_RE.match(taxonomy):
            raise BadRequest("taxonomy_id must be a UUID")
        if taxonomy.lower() not in {taxonomy_id(k) for k, *_ in TAXONOMIES}:
            filters["taxonomy_code"] = "-no-such-term-"
        # Every published service has a term of every taxonomy: no further filter.
    return filters


def _page(stmt, to_json):
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.limit(per_page).offset((page - 1) * per_page)))
    return _page_json([to_json(i) for i in items], total, page, per_page)


def _page_json(contents: list, total: int, page: int, per_page: int) -> dict:
    pages = max(1, math.ceil(total / per_page))
    return {
        "total_items": total,
        "total_pages": pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= pages,
        "empty": total == 0,
        "contents": contents,
    }


def _list_slice(items: list, to_json) -> dict:
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    chunk = items[(page - 1) * per_page : page * per_page]
    return _page_json([to_json(*i) for i in chunk], len(items), page, per_page)


# --- Building the objects ---------------------------------------------------------------------


def _timestamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _organization(service: ProviderService) -> dict:
    provider = service.provider
    org = {
        "id": provider.public_id,
        "name": provider.name,
        "description": provider.description
        or f"{provider.kind_label} on the council's short breaks framework.",
    }
    if provider.email:
        org["email"] = provider.email
    if provider.website.startswith(("https://", "http://")):
        org["website"] = provider.website
    return org


def _accreditations(service: ProviderService) -> str:
    provider = service.provider
    if not provider.registration_body:
        return ""
    body = provider.registration_body.upper() if provider.registration_body == "cqc" else "Ofsted"
    text = f"Registered with {body}"
    if provider.registration_number:
        text += f" ({provider.registration_number})"
    if provider.registration_rating:
        text += f", rated {REGISTRATION_RATINGS[provider.registration_rating]}"
    return text


def _service_core(service: ProviderService) -> dict:
    """The one-to-one fields of a service (what /services lists)."""
    data = {
        "id": service.public_id,
        "organization_id": service.provider.public_id,
        "name": service.name,
        "description": service.what_it_does,
        "status": "active",
        "minimum_age": service.age_from,
        "maximum_age": service.age_to,
        "assured_date": service.updated_at.date().isoformat(),
        # The service or its provider, whichever changed last.
        "last_modified": _timestamp(max(service.updated_at, service.provider.updated_at)),
    }
    email = service.contact_email or service.provider.email
    if email:
        data["email"] = email
    if service.provider.website.startswith(("https://", "http://")):
        data["url"] = service.provider.website
    accreditations = _accreditations(service)
    if accreditations:
        data["accreditations"] = accreditations
    data["organization"] = _organization(service)
    return data


def _attributes(service: ProviderService) -> list[dict]:
    codes = [("short_break_type", service.short_break_type), ("tier", service.tier)]
    codes += [("need", n) for n in service.needs]
    labels = {"short_break_type": SHORT_BREAK_TYPES, "tier": SERVICE_TIERS, "need": NEEDS}
    out = []
    for key, code in codes:
        if code not in labels[key]:
            continue
        term = _term_json(key, code, labels[key][code])
        out.append(
            {
                "id": _id(service.public_id, "attribute", key, code),
                "link_id": service.public_id,
                "link_type": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }
        )
    return out


def _cost_options(service: ProviderService) -> list[dict]:
    if service.rate_pence is None:
        return []
    whole, part = divmod(service.rate_pence, 100)
    unit = RATE_UNITS.get(service.rate_unit, "")
    how = (
        "Families can pay for it, or use a direct payment."
        if service.provider.direct_payments
        else "Paid for by the council for families it is arranged for."
    )
    return [
        {
            "id": _id(service.public_id, "cost_option"),
            "service_id": service.public_id,
            "option": unit.capitalize(),
            # JSON has only one kind of number; the exact figure is in amount_description.
            "amount": float(Decimal(service.rate_pence) / 100),
            "amount_description": f"£{whole:,}.{part:02d} {unit}. {how}",
        }
    ]


def _schedules(service: ProviderService) -> list[dict]:
    out = []
    for code in service.runs:
        schedule = {
            "id": _id(service.public_id, "schedule", code),
            "service_id": service.public_id,
            "description": RUNS.get(code, code),
        }
        if code == "weekends":
            schedule.update(freq="WEEKLY", byday="SA,SU")
        elif code == "evenings":
            schedule.update(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="17:00")
        out.append(schedule)
    return out


def _service_areas(service: ProviderService) -> list[dict]:
    labels = locality_labels()
    return [
        {
            "id": _id(service.public_id, "service_area", code),
            "service_id": service.public_id,
            "name": labels.get(code, code),
            "service_area": labels.get(code, code),
        }
        for code in service.localities
    ]


def _contacts(service: ProviderService) -> list[dict]:
    name = service.contact_name or service.provider.contact_name
    if not name:
        return []
    contact = {
        "id": _id(service.public_id, "contact"),
        "service_id": service.public_id,
        "name": name,
        "title": f"Contact for {service.name}",
    }
    phone = service.contact_phone or service.provider.phone
    if phone:
        contact["phones"] = [{"id": _id(service.public_id, "contact_phone"), "number": phone}]
    email = service.contact_email or service.provider.email
    if email:
        contact["email"] = email
    return [contact]


def _location(service: ProviderService, full: bool) -> dict:
    location_id = _id(service.venue_public_id, "location")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": service.venue_name or service.name,
    }
    if full:
        location["addresses"] = [
            {
                "id": _id(service.venue_public_id, "address"),
                "location_id": location_id,
                "address_1": service.venue_address,
                "city": service.venue_town,
                "state_province": current_app.config["COUNCIL_NAME"],
                "postal_code": service.venue_postcode,
                "country": "GB",
                "address_type": "physical",
            }
        ]
        if service.accessibility:
            location["accessibility"] = [
                {
                    "id": _id(service.venue_public_id, "accessibility"),
                    "location_id": location_id,
                    "description": service.accessibility,
                }
            ]
    return location


def _service_at_location(service: ProviderService, full: bool, nested_service: bool) -> dict:
    location = _location(service, full)
    out = {
        "id": service.venue_public_id,
        "service_id": service.public_id,
        "location_id": location["id"],
        "location": location,
    }
    if nested_service:
        out["service"] = (
            _full_service(service, with_locations=False) if full else _service_core(service)
        )
    return out


def _full_service(service: ProviderService, with_locations: bool = True) -> dict:
    data = _service_core(service)
    data.update(
        {
            "schedules": _schedules(service),
            "service_areas": _service_areas(service),
            "languages": [],
            "funding": [],
            "cost_options": _cost_options(service),
            "contacts": _contacts(service),
            "attributes": _attributes(service),
            # HSDS 3.0 service fields (the UK profile's compiled schema allows them).
            "eligibility_description": service.who_it_is_for,
            "application_process": service.how_to_start,
        }
    )
    if with_locations:
        data["service_at_locations"] = (
            [_service_at_location(service, full=True, nested_service=False)]
            if service.has_venue
            else []
        )
    return data


def _published_service_by(column, value) -> ProviderService:
    if not UUID_RE.match(value or ""):
        raise NotFound()
    service = db.session.scalar(
        search_services_stmt(published_only=True).where(column == value.lower())
    )
    if service is None:
        raise NotFound()
    return service


class NotFound(HTTPException):
    code = 404
    description = "No published record has this id"


# --- Routes -------------------------------------------------------------------------------


@openreferral_blueprint.get("/")
@public
def api_meta():
    return jsonify({"version": "3.0", "profile": PROFILE_URL, "openapi_url": OPENAPI_URL})


@openreferral_blueprint.get("/services")
@public
def services():
    return jsonify(_page(search_services_stmt(**_filters()), _service_core))


@openreferral_blueprint.get("/services/<service_id>")
@public
def service(service_id):
    return jsonify(_full_service(_published_service_by(ProviderService.public_id, service_id)))


@openreferral_blueprint.get("/service_at_locations")
@public
def service_at_locations():
    stmt = search_services_stmt(**_filters()).where(
        ProviderService.venue_address != "",
        ProviderService.venue_town != "",
        ProviderService.venue_postcode != "",
    )
    return jsonify(_page(stmt, lambda s: _service_at_location(s, full=False, nested_service=True)))


@openreferral_blueprint.get("/service_at_locations/<sal_id>")
@public
def service_at_location(sal_id):
    service = _published_service_by(ProviderService.venue_public_id, sal_id)
    if not service.has_venue:
        raise NotFound()
    return jsonify(_service_at_location(service, full=True, nested_service=True))


@openreferral_blueprint.get("/taxonomies")
@public
def taxonomies():
    return jsonify(_list_slice(TAXONOMIES, _taxonomy_json))


@openreferral_blueprint.get("/taxonomies/<tax_id>")
@public
def taxonomy(tax_id):
    for entry in TAXONOMIES:
        if taxonomy_id(entry[0]) == tax_id.lower():
            return jsonify(_taxonomy_json(*entry))
    raise NotFound()


@openreferral_blueprint.get("/taxonomy_terms")
@public
def taxonomy_terms():
    wanted = request.args.get("taxonomy_id")
    if wanted and not UUID_RE.match(wanted):
        raise BadRequest("taxonomy_id must be a UUID")
    terms = [
        (key, code, label)
        for key, _n, _d, items in TAXONOMIES
        if not wanted or taxonomy_id(key) == wanted.lower()
        for code, label in items.items()
    ]
    return jsonify(_list_slice(terms, _term_json))


@openreferral_blueprint.get("/taxonomy_terms/<term>")
@public
def taxonomy_term(term):
    found = _all_terms().get(term.lower())
    if found is None:
        raise NotFound()
    return jsonify(_term_json(*found))


@openreferral_blueprint.get("/<path:unknown>")
@public
def unknown_path(unknown):
    raise NotFound("There is no such Open Referral path")


@openreferral_blueprint.route("/", methods=["POST", "PUT", "PATCH", "DELETE"])
@openreferral_blueprint.route("/<path:anything>", methods=["POST", "PUT", "PATCH", "DELETE"])
@public
def read_only(anything=""):
    response = _error(405, "This API is read-only: use GET")
    response.headers["Allow"] = "GET, HEAD, OPTIONS"
    return response
