"""The rules of casework that change records: plain functions, no HTTP. They flush, never
commit. Validation and access rules are in casework.rules (re-exported here), search and
caseloads in casework.search, the chronology in casework.timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm.exc import StaleDataError

from core import audit
from core.access import refuse
from core.extensions import db
from core.models import Team, User, utcnow
from core.reference import CIN_DISABILITY_CATEGORIES, MAX_AGE, age_on, locality_labels
from core.roles import Role
from core.templating import govuk_date

from .models import (
    NOTE_TYPES,
    STATUS_CLOSED,
    STATUS_OPEN,
    Allocation,
    CaseClosure,
    CaseNote,
    Child,
    ChildDisability,
    EligibilityCriterion,
    EligibilityDecision,
    EligibilityDecisionCriterion,
    FamilyMember,
    Professional,
    Referral,
    TargetedRegistration,
)
from .rules import (
    ASSESSMENT_WORKING_DAYS,
    CLOSED_MESSAGE,
    STALE_MESSAGE,
    CaseworkError,
    add_working_days,
    case_number_for,
    check_date_of_birth,
    child_visible_to,
    normalise_nhs_number,
    normalise_postcode,
)

# Views and other packages use these through services.
__all__ = [
    "ASSESSMENT_WORKING_DAYS",
    "CLOSED_MESSAGE",
    "STALE_MESSAGE",
    "CaseworkError",
    "add_working_days",
    "case_number_for",
    "check_date_of_birth",
    "child_visible_to",
    "normalise_nhs_number",
    "normalise_postcode",
]


def get_child_for(user, child_id: int, *, audit_view: bool = True) -> Child:
    """The child, if this user may see them; refused (403, audited) or 404 otherwise.

    A GET of a child's page records a view in the audit log."""
    from flask import abort

    child = db.session.get(Child, child_id)
    if child is None:
        abort(404)
    if not child_visible_to(user, child):
        refuse("record", "child", child_id)
    if audit_view:
        audit.record_view(child)
    return child


def require_open(child: Child) -> None:
    if child.is_closed:
        raise CaseworkError(CLOSED_MESSAGE)


# --- Children -------------------------------------------------------------------------------


def _next_child_id() -> int:
    bind = db.session.get_bind()
    if bind.dialect.name == "postgresql":
        return db.session.scalar(select(func.nextval("child_id_seq")))
    return (db.session.scalar(select(func.max(Child.id))) or 0) + 1


def find_duplicates(
    first_name: str, last_name: str, date_of_birth: dt.date, nhs: str | None = None
) -> list[Child]:
    """Records (any team's) that are likely the same child: the same name and date of birth,
    or the same NHS number."""
    same_person = and_(
        Child.date_of_birth == date_of_birth,
        func.lower(Child.last_name) == last_name.strip().lower(),
        or_(
            func.lower(Child.first_name) == first_name.strip().lower(),
            func.lower(Child.preferred_name) == first_name.strip().lower(),
        ),
    )
    try:
        nhs = normalise_nhs_number(nhs)
    except CaseworkError:
        nhs = None
    condition = or_(same_person, Child.nhs_number == nhs) if nhs else same_person
    return list(db.session.scalars(select(Child).where(condition).order_by(Child.id)))


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


