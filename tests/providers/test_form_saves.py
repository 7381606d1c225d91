"""Saving the provider and service forms: an unchanged save changes nothing, every problem is
shown at once, hidden characters and look-alike names are refused, dates keep to a range, and
the forms' wording."""

import datetime as dt
import re
from html import unescape

import pytest
from sqlalchemy import func, select, text

from core.extensions import db
from core.models import AuditEvent
from core.roles import Role
from providers.checks import PROVIDER_FIELDS
from providers.models import SE7_QUESTIONS, Provider, ProviderService
from providers.services import get_provider, get_service
from tests.providers.test_views import _provider_form, _service_form


def _errors(page: str) -> list[str]:
    return [
        unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
        for m in re.findall(r"<li>(.*?)</li>", m, re.S)
    ]


def _audit_rows(record_type: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "update", AuditEvent.record_type == record_type)
    )


def _version_and_loaded(page: str) -> dict:
    return {
        "version": re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1),
        "loaded": unescape(
            re.search(r'name="loaded" type="hidden" value="([^"]*)"', page).group(1)
        ),
    }


def _provider_post(provider) -> dict:
    """What the edit form posts back for this provider when nothing is changed (checkboxes in
    the form's order, as a browser sends them)."""
    post = {key: getattr(provider, key) or "" for key in PROVIDER_FIELDS}
    post["direct_payments"] = "yes" if provider.direct_payments else "no"
    order = ["north", "south", "east", "west", "central", "coast"]
    post["localities"] = [c for c in order if c in provider.localities]
    for key in ("dbs_expires_on", "insurance_expires_on"):
        when = getattr(provider, key)
        post[key] = [str(when.day), str(when.month), str(when.year)] if when else ["", "", ""]
    return post


def _service_post(service) -> dict:
    from providers.checks import NEEDS, pence_to_pounds_text
    from providers.models import RUNS

    post = {
        key: getattr(service, key) or ""
        for key in (
            "name",
            "short_break_type",
            "tier",
            "capacity_unit",
            "rate_unit",
            "venue_name",
            "venue_address",
            "venue_town",
            "venue_postcode",
            "contact_name",
            "contact_email",
            "contact_phone",
            *(f for f, _ in SE7_QUESTIONS),
        )
    }
    order = ["north", "south", "east", "west", "central", "coast"]
    post.update(
        age_from=str(service.age_from),
        age_to=str(service.age_to),
        needs=[c for c in NEEDS if c in service.needs],
        localities=[c for c in order if c in service.localities],
        runs=[c for c in RUNS if c in service.runs],
        capacity="" if service.capacity is None else str(service.capacity),
        rate=pence_to_pounds_text(service.rate_pence),
        published="yes" if service.published else "no",
    )
    return post


# --- 2. An unchanged save changes nothing -----------------------------------------------------


