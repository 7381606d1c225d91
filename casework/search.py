"""Finding children: free-text and filtered search, and caseloads. Kept simple so PostgreSQL
answers from indexes (see benchmarks/casework_search.py).

Names are matched as casework.names.search_key writes them (lower case, no accents, spaces or
punctuation), as prefixes of the indexed search_* columns: "o neill", "O’Neill" and "oneill"
all find O'Neill, and a preferred name ("Tes") finds the child too. A date of birth can go with
a name in one search ("smith 03/04/2015")."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import Date, Integer, and_, bindparam, exists, false, func, null, or_, select

from core.extensions import db
from core.models import ReferenceValue, User
from core.parsing import whole_number
from core.reference import years_after

from .models import (
    DECISION_TIERS,
    STATUS_CLOSED,
    STATUS_OPEN,
    Child,
    ChildDisability,
    display_name,
)
from .names import search_key
from .rules import case_number_for, visible_condition


@dataclass
class SearchCriteria:
    q: str = ""
    age_band: str = ""
    locality: str = ""
    disability: str = ""
    tier: str = ""
    worker_id: int | None = None
    unallocated: bool = False  # held by a team, no named worker
    inactive_worker: bool = False  # allocated to someone who can no longer sign in
    status: str = ""
    sort: str = "name"
    direction: str = "asc"


SORTS = {
    "name": (func.lower(Child.last_name), func.lower(Child.first_name)),
    "dob": (Child.date_of_birth,),
    "case": (Child.case_number,),
    "locality": (Child.locality,),
    "tier": (Child.current_tier,),
    "due": (Child.next_due_on,),
}

_DATE_PATTERNS = (
    re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{4})$"),
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
)
_MONTHS = {
    m.lower(): i
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ],
        start=1,
    )
}


def parse_search_date(text: str) -> dt.date | None:
    text = text.strip()
    m = _DATE_PATTERNS[0].match(text)
    try:
        if m:
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _DATE_PATTERNS[1].match(text)
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        parts = text.split()
        if len(parts) == 3 and parts[0].isdigit() and parts[2].isdigit():
            month = _MONTHS.get(parts[1].lower()) or next(
                (
                    v
                    for k, v in _MONTHS.items()
                    if len(parts[1]) >= 3 and k.startswith(parts[1].lower())
                ),
                None,
            )
            if month:
                return dt.date(int(parts[2]), month, int(parts[0]))
    except (ValueError, OverflowError):
        return None
    return None


# A name of more words than this is searched by its first words only (each extra word
# doubles the ways of splitting it into first and last name).
_MAX_NAME_WORDS = 4


def _split_date(words: list[str]) -> tuple[dt.date | None, list[str]]:
    """A date of birth somewhere in the words ('3/4/2015', '2015-04-03' or '3 April 2015'), and
    the words left over (the name)."""
    for size in (1, 3):
        for i in range(len(words) - size + 1):
            date = parse_search_date(" ".join(words[i : i + size]).strip(","))
            if date is not None:
                return date, words[:i] + words[i + size :]
    return None, words


def _prefix(column, key: str):
    # Keys are letters and digits only, so there is nothing to escape in the pattern.
    return column.like(key + "%")


def _given(key: str):
    return or_(_prefix(Child.search_first_name, key), _prefix(Child.search_preferred_name, key))


def _name_condition(words: list[str]):
    """The words as a name: all of them run together as a first, preferred or last name
    ('o neill'), or split into a first (or preferred) and a last name, either way round."""
    keys = [k for k in (search_key(w) for w in words) if k][:_MAX_NAME_WORDS]
    if not keys:
        return false()
    whole = "".join(keys)
    conds = [_prefix(Child.search_last_name, whole), _given(whole)]
    for i in range(1, len(keys)):
        front, back = "".join(keys[:i]), "".join(keys[i:])
        conds.append(and_(_given(front), _prefix(Child.search_last_name, back)))
        conds.append(and_(_prefix(Child.search_last_name, front), _given(back)))
    return or_(*conds)


def _text_condition(q: str):
    """Free text: a case number (with or without its C), an NHS number, a date of birth, a
    name (prefixes), or a name and a date of birth."""
    q = " ".join(q.split())[:100]
    compact = re.sub(r"[\s-]", "", q)
    if re.fullmatch(r"[Cc][0-9]{1,6}", compact):
        return Child.case_number == case_number_for(whole_number(compact[1:]))
    if re.fullmatch(r"[0-9]{1,6}", q):
        # "4" or "000004": the case number people read out without its C, or the start of a
        # name (a few names have digits).
        return or_(Child.case_number == case_number_for(whole_number(q)), _name_condition([q]))
    if re.fullmatch(r"[0-9]{10}", compact):
        return Child.nhs_number == compact
    date = parse_search_date(q)
    if date is not None:
        return Child.date_of_birth == date
    words = [w for w in re.split(r"[\s,]+", q) if w]
    if not words:
        return None
    date, name = _split_date(words)
    if date is None:
        return _name_condition(words)
    if not any(search_key(w) for w in name):
        return Child.date_of_birth == date
    return and_(Child.date_of_birth == date, _name_condition(name))


def dob_range_for_band(band: str, today: dt.date | None = None):
    """(earliest, latest) date of birth for an age band today."""
    from core.reference import AGE_BANDS

    today = today or dt.date.today()
    for code, _label, low, high in AGE_BANDS:
        if code == band:
            latest = years_after(today, -low)
            earliest = years_after(today, -(high + 1)) + dt.timedelta(days=1)
            return earliest, latest
    return None


def search_statement(user, c: SearchCriteria):
    """The children this user may see that match the criteria, sorted."""
    stmt = select(Child).where(visible_condition(user))
    if c.q.strip():
        cond = _text_condition(c.q)
        if cond is not None:
            stmt = stmt.where(cond)
    if c.age_band:
        rng = dob_range_for_band(c.age_band)
        if rng:
            stmt = stmt.where(Child.date_of_birth.between(*rng))
    if c.locality:
        stmt = stmt.where(Child.locality == c.locality)
    if c.disability:
        stmt = stmt.where(
            exists().where(
                ChildDisability.child_id == Child.id, ChildDisability.category == c.disability
            )
        )
    if c.tier == "none":
        stmt = stmt.where(Child.current_tier.is_(None))
    elif c.tier in DECISION_TIERS:
        stmt = stmt.where(Child.current_tier == c.tier)
    if c.unallocated:
        stmt = stmt.where(Child.allocated_worker_id.is_(None))
    elif c.inactive_worker:
        stmt = stmt.where(Child.allocated_worker_id.in_(_cannot_sign_in()))
    elif c.worker_id:
        stmt = stmt.where(Child.allocated_worker_id == c.worker_id)
    if c.status in (STATUS_OPEN, STATUS_CLOSED):
        stmt = stmt.where(Child.status == c.status)
    cols = SORTS.get(c.sort, SORTS["name"])
    if c.direction == "desc":
        order = [col.desc() for col in cols]
    else:
        order = [col.asc() for col in cols]
    if c.sort == "due":
        order = [Child.next_due_on.is_(None), *order]
    return stmt.order_by(*order, Child.id)


def _cannot_sign_in():
    return select(User.id).where(User.enabled.is_(False))


def cases_held_by_people_who_cannot_sign_in(user) -> int:
    """Open cases in this user's teams still allocated to someone who can no longer sign in
    (their account disabled): for the team manager to allocate again."""
    if not user.team_ids:
        return 0
    return db.session.scalar(
        select(func.count())
        .select_from(Child)
        .where(
            Child.allocated_team_id.in_(sorted(user.team_ids)),
            Child.status == STATUS_OPEN,
            Child.allocated_worker_id.in_(_cannot_sign_in()),
        )
    )


@dataclass(frozen=True, slots=True)
class CaseloadRow:
    """One row of a caseload page: the columns its table shows, as plain values."""

    id: int
    case_number: str
    first_name: str
    last_name: str
    preferred_name: str | None
    date_of_birth: dt.date
    locality: str
    locality_label: str | None
    current_tier: str | None
    next_due_on: dt.date | None
    next_due_kind: str | None
    allocated_worker_name: str | None

    @property
    def display_name(self) -> str:
        return display_name(self.first_name, self.preferred_name, self.last_name)


def _caseload_page_statement(scope: str):
    """The caseload page's one query, built once per scope and reused with bound values, so
    the statement and its cache key are made once, not on every visit to the home page. Core
    columns rather than ORM objects: each row becomes a CaseloadRow. The figures (total,
    overdue, unallocated) are window aggregates over every matching case, so one round trip
    gives the page and its counts."""
    child = Child.__table__.c
    reference = ReferenceValue.__table__.c
    today = bindparam("today", type_=Date)
    locality_label = (
        select(reference.label)
        .where(reference.kind == "locality", reference.code == child.locality)
        .scalar_subquery()
    )
    # Only the team's table shows who holds each case: "mine" needs no join for it.
    worker = User.__table__.alias("allocated_worker")
    worker_name = worker.c.name if scope == "team" else null()
    computed = {
        "locality_label": locality_label.label("locality_label"),
        "allocated_worker_name": worker_name.label("allocated_worker_name"),
    }
    stmt = select(
        # CaseloadRow's fields in its order (each row is made from its first columns), then
        # the figures.
        *(computed[name] if name in computed else child[name] for name in CaseloadRow.__slots__),
        func.count().over().label("total"),
        func.count().filter(child.next_due_on < today).over().label("overdue"),
        func.count().filter(child.allocated_worker_id.is_(None)).over().label("unallocated"),
    ).where(child.status == STATUS_OPEN)
    if scope == "team":
        stmt = stmt.outerjoin(worker, worker.c.id == child.allocated_worker_id).where(
            child.allocated_team_id.in_(bindparam("team_ids", expanding=True))
        )
    else:
        stmt = stmt.where(child.allocated_worker_id == bindparam("worker_id"))
    return stmt.order_by(
        child.next_due_on.is_(None), child.next_due_on, func.lower(child.last_name), child.id
    )


_CASELOAD_FIGURES = ("total", "overdue", "unallocated")
_caseload_statements: dict = {}


def caseload_page(user, scope: str, page: int, per_page: int):
    """One page of the caseload ('mine': allocated to this user; 'team': to their teams) as
    CaseloadRows, soonest due first, and the figures of the whole caseload:
    (rows, {"total": n, "overdue": n, "unallocated": n})."""
    scope = "team" if scope == "team" and user.team_ids else "mine"
    if scope not in _caseload_statements:
        stmt = _caseload_page_statement(scope)
        # LIMIT and OFFSET are written into the SQL rather than bound: with them as parameters
        # PostgreSQL judged its generic plan dearer and planned the query on every visit.
        _caseload_statements[scope] = (
            stmt.limit(bindparam("limit", type_=Integer, literal_execute=True)).offset(
                bindparam("offset", type_=Integer, literal_execute=True)
            ),
            # A page past the end has no rows to carry the figures: they are counted alone.
            stmt.order_by(None)
            .with_only_columns(*(c for c in stmt.selected_columns if c.name in _CASELOAD_FIGURES))
            .limit(1),
        )
    page_stmt, figures_stmt = _caseload_statements[scope]
    values = {"today": dt.date.today(), "limit": per_page, "offset": (page - 1) * per_page}
    if scope == "team":
        values["team_ids"] = sorted(user.team_ids)
    else:
        values["worker_id"] = user.id
    rows = db.session.execute(page_stmt, values).all()
    first = rows[0] if rows else db.session.execute(figures_stmt, values).first()
    figures = {name: (getattr(first, name) or 0) if first else 0 for name in _CASELOAD_FIGURES}
    width = len(CaseloadRow.__slots__)
    return [CaseloadRow(*r[:width]) for r in rows], figures