def _clean_child(data: dict) -> dict:
    out = {k: data[k] for k in CHILD_FIELDS if k in data}
    for key in ("first_name", "last_name"):
        out[key] = (out.get(key) or "").strip()
        if not out[key]:
            label = "first name" if key == "first_name" else "last name"
            raise CaseworkError(f"Enter the child's {label}", key)
    for key in (
        "preferred_name",
        "first_language",
        "address_line_1",
        "address_line_2",
        "town",
        "school",
        "communication_needs",
        "health_needs",
    ):
        if key in out:
            out[key] = (out[key] or "").strip()
    if out.get("date_of_birth") is None:
        raise CaseworkError("Enter the child's date of birth", "date_of_birth")
    check_date_of_birth(out["date_of_birth"])
    out["nhs_number"] = normalise_nhs_number(out.get("nhs_number"))
    out["postcode"] = normalise_postcode(out.get("postcode", ""))
    if not out.get("locality"):
        raise CaseworkError("Select the locality", "locality")
    if out.get("ehc_plan") and out.get("ehc_plan_date") is None:
        raise CaseworkError("Enter the date of the EHC plan", "ehc_plan_date")
    if not out.get("ehc_plan"):
        out["ehc_plan_date"] = None
    elif out["ehc_plan_date"] > dt.date.today():
        raise CaseworkError("Date of the EHC plan must be today or in the past", "ehc_plan_date")
    return out


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
    """Record a new child and issue a case number. Allocated to `team` and `worker`."""
    values = _clean_child(data)
    codes = _check_disabilities(disabilities)
    child_id = _next_child_id()
    child = Child(id=child_id, case_number=case_number_for(child_id), status=STATUS_OPEN, **values)
    child.disabilities = [ChildDisability(category=c) for c in codes]
    child.allocated_team_id = team.id if team else None
    child.allocated_worker_id = worker.id if worker else None
    db.session.add(child)
    db.session.flush()
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


def update_child(child: Child, data: dict, disabilities, expected_version: int | None) -> Child:
    """Save edits to a child's details; refused if someone else saved first."""
    require_open(child)
    if expected_version is None or expected_version != child.version:
        raise CaseworkError(STALE_MESSAGE)
    values = _clean_child(data)
    codes = _check_disabilities(disabilities)
    for key, value in values.items():
        setattr(child, key, value)
    before = child.disability_codes
    if before != codes:
        keep = [d for d in child.disabilities if d.category in codes]
        child.disabilities = keep + [ChildDisability(category=c) for c in codes if c not in before]
        child.updated_at = utcnow()  # a change of disabilities alone still bumps the version
    try:
        db.session.flush()
    except StaleDataError:
        raise CaseworkError(STALE_MESSAGE) from None
    return child


# --- Family and professionals ---------------------------------------------------------------


def _text(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


def save_family_member(child: Child, data: dict, member: FamilyMember | None = None):
    require_open(child)
    name = _text(data, "name")
    if not name:
        raise CaseworkError("Enter the person's name", "name")
    kind = data.get("kind") or (member.kind if member else "carer")
    if kind not in ("carer", "sibling"):
        raise CaseworkError("Choose parent or carer, or sibling", "kind")
    dob = data.get("date_of_birth")
    if dob and dob > dt.date.today():
        raise CaseworkError("Date of birth must be today or in the past", "date_of_birth")
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
    for key in ("phone", "email", "address", "carer_needs", "notes"):
        setattr(member, key, _text(data, key))
    member.needs_carers_assessment = bool(data.get("needs_carers_assessment"))
    if kind == "sibling":
        member.parental_responsibility = False
        member.needs_carers_assessment = False
    db.session.flush()
    return member


def family_members(child: Child, kind: str | None = None) -> list[FamilyMember]:
    stmt = select(FamilyMember).where(FamilyMember.child_id == child.id)
    if kind:
        stmt = stmt.where(FamilyMember.kind == kind)
    return list(db.session.scalars(stmt.order_by(FamilyMember.kind, FamilyMember.id)))


def get_family_member(child: Child, member_id: int) -> FamilyMember:
    from flask import abort

    member = db.session.get(FamilyMember, member_id)
    if member is None or member.child_id != child.id:
        abort(404)
    return member


def save_professional(child: Child, data: dict, prof: Professional | None = None):
    require_open(child)
    name = _text(data, "name")
    if not name:
        raise CaseworkError("Enter the professional's name", "name")
    if not _text(data, "role"):
        raise CaseworkError("Enter the professional's role, like GP or class teacher", "role")
    if prof is None:
        prof = Professional(child_id=child.id)
        db.session.add(prof)
    prof.name = name
    for key in ("role", "organisation", "phone", "email"):
        setattr(prof, key, _text(data, key))
    db.session.flush()
    return prof


def professionals(child: Child) -> list[Professional]:
    return list(
        db.session.scalars(
            select(Professional).where(Professional.child_id == child.id).order_by(Professional.id)
        )
    )


def get_professional(child: Child, prof_id: int) -> Professional:
    from flask import abort

    prof = db.session.get(Professional, prof_id)
    if prof is None or prof.child_id != child.id:
        abort(404)
    return prof


# --- Referrals and allocation ---------------------------------------------------------------


def add_referral(child: Child, user: User, data: dict) -> Referral:
    require_open(child)
    received = data.get("received_on")
    if received is None:
        raise CaseworkError("Enter the date the referral was received", "received_on")
    if received > dt.date.today():
        raise CaseworkError("Date received must be today or in the past", "received_on")
    if received < child.date_of_birth:
        raise CaseworkError("Date received must be after the child's date of birth", "received_on")
    if age_on(child.date_of_birth, received) > MAX_AGE:
        raise CaseworkError(
            f"The young person was over {MAX_AGE} on the date of referral: this service is for "
            f"ages 0 to {MAX_AGE}",
            "received_on",
        )
    if not data.get("source"):
        raise CaseworkError("Select where the referral came from", "source")
    reason = _text(data, "reason")
    if not reason:
        raise CaseworkError("Enter the reason for the referral", "reason")
    referral = Referral(
        child_id=child.id,
        received_on=received,
        source=data["source"],
        reason=reason,
        requested_support=_text(data, "requested_support"),
        recorded_by_id=user.id,
    )
    db.session.add(referral)
    db.session.flush()
    refresh_next_due(child)
    return referral


def referrals(child: Child) -> list[Referral]:
    return list(
        db.session.scalars(
            select(Referral)
            .where(Referral.child_id == child.id)
            .order_by(Referral.received_on.desc(), Referral.id.desc())
        )
    )


def allocatable_teams(user: User) -> list[Team]:
    """Teams a user may allocate a case to: their own teams."""
    return sorted(user.teams, key=lambda t: t.name)


def team_workers(team_ids) -> list[User]:
    """Enabled practitioners and team managers in these teams."""
    from core.models import TeamMembership, UserRole

    if not team_ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(TeamMembership, TeamMembership.user_id == User.id)
            .where(
                TeamMembership.team_id.in_(list(team_ids)),
                User.enabled.is_(True),
                exists().where(
                    UserRole.user_id == User.id,
                    UserRole.role.in_([Role.PRACTITIONER.value, Role.TEAM_MANAGER.value]),
                ),
            )
            .distinct()
            .order_by(User.name)
        )
    )


