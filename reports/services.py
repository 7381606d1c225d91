"""Rules of the reports package: which roles may run which report, report runs and their states
(with de-duplication), publishing and retention; small-number suppression is in
reports.suppression (its names are here too). Plain functions: they flush, never commit
(reports.runner commits a running job's progress; reports.jobs rescues lost runs)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core import audit
from core.extensions import db
from core.models import utcnow
from core.parsing import whole_number
from core.roles import Role

from .models import DONE, EXPIRED, FAILED, QUEUED, RUNNING, ReportRun
from .suppression import (  # noqa: F401 - the package's suppression, named here too
    HIDDEN_TEXT,
    SMALL_MAX,
    SMALL_TEXT,
    Cell,
    suppress_count,
    suppress_population,
    suppress_table,
)

# The Breaks for Carers of Disabled Children Regulations 2011 came into force on 1 April 2011:
# the earliest year for the statement's text. A statement's figures need records of the year
# (reports.coverage.first_year).
FIRST_STATEMENT_YEAR = 2011


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


def _parse_year(raw, first: int, last: int) -> int:
    text = str(raw if raw is not None else "").strip()
    if not text:
        raise ReportError("Enter the financial year, for example 2026 for April 2026 to March 2027")
    year = whole_number(text, 0, 9999)
    if year is None or len(text) != 4:
        raise ReportError("The year must be 4 digits, for example 2026")
    if year < first:
        raise ReportError(f"The year must be between {first} and {last}")
    if year > last:
        raise ReportError(
            f"The financial year {year_label(year)} has not started yet, so there are no "
            f"figures for it. The latest statement you can make is for {year_label(last)}"
            if last == latest_year()
            else f"The year must be between {first} and {last}"
        )
    return year


def first_statement_year() -> int:
    """The earliest year a statement can be made for: the first with records."""
    from .coverage import first_year

    return first_year(latest_year())


def statement_years() -> list[int]:
    """The years a statement can be made for, latest first."""
    return list(range(latest_year(), first_statement_year() - 1, -1))


def parse_year(raw) -> int:
    """A financial year for a statement, from a form or the command line, or ReportError
    saying what is wrong. Only years that have begun, and from the first with records, are
    accepted."""
    first, last = first_statement_year(), latest_year()
    year = _parse_year(raw, 1, last)
    if year < first:
        from .coverage import configured_first_year, records_begin

        begin = None if configured_first_year() is not None else records_begin()
        if begin is not None:
            since = f"records in this system begin on {begin.day} {begin:%B %Y}"
        elif configured_first_year() is not None:
            since = f"statements are made from {year_label(first)}"
        else:
            since = "no records of children are held in this system yet"
        raise ReportError(
            f"There are no figures for {year_label(year)}: {since}. The earliest statement "
            f"you can make is for {year_label(first)}"
        )
    return year


def parse_text_year(raw) -> int:
    """A financial year for the statement's text: up to next year."""
    return _parse_year(raw, FIRST_STATEMENT_YEAR, latest_text_year())


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
    from . import jobs

    report_type(code)
    key = active_key(code, params)
    existing = _active_run(key)
    if existing is not None:
        # A run whose worker died or whose message was lost is sent again (or, after too many
        # tries, failed: then this request makes a new one).
        if jobs.rescue(existing) != "failed":
            db.session.refresh(existing)
            return existing, False
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


def done_values(
    *, files: dict, data_date: dt.datetime, pages: int, draft: bool | None = None
) -> dict:
    """The columns of a finished run (written by reports.runner once its files are whole)."""
    pdf = files["pdf"]
    now = utcnow()
    values = {
        "file_path": pdf["name"],
        "sha256": pdf["sha256"],
        "file_size": pdf["bytes"],
        "pages": pages,
        "data_date": data_date,
        "draft": draft,
        "status": DONE,
        "error": "",
        "progress": f"Finished: {pages} page{'s' if pages != 1 else ''}",
        "finished_at": now,
        "updated_at": now,
        "active_key": None,
        "worker": "",
    }
    if "html" in files:
        values["html_path"], values["html_sha256"] = files["html"]["name"], files["html"]["sha256"]
    if "csv" in files:
        values["csv_path"], values["csv_sha256"] = files["csv"]["name"], files["csv"]["sha256"]
    return values


