"""Times as people in the UK read them: stored times are UTC; pages show UK time (GMT or BST)
with its zone, so that "9:15am" on the reports page is the time on the reader's clock.

Local to the reports package (core's ``govuk_datetime`` prints the stored UTC time unlabelled).
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from core.templating import govuk_date

UK = ZoneInfo("Europe/London")


def to_uk(value: dt.datetime) -> dt.datetime:
    """A stored time (naive UTC, or aware) in UK time."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(UK)


def uk_datetime(value) -> str:
    """1 July 2026 at 1:05pm BST (the UK time, with its zone)."""
    if value is None or value == "":
        return ""
    local = to_uk(value)
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{govuk_date(local)} at {hour}:{local:%M}{suffix} {local.tzname()}"


def uk_date(value) -> str:
    """The UK date of a stored time (near midnight it may differ from the UTC date)."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        return govuk_date(to_uk(value))
    return govuk_date(value)
