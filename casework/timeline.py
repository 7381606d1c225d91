"""One chronology per child: case notes, referrals, decisions, allocations, closures and
registrations, plus whatever later packages register (assessments, plans, payments):

    from casework.timeline import TimelineEntry, register_timeline_source
    register_timeline_source(lambda child: [TimelineEntry(on, "Assessment", "Assessment authorised")])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from core.extensions import db
from core.templating import govuk_date

from . import services
from .models import DECISION_TIERS, NOTE_TYPES, CaseClosure, CaseNote, Child


@dataclass
class TimelineEntry:
    on: dt.date
    kind: str  # short label, like "Visit" or "Eligibility decision"
    title: str
    body: str = ""
    by: str = ""
    significant: bool = False
    at: dt.datetime | None = None
    people: str = ""  # who was involved
    # An optional link: {"endpoint": ..., "values": {...}, "text": ...} (built with url_for).
    link: dict | None = None


# Other packages add their own entries (assessments, plans, payments): fn(child) -> entries.
_TIMELINE_SOURCES: list[Callable[[Child], list[TimelineEntry]]] = []


def register_timeline_source(fn: Callable[[Child], list[TimelineEntry]]) -> None:
    if fn not in _TIMELINE_SOURCES:
        _TIMELINE_SOURCES.append(fn)


def timeline(child: Child, significant_only: bool = False) -> list[TimelineEntry]:
    """One chronology for the child: notes, referrals, decisions, allocations, closures,
    registrations and whatever later packages add. Newest first."""
    entries: list[TimelineEntry] = []
    notes = db.session.scalars(select(CaseNote).where(CaseNote.child_id == child.id))
    for n in notes:
        entries.append(
            TimelineEntry(
                n.occurred_on,
                NOTE_TYPES.get(n.note_type, n.note_type),
                n.summary,
                n.body,
                n.author.name if n.author else "",
                n.significant,
                n.created_at,
                n.people,
            )
        )
    for r in services.referrals(child):
        entries.append(
            TimelineEntry(
                r.received_on,
                "Referral",
                "Referral received",
                r.reason,
                r.recorded_by.name if r.recorded_by else "",
                False,
                r.created_at,
            )
        )
    for d in services.decisions(child):
        entries.append(
            TimelineEntry(
                d.decided_on,
                "Eligibility decision",
                f"Eligibility decision: {DECISION_TIERS.get(d.tier, d.tier)}",
                d.rationale,
                d.decided_by.name if d.decided_by else "",
                True,
                d.created_at,
            )
        )
    for a in services.allocations(child):
        to = ", ".join(
            x for x in (a.worker.name if a.worker else "", a.team.name if a.team else "") if x
        )
        transfer = a.kind == "transfer"
        entries.append(
            TimelineEntry(
                a.allocated_at.date(),
                "Transfer" if transfer else "Allocation",
                f"Transferred to {to}" if transfer else f"Allocated to {to or 'nobody'}",
                a.reason,
                a.allocated_by.name if a.allocated_by else "",
                transfer,
                a.allocated_at,
            )
        )
    for c in db.session.scalars(select(CaseClosure).where(CaseClosure.child_id == child.id)):
        entries.append(
            TimelineEntry(
                c.on_date,
                "Case closed" if c.action == "closed" else "Case reopened",
                "Case closed" if c.action == "closed" else "Case reopened",
                c.reason,
                c.by.name if c.by else "",
                True,
                c.created_at,
            )
        )
    for reg in services.registrations(child):
        until = f" until {govuk_date(reg.to_date)}" if reg.to_date else ""
        service = services.registration_service(reg)
        where = "" if reg.provider_service_id else " (not on the framework)"
        entries.append(
            TimelineEntry(
                reg.from_date,
                "Targeted short break",
                f"Registered with {reg.activity}{where}",
                f"From {govuk_date(reg.from_date)}{until}",
                "",
                False,
                reg.created_at,
                link={
                    "endpoint": "providers.service_detail",
                    "values": {"service_id": service.id},
                    "text": f"{services.service_label(service)} in the short breaks directory",
                }
                if service
                else None,
            )
        )
    for source in _TIMELINE_SOURCES:
        entries.extend(source(child))
    if significant_only:
        entries = [e for e in entries if e.significant]
    entries.sort(key=lambda e: (e.on, e.at or dt.datetime.min), reverse=True)
    return entries
