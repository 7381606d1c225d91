"""The published directory as an Open Referral UK 3.0 API, read-only and without sign-in.

Only published services of providers on the framework appear; nothing about a child ever does
(this module reads only the providers tables), nor a provider's notes, DBS or insurance dates,
or address. The objects are built in ``openreferral_data`` (which also says where each SE7
answer goes). Every response is JSON, errors too: a bad query parameter is a 400, an unknown id
a 404, and anything unexpected a 500 that reveals nothing of the inside.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from flask import Blueprint, jsonify, request
from sqlalchemy import and_, func, or_, select
from werkzeug.exceptions import HTTPException, default_exceptions

from core.access import public
from core.extensions import csrf, db
from core.parsing import whole_number

from .models import Provider, ProviderService
from .openreferral_data import (
    TAXONOMIES,
    all_terms,
    full_service,
    has_location,
    service_core,
    taxonomy_id,
    taxonomy_json,
    term_id,
    term_json,
)
from .openreferral_data import (
    service_at_location as service_at_location_json,
)
from .services import search_services_stmt

__all__ = ["TAXONOMIES", "openreferral_blueprint", "taxonomy_id", "term_id"]

openreferral_blueprint = Blueprint("openreferral", __name__, url_prefix="/openreferral")
csrf.exempt(openreferral_blueprint)

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
PROFILE_URL = "https://github.com/openreferral/uk-profile"
OPENAPI_URL = "https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/openapi.json"
UUID_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
)
SERVER_ERROR = "Sorry, there is a problem with the service"


class BadRequest(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(HTTPException):
    code = 404
    description = "No published record has this id"


# --- Errors: JSON on this blueprint, never the HTML pages ------------------------------------


def _error(status: int, message: str):
    response = jsonify({"status": status, "error": message})
    response.status_code = status
    return response


@openreferral_blueprint.errorhandler(BadRequest)
def _bad_request(exc):
    return _error(400, exc.message)


def _http_error(exc):
    if (exc.code or 500) >= 500:
        return _server_error(exc)
    return _error(exc.code, exc.description or exc.name)


def _server_error(exc):
    """Anything unexpected: a JSON 500 saying nothing of the inside (Flask has logged it)."""
    db.session.rollback()
    return _error(500, SERVER_ERROR)


# Handlers by status code come before the application's HTML pages for the same codes. An
# unexpected exception reaches the 500 one after Flask has logged it (or, under test with
# exceptions propagating, is raised to the test); the class handler catches this module's own
# HTTP errors, such as NotFound below.
for _code in default_exceptions:
    openreferral_blueprint.register_error_handler(_code, _http_error)
openreferral_blueprint.register_error_handler(HTTPException, _http_error)


@openreferral_blueprint.after_request
def _open_to_all(response):
    # Published open data: any Local Offer website may read it from a browser.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


# --- Query parameters -----------------------------------------------------------------------

_PAGING = {
    "page": "The page to return, from 1.",
    "per_page": f"Results on a page, from 1 to {MAX_PER_PAGE} (default {DEFAULT_PER_PAGE}).",
}
_SERVICE_FILTERS = {
    "search": "Words that must all appear in the service: its name, its provider's name, its "
    "answers to the Local Offer questions, or the names of its needs, type of short break, "
    "tier or localities.",
    **_PAGING,
    "taxonomy_term_id": "Services with this taxonomy term (a short-break type, need or tier).",
    "taxonomy_id": "Services with any term of this taxonomy.",
    "minimum_age": "Services whose youngest age is at least this.",
    "maximum_age": "Services whose oldest age is at most this.",
    "organization_id": "Services of this organization (its id).",
    "modified_after": "Services (or their organization) changed after this date or date-time "
    "(ISO 8601, such as 2025-04-01 or 2025-04-01T09:00:00Z; UTC unless an offset is given).",
}
# The query parameters each list takes. Any other (such as the standard's postcode,
# proximity, day, start_time and end_time, which this directory cannot answer) is a 400 that
# names it, rather than being ignored and returning everything.
SUPPORTED_PARAMETERS = {
    "/services": _SERVICE_FILTERS,
    "/service_at_locations": _SERVICE_FILTERS,
    "/taxonomies": _PAGING,
    "/taxonomy_terms": {
        **_PAGING,
        "taxonomy_id": "Terms of this taxonomy.",
    },
}
_ENDPOINT_PATHS = {
    "openreferral.services": "/services",
    "openreferral.service_at_locations": "/service_at_locations",
    "openreferral.taxonomies": "/taxonomies",
    "openreferral.taxonomy_terms": "/taxonomy_terms",
}


@openreferral_blueprint.before_request
def _only_supported_parameters():
    path = _ENDPOINT_PATHS.get(request.endpoint or "")
    if path is None or request.method not in ("GET", "HEAD"):
        return
    supported = SUPPORTED_PARAMETERS[path]
    for name in request.args:
        if name not in supported:
            raise BadRequest(
                f"The query parameter '{name[:40]}' is not supported on {path}. "
                f"Supported: {', '.join(supported)}"
            )


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    value = whole_number(raw, low, high)
    if value is None:
        raise BadRequest(f"{name} must be a whole number from {low} to {high}")
    return value


def _age_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = Decimal(raw) if raw.isascii() else None
    except ArithmeticError:
        value = None
    if value is None or not value.is_finite() or not 0 <= value <= 150:
        raise BadRequest(f"{name} must be a number of years, like 5")
    return math.ceil(value) if name == "minimum_age" else math.floor(value)


def _datetime_arg(name: str) -> dt.datetime | None:
    """An ISO 8601 date or date-time as a naive UTC datetime (how the tables hold them)."""
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    # A '+' in a query string arrives as a space: "…T09:00:00 01:00" meant "+01:00".
    raw = re.sub(r" (\d\d:?\d\d)$", r"+\1", raw)
    try:
        if len(raw) > 35 or not raw.isascii():
            raise ValueError
        value = dt.datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(
            f"{name} must be a date or date-time, like 2025-04-01 or 2025-04-01T09:00:00Z"
        ) from None
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC).replace(tzinfo=None)
    return value


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
        found = all_terms().get(term.lower())
        filters["taxonomy_code"] = found[1] if found else "-no-such-term-"
    organization = request.args.get("organization_id")
    if organization:
        if not UUID_RE.match(organization):
            raise BadRequest("organization_id must be a UUID")
        filters["organization_public_id"] = organization.lower()
    filters["modified_after"] = _datetime_arg("modified_after")
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
        # Whether this page holds nothing (a page past the end too), as Spring's pages do:
        # a Local Offer site reading page after page until one is empty then stops.
        "empty": not contents,
        "contents": contents,
    }


def _list_slice(items: list, to_json) -> dict:
    page = _int_arg("page", 1, 1, 100_000)
    per_page = _int_arg("per_page", DEFAULT_PER_PAGE, 1, MAX_PER_PAGE)
    chunk = items[(page - 1) * per_page : page * per_page]
    return _page_json([to_json(*i) for i in chunk], len(items), page, per_page)


def _published_service_by(column, value) -> ProviderService:
    if not UUID_RE.match(value or ""):
        raise NotFound()
    service = db.session.scalar(
        search_services_stmt(published_only=True).where(column == value.lower())
    )
    if service is None:
        raise NotFound()
    return service


# --- Routes -------------------------------------------------------------------------------


@openreferral_blueprint.get("/")
@public
def api_meta():
    return jsonify(
        {
            "version": "3.0",
            "profile": PROFILE_URL,
            "openapi_url": OPENAPI_URL,
            "description": "The council's short breaks directory (published services only), "
            "read-only. Each list takes only the query parameters under 'parameters'; any "
            "other, such as postcode, proximity, day, start_time or end_time, is a 400.",
            "parameters": SUPPORTED_PARAMETERS,
        }
    )


def _services_stmt():
    """The published services matching the list's filters."""
    filters = _filters()
    organization = filters.pop("organization_public_id", None)
    modified_after = filters.pop("modified_after", None)
    stmt = search_services_stmt(**filters)
    if organization:
        stmt = stmt.where(Provider.public_id == organization)
    if modified_after is not None:
        # last_modified is the later of the service's and its provider's changes.
        stmt = stmt.where(
            or_(
                ProviderService.updated_at > modified_after,
                Provider.updated_at > modified_after,
            )
        )
    return stmt


