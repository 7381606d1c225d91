"""The child's page: what is overdue is marked as on the caseload, and each "Change" link says
to a screen reader what it changes, once."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

from casework import services
from casework.models import Child
from core.extensions import db
from core.models import User

TODAY = dt.date.today()


def _hidden_link_texts(html: str) -> list[str]:
    """The text of each "Change" link as a screen reader hears it."""
    links = re.findall(r"<a [^>]*>\s*(Change.*?)</a>", html, re.S)
    return [" ".join(html_lib.unescape(re.sub(r"<[^>]+>", "", t)).split()) for t in links]


def test_an_overdue_review_is_marked_overdue_on_the_childs_page(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        child.next_due_on, child.next_due_kind = TODAY - dt.timedelta(days=3), "Eligibility review"
        db.session.commit()
    browser = browser_as(user=worker)
    html = browser.get(f"/casework/children/{child_id}").get_data(as_text=True)
    row = html.split("Next due", 1)[1].split("</div>", 1)[0]
    assert "govuk-tag--red" in row and "Overdue" in row and "Eligibility review" in row


def test_a_review_still_to_come_is_not_marked_overdue(app, browser_as, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        child.next_due_on, child.next_due_kind = TODAY + dt.timedelta(days=3), "Eligibility review"
        db.session.commit()
    html = browser_as(user=worker).get(f"/casework/children/{child_id}").get_data(as_text=True)
    row = html.split("Next due", 1)[1].split("</div>", 1)[0]
    assert "Overdue" not in row and "Eligibility review" in row


def test_change_links_say_what_they_change_once(
    app, browser_as, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        user = db.session.get(User, worker.id)
        services.save_family_member(
            child,
            {"kind": "carer", "name": "Arjun Cartwright", "relationship_to_child": "mother"},
        )
        services.record_decision(
            child,
            user,
            tier="targeted",
            criterion_ids=crit["targeted"][:1],
            rationale="Meets the criteria",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=365),
        )
        services.save_registration(
            child,
            user,
            {"provider_service_id": "other", "activity": "Saturday sailing", "from_date": TODAY},
        )
        db.session.commit()
    html = browser_as(user=worker).get(f"/casework/children/{child_id}").get_data(as_text=True)
    texts = _hidden_link_texts(html)
    assert "Change details (Arjun Cartwright (Mother))" in texts
    assert not any(t.count("Arjun Cartwright") > 1 for t in texts), texts
    on = TODAY.strftime("%-d %B %Y")
    assert f"Change the registration for Saturday sailing from {on}" in texts


def test_a_registration_change_link_names_the_service_as_it_reads_now(
    app, browser_as, make_child, make_criteria, team_and_worker
):
    from providers import services as providers
    from tests.providers.conftest import provider_data, service_data

    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        owner = providers.create_provider(provider_data(name="Kestrel Trust"))
        service = providers.create_service(owner, service_data(name="Climbing Club"))
        child = db.session.get(Child, child_id)
        user = db.session.get(User, worker.id)
        services.record_decision(
            child,
            user,
            tier="targeted",
            criterion_ids=crit["targeted"][:1],
            rationale="Meets the criteria",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=365),
        )
        services.save_registration(
            child, user, {"provider_service_id": str(service.id), "from_date": TODAY}
        )
        providers.update_service(service, {**service_data(), "name": "Climbing and Bouldering"})
        db.session.commit()
    html = browser_as(user=worker).get(f"/casework/children/{child_id}").get_data(as_text=True)
    on = TODAY.strftime("%-d %B %Y")
    assert f"Change the registration for Climbing and Bouldering from {on}" in _hidden_link_texts(
        html
    )
