"""A child's parents, carers and siblings, and the other professionals involved. Use these
through ``casework.services``. Changes to a saved person are locked (casework.locking)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db

from . import locking
from .children import get_childs_record
from .models import Child, FamilyMember, Professional
from .rules import CaseworkError, check_email, check_sibling_date_of_birth, require_open
from .text import line, long_text, phone

_MEMBER_LONG_TEXT = {
    "address": "Address",
    "carer_needs": "The carer's own needs",
    "notes": "Notes",
}


def save_family_member(
    child: Child,
    data: dict,
    member: FamilyMember | None = None,
    *,
    expected_version: int | None = None,
) -> FamilyMember:
    """Add a carer or sibling, or change one (refused with StaleEdit if someone else saved
    it after `expected_version`)."""
    require_open(child)
    if member is not None:
        locking.check_version(member, expected_version)
    name = line(data, "name", "Full name", name=True)
    if not name:
        raise CaseworkError("Enter the person's name", "name")
    kind = data.get("kind") or (member.kind if member else "carer")
    if kind not in ("carer", "sibling"):
        raise CaseworkError("Choose parent or carer, or sibling", "kind")
    dob = data.get("date_of_birth")
    if dob and dob > dt.date.today():
        raise CaseworkError("Date of birth must be today or in the past", "date_of_birth")
    if dob and kind == "sibling" and (member is None or dob != member.date_of_birth):
        # Checked only when entered or changed, like the child's own (the bound moves on).
        check_sibling_date_of_birth(dob)
    email = check_email(data.get("email"))
    number = phone(data)
    texts = {key: long_text(data, key, label) for key, label in _MEMBER_LONG_TEXT.items()}
    if member is None:
        member = FamilyMember(child_id=child.id, kind=kind)
        db.session.add(member)
    member.kind = kind
    member.name = name
    member.relationship_to_child = data.get("relationship_to_child") or (
        "" if kind == "sibling" else "other"
    )
    member.date_of_birth = dob
    member.parental_responsibility = bool(data.get("parental_responsibility"))
    member.lives_with_child = bool(data.get("lives_with_child"))
    for key, value in texts.items():
        setattr(member, key, value)
    member.phone = number
    member.email = email
    member.needs_carers_assessment = bool(data.get("needs_carers_assessment"))
    if kind == "sibling":
        member.parental_responsibility = False
        member.needs_carers_assessment = False
    locking.flush(member)
    return member


def family_members(child: Child, kind: str | None = None) -> list[FamilyMember]:
    stmt = select(FamilyMember).where(FamilyMember.child_id == child.id)
    if kind:
        stmt = stmt.where(FamilyMember.kind == kind)
    return list(db.session.scalars(stmt.order_by(FamilyMember.kind, FamilyMember.id)))


def get_family_member(child: Child, member_id: int) -> FamilyMember:
    return get_childs_record(child, FamilyMember, member_id)


def save_professional(
    child: Child,
    data: dict,
    prof: Professional | None = None,
    *,
    expected_version: int | None = None,
) -> Professional:
    """Add a professional, or change one (refused with StaleEdit if someone else saved it
    after `expected_version`)."""
    require_open(child)
    if prof is not None:
        locking.check_version(prof, expected_version)
    name = line(data, "name", "Name", name=True)
    if not name:
        raise CaseworkError("Enter the professional's name", "name")
    role = line(data, "role", "Role")
    if not role:
        raise CaseworkError("Enter the professional's role, like GP or class teacher", "role")
    organisation = line(data, "organisation", "Organisation")
    number = phone(data)
    email = check_email(data.get("email"))
    if prof is None:
        prof = Professional(child_id=child.id)
        db.session.add(prof)
    prof.name, prof.role, prof.organisation = name, role, organisation
    prof.phone = number
    prof.email = email
    locking.flush(prof)
    return prof


def professionals(child: Child) -> list[Professional]:
    return list(
        db.session.scalars(
            select(Professional).where(Professional.child_id == child.id).order_by(Professional.id)
        )
    )


def get_professional(child: Child, prof_id: int) -> Professional:
    return get_childs_record(child, Professional, prof_id)
