"""Reference lists every package shares: CIN census disability categories, the regulation 4
short-break types, age bands, eligibility tiers, and the localities (administrator-maintained
reference data held in ``reference_value`` with kind ``locality``)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from .extensions import db
from .models import ReferenceValue

# Children in Need census disability codes (DfE CIN census guide).
CIN_DISABILITY_CATEGORIES = {
    "NONE": "No disability",
    "MOB": "Mobility",
    "HAND": "Hand function",
    "PC": "Personal care",
    "INC": "Incontinence",
    "COMM": "Communication",
    "LD": "Learning",
    "HEAR": "Hearing",
    "VIS": "Vision",
    "BEH": "Behaviour",
    "CON": "Consciousness",
    "AUT": "Autistic spectrum disorder",
    "DDA": "Other disability (Disability Discrimination Act definition)",
}

# Breaks for Carers of Disabled Children Regulations 2011, regulation 4(2).
SHORT_BREAK_TYPES = {
    "daytime_home": "Day-time care in the home",
    "daytime_elsewhere": "Day-time care elsewhere",
    "overnight_home": "Overnight care in the home",
    "overnight_elsewhere": "Overnight care elsewhere",
    "educational_leisure": "Educational or leisure activities outside the home",
    "evening_weekend_holiday": "Services in the evenings, at weekends and in the school holidays",
}

TIERS = {
    "targeted": "Targeted",
    "specialist": "Specialist",
    "not_eligible": "Not eligible",
}

# (code, label, lowest age, highest age) — ages in whole years on the day that matters.
AGE_BANDS = [
    ("0-4", "0 to 4", 0, 4),
    ("5-10", "5 to 10", 5, 10),
    ("11-15", "11 to 15", 11, 15),
    ("16-17", "16 to 17", 16, 17),
    ("18-25", "18 to 25", 18, 25),
]

MAX_AGE = 25

# Localities of the invented demo county (loaded by demo data; administrators maintain them).
DEMO_LOCALITIES = [
    ("north", "Northbrook"),
    ("south", "Southmere"),
    ("east", "Eastfield"),
    ("west", "Westcombe"),
    ("central", "Ashby Central"),
    ("coast", "Saltcoast"),
]


def age_on(date_of_birth: dt.date, on: dt.date) -> int:
    """Age in whole years on a date (a 29 February birthday counts from 1 March)."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def years_after(day: dt.date, years: int) -> dt.date:
    """The same day ``years`` later (or earlier, if negative); 28 February for a 29th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def age_band(age: int) -> str | None:
    for code, _label, low, high in AGE_BANDS:
        if low <= age <= high:
            return code
    return None


def reference_values(kind: str, active_only: bool = True) -> list[ReferenceValue]:
    stmt = select(ReferenceValue).where(ReferenceValue.kind == kind)
    if active_only:
        stmt = stmt.where(ReferenceValue.active.is_(True))
    return list(db.session.scalars(stmt.order_by(ReferenceValue.sort_order, ReferenceValue.label)))


def localities(active_only: bool = True) -> list[ReferenceValue]:
    return reference_values("locality", active_only)


NO_LONGER_IN_USE = "{label} (no longer in use)"


def locality_options(keep=(), every: bool = False) -> list[tuple[str, str]]:
    """(code, label) pairs to choose a locality from: those in use, and those no longer in
    use that the record already has (``keep``) or, for a search (``every``), all of them, marked
    as such, so that saving a record keeps its locality and a search still finds it."""
    keep = set(keep or ())
    return [
        (row.code, row.label if row.active else NO_LONGER_IN_USE.format(label=row.label))
        for row in localities(active_only=False)
        if row.active or every or row.code in keep
    ]


def locality_labels() -> dict[str, str]:
    return {r.code: r.label for r in localities(active_only=False)}


def ensure_demo_localities() -> None:
    existing = {r.code for r in localities(active_only=False)}
    for order, (code, label) in enumerate(DEMO_LOCALITIES):
        if code not in existing:
            db.session.add(
                ReferenceValue(kind="locality", code=code, label=label, sort_order=order)
            )
    db.session.flush()


class ReferenceError_(ValueError):  # noqa: N801 - "ReferenceError" is a builtin
    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def save_locality(row: ReferenceValue | None, code: str, label: str, active: bool):
    """Add or change a locality. Its code is what records keep, so it is fixed once made."""
    import re

    from .text import hidden_characters

    label = " ".join(label.split())
    if not label:
        raise ReferenceError_("Enter the locality's name", "label")
    if hidden_characters(label):
        raise ReferenceError_("Name must not contain hidden characters", "label")
    if row is None:
        code = code.strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", code):
            raise ReferenceError_(
                "Short code must use only lower-case letters, numbers and hyphens", "code"
            )
        if any(r.code == code for r in localities(active_only=False)):
            raise ReferenceError_(f"A locality with the code {code} already exists", "code")
    clash = next(
        (r for r in localities(False) if r.label.lower() == label.lower() and r is not row), None
    )
    if clash is not None:
        raise ReferenceError_(f"There is already a locality called {clash.label}", "label")
    if row is None:
        order = len(localities(active_only=False))
        row = ReferenceValue(kind="locality", code=code, label=label, sort_order=order)
        db.session.add(row)
    row.label = label
    row.active = active
    db.session.flush()
    return row
