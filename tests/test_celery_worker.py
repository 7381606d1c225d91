"""A task run by a real Celery worker process, on the embedded broker or on Redis."""

import pytest

import core.tasks  # noqa: F401 - registers core.ping
from core.health import run_checks

pytestmark = pytest.mark.worker


def _ping(app):
    return app.extensions["celery"].tasks["core.ping"]


def test_a_real_worker_runs_a_task(celery_worker):
    ping = _ping(celery_worker.app)
    with celery_worker.app.app_context():
        assert ping.apply_async(args=["hello"]).get(timeout=20) == "hello"


def test_health_checks_see_the_database_broker_and_worker(celery_worker):
    with celery_worker.app.app_context():
        checks = {c["name"]: c for c in run_checks(celery_worker.app, worker_timeout=10)}
    assert checks["Database"]["ok"]
    assert checks["Task broker"]["ok"]
    assert checks["Worker"]["ok"], checks["Worker"]


def test_tasks_are_sent_only_after_the_commit(celery_worker):
    from core.celery_app import enqueue_after_commit
    from core.extensions import db

    app = celery_worker.app
    ping = _ping(app)
    with app.app_context():
        sent = []
        original = ping.apply_async
        ping.apply_async = lambda *a, **k: sent.append((a, k))
        try:
            enqueue_after_commit(ping, "after-commit")
            assert sent == []  # not yet: the transaction is still open
            db.session.commit()
            assert len(sent) == 1
            enqueue_after_commit(ping, "rolled-back")
            db.session.rollback()
            db.session.commit()
            assert len(sent) == 1  # a rolled-back transaction queues nothing
        finally:
            ping.apply_async = original
