"""The child's own record: finding it (with access checks), likely duplicates, recording a
child and changing their details. Use these through ``casework.services``."""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.access import refuse
from core.extensions import db
from core.models import Team, User, utcnow
from core.reference import CIN_DISABILITY_CATEGORIES

from . import locking
from .models import STATUS_OPEN, Allocation, Child, ChildDisability, Referral
from .names import search_key
from .rules import (
    CaseworkError,
    case_number_for,
    check_age_at_referral,
    check_date_of_birth,
    check_not_born_in_future,
    check_on_or_after_birth,
    child_visible_to,
    normalise_nhs_number,
    normalise_postcode,
    require_open,
)
from .text import line, long_text


def refuse_child(child_id: int) -> None:
    """403 for a child this person may not see. The refusal is audited (kept although the
    request rolls back) and names the child, so it is found with the child's other rows."""
    refuse("record", "child", child_id, subject=("child", child_id))


def get_childs_record(child: Child, model, record_id: int):
    """One of ``child``'s own records (a carer, professional, registration) by its id from the
    URL; 404 if there is none. The id of another child's record is a 404 too, and audited as a
    refused access (kept although the request rolls back) naming the child it belongs to, so
    it is found with that child's other rows."""
    from flask import abort, request

    record = db.session.get(model, record_id)
    if record is None:
        abort(404)
    if record.child_id != child.id:
        audit.keep_after_rollback(
            "access_refused",
            getattr(model, "__audit_name__", None) or model.__tablename__,
            record_id,
            detail=f"{request.method} {request.path} (another child's record)",
            subject=record,
        )
        abort(404)
    return record


def get_child_for(user, child_id: int, *, audit_view: bool = True) -> Child:
    """The child, if this user may see them; refused (403, audited) or 404 otherwise.

    A GET of a child's page records a view in the audit log."""
    from flask import abort

    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    if not child_visible_to(user, child):
        refuse_child(child_id)
    if audit_view:
        audit.record_view(child)
    return child


# --- Likely duplicates --------------------------------------------------------------------------


def find_duplicates(
    first_name: str, last_name: str, date_of_birth: dt.date, nhs: str | None = None
) -> list[Child]:
    """Records (any team's) that are likely the same child: the same name and date of birth,
    or the same NHS number. Names are compared as search compares them (casework.names: case,
    accents, spaces and punctuation aside, so "Kai ONeill" is "Kai O'Neill"), on the indexed
    search columns. Show them through ``duplicate_notices``, never directly."""
    first, last = search_key(first_name), search_key(last_name)
    same_person = and_(
        Child.date_of_birth == date_of_birth,
        Child.search_last_name == last,
        or_(Child.search_first_name == first, Child.search_preferred_name == first),
    )
    try:
        nhs = normalise_nhs_number(nhs)
    except CaseworkError:
        nhs = None
    condition = or_(same_person, Child.nhs_number == nhs) if nhs else same_person
    return list(db.session.scalars(select(Child).where(condition).order_by(Child.id)))


def duplicate_fingerprint(data: dict) -> str:
    """What a likely-duplicate warning was about: the name, date of birth and NHS number as
    ``find_duplicates`` compares them. The form carries it once the warning is shown, so that
    "this is a different child" confirms that record only: changing any of them checks again."""
    try:
        nhs = normalise_nhs_number(data.get("nhs_number")) or ""
    except CaseworkError:
        nhs = ""
    dob = data.get("date_of_birth")
    parts = (
        search_key(data.get("first_name")),
        search_key(data.get("last_name")),
        dob.isoformat() if dob else "",
        nhs,
    )
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]


def duplicate_notices(user: User, duplicates: list[Child]) -> list[dict]:
    """What the likely-duplicate warning may show of each record, audited.

    A child this person may see: full details (``child``). Any other: only that a record exists
    and the team that holds it (``team``), so they can ask that team; not the name, case
    number, date of birth or locality."""
    notices = []
    for d in duplicates:
        visible = child_visible_to(user, d)
        notices.append(
            {
                "child": d if visible else None,
                "team": d.allocated_team.name if d.allocated_team else "",
            }
        )
        audit.keep_after_rollback(  # what was seen is kept whatever becomes of the request
            "duplicate_check",
            "child",
            d.id,
            subject=("child", d.id),
            detail="Shown as a likely duplicate of a new record: "
            + ("full details" if visible else "that a record exists, and its team only"),
        )
    return notices


