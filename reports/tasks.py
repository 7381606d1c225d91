"""Celery tasks of the reports package."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from core.extensions import db

from . import jobs, runner, services

log = logging.getLogger(__name__)

MAX_RETRIES = jobs.MAX_ATTEMPTS - 1
RETRY_DELAYS = jobs.RETRY_DELAYS  # seconds before the 2nd, 3rd and 4th attempts


@shared_task(
    name="reports.generate",
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def generate(self, run_id: int) -> str:
    """Make a report run's files. A failure is retried (with a wait) until the run has had
    jobs.MAX_ATTEMPTS attempts; a worker killed mid-way has the message redelivered
    (acks_late + reject_on_worker_lost), and one killed outright, whose message the embedded
    broker never delivers again, is found by the sweep below and sent again."""
    try:
        return runner.execute(run_id)
    except Exception as exc:
        retries = self.request.retries or 0
        log.exception("Report run %s failed (attempt %s)", run_id, retries + 1)
        final = runner.record_problem(run_id, exc, final=retries >= self.max_retries)
        if final:
            return "failed"
        delay = RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(name="reports.sweep_runs")
def sweep_runs() -> dict:
    """Celery beat, every minute: runs whose worker died or whose message was lost are sent to
    a worker again (or failed for good after jobs.MAX_ATTEMPTS); see reports.jobs."""
    counts = jobs.sweep()
    db.session.commit()
    return counts


@shared_task(name="reports.expire_old_files")
def expire_old_files() -> int:
    """Celery beat: remove files older than REPORT_RETENTION_DAYS; runs stay, marked expired."""
    count = services.expire_old_runs(current_app)
    db.session.commit()
    return count
