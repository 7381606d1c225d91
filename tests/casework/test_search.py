"""Finding a child the way people type: preferred names, names with punctuation or accents, and
a name with a date of birth in one go."""

from __future__ import annotations

import datetime as dt

import pytest

from casework import search
from casework.models import Child
from core.extensions import db
from core.models import User


@pytest.fixture
def children(app, make_child, team_and_worker):
    team, worker = team_and_worker
    for first, last, preferred, dob in (
        ("Teresa", "Varley", "Tes", dt.date(2012, 6, 1)),
        ("Siobhan", "O'Neill", "", dt.date(2014, 2, 3)),
        ("Liam", "O’Neill", "", dt.date(2016, 8, 9)),
        ("Aoife", "ONeill", "", dt.date(2018, 1, 1)),
        ("Neil", "Ashworth", "", dt.date(2011, 1, 1)),
        ("Anne-Marie", "Smith", "", dt.date(2015, 4, 3)),
        ("John", "Smith", "", dt.date(2013, 1, 1)),
        ("Zoë", "Ellerby-Smith", "", dt.date(2015, 4, 3)),
    ):
        make_child(
            team=team,
            worker=worker,
            first_name=first,
            last_name=last,
            preferred_name=preferred,
            date_of_birth=dob,
        )
    return worker


def _found(worker, q):
    user = db.session.get(User, worker.id)
    stmt = search.search_statement(user, search.SearchCriteria(q=q))
    return sorted(f"{c.first_name} {c.last_name}" for c in db.session.scalars(stmt))


def test_preferred_names_are_found(app, children):
    with app.app_context():
        assert _found(children, "Tes") == ["Teresa Varley"]
        assert _found(children, "tes varley") == ["Teresa Varley"]
        assert _found(children, "Varley, Tes") == ["Teresa Varley"]


@pytest.mark.parametrize("q", ["o neill", "o'neill", "O’Neill", "oneill", "ONEILL", "o-neill"])
def test_punctuation_and_spaces_in_names_are_ignored(app, children, q):
    with app.app_context():
        assert _found(children, q) == ["Aoife ONeill", "Liam O’Neill", "Siobhan O'Neill"]


def test_first_and_last_names_with_punctuation(app, children):
    with app.app_context():
        assert _found(children, "liam o neill") == ["Liam O’Neill"]
        assert _found(children, "o'neill siobhan") == ["Siobhan O'Neill"]
        assert _found(children, "anne marie smith") == ["Anne-Marie Smith"]
        assert _found(children, "annemarie") == ["Anne-Marie Smith"]
        assert _found(children, "zoe") == ["Zoë Ellerby-Smith"]  # accents too
        assert _found(children, "ellerby smith") == ["Zoë Ellerby-Smith"]
        assert _found(children, "neil") == ["Neil Ashworth"]


def test_a_name_and_a_date_of_birth_together(app, children):
    with app.app_context():
        for q in (
            "smith 03/04/2015",
            "03/04/2015 smith",
            "smith 3 April 2015",
            "Smith, 3-4-2015",
            "smith 2015-04-03",
        ):
            assert _found(children, q) == ["Anne-Marie Smith"], q
        assert _found(children, "anne 3/4/2015") == ["Anne-Marie Smith"]
        assert _found(children, "john smith 3/4/2015") == []
        assert _found(children, "3/4/2015") == ["Anne-Marie Smith", "Zoë Ellerby-Smith"]


def test_nothing_searchable_finds_nobody(app, children):
    with app.app_context():
        assert _found(children, "%%") == []
        assert _found(children, "'") == []


def test_search_names_follow_changes_to_the_record(app, children, make_child):
    with app.app_context():
        child = db.session.scalar(db.select(Child).where(Child.first_name == "Teresa"))
        child.preferred_name = "Terri"
        child.last_name = "D'Arcy"
        db.session.commit()
        assert _found(children, "terri darcy") == ["Teresa D'Arcy"]
        assert _found(children, "tes") == []
        assert (child.search_last_name, child.search_preferred_name) == ("darcy", "terri")


def test_rows_written_without_the_orm_get_search_names(app, children):
    """Bulk loaders (demo data, benchmarks) insert rows directly: the names are still found."""
    from sqlalchemy import insert

    with app.app_context():
        db.session.execute(
            insert(Child),
            [
                {
                    "id": 900_001 + i,
                    "case_number": f"X{i}",
                    "first_name": "Bulk",
                    "last_name": f"Mc'Load{i}",
                    "preferred_name": "",
                    "date_of_birth": dt.date(2015, 1, 1),
                    "locality": "north",
                    "allocated_worker_id": children.id,
                }
                for i in range(2)
            ],
        )
        assert _found(children, "mcload") == ["Bulk Mc'Load0", "Bulk Mc'Load1"]


def test_demo_children_have_search_names_and_one_record_per_nhs_number(app):
    import random

    from sqlalchemy import func, select

    from casework import demo as casework_demo
    from casework.names import search_key
    from core.demo import load_core
    from providers import demo as providers_demo

    with app.app_context():
        load_core(random.Random("2026:core"))
        providers_demo.load(random.Random("2026:providers"))
        casework_demo.load(random.Random("2026:casework"))
        db.session.flush()
        rows = db.session.execute(
            select(
                Child.last_name,
                Child.search_last_name,
                Child.preferred_name,
                Child.search_preferred_name,
            )
        ).all()
        assert len(rows) > 1000
        for last, search_last, preferred, search_preferred in rows:
            assert (search_last, search_preferred) == (search_key(last), search_key(preferred))
        repeated = db.session.scalar(
            select(func.count()).select_from(
                select(Child.nhs_number)
                .where(Child.nhs_number.is_not(None))
                .group_by(Child.nhs_number)
                .having(func.count() > 1)
                .subquery()
            )
        )
        assert repeated == 0


def test_a_bare_number_finds_the_case_with_that_number(app, children, make_child):
    with app.app_context():
        child = db.session.scalar(db.select(Child).where(Child.first_name == "Neil"))
        number = int(child.case_number[1:])
        for q in (str(number), f"{number:06d}", f" {number} ", child.case_number.lower()):
            assert _found(children, q) == ["Neil Ashworth"], q
        assert _found(children, "9999999") == []  # seven digits: not a case number
        assert _found(children, "٤") == []  # only ASCII digits are a number


def test_a_bare_number_still_finds_names_that_start_with_it(
    app, children, make_child, team_and_worker
):
    team, worker = team_and_worker
    make_child(team=team, worker=children, first_name="4ever", last_name="Quirke")
    with app.app_context():
        assert "4ever Quirke" in _found(children, "4")
