"""The narrative sections of the Short Breaks Services Statement, written by managers.

Each save adds a new version (nothing is overwritten); a commissioner approves a version, but
never one they saved themselves: a statutory publication is checked by a second person.

One rule, used by the statement, the reports page and the text page alike (``status``): each
section prints its latest approved version, even when a newer version is waiting for approval.
A section with no approved version at all prints its latest draft, marked as a draft, and the
whole statement is then marked as a draft.
"""

from __future__ import annotations

from sqlalchemy import func, select

from core import audit
from core.extensions import db
from core.models import utcnow
from core.text import hidden_characters

from .models import StatementNarrative
from .services import ReportError

STALE_MESSAGE = (
    "Someone else saved a newer version of this section while you were editing. "
    "Your text has not been saved: copy it, reload the page and make your changes again."
)
OWN_VERSION_MESSAGE = (
    "You saved this version, so you cannot approve it: the statement is a statutory "
    "publication, and another commissioner must check and approve the text."
)

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
HIDDEN_CHARACTERS_MESSAGE = (
    "The text must not contain hidden characters, such as direction marks or zero-width "
    "spaces: they can make the printed text read differently from what you see. Type the "
    "text again, or paste it as plain text"
)


def has_hidden_characters(text: str) -> bool:
    """Hidden characters of long text (``core.text``): a right-to-left override prints "Call
    0123" backwards, a zero-width space hides inside a word; new lines, tabs and the joiners
    that build emoji are allowed."""
    return hidden_characters(text, multiline=True)


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


def status(year: int) -> list[dict]:
    """Each section of a year: its latest version, its latest approved version, the version
    the statement prints (``printed``) and the newer version waiting for approval, if any
    (``waiting``). ``draft`` is True when the section has no approved version at all."""
    out = []
    for key, (title, hint) in SECTIONS.items():
        newest = latest(year, key)
        approved = latest(year, key, approved_only=True)
        waiting = newest if newest is not None and newest.approved_at is None else None
        out.append(
            {
                "key": key,
                "title": title,
                "hint": hint,
                "latest": newest,
                "approved": approved,
                "printed": approved or newest,
                "waiting": waiting,
                "draft": approved is None,
            }
        )
    return out


def is_draft(sections: list[dict]) -> bool:
    """The statement is a draft only if some section has no approved version at all."""
    return any(s["draft"] for s in sections)


def save_version(year: int, key: str, body: str, user, based_on: int | None) -> StatementNarrative:
    """Add a new version. ``based_on`` is the version number the editor started from (0 for
    the first): if someone saved a newer one meanwhile, or the form did not say, refuse rather
    than lose their words."""
    check_section(key)
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not body:
        raise ReportError("Enter the text of this section")
    if has_hidden_characters(body):
        raise ReportError(HIDDEN_CHARACTERS_MESSAGE)
    if len(body) > MAX_LENGTH:
        raise ReportError(f"The text must be {MAX_LENGTH:,} characters or fewer")
    current = latest(year, key)
    current_number = current.number if current else 0
    if based_on is None or based_on != current_number:
        raise ReportError(STALE_MESSAGE)
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
    if row.written_by_id is not None and row.written_by_id == user.id:
        raise ReportError(OWN_VERSION_MESSAGE)
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
        if previous is not None and not has_hidden_characters(previous.body):
            save_version(year, key, previous.body, user, based_on=0)
            copied += 1
    return copied


def paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def for_statement(year: int) -> dict[str, dict | None]:
    """For each section the text to print (see ``status``)."""
    out: dict[str, dict | None] = {}
    for s in status(year):
        row = s["printed"]
        if row is None:
            out[s["key"]] = None
            continue
        out[s["key"]] = {
            "title": s["title"],
            "paragraphs": paragraphs(row.body),
            "number": row.number,
            "approved": row.approved_at is not None,
            "approved_by": row.approved_by.name if row.approved_by else "",
            "approved_at": row.approved_at,
        }
    return out