@openreferral_blueprint.get("/services")
@public
def services():
    return jsonify(_page(_services_stmt(), service_core))


@openreferral_blueprint.get("/services/<service_id>")
@public
def service(service_id):
    return jsonify(full_service(_published_service_by(ProviderService.public_id, service_id)))


@openreferral_blueprint.get("/service_at_locations")
@public
def service_at_locations():
    # The services with a place to publish (see openreferral_data.has_location).
    stmt = _services_stmt().where(
        or_(
            and_(
                ProviderService.venue_address != "",
                ProviderService.venue_town != "",
                ProviderService.venue_postcode != "",
            ),
            ProviderService.venue_name != "",
            ProviderService.accessibility != "",
        )
    )
    return jsonify(
        _page(stmt, lambda s: service_at_location_json(s, full=False, nested_service=True))
    )


@openreferral_blueprint.get("/service_at_locations/<sal_id>")
@public
def service_at_location(sal_id):
    service = _published_service_by(ProviderService.venue_public_id, sal_id)
    if not has_location(service):
        raise NotFound()
    return jsonify(service_at_location_json(service, full=True, nested_service=True))


@openreferral_blueprint.get("/taxonomies")
@public
def taxonomies():
    return jsonify(_list_slice(TAXONOMIES, taxonomy_json))


@openreferral_blueprint.get("/taxonomies/<tax_id>")
@public
def taxonomy(tax_id):
    for entry in TAXONOMIES:
        if taxonomy_id(entry[0]) == tax_id.lower():
            return jsonify(taxonomy_json(*entry))
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
    return jsonify(_list_slice(terms, term_json))


@openreferral_blueprint.get("/taxonomy_terms/<term>")
@public
def taxonomy_term(term):
    found = all_terms().get(term.lower())
    if found is None:
        raise NotFound()
    return jsonify(term_json(*found))


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
