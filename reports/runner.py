"""Carrying out a report run: used by the Celery task and the command line.

Unlike services, this commits: progress must be visible to the reports page while the job runs.
A run is taken with an atomic claim and kept alive by a heartbeat (reports.jobs). Files are
written whole to temporary names and renamed into place in the transaction that marks the run
done, only if the run is still this attempt's: a worker killed at any point never leaves a
half-written file marked done, and two deliveries of one message never make it twice at once.
Running a run again (a redelivered message) is safe: a finished run is left alone, one being
made by a live worker too, and an unfinished one whose worker died starts again from the
beginning and overwrites its own files.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from flask import current_app

from core.extensions import db

from . import exports, jobs, render, services, statement
from .jobs import MAX_ATTEMPTS, Superseded
from .models import ACTIVE_STATUSES, RUNNING, ReportRun


def build_statement(year: int, progress=None) -> tuple[dict[str, bytes], int, object]:
    """The statement for a financial year: ({"pdf", "html", "csv": bytes}, pages, data date)."""
    outputs, pages, meta = make_statement(year, progress)
    return outputs, pages, meta["data_date"]


def make_statement(year: int, progress=None) -> tuple[dict[str, bytes], int, dict]:
    """As build_statement, with what the run records: {"data_date", "draft"}."""
    context = statement.build(year, progress)
    if progress:
        progress("Writing the web page version and the CSV of figures")
    html = render.statement_html(context)
    figures = exports.statement_csv(context)
    pdf, pages = render.pdf_from_html(html, progress)
    meta = {"data_date": context["data_date"], "draft": not context["approved"]}
    return {"pdf": pdf, "html": html.encode(), "csv": figures}, pages, meta


def _statement(params: dict, progress):
    return make_statement(int(params["year"]), progress)


GENERATORS = {"statement": _statement}


def file_stem(run: ReportRun) -> str:
    if run.report_type == "statement":
        year = int(run.params["year"])
        return f"run-{run.id}-short-breaks-services-statement-{year}-{(year + 1) % 100:02d}"
    return f"run-{run.id}-{run.report_type}"


def execute(run_id: int, echo=None) -> str:
    """Carry out one attempt at a run; returns its status afterwards ("running" when a live
    worker has it already). ``echo`` also receives each progress message."""
    run = db.session.get(ReportRun, run_id)
    if run is None:
        return "missing"
    status = run.status
    if status not in ACTIVE_STATUSES:
        db.session.rollback()
        return status
    if status == RUNNING and not jobs.claimant_gone(run):
        db.session.rollback()
        return status  # a duplicate delivery while a live worker makes it: nothing to do
    if run.attempts >= MAX_ATTEMPTS:
        # Redelivered again after its worker died each time (killed for memory, say): stop
        # rather than take down workers for ever.
        services.mark_failed(run, jobs.GAVE_UP.format(n=run.attempts))
        db.session.commit()
        return run.status
    kind, params, stem = run.report_type, dict(run.params), file_stem(run)
    attempt = jobs.claim(run)
    if attempt is None:
        return _status(run_id)

    def progress(text: str) -> None:
        jobs.report_progress(run_id, attempt, text)
        if echo is not None:
            echo(text)

    try:
        with jobs.Heartbeat(run_id, attempt):
            outputs, pages, meta = GENERATORS[kind](params, progress)
            progress("Saving the files")
            _finish(run_id, attempt, stem, outputs, pages, meta)
    except Superseded:
        db.session.rollback()
        return _status(run_id)
    return _status(run_id)


def _status(run_id: int) -> str:
    db.session.expire_all()
    status = db.session.scalar(db.select(ReportRun.status).where(ReportRun.id == run_id))
    db.session.rollback()
    return status or "missing"


def _finish(run_id: int, attempt: int, stem: str, outputs: dict, pages: int, meta: dict) -> None:
    """Write the files beside their final names, then in one transaction mark the run done
    (only if it is still this attempt's) and rename them into place."""
    base = services.reports_dir(current_app)
    temps: dict[str, tuple[Path, Path]] = {}
    files = {}
    try:
        for fmt, data in outputs.items():
            name = f"{stem}.{fmt}"
            temps[fmt] = (services.write_temp(base / name, data), base / name)
            files[fmt] = {
                "name": name,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            }
        values = services.done_values(files=files, pages=pages, **meta)
        if not jobs.update_mine(run_id, attempt, **values):
            raise Superseded(run_id)
        for tmp, final in temps.values():
            os.replace(tmp, final)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    finally:
        for tmp, _final in temps.values():
            tmp.unlink(missing_ok=True)


def record_problem(run_id: int, exc: BaseException, *, final: bool) -> bool:
    """After a failed attempt: queued again with the reason, or failed for good (if the run
    is still this process's to deal with). True when there is nothing more to try."""
    db.session.rollback()
    if isinstance(exc, Superseded):
        return True
    run = db.session.get(ReportRun, run_id)
    if run is None or run.status not in ACTIVE_STATUSES:
        db.session.rollback()
        return True
    if run.status == RUNNING and run.worker and run.worker != jobs.worker_id():
        db.session.rollback()
        return True  # another worker has it now
    reason = services.readable_error(exc)
    final = final or run.attempts >= MAX_ATTEMPTS
    if final:
        services.mark_failed(run, reason)
    else:
        services.mark_retrying(run, reason, run.attempts + 1, MAX_ATTEMPTS)
    db.session.commit()
    return final
