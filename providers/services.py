"""The rules of the providers framework and the short breaks directory. Plain functions, no
HTTP; they flush, never commit.

For other packages (everything is importable from here; the checks live in ``checks``, the
searches in ``search`` and the usage counts in ``usage``):

- ``search_services(...)`` / ``search_services_stmt(...)``: the directory's search.
- ``service_choices(tier=None)``: (id, label) pairs of the services a practitioner may pick.
- ``get_service(id)``: one service (or None).
- ``published_services()``: the services families can see, as plain dicts.
- ``services_by_type_and_locality()``: for the Short Breaks Services Statement.
- ``gaps()``: short-break types and needs with no service in a locality.
- ``usage_by_service()``: children using each service (see ``registration_source()``);
  ``usage_report()``, ``usage_by_service_locality()`` and ``usage_by_locality()``.
"""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.reference import SHORT_BREAK_TYPES

from .checks import (
    CAPACITY_MAX,
    NEEDS,
    PROVIDER_FIELDS,
    PROVIDER_LABELS,
    SERVICE_FIELDS,
    SERVICE_LABELS,
    EditConflict,
    ProviderError,
    canonical_codes,
    check_provider,
    check_service,
    is_web_address,
    name_key,
    normalise_postcode,
    parse_pounds,
    pence_to_pounds_text,
    provider_named,
)
from .models import Provider, ProviderService
from .search import (
    EXPIRY_WARNING_DAYS,
    gaps,
    providers_stmt,
    published_services,
    search_services,
    search_services_stmt,
    service_choices,
    service_summary,
    services_by_type_and_locality,
)
from .usage import (
    registration_source,
    registrations_not_ended,
    usage_by_locality,
    usage_by_service,
    usage_by_service_locality,
    usage_report,
)

__all__ = [
    "CAPACITY_MAX",
    "EXPIRY_WARNING_DAYS",
    "NEEDS",
    "PROVIDER_FIELDS",
    "PROVIDER_LABELS",
    "SERVICE_FIELDS",
    "SERVICE_LABELS",
    "SHORT_BREAK_TYPES",
    "EditConflict",
    "ProviderError",
    "canonical_codes",
    "check_provider",
    "check_service",
    "create_provider",
    "create_service",
    "expiry_flags",
    "gaps",
    "get_provider",
    "get_service",
    "is_web_address",
    "name_key",
    "normalise_postcode",
    "parse_pounds",
    "pence_to_pounds_text",
    "provider_named",
    "providers_stmt",
    "published_services",
    "registration_source",
    "registrations_not_ended",
    "remove_service",
    "search_services",
    "search_services_stmt",
    "service_choices",
    "service_summary",
    "services_by_type_and_locality",
    "update_provider",
    "update_service",
    "usage_by_locality",
    "usage_by_service",
    "usage_by_service_locality",
    "usage_report",
]


# --- Changes ------------------------------------------------------------------------------


def _check_version(record, expected_version: int | None, what: str) -> None:
    """Refuse a change made to an older version of the record than the one saved now."""
    if expected_version is not None and record.version != expected_version:
        raise EditConflict(f"Someone else changed this {what} while you were editing it", "version")


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
    data = check_service(data, service)
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
