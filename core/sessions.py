"""Server-side sessions.

Flask's default session lives entirely in a signed cookie, so a copied cookie stays valid after
sign-out. Here the cookie holds only a random token; the session's data and its life live in the
``web_session`` table. Signing out, disabling a user or changing their password deletes the rows,
and a replayed cookie then finds nothing. Idle and absolute timeouts are checked on every request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask.sessions import SessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import String, bindparam, cast, delete, func, select, update
from werkzeug.datastructures import CallbackDict

from .extensions import db
from .models import TeamMembership, User, UserRole, WebSession, utcnow
from .roles import Role

# last_seen_at is refreshed at most this often, so most requests write nothing for the session.
TOUCH_EVERY = timedelta(seconds=60)
# Before sign-in a session holds only a CSRF token: it lives in a signed cookie (marked by this
# prefix), so nobody can fill the sessions table by asking for the sign-in page. Replaying it
# gains nothing. Signing in always starts a session held on the server.
ANONYMOUS = "a."


def _anonymous_serializer(app) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.secret_key, salt="anonymous-session")


def _split(joined: str | None) -> list[str]:
    return joined.split(",") if joined else []


# One round trip for every signed-in request: the session's row, its user, and the user's role
# names and team ids as two short strings (the user loader then finds the user in the identity
# map). Names and ids rather than role and team objects: most pages only ask "has this role?"
# and "which teams?", and building objects for them was a large part of a small page's time.
_SESSION_LOOK_UP = (
    select(
        WebSession.data,
        WebSession.created_at,
        WebSession.last_seen_at,
        User,
        select(func.aggregate_strings(UserRole.role, ","))
        .where(UserRole.user_id == User.id)
        .scalar_subquery()
        .label("roles"),
        select(func.aggregate_strings(cast(TeamMembership.team_id, String), ","))
        .where(TeamMembership.user_id == User.id)
        .scalar_subquery()
        .label("team_ids"),
    )
    .outerjoin(User, User.id == WebSession.user_id)
    .where(WebSession.id == bindparam("key"))
)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token=None, row_exists=False, touch=False):
        def on_update(self):
            self.modified = True

        super().__init__(initial or {}, on_update)
        self.token = token
        self.row_exists = row_exists
        self.modified = False
        self.touch = touch
        self.regenerate_requested = False
        self.destroy_requested = False

    def regenerate(self) -> None:
        """New session id (at sign-in), so a fixed or stolen pre-login id is worthless."""
        self.regenerate_requested = True
        self.modified = True

    def destroy(self) -> None:
        self.clear()
        self.destroy_requested = True


class DatabaseSessionInterface(SessionInterface):
    def open_session(self, app, request):
        token = request.cookies.get(app.config["SESSION_COOKIE_NAME"])
        if token and token.startswith(ANONYMOUS) and len(token) <= 1024:
            try:
                data = _anonymous_serializer(app).loads(
                    token.removeprefix(ANONYMOUS),
                    max_age=app.config["SESSION_IDLE_MINUTES"] * 60,
                )
            except BadSignature:
                return ServerSession()
            if not isinstance(data, dict) or "_user_id" in data:
                return ServerSession()  # never a signed-in session from a cookie
            return ServerSession(data)
        if not token or len(token) > 128:
            return ServerSession()
        key = _key(token)
        row = db.session.execute(_SESSION_LOOK_UP, {"key": key}).one_or_none()
        if row is None:
            return ServerSession()
        now = utcnow()
        idle = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
        absolute = timedelta(hours=app.config["SESSION_ABSOLUTE_HOURS"])
        if now - row.last_seen_at > idle or now - row.created_at > absolute:
            db.session.execute(delete(WebSession).where(WebSession.id == key))
            db.session.commit()
            session = ServerSession()
            session["_expired"] = True
            session.modified = False
            return session
        data = dict(row.data or {})
        touch = now - row.last_seen_at > TOUCH_EVERY
        session = ServerSession(data, token=token, row_exists=True, touch=touch)
        session.last_seen_at = row.last_seen_at
        user = row.User
        if user is not None:
            user.signed_in_roles = frozenset(Role(r) for r in _split(row.roles))
            user.signed_in_team_ids = frozenset(int(t) for t in _split(row.team_ids))
        # Hold the loaded user for the request: the identity map keeps objects only weakly.
        session.user = user
        return session

    def save_session(self, app, session, response):
        name = app.config["SESSION_COOKIE_NAME"]
        domain = self.get_cookie_domain(app)
        path = self.get_cookie_path(app)
        if not isinstance(session, ServerSession):
            return
        if session.destroy_requested or (not session and session.row_exists and session.modified):
            if session.token:
                db.session.execute(delete(WebSession).where(WebSession.id == _key(session.token)))
                db.session.commit()
            response.delete_cookie(name, domain=domain, path=path)
            return
        if session.regenerate_requested and session.token:
            db.session.execute(delete(WebSession).where(WebSession.id == _key(session.token)))
            session.token, session.row_exists = None, False
        if not session:
            return  # nothing to keep: no row, no cookie
        data = {k: v for k, v in session.items() if k != "_expired"}
        user_id = data.get("_user_id")
        if not user_id and not session.row_exists:
            if session.modified or session.regenerate_requested:
                value = ANONYMOUS + _anonymous_serializer(app).dumps(data)
                self._set_cookie(app, response, value)
            return
        from flask import request

        if not session.row_exists:
            session.token = secrets.token_urlsafe(32)
            db.session.add(
                WebSession(
                    id=_key(session.token),
                    user_id=int(user_id) if user_id else None,
                    data=data,
                    ip=(request.remote_addr or "")[:64],
                )
            )
        elif session.modified:
            db.session.execute(
                update(WebSession)
                .where(WebSession.id == _key(session.token))
                .values(data=data, user_id=int(user_id) if user_id else None, last_seen_at=utcnow())
            )
        elif session.touch:
            db.session.execute(
                update(WebSession)
                .where(WebSession.id == _key(session.token))
                .values(last_seen_at=utcnow())
            )
        else:
            return
        db.session.commit()
        self._set_cookie(app, response, session.token)

    def _set_cookie(self, app, response, value: str) -> None:
        response.set_cookie(
            app.config["SESSION_COOKIE_NAME"],
            value,
            httponly=self.get_cookie_httponly(app),
            secure=self.get_cookie_secure(app),
            samesite=self.get_cookie_samesite(app),
            domain=self.get_cookie_domain(app),
            path=self.get_cookie_path(app),
        )


def end_sessions_for(user_id: int) -> int:
    """End every session of this user (disable, password change). Part of the caller's
    transaction."""
    result = db.session.execute(delete(WebSession).where(WebSession.user_id == user_id))
    return result.rowcount or 0


def purge_expired(app) -> int:
    """Remove sessions past their idle time (run by a scheduled task)."""
    cutoff = utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    result = db.session.execute(delete(WebSession).where(WebSession.last_seen_at < cutoff))
    db.session.commit()
    return result.rowcount or 0


def active_session_count(user_id: int) -> int:
    return len(db.session.scalars(select(WebSession.id).where(WebSession.user_id == user_id)).all())
