"""Targeted registrations name a service on the providers framework (or free text for an
activity not on it), and the providers' usage counts follow them."""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re

import pytest
from sqlalchemy import func, select

from casework import services, timeline
from casework.models import Child, TargetedRegistration
from core.extensions import db
from core.models import User
from core.roles import Role
from providers import services as providers
from tests.casework.conftest import years_ago
from tests.providers.conftest import provider_data, service_data

TODAY = dt.date.today()
BAD_SERVICE = "Select a targeted service on the framework from the list"


def _user(u):
    return db.session.get(User, u.id)


def _parts(d: dt.date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


def _errors(html: str) -> list[str]:
    summary = html.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", e)).strip()
        for e in re.findall(r"<a [^>]*>(.*?)</a>", summary)
    ]


def _reg_count(child_id) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(TargetedRegistration)
        .where(TargetedRegistration.child_id == child_id)
    )


@pytest.fixture
def framework(app):
    """framework(**service fields, provider=dict) -> a new service's id (provider on the
    framework unless told otherwise)."""

    def factory(provider=None, **fields):
        with app.app_context():
            owner = providers.create_provider(provider_data(**(provider or {})))
            service = providers.create_service(owner, service_data(**fields))
            db.session.commit()
            return service.id

    return factory


@pytest.fixture
def eligible_child(app, make_child, make_criteria, team_and_worker):
    """A child (aged 10, living in the north) with a targeted decision: (child_id, worker)."""
    team, worker = team_and_worker
    crit = make_criteria()
    child_id = make_child(team=team, worker=worker, date_of_birth=years_ago(10), locality="north")
    with app.app_context():
        services.record_decision(
            db.session.get(Child, child_id),
            _user(worker),
            tier="targeted",
            criterion_ids=crit["targeted"][:1],
            rationale="Meets the criteria",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=365),
        )
        db.session.commit()
    return child_id, worker


def _save(child_id, worker, reg=None, **data):
    child = db.session.get(Child, child_id)
    data = {"from_date": TODAY, "to_date": None, **data}
    version = reg.version if reg is not None else None
    return services.save_registration(child, _user(worker), data, reg, expected_version=version)


# --- The rules ------------------------------------------------------------------------------


