"""Fixtures for casework tests: localities, criteria and children made through the services."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from core.extensions import db
from core.models import Team, User

_n = itertools.count(1)


def years_ago(years: int, today: dt.date | None = None) -> dt.date:
    """The same day `years` ago (28 February for a 29 February)."""
    today = today or dt.date.today()
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


CHILD = {
    "first_name": "Amelia",
    "last_name": "Hollins",
    "preferred_name": "",
    "date_of_birth": dt.date(2015, 3, 27),
    "gender": "female",
    "ethnicity": "WBRI",
    "first_language": "English",
    "nhs_number": "",
    "address_line_1": "12 Mill Lane",
    "address_line_2": "",
    "town": "Northbrook",
    "postcode": "NN1 1AA",
    "locality": "north",
    "school": "Meadow Way Primary School",
    "ehc_plan": False,
    "ehc_plan_date": None,
    "disability_register": True,
    "communication_needs": "",
    "health_needs": "",
    "consent_to_share": True,
}


@pytest.fixture(autouse=True)
def _localities(app):
    from core.reference import ensure_demo_localities

    with app.app_context():
        ensure_demo_localities()
        db.session.commit()


@pytest.fixture
def make_child(app, make_user):
    """make_child(team=team, worker=user, **fields) -> the new child's id."""
    from casework import services

    def factory(team=None, worker=None, disabilities=("AUT",), **fields):
        data = {**CHILD, "last_name": f"Hollins{next(_n)}", **fields}
        recorder = worker or make_user()
        with app.app_context():
            by = db.session.get(User, recorder.id)
            child = services.create_child(
                by,
                data,
                list(disabilities),
                team=db.session.get(Team, team.id) if team else None,
                worker=db.session.get(User, worker.id) if worker else None,
            )
            db.session.commit()
            return child.id

    return factory


@pytest.fixture
def make_criteria(app):
    """make_criteria() -> {'targeted': [id, ...], 'specialist': [id, ...]}."""
    from casework import services

    def factory():
        with app.app_context():
            out = {"targeted": [], "specialist": []}
            for tier in out:
                for i in range(2):
                    c = services.save_criterion(
                        {"tier": tier, "text": f"{tier} criterion {i + 1}", "sort_order": i}
                    )
                    out[tier].append(c.id)
            db.session.commit()
            return out

    return factory


@pytest.fixture
def team_and_worker(make_team, make_user):
    """A team with a practitioner in it: (team, practitioner)."""
    from core.roles import Role

    team = make_team()
    worker = make_user(Role.PRACTITIONER, teams=[team])
    return team, worker