def audit_disclosure(exc: CaseworkError) -> None:
    """Audit a refusal that told the person about another child (an NHS number already
    recorded). The row is kept although the refused request is rolled back."""
    if exc.disclosed is not None:
        child = exc.disclosed
        audit.keep_after_rollback(
            "duplicate_check",
            "child",
            child.id,
            subject=("child", child.id),
            detail="NHS number already recorded for this child: another record was refused",
        )


def _check_nhs_unique(nhs: str | None, user: User | None, child: Child | None = None) -> None:
    """One NHS number, one child. The message names the other child only to someone who may
    see them; anyone else is told which team to contact."""
    if not nhs:
        return
    stmt = select(Child).where(Child.nhs_number == nhs)
    if child is not None and child.id is not None:
        stmt = stmt.where(Child.id != child.id)
    other = db.session.scalar(stmt.order_by(Child.id).limit(1))
    if other is None:
        return
    if user is not None and child_visible_to(user, other):
        message = (
            f"This NHS number is already recorded for {other.full_name}, case {other.case_number}"
        )
    elif other.allocated_team is not None:
        message = (
            "This NHS number is already recorded for another child. Contact "
            f"{other.allocated_team.name}, who hold the record"
        )
    else:
        message = (
            "This NHS number is already recorded for another child. Contact your team "
            "manager to find out who holds the record"
        )
    raise CaseworkError(message, "nhs_number", disclosed=other)


# --- Recording and changing a child ---------------------------------------------------------


def _next_child_id() -> int:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        return db.session.scalar(select(func.nextval("child_id_seq")))
    return (db.session.scalar(select(func.max(Child.id))) or 0) + 1


CHILD_FIELDS = (
    "first_name",
    "last_name",
    "preferred_name",
    "date_of_birth",
    "gender",
    "ethnicity",
    "first_language",
    "nhs_number",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "locality",
    "school",
    "ehc_plan",
    "ehc_plan_date",
    "disability_register",
    "communication_needs",
    "health_needs",
    "consent_to_share",
)


def _check_date_of_birth(dob: dt.date, child: Child | None) -> None:
    """A new record: 25 or under today. An existing one: only a changed date of birth is
    checked, against the latest referral (the rule is age at referral), or against the day
    the record was made if there is none. A young person who has turned 26 since can still
    have their address and other details changed."""
    if child is None:
        check_date_of_birth(dob)
        return
    check_not_born_in_future(dob)
    if dob == child.date_of_birth:
        return
    first, latest = db.session.execute(
        select(func.min(Referral.received_on), func.max(Referral.received_on)).where(
            Referral.child_id == child.id
        )
    ).one()
    if latest is None:
        check_date_of_birth(dob, on=(child.created_at or utcnow()).date())
        return
    if dob > first:
        from core.templating import govuk_date

        raise CaseworkError(
            f"Date of birth must be on or before the date of the first referral, "
            f"{govuk_date(first)}",
            "date_of_birth",
        )
    check_age_at_referral(dob, latest, "date_of_birth")


# One-line fields of a child's record (besides the names), and long text, as the form calls them.
_CHILD_LINES = {
    "first_language": "First language",
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "town": "Town or city",
    "school": "School or setting",
}
_CHILD_LONG_TEXT = {"communication_needs": "Communication needs", "health_needs": "Health needs"}


