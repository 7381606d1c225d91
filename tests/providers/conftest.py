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


@pytest.fixture
def register_child(app, make_user):
    """register_child(service_id, from_date, to_date=None): a child registered with a service
    through casework's own tables (skipped while casework has no registration with a service)."""
    from providers import services

    if services.registration_source() is None:
        pytest.skip("casework has no registration model with a service column yet")
    from casework import services as casework
    from core.models import User
    from tests.casework.conftest import CHILD

    model, column = services.registration_source()
    user = make_user()

    def factory(service_id, from_date, to_date=None, locality="north"):
        with app.app_context():
            child = casework.create_child(
                db.session.get(User, user.id),
                {**CHILD, "last_name": f"Reg{service_id}", "locality": locality},
                ["AUT"],
            )
            row = model(
                child_id=child.id,
                from_date=from_date,
                to_date=to_date,
                activity="Test activity",
                **{column: service_id},
            )
            db.session.add(row)
            db.session.commit()

    return factory
