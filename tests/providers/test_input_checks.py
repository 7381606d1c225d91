"""What people type (or tamper with) in the providers forms and searches: digits that are not
ASCII, LIKE wildcards, website addresses, tampered choices, money with commas, and messages."""

import re
from html import unescape

import pytest
from sqlalchemy import func, select

from core.extensions import db
from core.roles import Role
from providers.models import Provider, ProviderService
from providers.services import ProviderError, create_provider
from tests.providers.conftest import provider_data
from tests.providers.test_views import _provider_form, _service_form

NOT_ASCII_DIGITS = ["²", "١٢", "５"]  # superscript two, Arabic-Indic twelve, full-width five


def _count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def _errors(page: str) -> list[str]:
    """The error summary's messages."""
    return [
        unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(r'govuk-error-summary__list">(.*?)</ul>', page, re.S)
        for m in re.findall(r"<li>(.*?)</li>", m, re.S)
    ]


# --- Digits that str.isdigit() accepts but int() or the database refuse -------------------


@pytest.mark.parametrize("digits", NOT_ASCII_DIGITS)
def test_directory_age_in_other_digits_is_an_error_not_a_crash(browser_as, make_service, digits):
    make_service(name="Alpha Swim")
    response = browser_as(Role.PRACTITIONER).get(f"/providers/?age={digits}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Age must be a whole number from 0 to 25" in html
    assert "Alpha Swim" not in html


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"age_from": "²"}, "Youngest age must be a whole number from 0 to 25"),
        ({"age_to": "²"}, "Oldest age must be a whole number from 0 to 25"),
        ({"age_from": "١", "age_to": "٢"}, "Youngest age must be a whole number from 0 to 25"),
        ({"capacity": "²"}, "Capacity must be a whole number, like 12"),
        ({"capacity": "99999999999999999999"}, "Capacity must be a whole number, like 12"),
        ({"rate": "١٢.50"}, "Enter the rate in pounds and pence, like 12.50"),
    ],
)
def test_service_form_numbers_in_other_digits_are_errors(
    app, browser_as, make_provider, changes, message
):
    provider_id = make_provider()
    response = browser_as(Role.COMMISSIONER).post(
        f"/providers/framework/{provider_id}/services/new", _service_form(**changes)
    )
    assert response.status_code == 200
    assert message in _errors(response.get_data(as_text=True))
    with app.app_context():
        assert _count(ProviderService) == 0


def test_a_tampered_version_on_edit_is_a_conflict_not_a_crash(app, browser_as, make_service):
    service_id = make_service(name="Steady Club")
    with app.app_context():
        provider_id = db.session.get(ProviderService, service_id).provider_id
    browser = browser_as(Role.COMMISSIONER)
    for url, form in (
        (f"/providers/services/{service_id}/edit", _service_form(name="Changed", version="²")),
        (
            f"/providers/framework/{provider_id}/edit",
            _provider_form(name="Changed", version="²"),
        ),
    ):
        response = browser.post(url, form)
        assert response.status_code == 200, url
        assert "while you were editing it" in response.get_data(as_text=True), url
    with app.app_context():
        assert db.session.get(ProviderService, service_id).name == "Steady Club"


def test_control_characters_in_a_form_are_an_error(app, browser_as, make_provider):
    browser = browser_as(Role.COMMISSIONER)
    html = browser.post("/providers/framework/new", _provider_form(town="North\x1bbrook")).get_data(
        as_text=True
    )
    assert "Town or city must not include control characters" in _errors(html)
    provider_id = make_provider()
    html = browser.post(
        f"/providers/framework/{provider_id}/services/new",
        _service_form(what_it_does="Games\x07 and fun"),
    ).get_data(as_text=True)
    assert (
        "The answer to 'What does the service do?' must not include control characters"
        in _errors(html)
    )
    with app.app_context():
        assert _count(ProviderService) == 0


# --- LIKE wildcards are searched for, not obeyed ------------------------------------------


