"""Casework search at 20,000 children on PostgreSQL: p50 and p95 of typical searches.

A benchmark, not a test. It builds a scratch database with the real migrations (so the real
indexes), loads 20,000 invented children across four teams, and times what the search page
does for each search: the count for "N children found" plus the 25 rows of the page, through
``casework.search.search_statement`` (the query the page runs).

    .venv/bin/python benchmarks/casework_search.py [--children 20000] [--runs 40]

The server comes from BENCH_PG (default postgresql://postgres@127.0.0.1:5432); the scratch
database (casework_search_bench) is dropped and made again each run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from casework.demo_words import FIRST_NAMES, LAST_NAMES  # noqa: E402

DB_NAME = "casework_search_bench"

# The demo's invented names (casework.demo_words): the same 20 first names and 30 surnames the
# benchmark has always drawn from, so that its children, and so what each search finds, stay
# those benchmarks/README.md reports.
FIRST = [FIRST_NAMES[i] for i in (*range(14), 20, 21, 22, 24, 29, 38)]
LAST = LAST_NAMES[:30]


def scratch_database(base: str) -> str:
    url = make_url(base).set(drivername="postgresql+psycopg")
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{DB_NAME}"'))
        conn.execute(text(f'CREATE DATABASE "{DB_NAME}"'))
    admin.dispose()
    return url.set(database=DB_NAME).render_as_string(hide_password=False)


_NHS_USED: set[str] = set()


def nhs_number(rng: random.Random) -> str:
    """An invented NHS number (999 test range) with a valid check digit, used by no other
    child: an NHS number belongs to one child."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        number = "".join(map(str, digits)) + str(check)
        if check != 10 and number not in _NHS_USED:
            _NHS_USED.add(number)
            return number


