"""Every audit row about a child names the child (subject "child:<id>"), so an administrator who
types a case number into the audit log finds every view and change of that child's record:
carers, notes and decisions included."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from casework import models
from casework.models import Child
from core import audit
from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from tests.casework.test_views import _parts

TODAY = dt.date.today()


def test_every_model_of_a_child_names_the_child():
    owned = [
        m
        for m in vars(models).values()
        if isinstance(m, type)
        and issubclass(m, db.Model)
        and m is not db.Model
        and m.__module__ == models.__name__
    ]
    assert len(owned) >= 11
    for model in owned:
        if model is models.EligibilityCriterion:
            continue  # the administrators' list, not any child's
        assert isinstance(getattr(model, "audit_subject", None), property), model.__name__


@pytest.mark.parametrize(
    ("term", "found"),
    [("C001501", ("child", 1501)), ("c1501", ("child", 1501)), (" 1501 ", ("child", 1501))],
)
def test_case_numbers_and_ids_are_looked_up(term, found):
    assert found in [lookup(term) for lookup in audit.SUBJECT_LOOKUPS]


def test_lookups_ignore_other_terms():
    for term in ("someone@example.com", "C", "c-12", "C99999999999999", ""):
        assert all(lookup(term) is None for lookup in audit.SUBJECT_LOOKUPS), term


def test_the_audit_log_searched_by_case_number_lists_everything_about_the_child(
    app, browser_as, make_child, team_and_worker
):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    other_id = make_child(team=team, worker=worker)
    browser = browser_as(user=worker)
    base = f"/casework/children/{child_id}"
    carer = {
        "name": "Grace Hollins",
        "relationship_to_child": "mother",
        "parental_responsibility": "yes",
        "lives_with_child": "yes",
        "needs_carers_assessment": "no",
    }
    assert browser.post(f"{base}/carers/new", carer).status_code == 302
    note = {
        "occurred_on": _parts(TODAY),
        "note_type": "visit",
        "summary": "Home visit",
        "body": "Saw Amelia at home.",
    }
    assert browser.post(f"{base}/notes/new", note).status_code == 302
    assert browser.get(base).status_code == 200
    assert browser.get(f"/casework/children/{other_id}").status_code == 200

    with app.app_context():
        case_number = db.session.get(Child, child_id).case_number
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.subject == f"child:{child_id}")
        ).all()
        kinds = {(r.action, r.record_type) for r in rows}
        assert {
            ("create", "child"),
            ("create", "child_disability"),
            ("create", "family_member"),
            ("create", "case_note"),
            ("view", "child"),
        } <= kinds
    admin = browser_as(Role.ADMINISTRATOR)
    for term in (case_number, case_number.lower().replace("c00", "c"), str(child_id)):
        html = admin.get(f"/admin/audit?q={term}").get_data(as_text=True)
        assert "family member" in html and "case note" in html, term
        assert html.count(f"of child {child_id}") >= 3, term  # carer, note, disability
        assert re.search(r">\s*view\s*<", html), term
        assert f"child {other_id}" not in html, term