def test_wildcards_in_the_directory_search_match_only_themselves(browser_as, make_service):
    make_service(name="Alpha Swim", what_it_does="Swimming.")
    make_service(name="100% Fun Club", what_it_does="Games.")
    browser = browser_as(Role.PRACTITIONER)
    html = browser.get("/providers/?q=%25").get_data(as_text=True)
    assert "100% Fun Club" in html and "Alpha Swim" not in html
    html = browser.get("/providers/?q=_").get_data(as_text=True)
    assert "100% Fun Club" not in html and "Alpha Swim" not in html
    assert "No services match" in html


def test_wildcards_in_the_framework_search_match_only_themselves(browser_as, make_provider):
    make_provider(name="Heron Trust")
    make_provider(name="Plover_Care")
    browser = browser_as(Role.COMMISSIONER)
    html = browser.get("/providers/framework?q=%25").get_data(as_text=True)
    assert "Heron Trust" not in html and "Plover_Care" not in html
    html = browser.get("/providers/framework?q=_").get_data(as_text=True)
    assert "Plover_Care" in html and "Heron Trust" not in html


# --- Website addresses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "website",
    [
        'https://exa mple.org/<b>"x',
        "https://example.org/<script>",
        "https://",
        "https://-bad-.example.org",
        "https://example",
        "https://user@evil.example.org",
        "ftp://example.org",
        "https://example.org/a b",
        "https://example.org/%zz",
        "javascript://example.org/%0aalert(1)",
    ],
)
def test_a_website_must_be_a_real_web_address(app, browser_as, website):
    response = browser_as(Role.COMMISSIONER).post(
        "/providers/framework/new", _provider_form(website=website)
    )
    assert response.status_code == 200
    assert "Enter a website address in the correct format, like https://www.example.org" in (
        _errors(response.get_data(as_text=True))
    )
    with app.app_context():
        assert _count(Provider) == 0
        with pytest.raises(ProviderError, match="correct format"):
            create_provider(provider_data(website=website))


@pytest.mark.parametrize(
    "website",
    [
        "https://www.example.org",
        "http://example.org/path/page?x=1&y=two#top",
        "https://sub.example.co.uk:8443/a%20b",
        "https://xn--bcher-kva.example/",
    ],
)
def test_real_web_addresses_are_accepted(app, website):
    with app.app_context():
        assert create_provider(provider_data(website=website)).website == website


# --- Tampered choices, "(optional)" in messages, money -------------------------------------


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"short_break_type": "spaceship"}, "Select the type of short break"),
        ({"tier": "gold"}, "Select targeted or specialist"),
        ({"needs": ["AUT", "XXX"]}, "Select the needs the service caters for from the list"),
        ({"localities": ["atlantis"]}, "Select localities from the list"),
        ({"runs": ["midnight"]}, "Select when the service runs from the list"),
        ({"capacity_unit": "litres"}, "Select places per session or nights a year"),
        ({"rate_unit": "year"}, "Select per hour, per session or per night"),
        ({"published": "maybe"}, "Select whether to publish the service"),
    ],
)
def test_tampered_service_choices_get_gov_uk_messages(browser_as, make_provider, changes, message):
    provider_id = make_provider()
    html = (
        browser_as(Role.COMMISSIONER)
        .post(f"/providers/framework/{provider_id}/services/new", _service_form(**changes))
        .get_data(as_text=True)
    )
    assert message in _errors(html)
    assert "Not a valid choice" not in html and "not a valid choice" not in html


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"kind": "spaceship"}, "Select the kind of provider"),
        ({"status": "bankrupt"}, "Select the provider's status"),
        ({"registration_body": "fsa"}, "Select Ofsted, CQC or not registered"),
        ({"registration_rating": "superb"}, "Select a registration rating from the list"),
        ({"direct_payments": "perhaps"}, "Select yes if direct payment holders can buy from them"),
    ],
)
def test_tampered_provider_choices_get_gov_uk_messages(browser_as, changes, message):
    html = (
        browser_as(Role.COMMISSIONER)
        .post("/providers/framework/new", _provider_form(**changes))
        .get_data(as_text=True)
    )
    assert message in _errors(html)
    assert "Not a valid choice" not in html


