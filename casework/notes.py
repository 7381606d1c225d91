"""The chronology's own entries (case notes) and closing and reopening a case. Use these
through ``casework.services``."""

from __future__ import annotations

import datetime as dt

from core.extensions import db
from core.models import User

from .due import refresh_next_due
from .models import NOTE_TYPES, STATUS_CLOSED, STATUS_OPEN, CaseClosure, CaseNote, Child
from .rules import CaseworkError, check_not_before_birth, require_open
from .text import line, long_text


def add_note(child: Child, user: User, data: dict) -> CaseNote:
    require_open(child)
    when = data.get("occurred_on")
    if when is None:
        raise CaseworkError("Enter the date it happened", "occurred_on")
    if when > dt.date.today():
        raise CaseworkError("Date must be today or in the past", "occurred_on")
    check_not_before_birth(child, when, "occurred_on")
    if data.get("note_type") not in NOTE_TYPES:
        raise CaseworkError("Select the type of entry", "note_type")
    summary = line(data, "summary", "Summary")
    if not summary:
        raise CaseworkError("Enter a short summary", "summary")
    people = line(data, "people", "Who was involved")
    body = long_text(data, "body", "What happened")
    if not body:
        raise CaseworkError("Enter what happened", "body")
    note = CaseNote(
        child_id=child.id,
        occurred_on=when,
        note_type=data["note_type"],
        summary=summary,
        people=people,
        body=body,
        significant=bool(data.get("significant")),
        author_id=user.id,
    )
    db.session.add(note)
    db.session.flush()
    return note


def close_case(child: Child, user: User, reason: str, on: dt.date | None = None) -> None:
    if child.is_closed:
        raise CaseworkError("This case is already closed")
    reason = long_text({"reason": reason}, "reason", "The reason")
    if not reason:
        raise CaseworkError("Enter the reason for closing the case", "reason")
    on = on or dt.date.today()
    child.status = STATUS_CLOSED
    child.closed_on = on
    child.next_due_on = None
    child.next_due_kind = ""
    db.session.add(
        CaseClosure(child_id=child.id, action="closed", on_date=on, reason=reason, by_id=user.id)
    )
    db.session.flush()


def reopen_case(child: Child, user: User, reason: str) -> None:
    if not child.is_closed:
        raise CaseworkError("This case is already open")
    reason = long_text({"reason": reason}, "reason", "The reason")
    if not reason:
        raise CaseworkError("Enter the reason for reopening the case", "reason")
    child.status = STATUS_OPEN
    child.closed_on = None
    db.session.add(
        CaseClosure(
            child_id=child.id,
            action="reopened",
            on_date=dt.date.today(),
            reason=reason,
            by_id=user.id,
        )
    )
    db.session.flush()
    refresh_next_due(child)