def allocate(child: Child, by: User, team: Team | None, worker: User | None) -> None:
    """Allocate the case (team managers): to a team, and optionally a worker in that team."""
    require_open(child)
    if not by.has_role(Role.TEAM_MANAGER):
        raise CaseworkError("Only a team manager can allocate cases")
    if team is None:
        raise CaseworkError("Select a team", "team")
    if worker is not None and team.id not in worker.team_ids:
        raise CaseworkError(f"{worker.name} is not in {team.name}", "worker")
    if child.allocated_team_id == team.id and child.allocated_worker_id == (
        worker.id if worker else None
    ):
        raise CaseworkError("The case is already allocated this way", "worker")
    now = utcnow()
    for current in db.session.scalars(
        select(Allocation).where(Allocation.child_id == child.id, Allocation.ended_at.is_(None))
    ):
        current.ended_at = now
    child.allocated_team_id = team.id
    child.allocated_worker_id = worker.id if worker else None
    db.session.add(
        Allocation(
            child_id=child.id,
            team_id=team.id,
            worker_id=worker.id if worker else None,
            allocated_by_id=by.id,
            allocated_at=now,
        )
    )
    db.session.flush()


def allocations(child: Child) -> list[Allocation]:
    return list(
        db.session.scalars(
            select(Allocation)
            .where(Allocation.child_id == child.id)
            .order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
        )
    )


# --- Eligibility ----------------------------------------------------------------------------


def criteria(tier: str | None = None, active_only: bool = True) -> list[EligibilityCriterion]:
    stmt = select(EligibilityCriterion)
    if tier:
        stmt = stmt.where(EligibilityCriterion.tier == tier)
    if active_only:
        stmt = stmt.where(EligibilityCriterion.active.is_(True))
    return list(
        db.session.scalars(
            stmt.order_by(
                EligibilityCriterion.tier,
                EligibilityCriterion.sort_order,
                EligibilityCriterion.id,
            )
        )
    )


