"""Rules of the reports package: which roles may run which report, report runs and their states
(with de-duplication), retention, and small-number suppression. Plain functions: they flush,
never commit (reports.runner commits a running job's progress)."""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.extensions import db
from core.models import utcnow
from core.parsing import whole_number
from core.roles import Role

from .models import ACTIVE_STATUSES, DONE, EXPIRED, FAILED, QUEUED, RUNNING, ReportRun

# The Breaks for Carers of Disabled Children Regulations 2011 came into force on 1 April 2011.
FIRST_STATEMENT_YEAR = 2011
# A queued or running run that has not moved for this long is taken to be lost (its message was
# dropped by the broker); it is marked failed so that the report can be asked for again.
STALE_AFTER = dt.timedelta(hours=2)


class ReportError(ValueError):
    """A request that cannot be met, with a message for the person who made it."""


@dataclass(frozen=True)
class ReportType:
    code: str
    label: str
    description: str
    roles: tuple[Role, ...]
    formats: tuple[str, ...]


# DESIGN.md names the commissioner / service manager (the COMMISSIONER role) as the one who
# downloads the statutory statement: only they run it, download it, and write and approve its
# text. Finance officers will run the expenditure reports (built later on the same machinery).
REPORT_TYPES: dict[str, ReportType] = {
    "statement": ReportType(
        "statement",
        "Short Breaks Services Statement",
        "The annual statement the council must publish (regulation 5), from live records, "
        "as an accessible PDF, a web page and a CSV file of its figures.",
        (Role.COMMISSIONER,),
        ("pdf", "html", "csv"),
    ),
}
NARRATIVE_ROLES = (Role.COMMISSIONER,)
# Who may mark a finished statement as published, so that retention keeps its files.
KEEP_ROLES = (Role.COMMISSIONER,)
FORMATS = {
    "pdf": ("application/pdf", "PDF"),
    "html": ("text/html", "web page"),
    "csv": ("text/csv", "CSV"),
}


def report_type(code: str) -> ReportType:
    try:
        return REPORT_TYPES[code]
    except KeyError:
        raise ReportError(f"There is no report called {code!r}") from None


def may_use(user, code: str) -> bool:
    rtype = REPORT_TYPES.get(code)
    return rtype is not None and bool(user.has_role(*rtype.roles))


def types_for(user) -> list[ReportType]:
    return [t for t in REPORT_TYPES.values() if user.has_role(*t.roles)]


# --- Financial years ---------------------------------------------------------------------------


def financial_year_of(day: dt.date) -> int:
    """The financial year (named by the year it starts, on 1 April) that a day falls in."""
    return day.year if day >= dt.date(day.year, 4, 1) else day.year - 1


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 4, 1), dt.date(year + 1, 3, 31)


def year_label(year: int) -> str:
    return f"{year} to {year + 1}"


def latest_year(today: dt.date | None = None) -> int:
    """The latest year a statement can be made for: the one in progress. A year that has not
    begun has no figures yet, and a statement of it would only repeat this year's."""
    return financial_year_of(today or dt.date.today())


def latest_text_year(today: dt.date | None = None) -> int:
    """The text of next year's statement may be written and approved before the year starts."""
    return latest_year(today) + 1


def _parse_year(raw, last: int) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ReportError("Enter the financial year, for example 2026 for April 2026 to March 2027")
    year = whole_number(text, 0, 9999)
    if year is None or len(text) != 4:
        raise ReportError("The year must be 4 digits, for example 2026")
    if year < FIRST_STATEMENT_YEAR:
        raise ReportError(f"The year must be between {FIRST_STATEMENT_YEAR} and {last}")
    if year > last:
        raise ReportError(
            f"The financial year {year_label(year)} has not started yet, so there are no "
            f"figures for it. The latest statement you can make is for {year_label(last)}"
            if last == latest_year()
            else f"The year must be between {FIRST_STATEMENT_YEAR} and {last}"
        )
    return year


def parse_year(raw) -> int:
    """A financial year for a statement, from a form or the command line, or ReportError
    saying what is wrong. Only years that have begun are accepted."""
    return _parse_year(raw, latest_year())


def parse_text_year(raw) -> int:
    """A financial year for the statement's text: up to next year."""
    return _parse_year(raw, latest_text_year())


def statement_params(year) -> dict:
    return {"year": parse_year(year)}


# --- Runs --------------------------------------------------------------------------------------


def active_key(code: str, params: dict) -> str:
    return f"{code}:{json.dumps(params, sort_keys=True, separators=(',', ':'))}"


