"""Rules for users, roles, teams and sign-in. Plain functions; callers commit."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from . import audit
from .extensions import db
from .models import Team, User, utcnow
from .roles import Role
from .sessions import end_sessions_for
from .text import hidden_characters
from .throttle import lift_block, sign_in_blocked

_STRONG = PasswordHasher()  # argon2id with the library's recommended (RFC 9106) costs
# Tests hash hundreds of passwords: there a cheap setting keeps the suite fast.
_CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_DUMMY = {}


def _hasher() -> PasswordHasher:
    from flask import has_app_context

    cheap = has_app_context() and current_app.config.get("TESTING")
    return _CHEAP if cheap else _STRONG


def _dummy_hash() -> str:
    # A dummy hash so an unknown email costs the same time as a wrong password.
    hasher = _hasher()
    if id(hasher) not in _DUMMY:
        _DUMMY[id(hasher)] = hasher.hash("not a real password, only for timing")
    return _DUMMY[id(hasher)]


MIN_PASSWORD_LENGTH = 12
COMMON_PASSWORDS = {
    "password1234",
    "passwordpassword",
    "123456789012",
    "qwertyuiopas",
    "letmein12345",
    "welcome12345",
    "changeme1234",
    "administrator",
    "iloveyou1234",
    "password123!",
}


class UserError(ValueError):
    """A request about users that cannot be carried out, with a message for the person."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def normalise_email(email: str) -> str:
    try:
        return validate_email(email.strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise UserError(
            "Enter an email address in the correct format, like name@example.gov.uk", "email"
        ) from None


def password_problem(password: str, email: str = "", name: str = "") -> str | None:
    """Why this password is too weak, or None. Length matters most (NCSC guidance)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password must be {MIN_PASSWORD_LENGTH} characters or more"
    if len(password) > 200:
        return "Password must be 200 characters or fewer"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 5:
        return "Password is too easy to guess: choose a longer, less common one"
    local = email.split("@")[0].lower()
    if (local and len(local) >= 4 and local in lowered) or (
        name and len(name) >= 4 and name.lower().replace(" ", "") in lowered.replace(" ", "")
    ):
        return "Password must not contain your name or email address"
    return None


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        if user is None:
            _hasher().verify(_dummy_hash(), password)
            return False
        return _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def person_name(name: str) -> str:
    """The name as it is kept (spaces tidied), or UserError saying what is wrong with it."""
    name = " ".join(name.split())
    if not name:
        raise UserError("Enter the person's full name", "name")
    if len(name) > 120:
        raise UserError("Name must be 120 characters or fewer", "name")
    if hidden_characters(name):
        raise UserError("Name must not contain hidden characters", "name")
    return name


def create_user(email: str, name: str, roles, password: str, teams=()) -> User:
    email = normalise_email(email)
    name = person_name(name)
    roles = [Role(r) for r in roles]
    if not roles:
        raise UserError("Select at least one role", "roles")
    if find_by_email(email):
        raise UserError(f"A user with the email address {email} already exists", "email")
    problem = password_problem(password, email, name)
    if problem:
        raise UserError(problem, "password")
    user = User(email=email, name=name, password_hash=hash_password(password), enabled=True)
    try:
        with db.session.begin_nested():  # two administrators adding the same person at once
            db.session.add(user)
            user.set_roles(roles)
            user.set_teams(teams)
    except IntegrityError:
        raise UserError(f"A user with the email address {email} already exists", "email") from None
    # Collections are not columns: the roles and teams granted are recorded explicitly.
    audit.record(
        "create",
        "user_account",
        user.id,
        changes={
            "roles": [None, sorted(r.value for r in user.roles)],
            "teams": [None, sorted(t.name for t in user.teams)],
        },
    )
    return user


def set_password(user: User, password: str) -> None:
    problem = password_problem(password, user.email, user.name)
    if problem:
        raise UserError(problem, "password")
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    end_sessions_for(user.id)  # a changed password ends every session of that user
    if sign_in_blocked(user.email, ""):
        lift_block("account", user.email, "new password set")
    db.session.flush()


def set_enabled(user: User, enabled: bool) -> None:
    user.enabled = enabled
    if not enabled:
        end_sessions_for(user.id)
    db.session.flush()


STALE_USER = (
    "Someone else changed this user while you were editing. Your changes were not "
    "saved: review the current details and try again."
)


def update_user(user: User, *, name: str, roles, teams, expected_version: int | None = None):
    if expected_version is not None and expected_version != user.version:
        raise UserError(STALE_USER, None)
    name = person_name(name)
    roles = [Role(r) for r in roles]
    if not roles:
        raise UserError("Select at least one role", "roles")
    before_roles = sorted(r.value for r in user.roles)
    before_teams = sorted(t.name for t in user.teams)
    user.name = name
    user.set_roles(roles)
    user.set_teams(teams)
    after_roles = sorted(r.value for r in user.roles)
    after_teams = sorted(t.name for t in user.teams)
    changes = {}
    if before_roles != after_roles:
        changes["roles"] = [before_roles, after_roles]
    if before_teams != after_teams:
        changes["teams"] = [before_teams, after_teams]
    if changes:
        # Collections are not columns: record role and team changes explicitly, and make the
        # row's version move (so another editor's stale form is refused) without inventing a
        # change to any column.
        audit.record("update", "user_account", user.id, changes=changes)
        moved = db.session.execute(
            update(User)
            .where(User.id == user.id, User.version == user.version)
            .values(version=User.version + 1)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:
            raise UserError(STALE_USER, None)
        db.session.expire(user, ["version"])
    db.session.flush()


# --- Sign-in throttling -------------------------------------------------------------------


BLOCKED_MESSAGE = (
    "There have been too many unsuccessful attempts to sign in. "
    "Wait 15 minutes and try again, or ask an administrator to help."
)


def authenticate(email: str, password: str, ip: str) -> tuple[User | None, str | None]:
    """Return (user, None) on success or (None, message) on failure. Both are audited."""
    email_key = email.strip().lower()
    if sign_in_blocked(email_key, ip):
        audit.keep_after_rollback(
            "sign_in_blocked",
            "user_account",
            "",
            email=email_key,
            detail="Too many failed attempts",
        )
        return None, BLOCKED_MESSAGE
    user = find_by_email(email_key)
    ok = check_password(user, password)
    if not ok or user is None or not user.enabled:
        reason = "unknown email" if user is None else ("disabled" if ok else "wrong password")
        audit.keep_after_rollback(
            "sign_in_failed",
            "user_account",
            user.id if user else "",
            email=email_key,
            detail=reason,
        )
        return None, "Enter a correct email address and password"
    if _hasher().check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_signed_in_at = utcnow()
    return user, None


def all_teams() -> list[Team]:
    return list(db.session.scalars(select(Team).order_by(Team.name)))


def _team_name(name: str, team: Team | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise UserError("Enter a team name", "name")
    if len(name) > 120:
        raise UserError("Team name must be 120 characters or fewer", "name")
    if hidden_characters(name):
        raise UserError("Team name must not contain hidden characters", "name")
    clash = db.session.scalar(select(Team).where(func.lower(Team.name) == name.lower()))
    if clash is not None and clash is not team:
        raise UserError(f"There is already a team called {clash.name}", "name")
    return name


def _team_description(description: str) -> str:
    if hidden_characters(description, multiline=True):
        raise UserError("Description must not contain hidden characters", "description")
    return description.strip()


def create_team(name: str, description: str = "") -> Team:
    team = Team(name=_team_name(name), description=_team_description(description))
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, name: str, description: str = "") -> None:
    team.name = _team_name(name, team)
    team.description = _team_description(description)
    db.session.flush()