def test_tampered_directory_filters_get_gov_uk_messages(browser_as):
    html = (
        browser_as(Role.PRACTITIONER)
        .get("/providers/?locality=atlantis&need=XXX&short_break_type=x&tier=gold")
        .get_data(as_text=True)
    )
    errors = _errors(html)
    assert "Select a locality from the list" in errors
    assert "Select a need from the list" in errors
    assert "Select a type of short break from the list" in errors
    assert "Select targeted or specialist" in errors
    assert "Not a valid choice" not in html


def test_messages_never_say_optional(browser_as):
    html = (
        browser_as(Role.COMMISSIONER)
        .post(
            "/providers/framework/new",
            _provider_form(
                postcode="X" * 11,
                town="T" * 101,
                dbs_expires_on=["31", "13", "2030"],
                insurance_expires_on=["1", "", "2030"],
            ),
        )
        .get_data(as_text=True)
    )
    errors = _errors(html)
    assert "Postcode must be 10 characters or fewer" in errors
    assert "Town or city must be 100 characters or fewer" in errors
    assert "DBS check expires must be a real date" in errors
    assert "Insurance expires must include a month" in errors
    assert not [e for e in errors if "optional" in e]


@pytest.mark.parametrize("rate", ["1,2,3", "12,50", "1,2345", ",100", "1,000,00", "١٢"])
def test_commas_in_a_rate_are_only_thousands_separators(app, browser_as, make_provider, rate):
    provider_id = make_provider()
    html = (
        browser_as(Role.COMMISSIONER)
        .post(f"/providers/framework/{provider_id}/services/new", _service_form(rate=rate))
        .get_data(as_text=True)
    )
    assert "Enter the rate in pounds and pence, like 12.50" in _errors(html)
    with app.app_context():
        assert _count(ProviderService) == 0


def test_a_rate_with_thousands_separators_is_saved_in_pence(app, browser_as, make_provider):
    provider_id = make_provider()
    response = browser_as(Role.COMMISSIONER).post(
        f"/providers/framework/{provider_id}/services/new", _service_form(rate="£1,234.50")
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(ProviderService.rate_pence)) == 123450


# --- Telephone numbers --------------------------------------------------------------------

PHONE_MESSAGE = "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"
NOT_PHONES = [
    "not a date",
    "javascript:alert(1)",
    "123",
    "01632 960 001 ext 2",
    "０１６３２ ９６０００１",
]
PHONES = ["01632 960 001", "07700900982", "+44 808 157 0192", "(01632) 960-001"]


@pytest.mark.parametrize("phone", NOT_PHONES)
def test_a_provider_telephone_must_be_a_telephone_number(app, browser_as, make_provider, phone):
    provider_id = make_provider(phone="01632 960 001")
    browser = browser_as(Role.COMMISSIONER)
    html = browser.post("/providers/framework/new", _provider_form(phone=phone)).get_data(
        as_text=True
    )
    assert PHONE_MESSAGE in _errors(html)
    assert 'href="#phone"' in html
    with app.app_context():
        assert _count(Provider) == 1
    with app.app_context():
        with pytest.raises(ProviderError) as refused:
            create_provider(provider_data(phone=phone))
        assert ("phone", PHONE_MESSAGE) in refused.value.problems
    assert phone not in browser.get(f"/providers/framework/{provider_id}").get_data(as_text=True)


@pytest.mark.parametrize("phone", NOT_PHONES)
def test_a_service_contact_telephone_must_be_a_telephone_number(
    app, browser_as, make_provider, phone
):
    provider_id = make_provider()
    html = (
        browser_as(Role.COMMISSIONER)
        .post(
            f"/providers/framework/{provider_id}/services/new", _service_form(contact_phone=phone)
        )
        .get_data(as_text=True)
    )
    assert PHONE_MESSAGE in _errors(html)
    assert 'href="#contact_phone"' in html
    with app.app_context():
        assert _count(ProviderService) == 0


