"""Tables of the casework package: the child or young person, family, referrals, allocation,
eligibility decisions, targeted short-break registrations, case notes and case closures.

For the reports engineer (read-only use is fine; write through ``casework.services``):

- ``child``: one row per disabled child or young person (0 to 25).
  ``date_of_birth`` (date), ``locality`` (a locality code from ``core.reference.localities()``),
  ``disability_register`` (bool), ``status`` ('open' | 'closed'), ``current_tier`` (the tier of
  the current eligibility decision, or NULL when no decision has been made; same values as
  ``eligibility_decision.tier``), ``allocated_team_id`` / ``allocated_worker_id``.
- ``child_disability``: (child_id, category): one row per CIN census disability category code
  (``core.reference.CIN_DISABILITY_CATEGORIES``).
- ``eligibility_decision``: every decision ever made, never deleted or changed except for
  ``is_current``, which marks the decision with the latest ``decided_on`` (of two on one date,
  the one recorded last): a backdated decision is recorded as history. ``tier`` is one of
  ``DECISION_TIERS``: 'targeted', 'specialist', 'not_eligible' or 'pending_assessment' (a
  specialist decision waiting for an authorised assessment; ``requested_tier`` then says
  'specialist'). ``decided_on`` (date), ``review_date`` (date). The current decision of a
  child: ``is_current = true`` (exactly one per child that has any decision).
- ``eligibility_decision_criterion``: the criteria met by a decision (``criterion_id`` and the
  criterion's ``text`` as it read when the decision was made).
- ``eligibility_criterion``: the administrator-maintained list: ``tier`` ('targeted' |
  'specialist'), ``text``, ``active``, ``sort_order``. Print the active ones, ordered by
  (tier, sort_order), in the Short Breaks Services Statement. ``version`` (optimistic locking).
- ``targeted_registration``: a child registered with a targeted short-break activity:
  ``from_date``, ``to_date`` (NULL = open-ended). ``provider_service_id`` is the targeted
  service on the providers framework (``provider_service.id``), or NULL for an activity not on
  the framework. ``activity`` is always filled: the free text, or the service's label
  ('Service name – Provider name') as it read when the registration was recorded, so history
  reads right if the service is renamed or removed (removal sets ``provider_service_id`` to
  NULL; providers refuses it while a registration is current or upcoming).
- ``case_allocation``: who held the case from when (``ended_at`` NULL = now); ``kind`` is
  'allocation' or 'transfer' (to another team, with the ``reason``).

Every table here that belongs to a child has an ``audit_subject`` property, ``("child", id)``:
core.audit writes it on each audit row, so one search finds everything about a child.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from core.extensions import db
from core.models import Team, User, utcnow

from .names import SEARCH_NAME_LENGTH, default_for, search_key

# The tiers a decision can hold. 'pending_assessment': specialist requested, not yet backed by a
# completed, authorised assessment.
DECISION_TIERS = {
    "targeted": "Targeted",
    "specialist": "Specialist",
    "not_eligible": "Not eligible",
    "pending_assessment": "Specialist – pending assessment",
}
CRITERION_TIERS = {"targeted": "Targeted", "specialist": "Specialist"}

STATUS_OPEN = "open"
STATUS_CLOSED = "closed"
CASE_STATUSES = {STATUS_OPEN: "Open", STATUS_CLOSED: "Closed"}

GENDERS = {
    "female": "Female",
    "male": "Male",
    "other": "Another gender",
    "not_known": "Not known or prefer not to say",
}

# DfE ethnicity codes used in the Children in Need census.
ETHNICITIES = {
    "WBRI": "White – British",
    "WIRI": "White – Irish",
    "WIRT": "White – Traveller of Irish heritage",
    "WROM": "White – Gypsy or Roma",
    "WOTH": "White – any other White background",
    "MWBC": "Mixed – White and Black Caribbean",
    "MWBA": "Mixed – White and Black African",
    "MWAS": "Mixed – White and Asian",
    "MOTH": "Mixed – any other mixed background",
    "AIND": "Asian or Asian British – Indian",
    "APKN": "Asian or Asian British – Pakistani",
    "ABAN": "Asian or Asian British – Bangladeshi",
    "AOTH": "Asian or Asian British – any other Asian background",
    "BCRB": "Black or Black British – Caribbean",
    "BAFR": "Black or Black British – African",
    "BOTH": "Black or Black British – any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}

RELATIONSHIPS = {
    "mother": "Mother",
    "father": "Father",
    "step_parent": "Step-parent",
    "grandparent": "Grandparent",
    "foster_carer": "Foster carer",
    "special_guardian": "Special guardian",
    "other_relative": "Other relative",
    "other": "Other",
}
FAMILY_KINDS = {"carer": "Parent or carer", "sibling": "Sibling"}

REFERRAL_SOURCES = {
    "parent": "Parent or carer",
    "self": "Young person (self-referral)",
    "school": "School or setting",
    "health": "Health services",
    "social_care": "Children's social care",
    "send": "SEND or EHC team",
    "voluntary": "Voluntary or community organisation",
    "other": "Other",
}

NOTE_TYPES = {
    "visit": "Visit",
    "phone": "Phone call",
    "meeting": "Meeting",
    "email": "Email",
    "note": "Note",
}


def display_name(first_name: str, preferred_name: str | None, last_name: str) -> str:
    """How a child is named on every page: with the name they go by, where it differs."""
    if preferred_name and preferred_name != first_name:
        return f"{first_name} ({preferred_name}) {last_name}"
    return f"{first_name} {last_name}"


class Child(db.Model):
    """A disabled child or young person (0 to 25) and the state of their case."""

    __tablename__ = "child"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(20), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    preferred_name: Mapped[str] = mapped_column(String(100), default="")
    # The names as search compares them (casework.names.search_key), kept in step with the
    # names above (on the ORM by _keep_search_names; on a bulk insert by the column default).
    search_first_name: Mapped[str] = mapped_column(
        String(SEARCH_NAME_LENGTH), default=default_for("first_name")
    )
    search_last_name: Mapped[str] = mapped_column(
        String(SEARCH_NAME_LENGTH), default=default_for("last_name")
    )
    search_preferred_name: Mapped[str] = mapped_column(
        String(SEARCH_NAME_LENGTH), default=default_for("preferred_name")
    )
    date_of_birth: Mapped[dt.date] = mapped_column(Date, index=True)
    gender: Mapped[str] = mapped_column(String(20), default="not_known")
    ethnicity: Mapped[str] = mapped_column(String(8), default="NOBT")
    first_language: Mapped[str] = mapped_column(String(60), default="")
    nhs_number: Mapped[str | None] = mapped_column(String(10))
    address_line_1: Mapped[str] = mapped_column(String(200), default="")
    address_line_2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    locality: Mapped[str] = mapped_column(String(40), index=True)
    school: Mapped[str] = mapped_column(String(200), default="")
    ehc_plan: Mapped[bool] = mapped_column(Boolean, default=False)
    ehc_plan_date: Mapped[dt.date | None] = mapped_column(Date)
    disability_register: Mapped[bool] = mapped_column(Boolean, default=False)
    communication_needs: Mapped[str] = mapped_column(Text, default="")
    health_needs: Mapped[str] = mapped_column(Text, default="")
    consent_to_share: Mapped[bool] = mapped_column(Boolean, default=False)

    status: Mapped[str] = mapped_column(String(10), default=STATUS_OPEN, index=True)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    current_tier: Mapped[str | None] = mapped_column(String(20), index=True)
    allocated_team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    allocated_worker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    # The next thing due on the case (kept by casework.services.refresh_next_due).
    next_due_on: Mapped[dt.date | None] = mapped_column(Date)
    next_due_kind: Mapped[str] = mapped_column(String(40), default="")

    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    disabilities: Mapped[list[ChildDisability]] = relationship(
        back_populates="child",
        cascade="all, delete-orphan",
        order_by="ChildDisability.category",
    )
    allocated_team: Mapped[Team | None] = relationship(lazy="joined")
    allocated_worker: Mapped[User | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # Prefix search on names (LIKE 'abc%'): text_pattern_ops lets PostgreSQL use these
        # whatever the database collation.
        *(
            Index(
                f"ix_child_{column}",
                column,
                postgresql_ops={column: "text_pattern_ops"},
            )
            for column in ("search_last_name", "search_first_name", "search_preferred_name")
        ),
        # Sorting by name: ORDER BY ... LIMIT 25 reads the first rows of this index.
        Index("ix_child_name_sort", func.lower(last_name), func.lower(first_name), "id"),
        Index("ix_child_team_status", "allocated_team_id", "status"),
        # "My caseload", every practitioner's home page: their open cases, soonest due first.
        Index("ix_child_worker_caseload", "allocated_worker_id", "status", "next_due_on"),
        # An NHS number belongs to one child (several children may have none).
        Index("ix_child_nhs_number", "nhs_number", unique=True),
    )

    @validates("first_name", "last_name", "preferred_name")
    def _keep_search_names(self, key, value):
        setattr(self, f"search_{key}", search_key(value))
        return value

    @property
    def audit_subject(self):
        return ("child", self.id)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.preferred_name, self.last_name)

    @property
    def is_closed(self) -> bool:
        return self.status == STATUS_CLOSED

    @property
    def disability_codes(self) -> list[str]:
        return [d.category for d in self.disabilities]

    def __repr__(self) -> str:
        return f"<Child {self.case_number}>"


class ChildDisability(db.Model):
    """One CIN census disability category of a child."""

    __tablename__ = "child_disability"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(8))

    child: Mapped[Child] = relationship(back_populates="disabilities")

    __table_args__ = (
        UniqueConstraint("child_id", "category", name="uq_child_disability_child_category"),
        Index("ix_child_disability_category", "category", "child_id"),
    )

    @property
    def audit_subject(self):
        # A new row added through child.disabilities has its child before its child_id.
        if self.child_id is None and self.child is not None:
            return ("child", self.child.id)
        return ("child", self.child_id)


class FamilyMember(db.Model):
    """A parent or carer (kind 'carer') or a sibling (kind 'sibling') of a child."""

    __tablename__ = "family_member"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="carer")
    name: Mapped[str] = mapped_column(String(200))
    relationship_to_child: Mapped[str] = mapped_column(String(30), default="")
    date_of_birth: Mapped[dt.date | None] = mapped_column(Date)
    parental_responsibility: Mapped[bool] = mapped_column(Boolean, default=False)
    lives_with_child: Mapped[bool] = mapped_column(Boolean, default=True)
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    carer_needs: Mapped[str] = mapped_column(Text, default="")
    needs_carers_assessment: Mapped[bool] = mapped_column(Boolean, default=False)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class Professional(db.Model):
    """Another professional involved with the child (GP, teacher, therapist, ...)."""

    __tablename__ = "professional"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class Referral(db.Model):
    __tablename__ = "referral"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    received_on: Mapped[dt.date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(30))
    reason: Mapped[str] = mapped_column(Text)
    requested_support: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class Allocation(db.Model):
    """Allocation history: who held the case, from when to when (ended_at NULL = current)."""

    __tablename__ = "case_allocation"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    worker_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    allocated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    allocated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # 'allocation' (within the manager's teams) or 'transfer' (to another team, with a reason).
    kind: Mapped[str] = mapped_column(String(20), default="allocation")
    reason: Mapped[str] = mapped_column(Text, default="")

    team: Mapped[Team | None] = relationship(lazy="joined")
    worker: Mapped[User | None] = relationship(foreign_keys=[worker_id], lazy="joined")
    allocated_by: Mapped[User | None] = relationship(foreign_keys=[allocated_by_id], lazy="joined")

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class EligibilityCriterion(db.Model):
    """An eligibility criterion, maintained by administrators (differs by council, changes)."""

    __tablename__ = "eligibility_criterion"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    tier: Mapped[str] = mapped_column(String(20))  # 'targeted' | 'specialist'
    text: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class EligibilityDecision(db.Model):
    """A decision on which short breaks a child can have. Kept for ever as history."""

    __tablename__ = "eligibility_decision"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    tier: Mapped[str] = mapped_column(String(20), index=True)
    requested_tier: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text)
    decided_on: Mapped[dt.date] = mapped_column(Date)
    review_date: Mapped[dt.date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    decided_by: Mapped[User | None] = relationship(lazy="joined")
    criteria: Mapped[list[EligibilityDecisionCriterion]] = relationship(
        back_populates="decision",
        cascade="all, delete-orphan",
        lazy="selectin",
        order_by="EligibilityDecisionCriterion.id",
    )

    __table_args__ = (Index("ix_eligibility_decision_child_current", "child_id", "is_current"),)

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class EligibilityDecisionCriterion(db.Model):
    """A criterion met by a decision, with its wording at the time."""

    __tablename__ = "eligibility_decision_criterion"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("eligibility_decision.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int | None] = mapped_column(ForeignKey("eligibility_criterion.id"))
    text: Mapped[str] = mapped_column(Text)

    decision: Mapped[EligibilityDecision] = relationship(back_populates="criteria")

    @property
    def audit_subject(self):
        return ("child", self.decision.child_id if self.decision is not None else None)


class TargetedRegistration(db.Model):
    """A child registered with a targeted short-break activity."""

    __tablename__ = "targeted_registration"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    activity: Mapped[str] = mapped_column(String(300))
    # The targeted service on the providers framework (NULL: an activity not on the framework).
    provider_service_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider_service.id", ondelete="SET NULL"), index=True
    )
    from_date: Mapped[dt.date] = mapped_column(Date)
    to_date: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class CaseNote(db.Model):
    """A dated entry in a child's chronology. Notes are never edited or deleted."""

    __tablename__ = "case_note"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    note_type: Mapped[str] = mapped_column(String(20))
    summary: Mapped[str] = mapped_column(String(200))
    people: Mapped[str] = mapped_column(Text, default="")  # who was involved
    body: Mapped[str] = mapped_column(Text)
    significant: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    author: Mapped[User | None] = relationship(lazy="joined")

    __table_args__ = (Index("ix_case_note_child_date", "child_id", "occurred_on"),)

    @property
    def audit_subject(self):
        return ("child", self.child_id)


class CaseClosure(db.Model):
    """A case being closed or reopened, with the reason."""

    __tablename__ = "case_closure"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(10))  # 'closed' | 'reopened'
    on_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    by: Mapped[User | None] = relationship(lazy="joined")

    @property
    def audit_subject(self):
        return ("child", self.child_id)
