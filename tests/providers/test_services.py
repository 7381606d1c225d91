"""The rules of the providers framework: money, checks, search, gaps, audit, locking."""

import datetime as dt

import pytest
from sqlalchemy import select

from core.extensions import db
from core.models import AuditEvent
from providers import services
from providers.models import Provider, ProviderService
from providers.services import ProviderError, parse_pounds
from tests.providers.conftest import provider_data, service_data


@pytest.mark.parametrize(
    "text, pence",
    [
        ("12.50", 1250),
        ("£12.50", 1250),
        (" £ 12.5 ", 1250),
        ("1,200", 120000),
        ("0.10", 10),
        ("7", 700),
        ("19.99", 1999),
    ],
)
def test_pounds_are_parsed_into_exact_pence(text, pence):
    assert parse_pounds(text) == pence


@pytest.mark.parametrize("text", ["", "abc", "-1", "12.505", "12.", "£", "1e3", "12,50.1.2"])
def test_bad_amounts_are_refused(text):
    with pytest.raises(ValueError):
        parse_pounds(text)


def test_expired_and_soon_expiring_checks_are_flagged():
    today = dt.date(2026, 6, 1)
    provider = Provider(
        dbs_expires_on=today - dt.timedelta(days=1),
        insurance_expires_on=today + dt.timedelta(days=30),
    )
    flags = services.expiry_flags(provider, today)
    assert [(f["what"], f["state"]) for f in flags] == [
        ("DBS check", "expired"),
        ("Insurance", "expiring"),
    ]
    provider.insurance_expires_on = today + dt.timedelta(days=31)
    provider.dbs_expires_on = None
    assert services.expiry_flags(provider, today) == []


def test_creating_a_provider_and_service_is_audited(app, localities_ready):
    with app.app_context():
        provider = services.create_provider(provider_data(name="Audited Arts"))
        service = services.create_service(provider, service_data())
        db.session.commit()
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "create")).all()
        types = {(r.record_type, r.record_id) for r in rows}
        assert ("provider", str(provider.id)) in types
        assert ("provider_service", str(service.id)) in types
        created = next(r for r in rows if r.record_type == "provider_service")
        assert created.changes["localities"] == [None, ["north"]]


def test_provider_names_are_unique_ignoring_case(app, make_provider):
    make_provider(name="Kestrel Club")
    with app.app_context(), pytest.raises(ProviderError) as exc:
        services.create_provider(provider_data(name="kestrel club"))
    assert exc.value.field == "name"


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"age_from": 12, "age_to": 8}, "age_to"),
        ({"age_to": 26}, "age_to"),
        ({"needs": []}, "needs"),
        ({"needs": ["NONE"]}, "needs"),
        ({"localities": ["atlantis"]}, "localities"),
        ({"short_break_type": "spa_day"}, "short_break_type"),
        ({"published": True, "what_it_does": " "}, "what_it_does"),
        ({"venue_postcode": "not a postcode"}, "venue_postcode"),
    ],
)
def test_service_checks_name_the_field_in_error(app, make_provider, changes, field):
    provider_id = make_provider()
    with app.app_context():
        with pytest.raises(ProviderError) as exc:
            services.create_service(services.get_provider(provider_id), service_data(**changes))
        assert exc.value.field == field
        assert db.session.scalar(select(ProviderService.id)) is None


def test_a_stale_version_is_refused(app, make_service):
    service_id = make_service()
    with app.app_context():
        service = services.get_service(service_id)
        old_version = service.version
        services.update_service(service, service_data(name="First change"), old_version)
        db.session.commit()
        with pytest.raises(ProviderError, match="Someone else changed this service"):
            services.update_service(service, service_data(name="Second change"), old_version)
        assert services.get_service(service_id).name == "First change"


def _names(**filters):
    return {s.name for s in services.search_services(**filters)}


def test_directory_search_filters(app, make_provider, make_service):
    dp = make_provider(direct_payments=True)
    plain = make_provider(direct_payments=False)
    make_service(
        dp,
        name="Swim club",
        age_from=5,
        age_to=11,
        needs=["MOB"],
        localities=["north"],
        short_break_type="educational_leisure",
        tier="targeted",
    )
    make_service(
        plain,
        name="Night stays",
        age_from=8,
        age_to=18,
        needs=["AUT"],
        localities=["south"],
        short_break_type="overnight_elsewhere",
        tier="specialist",
        what_it_does="Overnight stays with swimming in the morning.",
    )
    with app.app_context():
        assert _names() == {"Swim club", "Night stays"}
        assert _names(text="swim") == {"Swim club", "Night stays"}  # name or what it does
        assert _names(text="swim club") == {"Swim club"}
        assert _names(age=5) == {"Swim club"}
        assert _names(age=12) == {"Night stays"}
        assert _names(age=9) == {"Swim club", "Night stays"}
        assert _names(locality="south") == {"Night stays"}
        assert _names(need="MOB") == {"Swim club"}
        assert _names(short_break_type="overnight_elsewhere") == {"Night stays"}
        assert _names(tier="targeted") == {"Swim club"}
        assert _names(direct_payments=True) == {"Swim club"}
        assert _names(locality="south", direct_payments=True) == set()


