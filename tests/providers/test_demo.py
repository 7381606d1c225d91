"""The demo framework: about 60 providers and 150 services, with gaps, the same every time."""

import random

from sqlalchemy import func, select

from core.extensions import db
from providers import demo, services
from providers.models import Provider, ProviderService


def _snapshot():
    return sorted(
        db.session.execute(
            select(
                ProviderService.name, ProviderService.short_break_type, ProviderService.rate_pence
            ).order_by(ProviderService.name)
        ).all()
    )


def test_demo_framework_is_realistic_deterministic_and_idempotent(app):
    with app.app_context():
        demo.load(random.Random("2026:providers"))
        db.session.flush()
        first = _snapshot()
        providers = db.session.scalar(select(func.count()).select_from(Provider))
        assert 55 <= providers <= 65
        assert 120 <= len(first) <= 180
        demo.load(random.Random("2026:providers"))  # again: nothing added
        db.session.flush()
        assert _snapshot() == first
        gaps = {(g["locality"], g["code"]) for g in services.gaps()}
        assert ("coast", "overnight_home") in gaps and ("west", "VIS") in gaps
        assert len(services.published_services()) > 80
        db.session.rollback()
        demo.load(random.Random("2026:providers"))
        db.session.flush()
        assert _snapshot() == first  # the same data from the same seed
        db.session.rollback()
