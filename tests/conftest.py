"""Fixtures shared by every test.

Each test runs inside a transaction that is rolled back afterwards, so it leaves the database as
it found it; the application's own commits only release savepoints inside it. CSRF protection is
on in every suite: the helpers below post the token the way a browser does.
"""

from __future__ import annotations

import itertools
import os
import re

import pytest

os.environ.setdefault("APP_ENV", "test")

from core import create_app  # noqa: E402
from core.extensions import db  # noqa: E402
from core.roles import Role  # noqa: E402
from tests.dbs import fresh_database, worker_suffix  # noqa: E402

pytest_plugins = ["tests.live"]

PASSWORD = "correct-horse-battery-staple"
_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)
_counter = itertools.count(1)


def make_test_app(database_url: str, **overrides):
    """A test app on its own database. Its tasks go to an in-memory broker unless the test
    overrides it, so nothing a request test queues can reach a real worker."""
    settings = {
        "APP_ENV": "test",
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": _driver(database_url),
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": "cache+memory://",
        "HEALTH_WORKER_TIMEOUT": 0.2,
    }
    settings.update(overrides)
    return create_app(settings)


def _driver(url: str) -> str:
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = fresh_database(f"test_{worker_suffix()}", tmp_path_factory.mktemp("db"))
    application = make_test_app(url, REPORTS_DIR=str(tmp_path_factory.mktemp("reports")))
    with application.app_context():
        db.create_all()  # tests only: the real schema comes from migrations (test_migrations.py)
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_engine(tmp_path_factory):
    """An engine on a database built only by the Alembic migrations (`flask db upgrade`)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine

    url = fresh_database(f"migrated_{worker_suffix()}", tmp_path_factory.mktemp("migrated"))
    migrated_app = make_test_app(url)
    with migrated_app.app_context():
        upgrade()
        db.engine.dispose()
    engine = create_engine(_driver(url))
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _rollback(request, app):
    """Run the test inside an outer transaction and roll it back afterwards.

    No app context stays pushed during the test: each request must get its own, as in
    production (otherwise `g` and the database session would leak between requests).
    """
    with app.app_context():
        engines = db._app_engines[app]
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        db.session.remove()
        db.session.configure(join_transaction_mode="create_savepoint")
    try:
        yield
    finally:
        with app.app_context():
            db.session.remove()
        engines[None] = engine
        if outer.is_active:
            outer.rollback()
        connection.close()


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token_from(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token on the page"
    return m.group(1) or m.group(2)


class Browser:
    """A test client that behaves like a signed-in browser: it posts forms with their CSRF token."""

    def __init__(self, client, user=None):
        self.client = client
        self.user = user
        self._token = None

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def token(self):
        if self._token is None:
            page = self.client.get("/", follow_redirects=True)
            self._token = csrf_token_from(page.get_data(as_text=True))
        return self._token

    def post(self, url, data=None, csrf=True, **kw):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token())
        return self.client.post(url, data=data, **kw)


def sign_in(client, email, password=PASSWORD):
    page = client.get("/sign-in")
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


def loaded_user(user_id):
    """The user with roles and teams loaded, for use after its app context has ended."""
    from sqlalchemy.orm import selectinload

    from core.models import User

    return db.session.get(
        User,
        user_id,
        options=[selectinload(User.role_rows), selectinload(User.teams)],
        populate_existing=True,  # reload the teams given to it too, expired by the commit
    )


@pytest.fixture
def make_user(app):
    """make_user(Role.PRACTITIONER, teams=[team]) -> a saved user with password PASSWORD."""
    from core.users import create_user

    def factory(*roles, teams=(), name=None, email=None):
        n = next(_counter)
        with app.app_context():
            user = create_user(
                email or f"user{n}@test.example.gov.uk",
                name or f"Test User {n}",
                roles or [Role.PRACTITIONER],
                PASSWORD,
                list(teams),
            )
            db.session.commit()
            return loaded_user(user.id)

    return factory


@pytest.fixture
def make_team(app):
    from core.users import create_team

    def factory(name=None):
        with app.app_context():
            team = create_team(name or f"Team {next(_counter)}")
            db.session.commit()
            return db.session.get(type(team), team.id)

    return factory


@pytest.fixture
def browser_as(app, make_user):
    """browser_as(Role.ADMINISTRATOR) -> a signed-in Browser for a new user with that role."""

    def factory(*roles, teams=(), user=None):
        user = user or make_user(*roles, teams=teams)
        client = app.test_client()
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return Browser(client, user)

    return factory
