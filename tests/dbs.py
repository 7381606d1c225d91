"""Throwaway test databases: a SQLite file, or a PostgreSQL database when DATABASE_URL points
at a server. Each pytest-xdist process gets its own."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def postgres_base() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql")):
        if url.startswith("postgres://"):
            url = "postgresql://" + url.removeprefix("postgres://")
        return url
    return None


def fresh_database(name: str, tmp_dir) -> str:
    """Create an empty database called `name` and return its URL."""
    base = postgres_base()
    if base is None:
        path = tmp_dir / f"{name}.sqlite"
        for suffix in ("", "-wal", "-shm"):
            p = tmp_dir / f"{name}.sqlite{suffix}"
            if p.exists():
                p.unlink()
        return f"sqlite:///{path}"
    url = make_url(base).set(drivername="postgresql+psycopg")
    dbname = f"{url.database or 'shortbreaks'}_{name}"[:63]
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :d AND pid <> pg_backend_pid()"
            ),
            {"d": dbname},
        )
        conn.execute(text(f'DROP DATABASE IF EXISTS "{dbname}"'))
        conn.execute(text(f'CREATE DATABASE "{dbname}"'))
    admin.dispose()
    return url.set(database=dbname).render_as_string(hide_password=False)


def worker_suffix() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")
