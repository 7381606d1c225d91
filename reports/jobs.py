"""Who is making a run, and what happens when a worker dies or the broker loses a message.

- **Claiming**: a worker (or the command line) takes a run with one conditional UPDATE
  ("... WHERE status and attempts are what I read"), so a message delivered twice never has
  the run made twice at once. The run records the claimant (``worker``: host and process id).
- **Heartbeat**: while a run is being made, a thread touches its ``updated_at`` every
  ``HEARTBEAT_SECONDS`` (on top of each progress step), so that even a long step that reports
  nothing (WeasyPrint laying out the pages) shows the run is alive.
- **Sweep** (Celery beat, every minute, and whenever the same report is asked for again): a run
  "running" with no heartbeat for ``HEARTBEAT_STALE`` lost its worker (killed outright: on the
  embedded broker its message is never delivered again), and a run "queued" that no worker has
  picked up for ``QUEUED_STALE`` lost its message. Each is sent to a worker again, up to
  ``MAX_ATTEMPTS`` times, then failed for good with a reason a manager can act on. A command
  line run has no message to send again: it is marked failed.
- Every write while making a run is conditional on the run still being this attempt's, and
  the files are renamed into place in the same transaction that marks the run done.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from flask import current_app
from sqlalchemy import Engine, select, update

from core.celery_app import enqueue_after_commit
from core.extensions import db
from core.models import utcnow

from .models import QUEUED, RUNNING, ReportRun

log = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 15.0
HEARTBEAT_STALE = dt.timedelta(minutes=3)
QUEUED_STALE = dt.timedelta(minutes=5)
# Attempts a run may have (a worker that died counts as one), and times it may be sent again.
MAX_ATTEMPTS = 4
RETRY_DELAYS = (10, 60, 300)  # seconds before the 2nd, 3rd and 4th attempts after an error

GAVE_UP = (
    "The report stopped its worker {n} times without finishing. Ask your administrator to "
    "check the workers' memory and logs."
)
NEVER_PICKED_UP = (
    "No report worker picked this report up, though it was sent {n} times over {minutes} "
    "minutes. Ask your administrator to check that the report workers are running, then ask "
    "for the report again."
)
COMMAND_STOPPED = (
    "The command that was making this report stopped before it finished (it was ended, or "
    "the computer restarted). Run the command again."
)


class Superseded(Exception):
    """The run is no longer this attempt's: it was sent to another worker, or failed."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _alive_here(worker: str) -> bool | None:
    """Whether the claimant's process still exists: None when it is on another machine."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claimant_gone(run: ReportRun, now: dt.datetime | None = None) -> bool:
    """A running run whose worker has died (no heartbeat, or its process is gone)."""
    now = now or utcnow()
    return run.updated_at < now - HEARTBEAT_STALE or _alive_here(run.worker) is False


def is_stalled(run: ReportRun) -> bool:
    """A run said to be running whose worker has stopped answering (the sweep will send it
    again): shown as such rather than as a progress that no longer moves."""
    return run.status == RUNNING and claimant_gone(run)


STALLED_TEXT = (
    "Its worker stopped answering: the report will be sent to another worker within a few minutes."
)


def _changed_if(*conditions, **values) -> bool:
    """Change the run only where it is still as these conditions say (one conditional UPDATE,
    so two workers or a worker and the sweep never both act on it): whether it was changed."""
    result = db.session.execute(
        update(ReportRun)
        .where(*conditions)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def claim(run: ReportRun) -> int | None:
    """Take the run for a new attempt: its attempt number, or None if someone else did first.
    ``run`` is as read; nothing is changed unless it is still so."""
    now = utcnow()
    conditions = [
        ReportRun.id == run.id,
        ReportRun.status == run.status,
        ReportRun.attempts == run.attempts,
    ]
    if run.status == RUNNING:
        conditions.append(ReportRun.worker == run.worker)
    attempt = (run.attempts or 0) + 1
    if not _changed_if(
        *conditions,
        status=RUNNING,
        attempts=attempt,
        worker=worker_id(),
        started_at=now,
        updated_at=now,
        progress="Starting",
    ):
        db.session.rollback()
        return None
    db.session.commit()
    return attempt


def update_mine(run_id: int, attempt: int, **values) -> bool:
    """Change the run only if it is still this attempt's (not committed)."""
    return _changed_if(
        ReportRun.id == run_id, ReportRun.attempts == attempt, ReportRun.status == RUNNING, **values
    )


def report_progress(run_id: int, attempt: int, text: str) -> None:
    """Record a step of the work (it is also a heartbeat); Superseded if the run is no longer
    this attempt's, so that the attempt stops."""
    if not update_mine(run_id, attempt, progress=text[:200], updated_at=utcnow()):
        db.session.rollback()
        raise Superseded(run_id)
    db.session.commit()


