"""Celery tasks of the reports package."""

from __future__ import annotations

import logging

from celery import shared_task
from flask import current_app

from core.extensions import db

from . import runner, services

log = logging.getLogger(__name__)

MAX_RETRIES = 3
RETRY_DELAYS = (10, 60, 300)  # seconds before the 2nd, 3rd and 4th attempts


@shared_task(
    name="reports.generate",
    bind=True,
    max_retries=MAX_RETRIES,
    acks_late=True,
    reject_on_worker_lost=True,
)
def generate(self, run_id: int) -> str:
    """Make a report run's files. A failure is retried (with a wait) up to MAX_RETRIES times;
    a worker killed mid-way has the message redelivered (acks_late + reject_on_worker_lost)."""
    try:
        return runner.execute(run_id)
    except Exception as exc:
        retries = self.request.retries or 0
        final = retries >= self.max_retries
        log.exception("Report run %s failed (attempt %s)", run_id, retries + 1)
        runner.record_problem(
            run_id, exc, final=final, next_attempt=retries + 2, attempts=self.max_retries + 1
        )
        if final:
            return "failed"
        delay = RETRY_DELAYS[min(retries, len(RETRY_DELAYS) - 1)]
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(name="reports.expire_old_files")
def expire_old_files() -> int:
    """Celery beat: remove files older than REPORT_RETENTION_DAYS; runs stay, marked expired."""
    count = services.expire_old_runs(current_app)
    db.session.commit()
    return count
