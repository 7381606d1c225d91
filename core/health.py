"""Health checks: database, broker, and whether a worker answers."""

from __future__ import annotations

import time

from sqlalchemy import text

from .extensions import db


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def check_database() -> dict:
    start = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        ok, message = True, "Responding"
    except Exception as exc:  # noqa: BLE001 - the health page reports any failure
        db.session.rollback()
        ok, message = False, f"Not responding: {type(exc).__name__}"
    return {
        "name": "Database",
        "ok": ok,
        "message": message,
        "target": _redact(
            getattr(db.engine, "engine", db.engine).url.render_as_string(hide_password=True)
        ),
        "ms": round((time.perf_counter() - start) * 1000),
    }


def check_broker(app) -> dict:
    celery = app.extensions["celery"]
    start = time.perf_counter()
    try:
        with celery.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=3)
        ok, message = True, "Connected"
    except Exception as exc:  # noqa: BLE001
        ok, message = False, f"Cannot connect: {type(exc).__name__}"
    return {
        "name": "Task broker",
        "ok": ok,
        "message": message,
        "target": _redact(app.config["CELERY_BROKER_URL"]),
        "ms": round((time.perf_counter() - start) * 1000),
    }


def check_worker(app, timeout: float = 5.0) -> dict:
    """Send the ping task and wait for its answer: works on any broker, including the embedded
    one, where Celery's remote-control broadcast is not supported."""
    from . import tasks  # noqa: F401 - registers core.ping

    # This app's own Celery (not the process default), so tests with several apps stay apart.
    ping = app.extensions["celery"].tasks["core.ping"]
    start = time.perf_counter()
    try:
        result = ping.apply_async(args=["pong"], expires=60)
        answer = result.get(timeout=timeout)
        ok, message = answer == "pong", "A worker answered"
    except Exception as exc:  # noqa: BLE001
        ok, message = False, f"No worker answered within {timeout:g} seconds ({type(exc).__name__})"
    return {
        "name": "Worker",
        "ok": ok,
        "message": message,
        "target": "",
        "ms": round((time.perf_counter() - start) * 1000),
    }


def run_checks(app, worker_timeout: float = 5.0) -> list[dict]:
    checks = [check_database(), check_broker(app)]
    if checks[1]["ok"]:
        checks.append(check_worker(app, worker_timeout))
    else:
        checks.append(
            {
                "name": "Worker",
                "ok": False,
                "message": "Not checked: no broker",
                "target": "",
                "ms": 0,
            }
        )
    return checks