def test_saving_a_service_unchanged_writes_nothing(app, browser_as, make_service):
    service_id = make_service(
        needs=["BEH", "COMM", "MOB"], localities=["south", "north"], runs=["weekends", "evenings"]
    )
    with app.app_context():
        # As the demo data and older imports stored them: in another order than the form's.
        db.session.execute(
            text(
                "UPDATE provider_service SET needs = ',BEH,COMM,MOB,', "
                "localities = ',south,north,', runs = ',weekends,evenings,' WHERE id = :id"
            ),
            {"id": service_id},
        )
        db.session.commit()
        db.session.expire_all()
        service = get_service(service_id)
        before = (service.version, service.updated_at, _audit_rows("provider_service"))
        post = _service_post(service)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/services/{service_id}/edit").get_data(as_text=True)
    response = browser.post(
        f"/providers/services/{service_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        service = get_service(service_id)
        assert (service.version, service.updated_at, _audit_rows("provider_service")) == before


def test_saving_a_provider_unchanged_writes_nothing(app, browser_as, make_provider):
    provider_id = make_provider(localities=["east", "north"], dbs_expires_on=dt.date(2030, 1, 2))
    with app.app_context():
        db.session.execute(
            text("UPDATE provider SET localities = ',east,north,' WHERE id = :id"),
            {"id": provider_id},
        )
        db.session.commit()
        db.session.expire_all()
        provider = get_provider(provider_id)
        before = (provider.version, provider.updated_at, _audit_rows("provider"))
        post = _provider_post(provider)
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/framework/{provider_id}/edit").get_data(as_text=True)
    response = browser.post(
        f"/providers/framework/{provider_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        provider = get_provider(provider_id)
        assert (provider.version, provider.updated_at, _audit_rows("provider")) == before


def test_code_lists_are_stored_in_the_reference_lists_order(app, make_service):
    service_id = make_service(needs=["AUT", "BEH", "MOB"], localities=["coast", "north"])
    with app.app_context():
        service = get_service(service_id)
        assert service.needs == ["MOB", "BEH", "AUT"]  # the CIN census order
        assert service.localities == ["north", "coast"]  # the localities' order
        stored = db.session.execute(
            text("SELECT needs FROM provider_service WHERE id = :id"), {"id": service_id}
        ).scalar()
        assert stored == ",MOB,BEH,AUT,"


# --- 3. Every problem at once -----------------------------------------------------------------


def test_the_provider_form_shows_every_problem_at_once(app, browser_as):
    browser = browser_as(Role.COMMISSIONER)
    page = browser.post(
        "/providers/framework/new",
        _provider_form(
            registration_number="",
            email="not-an-email",
            website="not a website",
            postcode="12345",
        ),
    ).get_data(as_text=True)
    errors = _errors(page)
    assert "Enter the Ofsted or CQC registration number, or select not registered" in errors
    assert "Enter an email address in the correct format" in errors
    assert "Enter a website address in the correct format, like https://www.example.org" in errors
    assert "Enter a real postcode, like AB1 2CD" in errors
    for href in ("#registration_number", "#email", "#website", "#postcode"):
        assert f'href="{href}"' in page
    # A field the form itself checks and the service layer's checks, together.
    errors = _errors(
        browser.post(
            "/providers/framework/new", _provider_form(kind="", email="not-an-email")
        ).get_data(as_text=True)
    )
    assert "Select the kind of provider" in errors
    assert "Enter an email address in the correct format" in errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Provider)) == 0


def test_the_service_form_shows_every_problem_at_once(app, browser_as, make_provider):
    provider_id = make_provider()
    page = (
        browser_as(Role.COMMISSIONER)
        .post(
            f"/providers/framework/{provider_id}/services/new",
            _service_form(
                contact_email="nope", venue_postcode="12345", what_it_does="", rate="12.5.0"
            ),
        )
        .get_data(as_text=True)
    )
    errors = _errors(page)
    assert "Enter an email address in the correct format" in errors
    assert "Enter a real postcode, like AB1 2CD" in errors
    assert "Answer 'What does the service do?' before publishing the service" in errors
    assert "Enter the rate in pounds and pence, like 12.50" in errors
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ProviderService)) == 0


# --- 8. Hidden characters and look-alike names --------------------------------------------------


@pytest.mark.parametrize("hidden", ["\u202e", "\u200b", "\u2066", "\ufeff"])
def test_hidden_characters_are_refused_in_names_and_answers(app, browser_as, make_provider, hidden):
    browser = browser_as(Role.COMMISSIONER)
    errors = _errors(
        browser.post("/providers/framework/new", _provider_form(name=f"QA{hidden}Prov")).get_data(
            as_text=True
        )
    )
    assert "Provider name must not include hidden characters" in errors[0]
    provider_id = make_provider()
    errors = _errors(
        browser.post(
            f"/providers/framework/{provider_id}/services/new",
            _service_form(name=f"Swim{hidden}", accessibility=f"Ramp{hidden}"),
        ).get_data(as_text=True)
    )
    assert any("Service name must not include hidden characters" in e for e in errors)
    assert any(
        "The answer to 'Is the service accessible?' must not include hidden characters" in e
        for e in errors
    )


