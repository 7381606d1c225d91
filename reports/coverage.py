"""When the records this system holds begin, and so which years a statement can be made for.

There is no history before the first record (a referral, an eligibility decision, a targeted
registration or a child entered): a statement of a year before then could only print zeros
that nobody counted. ``REPORTS_FIRST_YEAR`` in the configuration, when set, names the first
financial year instead (for a council whose records were brought in complete from a year).
"""

from __future__ import annotations

import datetime as dt
import importlib

from flask import current_app
from sqlalchemy import func, select

from core.extensions import db


def _casework_models():
    try:
        module = importlib.import_module("casework.models")
    except ModuleNotFoundError:
        return None
    names = ("Child", "Referral", "EligibilityDecision", "TargetedRegistration")
    found = [getattr(module, n, None) for n in names]
    return None if any(m is None for m in found) else found


def records_begin() -> dt.date | None:
    """The date of the earliest record the statement's figures are drawn from, or None."""
    found = _casework_models()
    if found is None:
        return None
    child, referral, decision, registration = found
    days = [
        db.session.scalar(select(func.min(referral.received_on))),
        db.session.scalar(select(func.min(decision.decided_on))),
        db.session.scalar(select(func.min(registration.from_date))),
    ]
    created = db.session.scalar(select(func.min(child.created_at)))
    if created is not None:
        days.append(created.date() if isinstance(created, dt.datetime) else created)
    days = [d for d in days if d is not None]
    return min(days) if days else None


def configured_first_year() -> int | None:
    raw = current_app.config.get("REPORTS_FIRST_YEAR")
    try:
        return int(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        return None


def first_year(latest: int) -> int:
    """The earliest financial year a statement can be made for (at most ``latest``)."""
    from .services import financial_year_of

    configured = configured_first_year()
    if configured is not None:
        return min(configured, latest)
    begin = records_begin()
    return min(financial_year_of(begin), latest) if begin else latest
