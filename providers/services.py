"""The rules of the providers framework and the short breaks directory. Plain functions, no
HTTP; they flush, never commit.

For other packages:

- ``search_services(...)`` / ``search_services_stmt(...)``: the directory's search.
- ``service_choices(tier=None)``: (id, label) pairs of the services a practitioner may pick.
- ``get_service(id)``: one service (or None).
- ``published_services()``: the services families can see, as plain dicts.
- ``services_by_type_and_locality()``: for the Short Breaks Services Statement.
- ``gaps()``: short-break types and needs with no service in a locality.
- ``usage_by_service()``: children using each service (see ``registration_source()``).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from sqlalchemy import func, or_, select

from core.extensions import db
from core.reference import (
    CIN_DISABILITY_CATEGORIES,
    MAX_AGE,
    SHORT_BREAK_TYPES,
    locality_labels,
)

from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SE7_FIELDS,
    SERVICE_TIERS,
    Provider,
    ProviderService,
    has_code,
)

EXPIRY_WARNING_DAYS = 30
NEEDS = {k: v for k, v in CIN_DISABILITY_CATEGORIES.items() if k != "NONE"}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

PROVIDER_FIELDS = (
    "name",
    "kind",
    "status",
    "description",
    "registration_body",
    "registration_number",
    "registration_rating",
    "contact_name",
    "email",
    "phone",
    "website",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "localities",
    "direct_payments",
    "dbs_expires_on",
    "insurance_expires_on",
    "notes",
)
SERVICE_FIELDS = (
    "name",
    "short_break_type",
    "tier",
    "age_from",
    "age_to",
    "needs",
    "localities",
    "runs",
    "capacity",
    "capacity_unit",
    "rate_pence",
    "rate_unit",
    "published",
    "venue_name",
    "venue_address",
    "venue_town",
    "venue_postcode",
    "contact_name",
    "contact_email",
    "contact_phone",
    *SE7_FIELDS,
)


class ProviderError(ValueError):
    """A change that cannot be made, with a message for the person and the field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- Money --------------------------------------------------------------------------------


def parse_pounds(text: str) -> int:
    """'12.50', '£12.50', '1,200' -> whole pence, by decimal arithmetic (never float).

    Raises ValueError with a message for the person."""
    cleaned = (text or "").strip().replace(",", "").removeprefix("£").strip()
    if not re.fullmatch(r"\d{1,7}(\.\d{1,2})?", cleaned):
        raise ValueError("Enter the rate in pounds and pence, like 12.50")
    try:
        pence = Decimal(cleaned) * 100
    except InvalidOperation:
        raise ValueError("Enter the rate in pounds and pence, like 12.50") from None
    return int(pence)


