"""Report runs: states, de-duplication, retries, idempotence, atomic files and retention."""

import datetime as dt
import hashlib
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from reports import jobs, runner, services
from reports.models import ReportRun


def _task(app, name="reports.generate"):
    # The task as registered on this app's Celery (eager: runs here, retries included).
    return app.extensions["celery"].tasks[name]


@pytest.fixture
def commissioner(make_user):
    return make_user(Role.COMMISSIONER)


def _request(app, user, year=2026):
    with app.test_request_context():
        run, created = services.request_run("statement", {"year": year}, user)
        db.session.commit()
        return run.id, created


def _run(app, run_id) -> ReportRun:
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        db.session.expunge(run)
        return run


def test_identical_requests_while_one_is_queued_make_one_run(app, commissioner):
    first, created = _request(app, commissioner)
    again, created_again = _request(app, commissioner)
    other_year, created_other = _request(app, commissioner, 2025)
    assert created and not created_again and created_other
    assert again == first and other_year != first
    run = _run(app, first)
    assert run.status == "queued" and run.progress == "Waiting for a worker"
    with app.app_context():
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == str(first))
        ).all()
    assert actions.count("report_requested") == 1


def test_a_finished_run_does_not_block_a_new_request(app, commissioner):
    first, _ = _request(app, commissioner)
    _task(app).apply(args=[first])
    assert _run(app, first).status == "done"
    second, created = _request(app, commissioner)
    assert created and second != first


def test_a_run_is_made_once_with_its_files_hash_and_data_date(app, commissioner):
    run_id, _ = _request(app, commissioner)
    result = _task(app).apply(args=[run_id])
    assert result.get() == "done"
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 1 and run.active_key is None
    base = Path(app.config["REPORTS_DIR"])
    pdf = (base / run.file_path).read_bytes()
    assert pdf.startswith(b"%PDF") and hashlib.sha256(pdf).hexdigest() == run.sha256
    html = (base / run.html_path).read_bytes()
    assert hashlib.sha256(html).hexdigest() == run.html_sha256
    assert run.data_date is not None and run.pages >= 5
    assert run.progress.startswith("Finished")
    # A redelivered message for a finished run changes nothing.
    assert _task(app).apply(args=[run_id]).get() == "done"
    assert _run(app, run_id).attempts == 1
    assert not list(base.glob(".*.tmp"))


def test_progress_names_the_real_steps_and_the_pages_as_they_are_written(
    app, commissioner, monkeypatch, records
):
    with app.app_context():
        records.child(dt.date(2015, 1, 1), since=dt.date(2025, 5, 1))
        db.session.commit()
    seen = []
    real = jobs.report_progress

    def record(run_id, attempt, text):
        seen.append(text)
        real(run_id, attempt, text)

    monkeypatch.setattr(jobs, "report_progress", record)
    run_id, _ = _request(app, commissioner)
    _task(app).apply(args=[run_id])
    pages = _run(app, run_id).pages
    steps = [
        "Laying out the pages",
        f"Writing the PDF: {pages} pages",
        f"Writing the PDF: page 1 of {pages}",
        "Writing the PDF: tagging its tables for assistive technology",
        "Saving the files",
    ]
    assert [seen.index(s) for s in steps] == sorted(seen.index(s) for s in steps), seen
    assert "Counting children: register, 2026 to 2027" in seen


def _dead_worker() -> str:
    """The claimant of a run whose worker process was killed: this machine, a process gone."""
    import socket

    process = subprocess.Popen(["true"])
    process.wait()
    return f"{socket.gethostname()}:{process.pid}"


def _as_if_running(app, run_id, *, worker, attempts=1, idle=dt.timedelta(0), **values):
    """As if a worker began the run (and maybe died), its last heartbeat ``idle`` ago."""
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        run.status, run.attempts, run.worker = "running", attempts, worker
        run.updated_at = run.started_at = services.utcnow() - idle
        for name, value in values.items():
            setattr(run, name, value)
        db.session.commit()


def test_a_run_left_running_by_a_dead_worker_is_made_again(app, commissioner):
    run_id, _ = _request(app, commissioner)
    _as_if_running(app, run_id, worker=_dead_worker())  # its message was delivered again
    assert _task(app).apply(args=[run_id]).get() == "done"
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 2 and run.worker == ""


