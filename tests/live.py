"""A live application for browser and worker tests: a real HTTP server in a thread and a real
Celery worker process, both on their own database (committed data, dropped at the end) and their
own task queue.

The broker is the embedded one (SQLite via kombu's SQLAlchemy transport) unless
CELERY_BROKER_URL points at a server (Redis in CI), exactly as in production.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from core.extensions import db
from tests.dbs import fresh_database

ROOT = Path(__file__).resolve().parent.parent


class LiveServer:
    def __init__(self, app, server, thread):
        self.app = app
        self._server = server
        self._thread = thread
        self.url = f"http://127.0.0.1:{server.server_port}"

    def stop(self):
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture(scope="session")
def live_settings(tmp_path_factory):
    """Database, broker and queue shared by the live server and the live worker."""
    base = tmp_path_factory.mktemp("live")
    url = fresh_database("live", base)
    broker = os.environ.get("CELERY_BROKER_URL") or f"sqla+sqlite:///{base / 'broker.sqlite'}"
    backend = os.environ.get("CELERY_RESULT_BACKEND") or f"db+sqlite:///{base / 'results.sqlite'}"
    reports = base / "reports"
    reports.mkdir()
    return {
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": backend,
        # A queue of this run's own, so no stale message from another run reaches this worker.
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:10]}",
        "CELERY_VISIBILITY_TIMEOUT": "30",
        "REPORTS_DIR": str(reports),
    }


@pytest.fixture(scope="session")
def live_app(live_settings):
    from tests.conftest import make_test_app

    app = make_test_app(
        live_settings["DATABASE_URL"],
        CELERY_BROKER_URL=live_settings["CELERY_BROKER_URL"],
        CELERY_RESULT_BACKEND=live_settings["CELERY_RESULT_BACKEND"],
        CELERY_QUEUE=live_settings["CELERY_QUEUE"],
        CELERY_VISIBILITY_TIMEOUT=int(live_settings["CELERY_VISIBILITY_TIMEOUT"]),
        REPORTS_DIR=live_settings["REPORTS_DIR"],
        HEALTH_WORKER_TIMEOUT=5,
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def live_server(live_app):
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    live = LiveServer(live_app, server, thread)
    yield live
    live.stop()


class CeleryWorker:
    """A real `celery worker` process (prefork pool, one child) for the live app."""

    def __init__(self, app, settings, log_path: Path):
        self.app = app
        self.settings = settings
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    def start(self):
        env = {**os.environ, **self.settings, "APP_ENV": "test", "SECRET_KEY": "test-secret-key"}
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "core.worker",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "--loglevel=INFO",
                "-Q",
                self.settings["CELERY_QUEUE"],
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self.wait_ready()

    def wait_ready(self, timeout=60):
        import core.tasks  # noqa: F401 - registers core.ping

        ping = self.app.extensions["celery"].tasks["core.ping"]
        deadline = time.monotonic() + timeout
        with self.app.app_context():
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"Celery worker exited: see {self.log_path}")
                try:
                    if ping.apply_async(args=["ready"], expires=30).get(timeout=5) == "ready":
                        return
                except Exception:  # noqa: BLE001 - not ready yet
                    time.sleep(0.5)
        raise RuntimeError(f"Celery worker did not answer within {timeout}s: {self.log_path}")

    def child_pids(self) -> list[int]:
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return [int(p) for p in out.split()]

    def kill_child(self):
        """Kill the pool process running tasks, as an out-of-memory kill would."""
        for pid in self.child_pids():
            os.kill(pid, signal.SIGKILL)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def restart(self):
        self.stop()
        self.start()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture(scope="session")
def celery_worker(live_app, live_settings, tmp_path_factory):
    worker = CeleryWorker(live_app, live_settings, tmp_path_factory.mktemp("worker") / "worker.log")
    worker.start()
    yield worker
    worker.stop()