def pence_to_pounds_text(pence: int | None) -> str:
    """Whole pence -> '12.50' (for form fields and CSV)."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"{whole}.{part:02d}"


# --- Checks shared by the forms and the CSV import ----------------------------------------


def normalise_postcode(postcode: str) -> str:
    raw = re.sub(r"\s+", "", (postcode or "").upper())
    if not raw:
        return ""
    if len(raw) > 4:
        raw = raw[:-3] + " " + raw[-3:]
    if not POSTCODE.match(raw):
        raise ProviderError("Enter a real postcode, like AB1 2CD", "postcode")
    return raw


def _check_codes(values, allowed, field, what):
    bad = [v for v in values if v not in allowed]
    if bad:
        unknown = ", ".join(bad)
        raise ProviderError(f"Choose {what} from the list, not {unknown}", field)


def check_provider(data: dict, provider: Provider | None = None) -> dict:
    """Normalise and check provider data; raise ProviderError on the first problem."""
    data = dict(data)
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise ProviderError("Enter the provider's name", "name")
    if len(data["name"]) > 200:
        raise ProviderError("Name must be 200 characters or fewer", "name")
    if data.get("kind") not in PROVIDER_KINDS:
        raise ProviderError("Select the kind of provider", "kind")
    if data.get("status", "on_framework") not in PROVIDER_STATUSES:
        raise ProviderError("Select the provider's status", "status")
    if data.get("registration_body", "") not in REGISTRATION_BODIES:
        raise ProviderError("Select Ofsted, CQC or not registered", "registration_body")
    if data.get("registration_rating", "") not in REGISTRATION_RATINGS:
        raise ProviderError("Select a registration rating from the list", "registration_rating")
    if data.get("registration_body") and not (data.get("registration_number") or "").strip():
        raise ProviderError(
            "Enter the Ofsted or CQC registration number, or select not registered",
            "registration_number",
        )
    email = (data.get("email") or "").strip()
    if email and not EMAIL.match(email):
        raise ProviderError("Enter an email address in the correct format", "email")
    website = (data.get("website") or "").strip()
    if website and not website.startswith(("https://", "http://")):
        raise ProviderError("Enter a website address starting with https://", "website")
    if "postcode" in data:
        data["postcode"] = normalise_postcode(data.get("postcode") or "")
    data["localities"] = list(data.get("localities") or [])
    _check_codes(data["localities"], locality_labels(), "localities", "localities")
    stmt = select(Provider.id).where(func.lower(Provider.name) == data["name"].lower())
    if provider is not None and provider.id is not None:
        stmt = stmt.where(Provider.id != provider.id)
    if db.session.scalar(stmt) is not None:
        raise ProviderError("A provider with this name is already on the framework", "name")
    return data


def check_service(data: dict) -> dict:
    """Normalise and check service data; raise ProviderError on the first problem."""
    data = dict(data)
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise ProviderError("Enter the service's name", "name")
    if data.get("short_break_type") not in SHORT_BREAK_TYPES:
        raise ProviderError("Select the type of short break", "short_break_type")
    if data.get("tier") not in SERVICE_TIERS:
        raise ProviderError("Select targeted or specialist", "tier")
    age_from, age_to = data.get("age_from"), data.get("age_to")
    if age_from is None or not 0 <= age_from <= MAX_AGE:
        raise ProviderError(f"Youngest age must be between 0 and {MAX_AGE}", "age_from")
    if age_to is None or not 0 <= age_to <= MAX_AGE:
        raise ProviderError(f"Oldest age must be between 0 and {MAX_AGE}", "age_to")
    if age_to < age_from:
        raise ProviderError("Oldest age must be the same as or more than the youngest", "age_to")
    for field, allowed, what in (
        ("needs", NEEDS, "needs"),
        ("localities", locality_labels(), "localities"),
        ("runs", RUNS, "when the service runs"),
    ):
        data[field] = list(data.get(field) or [])
        _check_codes(data[field], allowed, field, what)
    if not data["needs"]:
        raise ProviderError("Select at least one need the service caters for", "needs")
    if not data["localities"]:
        raise ProviderError("Select at least one locality", "localities")
    if data.get("capacity") is not None and data["capacity"] < 0:
        raise ProviderError("Capacity must be 0 or more", "capacity")
    if data.get("capacity_unit", "places_per_session") not in CAPACITY_UNITS:
        raise ProviderError("Select places per session or nights a year", "capacity_unit")
    if data.get("rate_unit", "session") not in RATE_UNITS:
        raise ProviderError("Select per hour, per session or per night", "rate_unit")
    email = (data.get("contact_email") or "").strip()
    if email and not EMAIL.match(email):
        raise ProviderError("Enter an email address in the correct format", "contact_email")
    if "venue_postcode" in data:
        try:
            data["venue_postcode"] = normalise_postcode(data.get("venue_postcode") or "")
        except ProviderError as exc:
            raise ProviderError(str(exc), "venue_postcode") from None
    if data.get("published") and not (data.get("what_it_does") or "").strip():
        raise ProviderError(
            "Answer 'What does the service do?' before publishing the service", "what_it_does"
        )
    return data


# --- Changes ------------------------------------------------------------------------------


def _check_version(record, expected_version: int | None, what: str) -> None:
    if expected_version is not None and record.version != expected_version:
        raise ProviderError(
            f"Someone else changed this {what} while you were editing it. "
            "Your changes have not been saved: check the details and make them again."
        )


def _apply(record, data: dict, fields) -> None:
    for key in fields:
        if key in data:
            value = data[key]
            setattr(record, key, value.strip() if isinstance(value, str) else value)


def create_provider(data: dict) -> Provider:
    data = check_provider(data)
    provider = Provider()
    _apply(provider, data, PROVIDER_FIELDS)
    db.session.add(provider)
    db.session.flush()
    return provider


def update_provider(provider: Provider, data: dict, expected_version: int | None = None):
    _check_version(provider, expected_version, "provider")
    data = check_provider(data, provider)
    _apply(provider, data, PROVIDER_FIELDS)
    db.session.flush()
    return provider


def create_service(provider: Provider, data: dict) -> ProviderService:
    data = check_service(data)
    service = ProviderService(provider=provider)
    _apply(service, data, SERVICE_FIELDS)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(service: ProviderService, data: dict, expected_version: int | None = None):
    _check_version(service, expected_version, "service")
    data = check_service(data)
    _apply(service, data, SERVICE_FIELDS)
    db.session.flush()
    return service


def remove_service(service: ProviderService) -> None:
    """Remove a service from the framework (audited). Refused while children use it or are
    registered to start; registrations that have ended keep their record (the database sets
    their service to NULL; casework keeps the service's name as it read in ``activity``)."""
    if usage_by_service().get(service.id, 0) or registrations_not_ended(service.id):
        raise ProviderError(
            "Children are registered with this service. End their registrations first, "
            "or stop publishing the service instead."
        )
    db.session.delete(service)
    db.session.flush()


# --- Reading ------------------------------------------------------------------------------


def get_provider(provider_id: int) -> Provider | None:
    return db.session.get(Provider, provider_id)


def get_service(service_id: int) -> ProviderService | None:
    return db.session.get(ProviderService, service_id)


def expiry_flags(provider: Provider, today: dt.date | None = None) -> list[dict]:
    """DBS and insurance checks that have expired or expire within 30 days:
    [{'what': 'DBS check', 'date': date, 'state': 'expired' | 'expiring'}]."""
    today = today or dt.date.today()
    flags = []
    for what, when in (
        ("DBS check", provider.dbs_expires_on),
        ("Insurance", provider.insurance_expires_on),
    ):
        if when is None:
            continue
        if when < today:
            flags.append({"what": what, "date": when, "state": "expired"})
        elif when <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            flags.append({"what": what, "date": when, "state": "expiring"})
    return flags


def providers_stmt(text: str = "", status: str = "", flagged: bool = False, today=None):
    """Providers for the framework list, by name; optionally only those with a check that
    has expired or expires within 30 days."""
    stmt = select(Provider).order_by(Provider.name)
    if text:
        like = f"%{text.lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Provider.name).like(like),
                func.lower(Provider.registration_number).like(like),
            )
        )
    if status:
        stmt = stmt.where(Provider.status == status)
    if flagged:
        soon = (today or dt.date.today()) + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        stmt = stmt.where(
            or_(Provider.dbs_expires_on <= soon, Provider.insurance_expires_on <= soon)
        )
    return stmt


