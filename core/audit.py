"""The audit log: who did or saw what, when and from where.

Changes to any model that sets ``__audit__ = True`` are recorded automatically at flush time,
on the same connection and in the same transaction as the change itself, so a change cannot be
saved without its audit row and a rolled-back change leaves none. Reads of a child's record and
events that change no row (sign-in, refused access, downloads) are recorded with ``record()``.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import uuid

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from .extensions import db
from .models import AuditEvent, utcnow


def _plain(value):
    """A JSON-safe form of a column value, for the changes column."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def actor() -> dict:
    """Who and where, for the current request, CLI command or worker task."""
    info = {"user_id": None, "user_email": "", "user_roles": "", "request_id": "", "ip": ""}
    if has_request_context():
        info["request_id"] = getattr(g, "request_id", "")
        info["ip"] = request.remote_addr or ""
        user = current_user._get_current_object() if current_user else None
        if user is not None and getattr(user, "is_authenticated", False):
            info["user_id"] = user.id
            info["user_email"] = user.email
            info["user_roles"] = ",".join(sorted(r.value for r in user.roles))
        elif getattr(g, "audit_user", None) is not None:
            # Sign-in events happen before the user is logged in.
            u = g.audit_user
            info["user_id"], info["user_email"] = u.id, u.email
            info["user_roles"] = ",".join(sorted(r.value for r in u.roles))
    else:
        system = getattr(g, "audit_system_actor", None) if _has_app_g() else None
        info["user_email"] = system or "system"
        info["request_id"] = f"job-{uuid.uuid4().hex[:12]}" if system is None else ""
    return info


def _has_app_g() -> bool:
    from flask import has_app_context

    return has_app_context()


def record(
    action: str,
    record_type: str = "",
    record_id="",
    *,
    changes=None,
    detail="",
    email: str | None = None,
    subject=None,
) -> AuditEvent:
    """Add an audit row to the current transaction (committed with the request).

    ``subject`` is whose record this concerns: a ``(kind, id)`` pair such as ``("child", 7)``
    or a model instance with an ``audit_subject`` property."""
    who = actor()
    if email is not None and not who["user_email"]:
        who["user_email"] = email
    row = AuditEvent(
        occurred_at=utcnow(),
        action=action,
        record_type=record_type,
        record_id=str(record_id) if record_id not in (None, "") else "",
        changes=_plain(changes) if changes else None,
        detail=detail,
        subject=subject_text(subject),
        **who,
    )
    db.session.add(row)
    return row


def record_view(record_obj, detail: str = "") -> None:
    """Record that the current user viewed a child's record (or another sensitive record).
    Kept even when the request then fails or refuses a form: the record was seen."""
    keep_after_rollback(
        "view", _record_type(record_obj), _record_id(record_obj), detail=detail, subject=record_obj
    )


def subject_text(subject) -> str:
    """ "child:7" from ("child", 7) or from a model whose ``audit_subject`` gives that pair."""
    if subject is None or isinstance(subject, str):
        return subject or ""
    if not isinstance(subject, tuple):
        subject = getattr(subject, "audit_subject", None)
        if subject is None:
            return ""
    kind, ident = subject
    return f"{kind}:{ident}" if ident is not None else ""


# Functions that turn what an administrator types into the audit search (a case number, say)
# into a subject such as "child:7"; domain packages register theirs (core knows no domain).
SUBJECT_LOOKUPS: list = []


def subjects_matching(term: str) -> list[str]:
    found = []
    for lookup in SUBJECT_LOOKUPS:
        subject = lookup(term)
        if subject:
            found.append(subject_text(subject))
    return found


def keep_after_rollback(action: str, record_type: str = "", record_id="", **kwargs) -> None:
    """Record an event written whatever becomes of the request's transaction: refused access,
    a failed sign-in, a view. Written after the request's commit or rollback."""
    row = record(action, record_type, record_id, **kwargs)
    values = {c.key: getattr(row, c.key) for c in AuditEvent.__table__.columns if c.key != "id"}
    db.session.expunge(row)
    g.setdefault("audit_keep", []).append(values)


def write_kept_rows() -> None:
    """Called after the request's commit or rollback: insert the rows of keep_after_rollback."""
    rows = g.pop("audit_keep", None)
    if rows:
        db.session.execute(insert(AuditEvent.__table__), rows)
        db.session.commit()


def _record_type(obj) -> str:
    return getattr(obj, "__audit_name__", None) or obj.__tablename__


def _record_id(obj) -> str:
    # Primary key values straight from the instance: during after_flush a new object has its
    # id but not yet its identity key.
    ids = inspect(obj).mapper.primary_key_from_instance(obj)
    if not ids or all(i is None for i in ids):
        return ""
    return str(ids[0]) if len(ids) == 1 else "/".join(str(i) for i in ids)


def _changes(obj, created: bool) -> dict:
    state = inspect(obj)
    excluded = set(getattr(obj, "__audit_exclude__", ()))
    out = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in excluded or key == "version":
            continue
        hist = state.attrs[key].history
        if created:
            value = getattr(obj, key)
            if value is not None:
                out[key] = [None, _plain(value)]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out[key] = [_plain(old), _plain(new)]
    for key in excluded:
        if key in state.attrs and state.attrs[key].history.has_changes() and not created:
            out[key] = ["(hidden)", "(changed)"]
    return out


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, flush_context) -> None:
    rows = []
    for obj, action in (
        *((o, "create") for o in session.new),
        *((o, "update") for o in session.dirty),
        *((o, "delete") for o in session.deleted),
    ):
        if isinstance(obj, AuditEvent):
            if action != "create":
                raise PermissionError("Audit events cannot be changed or deleted")
            continue
        if not getattr(type(obj), "__audit__", False):
            continue
        if action == "update" and not session.is_modified(obj, include_collections=False):
            continue
        changes = _changes(obj, created=(action == "create")) if action != "delete" else None
        if action == "update" and not changes:
            continue
        rows.append(
            {
                "occurred_at": utcnow(),
                "action": action,
                "record_type": _record_type(obj),
                "record_id": str(_record_id(obj)),
                "changes": _plain(changes) if changes else None,
                "detail": "",
                "subject": subject_text(obj),
                **actor(),
            }
        )
    if rows:
        session.connection().execute(insert(AuditEvent.__table__), rows)


@event.listens_for(AuditEvent, "before_update")
def _refuse_update(mapper, connection, target):
    raise PermissionError("Audit events cannot be changed")


@event.listens_for(AuditEvent, "before_delete")
def _refuse_delete(mapper, connection, target):
    raise PermissionError("Audit events cannot be deleted")