def test_a_framework_service_is_stored_with_its_name_for_the_record(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(name="Climbing Club", provider={"name": "Kestrel Trust"})
    with app.app_context():
        reg = _save(child_id, worker, provider_service_id=str(service_id), activity="")
        assert reg.provider_service_id == service_id
        assert reg.activity == "Climbing Club – Kestrel Trust"
        # The service is renamed later: the record keeps what it was registered with.
        service = providers.get_service(service_id)
        providers.update_service(service, {**service_data(), "name": "Climbing and Bouldering"})
        _save(
            child_id,
            worker,
            reg,
            provider_service_id=str(service_id),
            to_date=TODAY + dt.timedelta(days=30),
        )
        assert reg.activity == "Climbing Club – Kestrel Trust"
        assert reg.to_date == TODAY + dt.timedelta(days=30)
        row = services.registration_rows(db.session.get(Child, child_id))[0]
        assert row["label"] == f"Climbing and Bouldering – {service.provider.name}"


@pytest.mark.parametrize("choice", ["", "other"])
def test_an_activity_not_on_the_framework_is_free_text(app, eligible_child, choice):
    child_id, worker = eligible_child
    with app.app_context():
        reg = _save(child_id, worker, provider_service_id=choice, activity=" Village cricket ")
        assert reg.provider_service_id is None and reg.activity == "Village cricket"


def test_one_of_the_two_is_needed(app, eligible_child):
    child_id, worker = eligible_child
    with app.app_context():
        with pytest.raises(services.CaseworkError, match="Select a service on the framework") as e:
            _save(child_id, worker, provider_service_id="", activity="  ")
        assert e.value.field == "provider_service_id"
        with pytest.raises(services.CaseworkError, match="Enter the provider and activity") as e:
            _save(child_id, worker, provider_service_id="other", activity="")
        assert e.value.field == "activity"


def test_a_service_and_different_free_text_together_are_refused(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework()
    with app.app_context():
        with pytest.raises(services.CaseworkError, match="Leave the activity empty") as e:
            _save(child_id, worker, provider_service_id=str(service_id), activity="Cricket")
        assert e.value.field == "activity"


def test_unknown_suspended_and_specialist_services_are_refused(app, framework, eligible_child):
    child_id, worker = eligible_child
    specialist = framework(tier="specialist")
    suspended = framework(provider={"status": "suspended"})
    left = framework(provider={"status": "left"})
    hostile = [
        "abc",
        "-1",
        "1.5",
        "1 OR 1=1",
        "99999999999999999999",
        "999999",
        "<script>",
        str(specialist),
        str(suspended),
        str(left),
    ]
    with app.app_context():
        for value in hostile:
            with pytest.raises(services.CaseworkError, match=BAD_SERVICE) as e:
                _save(child_id, worker, provider_service_id=value)
            assert e.value.field == "provider_service_id", value
        assert _reg_count(child_id) == 0


def test_an_existing_registration_keeps_its_service_after_the_provider_is_suspended(
    app, framework, eligible_child
):
    child_id, worker = eligible_child
    service_id = framework()
    with app.app_context():
        reg = _save(child_id, worker, provider_service_id=str(service_id))
        service = providers.get_service(service_id)
        provider = service.provider
        providers.update_provider(provider, {**provider_data(), "status": "suspended"})
        # Ending it is still possible...
        _save(child_id, worker, reg, provider_service_id=str(service_id), to_date=TODAY)
        assert reg.provider_service_id == service_id and reg.to_date == TODAY
        child = db.session.get(Child, child_id)
        assert any(
            "no longer on the framework" in w for w in services.registration_warnings(child, reg)
        )
        # ...and the form still offers it, but a new registration cannot pick it.
        options = services.registration_service_options(child, service_id)
        assert (
            str(service_id),
            services.service_label(service),
            "Current service (no longer offered)",
        ) in options
        assert str(service_id) not in [
            v for v, _, _ in services.registration_service_options(child)
        ]
        with pytest.raises(services.CaseworkError, match=BAD_SERVICE):
            _save(child_id, worker, provider_service_id=str(service_id))


def test_a_service_that_does_not_fit_the_child_is_allowed_with_a_warning(
    app, framework, eligible_child
):
    child_id, worker = eligible_child  # aged 10, in the north
    fits = framework(age_from=5, age_to=17, localities=["north"])
    too_young = framework(name="Teen Club", age_from=13, age_to=19, localities=["south"])
    with app.app_context():
        child = db.session.get(Child, child_id)
        good = _save(child_id, worker, provider_service_id=str(fits))
        assert services.registration_warnings(child, good) == []
        odd = _save(child_id, worker, provider_service_id=str(too_young))
        warnings = services.registration_warnings(child, odd)
        assert warnings == [
            "Teen Club is for ages 13 to 19: Amelia was 10 when the registration started.",
            "Teen Club does not serve Northbrook, where Amelia lives.",
        ]


def test_services_that_fit_the_child_are_offered_first(app, framework, eligible_child):
    child_id, _worker = eligible_child
    fits = framework(name="Zebra Club", age_from=5, age_to=17, localities=["north"])
    far = framework(name="Aardvark Club", age_from=5, age_to=17, localities=["south"])
    specialist = framework(name="Overnight House", tier="specialist")
    suspended = framework(name="Gone Club", provider={"status": "suspended"})
    with app.app_context():
        options = services.registration_service_options(db.session.get(Child, child_id))
    values = [v for v, _, _ in options]
    assert values[:2] == ["", "other"]
    assert values.index(str(fits)) < values.index(str(far))
    groups = {v: g for v, _, g in options}
    assert groups[str(fits)] == "In Northbrook, for age 10"
    assert groups[str(far)] == "Other targeted services on the framework"
    assert str(specialist) not in values and str(suspended) not in values


def test_the_chronology_names_the_service_and_links_to_it(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(name="Swim Squad", provider={"name": "Tidewater"})
    with app.app_context():
        _save(child_id, worker, provider_service_id=str(service_id))
        _save(child_id, worker, provider_service_id="other", activity="Village cricket")
        entries = [
            e
            for e in timeline.timeline(db.session.get(Child, child_id))
            if e.kind == "Targeted short break"
        ]
    by_title = {e.title: e for e in entries}
    swim = by_title["Registered with Swim Squad – Tidewater"]
    assert swim.link["endpoint"] == "providers.service_detail"
    assert swim.link["values"] == {"service_id": service_id}
    assert by_title["Registered with Village cricket (not on the framework)"].link is None


def test_providers_usage_counts_follow_the_registrations(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(capacity=1, localities=["north"])
    with app.app_context():
        before = providers.usage_by_locality().get("north", 0)
        assert providers.usage_by_service().get(service_id, 0) == 0
        reg = _save(child_id, worker, provider_service_id=str(service_id))
        assert providers.usage_by_service()[service_id] == 1
        row = next(r for r in providers.usage_report() if r["service"].id == service_id)
        assert row["children"] == 1 and row["full"] is True
        assert providers.usage_by_locality()["north"] == before + 1
        # Ended yesterday: no longer counted.
        _save(
            child_id,
            worker,
            reg,
            provider_service_id=str(service_id),
            from_date=TODAY - dt.timedelta(days=30),
            to_date=TODAY - dt.timedelta(days=1),
        )
        assert providers.usage_by_service().get(service_id, 0) == 0


def test_a_service_is_not_removed_while_a_registration_is_to_come(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(name="Kayak Club", provider={"name": "Harbour Trust"})
    with app.app_context():
        reg = _save(
            child_id,
            worker,
            provider_service_id=str(service_id),
            from_date=TODAY + dt.timedelta(days=10),
        )
        with pytest.raises(providers.ProviderError, match="Children are registered"):
            providers.remove_service(providers.get_service(service_id))
        # Once it has ended the service can go; the record keeps its name.
        _save(
            child_id,
            worker,
            reg,
            provider_service_id=str(service_id),
            from_date=TODAY - dt.timedelta(days=60),
            to_date=TODAY - dt.timedelta(days=1),
        )
        providers.remove_service(providers.get_service(service_id))
        db.session.expire_all()
        reg = db.session.get(TargetedRegistration, reg.id)
        assert reg.provider_service_id is None
        assert reg.activity == "Kayak Club – Harbour Trust"


# --- The pages ------------------------------------------------------------------------------


def _form(**overrides) -> dict:
    return {
        "provider_service_id": "",
        "activity": "",
        "from_date": _parts(TODAY),
        "to_date": ["", "", ""],
        **overrides,
    }


def test_the_form_offers_framework_services_in_groups(app, browser_as, framework, eligible_child):
    child_id, worker = eligible_child
    fits = framework(name="Zebra Club", provider={"name": "Stripes"}, localities=["north"])
    browser = browser_as(user=worker)
    html = browser.get(f"/casework/children/{child_id}/registrations/new").get_data(as_text=True)
    assert '<select class="govuk-select" id="provider_service_id"' in html
    assert '<optgroup label="In Northbrook, for age 10">' in html
    assert f'<option value="{fits}">Zebra Club – Stripes</option>' in html
    assert '<option value="other">Not on the framework' in html
    assert 'aria-describedby="provider_service_id-hint"' in html


def test_picking_a_service_registers_the_child_and_links_to_it(
    app, browser_as, framework, eligible_child
):
    child_id, worker = eligible_child
    service_id = framework(name="Zebra Club", provider={"name": "Stripes"})
    browser = browser_as(user=worker)
    response = browser.post(
        f"/casework/children/{child_id}/registrations/new",
        data=_form(provider_service_id=str(service_id)),
    )
    assert response.status_code == 302
    with app.app_context():
        reg = db.session.scalar(
            select(TargetedRegistration).where(TargetedRegistration.child_id == child_id)
        )
        assert reg.provider_service_id == service_id and reg.activity == "Zebra Club – Stripes"
        reg_id = reg.id
    html = browser.get(f"/casework/children/{child_id}").get_data(as_text=True)
    assert f'href="/providers/services/{service_id}">Zebra Club</a> – Stripes' in html
    html = browser.get(f"/casework/children/{child_id}/timeline").get_data(as_text=True)
    assert "Registered with Zebra Club – Stripes" in html
    assert f'href="/providers/services/{service_id}"' in html
    # Changing it: the service is selected, the free-text box is empty.
    html = browser.get(f"/casework/children/{child_id}/registrations/{reg_id}/edit").get_data(
        as_text=True
    )
    assert f'<option value="{service_id}" selected>' in html
    assert re.search(r'<input[^>]*id="activity"[^>]*value=""', html)
    response = browser.post(
        f"/casework/children/{child_id}/registrations/{reg_id}/edit",
        data=_form(provider_service_id=str(service_id), to_date=_parts(TODAY), version="1"),
    )
    assert response.status_code == 302
    with app.app_context():
        reg = db.session.get(TargetedRegistration, reg_id)
        assert reg.to_date == TODAY and reg.provider_service_id == service_id


def test_free_text_is_kept_for_an_activity_not_on_the_framework(app, browser_as, eligible_child):
    child_id, worker = eligible_child
    browser = browser_as(user=worker)
    response = browser.post(
        f"/casework/children/{child_id}/registrations/new",
        data=_form(provider_service_id="other", activity="Village cricket"),
    )
    assert response.status_code == 302
    html = browser.get(f"/casework/children/{child_id}").get_data(as_text=True)
    assert "Village cricket" in html and "(not on the framework)" in html
    with app.app_context():
        reg_id = db.session.scalar(
            select(TargetedRegistration.id).where(TargetedRegistration.child_id == child_id)
        )
    html = browser.get(f"/casework/children/{child_id}/registrations/{reg_id}/edit").get_data(
        as_text=True
    )
    assert '<option value="other" selected>' in html and 'value="Village cricket"' in html


def test_neither_a_service_nor_an_activity_is_a_form_error(app, browser_as, eligible_child):
    child_id, worker = eligible_child
    browser = browser_as(user=worker)
    response = browser.post(f"/casework/children/{child_id}/registrations/new", data=_form())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<title>Error: " in html
    assert _errors(html) == [
        "Select a service on the framework, or select ‘Not on the framework’ and enter the activity"
    ]
    assert 'href="#provider_service_id"' in html
    assert "govuk-select--error" in html
    response = browser.post(
        f"/casework/children/{child_id}/registrations/new", data=_form(provider_service_id="other")
    )
    assert _errors(response.get_data(as_text=True)) == ["Enter the provider and activity"]
    with app.app_context():
        assert _reg_count(child_id) == 0


@pytest.mark.parametrize(
    "value", ["abc", "99999999999999999999", "999999", "-5", "1;DROP TABLE child", "specialist"]
)
def test_hostile_service_ids_are_form_errors(app, browser_as, framework, eligible_child, value):
    child_id, worker = eligible_child
    if value == "specialist":
        value = str(framework(tier="specialist"))
    browser = browser_as(user=worker)
    response = browser.post(
        f"/casework/children/{child_id}/registrations/new",
        data=_form(provider_service_id=value, activity=""),
    )
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [BAD_SERVICE]
    with app.app_context():
        assert _reg_count(child_id) == 0


def test_a_service_that_does_not_fit_shows_a_warning(app, browser_as, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(name="Teen Club", age_from=13, age_to=19, localities=["north"])
    browser = browser_as(user=worker)
    response = browser.post(
        f"/casework/children/{child_id}/registrations/new",
        data=_form(provider_service_id=str(service_id)),
        follow_redirects=True,
    )
    html = html_lib.unescape(response.get_data(as_text=True))
    assert "Registration saved." in html
    assert "Check this registration: Teen Club is for ages 13 to 19" in html
    assert "govuk-warning-text" in html and "Amelia was 10 when the registration started." in html


def test_someone_who_may_not_see_the_child_is_still_refused(
    app, browser_as, framework, eligible_child, make_team
):
    child_id, _worker = eligible_child
    service_id = framework()
    outsider = browser_as(Role.PRACTITIONER, teams=[make_team()])
    url = f"/casework/children/{child_id}/registrations/new"
    assert outsider.get(url).status_code == 403
    response = outsider.post(url, data=_form(provider_service_id=str(service_id)))
    assert response.status_code == 403
    with app.app_context():
        assert _reg_count(child_id) == 0


def test_the_usage_page_counts_the_registration(app, browser_as, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework(name="Counted Club", capacity=8)
    browser_as(user=worker).post(
        f"/casework/children/{child_id}/registrations/new",
        data=_form(provider_service_id=str(service_id)),
    )
    html = browser_as(Role.COMMISSIONER).get("/providers/usage").get_data(as_text=True)
    row = html.split(f'href="/providers/services/{service_id}"', 1)[1].split("</tr>", 1)[0]
    cells = re.findall(r'govuk-table__cell--numeric">\s*(\d+)\s*<', row)
    assert cells == ["1"]


def test_demo_registrations_name_targeted_services_that_fit(app):
    import random

    from casework import demo as casework_demo
    from core.demo import load_core
    from core.reference import age_on
    from providers import demo as providers_demo

    with app.app_context():
        load_core(random.Random("2026:core"))
        providers_demo.load(random.Random("2026:providers"))
        casework_demo.load(random.Random("2026:casework"))
        db.session.flush()
        rows = db.session.execute(
            select(TargetedRegistration, Child).join(
                Child, Child.id == TargetedRegistration.child_id
            )
        ).all()
        linked = [(reg, child) for reg, child in rows if reg.provider_service_id]
        assert len(linked) > len(rows) * 0.6 and len(linked) < len(rows)
        for reg, child in linked:
            service = providers.get_service(reg.provider_service_id)
            assert service.tier == "targeted" and service.provider.status == "on_framework"
            assert child.locality in service.localities
            assert service.age_from <= age_on(child.date_of_birth, reg.from_date) <= service.age_to
            assert reg.activity == services.service_label(service)
        usage = providers.usage_by_service()
        assert sum(usage.values()) > 100 and len(usage) > 20
        assert sum(providers.usage_by_locality().values()) > 100
        count = len(rows)
        casework_demo.load(random.Random("2026:casework"))  # again: nothing added
        assert db.session.scalar(select(func.count()).select_from(TargetedRegistration)) == count


# --- Overlaps, sensible dates and what the messages call the fields ---------------------------


def test_the_same_service_cannot_be_registered_twice_for_overlapping_dates(
    app, framework, eligible_child
):
    child_id, worker = eligible_child
    service_id = framework(name="Climbing Club", provider={"name": "Kestrel Trust"})
    start = TODAY - dt.timedelta(days=10)
    with app.app_context():
        first = _save(
            child_id,
            worker,
            provider_service_id=str(service_id),
            from_date=start,
            to_date=start + dt.timedelta(days=90),
        )
        with pytest.raises(services.CaseworkError) as exc:
            _save(
                child_id,
                worker,
                provider_service_id=str(service_id),
                from_date=start + dt.timedelta(days=30),
            )
        on = start.strftime("%-d %B %Y")
        until = (start + dt.timedelta(days=90)).strftime("%-d %B %Y")
        assert str(exc.value) == (
            f"Amelia is already registered for Climbing Club – Kestrel Trust from {on} to "
            f"{until}: change that registration, or choose dates that do not overlap it"
        )
        assert exc.value.field == "from_date"
        # After the first one ends: fine. And changing the first one is no clash with itself.
        _save(
            child_id,
            worker,
            provider_service_id=str(service_id),
            from_date=start + dt.timedelta(days=91),
        )
        _save(
            child_id,
            worker,
            first,
            provider_service_id=str(service_id),
            from_date=start,
            to_date=start + dt.timedelta(days=60),
        )
        assert _reg_count(child_id) == 2


def test_an_open_ended_registration_overlaps_everything_after_it(app, framework, eligible_child):
    child_id, worker = eligible_child
    service_id = framework()
    with app.app_context():
        _save(child_id, worker, provider_service_id=str(service_id), from_date=TODAY)
        with pytest.raises(services.CaseworkError, match="from .* onwards: change that"):
            _save(
                child_id,
                worker,
                provider_service_id=str(service_id),
                from_date=TODAY + dt.timedelta(days=200),
                to_date=TODAY + dt.timedelta(days=300),
            )


def test_the_same_activity_not_on_the_framework_cannot_overlap_either(app, eligible_child):
    child_id, worker = eligible_child
    with app.app_context():
        _save(child_id, worker, provider_service_id="other", activity="Village cricket")
        with pytest.raises(services.CaseworkError, match="already registered for Village cricket"):
            _save(child_id, worker, provider_service_id="other", activity="  village   CRICKET ")
        _save(child_id, worker, provider_service_id="other", activity="Village football")
        assert _reg_count(child_id) == 2


@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        (
            TODAY + dt.timedelta(days=400),
            None,
            "from_date",
            "From must be no more than a year from today",
        ),
        (
            TODAY,
            TODAY + dt.timedelta(days=5 * 366 + 1),
            "to_date",
            "To must be no more than 5 years after From",
        ),
        (TODAY, dt.date(2126, 1, 1), "to_date", "To must be no more than 5 years after From"),
        (TODAY, TODAY - dt.timedelta(days=1), "to_date", "To must be the same as or after From"),
    ],
)
def test_dates_must_be_sensible(app, eligible_child, start, end, field, message):
    child_id, worker = eligible_child
    with app.app_context():
        with pytest.raises(services.CaseworkError, match=message) as exc:
            _save(
                child_id,
                worker,
                provider_service_id="other",
                activity="Village cricket",
                from_date=start,
                to_date=end,
            )
        assert exc.value.field == field


def test_a_registration_ends_before_the_young_persons_26th_birthday(
    app, make_child, make_criteria, team_and_worker
):
    team, worker = team_and_worker
    crit = make_criteria()
    born = years_ago(26) + dt.timedelta(days=100)  # 26 in 100 days
    child_id = make_child(team=team, worker=worker, date_of_birth=born)
    with app.app_context():
        services.record_decision(
            db.session.get(Child, child_id),
            _user(worker),
            tier="targeted",
            criterion_ids=crit["targeted"][:1],
            rationale="Meets the criteria",
            decided_on=TODAY,
            review_date=TODAY + dt.timedelta(days=90),
        )
        birthday = born.replace(year=born.year + 26)
        with pytest.raises(services.CaseworkError) as exc:
            _save(
                child_id,
                worker,
                provider_service_id="other",
                activity="Village cricket",
                to_date=birthday,
            )
        assert exc.value.field == "to_date"
        assert str(exc.value) == (
            f"To must be before Amelia's 26th birthday, {birthday.strftime('%-d %B %Y')}"
        )
        with pytest.raises(services.CaseworkError, match="From must be before Amelia's 26th"):
            _save(
                child_id,
                worker,
                provider_service_id="other",
                activity="Village cricket",
                from_date=birthday + dt.timedelta(days=1),
            )
        _save(
            child_id,
            worker,
            provider_service_id="other",
            activity="Village cricket",
            to_date=birthday - dt.timedelta(days=1),
        )


def test_messages_name_the_fields_as_they_are_labelled(app, browser_as, eligible_child):
    child_id, worker = eligible_child
    browser = browser_as(user=worker)
    url = f"/casework/children/{child_id}/registrations/new"
    with app.app_context():
        born = db.session.get(Child, child_id).date_of_birth
    html = browser.post(
        url,
        _form(
            provider_service_id="other",
            activity="Village cricket",
            from_date=_parts(born - dt.timedelta(days=1)),
        ),
    ).get_data(as_text=True)
    assert _errors(html) == [
        f"From must be on or after the child's date of birth, {born.strftime('%-d %B %Y')}"
    ]
    html = browser.post(
        url,
        _form(
            provider_service_id="other",
            activity="Village cricket",
            to_date=_parts(TODAY - dt.timedelta(days=1)),
        ),
    ).get_data(as_text=True)
    assert _errors(html) == ["To must be the same as or after From"]
    html = browser.post(
        url,
        _form(provider_service_id="other", activity="Village cricket", to_date=["31", "2", "2027"]),
    ).get_data(as_text=True)
    assert _errors(html) == ["To must be a real date"]
    assert "Start date" not in html and "End date" not in html