def save_criterion(data: dict, criterion: EligibilityCriterion | None = None):
    text = _text(data, "text")
    if not text:
        raise CaseworkError("Enter the wording of the criterion", "text")
    if data.get("tier") not in ("targeted", "specialist"):
        raise CaseworkError("Select the tier the criterion is for", "tier")
    if criterion is None:
        criterion = EligibilityCriterion()
        db.session.add(criterion)
    criterion.tier = data["tier"]
    criterion.text = text
    criterion.active = bool(data.get("active", True))
    criterion.sort_order = int(data.get("sort_order") or 0)
    db.session.flush()
    return criterion


# Set by the assessments package: fn(child_id) -> True if the child has a completed, authorised
# needs assessment. Until it registers, no specialist decision can be final.
_authorised_assessment_check: Callable[[int], bool] | None = None


def register_authorised_assessment_check(fn: Callable[[int], bool]) -> None:
    global _authorised_assessment_check
    _authorised_assessment_check = fn


def has_authorised_assessment(child: Child) -> bool:
    return bool(_authorised_assessment_check and _authorised_assessment_check(child.id))


def record_decision(
    child: Child,
    user: User,
    *,
    tier: str,
    criterion_ids,
    rationale: str,
    decided_on: dt.date | None,
    review_date: dt.date | None,
) -> EligibilityDecision:
    """Record an eligibility decision. Earlier decisions stay as history.

    A specialist decision needs a completed, authorised assessment; without one it is recorded
    as 'pending_assessment'."""
    require_open(child)
    if tier not in ("targeted", "specialist", "not_eligible"):
        raise CaseworkError("Select the decision", "tier")
    if decided_on is None:
        raise CaseworkError("Enter the date of the decision", "decided_on")
    if decided_on > dt.date.today():
        raise CaseworkError("Date of the decision must be today or in the past", "decided_on")
    rationale = (rationale or "").strip()
    if not rationale:
        raise CaseworkError("Enter the reasons for the decision", "rationale")
    chosen = []
    ids = {int(i) for i in criterion_ids or []}
    if ids:
        chosen = list(
            db.session.scalars(
                select(EligibilityCriterion)
                .where(EligibilityCriterion.id.in_(ids))
                .order_by(EligibilityCriterion.sort_order, EligibilityCriterion.id)
            )
        )
        if len(chosen) != len(ids) or any(c.tier != tier for c in chosen):
            raise CaseworkError("Select only criteria for the tier decided", "criteria")
    if tier in ("targeted", "specialist") and not chosen:
        raise CaseworkError("Select the criteria that were met", "criteria")
    if tier == "not_eligible":
        review_date = review_date  # optional
    elif review_date is None:
        raise CaseworkError("Enter the date of the next review", "review_date")
    if review_date is not None and review_date <= decided_on:
        raise CaseworkError("Review date must be after the date of the decision", "review_date")
    final_tier = tier
    if tier == "specialist" and not has_authorised_assessment(child):
        final_tier = "pending_assessment"
    for old in db.session.scalars(
        select(EligibilityDecision).where(
            EligibilityDecision.child_id == child.id, EligibilityDecision.is_current.is_(True)
        )
    ):
        old.is_current = False
    decision = EligibilityDecision(
        child_id=child.id,
        tier=final_tier,
        requested_tier=tier,
        rationale=rationale,
        decided_on=decided_on,
        review_date=review_date,
        decided_by_id=user.id,
        is_current=True,
        criteria=[EligibilityDecisionCriterion(criterion_id=c.id, text=c.text) for c in chosen],
    )
    db.session.add(decision)
    child.current_tier = final_tier
    db.session.flush()
    refresh_next_due(child)
    return decision


