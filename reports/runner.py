"""Carrying out a report run: used by the Celery task and the command line.

Unlike services, this commits: progress must be visible to the reports page while the job runs.
Files are written whole to a temporary name and renamed into place, and the run is marked done
only after that, so a worker killed at any point never leaves a half-written file marked done.
Running a run again (a redelivered message) is safe: a finished run is left alone, an
unfinished one starts again from the beginning and overwrites its own files.
"""

from __future__ import annotations

import hashlib

from flask import current_app

from core.extensions import db

from . import exports, render, services, statement
from .models import ReportRun


def build_statement(year: int, progress=None) -> tuple[dict[str, bytes], int, object]:
    """The statement for a financial year: ({"pdf", "html", "csv": bytes}, pages, data date)."""
    context = statement.build(year, progress)
    if progress:
        progress("Writing the web page version and the CSV of figures")
    html = render.statement_html(context)
    figures = exports.statement_csv(context)
    pdf, pages = render.pdf_from_html(html, progress)
    return {"pdf": pdf, "html": html.encode(), "csv": figures}, pages, context["data_date"]


def _statement(params: dict, progress):
    return build_statement(int(params["year"]), progress)


GENERATORS = {"statement": _statement}
# Attempts a run may have when its worker dies each time (failures are counted by the task).
MAX_ATTEMPTS = 4


def file_stem(run: ReportRun) -> str:
    if run.report_type == "statement":
        year = int(run.params["year"])
        return f"run-{run.id}-short-breaks-services-statement-{year}-{(year + 1) % 100:02d}"
    return f"run-{run.id}-{run.report_type}"


def execute(run_id: int, echo=None) -> str:
    """Carry out one attempt at a run; returns its status afterwards. ``echo`` also receives
    each progress message (the command line prints them)."""
    run = db.session.get(ReportRun, run_id)
    if run is None:
        return "missing"
    if run.status == "running" and run.attempts >= MAX_ATTEMPTS:
        # Redelivered again after its worker died each time (killed for memory, say): stop
        # rather than take down workers for ever.
        services.mark_failed(
            run,
            f"The report stopped its worker {run.attempts} times without finishing. "
            "Ask your administrator to check the workers' memory and logs.",
        )
        db.session.commit()
        return run.status
    if not services.start(run):
        return run.status
    db.session.commit()

    def progress(text: str) -> None:
        services.set_progress(run, text)
        db.session.commit()
        if echo is not None:
            echo(text)

    outputs, pages, data_date = GENERATORS[run.report_type](dict(run.params), progress)
    progress("Saving the files")
    base = services.reports_dir(current_app)
    files = {}
    for fmt, data in outputs.items():
        name = f"{file_stem(run)}.{fmt}"
        services.write_atomic(base / name, data)
        files[fmt] = {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
    services.mark_done(run, files=files, data_date=data_date, pages=pages)
    db.session.commit()
    return run.status


def record_problem(
    run_id: int, exc: BaseException, *, final: bool, next_attempt: int, attempts: int
) -> None:
    """After a failed attempt: queued again with the reason, or failed for good."""
    db.session.rollback()
    run = db.session.get(ReportRun, run_id)
    if run is None or run.status not in ("queued", "running"):
        return
    reason = services.readable_error(exc)
    if final:
        services.mark_failed(run, reason)
    else:
        services.mark_retrying(run, reason, next_attempt, attempts)
    db.session.commit()