def search_services_stmt(
    text: str = "",
    age: int | None = None,
    locality: str = "",
    need: str = "",
    short_break_type: str = "",
    tier: str = "",
    direct_payments: bool = False,
    published_only: bool = False,
    min_age: int | None = None,
    max_age: int | None = None,
    taxonomy_code: str = "",
):
    """The directory's search as a select() of ProviderService, ordered by name.

    Only services of providers on the framework. ``text`` matches the service's and the
    provider's names and the answer to 'what does the service do'; ``age`` keeps services whose
    age range includes it; ``direct_payments`` keeps providers direct payment holders may buy
    from. ``min_age`` / ``max_age`` are the Open Referral filters (service's lowest age at
    least min_age; highest age at most max_age); ``taxonomy_code`` matches a short-break type,
    a need or a tier code.
    """
    stmt = (
        select(ProviderService)
        .join(Provider, ProviderService.provider_id == Provider.id)
        .where(Provider.status == "on_framework")
        .order_by(ProviderService.name, ProviderService.id)
    )
    if text:
        for word in text.lower().split()[:8]:
            like = f"%{word}%"
            stmt = stmt.where(
                or_(
                    func.lower(ProviderService.name).like(like),
                    func.lower(Provider.name).like(like),
                    func.lower(ProviderService.what_it_does).like(like),
                )
            )
    if age is not None:
        stmt = stmt.where(ProviderService.age_from <= age, ProviderService.age_to >= age)
    if min_age is not None:
        stmt = stmt.where(ProviderService.age_from >= min_age)
    if max_age is not None:
        stmt = stmt.where(ProviderService.age_to <= max_age)
    if locality:
        stmt = stmt.where(has_code(ProviderService.localities, locality))
    if need:
        stmt = stmt.where(has_code(ProviderService.needs, need))
    if short_break_type:
        stmt = stmt.where(ProviderService.short_break_type == short_break_type)
    if tier:
        stmt = stmt.where(ProviderService.tier == tier)
    if taxonomy_code:
        stmt = stmt.where(
            or_(
                ProviderService.short_break_type == taxonomy_code,
                ProviderService.tier == taxonomy_code,
                has_code(ProviderService.needs, taxonomy_code),
            )
        )
    if direct_payments:
        stmt = stmt.where(Provider.direct_payments.is_(True))
    if published_only:
        stmt = stmt.where(ProviderService.published.is_(True))
    return stmt


