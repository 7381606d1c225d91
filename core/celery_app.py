"""The Celery app, bound to the Flask app so every task runs inside the app context.

Queueing: ``enqueue_after_commit(task, ...)`` holds a task until the current database transaction
commits, so a worker never picks up a job whose rows it cannot yet see; a rolled-back request
queues nothing.
"""

from __future__ import annotations

from celery import Celery, Task
from flask import Flask, g
from sqlalchemy import event

from .extensions import db

PENDING_KEY = "pending_tasks"


def init_celery(app: Flask) -> Celery:
    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                g.audit_system_actor = f"worker:{self.name}"
                try:
                    return self.run(*args, **kwargs)
                finally:
                    db.session.remove()

    broker = app.config["CELERY_BROKER_URL"]
    celery = Celery(app.import_name, task_cls=FlaskTask)
    celery.conf.update(
        broker_url=broker,
        result_backend=app.config["CELERY_RESULT_BACKEND"],
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,  # a task is acknowledged only once it has finished...
        task_reject_on_worker_lost=True,  # ...and requeued if its worker dies mid-way
        worker_prefetch_multiplier=1,
        task_track_started=True,
        result_expires=7 * 24 * 3600,
        task_default_queue=app.config["CELERY_QUEUE"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        timezone="Europe/London",
        enable_utc=True,
        beat_schedule={
            "purge-expired-sessions": {
                "task": "core.purge_expired_sessions",
                "schedule": 3600.0,
            },
        },
    )
    if broker.startswith(("redis", "rediss")):
        # Longer than any countdown or ETA we use, so Redis does not redeliver a waiting task.
        celery.conf.broker_transport_options = {
            "visibility_timeout": app.config["CELERY_VISIBILITY_TIMEOUT"]
        }
    if broker.startswith("sqla+"):
        # The embedded broker: kombu's SQLAlchemy transport polls once a second by default.
        # Set on the Transport class (passing it in transport options reaches create_engine).
        from kombu.transport import sqlalchemy as sqla_transport

        sqla_transport.Transport.polling_interval = 0.05
    celery.set_default()
    app.extensions["celery"] = celery
    _install_after_commit_hooks()
    return celery


def enqueue_after_commit(task, *args, **kwargs) -> None:
    """Send ``task.apply_async(args, kwargs)`` once the current transaction commits."""
    db.session.connection()  # begin the transaction now, so its rollback also drops the task
    pending = db.session.info.setdefault(PENDING_KEY, [])
    pending.append((task, args, kwargs))


_hooks_installed = False


def _install_after_commit_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    from sqlalchemy.orm import Session

    @event.listens_for(Session, "after_commit")
    def _send(session):
        pending = session.info.pop(PENDING_KEY, [])
        for task, args, kwargs in pending:
            task.apply_async(args=args, kwargs=kwargs)

    @event.listens_for(Session, "after_soft_rollback")
    def _drop(session, previous_transaction):
        if previous_transaction.parent is None:
            session.info.pop(PENDING_KEY, None)