def confirm_specialist(child: Child, user: User, authorised_on: dt.date) -> EligibilityDecision:
    """For the assessments package, when a needs assessment is authorised: a child whose
    current decision is 'pending_assessment' gets a new, final specialist decision (same
    criteria and review date; the pending one stays in the history)."""
    pending = current_decision(child)
    if pending is None or pending.tier != "pending_assessment":
        raise CaseworkError("This child has no specialist decision waiting for an assessment")
    pending.is_current = False
    decision = EligibilityDecision(
        child_id=child.id,
        tier="specialist",
        requested_tier="specialist",
        rationale=(
            f"Needs assessment authorised on {govuk_date(authorised_on)}. "
            f"Decision of {govuk_date(pending.decided_on)}: {pending.rationale}"
        ),
        decided_on=authorised_on,
        review_date=pending.review_date,
        decided_by_id=user.id,
        is_current=True,
        criteria=[
            EligibilityDecisionCriterion(criterion_id=c.criterion_id, text=c.text)
            for c in pending.criteria
        ],
    )
    db.session.add(decision)
    child.current_tier = "specialist"
    db.session.flush()
    refresh_next_due(child)
    return decision


def decisions(child: Child) -> list[EligibilityDecision]:
    return list(
        db.session.scalars(
            select(EligibilityDecision)
            .where(EligibilityDecision.child_id == child.id)
            .order_by(EligibilityDecision.decided_on.desc(), EligibilityDecision.id.desc())
        )
    )


def current_decision(child: Child) -> EligibilityDecision | None:
    return db.session.scalar(
        select(EligibilityDecision).where(
            EligibilityDecision.child_id == child.id, EligibilityDecision.is_current.is_(True)
        )
    )


# --- Targeted registrations -----------------------------------------------------------------
#
# A registration names a targeted service on the providers framework (provider_service_id) or,
# for an activity not on the framework, only free text. ``activity`` is always filled: for a
# framework service it is the service's label ('Service name – Provider name') as it read when
# the service was chosen, so the record still reads right if the service is renamed or removed.
# A service whose ages or localities do not fit the child is allowed (the provider checks its
# own criteria, and a child near an age boundary or living next door to a locality is common)
# but the child's page shows a warning (registration_warnings).

NOT_ON_FRAMEWORK = "other"
NO_SERVICE_MESSAGE = (
    "Select a service on the framework, or select ‘Not on the framework’ and enter the activity"
)
BAD_SERVICE_MESSAGE = "Select a targeted service on the framework from the list"


def service_label(service) -> str:
    """'Service name – Provider name' (what a registration records as its activity)."""
    return f"{service.name} – {service.provider.name}"[:300]


def _framework_service(service_id: int):
    """A targeted service of a provider on the framework, or None."""
    from providers import services as providers

    service = providers.get_service(service_id)
    if service is None or service.tier != "targeted":
        return None
    if service.provider.status != "on_framework":
        return None
    return service


def registration_service_options(
    child: Child, current_id: int | None = None, today: dt.date | None = None
) -> list[tuple[str, str, str | None]]:
    """(value, label, group) options for the registration form's select: a prompt, 'Not on the
    framework', then the targeted services on the framework, those that serve the child's
    locality and age first, each group by name. The registration's current service is kept as
    an option even if it has left the framework since."""
    from providers import services as providers

    today = today or dt.date.today()
    age = age_on(child.date_of_birth, today)
    place = locality_labels().get(child.locality, child.locality)
    suggested, others = [], []
    for service in providers.search_services(tier="targeted"):
        fits = child.locality in service.localities and service.age_from <= age <= service.age_to
        (suggested if fits else others).append((str(service.id), service_label(service)))
    options: list[tuple[str, str, str | None]] = [
        ("", "Select a service", None),
        (NOT_ON_FRAMEWORK, "Not on the framework (enter the activity below)", None),
    ]
    listed = {v for v, _ in suggested + others}
    if current_id is not None and str(current_id) not in listed:
        service = providers.get_service(current_id)
        if service is not None:
            options.append(
                (str(service.id), service_label(service), "Current service (no longer offered)")
            )
    options += [(v, label, f"In {place}, for age {age}") for v, label in suggested]
    options += [(v, label, "Other targeted services on the framework") for v, label in others]
    return options