@pytest.mark.parametrize(
    "name", ["qa\u00a0prov", "\uff31\uff21 Prov", " QA   prov ", "ＱＡ　Ｐｒｏｖ"]
)
def test_look_alike_provider_names_are_duplicates(app, browser_as, make_provider, name):
    make_provider(name="QA Prov")
    errors = _errors(
        browser_as(Role.COMMISSIONER)
        .post("/providers/framework/new", _provider_form(name=name))
        .get_data(as_text=True)
    )
    assert "A provider with this name is already on the framework" in errors


def test_a_name_is_saved_with_its_spaces_tidied(app, browser_as):
    browser_as(Role.COMMISSIONER).post(
        "/providers/framework/new", _provider_form(name="  Kingfisher\u00a0  Play ")
    )
    with app.app_context():
        assert db.session.scalar(select(Provider.name)) == "Kingfisher Play"


# --- 9. Dates keep to a range -----------------------------------------------------------------


@pytest.mark.parametrize("year", ["0001", "1899", "9999"])
def test_expiry_dates_keep_to_a_range(app, browser_as, year):
    errors = _errors(
        browser_as(Role.COMMISSIONER)
        .post("/providers/framework/new", _provider_form(dbs_expires_on=["1", "1", year]))
        .get_data(as_text=True)
    )
    assert "DBS check expires must be between 1 January 2000 and 31 December 2099" in errors


# --- 13. Wording ------------------------------------------------------------------------------


def test_the_published_question_asks_whether(browser_as, make_provider):
    provider_id = make_provider()
    form = _service_form()
    del form["published"]
    errors = _errors(
        browser_as(Role.COMMISSIONER)
        .post(f"/providers/framework/{provider_id}/services/new", form)
        .get_data(as_text=True)
    )
    assert "Select whether to publish the service" in errors


def test_the_se7_questions_are_marked_optional(browser_as, make_provider):
    provider_id = make_provider()
    page = unescape(
        browser_as(Role.COMMISSIONER)
        .get(f"/providers/framework/{provider_id}/services/new")
        .get_data(as_text=True)
    )
    for _field, question in SE7_QUESTIONS:
        assert f"{question} (optional)" in page, question


def test_the_provider_form_says_which_fields_are_published(browser_as):
    page = browser_as(Role.COMMISSIONER).get("/providers/framework/new").get_data(as_text=True)

    def hint(field):
        match = re.search(rf'id="{field}-hint"[^>]*>(.*?)</div>', page, re.S)
        return unescape(match.group(1)).strip() if match else ""

    for field in ("name", "description", "contact_name", "email", "phone", "website"):
        assert "Published" in hint(field), field
    for field in ("address_line_1", "notes"):
        assert "not published" in hint(field).lower() or "never published" in hint(field), field


def test_line_breaks_as_browsers_send_them_are_not_a_change(app, browser_as, make_service):
    service_id = make_service(what_it_does="Line one.\nLine two.", who_it_is_for="A\n\nB")
    with app.app_context():
        service = get_service(service_id)
        before = (service.version, _audit_rows("provider_service"))
        post = _service_post(service)
    # A browser sends a text area's line breaks as CR LF.
    post = {k: v.replace("\n", "\r\n") if isinstance(v, str) else v for k, v in post.items()}
    browser = browser_as(Role.COMMISSIONER)
    page = browser.get(f"/providers/services/{service_id}/edit").get_data(as_text=True)
    response = browser.post(
        f"/providers/services/{service_id}/edit", {**post, **_version_and_loaded(page)}
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        service = get_service(service_id)
        assert (service.version, _audit_rows("provider_service")) == before
        assert service.what_it_does == "Line one.\nLine two."
