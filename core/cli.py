"""Command-line interface: `flask --app wsgi users ...`, `demo-data`, `health`."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .extensions import db
from .models import User
from .roles import parse_role

users_cli = AppGroup(
    "users", help="Manage users: create, set-password, disable, enable, unblock, list."
)


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(1)


def _roles(values):
    try:
        return [parse_role(v) for v in values]
    except ValueError as exc:
        _fail(str(exc))


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Full name")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    help="practitioner, team_manager, finance_officer, commissioner, administrator",
)
@click.option("--password", required=True, help="12 characters or more")
@click.option("--team", "teams", multiple=True, help="Team name (repeatable)")
def create_user_cmd(email, name, roles, password, teams):
    """Create a user."""
    from .models import Team
    from .users import UserError, create_user

    role_list = _roles(roles)
    team_rows = []
    for t in teams:
        team = db.session.scalar(select(Team).where(Team.name == t))
        if team is None:
            _fail(f"No team called {t!r}")
        team_rows.append(team)
    try:
        user = create_user(email, name, role_list, password, team_rows)
    except UserError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles))})")


def _find(email) -> User:
    from .users import find_by_email

    user = find_by_email(email)
    if user is None:
        _fail(f"No user with the email address {email}")
    return user


@users_cli.command("set-password")
@click.argument("email")
@click.option("--password", required=True)
def set_password_cmd(email, password):
    """Set a user's password (ends all their sessions)."""
    from .users import UserError, set_password

    user = _find(email)
    try:
        set_password(user, password)
    except UserError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    click.echo(f"Password set for {user.email}; their sessions have ended.")


@users_cli.command("disable")
@click.argument("email")
def disable_cmd(email):
    """Disable a user (ends all their sessions)."""
    from .users import set_enabled

    user = _find(email)
    set_enabled(user, False)
    db.session.commit()
    click.echo(f"Disabled {user.email}; their sessions have ended.")


@users_cli.command("enable")
@click.argument("email")
def enable_cmd(email):
    """Enable a disabled user."""
    from .users import set_enabled

    user = _find(email)
    set_enabled(user, True)
    db.session.commit()
    click.echo(f"Enabled {user.email}.")


@users_cli.command("unblock")
@click.argument("email_or_address")
def unblock_cmd(email_or_address):
    """Lift a sign-in block on an account (EMAIL) or on an address (such as 203.0.113.7), after
    too many failed sign-ins."""
    import ipaddress

    from .throttle import block_for, lift_block

    value = email_or_address.strip().lower()
    if "@" in value:
        kind = "account"
    else:
        try:
            value, kind = str(ipaddress.ip_address(value)), "client"
        except ValueError:
            _fail(f"{email_or_address!r} is neither an email address nor an IP address")
    if block_for(kind, value) is None:
        _fail(f"{value} is not blocked from signing in")
    lift_block(kind, value, reason="lifted from the command line")
    db.session.commit()
    click.echo(f"Block lifted on {value}.")


@users_cli.command("list")
def list_cmd():
    """One user a line: email, name, roles, enabled, teams."""
    every_user = select(User).options(selectinload(User.role_rows), selectinload(User.teams))
    for user in db.session.scalars(every_user.order_by(User.email)):
        roles = ",".join(sorted(r.value for r in user.roles))
        state = "enabled" if user.enabled else "disabled"
        teams = ", ".join(sorted(t.name for t in user.teams)) or "no team"
        click.echo(f"{user.email}\t{user.name}\t{roles}\t{state}\t{teams}")


@click.command("demo-data")
@with_appcontext
@click.option("--seed", default=2026, show_default=True, type=int)
@click.option("--if-empty", is_flag=True, help="Only load when there are no users yet.")
def demo_data_cmd(seed, if_empty):
    """Load invented demo data (deterministic for a seed; running it again adds nothing)."""
    from .demo import load_all

    if if_empty and db.session.scalar(select(User.id).limit(1)) is not None:
        click.echo("Database already has data: demo data not loaded.")
        return
    before = _row_count()
    load_all(seed, echo=click.echo)
    added = _row_count() - before
    if added:
        click.echo(f"Demo data loaded: {added:,} rows added.")
    else:
        click.echo(
            "The demo data is already there: nothing added. (Each part is loaded once; another "
            "--seed does not add a second set. Use an empty database for a different one.)"
        )


def _row_count() -> int:
    from sqlalchemy import func

    return sum(
        db.session.scalar(select(func.count()).select_from(table)) or 0
        for table in db.metadata.sorted_tables
    )


@click.command("sign-in-details")
@with_appcontext
def sign_in_details_cmd():
    """Print the demo users' sign-in details."""
    from .demo import sign_in_details

    rows = sign_in_details()
    if not rows:
        click.echo("No demo users. Run: flask --app wsgi demo-data")
        return
    width = max(len(r[0]) for r in rows)
    for email, roles, password in rows:
        click.echo(f"  {email.ljust(width)}  {password}  ({roles})")


@click.command("health")
@with_appcontext
@click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for a worker")
def health_cmd(timeout):
    """Check the database, the broker and whether a worker answers. Exit 1 if any fails."""
    from .health import run_checks

    checks = run_checks(current_app, worker_timeout=timeout)
    for c in checks:
        mark = "OK  " if c["ok"] else "FAIL"
        click.echo(f"{mark} {c['name']}: {c['message']} {c['target']}".rstrip())
    if not all(c["ok"] for c in checks):
        sys.exit(1)


def init_app(app) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_data_cmd)
    app.cli.add_command(sign_in_details_cmd)
    app.cli.add_command(health_cmd)
