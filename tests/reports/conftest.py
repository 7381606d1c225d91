"""Records for the reports tests, written straight into the tables the statement reads."""

from __future__ import annotations

import itertools

import pytest

from core.extensions import db

_n = itertools.count(1)


class Records:
    """Adds children, decisions, registrations and services (inside an app context)."""

    def child(
        self, dob, locality="north", register=True, disabilities=("LD",), since=None, closed_on=None
    ):
        from casework.models import Child, ChildDisability, Referral

        n = next(_n)
        child = Child(
            case_number=f"RT{n:06d}",
            first_name="Test",
            last_name=f"Child {n}",
            date_of_birth=dob,
            locality=locality,
            disability_register=register,
            status="closed" if closed_on else "open",
            closed_on=closed_on,
        )
        db.session.add(child)
        db.session.flush()
        for code in disabilities:
            db.session.add(ChildDisability(child_id=child.id, category=code))
        if since is not None:
            db.session.add(
                Referral(child_id=child.id, received_on=since, source="parent", reason="Test")
            )
        db.session.flush()
        return child

    def decision(self, child, tier, decided_on):
        from casework.models import EligibilityDecision

        row = EligibilityDecision(
            child_id=child.id,
            tier=tier,
            requested_tier=tier,
            rationale="Test",
            decided_on=decided_on,
            is_current=True,
        )
        db.session.add(row)
        db.session.flush()
        return row

    def registration(self, child, from_date, to_date=None):
        from casework.models import TargetedRegistration

        row = TargetedRegistration(
            child_id=child.id, activity="Youth club", from_date=from_date, to_date=to_date
        )
        db.session.add(row)
        db.session.flush()
        return row

    def criterion(self, tier, text, active=True):
        from casework.models import EligibilityCriterion

        db.session.add(EligibilityCriterion(tier=tier, text=text, active=active))
        db.session.flush()

    def service(
        self,
        name,
        short_break_type="daytime_elsewhere",
        tier="targeted",
        localities=("north",),
        ages=(5, 17),
        published=True,
        needs=("LD",),
    ):
        from providers.models import Provider, ProviderService

        provider = Provider(name=f"{name} provider {next(_n)}", kind="organisation")
        db.session.add(provider)
        db.session.flush()
        service = ProviderService(
            provider_id=provider.id,
            name=name,
            short_break_type=short_break_type,
            tier=tier,
            age_from=ages[0],
            age_to=ages[1],
            localities=list(localities),
            needs=list(needs),
            published=published,
        )
        db.session.add(service)
        db.session.flush()
        return service


@pytest.fixture
def records(app):
    from core.reference import ensure_demo_localities

    with app.app_context():
        ensure_demo_localities()
        db.session.commit()
    return Records()


def approve_all_text(app, year, make_user):
    """Every section of a year's text written by one commissioner and approved by another, so
    that the statement is not a draft."""
    from core.roles import Role
    from reports import narrative

    writer, approver = make_user(Role.COMMISSIONER), make_user(Role.COMMISSIONER)
    with app.app_context():
        for key in narrative.SECTIONS:
            latest = narrative.latest(year, key)
            if latest is not None and latest.approved_at is not None:
                continue
            row = narrative.save_version(
                year, key, f"The {key} text.", writer, latest.number if latest else 0
            )
            narrative.approve(year, key, row.number, approver)
        db.session.commit()


@pytest.fixture
def approved_text(app, make_user):
    return lambda year: approve_all_text(app, year, make_user)