def load(n_children: int, rng: random.Random):
    from casework.models import Child, ChildDisability
    from casework.services import case_number_for
    from core.extensions import db
    from core.models import Team, TeamMembership, User, UserRole
    from core.reference import DEMO_LOCALITIES, ensure_demo_localities

    ensure_demo_localities()
    teams = [Team(name=f"Team {i}") for i in range(4)]
    db.session.add_all(teams)
    db.session.flush()
    users = []
    for i in range(4 * 5):
        u = User(email=f"worker{i}@bench.example", name=f"Worker {i}", password_hash="x")
        db.session.add(u)
        users.append(u)
    manager = User(email="manager@bench.example", name="Manager", password_hash="x")
    everyone = User(email="all@bench.example", name="All teams", password_hash="x")
    db.session.add_all([manager, everyone])
    db.session.flush()
    for i, u in enumerate(users):
        db.session.add(TeamMembership(user_id=u.id, team_id=teams[i % 4].id))
        db.session.add(UserRole(user_id=u.id, role="practitioner"))
    db.session.add(TeamMembership(user_id=manager.id, team_id=teams[0].id))
    db.session.add(UserRole(user_id=manager.id, role="team_manager"))
    for t in teams:
        db.session.add(TeamMembership(user_id=everyone.id, team_id=t.id))
    db.session.add(UserRole(user_id=everyone.id, role="team_manager"))
    db.session.flush()

    today = dt.date.today()
    codes = [c for c, _ in DEMO_LOCALITIES]
    cats = ["AUT", "LD", "COMM", "BEH", "MOB", "PC", "HEAR", "VIS", "HAND", "INC", "CON", "DDA"]
    children, disabilities = [], []
    for cid in range(1, n_children + 1):
        worker = rng.choice(users)
        team_id = teams[users.index(worker) % 4].id
        children.append(
            {
                "id": cid,
                "case_number": case_number_for(cid),
                "first_name": rng.choice(FIRST),
                "last_name": rng.choice(LAST) + rng.choice(["", "", "", "-Smith", "son"]),
                "preferred_name": "",
                "date_of_birth": today - dt.timedelta(days=rng.randint(0, 25 * 365)),
                "nhs_number": nhs_number(rng) if rng.random() < 0.85 else None,
                "locality": rng.choice(codes),
                "postcode": "NN1 1AA",
                "status": "closed" if rng.random() < 0.1 else "open",
                "current_tier": rng.choice(
                    ["targeted", "specialist", "pending_assessment", "not_eligible", None]
                ),
                "allocated_team_id": team_id,
                "allocated_worker_id": worker.id if rng.random() < 0.9 else None,
                "version": 1,
            }
        )
        for c in rng.sample(cats, rng.choice([1, 1, 2, 3])):
            disabilities.append({"child_id": cid, "category": c})
    db.session.execute(insert(Child), children)
    db.session.execute(insert(ChildDisability), disabilities)
    db.session.execute(text("SELECT setval('child_id_seq', (SELECT max(id) FROM child))"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()  # keep the statistics (autovacuum would gather them in production)
    return {
        "practitioner": users[0],
        "team manager": manager,
        "manager of all 4 teams": everyone,
    }, children


def time_search(user, criteria, runs: int):
    from casework import search
    from core.extensions import db

    stmt = search.search_statement(user, criteria)
    timings = []
    for i in range(runs + 3):
        start = time.perf_counter()
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        rows = db.session.scalars(stmt.limit(25)).unique().all()
        elapsed = (time.perf_counter() - start) * 1000
        db.session.rollback()  # a fresh transaction and no identity map, as each request has
        if i >= 3:
            timings.append(elapsed)
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    return statistics.median(timings), p95, total, len(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--children", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--explain", action="store_true", help="print the plan of each search")
    args = parser.parse_args()
    base = os.environ.get("BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    url = scratch_database(base)

    from casework import search
    from core import create_app
    from core.extensions import db

    app = create_app(
        {
            "APP_ENV": "test",
            "SECRET_KEY": "benchmark-only",
            "SQLALCHEMY_DATABASE_URI": url,
            "CELERY_BROKER_URL": "memory://",
            "CELERY_RESULT_BACKEND": "cache+memory://",
        }
    )
    with app.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
        rng = random.Random(20_000)
        t0 = time.perf_counter()
        people, children = load(args.children, rng)
        print(f"Loaded {args.children:,} children in {time.perf_counter() - t0:.1f}s")
        # A child the practitioner and their team manager may see (team 1).
        team1 = min(c["allocated_team_id"] for c in children)
        mine = [c for c in children if c["allocated_team_id"] == team1]
        sample = mine[len(mine) // 2]
        nhs = next(c["nhs_number"] for c in mine[100:] if c["nhs_number"])
        dob = sample["date_of_birth"]
        s = search.SearchCriteria
        searches = [
            ("surname prefix 'mar'", s(q="mar")),
            ("first and last name 'amelia hol'", s(q="amelia hol")),
            ("case number", s(q=sample["case_number"])),
            ("NHS number", s(q=nhs)),
            ("date of birth", s(q=dob.strftime("%d/%m/%Y"))),
            ("age 11-15 + locality + tier", s(age_band="11-15", locality="north", tier="targeted")),
            ("disability AUT, open", s(disability="AUT", status="open")),
            ("everything, sorted by name", s()),
            ("everything, sorted by date of birth desc", s(sort="dob", direction="desc")),
        ]
        print(f"{'search':44} {'as':24} {'found':>6} {'p50 ms':>8} {'p95 ms':>8}")
        worst = 0.0
        for who, user in people.items():
            user = db.session.merge(user)
            for label, criteria in searches:
                p50, p95, total, _ = time_search(user, criteria, args.runs)
                worst = max(worst, p95)
                print(f"{label:44} {who:24} {total:>6} {p50:>8.1f} {p95:>8.1f}")
                if args.explain and who == "manager of all 4 teams":
                    stmt = search.search_statement(user, criteria).limit(25)
                    compiled = stmt.compile(db.engine, compile_kwargs={"literal_binds": True})
                    plan = db.session.execute(text(f"EXPLAIN ANALYZE {compiled}")).scalars()
                    print("    " + "\n    ".join(plan))
                    db.session.rollback()
        print(f"Slowest p95: {worst:.1f} ms (target: under 100 ms)")
        db.session.remove()
        db.engine.dispose()
    return 0 if worst < 100 else 1


if __name__ == "__main__":
    raise SystemExit(main())