def check_registration_choice(choice, activity) -> None:
    """The checks of the registration form's two fields that need no database (the form calls
    them so they show with its other errors): one of the two is needed, free text goes with
    'Not on the framework', and a service is chosen by its id."""
    raw = str(choice or "").strip()
    text = (activity or "").strip()
    if raw in ("", NOT_ON_FRAMEWORK):
        if not text:
            if raw == NOT_ON_FRAMEWORK:
                raise CaseworkError("Enter the provider and activity", "activity")
            raise CaseworkError(NO_SERVICE_MESSAGE, "provider_service_id")
        if len(text) > 300:
            raise CaseworkError("Activity must be 300 characters or fewer", "activity")
    elif not raw.isdigit() or len(raw) > 9:
        raise CaseworkError(BAD_SERVICE_MESSAGE, "provider_service_id")


def _registration_activity(data: dict, reg: TargetedRegistration | None) -> tuple[int | None, str]:
    """(provider_service_id, activity) from the form's choice, or CaseworkError.

    ``provider_service_id`` is a service id, '' or 'other' (not on the framework; ``activity``
    is then the free text). Anything else (unknown, suspended or specialist services, or
    hostile text) is refused with a form error."""
    raw = str(data.get("provider_service_id") or "").strip()
    text = _text(data, "activity")
    check_registration_choice(raw, text)
    if raw in ("", NOT_ON_FRAMEWORK):
        return None, text
    service_id = int(raw)
    if reg is not None and reg.provider_service_id == service_id:
        # Unchanged: keep it (even if the provider has been suspended since) and its wording.
        if text and text != reg.activity:
            raise CaseworkError(_BOTH_MESSAGE, "activity")
        return service_id, reg.activity
    service = _framework_service(service_id)
    if service is None:
        raise CaseworkError(BAD_SERVICE_MESSAGE, "provider_service_id")
    label = service_label(service)
    if text and text != label:
        raise CaseworkError(_BOTH_MESSAGE, "activity")
    return service.id, label


_BOTH_MESSAGE = (
    "Leave the activity empty when you select a service on the framework, or select "
    "‘Not on the framework’"
)


def save_registration(
    child: Child, user: User, data: dict, reg: TargetedRegistration | None = None
) -> TargetedRegistration:
    """Register a child with a targeted service on the framework (``provider_service_id``) or
    an activity not on it (``activity``), or change a registration (for example to end it)."""
    require_open(child)
    service_id, activity = _registration_activity(data, reg)
    start, end = data.get("from_date"), data.get("to_date")
    if start is None:
        raise CaseworkError("Enter the date the registration starts", "from_date")
    if end is not None and end < start:
        raise CaseworkError("End date must be on or after the start date", "to_date")
    if reg is None:
        if child.current_tier not in ("targeted", "specialist", "pending_assessment"):
            raise CaseworkError(
                "Record an eligibility decision of targeted or specialist short breaks first",
            )
        reg = TargetedRegistration(child_id=child.id, recorded_by_id=user.id)
        db.session.add(reg)
    reg.provider_service_id, reg.activity = service_id, activity
    reg.from_date, reg.to_date = start, end
    db.session.flush()
    return reg


def add_registration(child: Child, user: User, data: dict) -> TargetedRegistration:
    return save_registration(child, user, data)


def registration_service(reg: TargetedRegistration):
    """The providers service a registration names (whatever its status now), or None."""
    if reg.provider_service_id is None:
        return None
    from providers import services as providers

    return providers.get_service(reg.provider_service_id)


def registration_warnings(
    child: Child, reg: TargetedRegistration, service=None, today: dt.date | None = None
) -> list[str]:
    """What does not fit between the child and the service: its ages (on the start date, and
    today while the registration runs), the localities it serves, the provider's status."""
    service = service if service is not None else registration_service(reg)
    if service is None:
        return []
    today = today or dt.date.today()
    name = child.preferred_name or child.first_name
    out = []
    start_age = age_on(child.date_of_birth, reg.from_date)
    ages = f"{service.name} is for ages {service.age_from} to {service.age_to}"
    running = reg.from_date <= today and (reg.to_date is None or reg.to_date >= today)
    now_age = age_on(child.date_of_birth, today)
    if not service.age_from <= start_age <= service.age_to:
        out.append(f"{ages}: {name} was {start_age} when the registration started.")
    elif running and not service.age_from <= now_age <= service.age_to:
        out.append(f"{ages}: {name} is now {now_age}.")
    if child.locality not in service.localities:
        place = locality_labels().get(child.locality, child.locality)
        out.append(f"{service.name} does not serve {place}, where {name} lives.")
    if service.provider.status != "on_framework":
        status = service.provider.status_label.lower()
        out.append(f"{service.provider.name} is no longer on the framework ({status}).")
    elif service.tier != "targeted":
        out.append(f"{service.name} is now a specialist service.")
    return out


