"""The Short Breaks Services Statement's content: narrative sections and live figures.

Each data source (casework's children and decisions, providers' services) is optional: when a
package or table is missing the section says so plainly and no figure is invented. Figures are
counted in SQL (grouped), so the statement stays quick at 20,000 children.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import and_, case, func, literal, not_, or_, select

from core.extensions import db
from core.models import utcnow
from core.reference import AGE_BANDS, CIN_DISABILITY_CATEGORIES, SHORT_BREAK_TYPES, years_after
from core.reference import localities as _localities
from core.reference import locality_labels as _locality_labels

from . import charts, coverage, narrative
from .services import (
    ReportError,
    latest_year,
    suppress_count,
    suppress_population,
    year_bounds,
    year_label,
)
from .suppression import HIDDEN_TEXT, Cell
from .times import to_uk, uk_date

UNKNOWN = "_unknown"
CHART_WIDTH = 276  # SVG units = CSS px: the chart printed at its own size beside its table


@dataclass
class Source:
    """A part of the statement drawn from another package; ``missing`` says why it is absent."""

    available: bool
    missing: str = ""
    data: dict = field(default_factory=dict)


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name and name.startswith(exc.name):
            return None
        raise


def _models(package: str, *names: str):
    """The named models of a package, or None if the package or any model is not there."""
    module = _module(f"{package}.models")
    if module is None:
        return None
    found = [getattr(module, n, None) for n in names]
    return None if any(m is None for m in found) else found


# --- (a) the range of short breaks -------------------------------------------------------------


def range_of_services() -> Source:
    services = _module("providers.services")
    if services is None or not hasattr(services, "published_services"):
        return Source(
            False,
            "The providers register is not yet part of this system, so the "
            "range of services cannot be listed from it.",
        )
    rows = services.published_services()
    labels = _locality_labels()
    codes = [r.code for r in _localities()]
    by_type = []
    for code, label in SHORT_BREAK_TYPES.items():
        items = sorted(
            (s for s in rows if s["short_break_type"] == code),
            key=lambda s: (s["name"].lower(), s["provider"].lower()),
        )
        counts = {loc: sum(1 for s in items if loc in s["localities"]) for loc in codes}
        by_type.append({"code": code, "label": label, "services": items, "counts": counts})
    return Source(
        True,
        data={
            "by_type": by_type,
            # Every locality, even one with no service at all: that is the gap to see.
            "localities": [(c, labels[c]) for c in codes],
            "total": len(rows),
            "direct_payments": sum(1 for s in rows if s["direct_payments"]),
        },
    )


def gaps() -> Source:
    services = _module("providers.services")
    if services is None or not hasattr(services, "gaps"):
        return Source(False, "Gaps cannot be shown until the providers register is in use.")
    # Gaps in what families can find: only published services count as covering a locality
    # (older providers.services.gaps() had no such choice and counted every service).
    accepts = inspect.signature(services.gaps).parameters
    rows = services.gaps(published_only=True) if "published_only" in accepts else services.gaps()
    by_locality: dict[str, dict] = {}
    for g in rows:
        entry = by_locality.setdefault(
            g["locality"], {"label": g["locality_label"], "types": [], "needs": []}
        )
        entry["types" if g["kind"] == "short_break_type" else "needs"].append(g["label"])
    return Source(True, data={"by_locality": by_locality, "count": len(rows)})


# --- (b) eligibility criteria ------------------------------------------------------------------


def eligibility_criteria() -> Source:
    found = _models("casework", "EligibilityCriterion")
    if found is None:
        return Source(False, "The eligibility criteria are not yet held in this system.")
    (criterion,) = found
    rows = db.session.scalars(
        select(criterion)
        .where(criterion.active.is_(True))
        .order_by(criterion.tier, criterion.sort_order, criterion.id)
    ).all()
    return Source(
        True,
        data={
            "targeted": [r.text for r in rows if r.tier == "targeted"],
            "specialist": [r.text for r in rows if r.tier == "specialist"],
        },
    )


# --- (c) children and young people -------------------------------------------------------------

POPULATIONS = [
    ("register", "On the disability register"),
    ("targeted", "Receiving targeted short breaks"),
    # Children *assessed as eligible* (eligibility decisions): who actually receives specialist
    # breaks comes from support plans and direct payments, which are not held here yet.
    ("specialist", "Assessed as eligible for specialist short breaks"),
]
SPECIALIST_NOTE = (
    "These are the children and young people assessed as eligible for specialist short "
    "breaks, after a needs assessment. They are not a count of the children receiving "
    "specialist short breaks: figures of children receiving them through support plans and "
    "direct payments will be given once those records are held in this system."
)


def _band_expr(dob, on: dt.date):
    """The age band (core.reference.AGE_BANDS) on a date, as a portable SQL CASE on the date
    of birth (same rule as core.reference.age_on)."""
    whens = []
    for code, _label, low, high in AGE_BANDS:
        whens.append((and_(dob <= years_after(on, -low), dob > years_after(on, -(high + 1))), code))
    return case(*whens, else_=literal(UNKNOWN))


def _population_ids(kind: str, year: int, m):
    start, end = year_bounds(year)
    child, decision, registration, referral = m
    first_known = (
        select(func.min(referral.received_on))
        .where(referral.child_id == child.id)
        .correlate(child)
        .scalar_subquery()
    )
    open_in_year = and_(
        or_(child.closed_on.is_(None), child.closed_on >= start),
        or_(
            first_known <= end,
            and_(first_known.is_(None), child.created_at < dt.datetime.combine(end, dt.time.max)),
        ),
    )
    if kind == "register":
        return select(child.id).where(child.disability_register.is_(True), open_in_year)
    if kind == "targeted":
        return (
            select(registration.child_id)
            .join(child, child.id == registration.child_id)
            .where(
                registration.from_date <= end,
                or_(registration.to_date.is_(None), registration.to_date >= start),
                or_(child.closed_on.is_(None), child.closed_on >= start),
            )
            .distinct()
        )
    later = decision.__table__.alias("later")
    superseded_before_start = (
        select(later.c.id)
        .where(
            later.c.child_id == decision.child_id,
            or_(
                later.c.decided_on > decision.decided_on,
                and_(later.c.decided_on == decision.decided_on, later.c.id > decision.id),
            ),
            later.c.decided_on < start,
        )
        .exists()
    )
    return (
        select(decision.child_id)
        .join(child, child.id == decision.child_id)
        .where(
            decision.tier == "specialist",
            decision.decided_on <= end,
            not_(superseded_before_start),
            or_(child.closed_on.is_(None), child.closed_on >= start),
        )
        .distinct()
    )


def _known(counts: dict[str, int], labels: dict[str, str]) -> dict[str, int]:
    """Codes that are not localities (typed in before the list existed) count as not recorded,
    so that the rows still add up to the total."""
    out: dict[str, int] = {}
    for code, n in counts.items():
        key = code if code in labels else UNKNOWN
        out[key] = out.get(key, 0) + n
    return out


def _count_by(ids, key_expr, m, join_disability=False) -> dict[str, int]:
    child = m[0]
    ids_sq = ids.subquery()
    stmt = select(key_expr, func.count(func.distinct(child.id))).where(
        child.id.in_(select(ids_sq.c[0]))
    )
    if join_disability:
        stmt = stmt.select_from(child).join(m[4], m[4].child_id == child.id)
    return {
        str(k) if k is not None else UNKNOWN: n
        for k, n in db.session.execute(stmt.group_by(key_expr))
    }


def _no_records_note(begin: dt.date | None, years: list[int], shown: list[int]) -> str:
    """What the statement says about years, or parts of years, before the records begin."""
    if begin is None or not shown:
        return ""
    missing = [y for y in years if y not in shown]
    begins = f"Records in this system begin on {uk_date(begin)}"
    if missing:
        return (
            f"{begins}, so there are no figures for {' or '.join(map(year_label, missing))}, "
            f"and figures before {uk_date(begin)} are not shown."
        )
    if begin > year_bounds(shown[0])[0]:
        return f"{begins}: figures before then are not shown."
    return ""


def needs_figures(year: int, progress=None, data_day: dt.date | None = None) -> Source:
    found = _models(
        "casework",
        "Child",
        "EligibilityDecision",
        "TargetedRegistration",
        "Referral",
        "ChildDisability",
    )
    if found is None:
        return Source(
            False,
            "Children's records are not yet held in this system, so no "
            "figures about children and young people can be given.",
        )
    child = found[0]
    begin = coverage.records_begin()
    # Only years with records: a year wholly before the first record has no figures at all
    # (not a column of zeros).
    years = [y for y in (year - 1, year) if begin is not None and year_bounds(y)[1] >= begin]
    if not years:
        return Source(
            False,
            f"Records in this system begin on {uk_date(begin)}, after {year_label(year)}, so "
            "there are no figures about children and young people for it."
            if begin
            else "No records of children are held in this system yet, so no figures about "
            "children and young people can be given.",
        )
    labels = _locality_labels()
    raw: dict[str, dict] = {}
    for kind, _title in POPULATIONS:
        raw[kind] = {}
        for y in years:
            if progress:
                progress(f"Counting children: {kind.replace('_', ' ')}, {year_label(y)}")
            ids = _population_ids(kind, y, found[:4])
            on = year_bounds(y)[1]
            raw[kind][y] = {
                "total": db.session.scalar(select(func.count()).select_from(ids.subquery())),
                "age": _count_by(ids, _band_expr(child.date_of_birth, on), found),
                "locality": _known(_count_by(ids, child.locality, found), labels),
                "disability": _count_by(ids, found[4].category, found, join_disability=True),
            }
    age_rows = [(c, label) for c, label, *_ in AGE_BANDS] + [(UNKNOWN, "Over 25 or not known")]
    active = {r.code for r in _localities()}
    loc_rows = [
        (c, lbl)
        for c, lbl in labels.items()
        if c in active or any(raw[k][y]["locality"].get(c) for k in raw for y in years)
    ] + [(UNKNOWN, "Locality not recorded")]
    dis_rows = [(c, lbl) for c, lbl in CIN_DISABILITY_CATEGORIES.items() if c != "NONE"]
    populations = []
    dims = (
        ("age", "Age band (age on 31 March)", age_rows, True),
        ("locality", "Locality", loc_rows, True),
        ("disability", "Disability (CIN census category)", dis_rows, False),
    )
    for kind, title in POPULATIONS:
        columns = {
            dim: {str(y): {c: raw[kind][y][dim].get(c, 0) for c, _ in rows} for y in years}
            for dim, _heading, rows, _additive in dims
        }
        totals = {y: raw[kind][y]["total"] for y in years}
        # The additive tables are suppressed together; the disability table (a child can have
        # several categories) has its counts suppressed one by one, and the same total.
        cells, total_cells = suppress_population(
            {dim: columns[dim] for dim, *_rest, additive in dims if additive},
            {str(y): n for y, n in totals.items()},
        )
        # A column that shows nothing of its additive tables (a total from 1 to 5, or one
        # that could not be protected otherwise) shows none of its disabilities either.
        cells["disability"] = {
            c: {
                k: Cell(None, HIDDEN_TEXT) if total_cells[c].suppressed else suppress_count(v)
                for k, v in col.items()
            }
            for c, col in columns["disability"].items()
        }
        tables = [
            _table(
                title,
                dim,
                heading,
                rows,
                columns[dim],
                cells[dim],
                total_cells,
                years,
                add,
                data_day,
            )
            for dim, heading, rows, add in dims
        ]
        populations.append({"kind": kind, "title": title, "tables": tables, "totals": totals})
    return Source(
        True,
        data={
            "populations": populations,
            "years": years,
            "columns": [_column_label(y, data_day) for y in years],
            "columns_in_full": [_column_label(y, data_day, full=True) for y in years],
            "raw": raw,
            "records_begin": begin,
            "records_note": _no_records_note(begin, [year - 1, year], years),
        },
    )


def _column_label(year: int, data_day: dt.date | None, full: bool = False) -> str:
    """A year's column heading: "(so far)" while the year is in progress (the date is said
    above the tables, and in full in the CSV)."""
    if not _in_progress(year, data_day):
        return year_label(year)
    if full:
        return f"{year_label(year)} (so far, to {uk_date(data_day or dt.date.today())})"
    return f"{year_label(year)} (so far)"


def _table(title, dim, heading, rows, columns, cells, totals, years, additive, data_day) -> dict:
    # "Not known" rows are printed when they have children, or whenever a column shows nothing
    # (otherwise the row's presence would say that some hidden count is not 0).
    closed = any(totals[str(y)].suppressed for y in years)
    shown = [
        (code, label)
        for code, label in rows
        if code != UNKNOWN or closed or any(columns[str(y)][code] for y in years)
    ]
    series = [
        charts.Series(
            f"{year_label(y)}"
            + (" (so far)" if y == years[-1] and _in_progress(y, data_day) else ""),
            [cells[str(y)][c].value for c, _ in shown],
            [cells[str(y)][c].text for c, _ in shown],
        )
        for y in years
    ]
    chart_title = f"{title}, by {heading.split(' (')[0].lower()}"
    categories = [label for _, label in shown]
    return {
        "dim": dim,
        "heading": heading,
        "caption": chart_title,
        "additive": additive,
        "rows": [
            {"label": label, "cells": [cells[str(y)][code] for y in years]} for code, label in shown
        ],
        "totals": [totals[str(y)] for y in years],
        # Narrow: printed beside its table.
        "chart": charts.data_uri(charts.grouped_bars(categories, series, width=CHART_WIDTH)),
        "alt": charts.alt_text(chart_title, categories, series),
    }


def _in_progress(year: int, on: dt.date | None = None) -> bool:
    return (on or dt.date.today()) <= year_bounds(year)[1]


# --- The whole statement -----------------------------------------------------------------------


def build(year: int, progress=None) -> dict:
    """Everything the statement template needs, for a financial year that has begun (a year
    still to come has no figures: it would only repeat this year's under its name)."""
    step = progress or (lambda text: None)
    data_date = utcnow()
    if year > latest_year(data_date.date()):
        raise ReportError(
            f"The financial year {year_label(year)} has not started yet, so there are no "
            "figures for it"
        )
    step("Reading the narrative sections")
    status = narrative.status(year)
    sections = narrative.for_statement(year)
    step("Collecting the range of short breaks")
    range_ = range_of_services()
    gaps_ = gaps()
    step("Collecting the eligibility criteria")
    criteria = eligibility_criteria()
    step("Collecting figures about children and young people")
    needs = needs_figures(year, step, data_date.date())
    start, end = year_bounds(year)
    approvals = [s for s in sections.values() if s and s["approved"] and s["approved_at"]]
    return {
        "year": year,
        "year_label": year_label(year),
        "previous_label": year_label(year - 1),
        "start": start,
        "end": end,
        "in_progress": _in_progress(year, data_date.date()),
        "council": current_app.config["COUNCIL_NAME"],
        "data_date": data_date,
        "sections": sections,
        "approved": not narrative.is_draft(status),
        "titles": {k: narrative.section_title(k) for k in sections},
        "approvers": sorted(
            {(s["approved_by"] or "an officer", to_uk(s["approved_at"]).date()) for s in approvals},
            key=lambda a: a[1],
        ),
        "review_date": end,
        # The providers register keeps no history: whatever the year, it is as it is now.
        "register_now": f"the register as it is now ({uk_date(data_date)})",
        "range": range_,
        "gaps": gaps_,
        "criteria": criteria,
        "needs": needs,
        "specialist_note": SPECIALIST_NOTE,
    }
