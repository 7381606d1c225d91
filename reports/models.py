"""Tables of the reports package.

- ``report_run``: one request for a report (type, parameters), who asked and when (no one: the
  command line), its status (queued, running, done, failed, expired), progress and error text,
  the files it made (PDF, HTML and CSV, each with its SHA-256), whether it is marked
  "Published — keep" (exempt from retention), the date of the data it was made from, whether it
  is a draft (text not all approved), how many times a worker started it (``attempts``), which
  worker process has it (``worker``: host and process id) and how many times it was sent to a
  worker again after its worker died or its message was lost (``requeues``; reports.jobs).
  ``updated_at`` is also the heartbeat of a running run. ``active_key`` holds
  "type:parameters" while the run is queued or running and is NULL otherwise; its unique index
  lets only one such run exist per report and parameters.
- ``statement_narrative``: the manager-written sections of the Short Breaks Services Statement,
  one row per version (never changed except to record its approval), per financial year.
"""

from __future__ import annotations

import datetime as dt

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

from core.extensions import db
from core.models import User, utcnow

QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATUSES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)
ACTIVE_STATUSES = (QUEUED, RUNNING)


class ReportRun(db.Model):
    """Not audited row by row (progress changes often); requests, downloads and expiry are
    recorded as audit events by reports.services."""

    __tablename__ = "report_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_type: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    progress: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str] = mapped_column(Text, default="")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requeues: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(200), default="")
    active_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    expired_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    data_date: Mapped[dt.datetime | None] = mapped_column(DateTime)
    file_path: Mapped[str] = mapped_column(String(300), default="")
    sha256: Mapped[str] = mapped_column(String(64), default="")
    file_size: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    # True: some section of the text was not approved (None: made before this was recorded).
    draft: Mapped[bool | None] = mapped_column(Boolean)
    html_path: Mapped[str] = mapped_column(String(300), default="")
    html_sha256: Mapped[str] = mapped_column(String(64), default="")
    csv_path: Mapped[str] = mapped_column(String(300), default="")
    csv_sha256: Mapped[str] = mapped_column(String(64), default="")
    # "Published — keep": set by a commissioner; retention never removes these files.
    kept_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    kept_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    kept_by: Mapped[User | None] = relationship(foreign_keys=[kept_by_id], lazy="joined")

    __table_args__ = (
        Index("ix_report_run_type_time", "report_type", "requested_at"),
        Index("ix_report_run_status_finished", "status", "finished_at"),
    )

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def __repr__(self) -> str:
        return f"<ReportRun {self.id} {self.report_type} {self.status}>"


class StatementNarrative(db.Model):
    """One version of one narrative section of the statement for one financial year."""

    __tablename__ = "statement_narrative"
    __audit__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(40))
    number: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    written_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    written_by: Mapped[User | None] = relationship(foreign_keys=[written_by_id], lazy="joined")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")

    __table_args__ = (
        UniqueConstraint("year", "section", "number", name="uq_statement_narrative_version"),
    )
