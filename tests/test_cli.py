"""The command-line interface: clear messages, non-zero exits on bad input."""

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent, User


def run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_users_create_list_set_password_disable(app):
    r = run(
        app,
        "users",
        "create",
        "cli.person@example.gov.uk",
        "--name",
        "Cli Person",
        "--role",
        "practitioner",
        "--role",
        "team-manager",
        "--password",
        "a-long-enough-password",
    )
    assert r.exit_code == 0, r.output
    listing = run(app, "users", "list").output
    line = next(x for x in listing.splitlines() if x.startswith("cli.person@example.gov.uk"))
    assert line.split("\t") == [
        "cli.person@example.gov.uk",
        "Cli Person",
        "practitioner,team_manager",
        "enabled",
        "no team",
    ]
    assert (
        run(
            app,
            "users",
            "set-password",
            "cli.person@example.gov.uk",
            "--password",
            "another-long-password",
        ).exit_code
        == 0
    )
    assert run(app, "users", "disable", "cli.person@example.gov.uk").exit_code == 0
    assert "\tdisabled\t" in run(app, "users", "list").output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "cli.person@example.gov.uk"))
        assert not user.enabled
        events = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.record_type == "user_account", AuditEvent.record_id == str(user.id)
            )
        ).all()
        assert {e.action for e in events} >= {"create", "update"}
        assert all(e.user_email == "system" for e in events)


def test_users_create_refuses_bad_input(app, make_user):
    existing = make_user()
    cases = [
        (["--role", "wizard", "--password", "a-long-enough-password"], "Unknown role"),
        (["--role", "practitioner", "--password", "short"], "12 characters or more"),
    ]
    for extra, message in cases:
        r = run(app, "users", "create", "new.person@example.gov.uk", "--name", "New", *extra)
        assert r.exit_code != 0
        assert message in r.output
    r = run(
        app,
        "users",
        "create",
        existing.email,
        "--name",
        "Dup",
        "--role",
        "practitioner",
        "--password",
        "a-long-enough-password",
    )
    assert r.exit_code != 0
    assert "already exists" in r.output
    r = run(
        app,
        "users",
        "create",
        "not-an-email",
        "--name",
        "Bad",
        "--role",
        "practitioner",
        "--password",
        "a-long-enough-password",
    )
    assert r.exit_code != 0
    assert "correct format" in r.output


def test_unknown_email_is_an_error(app):
    r = run(app, "users", "disable", "nobody@example.gov.uk")
    assert r.exit_code != 0
    assert "No user with the email address" in r.output


def test_demo_data_is_idempotent_and_has_one_user_per_role(app):
    from core.roles import Role

    first = run(app, "demo-data", "--seed", "7")
    assert first.exit_code == 0, first.output
    with app.app_context():
        count = db.session.scalar(select(db.func.count()).select_from(User))
        users = db.session.scalars(select(User)).all()
        roles = set().union(*(u.roles for u in users))
        assert roles == set(Role)
    assert "rows added" in first.output
    again = run(app, "demo-data", "--seed", "7")
    assert again.exit_code == 0
    assert "already there: nothing added" in again.output
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == count
    details = run(app, "sign-in-details").output
    assert "admin@example.gov.uk" in details and "demo-password-2026" in details


@pytest.mark.parametrize(
    "env, message",
    [
        ({"APP_ENV": "bogus"}, "APP_ENV must be one of development, test, production"),
        ({"APP_ENV": "production"}, "SECRET_KEY must be set in production"),
        ({"APP_ENV": "development", "SESSION_IDLE_MINUTES": "abc"}, "must be a whole number"),
    ],
)
def test_a_configuration_mistake_is_one_clear_line_not_a_traceback(tmp_path, env, message):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    clean = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "APP_ENV")}
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "health"],
        cwd=root,
        env={**clean, "INSTANCE_PATH": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Configuration error: ")
    assert message in lines[0]


def test_users_unblock_lifts_a_sign_in_block(app, make_user):
    from tests.conftest import sign_in

    user = make_user()
    assert run(app, "users", "unblock", user.email).exit_code == 1  # not blocked
    for i in range(10):
        sign_in(app.test_client(), user.email, f"wrong-{i}")
    result = run(app, "users", "unblock", user.email.upper())
    assert result.exit_code == 0 and "Block lifted" in result.output
    assert sign_in(app.test_client(), user.email).status_code == 302


def test_users_unblock_lifts_a_block_on_an_address(app, make_user, monkeypatch):
    from tests.conftest import sign_in

    monkeypatch.setitem(app.config, "SIGN_IN_CLIENT_MAX_FAILURES", 3)
    user = make_user()
    for i in range(3):
        sign_in(app.test_client(), f"nobody{i}@example.gov.uk", "wrong")
    assert sign_in(app.test_client(), user.email).status_code == 200  # the address is blocked
    result = run(app, "users", "unblock", "127.0.0.1")
    assert result.exit_code == 0 and "Block lifted on 127.0.0.1" in result.output
    assert sign_in(app.test_client(), user.email).status_code == 302
    assert run(app, "users", "unblock", "127.0.0.1").exit_code == 1  # no longer blocked
    result = run(app, "users", "unblock", "not-an-address")
    assert result.exit_code == 1 and "neither an email address nor an IP address" in result.output