def test_a_message_delivered_again_while_a_live_worker_makes_the_run_does_nothing(
    app, commissioner
):
    run_id, _ = _request(app, commissioner)
    # Another live worker (this very process stands in for it) began it a moment ago.
    _as_if_running(app, run_id, worker=jobs.worker_id())
    assert _task(app).apply(args=[run_id]).get() == "running"
    run = _run(app, run_id)
    assert run.status == "running" and run.attempts == 1 and run.file_path == ""
    # On another machine, known only by its heartbeat: the same while it beats.
    _as_if_running(app, run_id, worker="another-host:123")
    assert _task(app).apply(args=[run_id]).get() == "running"
    # Silent for longer than HEARTBEAT_STALE: its worker is taken to be dead.
    _as_if_running(app, run_id, worker="another-host:123", idle=jobs.HEARTBEAT_STALE * 2)
    assert _task(app).apply(args=[run_id]).get() == "done"
    assert _run(app, run_id).attempts == 2


def test_only_one_of_two_deliveries_claims_a_queued_run(app, commissioner):
    run_id, _ = _request(app, commissioner)
    with app.app_context():
        first = db.session.get(ReportRun, run_id)
        db.session.expunge(first)  # both read it queued, with no attempt yet
        second = db.session.get(ReportRun, run_id)
        db.session.expunge(second)
        assert jobs.claim(first) == 1
        assert jobs.claim(second) is None
    run = _run(app, run_id)
    assert run.status == "running" and run.attempts == 1 and run.worker == jobs.worker_id()


def test_an_attempt_whose_run_was_given_to_another_worker_stops_and_writes_nothing(
    app, commissioner, monkeypatch
):
    real = runner.GENERATORS["statement"]
    run_id, _ = _request(app, commissioner)
    for old in Path(app.config["REPORTS_DIR"]).glob(f"run-{run_id}-*"):
        old.unlink()  # another test's run of the same id

    def overtaken(params, progress):
        # Meanwhile the sweep took this attempt for dead and another worker claimed the run.
        with app.app_context():
            run = db.session.get(ReportRun, run_id)
            run.attempts, run.worker = 2, "another-host:9"
            db.session.commit()
        return real(params, progress)

    monkeypatch.setitem(runner.GENERATORS, "statement", overtaken)
    assert _task(app).apply(args=[run_id]).get() == "running"
    run = _run(app, run_id)
    assert run.status == "running" and run.attempts == 2 and run.file_path == ""
    assert not list(Path(app.config["REPORTS_DIR"]).glob(f"run-{run_id}-*"))


def test_a_run_that_kills_its_worker_every_time_is_given_up_after_four_attempts(app, commissioner):
    run_id, _ = _request(app, commissioner)
    # Each attempt's worker died mid-way.
    _as_if_running(app, run_id, worker=_dead_worker(), attempts=jobs.MAX_ATTEMPTS)
    assert _task(app).apply(args=[run_id]).get() == "failed"
    run = _run(app, run_id)
    assert run.status == "failed" and "stopped its worker 4 times" in run.error
    assert run.active_key is None and run.file_path == ""


def test_a_failed_attempt_is_retried_and_its_reason_kept_until_it_succeeds(
    app, commissioner, monkeypatch
):
    calls = []
    real = runner.GENERATORS["statement"]

    def flaky(params, progress):
        calls.append(1)
        if len(calls) == 1:
            raise OSError(28, "No space left on device")
        return real(params, progress)

    monkeypatch.setitem(runner.GENERATORS, "statement", flaky)
    run_id, _ = _request(app, commissioner)
    _task(app).apply(args=[run_id])
    run = _run(app, run_id)
    assert run.status == "done" and run.attempts == 2 and run.error == ""


def test_a_run_failing_every_time_ends_failed_with_a_readable_reason(
    app, commissioner, monkeypatch
):
    def broken(params, progress):
        progress("Collecting figures")
        raise OSError(13, "Permission denied")

    monkeypatch.setitem(runner.GENERATORS, "statement", broken)
    run_id, _ = _request(app, commissioner)
    assert _task(app).apply(args=[run_id]).get() == "failed"
    run = _run(app, run_id)
    assert run.status == "failed" and run.attempts == 4
    assert "could not be saved" in run.error and "Permission denied" in run.error
    assert run.file_path == "" and run.active_key is None
    # A failed run no longer blocks asking again.
    assert _request(app, commissioner)[1]


def test_a_file_that_fails_half_way_is_never_left_or_marked_done(app, commissioner, monkeypatch):
    import reports.services as svc

    real_replace = svc.os.replace
    attempts = []

    def crash_once(src, dst):
        attempts.append(dst)
        if len(attempts) == 1:
            raise OSError(5, "Input/output error")
        return real_replace(src, dst)

    monkeypatch.setattr(svc.os, "replace", crash_once)
    run_id, _ = _request(app, commissioner)
    base = Path(app.config["REPORTS_DIR"])
    (base / f"{runner.file_stem(_run(app, run_id))}.pdf").unlink(missing_ok=True)
    with app.app_context():
        with pytest.raises(OSError):
            runner.execute(run_id)
        runner.record_problem(run_id, OSError(5, "Input/output error"), final=False)
    run = _run(app, run_id)
    assert run.status == "queued" and run.sha256 == ""
    assert not (base / f"{runner.file_stem(run)}.pdf").exists()
    assert not list(base.glob(".*.tmp"))
    assert "Trying again (attempt 2 of 4)" in run.progress
    assert _task(app).apply(args=[run_id]).get() == "done"