def _clean_child(data: dict, child: Child | None = None) -> dict:
    out = {k: data[k] for k in CHILD_FIELDS if k in data}
    for key, label in (("first_name", "First name"), ("last_name", "Last name")):
        out[key] = line(out, key, label, name=True)
        if not out[key]:
            raise CaseworkError(f"Enter the child's {label.lower()}", key)
    if "preferred_name" in out:
        out["preferred_name"] = line(out, "preferred_name", "Preferred name", name=True)
    for key, label in _CHILD_LINES.items():
        if key in out:
            out[key] = line(out, key, label)
    for key, label in _CHILD_LONG_TEXT.items():
        if key in out:
            out[key] = long_text(out, key, label)
    if out.get("date_of_birth") is None:
        raise CaseworkError("Enter the child's date of birth", "date_of_birth")
    _check_date_of_birth(out["date_of_birth"], child)
    out["nhs_number"] = normalise_nhs_number(out.get("nhs_number"))
    out["postcode"] = normalise_postcode(out.get("postcode", ""))
    if not out.get("locality"):
        raise CaseworkError("Select the locality", "locality")
    if out.get("ehc_plan") and out.get("ehc_plan_date") is None:
        raise CaseworkError("Enter the date of the EHC plan", "ehc_plan_date")
    if not out.get("ehc_plan"):
        out["ehc_plan_date"] = None
    else:
        check_ehc_plan_date(out["ehc_plan_date"], out["date_of_birth"])
    return out


def check_ehc_plan_date(on: dt.date, dob: dt.date) -> None:
    """The date of an EHC plan: today or earlier, and on or after the date of birth (``dob``,
    as it is being saved)."""
    if on > dt.date.today():
        raise CaseworkError("Date of the EHC plan must be today or in the past", "ehc_plan_date")
    check_on_or_after_birth(dob, on, "ehc_plan_date", "Date of the EHC plan")


def _check_disabilities(codes) -> list[str]:
    codes = sorted(set(codes or []))
    unknown = [c for c in codes if c not in CIN_DISABILITY_CATEGORIES]
    if unknown:
        raise CaseworkError("Select disabilities from the list", "disabilities")
    if not codes:
        raise CaseworkError("Select at least one disability category", "disabilities")
    if "NONE" in codes and len(codes) > 1:
        raise CaseworkError(
            "Select ‘No disability’ on its own, or only the disabilities that apply",
            "disabilities",
        )
    return codes


def create_child(
    user: User,
    data: dict,
    disabilities,
    *,
    team: Team | None = None,
    worker: User | None = None,
) -> Child:
    """Record a new child and issue a case number. Allocated to `team` and `worker`.

    Refused if the NHS number is already another child's (even after the likely-duplicate
    warning: a child has one record)."""
    values = _clean_child(data)
    codes = _check_disabilities(disabilities)
    _check_nhs_unique(values["nhs_number"], user)
    child_id = _next_child_id()
    child = Child(id=child_id, case_number=case_number_for(child_id), status=STATUS_OPEN, **values)
    child.disabilities = [ChildDisability(category=c) for c in codes]
    child.allocated_team_id = team.id if team else None
    child.allocated_worker_id = worker.id if worker else None
    try:
        with db.session.begin_nested():  # another record with this NHS number saved just now
            db.session.add(child)
    except IntegrityError:
        _check_nhs_unique(values["nhs_number"], user)
        raise
    if team or worker:
        db.session.add(
            Allocation(
                child_id=child.id,
                team_id=child.allocated_team_id,
                worker_id=child.allocated_worker_id,
                allocated_by_id=user.id,
            )
        )
        db.session.flush()
    return child


def update_child(
    child: Child,
    data: dict,
    disabilities,
    expected_version: int | None,
    *,
    by: User | None = None,
) -> Child:
    """Save edits to a child's details; refused (StaleEdit) if someone else saved first.

    `by` is who is saving: an NHS number already recorded for a child they may see is named
    in the message."""
    require_open(child)
    locking.check_version(child, expected_version)
    values = _clean_child(data, child)
    codes = _check_disabilities(disabilities)
    _check_nhs_unique(values["nhs_number"], by, child)
    for key, value in values.items():
        setattr(child, key, value)
    before = child.disability_codes
    if before != codes:
        keep = [d for d in child.disabilities if d.category in codes]
        child.disabilities = keep + [ChildDisability(category=c) for c in codes if c not in before]
        child.updated_at = utcnow()  # a change of disabilities alone still bumps the version
    locking.flush(child)
    return child
