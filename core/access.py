"""Who may use each route. Every view declares a rule; tests/test_route_access.py walks
``app.url_map`` and fails on any endpoint without one.

    @bp.get("/")
    @roles_required(Role.PRACTITIONER, Role.TEAM_MANAGER)
    def index(): ...

Record-level checks (may this user see this child?) belong to each package's services and are
made inside the view, after the role check.
"""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

from .roles import Role

ACCESS_ATTR = "access_rule"


def _mark(view, rule):
    setattr(view, ACCESS_ATTR, rule)
    return view


def public(view):
    """No sign-in needed (sign-in page, health probe, published open data)."""
    return _mark(view, ("public",))


def signed_in(view):
    """Any signed-in user, whatever their roles."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _to_sign_in()
        return view(*args, **kwargs)

    return _mark(wrapper, ("signed_in",))


def roles_required(*roles: Role):
    """Signed in and holding at least one of these roles; otherwise 403 (audited)."""
    if not roles:
        raise ValueError("roles_required needs at least one role")

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _to_sign_in()
            if not current_user.has_role(*roles):
                refuse("role")
            return view(*args, **kwargs)

        return _mark(wrapper, ("roles", tuple(sorted(r.value for r in roles))))

    return decorator


def refuse(reason: str = "record", record_type: str = "", record_id="", subject=None) -> None:
    """Refuse with 403. The request's transaction is rolled back, but the refusal itself is
    kept: the audit row is re-added after the rollback (see core._register_transaction_handling).
    A refusal on a child's route (``child_id`` in the URL) is about that child unless told
    otherwise, so the audit search by case number finds it even when the role check refused
    before the child was loaded."""
    from .audit import keep_after_rollback

    child_id = (request.view_args or {}).get("child_id")
    if subject is None and child_id is not None:
        subject = ("child", child_id)
    keep_after_rollback(
        "access_refused",
        record_type,
        record_id,
        detail=f"{request.method} {request.path} ({reason})",
        subject=subject,
    )
    abort(403)


def _to_sign_in():
    from flask import session

    # Tell the person why they are asked to sign in again (idle or absolute timeout).
    extra = {"expired": 1} if session.get("_expired") else {}
    if request.method == "GET":
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?"), **extra))
    return redirect(url_for("auth.sign_in", **extra))


def rule_for(endpoint: str):
    view = current_app.view_functions[endpoint]
    return getattr(view, ACCESS_ATTR, None)