def search_services(**filters) -> list[ProviderService]:
    """search_services(text=..., age=..., locality=..., need=..., short_break_type=..., tier=...,
    direct_payments=..., published_only=...) -> the matching services (see
    search_services_stmt)."""
    return list(db.session.scalars(search_services_stmt(**filters)))


def service_choices(tier: str | None = None) -> list[tuple[int, str]]:
    """(service id, 'Service name – Provider name') for services of providers on the framework,
    for a practitioner to pick (optionally only one tier)."""
    return [(s.id, f"{s.name} – {s.provider.name}") for s in search_services(tier=tier or "")]


def service_summary(service: ProviderService) -> dict:
    """A service as plain data (no ORM objects) for reports and other packages."""
    labels = locality_labels()
    return {
        "id": service.id,
        "name": service.name,
        "provider": service.provider.name,
        "provider_id": service.provider_id,
        "short_break_type": service.short_break_type,
        "short_break_type_label": SHORT_BREAK_TYPES.get(service.short_break_type, ""),
        "tier": service.tier,
        "age_from": service.age_from,
        "age_to": service.age_to,
        "needs": list(service.needs),
        "localities": list(service.localities),
        "locality_labels": [labels.get(c, c) for c in service.localities],
        "capacity": service.capacity,
        "capacity_unit": service.capacity_unit,
        "rate_pence": service.rate_pence,
        "rate_unit": service.rate_unit,
        "runs": list(service.runs),
        "direct_payments": service.provider.direct_payments,
        "published": service.published,
    }


def published_services() -> list[dict]:
    """Published services of providers on the framework, as service_summary() dicts."""
    return [service_summary(s) for s in search_services(published_only=True)]


def services_by_type_and_locality(published_only: bool = False) -> dict:
    """{short_break_type: {locality_code: [service_summary, ...]}} for every regulation 4 type
    and every active locality (empty lists where there is nothing), for the Short Breaks
    Services Statement."""
    from core.reference import localities

    codes = [r.code for r in localities()]
    table = {t: {c: [] for c in codes} for t in SHORT_BREAK_TYPES}
    for service in search_services(published_only=published_only):
        for code in service.localities:
            if code in table[service.short_break_type]:
                table[service.short_break_type][code].append(service_summary(service))
    return table


