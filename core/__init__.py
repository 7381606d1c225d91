"""The application factory and what every package shares."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader
from sqlalchemy import event

from . import config as config_module
from .extensions import csrf, db, login_manager, migrate
from .parsing import whole_number

ROOT = Path(__file__).resolve().parent.parent
GOVUK_DIST = ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"

# Domain packages, each one Flask blueprint; imported by name so core never imports their views
# at module level.
DOMAIN_PACKAGES = ("casework", "assessments", "budgets", "providers", "reports")


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(config_module.INSTANCE), static_folder=None)
    app.config.update(config_module.load(overrides))
    from .parsing import RecordIdConverter

    app.url_map.converters["int"] = RecordIdConverter

    from .security import init_app as init_security

    init_security(app)  # first: its request id and nonce serve every page, refusals included
    _init_extensions(app)
    _init_templates(app)
    from .celery_app import init_celery

    init_celery(app)  # before the packages, so their init_app can add beat schedule entries
    _register_blueprints(app)
    _register_errors(app)
    _register_transaction_handling(app)

    from . import cli

    cli.init_app(app)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    return app


def _init_extensions(app: Flask) -> None:
    from .sessions import DatabaseSessionInterface

    db.init_app(app)
    _configure_engines(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    app.session_interface = DatabaseSessionInterface()
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue."
    login_manager.session_protection = None  # the server-side session already binds the user
    WTFormsHelpers(app)
    from .forms import install_govuk_messages

    install_govuk_messages()

    from .models import User

    @login_manager.user_loader
    def load_user(user_id: str):
        number = whole_number(user_id)
        if number is None:
            return None
        user = db.session.get(User, number)
        return user if user is not None and user.enabled else None


def _sqlite_pragmas(dbapi_connection, connection_record):
    # The web app and the worker write the same SQLite file at once: WAL lets readers and one
    # writer proceed together, and the busy timeout waits for a lock instead of failing.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()
    # pysqlite opens transactions lazily and mishandles SAVEPOINT; let SQLAlchemy emit BEGIN
    # itself (see _sqlite_begin) so transactions and savepoints behave as on PostgreSQL.
    dbapi_connection.isolation_level = None


def _sqlite_begin(conn):
    # Every transaction takes the write lock when it begins. With a deferred BEGIN, a
    # transaction that reads and then writes (an audit row, a session touch, a report's
    # progress) fails at once with "database is locked" if another connection wrote in between,
    # whatever the busy timeout: the web app and the worker share the file, so that happens all
    # the time. Transactions here are short (the worker commits after each step of a report),
    # so waiting one's turn costs little. PostgreSQL needs none of this.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _postgresql_integers(dbapi_connection, connection_record):
    # psycopg sends a small Python int as a smallint parameter. A prepared statement's generic
    # plan (which PostgreSQL uses once a query has run a few times) then cannot use an index
    # on an integer column for "id = $1::INTEGER": the caseload scanned every open case to find
    # one worker's. Integers go as integer (or bigint beyond its range) instead.
    from .pg_types import register_integer_dumpers

    register_integer_dumpers(dbapi_connection)


def _configure_engines(app: Flask) -> None:
    """SQLite pragmas, or how PostgreSQL is sent integers, on the application's own engines only
    (kombu's broker engine keeps pysqlite's defaults)."""
    with app.app_context():
        for engine in db.engines.values():
            if engine.dialect.name == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "begin", _sqlite_begin)
            elif engine.dialect.name == "postgresql":
                event.listen(engine, "connect", _postgresql_integers)


def _init_templates(app: Flask) -> None:
    from . import navigation
    from .roles import ROLE_LABELS

    app.jinja_loader = ChoiceLoader(
        [
            PackageLoader("core", "templates"),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _layout():
        return {
            "nav_items": navigation.items_for(current_user),
            "role_labels": ROLE_LABELS,
            "role_labels_by_value": {role.value: label for role, label in ROLE_LABELS.items()},
            "council_name": app.config["COUNCIL_NAME"],
            "service_name": "Short breaks and direct payments",
        }

    from .templating import register_filters

    register_filters(app)


def _register_blueprints(app: Flask) -> None:
    import importlib

    from flask import send_from_directory

    from .access import public
    from .views import admin, auth

    app.register_blueprint(auth)
    app.register_blueprint(admin)
    for name in DOMAIN_PACKAGES:
        module = importlib.import_module(name)
        app.register_blueprint(module.blueprint)
        if hasattr(module, "init_app"):  # a package's CLI commands, filters, beat schedule
            module.init_app(app)
        for extra in getattr(module, "extra_blueprints", ()):  # e.g. a package's public API
            app.register_blueprint(extra)
        # Each package's templates live in <package>/templates/<package>/.
        app.jinja_loader.loaders.insert(1, PackageLoader(name, "templates"))

    @app.get("/assets/<path:filename>", endpoint="govuk_assets")
    @public
    def govuk_assets(filename):
        return send_from_directory(GOVUK_DIST / "assets", filename, max_age=86400)

    @app.get("/static/<path:filename>", endpoint="static")
    @public
    def static(filename):
        if filename.startswith("govuk/"):
            return send_from_directory(GOVUK_DIST, filename.removeprefix("govuk/"), max_age=86400)
        return send_from_directory(Path(__file__).parent / "static", filename, max_age=3600)

    from .navigation import register
    from .roles import Role

    register("Users", "admin.user_list", [Role.ADMINISTRATOR], order=90)
    register("Audit log", "admin.audit_log", [Role.ADMINISTRATOR], order=95)


def _register_errors(app: Flask) -> None:
    def page(code, title, status):
        return render_template(f"errors/{code}.html", title=title), status

    @app.errorhandler(400)
    def bad_request(e):
        return page(400, "Sorry, there is a problem with your request", 400)

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        # Signed out under them: back to the page the form was on after signing in again.
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host and referrer.path
        form_page = referrer.path + (f"?{referrer.query}" if referrer.query else "")
        return render_template(
            "errors/csrf.html",
            title="Your form could not be sent",
            form_page=form_page if same_site else request.path,
        ), 400

    @app.errorhandler(403)
    def forbidden(e):
        return page(403, "You do not have permission to see this page", 403)

    @app.errorhandler(404)
    def not_found(e):
        return page(404, "Page not found", 404)

    @app.errorhandler(405)
    def method_not_allowed(e):
        return page(405, "This page cannot be opened directly", 405)

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return page(500, "Sorry, there is a problem with the service", 500)


def _register_transaction_handling(app: Flask) -> None:
    """One transaction per request: committed if the request succeeded, rolled back if it
    failed or showed a form's errors. Audit rows of what was seen or tried (views, refusals,
    failed sign-ins) are kept either way."""

    from flask import g, template_rendered
    from flask_wtf import FlaskForm

    from .audit import write_kept_rows

    @template_rendered.connect_via(app)
    def _note_rejected_form(sender, template, context, **extra):
        # A page that shows a form's errors refused what was sent: whatever a service had
        # already changed before it found the problem must not be saved.
        if any(isinstance(v, FlaskForm) and v.errors for v in context.values()):
            g.form_rejected = True

    @app.after_request
    def _commit(response):
        if response.status_code >= 400 or g.pop("form_rejected", False):
            db.session.rollback()
        else:
            try:
                db.session.commit()
            except Exception:
                db.session.rollback()
                raise
        write_kept_rows()
        return response
