"""The narrative sections of the Short Breaks Services Statement, written by managers.

Each save adds a new version (nothing is overwritten); a manager approves a version, and the
statement prints, for each section, the latest approved version. While a section has no
approved version the statement prints the latest draft and is marked as a draft throughout.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import audit
from core.extensions import db
from core.models import utcnow

from .models import StatementNarrative
from .services import ReportError

SECTIONS = {
    "introduction": (
        "Introduction and local vision",
        "What the council wants short breaks to achieve for families here.",
    ),
    "carers_views": (
        "How carers' views were gathered and what changed as a result",
        "Who was asked, how, what they said, and what the council changed because of it.",
    ),
    "how_to_ask": (
        "How to ask for a short break",
        "Who to contact, by phone, email or online, and what happens next.",
    ),
    "complaints": (
        "Complaints and appeals",
        "How to challenge a decision or complain, and who to contact.",
    ),
}
MAX_LENGTH = 20_000


def section_title(key: str) -> str:
    return SECTIONS[key][0]


def check_section(key: str) -> None:
    if key not in SECTIONS:
        raise ReportError(f"There is no statement section called {key!r}")


def versions(year: int, key: str) -> list[StatementNarrative]:
    return list(
        db.session.scalars(
            select(StatementNarrative)
            .where(StatementNarrative.year == year, StatementNarrative.section == key)
            .order_by(StatementNarrative.number.desc())
        )
    )


def latest(year: int, key: str, approved_only: bool = False) -> StatementNarrative | None:
    stmt = select(StatementNarrative).where(
        StatementNarrative.year == year, StatementNarrative.section == key
    )
    if approved_only:
        stmt = stmt.where(StatementNarrative.approved_at.is_not(None))
    return db.session.scalar(stmt.order_by(StatementNarrative.number.desc()).limit(1))


def overview(year: int) -> list[dict]:
    """Each section with its latest version and latest approved version, for the year page."""
    out = []
    for key, (title, hint) in SECTIONS.items():
        out.append(
            {
                "key": key,
                "title": title,
                "hint": hint,
                "latest": latest(year, key),
                "approved": latest(year, key, approved_only=True),
            }
        )
    return out


def save_version(year: int, key: str, body: str, user, based_on: int | None) -> StatementNarrative:
    """Add a new version. ``based_on`` is the version number the editor started from: if
    someone saved a newer one meanwhile, refuse rather than lose their words."""
    check_section(key)
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ReportError("Enter the text of this section")
    if len(body) > MAX_LENGTH:
        raise ReportError(f"The text must be {MAX_LENGTH:,} characters or fewer")
    current = latest(year, key)
    current_number = current.number if current else 0
    if based_on is not None and based_on != current_number:
        raise ReportError(
            "Someone else saved a newer version of this section while you were editing. "
            "Your text has not been saved: copy it, reload the page and make your changes again."
        )
    if current is not None and current.body == body:
        raise ReportError("The text is the same as the latest version: nothing to save")
    number = (
        db.session.scalar(
            select(func.max(StatementNarrative.number)).where(
                StatementNarrative.year == year, StatementNarrative.section == key
            )
        )
        or 0
    ) + 1
    row = StatementNarrative(
        year=year, section=key, number=number, body=body, written_by_id=user.id
    )
    db.session.add(row)
    db.session.flush()
    return row


def approve(year: int, key: str, number: int, user) -> StatementNarrative:
    check_section(key)
    row = db.session.scalar(
        select(StatementNarrative).where(
            StatementNarrative.year == year,
            StatementNarrative.section == key,
            StatementNarrative.number == number,
        )
    )
    if row is None:
        raise ReportError("That version does not exist")
    if row.approved_at is not None:
        raise ReportError("That version is already approved")
    newest = latest(year, key)
    if newest is not None and newest.number != row.number:
        raise ReportError("Only the latest version can be approved")
    row.approved_by_id = user.id
    row.approved_at = utcnow()
    db.session.flush()
    audit.record(
        "statement_section_approved",
        "statement_narrative",
        row.id,
        detail=f"{section_title(key)}, {year} version {number}",
    )
    return row


def copy_from_previous_year(year: int, user) -> int:
    """Start a year's sections from the previous year's approved text (as new drafts)."""
    copied = 0
    for key in SECTIONS:
        if latest(year, key) is not None:
            continue
        previous = latest(year - 1, key, approved_only=True)
        if previous is not None:
            save_version(year, key, previous.body, user, based_on=0)
            copied += 1
    return copied


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def for_statement(year: int) -> dict[str, dict | None]:
    """For each section the text to print: the latest approved version, else the latest draft."""
    out: dict[str, dict | None] = {}
    for key, (title, _hint) in SECTIONS.items():
        row = latest(year, key, approved_only=True) or latest(year, key)
        if row is None:
            out[key] = None
            continue
        out[key] = {
            "title": title,
            "paragraphs": paragraphs(row.body),
            "number": row.number,
            "approved_by": row.approved_by.name if row.approved_by else "",
            "approved_at": row.approved_at,
        }
    return out
