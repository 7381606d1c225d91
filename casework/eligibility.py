"""Eligibility: the criteria administrators maintain, and the decisions on which short breaks
a child can have (kept for ever as history). Use these through ``casework.services``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from core.extensions import db
from core.models import User
from core.parsing import whole_number
from core.reference import years_after
from core.templating import govuk_date

from . import locking
from .due import refresh_next_due
from .models import (
    CRITERION_TIERS,
    Child,
    EligibilityCriterion,
    EligibilityDecision,
    EligibilityDecisionCriterion,
)
from .rules import CaseworkError, check_not_before_birth, require_open
from .text import long_text

# Positions of criteria in the list (shown to administrators as "Position in the list").
POSITION_MAX = 9999

# The latest a decision's next review may be set, in years after the decision. Councils review
# short-break eligibility at least yearly; 3 years leaves room for a settled need reviewed less
# often while still catching a mistyped year (2126 for 2026).
MAX_REVIEW_YEARS = 3


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


def save_criterion(
    data: dict,
    criterion: EligibilityCriterion | None = None,
    *,
    expected_version: int | None = None,
):
    """Add a criterion, or change one (refused with StaleEdit if someone else saved it after
    `expected_version`: two administrators' tabs)."""
    if criterion is not None:
        locking.check_version(criterion, expected_version)
    text = long_text(data, "text", "Wording")
    if not text:
        raise CaseworkError("Enter the wording of the criterion", "text")
    if data.get("tier") not in ("targeted", "specialist"):
        raise CaseworkError("Select the tier the criterion is for", "tier")
    position = data.get("sort_order")
    position = 0 if position in (None, "") else whole_number(position, 0, POSITION_MAX)
    if position is None:
        raise CaseworkError(
            f"Position in the list must be between 0 and {POSITION_MAX}", "sort_order"
        )
    if criterion is None:
        criterion = EligibilityCriterion()
        db.session.add(criterion)
    criterion.tier = data["tier"]
    criterion.text = text
    criterion.active = bool(data.get("active", True))
    criterion.sort_order = position
    locking.flush(criterion)
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

    The current decision is the one with the latest decision date (of two on the same date,
    the one recorded last): a backdated decision goes into the history in its place, and the
    current one, the child's tier and what is due next stay as they were.

    A specialist decision needs a completed, authorised assessment; without one it is recorded
    as 'pending_assessment'."""
    require_open(child)
    if tier not in ("targeted", "specialist", "not_eligible"):
        raise CaseworkError("Select the decision", "tier")
    if decided_on is None:
        raise CaseworkError("Enter the date of the decision", "decided_on")
    if decided_on > dt.date.today():
        raise CaseworkError("Date of the decision must be today or in the past", "decided_on")
    check_not_before_birth(child, decided_on, "decided_on", "Date of the decision")
    rationale = long_text({"rationale": rationale}, "rationale", "Reasons for the decision")
    if not rationale:
        raise CaseworkError("Enter the reasons for the decision", "rationale")
    chosen = []
    ids = {whole_number(i) for i in criterion_ids or []}
    if None in ids:
        raise CaseworkError("Select only criteria for the tier decided", "criteria")
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
        raise CaseworkError(
            f"Select the criteria the child meets for {CRITERION_TIERS[tier].lower()} short breaks",
            "criteria",
        )
    if tier == "not_eligible":
        review_date = review_date  # optional
    elif review_date is None:
        raise CaseworkError("Enter the date of the next review", "review_date")
    if review_date is not None and review_date <= decided_on:
        raise CaseworkError("Review date must be after the date of the decision", "review_date")
    latest_review = years_after(decided_on, MAX_REVIEW_YEARS)
    if review_date is not None and review_date > latest_review:
        raise CaseworkError(
            f"Review date must be no more than {MAX_REVIEW_YEARS} years after the date of the "
            f"decision, {govuk_date(latest_review)} at the latest",
            "review_date",
        )
    final_tier = tier
    if tier == "specialist" and not has_authorised_assessment(child):
        final_tier = "pending_assessment"
    decision = EligibilityDecision(
        child_id=child.id,
        tier=final_tier,
        requested_tier=tier,
        rationale=rationale,
        decided_on=decided_on,
        review_date=review_date,
        decided_by_id=user.id,
        is_current=False,
        criteria=[EligibilityDecisionCriterion(criterion_id=c.id, text=c.text) for c in chosen],
    )
    db.session.add(decision)
    db.session.flush()
    _make_latest_current(child)
    return decision


def _make_latest_current(child: Child) -> EligibilityDecision | None:
    """Mark the decision with the latest decision date (ties: the latest recorded) as the
    current one, and the child's tier and what is due next from it."""
    latest = None
    for d in decisions(child):  # latest first
        if latest is None:
            latest = d
        if d.is_current != (d is latest):
            d.is_current = d is latest
    child.current_tier = latest.tier if latest else None
    db.session.flush()
    refresh_next_due(child)
    return latest


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
