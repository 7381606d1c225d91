"""Finding providers and services: the framework list, the directory's search, the Short Breaks
Services Statement's table and the gaps. Read-only; reached through ``providers.services``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, or_, select

from core.extensions import db
from core.reference import SHORT_BREAK_TYPES, locality_labels

from .checks import NEEDS
from .models import SE7_FIELDS, SERVICE_TIERS, Provider, ProviderService, has_code

EXPIRY_WARNING_DAYS = 30


def _contains(column, text: str):
    """Case-insensitive 'column contains text', where % and _ in text are only themselves."""
    return func.lower(column).contains(text.lower(), autoescape=True)


# How the lists can be sorted: {key: columns}, the first key the default.
PROVIDER_SORTS = {
    "name": (func.lower(Provider.name),),
    "kind": (Provider.kind, func.lower(Provider.name)),
    "status": (Provider.status, func.lower(Provider.name)),
}
SERVICE_SORTS = {
    "name": (func.lower(ProviderService.name),),
    "provider": (func.lower(Provider.name), func.lower(ProviderService.name)),
    "age": (ProviderService.age_from, ProviderService.age_to, func.lower(ProviderService.name)),
}


def _ordered(stmt, sorts: dict, sort: str, direction: str, tie):
    columns = sorts.get(sort) or next(iter(sorts.values()))
    if direction == "desc":
        columns = [c.desc() for c in columns]
    return stmt.order_by(*columns, tie)


def providers_stmt(
    text: str = "",
    status: str = "",
    flagged: bool = False,
    today=None,
    sort: str = "name",
    direction: str = "asc",
):
    """Providers for the framework list (sorted by a PROVIDER_SORTS key, by name unless
    told); optionally only those with a check that has expired or expires within 30 days."""
    stmt = _ordered(select(Provider), PROVIDER_SORTS, sort, direction, Provider.id)
    if text:
        stmt = stmt.where(
            or_(_contains(Provider.name, text), _contains(Provider.registration_number, text))
        )
    if status:
        stmt = stmt.where(Provider.status == status)
    if flagged:
        soon = (today or dt.date.today()) + dt.timedelta(days=EXPIRY_WARNING_DAYS)
        stmt = stmt.where(
            or_(Provider.dbs_expires_on <= soon, Provider.insurance_expires_on <= soon)
        )
    return stmt


# Words families use for each need, beside its census name ("autism" for "Autistic spectrum
# disorder"), so that a search for them finds the services catering for that need.
NEED_WORDS = {
    "MOB": "mobility physical wheelchair",
    "HAND": "hand function",
    "PC": "personal care",
    "INC": "incontinence continence toileting",
    "COMM": "communication speech language non-verbal",
    "LD": "learning disability disabilities",
    "HEAR": "hearing deaf",
    "VIS": "vision visual sight blind",
    "BEH": "behaviour behavior challenging",
    "CON": "consciousness epilepsy seizures",
    "AUT": "autism autistic asd asc",
    "DDA": "other disability",
}
# The text a word is looked for in: the names, the venue, and every SE7 answer.
SEARCHED_COLUMNS = (
    ProviderService.name,
    Provider.name,
    ProviderService.venue_name,
    ProviderService.venue_town,
    *(getattr(ProviderService, f) for f in SE7_FIELDS),
)


def _codes_named(word: str, names: dict, words: dict | None = None) -> list[str]:
    """The codes whose name (or the words families use for it) contains the word."""
    word = word.lower()
    return [
        code
        for code, label in names.items()
        if word in label.lower() or word in (words or {}).get(code, "")
    ]


def _matches_word(word: str, locality_names: dict):
    """SQL condition: the service mentions the word, or caters for a need, is of a type or
    tier, or runs in a locality whose name contains it."""
    conditions = [_contains(column, word) for column in SEARCHED_COLUMNS]
    conditions += [
        has_code(ProviderService.needs, c) for c in _codes_named(word, NEEDS, NEED_WORDS)
    ]
    conditions += [
        has_code(ProviderService.localities, c) for c in _codes_named(word, locality_names)
    ]
    types = _codes_named(word, SHORT_BREAK_TYPES)
    if types:
        conditions.append(ProviderService.short_break_type.in_(types))
    tiers = _codes_named(word, SERVICE_TIERS)
    if tiers:
        conditions.append(ProviderService.tier.in_(tiers))
    return or_(*conditions)


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
    sort: str = "name",
    direction: str = "asc",
):
    """The directory's search as a select() of ProviderService, sorted by a SERVICE_SORTS key
    (by name unless told).

    Only services of providers on the framework. ``text``: every word must be in the
    service's or the provider's name, the venue, or any SE7 answer, or name one of its needs
    (or a word families use for it, such as "autism"), its type, tier or localities (% and _
    match only themselves); ``age`` keeps services whose age range includes it;
    ``direct_payments`` keeps providers direct payment holders may buy from. ``min_age`` /
    ``max_age`` are the Open Referral filters (service's lowest age at least min_age; highest
    age at most max_age); ``taxonomy_code`` matches a short-break type, a need or a tier code.
    """
    stmt = _ordered(
        select(ProviderService)
        .join(Provider, ProviderService.provider_id == Provider.id)
        .where(Provider.status == "on_framework"),
        SERVICE_SORTS,
        sort,
        direction,
        ProviderService.id,
    )
    if text:
        locality_names = locality_labels()
        for word in text.split()[:8]:
            stmt = stmt.where(_matches_word(word, locality_names))
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


def gaps(published_only: bool = False) -> list[dict]:
    """Short-break types and needs with no service (of a provider on the framework) in a
    locality: [{'locality': code, 'locality_label': ..., 'kind': 'short_break_type' | 'need',
    'code': ..., 'label': ...}], by locality then kind. ``published_only``: count only the
    services families can find (the public statement), not those still being prepared."""
    from core.reference import localities

    covered_types: set[tuple[str, str]] = set()
    covered_needs: set[tuple[str, str]] = set()
    for service in search_services(published_only=published_only):
        for loc in service.localities:
            covered_types.add((loc, service.short_break_type))
            covered_needs.update((loc, n) for n in service.needs)
    out = []
    for loc in localities():
        for kind, terms, covered in (
            ("short_break_type", SHORT_BREAK_TYPES, covered_types),
            ("need", NEEDS, covered_needs),
        ):
            for code, label in terms.items():
                if (loc.code, code) not in covered:
                    out.append(
                        {
                            "locality": loc.code,
                            "locality_label": loc.label,
                            "kind": kind,
                            "code": code,
                            "label": label,
                        }
                    )
    return out
