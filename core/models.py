"""Tables shared by every package: users, roles, teams, server-side sessions, the audit log."""

from __future__ import annotations

from datetime import UTC, datetime

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .extensions import db
from .roles import Role


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Team(db.Model):
    __tablename__ = "team"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    members: Mapped[list[User]] = relationship(
        secondary="team_membership", back_populates="teams", order_by="User.name"
    )

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class TeamMembership(db.Model):
    __tablename__ = "team_membership"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)


class UserRole(db.Model):
    __tablename__ = "user_role"
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"
    __audit__ = True
    __audit_exclude__ = ("password_hash",)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    password_changed_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    # Loaded when asked for, not with every user: a page naming the authors of twenty notes must
    # not fetch their roles and teams too. The signed-in user's role names and team ids come
    # with the session's query (below); lists of users ask for them with selectinload.
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="select", order_by="UserRole.role"
    )
    teams: Mapped[list[Team]] = relationship(
        secondary="team_membership",
        back_populates="members",
        lazy="select",
        order_by="Team.name",
    )

    __mapper_args__ = {"version_id_col": version}

    # The signed-in user's roles and team ids as the session's query read them (names and ids,
    # no objects: see core.sessions). Used only while the relationships themselves are not
    # loaded, and dropped by set_roles and set_teams, so a change made in this request is what
    # this request sees.
    signed_in_roles = None  # frozenset[Role] | None
    signed_in_team_ids = None  # frozenset[int] | None

    def _role_set(self) -> frozenset[Role]:
        if self.signed_in_roles is not None and "role_rows" not in self.__dict__:
            return self.signed_in_roles
        return frozenset(Role(r.role) for r in self.role_rows)

    @property
    def roles(self) -> set[Role]:
        return set(self._role_set())

    def set_roles(self, roles) -> None:
        self.signed_in_roles = None
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted] + [
            UserRole(role=r.value) for r in sorted(wanted) if r not in self.roles
        ]

    def set_teams(self, teams) -> None:
        self.signed_in_team_ids = None
        self.teams = list(teams)

    def has_role(self, *roles: Role) -> bool:
        return not self._role_set().isdisjoint(roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses disabled users
        return self.enabled

    @property
    def team_ids(self) -> set[int]:
        if self.signed_in_team_ids is not None and "teams" not in self.__dict__:
            return set(self.signed_in_team_ids)
        return {t.id for t in self.teams}

    def __repr__(self) -> str:
        return f"<User {self.email}>"


class WebSession(db.Model):
    """A signed-in (or anonymous, CSRF-carrying) browser session, held on the server.

    The cookie carries only a random token; its SHA-256 is the key here, so a copy of the
    database does not yield usable cookies. Deleting the row ends the session everywhere.
    """

    __tablename__ = "web_session"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    ip: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User | None] = relationship(lazy="raise_on_sql", viewonly=True)


class AuditEvent(db.Model):
    """Append-only record of who did or saw what, when and from where.

    Rows are only ever inserted (see core.audit); database triggers created by the migration
    refuse UPDATE and DELETE as well.
    """

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(Integer)
    user_email: Mapped[str] = mapped_column(String(254), default="")
    user_roles: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str] = mapped_column(String(64), default="")
    record_id: Mapped[str] = mapped_column(String(64), default="")
    changes: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[str] = mapped_column(Text, default="")
    request_id: Mapped[str] = mapped_column(String(64), default="")
    ip: Mapped[str] = mapped_column(String(64), default="")
    # Whose record this row concerns, e.g. "child:1501" for a child's carer, note or decision,
    # so "who saw or changed this child's record" is one search.
    subject: Mapped[str] = mapped_column(String(64), default="")

    __table_args__ = (
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_subject", "subject", "occurred_at"),
        Index("ix_audit_event_record", "record_type", "record_id"),
        Index("ix_audit_event_action_time", "action", "occurred_at"),
        Index("ix_audit_event_user", "user_id", "occurred_at"),
    )


class ReferenceValue(db.Model):
    """Administrator-maintained reference data (localities and similar short lists)."""

    __tablename__ = "reference_value"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __table_args__ = (UniqueConstraint("kind", "code", name="uq_reference_value_kind_code"),)
    __mapper_args__ = {"version_id_col": version}
