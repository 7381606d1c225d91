"""The audit log is append-only, written with the change, and searchable by administrators."""

import datetime as dt

import pytest
from sqlalchemy import select, update

from core import audit
from core.extensions import db
from core.models import AuditEvent, Team
from core.roles import Role


def test_a_change_and_its_audit_row_are_one_transaction(app):
    with app.test_request_context():
        db.session.add(Team(name="Rolled back team"))
        db.session.flush()
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.record_type == "team", AuditEvent.action == "create"
            )
        )
        db.session.rollback()
        assert (
            db.session.scalar(
                select(AuditEvent).where(
                    AuditEvent.record_type == "team", AuditEvent.action == "create"
                )
            )
            is None
        )


def test_audit_rows_cannot_be_changed_through_the_application(app):
    with app.test_request_context():
        row = audit.record("view", "child", 1)
        db.session.flush()
        row.detail = "tampered"
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()
        row = audit.record("view", "child", 2)
        db.session.flush()
        db.session.delete(row)
        with pytest.raises(PermissionError):
            db.session.flush()
        db.session.rollback()


def test_audit_search_filters_by_user_action_and_date(app, browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    practitioner = browser_as(Role.PRACTITIONER)
    practitioner.get("/admin/users")  # refused: audited
    page = admin.get(f"/admin/audit?q={practitioner.user.email}&action=access_refused")
    html = page.get_data(as_text=True)
    assert "1 entries" in html
    assert "/admin/users" in html
    none = admin.get(f"/admin/audit?q={practitioner.user.email}&action=sign_out")
    assert "No entries match" in none.get_data(as_text=True)


def test_audit_search_rejects_a_bad_date_with_a_message(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.get("/admin/audit?date_from=31&date_from=02&date_from=2026")
    assert page.status_code == 200
    assert "From must be a real date" in page.get_data(as_text=True)
    page = admin.get("/admin/audit?date_from=1&date_from=&date_from=2026")
    assert "From must include a month" in page.get_data(as_text=True)
    page = admin.get("/admin/audit?date_from=1")  # a hostile client sends one part only
    assert page.status_code == 200


def test_database_refuses_update_and_delete_of_audit_rows(migrated_engine):
    """The triggers created by the migration, on SQLite or PostgreSQL."""
    from sqlalchemy import delete, insert
    from sqlalchemy.exc import DBAPIError

    with migrated_engine.begin() as conn:
        conn.execute(insert(AuditEvent.__table__).values(action="view", occurred_at=db.func.now()))
    with pytest.raises(DBAPIError), migrated_engine.begin() as conn:
        conn.execute(update(AuditEvent.__table__).values(detail="tampered"))
    with pytest.raises(DBAPIError), migrated_engine.begin() as conn:
        conn.execute(delete(AuditEvent.__table__))


def test_rows_about_a_child_are_found_by_whose_record_they_concern(app, browser_as, monkeypatch):
    """A carer's or a note's row names the child it concerns, and a registered lookup turns
    what the administrator types (a case number, say) into that child."""
    monkeypatch.setattr(
        audit, "SUBJECT_LOOKUPS", [lambda term: ("child", 4242) if term == "C004242" else None]
    )
    with app.test_request_context():
        audit.record("update", "carer", 17, subject=("child", 4242), detail="about the child")
        audit.record("update", "carer", 18, subject=("child", 999), detail="another child")
        db.session.commit()
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.get("/admin/audit?q=C004242").get_data(as_text=True)
    assert "about the child" in page and "another child" not in page


def test_the_audit_log_reads_as_words_and_can_be_filtered_by_role(app, browser_as, make_user):
    user = make_user(Role.PRACTITIONER)
    admin = browser_as(Role.ADMINISTRATOR)
    admin.post(
        f"/admin/users/{user.id}/edit",
        {"name": user.name, "roles": ["practitioner", "finance_officer"], "version": "1"},
    )
    page = admin.get(f"/admin/audit?q={user.id}&record_type=user_account").get_data(as_text=True)
    assert "Practitioner → Finance officer, Practitioner" not in page  # values, not labels
    assert "practitioner → finance_officer, practitioner" in page
    assert "[&#39;" not in page and "None" not in page
    assert "Administrator" in page  # the role of the person who made the change
    finance = browser_as(Role.FINANCE_OFFICER)  # its sign-in is audited with its role
    by_role = admin.get("/admin/audit?role=finance_officer").get_data(as_text=True)
    assert finance.user.email in by_role and admin.user.email not in by_role


def test_the_audit_search_refuses_a_to_date_before_the_from_date(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    page = admin.get(
        "/admin/audit?date_from=5&date_from=3&date_from=2026&date_to=1&date_to=3&date_to=2026"
    ).get_data(as_text=True)
    assert "The ‘To’ date must be the same as or after the ‘From’ date" in page


def test_the_audit_search_takes_the_last_date_there_is(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    browser_as(Role.PRACTITIONER).get("/admin/users")  # refused today: audited
    today = dt.date.today()
    page = admin.get(
        "/admin/audit?action=access_refused&date_to=31&date_to=12&date_to=9999"
        f"&date_from={today.day}&date_from={today.month}&date_from={today.year}"
    )
    assert page.status_code == 200 and "1 entries" in page.get_data(as_text=True)
    # And a "To" date of today includes what happened today.
    page = admin.get(
        f"/admin/audit?action=access_refused&date_to={today.day}&date_to={today.month}"
        f"&date_to={today.year}"
    )
    assert "1 entries" in page.get_data(as_text=True)