def gaps() -> list[dict]:
    """Short-break types and needs with no service (of a provider on the framework) in a
    locality: [{'locality': code, 'locality_label': ..., 'kind': 'short_break_type' | 'need',
    'code': ..., 'label': ...}], by locality then kind."""
    from core.reference import localities

    covered_types: set[tuple[str, str]] = set()
    covered_needs: set[tuple[str, str]] = set()
    for service in search_services():
        for loc in service.localities:
            covered_types.add((loc, service.short_break_type))
            covered_needs.update((loc, n) for n in service.needs)
    out = []
    for loc in localities():
        for code, label in SHORT_BREAK_TYPES.items():
            if (loc.code, code) not in covered_types:
                out.append(
                    {
                        "locality": loc.code,
                        "locality_label": loc.label,
                        "kind": "short_break_type",
                        "code": code,
                        "label": label,
                    }
                )
        for code, label in NEEDS.items():
            if (loc.code, code) not in covered_needs:
                out.append(
                    {
                        "locality": loc.code,
                        "locality_label": loc.label,
                        "kind": "need",
                        "code": code,
                        "label": label,
                    }
                )
    return out


# --- Usage (needs casework's registrations) -------------------------------------------------


@lru_cache(maxsize=1)
def registration_source():
    """The casework registration model and its service column, if casework has one:
    (model, service_column_name) or None. Until then every usage count is zero."""
    try:
        from casework import models as casework_models
    except ImportError:
        return None
    for name in ("TargetedRegistration", "Registration", "ServiceRegistration"):
        model = getattr(casework_models, name, None)
        if model is None:
            continue
        for column in ("provider_service_id", "service_id"):
            if column in model.__table__.columns:
                return model, column
    return None


def usage_by_service(on: dt.date | None = None) -> dict[int, int]:
    """{service id: number of children registered with it on a date (default today)}; empty
    (every count zero) while casework has no registration model with a service column."""
    source = registration_source()
    if source is None:
        return {}
    model, column = source
    on = on or dt.date.today()
    col = getattr(model, column)
    stmt = select(col, func.count(func.distinct(model.child_id))).where(col.is_not(None))
    if hasattr(model, "from_date"):
        stmt = stmt.where(model.from_date <= on)
    if hasattr(model, "to_date"):
        stmt = stmt.where(or_(model.to_date.is_(None), model.to_date >= on))
    return dict(db.session.execute(stmt.group_by(col)).all())


def registrations_not_ended(service_id: int, on: dt.date | None = None) -> int:
    """How many registrations name this service and have not ended by a date (default today):
    current ones and those still to start."""
    source = registration_source()
    if source is None:
        return 0
    model, column = source
    on = on or dt.date.today()
    stmt = select(func.count()).select_from(model).where(getattr(model, column) == service_id)
    if hasattr(model, "to_date"):
        stmt = stmt.where(or_(model.to_date.is_(None), model.to_date >= on))
    return db.session.scalar(stmt) or 0


def usage_report(on: dt.date | None = None) -> list[dict]:
    """Each service of a provider on the framework with its capacity and the children using it:
    [{'service': ProviderService, 'children': n, 'capacity': c, 'unit': ..., 'full': bool}]."""
    counts = usage_by_service(on)
    rows = []
    for service in search_services():
        used = counts.get(service.id, 0)
        rows.append(
            {
                "service": service,
                "children": used,
                "capacity": service.capacity,
                "unit": CAPACITY_UNITS.get(service.capacity_unit, ""),
                "full": service.capacity is not None
                and service.capacity_unit == "places_per_session"
                and used >= service.capacity,
            }
        )
    return rows


def usage_by_locality(on: dt.date | None = None) -> dict[str, int]:
    """{locality code: children living there registered with a service of a provider on the
    framework on a date}; each child counted once. Empty while casework has no registrations
    with a service (or its children have no locality)."""
    source = registration_source()
    if source is None:
        return {}
    try:
        from casework.models import Child
    except ImportError:
        return {}
    if not hasattr(Child, "locality"):
        return {}
    model, column = source
    on = on or dt.date.today()
    col = getattr(model, column)
    live = select(ProviderService.id).join(Provider).where(Provider.status == "on_framework")
    stmt = (
        select(Child.locality, func.count(func.distinct(Child.id)))
        .join(model, model.child_id == Child.id)
        .where(col.in_(live))
    )
    if hasattr(model, "from_date"):
        stmt = stmt.where(model.from_date <= on)
    if hasattr(model, "to_date"):
        stmt = stmt.where(or_(model.to_date.is_(None), model.to_date >= on))
    return dict(db.session.execute(stmt.group_by(Child.locality)).all())
