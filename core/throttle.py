"""Sign-in blocks: too many failed sign-ins in a short time block the account, or the client
(its IP address), for a while. Worked out from the audit log's failed sign-ins, so there is no
second record to keep in step; an administrator can lift a block, which the log records too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from . import audit
from .extensions import db
from .models import AuditEvent, utcnow

FAILED = "sign_in_failed"
# A wrong current password when a signed-in person changes theirs: counts towards that
# account's block only, so one person (or an insider) cannot shut out a whole office.
PASSWORD_FAILED = "password_check_failed"
LIFTED = "sign_in_unblocked"


def _failures(kind: str):
    return (FAILED, PASSWORD_FAILED) if kind == "account" else (FAILED,)


@dataclass(frozen=True)
class Block:
    kind: str  # "account" or "client"
    value: str  # the email address or the IP address
    failures: int
    until: datetime


def _settings() -> tuple[timedelta, timedelta, dict[str, int]]:
    cfg = current_app.config
    window = timedelta(minutes=cfg["SIGN_IN_WINDOW_MINUTES"])
    block = timedelta(minutes=cfg["SIGN_IN_BLOCK_MINUTES"])
    limits = {"account": cfg["SIGN_IN_MAX_FAILURES"], "client": cfg["SIGN_IN_CLIENT_MAX_FAILURES"]}
    return window, block, limits


def _column(kind: str):
    return AuditEvent.user_email if kind == "account" else AuditEvent.ip


def _lifted_text(kind: str, value: str) -> str:
    return f"{kind} {value}"


def _block_end(times: list[datetime], limit: int, window: timedelta, block: timedelta):
    """When the block that these failure times cause ends, or None if they cause none now."""
    now = utcnow()
    for i in range(len(times) - limit, -1, -1):  # the latest run of `limit` failures decides
        if times[i + limit - 1] - times[i] <= window:
            end = times[i + limit - 1] + block
            return end if end > now else None
    return None


def _failure_times(kind: str, value: str, since: datetime) -> list[datetime]:
    lifted = db.session.scalar(
        select(AuditEvent.occurred_at)
        .where(AuditEvent.action == LIFTED, AuditEvent.detail == _lifted_text(kind, value))
        .order_by(AuditEvent.occurred_at.desc())
        .limit(1)
    )
    start = max(since, lifted) if lifted else since
    return list(
        db.session.scalars(
            select(AuditEvent.occurred_at)
            .where(
                AuditEvent.action.in_(_failures(kind)),
                _column(kind) == value,
                AuditEvent.occurred_at > start,
            )
            .order_by(AuditEvent.occurred_at)
        )
    )


def block_for(kind: str, value: str) -> Block | None:
    if not value:
        return None
    window, block, limits = _settings()
    times = _failure_times(kind, value, utcnow() - window - block)
    end = _block_end(times, limits[kind], window, block)
    return Block(kind, value, len(times), end) if end else None


def sign_in_blocked(email: str, ip: str) -> bool:
    return block_for("account", email) is not None or block_for("client", ip) is not None


def current_blocks() -> list[Block]:
    """Every account and client blocked now, for the administrators' page."""
    window, block, limits = _settings()
    since = utcnow() - window - block
    found = []
    for kind in ("account", "client"):
        values = db.session.scalars(
            select(_column(kind))
            .where(
                AuditEvent.action.in_(_failures(kind)),
                AuditEvent.occurred_at > since,
                _column(kind) != "",
            )
            .group_by(_column(kind))
        ).all()
        for value in values:
            current = block_for(kind, value)
            if current:
                found.append(current)
    return sorted(found, key=lambda b: (b.kind, b.value))


def lift_block(kind: str, value: str, reason: str = "") -> None:
    """End a block now (the failures before it no longer count). Audited.

    Lifting an account's block also lifts the block on the addresses its failures came from:
    the person who mistyped is usually at one of them, and would still be shut out."""
    _record_lift(kind, value, reason)
    if kind == "account":
        window, block, _ = _settings()
        addresses = db.session.scalars(
            select(AuditEvent.ip)
            .where(
                AuditEvent.action == FAILED,
                AuditEvent.user_email == value,
                AuditEvent.occurred_at > utcnow() - window - block,
                AuditEvent.ip != "",
            )
            .distinct()
        ).all()
        for address in addresses:
            if block_for("client", address):
                _record_lift("client", address, f"with the account {value}")
    db.session.flush()


def _record_lift(kind: str, value: str, reason: str) -> None:
    audit.record(
        LIFTED,
        "sign_in_block",
        "",
        detail=_lifted_text(kind, value),
        changes={"reason": [None, reason]} if reason else None,
    )
    db.session.flush()