def test_files_past_retention_are_removed_and_the_run_listed_as_expired(
    app, commissioner, browser_as
):
    old_id, _ = _request(app, commissioner, 2025)
    new_id, _ = _request(app, commissioner, 2026)
    _task(app).apply(args=[old_id])
    _task(app).apply(args=[new_id])
    base = Path(app.config["REPORTS_DIR"])
    old = _run(app, old_id)
    with app.app_context():
        run = db.session.get(ReportRun, old_id)
        run.finished_at -= dt.timedelta(days=app.config["REPORT_RETENTION_DAYS"] + 1)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 1
    expired, kept = _run(app, old_id), _run(app, new_id)
    assert expired.status == "expired" and expired.expired_at is not None
    assert not (base / old.file_path).exists() and not (base / old.html_path).exists()
    assert not (base / old.csv_path).exists()
    assert kept.status == "done" and (base / kept.file_path).exists()
    page = browser_as(user=commissioner).get("/reports/").get_data(as_text=True)
    assert f'id="run-{old_id}"' in page and "Expired" in page


def test_a_statement_marked_published_is_kept_whatever_its_age(
    app, commissioner, browser_as, approved_text
):
    approved_text(2024)
    run_id, _ = _request(app, commissioner, 2024)
    _task(app).apply(args=[run_id])
    with app.test_request_context():
        run = db.session.get(ReportRun, run_id)
        services.keep(run, commissioner)
        run.finished_at -= dt.timedelta(days=app.config["REPORT_RETENTION_DAYS"] * 3)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 0
    kept = _run(app, run_id)
    base = Path(app.config["REPORTS_DIR"])
    assert kept.status == "done" and (base / kept.file_path).exists()
    assert (base / kept.csv_path).exists()
    with app.test_request_context():
        services.release(db.session.get(ReportRun, run_id), commissioner)
        db.session.commit()
    assert _task(app, "reports.expire_old_files").apply().get() == 1
    expired = _run(app, run_id)
    assert expired.status == "expired" and not (base / kept.csv_path).exists()


def test_retention_is_scheduled_with_celery_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["reports-expire-old-files"]
    assert entry["task"] == "reports.expire_old_files"
    assert "reports.expire_old_files" in app.extensions["celery"].tasks


def _sent(monkeypatch):
    """The runs the sweep sends to a worker again (the message, once its transaction commits)."""
    sent = []
    monkeypatch.setattr(jobs, "enqueue_after_commit", lambda task, run_id: sent.append(run_id))
    return sent


def _sweep(app, later=dt.timedelta(0)):
    with app.app_context():
        counts = jobs.sweep(services.utcnow() + later)
        db.session.commit()
        return counts


def test_a_run_whose_worker_was_killed_outright_is_sent_again_by_the_sweep(
    app, commissioner, monkeypatch
):
    """kill -9 of the worker and its child: on the embedded broker the message is never
    delivered again. The run stops beating; the sweep sends it again; it is made."""
    sent = _sent(monkeypatch)
    run_id, _ = _request(app, commissioner)
    _as_if_running(app, run_id, worker="gone-host:1")
    assert _sweep(app, jobs.HEARTBEAT_STALE / 2) == {"sent": 0, "failed": 0}  # still beating
    assert _sweep(app, jobs.HEARTBEAT_STALE + dt.timedelta(seconds=5))["sent"] == 1
    assert sent == [run_id]
    run = _run(app, run_id)
    assert run.status == "queued" and run.requeues == 1 and run.worker == ""
    assert "its worker stopped without finishing" in run.progress
    assert _task(app).apply(args=[run_id]).get() == "done"
    assert _run(app, run_id).attempts == 2


