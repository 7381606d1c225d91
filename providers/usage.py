"""Usage of services against their capacity, from casework's targeted registrations.

What the records allow, and no more: a registration says which child uses which service from
when to when, so "places used" is the children registered today against a service's places per
session. No record yet says how many nights a child has had (that comes with support plans),
so for services counted in nights a year the nights used are ``None``: "not recorded yet", never
a guess. Reached through ``providers.services``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from sqlalchemy import func, or_, select

from core.extensions import db

from .models import CAPACITY_UNITS, Provider, ProviderService
from .search import search_services

PLACES = "places_per_session"
NIGHTS = "nights_per_year"


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


def _current(stmt, model, on: dt.date):
    if hasattr(model, "from_date"):
        stmt = stmt.where(model.from_date <= on)
    if hasattr(model, "to_date"):
        stmt = stmt.where(or_(model.to_date.is_(None), model.to_date >= on))
    return stmt


def children_by_service(on: dt.date | None = None) -> dict[int, set[int]]:
    """{service id: ids of the children registered with it on a date (default today)}."""
    source = registration_source()
    if source is None:
        return {}
    model, column = source
    col = getattr(model, column)
    stmt = _current(select(col, model.child_id).where(col.is_not(None)), model, on or _today())
    out: dict[int, set[int]] = {}
    for service_id, child_id in db.session.execute(stmt.distinct()):
        out.setdefault(service_id, set()).add(child_id)
    return out


def _today() -> dt.date:
    return dt.date.today()


def usage_by_service(on: dt.date | None = None) -> dict[int, int]:
    """{service id: number of children registered with it on a date (default today)}; empty
    (every count zero) while casework has no registration model with a service column."""
    return {sid: len(children) for sid, children in children_by_service(on).items()}


def registrations_not_ended(service_id: int, on: dt.date | None = None) -> int:
    """How many registrations name this service and have not ended by a date (default today):
    current ones and those still to start."""
    source = registration_source()
    if source is None:
        return 0
    model, column = source
    on = on or _today()
    stmt = select(func.count()).select_from(model).where(getattr(model, column) == service_id)
    if hasattr(model, "to_date"):
        stmt = stmt.where(or_(model.to_date.is_(None), model.to_date >= on))
    return db.session.scalar(stmt) or 0


def usage_report(on: dt.date | None = None) -> list[dict]:
    """Each service of a provider on the framework with what it is used against its capacity:
    [{'service', 'children' (registered on the date), 'capacity', 'unit' (label), 'unit_code',
    'places_used' (children, for places; else None), 'nights_used' (None: not recorded yet),
    'full' (places only: as many children registered as places)}]."""
    counts = usage_by_service(on)
    rows = []
    for service in search_services():
        used = counts.get(service.id, 0)
        places = service.capacity_unit == PLACES
        rows.append(
            {
                "service": service,
                "children": used,
                "capacity": service.capacity,
                "unit": CAPACITY_UNITS.get(service.capacity_unit, ""),
                "unit_code": service.capacity_unit,
                "places_used": used if places else None,
                "nights_used": None,
                "full": places and service.capacity is not None and used >= service.capacity,
            }
        )
    return rows


def usage_by_service_locality(on: dt.date | None = None) -> list[dict]:
    """For each active locality, the services (of providers on the framework) that run there:
    [{'locality', 'label', 'services' (how many), 'places' (places per session, added up),
    'children' (children registered with any of them on the date, wherever they live, each
    once), 'night_services' (how many count in nights), 'nights' (nights a year, added up),
    'nights_used' (None: not recorded yet)}].
    A service that runs in several localities counts in each."""
    from core.reference import localities

    children = children_by_service(on)
    rows = {
        loc.code: {
            "locality": loc.code,
            "label": loc.label,
            "services": 0,
            "places": 0,
            "night_services": 0,
            "nights": 0,
            "nights_used": None,
            "_children": set(),
        }
        for loc in localities()
    }
    for service in search_services():
        for code in service.localities:
            row = rows.get(code)
            if row is None:
                continue
            row["services"] += 1
            row["night_services"] += int(service.capacity_unit == NIGHTS)
            if service.capacity is not None:
                row["places" if service.capacity_unit == PLACES else "nights"] += service.capacity
            row["_children"] |= children.get(service.id, set())
    out = []
    for row in rows.values():
        row["children"] = len(row.pop("_children"))
        out.append(row)
    return out


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
    col = getattr(model, column)
    live = select(ProviderService.id).join(Provider).where(Provider.status == "on_framework")
    stmt = (
        select(Child.locality, func.count(func.distinct(Child.id)))
        .join(model, model.child_id == Child.id)
        .where(col.in_(live))
    )
    stmt = _current(stmt, model, on or _today())
    return dict(db.session.execute(stmt.group_by(Child.locality)).all())
