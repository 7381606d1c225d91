"""Tasks of the core package."""

from celery import shared_task
from flask import current_app

from .sessions import purge_expired


@shared_task(name="core.ping")
def ping(value: str = "pong") -> str:
    """Answers at once: proves a worker is consuming from the broker (health check, tests)."""
    return value


@shared_task(name="core.purge_expired_sessions")
def purge_expired_sessions() -> int:
    return purge_expired(current_app)
