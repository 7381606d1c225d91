"""Tables of the providers package: the short breaks providers framework and its services.

For the casework, assessments and reports engineers (read these freely; write through
``providers.services``):

- ``provider``: an organisation or personal assistant on (or once on) the framework.
  ``kind`` (``PROVIDER_KINDS``), ``status`` ('on_framework' | 'suspended' | 'left'),
  ``direct_payments`` (bool: direct payment holders may buy from them), registration
  (``registration_body`` 'ofsted' | 'cqc' | '', ``registration_number``, ``registration_rating``),
  contact and address, ``localities`` (list of locality codes from
  ``core.reference.localities()``), ``dbs_expires_on`` / ``insurance_expires_on`` (dates),
  ``notes``. ``public_id`` is the UUID used by the Open Referral API.
- ``provider_service``: a short-break service a provider offers. ``short_break_type`` (a
  ``core.reference.SHORT_BREAK_TYPES`` code), ``tier`` ('targeted' | 'specialist'),
  ``age_from`` / ``age_to`` (whole years, inclusive), ``needs`` (list of
  ``CIN_DISABILITY_CATEGORIES`` codes), ``localities`` (locality codes), ``capacity`` with
  ``capacity_unit`` ('places_per_session' | 'nights_per_year'), ``rate_pence`` (whole pence)
  with ``rate_unit`` ('hour' | 'session' | 'night'), ``runs`` (list of ``RUNS`` codes),
  ``published`` (shown in the Open Referral API and to families), an optional venue, a
  contact, and the nine SE7 Local Offer answers (``SE7_QUESTIONS``).

Lists of codes are held in one text column each (``,a,b,``) so that a change is one audited
update of the record and a filter is a portable ``LIKE '%,code,%'``; in Python they are lists,
in their reference list's order.
Nothing here is about a child.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text, type_coerce
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from core.extensions import db
from core.models import utcnow

PROVIDER_KINDS = {
    "organisation": "Organisation",
    "personal_assistant": "Personal assistant",
    "family_based": "Foster carer or family-based short breaks",
    "residential": "Residential short-break home",
    "council": "Council-run service",
}
PROVIDER_STATUSES = {
    "on_framework": "On the framework",
    "suspended": "Suspended",
    "left": "Left the framework",
}
REGISTRATION_BODIES = {"": "Not registered", "ofsted": "Ofsted", "cqc": "CQC"}
REGISTRATION_RATINGS = {
    "": "Not rated",
    "outstanding": "Outstanding",
    "good": "Good",
    "requires_improvement": "Requires improvement",
    "inadequate": "Inadequate",
    "not_yet_inspected": "Not yet inspected",
}
SERVICE_TIERS = {"targeted": "Targeted", "specialist": "Specialist"}
CAPACITY_UNITS = {"places_per_session": "places per session", "nights_per_year": "nights a year"}
RATE_UNITS = {"hour": "per hour", "session": "per session", "night": "per night"}
RUNS = {
    "term_time": "Term time",
    "holidays": "School holidays",
    "evenings": "Evenings",
    "weekends": "Weekends",
}
# The SE7 Local Offer service questions (social care), in their order: (field, question).
SE7_QUESTIONS = [
    ("what_it_does", "What does the service do?"),
    ("where_it_is", "Where is it and what area does it cover?"),
    ("who_it_is_for", "Who is it for?"),
    ("how_to_start", "How can I start using the service?"),
    ("how_decisions_are_made", "How are decisions made about who can use the service?"),
    ("how_it_communicates", "How does the service communicate with families?"),
    ("accessibility", "Is the service accessible?"),
    ("staff_training", "What training do the staff have?"),
    ("who_to_contact", "Who can I contact for further information?"),
]
SE7_FIELDS = [f for f, _ in SE7_QUESTIONS]


def new_uuid() -> str:
    return str(uuid.uuid4())


class CodeList(TypeDecorator):
    """A list of short codes stored as ',a,b,' (portable LIKE filters, one audited column)."""

    impl = String(400)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        codes = [c for c in (value or []) if c]
        return "," + ",".join(codes) + "," if codes else ""

    def process_result_value(self, value, dialect):
        return [c for c in (value or "").split(",") if c]

    def compare_values(self, x, y):
        # The same codes in another order are the same list: an unchanged form or import
        # (whose checkboxes or cells come in their own order) writes nothing and audits nothing.
        # New lists are stored in the reference list's order (``checks.canonical_codes``).
        if not (isinstance(x, list) or x is None) or not (isinstance(y, list) or y is None):
            return x == y  # such as SQLAlchemy's NO_VALUE for an attribute not loaded yet
        return sorted(set(x or [])) == sorted(set(y or []))


def has_code(column, code: str):
    """SQL condition: this CodeList column contains code."""
    return type_coerce(column, String).like(f"%,{code},%")


class Provider(db.Model):
    __tablename__ = "provider"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32), default="on_framework", index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    registration_body: Mapped[str] = mapped_column(String(16), default="")
    registration_number: Mapped[str] = mapped_column(String(40), default="")
    registration_rating: Mapped[str] = mapped_column(String(32), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    address_line_1: Mapped[str] = mapped_column(String(200), default="")
    address_line_2: Mapped[str] = mapped_column(String(200), default="")
    town: Mapped[str] = mapped_column(String(100), default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")
    localities: Mapped[list[str]] = mapped_column(CodeList, default=list)
    direct_payments: Mapped[bool] = mapped_column(Boolean, default=False)
    dbs_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    insurance_expires_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    services: Mapped[list[ProviderService]] = relationship(
        back_populates="provider", order_by="ProviderService.name"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return PROVIDER_KINDS.get(self.kind, self.kind)

    @property
    def status_label(self) -> str:
        return PROVIDER_STATUSES.get(self.status, self.status)

    def __repr__(self) -> str:
        return f"<Provider {self.name}>"


class ProviderService(db.Model):
    __tablename__ = "provider_service"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    # The Open Referral id of this service at its venue (service_at_location).
    venue_public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    provider_id: Mapped[int] = mapped_column(ForeignKey("provider.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    short_break_type: Mapped[str] = mapped_column(String(40), index=True)
    tier: Mapped[str] = mapped_column(String(16))
    age_from: Mapped[int] = mapped_column(Integer)
    age_to: Mapped[int] = mapped_column(Integer)
    needs: Mapped[list[str]] = mapped_column(CodeList, default=list)
    localities: Mapped[list[str]] = mapped_column(CodeList, default=list)
    runs: Mapped[list[str]] = mapped_column(CodeList, default=list)
    capacity: Mapped[int | None] = mapped_column(Integer)
    capacity_unit: Mapped[str] = mapped_column(String(32), default="places_per_session")
    rate_pence: Mapped[int | None] = mapped_column(Integer)
    rate_unit: Mapped[str] = mapped_column(String(16), default="session")
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(200), default="")
    venue_town: Mapped[str] = mapped_column(String(100), default="")
    venue_postcode: Mapped[str] = mapped_column(String(10), default="")
    contact_name: Mapped[str] = mapped_column(String(200), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="")
    what_it_does: Mapped[str] = mapped_column(Text, default="")
    where_it_is: Mapped[str] = mapped_column(Text, default="")
    who_it_is_for: Mapped[str] = mapped_column(Text, default="")
    how_to_start: Mapped[str] = mapped_column(Text, default="")
    how_decisions_are_made: Mapped[str] = mapped_column(Text, default="")
    how_it_communicates: Mapped[str] = mapped_column(Text, default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    staff_training: Mapped[str] = mapped_column(Text, default="")
    who_to_contact: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    provider: Mapped[Provider] = relationship(back_populates="services", lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    @property
    def has_venue(self) -> bool:
        return bool(self.venue_address and self.venue_town and self.venue_postcode)

    def __repr__(self) -> str:
        return f"<ProviderService {self.name}>"