def test_a_queued_run_no_worker_picked_up_is_sent_again_then_failed_for_good(
    app, commissioner, monkeypatch
):
    sent = _sent(monkeypatch)
    run_id, _ = _request(app, commissioner)
    assert _sweep(app, jobs.QUEUED_STALE / 2)["sent"] == 0
    later = dt.timedelta(0)
    for n in range(1, jobs.MAX_ATTEMPTS + 1):
        later += jobs.QUEUED_STALE + dt.timedelta(seconds=5)
        assert _sweep(app, later) == {"sent": 1, "failed": 0}
        assert _run(app, run_id).requeues == n
    later += jobs.QUEUED_STALE + dt.timedelta(seconds=5)
    assert _sweep(app, later) == {"sent": 0, "failed": 1}
    assert sent == [run_id] * jobs.MAX_ATTEMPTS
    run = _run(app, run_id)
    assert run.status == "failed" and run.active_key is None
    assert "No report worker picked this report up" in run.error
    assert "check that the report workers are running" in run.error
    assert _audit_actions(app, run_id).count("report_failed") == 1
    assert _request(app, commissioner)[1]  # it can be asked for again


def test_a_run_waiting_to_be_tried_again_after_an_error_is_left_to_wait(
    app, commissioner, monkeypatch
):
    sent = _sent(monkeypatch)
    run_id, _ = _request(app, commissioner)
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        run.attempts = 3  # its 4th attempt is due 300 seconds after the 3rd failed
        services.mark_retrying(run, "The database could not be read", 4, 4)
        db.session.commit()
    assert _sweep(app, jobs.QUEUED_STALE + dt.timedelta(seconds=60))["sent"] == 0
    assert _sweep(app, jobs.QUEUED_STALE + dt.timedelta(seconds=310))["sent"] == 1
    assert sent == [run_id]


def test_a_run_whose_worker_died_on_its_last_attempt_is_failed_with_the_reason(
    app, commissioner, monkeypatch
):
    _sent(monkeypatch)
    run_id, _ = _request(app, commissioner)
    _as_if_running(app, run_id, worker="gone-host:1", attempts=jobs.MAX_ATTEMPTS)
    assert _sweep(app, jobs.HEARTBEAT_STALE * 2) == {"sent": 0, "failed": 1}
    run = _run(app, run_id)
    assert run.status == "failed" and "stopped its worker 4 times" in run.error


def test_a_command_line_run_killed_mid_way_is_marked_failed(app, monkeypatch):
    sent = _sent(monkeypatch)
    with app.app_context():
        run = services.command_line_run("statement", {"year": 2026})
        db.session.commit()
        run_id = run.id
    _as_if_running(app, run_id, worker="gone-host:1")
    assert _sweep(app, jobs.HEARTBEAT_STALE * 2) == {"sent": 0, "failed": 1}
    run = _run(app, run_id)
    assert run.status == "failed" and "Run the command again" in run.error and sent == []


def test_asking_again_for_a_lost_run_sends_it_again_rather_than_waiting(
    app, commissioner, monkeypatch
):
    sent = _sent(monkeypatch)
    run_id, _ = _request(app, commissioner)
    _as_if_running(app, run_id, worker="gone-host:1", idle=jobs.HEARTBEAT_STALE * 2)
    again, created = _request(app, commissioner)
    assert again == run_id and not created and sent == [run_id]
    assert _run(app, run_id).status == "queued"
    # After too many tries it is failed, and the new request makes a new run.
    _as_if_running(app, run_id, worker="gone-host:1", idle=jobs.HEARTBEAT_STALE * 2, attempts=4)
    new_id, created = _request(app, commissioner)
    assert created and new_id != run_id and _run(app, run_id).status == "failed"


def test_lost_runs_are_looked_for_every_minute_by_celery_beat(app):
    entry = app.extensions["celery"].conf.beat_schedule["reports-sweep-lost-runs"]
    assert entry["task"] == "reports.sweep_runs" and entry["schedule"] <= 60
    assert "reports.sweep_runs" in app.extensions["celery"].tasks


def _audit_actions(app, run_id):
    with app.app_context():
        return db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.record_id == str(run_id))
        ).all()


def test_years_are_checked(app_ctx):
    assert services.parse_year("2026") == 2026
    this_year = services.financial_year_of(dt.date.today())
    assert services.parse_year(str(this_year)) == this_year == services.latest_year()
    for bad in ("", "26", "abcd", "2010", "0000", "２０２６", "²026", str(this_year + 1)):
        with pytest.raises(services.ReportError):
            services.parse_year(bad)
    with pytest.raises(services.ReportError, match="has not started yet"):
        services.parse_year(str(this_year + 1))
    assert services.parse_text_year(str(this_year + 1)) == this_year + 1
    assert services.financial_year_of(dt.date(2027, 3, 31)) == 2026
    assert services.financial_year_of(dt.date(2027, 4, 1)) == 2027
    assert services.latest_year(dt.date(2027, 3, 31)) == 2026
    assert services.latest_year(dt.date(2027, 4, 1)) == 2027