@pytest.mark.parametrize("phone", PHONES)
def test_uk_telephone_numbers_are_saved(app, browser_as, make_provider, phone):
    provider_id = make_provider()
    browser = browser_as(Role.COMMISSIONER)
    response = browser.post("/providers/framework/new", _provider_form(phone=phone))
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    response = browser.post(
        f"/providers/framework/{provider_id}/services/new", _service_form(contact_phone=phone)
    )
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(Provider.phone).where(Provider.name == "Kingfisher Play"))
        assert db.session.scalar(select(ProviderService.contact_phone)) == phone


def test_an_import_refuses_telephones_that_are_not_numbers(app, make_provider):
    from providers import csv_io

    make_provider(name="Heron Club")
    with app.app_context():
        result = csv_io.import_csv(
            "providers",
            b"name,kind,phone\r\nKite Club,organisation,javascript:alert(1)\r\n"
            b"Swift Club,organisation,01632 960 002\r\n",
        )
        assert result.errors == [(2, f"{PHONE_MESSAGE} (column phone)")]
        result = csv_io.import_csv(
            "services",
            b"provider,name,short_break_type,tier,age_from,age_to,needs,localities,contact_phone\r\n"
            b"Heron Club,Swim,educational_leisure,targeted,5,15,AUT,north,not a date\r\n",
        )
        assert result.errors == [(2, f"{PHONE_MESSAGE} (column contact_phone)")]
        db.session.commit()
        assert _count(Provider) == 1 and _count(ProviderService) == 0


# --- Registration --------------------------------------------------------------------------

NOT_REGISTERED_NUMBER = (
    "Choose who the provider is registered with, or remove the registration number"
)
NOT_REGISTERED_RATING = (
    "Choose who the provider is registered with, or choose Not rated as the latest "
    "inspection rating"
)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"registration_number": "SC123456", "registration_rating": ""}, NOT_REGISTERED_NUMBER),
        ({"registration_number": "SC123456", "registration_rating": "good"}, NOT_REGISTERED_NUMBER),
        ({"registration_number": "", "registration_rating": "good"}, NOT_REGISTERED_RATING),
    ],
)
def test_a_registration_needs_who_it_is_with(app, browser_as, make_provider, changes, message):
    make_provider()
    browser = browser_as(Role.COMMISSIONER)
    form = _provider_form(registration_body="", **changes)
    html = browser.post("/providers/framework/new", form).get_data(as_text=True)
    assert message in _errors(html)
    assert 'href="#registration_body"' in html
    with app.app_context():
        assert _count(Provider) == 1
        with pytest.raises(ProviderError) as refused:
            create_provider(provider_data(registration_body="", **changes))
        assert ("registration_body", message) in refused.value.problems


def test_not_registered_without_a_number_or_rating_is_saved(app, browser_as):
    form = _provider_form(registration_body="", registration_number="", registration_rating="")
    response = browser_as(Role.COMMISSIONER).post("/providers/framework/new", form)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        provider = db.session.scalar(select(Provider))
        assert (provider.registration_body, provider.registration_number) == ("", "")


def test_an_import_refuses_a_registration_number_without_who_it_is_with(app, make_provider):
    from providers import csv_io

    with app.app_context():
        result = csv_io.import_csv(
            "providers",
            b"name,kind,registration_body,registration_number,registration_rating\r\n"
            b"Kite Club,organisation,,SC123456,good\r\n"
            b"Swift Club,organisation,,,outstanding\r\n"
            b"Wren Club,organisation,ofsted,SC654321,good\r\n",
        )
        assert result.errors == [
            (2, f"{NOT_REGISTERED_NUMBER} (column registration_body)"),
            (3, f"{NOT_REGISTERED_RATING} (column registration_body)"),
        ]
        db.session.commit()
        assert _count(Provider) == 0
