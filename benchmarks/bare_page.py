"""One page that only a benchmark needs (registered by benchmarks/bench_wsgi.py, never by the app).

`/bench/bare-caseload` renders the very template of the practitioner's caseload (the signed-in
page measured) with invented rows and a stand-in for the signed-in user: the same layout,
navigation and amount of HTML, and no database, session row, access check or audit. The
difference between the two pages is what signing in, the database and the rules cost.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from flask import Blueprint, g, render_template

from core.access import public
from core.roles import Role

bench = Blueprint("bench", __name__, url_prefix="/bench")


class StandInUser:
    """Enough of a signed-in practitioner for the layout (name, navigation, caseload links)."""

    is_authenticated = True
    is_active = True
    is_anonymous = False
    id = 0
    name = "Priya Practitioner"
    email = "practitioner@example.gov.uk"
    roles = {Role.PRACTITIONER}
    team_ids = {1}

    def has_role(self, *roles):
        return bool(self.roles.intersection(roles))

    def get_id(self):
        return "0"


TODAY = dt.date.today()
ROWS = [
    SimpleNamespace(
        id=1000 + n,
        display_name=f"Invented Child {n}",
        case_number=f"C{1000 + n:06d}",
        date_of_birth=TODAY.replace(year=TODAY.year - 3 - n % 20, day=1),
        locality=("north", "south", "east", "west", "central", "coast")[n % 6],
        current_tier=("targeted", "specialist", "pending_assessment", None)[n % 4],
        next_due_on=TODAY + dt.timedelta(days=n * 7 - 30),
        next_due_kind="Eligibility review",
        allocated_worker=None,
    )
    for n in range(25)
]


@bench.get("/bare-caseload")
@public
def bare_caseload():
    from core.reference import DEMO_LOCALITIES

    g._login_user = StandInUser()
    pages = [{"number": n, "href": f"/casework/?page={n}", "current": n == 1} for n in (1, 2, 3)]
    return render_template(
        "casework/caseload.html",
        pager=SimpleNamespace(items=ROWS, total=60),
        scope="mine",
        counts={"total": 60, "overdue": 5, "unallocated": 0},
        today=TODAY,
        locality_labels=dict(DEMO_LOCALITIES),
        pagination={"items": pages, "next": {"href": "/casework/?page=2"}},
    )
