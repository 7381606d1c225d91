"""Configuration, read from environment variables in this one place.

APP_ENV says which of development / test / production is in force. It defaults to production,
the safest: production refuses to start without SECRET_KEY and uses Secure cookies. `make run`
sets APP_ENV=development explicitly.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("INSTANCE_PATH", ROOT / "instance"))

ENVIRONMENTS = ("development", "test", "production")


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def create_app_or_exit():
    """The app for an entry point (web, worker, command line): a configuration mistake is one
    clear line and exit status 1, not a traceback."""
    import sys

    from core import create_app

    try:
        return create_app()
    except ConfigurationError as exc:
        sys.exit(f"Configuration error: {exc}")


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}") from exc


def _secret_key(env: str) -> str:
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if env == "production":
        raise ConfigurationError(
            "SECRET_KEY must be set in production (APP_ENV=production). "
            "Set APP_ENV=development to use a generated key on this machine."
        )
    # Embedded default: a key generated once and kept in instance/, never a constant in code.
    INSTANCE.mkdir(parents=True, exist_ok=True)
    path = INSTANCE / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def load(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from the environment (and test overrides)."""
    overrides = overrides or {}
    env = overrides.get("APP_ENV") or os.environ.get("APP_ENV", "production")
    if env not in ENVIRONMENTS:
        raise ConfigurationError(f"APP_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    INSTANCE.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("DATABASE_URL") or sqlite_url(INSTANCE / "shortbreaks.sqlite")
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgres://")
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
    broker = os.environ.get("CELERY_BROKER_URL") or (
        "sqla+" + sqlite_url(INSTANCE / "celery-broker.sqlite")
    )
    results = os.environ.get("CELERY_RESULT_BACKEND") or (
        "db+" + sqlite_url(INSTANCE / "celery-results.sqlite")
    )
    config = {
        "APP_ENV": env,
        "TESTING": env == "test",
        "SECRET_KEY": overrides.get("SECRET_KEY") or _secret_key(env),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pre-ping: it costs a round trip on every request. Connections are recycled
        # instead, well before PostgreSQL or a proxy would drop them as idle.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "CELERY_BROKER_URL": broker,
        "CELERY_RESULT_BACKEND": results,
        # The queue this deployment's tasks go to (tests give each run its own).
        "CELERY_QUEUE": os.environ.get("CELERY_QUEUE", "celery"),
        # Redis: how long a task taken by a worker may run before it is given to another.
        "CELERY_VISIBILITY_TIMEOUT": _int("CELERY_VISIBILITY_TIMEOUT", 4 * 3600),
        # Sessions are held on the server (core.sessions); these bound their life.
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_ABSOLUTE_HOURS": _int("SESSION_ABSOLUTE_HOURS", 10),
        # Warn this long before an idle sign-out, so nobody loses a half-written form.
        "SESSION_WARNING_SECONDS": _int("SESSION_WARNING_SECONDS", 120),
        "SESSION_COOKIE_NAME": "shortbreaks_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=_int("SESSION_ABSOLUTE_HOURS", 10)),
        # Sign-in throttling: this many failures within the window blocks the account or client.
        "SIGN_IN_MAX_FAILURES": _int("SIGN_IN_MAX_FAILURES", 10),
        # Many staff share one address (a council's offices behind one proxy): one person's
        # mistyping must not lock everyone out, so an address takes far more failures than an
        # account; it still stops one machine trying passwords on many accounts.
        "SIGN_IN_CLIENT_MAX_FAILURES": _int("SIGN_IN_CLIENT_MAX_FAILURES", 50),
        "SIGN_IN_WINDOW_MINUTES": _int("SIGN_IN_WINDOW_MINUTES", 5),
        "SIGN_IN_BLOCK_MINUTES": _int("SIGN_IN_BLOCK_MINUTES", 15),
        "WTF_CSRF_ENABLED": True,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the server-side session
        "REPORTS_DIR": os.environ.get("REPORTS_DIR") or str(INSTANCE / "reports"),
        "REPORT_RETENTION_DAYS": _int("REPORT_RETENTION_DAYS", 90),
        "HEALTH_WORKER_TIMEOUT": float(os.environ.get("HEALTH_WORKER_TIMEOUT") or 5),
        "PAGE_SIZE": _int("PAGE_SIZE", 25),
        "COUNCIL_NAME": os.environ.get("COUNCIL_NAME", "Example County Council"),
        "TRUSTED_PROXIES": _int("TRUSTED_PROXIES", 0),
    }
    config.update(overrides)
    return config