def mark_retrying(run: ReportRun, reason: str, next_attempt: int, attempts: int) -> None:
    run.status = QUEUED
    run.error = reason[:2000]
    run.progress = f"Trying again (attempt {next_attempt} of {attempts}) after a problem"
    run.updated_at = utcnow()
    run.worker = ""


def mark_failed(run: ReportRun, reason: str) -> None:
    run.status = FAILED
    run.error = reason[:2000]
    run.progress = "Failed"
    run.finished_at = run.updated_at = utcnow()
    run.active_key = None
    run.worker = ""


def note_copy_failed(run: ReportRun, target: str, exc: OSError) -> None:
    """A command line run whose files were made and stored, but could not be copied to where
    the command asked: the run stays done (its files are whole) and says so."""
    reason = exc.strerror or type(exc).__name__
    run.error = (
        f"Made and stored here, but the command could not copy it to {target} ({reason}). "
        "Download it from this page instead."
    )[:2000]
    run.progress = f"Finished, but not copied to {target}"[:200]
    run.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "report_copy_failed", "report_run", run.id, detail=f"{describe(run)} to {target}: {reason}"
    )


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


MISSING, CHANGED = "missing", "changed"


def checked_file(app, run: ReportRun, fmt: str) -> tuple[Path | None, str | None]:
    """(the file to give out, why it cannot be). A finished run's stored file is given out
    only if it is the one the run made; otherwise the reason is MISSING (removed or moved
    outside this system) or CHANGED (its SHA-256 is no longer the one recorded when it was
    made). A run with no such file (not finished, or not in that format) gives (None, None)."""
    name = stored_name(run, fmt)
    if not name or run.status != DONE:
        return None, None
    path = file_for(app, run, fmt)
    if path is None:
        problem = MISSING
    else:
        with path.open("rb") as f:
            if hashlib.file_digest(f, "sha256").hexdigest() == stored_sha256(run, fmt):
                return path, None
        problem = CHANGED
    logging.getLogger(__name__).warning(
        "report run %s: %s file %s is %s", run.id, fmt, name, problem
    )
    return None, problem


def missing_files(app, run: ReportRun) -> list[str]:
    """The formats of a finished run whose files are no longer in the reports folder."""
    if run.status != DONE:
        return []
    return [f for f in FORMATS if stored_name(run, f) and file_for(app, run, f) is None]


def record_download(run: ReportRun, fmt: str) -> None:
    audit.record(
        "report_download",
        "report_run",
        run.id,
        detail=f"{describe(run)} {fmt} sha256={stored_sha256(run, fmt)}",
    )


# --- Published statements: kept whatever the retention ------------------------------------------

DRAFT_NOT_KEPT = (
    "This statement is a draft: some sections of its text had not been approved when it was "
    "made, so it cannot be marked as published. Approve every section, make the statement "
    "again and mark that one."
)


def keep(run: ReportRun, user) -> None:
    """Mark a finished run "Published — keep": retention never removes its files."""
    if run.status != DONE:
        raise ReportError("Only a finished report with its files can be kept")
    if run.draft:
        raise ReportError(DRAFT_NOT_KEPT)
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
    runs stay, marked expired. Also removes half-written files left by killed workers (lost
    runs are dealt with every minute by reports.jobs.sweep)."""
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
    day_ago = now.timestamp() - 24 * 3600
    for tmp in base.glob(".*.tmp"):
        try:
            if tmp.stat().st_mtime < day_ago:
                tmp.unlink()
        except FileNotFoundError:
            pass
    db.session.flush()
    return len(old)


def write_temp(path: Path, data: bytes) -> Path:
    """Write the data whole to a temporary file beside ``path`` (renamed into place later)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return tmp


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, then a rename."""
    tmp = write_temp(path, data)
    try:
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


__all__ = ["DONE", "EXPIRED", "FAILED", "QUEUED", "RUNNING", "Cell", "HIDDEN_TEXT", "SMALL_MAX"]
