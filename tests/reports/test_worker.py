"""Report runs carried out by a real Celery worker process (embedded broker, or Redis in CI)."""

import datetime as dt
import hashlib
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from core.extensions import db
from core.models import User
from core.roles import Role
from reports import services
from reports.models import ReportRun

pytestmark = pytest.mark.worker


def _user(app):
    from core.users import create_user

    with app.app_context():
        user = db.session.scalar(
            db.select(User).where(User.email == "reports-worker@example.gov.uk")
        )
        if user is None:
            user = create_user(
                "reports-worker@example.gov.uk",
                "Worker Test",
                [Role.COMMISSIONER],
                "correct-horse-battery-staple",
                [],
            )
            db.session.commit()
        return user.id


def _request(app, year):
    """As the view does: the run, then its task once the transaction has committed."""
    with app.test_request_context():
        user = db.session.get(User, _user(app))
        run, created = services.request_run("statement", {"year": year}, user)
        db.session.commit()
        if created:
            app.extensions["celery"].tasks["reports.generate"].apply_async(args=[run.id])
        return run.id, created


def _state(app, run_id) -> ReportRun:
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        db.session.expunge(run)
        return run


def _wait(app, run_id, statuses, timeout=120, poll=0.02):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = _state(app, run_id)
        if run.status in statuses:
            return run
        time.sleep(poll)
    pytest.fail(f"run {run_id} still {run.status} ({run.progress}) after {timeout}s")


def _check_files(app, run):
    base = Path(app.config["REPORTS_DIR"])
    pdf = (base / run.file_path).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == run.sha256
    reader = PdfReader(base / run.file_path)
    assert len(reader.pages) == run.pages and "/StructTreeRoot" in reader.trailer["/Root"]
    assert not list(base.glob(".*.tmp"))


def test_a_worker_makes_the_statement(celery_worker):
    app = celery_worker.app
    run_id, created = _request(app, 2024)
    assert created
    run = _wait(app, run_id, {"done", "failed"})
    assert run.status == "done", run.error
    assert run.attempts == 1 and run.data_date is not None
    _check_files(app, run)


def test_identical_requests_while_queued_or_running_make_one_job(celery_worker):
    app = celery_worker.app
    first, created = _request(app, 2023)
    second, created_again = _request(app, 2023)
    assert created and not created_again and first == second
    run = _wait(app, first, {"done", "failed"})
    assert run.status == "done" and run.attempts == 1
    with app.app_context():
        runs = db.session.scalars(
            db.select(ReportRun).where(ReportRun.params["year"].as_integer() == 2023)
        ).all()
    assert len(runs) == 1


def test_a_run_whose_worker_is_killed_mid_way_is_made_again(celery_worker):
    app = celery_worker.app
    for year in (2022, 2021, 2020):
        run_id, _ = _request(app, year)
        run = _wait(app, run_id, {"running", "done", "failed"}, poll=0.01)
        if run.status != "running":
            continue  # finished before it could be killed: try another year
        celery_worker.kill_child()
        run = _wait(app, run_id, {"done", "failed"})
        assert run.status == "done", run.error
        assert run.attempts >= 2, "the killed attempt was not retried"
        _check_files(app, run)
        return
    pytest.fail("no run was ever caught running; the worker finished each one at once")


def test_two_requests_at_the_same_moment_start_one_job(celery_worker):
    """Both requests get the same run and only one job starts: on PostgreSQL the second
    request waits for the first's lock; on SQLite a web request takes the write lock when it
    begins, so the second simply waits its turn."""
    import threading

    app = celery_worker.app
    user_id = _user(app)
    # Released together, before either opens a transaction (on SQLite, a thread holding the
    # write lock while it waited here would starve the other).
    barrier = threading.Barrier(2, timeout=30)
    results, errors = [], []

    def ask():
        barrier.wait()
        with app.test_request_context():
            try:
                user = db.session.get(User, user_id)
                run, created = services.request_run("statement", {"year": 2019}, user)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                db.session.rollback()
                errors.append(repr(exc))
                return
            results.append((run.id, created))
            if created:
                app.extensions["celery"].tasks["reports.generate"].apply_async(args=[run.id])

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors and len(results) == 2, (results, errors)
    assert [created for _, created in results].count(True) == 1, results
    assert len({run_id for run_id, _ in results}) == 1
    assert _wait(app, results[0][0], {"done", "failed"}).status == "done"
    with app.app_context():
        runs = db.session.scalars(
            db.select(ReportRun).where(ReportRun.params["year"].as_integer() == 2019)
        ).all()
    assert len(runs) == 1 and runs[0].attempts == 1


def _backdate(app, run_id, by):
    """As if ``by`` had passed since the run's last heartbeat."""
    with app.app_context():
        run = db.session.get(ReportRun, run_id)
        run.updated_at -= by
        db.session.commit()


def test_a_worker_killed_outright_then_restarted_finishes_the_run(celery_worker):
    """kill -9 of the worker's main process and its child: the embedded broker never delivers
    the message again. The run stops beating; the sweep (run here rather than waiting for
    beat) sends it again, and the restarted worker makes it."""
    import os
    import signal

    from reports import jobs

    app = celery_worker.app
    for year in (2018, 2017, 2016):
        run_id, _ = _request(app, year)
        run = _wait(app, run_id, {"running", "done", "failed"}, poll=0.01)
        if run.status != "running":
            continue  # finished before it could be killed: try another year
        children = celery_worker.child_pids()
        os.kill(celery_worker.process.pid, signal.SIGKILL)
        for pid in children:
            os.kill(pid, signal.SIGKILL)
        celery_worker.process.wait(10)
        time.sleep(1)
        assert _state(app, run_id).status == "running"  # nobody left to say otherwise
        celery_worker.start()
        # Nothing happens while the run could still be alive...
        with app.app_context():
            assert jobs.sweep()["sent"] == 0
            db.session.commit()
        # ...and once its heartbeat is older than HEARTBEAT_STALE, it is sent again.
        _backdate(app, run_id, jobs.HEARTBEAT_STALE + dt.timedelta(seconds=5))
        with app.app_context():
            assert jobs.sweep() == {"sent": 1, "failed": 0}
            db.session.commit()
        run = _wait(app, run_id, {"done", "failed"})
        assert run.status == "done", run.error
        assert run.attempts == 2 and run.requeues == 1 and run.worker == ""
        _check_files(app, run)
        return
    pytest.fail("no run was ever caught running; the worker finished each one at once")


def test_the_heartbeat_keeps_a_run_alive_through_a_long_silent_step(live_app):
    """While WeasyPrint lays out the pages nothing reports progress: the heartbeat thread
    touches the run on its own connection all the same."""
    from reports import jobs

    with live_app.app_context():
        run = ReportRun(report_type="statement", params={"year": 2015}, status="queued")
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        attempt = jobs.claim(run)
    _backdate(live_app, run_id, dt.timedelta(minutes=10))
    before = _state(live_app, run_id).updated_at
    with live_app.app_context():
        with jobs.Heartbeat(run_id, attempt, every=0.1) as beat:
            time.sleep(0.6)  # a long step that reports nothing
        assert beat.engine is not None and not beat.lost
    after = _state(live_app, run_id).updated_at
    assert after - before > dt.timedelta(minutes=9)
    # Once the run is another attempt's, the heartbeat says so and stops.
    with live_app.app_context():
        with jobs.Heartbeat(run_id, attempt - 1, every=0.05) as stale:
            time.sleep(0.3)
        assert stale.lost
        db.session.delete(db.session.get(ReportRun, run_id))
        db.session.commit()
