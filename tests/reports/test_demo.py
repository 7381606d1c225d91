"""The reports demo data: both years' statement text, written and approved, loaded once."""

import random

from core.extensions import db
from core.users import create_user
from reports import demo, narrative
from reports.services import financial_year_of


def test_demo_text_is_written_and_approved_once(app):
    import datetime as dt

    from core.roles import Role

    with app.app_context():
        for email, role in (
            ("servicemanager@example.gov.uk", Role.COMMISSIONER),
            ("commissioner@example.gov.uk", Role.COMMISSIONER),
        ):
            create_user(email, email.split("@")[0].title(), [role], "demo-password-2026", [])
        demo.load(random.Random(1))
        demo.load(random.Random(1))
        db.session.commit()
        year = financial_year_of(dt.date.today())
        for key in narrative.SECTIONS:
            rows = narrative.versions(year, key)
            assert len(rows) == 1 and rows[0].approved_by.email == "commissioner@example.gov.uk"
            assert rows[0].written_by.email == "servicemanager@example.gov.uk"
        assert f"for {year - 1} to {year} is" in narrative.latest(year - 1, "introduction").body
