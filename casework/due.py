"""What is due next on a case (shown on the caseload): the eligibility review, the assessment
due 45 working days after a referral, or whatever another package registers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import select

from core.extensions import db

from .models import Child, EligibilityDecision, Referral
from .rules import ASSESSMENT_WORKING_DAYS, add_working_days

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
    decision = db.session.scalar(
        select(EligibilityDecision).where(
            EligibilityDecision.child_id == child.id, EligibilityDecision.is_current.is_(True)
        )
    )
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
