"""One page that only a benchmark needs (registered by benchmarks/bench_wsgi.py, never by the app).

`/bench/bare-caseload` renders the very template of a practitioner's caseload (the signed-in
page measured) with the very rows that page shows, copied once at start-up (`take_snapshot`),
and a stand-in for the signed-in user: the same layout, navigation and HTML, and no database,
session row, access check or audit per request. The difference between the two pages is what
signing in, the database and the rules cost.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, current_app, g, render_template
from sqlalchemy import select

from core.access import public
from core.extensions import db
from core.models import User
from core.pagination import given_page, page_number, pagination_params

bench = Blueprint("bench", __name__, url_prefix="/bench")

_snapshot: dict = {}


class StandInUser:
    """Enough of the signed-in user for the layout (name, navigation, caseload links), as plain
    values copied from the real user."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User):
        self.id = user.id
        self.name = user.name
        self.email = user.email
        self.roles = frozenset(user.roles)
        self.team_ids = frozenset(user.team_ids)

    def has_role(self, *roles):
        return not self.roles.isdisjoint(roles)

    def get_id(self):
        return str(self.id)


def take_snapshot(app, email: str) -> None:
    """Once, before serving: the first page of this user's caseload ("Allocated to me"), read
    by the same service as the signed-in page (its rows are plain values, not ORM objects)."""
    from casework.search import caseload_page

    with app.test_request_context("/casework/"):
        user = db.session.scalars(select(User).where(User.email == email)).one()
        per_page = app.config["PAGE_SIZE"]
        rows, counts = caseload_page(user, "mine", 1, per_page)
        _snapshot.update(user=StandInUser(user), rows=rows, counts=counts)
        db.session.rollback()


@bench.get("/bare-caseload")
@public
def bare_caseload():
    if not _snapshot:
        abort(404)  # take_snapshot was not called: there is nothing to show
    g._login_user = _snapshot["user"]
    # The pager and its links are worked out on every request, as the real page does.
    pager = given_page(
        _snapshot["rows"],
        _snapshot["counts"]["total"],
        page_number(),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "casework/caseload.html",
        pager=pager,
        scope="mine",
        counts=_snapshot["counts"],
        cannot_sign_in=0,
        today=dt.date.today(),
        pagination=pagination_params(pager, "casework.index"),
    )
