"""Usage against capacity: places used from today's registrations, nights said plainly to be not
recorded yet, and usage by the localities services run in."""

import datetime as dt
import re

from core.roles import Role
from providers import services

TODAY = dt.date.today()


def _row(html: str, text: str) -> str:
    """The table row (<tr>...</tr>) that contains text."""
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S):
        if text in row:
            return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).strip()
    raise AssertionError(f"no row with {text!r}")


def _table(html: str, caption: str) -> str:
    start = html.index(caption)
    return html[start : html.index("</table>", start)]


def test_places_used_against_places_and_full(app, browser_as, make_service, register_child):
    service_id = make_service(name="Swim Squad", capacity=2, localities=["north"])
    register_child(service_id, TODAY - dt.timedelta(days=3))
    register_child(service_id, TODAY - dt.timedelta(days=3))
    with app.app_context():
        row = next(r for r in services.usage_report() if r["service"].id == service_id)
        assert (row["places_used"], row["capacity"], row["full"]) == (2, 2, True)
    html = browser_as(Role.COMMISSIONER).get("/providers/usage").get_data(as_text=True)
    row = _row(_table(html, "Usage by service"), "Swim Squad")
    assert "2 of 2 places per session used" in row
    assert "Full" in row


def test_nights_are_not_counted_as_children_and_never_full(
    app, browser_as, make_service, register_child
):
    service_id = make_service(
        name="Moonlight Stays",
        short_break_type="overnight_elsewhere",
        tier="specialist",
        capacity=120,
        capacity_unit="nights_per_year",
        rate_unit="night",
        localities=["south"],
    )
    register_child(service_id, TODAY - dt.timedelta(days=3))
    with app.app_context():
        row = next(r for r in services.usage_report() if r["service"].id == service_id)
        assert row["nights_used"] is None and row["full"] is False
    html = browser_as(Role.COMMISSIONER).get("/providers/usage").get_data(as_text=True)
    row = _row(_table(html, "Usage by service"), "Moonlight Stays")
    assert "120 nights a year" in row
    assert "Nights used: not recorded yet (comes with support plans)" in row
    assert "Full" not in row


def test_usage_by_the_localities_services_run_in(app, browser_as, make_service, register_child):
    north_places = make_service(name="North Club", capacity=10, localities=["north"])
    make_service(name="Shared Club", capacity=5, localities=["north", "south"])
    make_service(
        name="North Nights",
        short_break_type="overnight_elsewhere",
        capacity=120,
        capacity_unit="nights_per_year",
        localities=["north"],
    )
    # A child living in Southmere who uses a service that runs in Northbrook.
    register_child(north_places, TODAY - dt.timedelta(days=1), locality="south")
    with app.app_context():
        rows = {r["locality"]: r for r in services.usage_by_service_locality()}
        north, south = rows["north"], rows["south"]
        assert (north["services"], north["places"], north["nights"]) == (3, 15, 120)
        assert north["children"] == 1 and north["nights_used"] is None
        assert (south["services"], south["places"], south["nights"]) == (1, 5, 0)
    html = browser_as(Role.COMMISSIONER).get("/providers/usage").get_data(as_text=True)
    table = _table(html, "Usage by locality")
    for heading in ("Places per session", "Children registered now", "Nights a year"):
        assert heading in table
    north_row = _row(table, "Northbrook")
    assert north_row.split()[1:5] == ["3", "15", "1", "120"], north_row
    assert "Not recorded yet" in north_row
