"""Playwright against Debian's chromium, on the live server (tests/live.py), with axe-core.

Playwright cannot download its own browser here; /usr/bin/chromium is used instead.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from core.extensions import db
from core.roles import Role
from tests.conftest import PASSWORD, loaded_user

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
_counter = itertools.count(1)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def live_user(live_server):
    """live_user(Role.X, teams=[team_name, ...]) -> a user saved in the live database."""
    from core.models import Team
    from core.users import create_user

    def factory(*roles, teams=(), name=None):
        n = next(_counter)
        with live_server.app.app_context():
            team_rows = []
            for t in teams:
                team = db.session.query(Team).filter_by(name=t).one_or_none()
                if team is None:
                    team = Team(name=t)
                    db.session.add(team)
                team_rows.append(team)
            user = create_user(
                f"live{n}@test.example.gov.uk",
                name or f"Live User {n}",
                roles or [Role.PRACTITIONER],
                PASSWORD,
                team_rows,
            )
            db.session.commit()
            return loaded_user(user.id)

    return factory


def sign_in_page(page, live_server, email, password=PASSWORD):
    page.goto(f"{live_server.url}/sign-in")
    page.get_by_label("Email address").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


@pytest.fixture
def signed_in_page(page, live_server, live_user):
    """signed_in_page(*roles, teams=()) -> (page, user), signed in through the real form."""

    def factory(*roles, teams=(), user=None):
        user = user or live_user(*roles, teams=teams)
        sign_in_page(page, live_server, user.email)
        assert "/sign-in" not in page.url, "sign-in failed"
        return page, user

    return factory


@pytest.fixture
def console_errors(page):
    """Errors the page logs (a CSP violation, a failed script): collected for assertions."""
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def assert_accessible(page, context: str = ""):
    """Run axe-core (WCAG 2.2 A and AA rules) on the page; fail on any violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol, so the page's CSP does not block it.
        page.evaluate(AXE.read_text() + "\n;0")
    result = page.evaluate(
        """async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})""",
        AXE_TAGS,
    )
    violations = result["violations"]
    if violations:
        lines = []
        for v in violations:
            targets = [", ".join(n["target"]) for n in v["nodes"][:5]]
            lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {targets}")
        pytest.fail(
            f"axe found accessibility violations on {page.url} {context}:\n" + "\n".join(lines)
        )


@pytest.fixture(name="assert_accessible")
def assert_accessible_fixture():
    return assert_accessible