def test_services_of_suspended_providers_leave_the_directory(app, make_provider, make_service):
    provider_id = make_provider()
    make_service(provider_id, name="Paused club")
    with app.app_context():
        provider = services.get_provider(provider_id)
        data = provider_data(name=provider.name, status="suspended")
        services.update_provider(provider, data, provider.version)
        db.session.commit()
        assert "Paused club" not in _names()


def test_gaps_are_types_and_needs_with_no_service_in_a_locality(app, make_service):
    make_service(localities=["north"], short_break_type="daytime_home", needs=["VIS"])
    with app.app_context():
        gaps = services.gaps()
        north = {(g["kind"], g["code"]) for g in gaps if g["locality"] == "north"}
        south = {(g["kind"], g["code"]) for g in gaps if g["locality"] == "south"}
        assert ("short_break_type", "daytime_home") not in north
        assert ("need", "VIS") not in north
        assert ("short_break_type", "overnight_home") in north
        assert ("need", "HEAR") in north
        assert ("short_break_type", "daytime_home") in south
        assert ("need", "VIS") in south
        assert not any(g["code"] == "NONE" for g in gaps)


def test_public_gaps_count_only_published_services(app, make_service):
    """The published statement must not tell families a type is covered when nothing they can
    find covers it."""
    make_service(localities=["south"], short_break_type="overnight_elsewhere", published=False)
    with app.app_context():
        internal = {(g["locality"], g["code"]) for g in services.gaps()}
        public = {(g["locality"], g["code"]) for g in services.gaps(published_only=True)}
    assert ("south", "overnight_elsewhere") not in internal
    assert ("south", "overnight_elsewhere") in public


def test_services_by_type_and_locality_for_the_statement(app, make_service):
    make_service(name="Home sitting", localities=["north", "east"], short_break_type="daytime_home")
    make_service(
        name="Hidden", localities=["north"], short_break_type="daytime_home", published=False
    )
    with app.app_context():
        table = services.services_by_type_and_locality(published_only=True)
        assert set(table) == set(services.SHORT_BREAK_TYPES)
        assert [s["name"] for s in table["daytime_home"]["north"]] == ["Home sitting"]
        assert [s["name"] for s in table["daytime_home"]["east"]] == ["Home sitting"]
        assert table["daytime_home"]["south"] == []
        assert table["overnight_home"]["north"] == []
        published = {s["name"] for s in services.published_services()}
        assert "Home sitting" in published and "Hidden" not in published


def test_usage_report_shows_capacity_and_counts(app, make_service):
    service_id = make_service(capacity=8)
    with app.app_context():
        row = next(r for r in services.usage_report() if r["service"].id == service_id)
        assert row["capacity"] == 8
        assert row["children"] == services.usage_by_service().get(service_id, 0)
        assert row["full"] is (row["children"] >= 8)


def test_removing_a_service_deletes_it_and_is_audited(app, make_service):
    service_id = make_service()
    with app.app_context():
        services.remove_service(services.get_service(service_id))
        db.session.commit()
        assert services.get_service(service_id) is None
        assert db.session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "delete",
                AuditEvent.record_type == "provider_service",
                AuditEvent.record_id == str(service_id),
            )
        )


def test_service_choices_name_service_and_provider(app, make_provider, make_service):
    provider_id = make_provider(name="Choice Provider")
    service_id = make_service(provider_id, name="Choice Club", tier="specialist")
    with app.app_context():
        assert (service_id, "Choice Club – Choice Provider") in services.service_choices()
        assert (service_id, "Choice Club – Choice Provider") not in services.service_choices(
            "targeted"
        )


def test_usage_counts_children_registered_now(app, make_service, register_child):
    service_id = make_service(capacity=2)
    today = dt.date.today()
    register_child(service_id, today - dt.timedelta(days=30))
    register_child(service_id, today - dt.timedelta(days=30), today + dt.timedelta(days=5))
    register_child(service_id, today - dt.timedelta(days=60), today - dt.timedelta(days=1))
    register_child(service_id, today + dt.timedelta(days=1))
    with app.app_context():
        assert services.usage_by_service()[service_id] == 2
        row = next(r for r in services.usage_report() if r["service"].id == service_id)
        assert row["children"] == 2 and row["full"] is True
        before = services.usage_by_locality().get("south", 0)
        register_child(service_id, today, locality="south")
        assert services.usage_by_locality()["south"] == before + 1
        with pytest.raises(ProviderError, match="Children are registered with this service"):
            services.remove_service(services.get_service(service_id))