def request_run(code: str, params: dict, user) -> tuple[ReportRun, bool]:
    """Queue a run, or return the identical one already queued or running: (run, created).

    The unique ``active_key`` makes this safe when two requests arrive at once: the second
    insert fails and the first request's run is returned instead.
    """
    report_type(code)
    key = active_key(code, params)
    existing = _active_run(key)
    if existing is not None:
        if utcnow() - existing.updated_at < STALE_AFTER:
            return existing, False
        mark_failed(existing, "The job was lost before it finished. It has been asked for again.")
        db.session.flush()
    run = ReportRun(
        report_type=code,
        params=params,
        requested_by_id=getattr(user, "id", None),
        status=QUEUED,
        progress="Waiting for a worker",
        active_key=key,
    )
    try:
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        existing = _active_run(key)
        if existing is None:
            raise
        return existing, False
    audit.record("report_requested", "report_run", run.id, detail=describe(run))
    return run, True


def command_line_run(code: str, params: dict) -> ReportRun:
    """A run made by `flask reports run ...`: recorded like any other (asked for by the
    command line, no user) so that it is listed, kept and downloadable, but never
    de-duplicated against the web's runs nor sent to a worker."""
    report_type(code)
    run = ReportRun(
        report_type=code,
        params=params,
        requested_by_id=None,
        status=QUEUED,
        progress="Made by the command line",
        active_key=None,
    )
    db.session.add(run)
    db.session.flush()
    audit.record(
        "report_requested", "report_run", run.id, detail=f"{describe(run)} by the command line"
    )
    return run


def _active_run(key: str) -> ReportRun | None:
    return db.session.scalar(select(ReportRun).where(ReportRun.active_key == key))


def describe(run: ReportRun) -> str:
    rtype = REPORT_TYPES.get(run.report_type)
    label = rtype.label if rtype else run.report_type
    return f"{label} ({params_text(run)})"


def params_text(run: ReportRun) -> str:
    params = run.params or {}
    if "year" in params:
        return year_label(int(params["year"]))
    return ", ".join(f"{k} {v}" for k, v in sorted(params.items())) or "no parameters"


def runs_query(user):
    """The runs of the report types this user may use, newest first (for core.pagination)."""
    codes = [t.code for t in types_for(user)] or ["-"]
    return (
        select(ReportRun)
        .where(ReportRun.report_type.in_(codes))
        .order_by(ReportRun.requested_at.desc(), ReportRun.id.desc())
    )


def runs_by_id(user, ids: set[int]) -> list[ReportRun]:
    """Those of these runs the user may see (for the page's status updates)."""
    if not ids:
        return []
    return list(db.session.scalars(runs_query(user).where(ReportRun.id.in_(ids))))


def get_run(run_id: int) -> ReportRun | None:
    return db.session.get(ReportRun, run_id)


def start(run: ReportRun) -> bool:
    """Mark a run as running for a new attempt; False if it has nothing left to do."""
    if run.status not in ACTIVE_STATUSES:
        return False
    run.status = RUNNING
    run.attempts = (run.attempts or 0) + 1
    run.started_at = utcnow()
    run.updated_at = run.started_at
    run.progress = "Starting"
    return True


def set_progress(run: ReportRun, text: str) -> None:
    run.progress = text[:200]
    run.updated_at = utcnow()


def mark_done(run: ReportRun, *, files: dict, data_date: dt.datetime, pages: int) -> None:
    """Record the finished files. Called only once they are complete on disk."""
    pdf = files["pdf"]
    run.file_path, run.sha256, run.file_size = pdf["name"], pdf["sha256"], pdf["bytes"]
    if "html" in files:
        run.html_path, run.html_sha256 = files["html"]["name"], files["html"]["sha256"]
    if "csv" in files:
        run.csv_path, run.csv_sha256 = files["csv"]["name"], files["csv"]["sha256"]
    run.pages = pages
    run.data_date = data_date
    run.status = DONE
    run.error = ""
    run.progress = f"Finished: {pages} page{'s' if pages != 1 else ''}"
    run.finished_at = run.updated_at = utcnow()
    run.active_key = None


def mark_retrying(run: ReportRun, reason: str, next_attempt: int, attempts: int) -> None:
    run.status = QUEUED
    run.error = reason[:2000]
    run.progress = f"Trying again (attempt {next_attempt} of {attempts}) after a problem"
    run.updated_at = utcnow()


def mark_failed(run: ReportRun, reason: str) -> None:
    run.status = FAILED
    run.error = reason[:2000]
    run.progress = "Failed"
    run.finished_at = run.updated_at = utcnow()
    run.active_key = None


