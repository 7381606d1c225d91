"""Referrals, and who holds the case: allocation within a team manager's teams, and transfer
to another team. Use these through ``casework.services``."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import exists, select

from core import audit
from core.extensions import db
from core.models import Team, User, utcnow
from core.roles import Role

from .due import refresh_next_due
from .models import Allocation, Child, Referral
from .rules import CaseworkError, check_age_at_referral, require_open
from .text import long_text

# --- Referrals ------------------------------------------------------------------------------


def add_referral(child: Child, user: User, data: dict) -> Referral:
    require_open(child)
    received = data.get("received_on")
    if received is None:
        raise CaseworkError("Enter the date the referral was received", "received_on")
    if received > dt.date.today():
        raise CaseworkError("Date received must be today or in the past", "received_on")
    if received < child.date_of_birth:
        raise CaseworkError("Date received must be after the child's date of birth", "received_on")
    check_age_at_referral(child.date_of_birth, received, "received_on")
    if not data.get("source"):
        raise CaseworkError("Select where the referral came from", "source")
    reason = long_text(data, "reason", "Reason for referral")
    requested = long_text(data, "requested_support", "Support requested")
    if not reason:
        raise CaseworkError("Enter the reason for the referral", "reason")
    referral = Referral(
        child_id=child.id,
        received_on=received,
        source=data["source"],
        reason=reason,
        requested_support=requested,
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


# --- Allocation and transfer ------------------------------------------------------------------


def allocatable_teams(user: User) -> list[Team]:
    """Teams a user may allocate a case to: their own teams."""
    return sorted(user.teams, key=lambda t: t.name)


def transfer_teams(child: Child) -> list[Team]:
    """Teams a case can be transferred to: every team but the one holding it."""
    stmt = select(Team).order_by(Team.name)
    if child.allocated_team_id is not None:
        stmt = stmt.where(Team.id != child.allocated_team_id)
    return list(db.session.scalars(stmt))


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


def teams_with_a_manager(team_ids) -> set[int]:
    """Which of these teams have a team manager who can sign in."""
    from core.models import TeamMembership, UserRole

    if not team_ids:
        return set()
    return set(
        db.session.scalars(
            select(TeamMembership.team_id)
            .join(User, User.id == TeamMembership.user_id)
            .where(
                TeamMembership.team_id.in_(list(team_ids)),
                User.enabled.is_(True),
                exists().where(
                    UserRole.user_id == User.id, UserRole.role == Role.TEAM_MANAGER.value
                ),
            )
            .distinct()
        )
    )


def no_manager_message(team: Team) -> str:
    return (
        f"{team.name} has no team manager to allocate the case: select a practitioner in "
        f"{team.name}, or ask an administrator to add a team manager to the team first"
    )


def _can_hold_cases(worker: User) -> bool:
    return worker.enabled and worker.has_role(Role.PRACTITIONER, Role.TEAM_MANAGER)


def _move(child: Child, by: User, team: Team, worker: User | None, kind: str, reason: str):
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
            kind=kind,
            reason=reason,
        )
    )


def allocate(child: Child, by: User, team: Team | None, worker: User | None) -> None:
    """Allocate the case (team managers): to a team, and optionally a worker in that team."""
    require_open(child)
    if not by.has_role(Role.TEAM_MANAGER):
        raise CaseworkError("Only a team manager can allocate cases")
    if team is None:
        raise CaseworkError("Select a team", "team")
    if worker is not None and (team.id not in worker.team_ids or not _can_hold_cases(worker)):
        raise CaseworkError(f"{worker.name} is not in {team.name}", "worker")
    if child.allocated_team_id == team.id and child.allocated_worker_id == (
        worker.id if worker else None
    ):
        raise CaseworkError("The case is already allocated this way", "worker")
    _move(child, by, team, worker, "allocation", "")
    db.session.flush()


def transfer(child: Child, by: User, team: Team | None, worker: User | None, reason: str) -> None:
    """Transfer the case to another team (team managers). It leaves the team holding it: to a
    worker in the receiving team, or (``worker`` None) for the receiving team's manager to
    allocate, so a team with no manager who can sign in takes a case only with a worker
    named. Audited, and kept in the allocation history with the reason."""
    require_open(child)
    if not by.has_role(Role.TEAM_MANAGER):
        raise CaseworkError("Only a team manager can transfer cases")
    if team is None:
        raise CaseworkError("Select the team the case is going to", "team")
    if team.id == child.allocated_team_id:
        raise CaseworkError(f"The case is already held by {team.name}", "team")
    reason = long_text({"reason": reason}, "reason", "Reason for the transfer")
    if not reason:
        raise CaseworkError("Enter the reason for the transfer", "reason")
    if worker is not None and (team.id not in worker.team_ids or not _can_hold_cases(worker)):
        raise CaseworkError(
            f"{worker.name} is not in {team.name}: select someone in {team.name}, or leave "
            "the case for the team's manager to allocate",
            "worker",
        )
    if worker is None and team.id not in teams_with_a_manager([team.id]):
        raise CaseworkError(no_manager_message(team), "team")
    from_team = child.allocated_team.name if child.allocated_team else "no team"
    _move(child, by, team, worker, "transfer", reason)
    to = f"{team.name}, allocated to {worker.name}" if worker else team.name
    audit.record(
        "transfer",
        "child",
        child.id,
        subject=child,
        detail=f"Transferred from {from_team} to {to}: {reason}"[:2000],
    )
    db.session.flush()
    db.session.expire(child, ["allocated_team", "allocated_worker"])


def allocations(child: Child) -> list[Allocation]:
    return list(
        db.session.scalars(
            select(Allocation)
            .where(Allocation.child_id == child.id)
            .order_by(Allocation.allocated_at.desc(), Allocation.id.desc())
        )
    )


def allocation_history(child: Child) -> list[dict]:
    """The allocation history for display, newest first: {'allocation', 'from_team'} where
    ``from_team`` names the team a transfer came from."""
    rows = allocations(child)
    out = []
    for i, a in enumerate(rows):
        earlier = rows[i + 1] if i + 1 < len(rows) else None
        from_team = earlier.team.name if a.kind == "transfer" and earlier and earlier.team else ""
        out.append({"allocation": a, "from_team": from_team})
    return out
