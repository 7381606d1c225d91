"""Demo data: deterministic, idempotent, invented. Each package registers its own loader,
run in order after the core's (users and teams)."""

from __future__ import annotations

import random
from collections.abc import Callable

from sqlalchemy import select

from .extensions import db
from .models import Team, User
from .roles import Role

DEMO_PASSWORD = "demo-password-2026"

# (email, name, roles, teams)
DEMO_USERS = [
    ("admin@example.gov.uk", "Alex Admin", [Role.ADMINISTRATOR], []),
    ("practitioner@example.gov.uk", "Priya Practitioner", [Role.PRACTITIONER], ["North team"]),
    ("manager@example.gov.uk", "Morgan Manager", [Role.TEAM_MANAGER], ["North team"]),
    ("finance@example.gov.uk", "Frankie Finance", [Role.FINANCE_OFFICER], []),
    ("commissioner@example.gov.uk", "Casey Commissioner", [Role.COMMISSIONER], []),
    # A second commissioner (service manager): statement text is approved by someone other
    # than its author.
    ("servicemanager@example.gov.uk", "Sam Service-Manager", [Role.COMMISSIONER], []),
]
DEMO_TEAMS = ["North team", "South team", "East team", "West team"]

_LOADERS: list[tuple[int, str, Callable]] = []


def register_loader(order: int, name: str, fn: Callable[[random.Random], None]) -> None:
    """A package's demo loader: fn(rng) adds its records if they are not there yet."""
    if not any(n == name for _, n, _ in _LOADERS):
        _LOADERS.append((order, name, fn))
        _LOADERS.sort(key=lambda x: x[0])


def load_core(rng: random.Random) -> None:
    from .reference import ensure_demo_localities
    from .users import create_user

    ensure_demo_localities()
    teams = {}
    for name in DEMO_TEAMS:
        team = db.session.scalar(select(Team).where(Team.name == name))
        if team is None:
            team = Team(name=name, description=f"Children with disabilities — {name}")
            db.session.add(team)
        teams[name] = team
    db.session.flush()
    for email, name, roles, team_names in DEMO_USERS:
        if db.session.scalar(select(User).where(User.email == email)) is None:
            create_user(email, name, roles, DEMO_PASSWORD, [teams[t] for t in team_names])


def load_all(seed: int = 2026, echo=print) -> None:
    import importlib

    from . import DOMAIN_PACKAGES

    for name in DOMAIN_PACKAGES:
        try:
            importlib.import_module(f"{name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.demo":
                raise
    register_loader(0, "core", load_core)
    for _order, name, fn in list(_LOADERS):
        fn(random.Random(f"{seed}:{name}"))
        db.session.commit()
        echo(f"  demo data: {name} ready")


def sign_in_details() -> list[tuple[str, str, str]]:
    """(email, roles, password) for every demo user, for `make run` to print."""
    rows = db.session.scalars(
        select(User).where(User.email.like("%@example.gov.uk")).order_by(User.email)
    ).all()
    # The one-per-role accounts first, then the other demo staff.
    first = [e for e, *_ in DEMO_USERS]
    rows.sort(key=lambda u: (first.index(u.email) if u.email in first else len(first), u.email))
    return [
        (u.email, ", ".join(sorted(r.label for r in u.roles)), DEMO_PASSWORD)
        for u in rows
        if u.enabled
    ]
