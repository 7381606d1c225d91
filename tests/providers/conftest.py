"""Helpers for the providers tests: a provider and a service with sensible defaults."""

from __future__ import annotations

import itertools

import pytest

from core.extensions import db
from core.reference import ensure_demo_localities

_counter = itertools.count(1)


def provider_data(**overrides) -> dict:
    n = next(_counter)
    data = {
        "name": f"Test Provider {n}",
        "kind": "organisation",
        "status": "on_framework",
        "description": "A test provider.",
        "email": f"provider{n}@example.org",
        "phone": "01632 960000",
        "website": "https://provider.example.org",
        "localities": ["north"],
        "direct_payments": False,
        "notes": "Staff-only note about the contract",
    }
    data.update(overrides)
    return data


def service_data(**overrides) -> dict:
    n = next(_counter)
    data = {
        "name": f"Test Service {n}",
        "short_break_type": "educational_leisure",
        "tier": "targeted",
        "age_from": 5,
        "age_to": 17,
        "needs": ["AUT", "LD"],
        "localities": ["north"],
        "runs": ["weekends"],
        "capacity": 12,
        "capacity_unit": "places_per_session",
        "rate_pence": 1250,
        "rate_unit": "session",
        "published": True,
        "what_it_does": "Climbing and games for disabled children.",
        "who_it_is_for": "Children aged 5 to 17 with a disability.",
        "how_to_start": "Ring us to book.",
        "accessibility": "Step-free access.",
        "contact_name": "Pat Contact",
        "contact_email": "pat@example.org",
        "contact_phone": "01632 960001",
    }
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def localities_ready(app):
    """The demo localities (north, south, east, west, central, coast) in every test."""
    with app.app_context():
        ensure_demo_localities()
        db.session.commit()


@pytest.fixture
def make_provider(app, localities_ready):
    """make_provider(**fields) -> the saved provider's id."""
    from providers.services import create_provider

    def factory(**overrides):
        with app.app_context():
            provider = create_provider(provider_data(**overrides))
            db.session.commit()
            return provider.id

    return factory


@pytest.fixture
def make_service(app, make_provider):
    """make_service(provider_id=None, **fields) -> the saved service's id."""
    from providers.services import create_service, get_provider

    def factory(provider_id=None, **overrides):
        provider_id = provider_id or make_provider()
        with app.app_context():
            service = create_service(get_provider(provider_id), service_data(**overrides))
            db.session.commit()
            return service.id

    return factory