def registration_rows(child: Child) -> list[dict]:
    """The child's registrations for display, newest first: {'reg', 'service' (or None),
    'label' (the service as it reads now, or the recorded activity), 'warnings'}."""
    rows = []
    for reg in registrations(child):
        service = registration_service(reg)
        rows.append(
            {
                "reg": reg,
                "service": service,
                "label": service_label(service) if service else reg.activity,
                "warnings": registration_warnings(child, reg, service),
            }
        )
    return rows


def get_registration(child: Child, reg_id: int) -> TargetedRegistration:
    from flask import abort

    reg = db.session.get(TargetedRegistration, reg_id)
    if reg is None or reg.child_id != child.id:
        abort(404)
    return reg


def registrations(child: Child) -> list[TargetedRegistration]:
    return list(
        db.session.scalars(
            select(TargetedRegistration)
            .where(TargetedRegistration.child_id == child.id)
            .order_by(TargetedRegistration.from_date.desc(), TargetedRegistration.id.desc())
        )
    )


# --- Case notes, closure --------------------------------------------------------------------


def add_note(child: Child, user: User, data: dict) -> CaseNote:
    require_open(child)
    when = data.get("occurred_on")
    if when is None:
        raise CaseworkError("Enter the date it happened", "occurred_on")
    if when > dt.date.today():
        raise CaseworkError("Date must be today or in the past", "occurred_on")
    if data.get("note_type") not in NOTE_TYPES:
        raise CaseworkError("Select the type of entry", "note_type")
    summary = _text(data, "summary")
    if not summary:
        raise CaseworkError("Enter a short summary", "summary")
    body = _text(data, "body")
    if not body:
        raise CaseworkError("Enter what happened", "body")
    note = CaseNote(
        child_id=child.id,
        occurred_on=when,
        note_type=data["note_type"],
        summary=summary,
        people=_text(data, "people"),
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
    reason = (reason or "").strip()
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
    reason = (reason or "").strip()
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


# --- What is due next -----------------------------------------------------------------------


# Other packages add what they know is due (an assessment's own due date, a plan or direct
# payment review): fn(child) -> [(date, label), ...]. They call refresh_next_due(child) after a
# change, so the caseload shows it.
_DUE_SOURCES: list[Callable[[Child], list[tuple[dt.date, str]]]] = []


def register_due_source(fn: Callable[[Child], list[tuple[dt.date, str]]]) -> None:
    if fn not in _DUE_SOURCES:
        _DUE_SOURCES.append(fn)


def refresh_next_due(child: Child) -> None:
    """Set the next thing due on the case: the eligibility review date, or (with no decision
    since the latest referral) the assessment due date, 45 working days after referral, or
    whatever a registered due source says is sooner."""
    if child.is_closed:
        child.next_due_on, child.next_due_kind = None, ""
        return
    latest_referral = db.session.scalar(
        select(Referral.received_on)
        .where(Referral.child_id == child.id)
        .order_by(Referral.received_on.desc())
        .limit(1)
    )
    decision = current_decision(child)
    due: list[tuple[dt.date, str]] = []
    if latest_referral and (decision is None or decision.decided_on < latest_referral):
        due.append((add_working_days(latest_referral, ASSESSMENT_WORKING_DAYS), "Assessment due"))
    elif decision and decision.tier == "pending_assessment":
        start = latest_referral or decision.decided_on
        due.append((add_working_days(start, ASSESSMENT_WORKING_DAYS), "Assessment due"))
    if decision and decision.review_date:
        due.append((decision.review_date, "Eligibility review"))
    for source in _DUE_SOURCES:
        due.extend(source(child))
    if due:
        child.next_due_on, child.next_due_kind = min(due)
    else:
        child.next_due_on, child.next_due_kind = None, ""
    db.session.flush()
