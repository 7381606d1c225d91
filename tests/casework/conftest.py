"""Fixtures for casework tests: localities, criteria and children made through the services."""

from __future__ import annotations

import datetime as dt
import itertools
from html.parser import HTMLParser
from typing import NamedTuple

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


class OwnCase(NamedTuple):
    browser: object
    child_id: int
    worker: User
    team: Team


@pytest.fixture
def own_case(browser_as, make_child, team_and_worker) -> OwnCase:
    """A practitioner signed in, with a child allocated to them in their team:
    (browser, child_id, worker, team)."""
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    return OwnCase(browser_as(user=worker), child_id, worker, team)


class _FormReader(HTMLParser):
    """The values a browser would submit from the first posting form on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, list[str]] = {}
        self._in_form = False
        self._done = False
        self._select = None
        self._option = None
        self._textarea = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post" and not self._done:
            if "app-inline-form" not in (a.get("class") or ""):  # not the sign-out button
                self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind in ("radio", "checkbox"):
                if "checked" in a:
                    self._add(a["name"], a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self._add(a["name"], a.get("value") or "")
        elif tag == "select":
            self._select = a.get("name")
            self._add(self._select, "")
        elif tag == "option" and self._select:
            if "selected" in a:
                self.values[self._select][-1] = a.get("value", "")
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._add(self._textarea, "")

    def handle_data(self, data):
        if self._textarea:
            self.values[self._textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            if self._textarea:
                # Browsers drop the newline that follows <textarea>.
                value = self.values[self._textarea][-1]
                self.values[self._textarea][-1] = value.removeprefix("\n")
            self._textarea = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def form_values(html: str) -> dict:
    """What submitting the page's form unchanged would send: {name: value or [values]}."""
    reader = _FormReader()
    reader.feed(html)
    return {k: v[0] if len(v) == 1 else v for k, v in reader.values.items()}
