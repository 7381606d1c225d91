"""Edit conflicts: what someone else changed while a provider or service form was open.

An edit form carries, beside the record's version, a short fingerprint of each field as it was
when the form was opened (``loaded``, see ``core.locking``). When the version has moved on, the
fields whose saved value no longer matches its fingerprint are the ones the other person
changed; their saved values are shown so that saving again is a deliberate choice. The
fingerprints only describe; the version check is what refuses a stale change, so a tampered
fingerprint can mislead no one but its sender.
"""

from __future__ import annotations

import datetime as dt

from core import locking
from core.reference import SHORT_BREAK_TYPES, locality_labels

from .checks import NEEDS
from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SERVICE_TIERS,
)

CODES = {
    "kind": PROVIDER_KINDS,
    "status": PROVIDER_STATUSES,
    "registration_body": REGISTRATION_BODIES,
    "registration_rating": REGISTRATION_RATINGS,
    "short_break_type": SHORT_BREAK_TYPES,
    "tier": SERVICE_TIERS,
    "capacity_unit": CAPACITY_UNITS,
    "rate_unit": RATE_UNITS,
    "needs": NEEDS,
    "runs": RUNS,
}


def fingerprints(record, fields) -> dict:
    """{field: digest} of the record's fields now."""
    return locking.fingerprints(locking.record_values(record, fields), repr)


def start_from(form, record, fields) -> None:
    """Move the form's hidden version and ``loaded`` to the record as saved now."""
    locking.move_to_saved(form, record, fingerprints(record, fields))


def changed_fields(record, fields, loaded: str | None, submitted: dict) -> tuple[list, bool]:
    """(fields, known): the fields someone else changed since the form was opened, with
    known=True; or, when the form did not say what it opened with, the fields whose saved
    value differs from what was submitted, with known=False."""
    opened = locking.decode(loaded)
    if all(field in opened for field in fields):
        return locking.changed_since(opened, fingerprints(record, fields)), True
    return [f for f in fields if f in submitted and submitted[f] != getattr(record, f)], False


def saved_text(record, field: str) -> str:
    """A field's saved value as a person reads it."""
    value = getattr(record, field)
    if field == "rate_pence":
        if value is None:
            return "Not given"
        whole, part = divmod(value, 100)
        return f"£{whole:,}.{part:02d}"
    if field == "capacity" and value is not None:
        return f"{value} {CAPACITY_UNITS.get(record.capacity_unit, '')}".strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    if isinstance(value, list):
        names = locality_labels() if field == "localities" else CODES.get(field, {})
        return ", ".join(names.get(code, code) for code in value) or "None selected"
    if field in CODES:
        return CODES[field].get(value, value) or "Not given"
    if value is None or value == "":
        return "Not given"
    return str(value)