def heartbeat_seconds() -> float:
    return float(current_app.config.get("REPORT_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))


class Heartbeat:
    """A thread touching the run's ``updated_at`` while an attempt is under way, on its own
    connection. (When the application's database is one shared connection, as the test suite
    makes it, a second writer could not see the run's rows: then the progress steps alone
    are the heartbeat.)"""

    def __init__(self, run_id: int, attempt: int, every: float | None = None):
        self.run_id, self.attempt = run_id, attempt
        self.every = every if every is not None else heartbeat_seconds()
        bind = db.engine
        self.engine = bind if isinstance(bind, Engine) else None
        self.lost = False
        self._stop = threading.Event()
        self._thread = None

    def beat(self) -> bool:
        """One heartbeat; False when the run is no longer this attempt's."""
        with self.engine.begin() as conn:
            result = conn.execute(
                update(ReportRun)
                .where(
                    ReportRun.id == self.run_id,
                    ReportRun.attempts == self.attempt,
                    ReportRun.status == RUNNING,
                )
                .values(updated_at=utcnow())
            )
        return result.rowcount == 1

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            try:
                if not self.beat():
                    self.lost = True
                    return
            except Exception:  # noqa: BLE001 - a missed beat is not fatal; the next may work
                log.warning("Heartbeat of report run %s failed", self.run_id, exc_info=True)

    def __enter__(self):
        if self.engine is not None and self.every > 0:
            self._thread = threading.Thread(
                target=self._loop, name=f"report-run-{self.run_id}-heartbeat", daemon=True
            )
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
        return False


# --- The sweep -----------------------------------------------------------------------------


def retry_wait(run: ReportRun) -> dt.timedelta:
    """How long a queued run waits before its next attempt after an error (Celery retry)."""
    if run.status != QUEUED or not run.error or not run.attempts:
        return dt.timedelta(0)
    return dt.timedelta(seconds=RETRY_DELAYS[min(run.attempts - 1, len(RETRY_DELAYS) - 1)])


def is_lost(run: ReportRun, now: dt.datetime) -> bool:
    if run.status == RUNNING:
        return run.updated_at < now - HEARTBEAT_STALE
    if run.status == QUEUED:
        return run.updated_at < now - QUEUED_STALE - retry_wait(run)
    return False


def _send_again(run: ReportRun, now: dt.datetime, why: str) -> bool:
    """Queue the run again and send its message once this transaction commits."""
    if not _changed_if(
        ReportRun.id == run.id,
        ReportRun.status == run.status,
        ReportRun.attempts == run.attempts,
        ReportRun.updated_at == run.updated_at,
        status=QUEUED,
        worker="",
        requeues=ReportRun.requeues + 1,
        updated_at=now,
        progress=f"Waiting for a worker: sent again, as {why}",
    ):
        return False
    task = current_app.extensions["celery"].tasks["reports.generate"]
    enqueue_after_commit(task, run.id)
    return True


def _fail(run: ReportRun, now: dt.datetime, reason: str) -> bool:
    from .services import describe

    changed = _changed_if(
        ReportRun.id == run.id,
        ReportRun.status == run.status,
        ReportRun.updated_at == run.updated_at,
        status="failed",
        error=reason[:2000],
        progress="Failed",
        finished_at=now,
        updated_at=now,
        active_key=None,
        worker="",
    )
    if changed:
        from core import audit

        audit.record("report_failed", "report_run", run.id, detail=f"{describe(run)}: {reason}")
    return changed


def rescue(run: ReportRun, now: dt.datetime | None = None) -> str | None:
    """Deal with one lost run: "sent" (queued again), "failed", or None (not lost, or
    someone else changed it meanwhile)."""
    now = now or utcnow()
    if not is_lost(run, now):
        return None
    if run.active_key is None:  # made by the command line: no message to send again
        return "failed" if _fail(run, now, COMMAND_STOPPED) else None
    if run.status == RUNNING and run.attempts >= MAX_ATTEMPTS:
        return "failed" if _fail(run, now, GAVE_UP.format(n=run.attempts)) else None
    if run.status == QUEUED and run.requeues >= MAX_ATTEMPTS:
        minutes = max(1, int((now - run.requested_at).total_seconds() // 60))
        reason = NEVER_PICKED_UP.format(n=run.requeues + 1, minutes=minutes)
        return "failed" if _fail(run, now, reason) else None
    why = "its worker stopped without finishing" if run.status == RUNNING else "none had started it"
    return "sent" if _send_again(run, now, why) else None


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Every lost run: sent again or failed (flushed, not committed). Returns the counts."""
    now = now or utcnow()
    oldest = now - min(HEARTBEAT_STALE, QUEUED_STALE)
    candidates = db.session.scalars(
        select(ReportRun)
        .where(ReportRun.status.in_((QUEUED, RUNNING)), ReportRun.updated_at < oldest)
        .order_by(ReportRun.id)
    ).all()
    counts = {"sent": 0, "failed": 0}
    for run in candidates:
        outcome = rescue(run, now)
        if outcome:
            counts[outcome] += 1
    db.session.expire_all()
    return counts