def readable_error(exc: BaseException) -> str:
    """A reason a manager can act on, not a traceback."""
    if isinstance(exc, ReportError):
        return str(exc)
    if isinstance(exc, OSError):
        return (
            "The report file could not be saved "
            f"({exc.strerror or type(exc).__name__}). Ask your administrator to check the "
            "reports folder has space and can be written to."
        )
    name = type(exc).__name__
    if "OperationalError" in name or "DatabaseError" in name:
        return "The database could not be read while the report was being made."
    return f"An unexpected error stopped the report ({name}: {str(exc)[:200]})."


def reports_dir(app) -> Path:
    path = Path(app.config["REPORTS_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def stored_name(run: ReportRun, fmt: str) -> str:
    return {"pdf": run.file_path, "html": run.html_path, "csv": run.csv_path}.get(fmt) or ""


def stored_sha256(run: ReportRun, fmt: str) -> str:
    return {"pdf": run.sha256, "html": run.html_sha256, "csv": run.csv_sha256}.get(fmt) or ""


def file_for(app, run: ReportRun, fmt: str) -> Path | None:
    """The stored file of a finished run in a format, inside the reports folder, if it exists."""
    name = stored_name(run, fmt)
    if not name or run.status != DONE:
        return None
    base = reports_dir(app).resolve()
    path = (base / name).resolve()
    if base not in path.parents or not path.is_file():
        return None
    return path


def record_download(run: ReportRun, fmt: str) -> None:
    audit.record(
        "report_download",
        "report_run",
        run.id,
        detail=f"{describe(run)} {fmt} sha256={stored_sha256(run, fmt)}",
    )


# --- Published statements: kept whatever the retention ------------------------------------------


def keep(run: ReportRun, user) -> None:
    """Mark a finished run "Published — keep": retention never removes its files."""
    if run.status != DONE:
        raise ReportError("Only a finished report with its files can be kept")
    if run.kept_at is not None:
        raise ReportError("This report is already marked as published and kept")
    run.kept_at = utcnow()
    run.kept_by_id = user.id
    db.session.flush()
    audit.record("report_kept", "report_run", run.id, detail=f"{describe(run)}: published, keep")


def release(run: ReportRun, user) -> None:
    """Undo keep(): the files are removed by retention like any other's."""
    if run.kept_at is None:
        raise ReportError("This report is not marked as published")
    run.kept_at = None
    run.kept_by_id = None
    db.session.flush()
    audit.record(
        "report_released",
        "report_run",
        run.id,
        detail=f"{describe(run)}: no longer kept; retention applies",
    )


# --- Retention ---------------------------------------------------------------------------------


def expire_old_runs(app, now: dt.datetime | None = None) -> int:
    """Delete the files of runs older than the retention, except those marked published; the
    runs stay, marked expired. Also fails runs lost by the broker and removes half-written files left by killed workers."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=app.config["REPORT_RETENTION_DAYS"])
    base = reports_dir(app)
    old = db.session.scalars(
        select(ReportRun).where(
            ReportRun.status == DONE,
            ReportRun.finished_at < cutoff,
            ReportRun.kept_at.is_(None),  # published: kept whatever its age
        )
    ).all()
    for run in old:
        for name in (run.file_path, run.html_path, run.csv_path):
            if name:
                (base / name).unlink(missing_ok=True)
        run.status = EXPIRED
        run.expired_at = now
        run.progress = "File removed after the retention period"
        audit.record("report_expired", "report_run", run.id, detail=describe(run))
    lost = db.session.scalars(
        select(ReportRun).where(
            or_(ReportRun.status == QUEUED, ReportRun.status == RUNNING),
            ReportRun.updated_at < now - STALE_AFTER,
        )
    ).all()
    for run in lost:
        mark_failed(run, "The job stopped without finishing. Ask for the report again.")
    day_ago = now.timestamp() - 24 * 3600
    for tmp in base.glob(".*.tmp"):
        try:
            if tmp.stat().st_mtime < day_ago:
                tmp.unlink()
        except FileNotFoundError:
            pass
    db.session.flush()
    return len(old)


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


# --- Small-number suppression -----------------------------------------------------------------

SMALL_TEXT = "fewer than 6"
HIDDEN_TEXT = "not shown"
SMALL_MAX = 5


@dataclass(frozen=True)
class Cell:
    """A published count: ``value`` is None when it is not shown; ``text`` is what is printed."""

    value: int | None
    text: str

    @property
    def suppressed(self) -> bool:
        return self.value is None


def _shown(n: int) -> Cell:
    return Cell(n, f"{n:,}")


def suppress_count(n: int) -> Cell:
    """One count on its own: 1 to 5 becomes "fewer than 6"; 0 and 6 or more are shown."""
    return Cell(None, SMALL_TEXT) if 1 <= n <= SMALL_MAX else _shown(n)


def _line_is_safe(values: list[int], hidden: set[int], primary: set[int]) -> bool:
    """With the total known, can no hidden cell of this line be worked out?"""
    if not hidden:
        return True
    if len(hidden) == 1:
        return False
    if hidden <= primary:
        # All from 1 to 5: their sum gives them away only at the extremes (1+1, 5+5, ...).
        total = sum(values[i] for i in hidden)
        return len(hidden) < total < SMALL_MAX * len(hidden)
    return True


def suppress_table(
    columns: dict[str, dict[str, int]],
    totals: dict[str, int] | None = None,
    hide_totals: set[str] | frozenset[str] = frozenset(),
) -> tuple[dict[str, dict[str, Cell]], dict[str, Cell]]:
    """Suppress small numbers in a table whose columns each add up to a published total.

    Counts from 1 to 5 are not shown (primary suppression). Where a column's total would let a
    hidden count be worked out (one hidden cell, or hidden cells whose sum pins them down), the
    next smallest count is hidden too (secondary suppression), or the total when no count is
    left to hide. In a table that needed secondary suppression every hidden cell reads
    "not shown", so a reader cannot tell which one was the small number; otherwise each reads
    "fewer than 6". ``totals`` defaults to the sum of each column.

    ``hide_totals``: columns whose total must not be shown nor be derivable, because another
    table of the same population had to hide it (see ``suppress_population``); at least one
    count of such a column is hidden so its shown counts do not add up to the total.
    Returns (cells, totals).
    """
    totals = dict(totals or {c: sum(v.values()) for c, v in columns.items()})
    out: dict[str, dict[str, Cell]] = {}
    out_totals: dict[str, Cell] = {}
    secondary = False
    decided: dict[str, tuple[list[str], list[int], set[int], bool]] = {}
    for col, counts in columns.items():
        keys = list(counts)
        values = [int(counts[k]) for k in keys]
        total = int(totals[col])
        primary = {i for i, v in enumerate(values) if 1 <= v <= SMALL_MAX}
        hidden = set(primary)
        total_hidden = 1 <= total <= SMALL_MAX
        if not total_hidden and col not in hide_totals:
            while not _line_is_safe(values, hidden, primary):
                spare = [i for i, v in enumerate(values) if v > 0 and i not in hidden]
                if not spare:
                    total_hidden = True
                    break
                hidden.add(min(spare, key=lambda i: (values[i], i)))
        elif col in hide_totals and total > 0:
            total_hidden = True
            spare = [i for i, v in enumerate(values) if v > 0 and i not in hidden]
            if not hidden and spare:
                hidden.add(min(spare, key=lambda i: (values[i], i)))
        if hidden - primary or (total_hidden and total > SMALL_MAX):
            secondary = True
        decided[col] = (keys, values, hidden, total_hidden)
    text = HIDDEN_TEXT if secondary else SMALL_TEXT
    for col, (keys, values, hidden, total_hidden) in decided.items():
        out[col] = {
            k: (Cell(None, text) if i in hidden else _shown(values[i])) for i, k in enumerate(keys)
        }
        total = int(totals[col])
        if total_hidden:
            out_totals[col] = Cell(None, SMALL_TEXT if total <= SMALL_MAX else HIDDEN_TEXT)
        else:
            out_totals[col] = _shown(total)
    return out, out_totals


def suppress_population(
    tables: dict[str, dict[str, dict[str, int]]], totals: dict[str, int]
) -> tuple[dict[str, dict[str, dict[str, Cell]]], dict[str, Cell]]:
    """Several tables of one population (by age, by locality, ...), each column adding up to
    the same total: suppressed together, so that one table cannot give away what another
    hides. When any table must hide a column's total, every table hides it, and hides enough
    of its counts that their sum does not reveal it. Returns ({table: cells}, totals)."""
    hide: set[str] = set()
    for columns in tables.values():
        _cells, column_totals = suppress_table(columns, totals)
        hide |= {c for c, cell in column_totals.items() if cell.suppressed and totals[c] > 0}
    out = {}
    out_totals: dict[str, Cell] = {}
    for name, columns in tables.items():
        out[name], out_totals = suppress_table(columns, totals, hide)
    return out, out_totals


__all__ = ["DONE", "EXPIRED", "FAILED", "QUEUED", "RUNNING"]
