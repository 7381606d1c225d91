"""The directory and the framework list: free-text search over every answer and the names of
needs, types and localities; sorting; pages beyond the last; the direct payments filter; tags
and links staff rely on."""

import re
from html import unescape

import pytest
from sqlalchemy import text

from core.extensions import db
from core.roles import Role
from providers.services import search_services


def _names(browser, query: str, candidates) -> list[str]:
    html = browser.get("/providers/?" + query).get_data(as_text=True)
    return sorted((n for n in candidates if n in html), key=html.index)


@pytest.fixture
def three(make_provider, make_service):
    a = make_provider(name="Alder Trust", direct_payments=True)
    b = make_provider(name="Birch Care")
    make_service(
        b,
        name="Autism Club",
        needs=["AUT"],
        age_from=8,
        age_to=12,
        what_it_does="Games.",
        accessibility="Ramps.",
    )
    make_service(
        a,
        name="Zebra Swim",
        needs=["MOB"],
        age_from=3,
        age_to=9,
        what_it_does="Swimming.",
        accessibility="Wheelchair users are welcome: hoist at the pool.",
        localities=["coast"],
        short_break_type="overnight_elsewhere",
    )
    make_service(
        b,
        name="Middle Group",
        needs=["HEAR"],
        age_from=14,
        age_to=18,
        what_it_does="Talks.",
        staff_training="All staff sign in BSL.",
        published=False,
    )
    return ["Autism Club", "Zebra Swim", "Middle Group"]


# --- 5. Free text -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, expected",
    [
        ("autism", {"Autism Club"}),  # the name, and the need AUT's name
        ("autistic", {"Autism Club"}),
        ("wheelchair", {"Zebra Swim"}),  # the accessibility answer
        ("bsl", {"Middle Group"}),  # the staff training answer
        ("saltcoast", {"Zebra Swim"}),  # a locality's name
        ("overnight", {"Zebra Swim"}),  # a type of short break
        ("deaf", {"Middle Group"}),  # the need HEAR
        ("birch", {"Autism Club", "Middle Group"}),  # the provider
        ("birch talks", {"Middle Group"}),  # every word must match
        ("100%", set()),
        ("_", set()),
    ],
)
def test_free_text_covers_answers_needs_types_and_localities(app, three, query, expected):
    with app.app_context():
        assert {s.name for s in search_services(text=query)} == expected


def test_autism_finds_services_for_autistic_children_by_their_need(app, make_service):
    make_service(name="Plain Club", needs=["AUT"], what_it_does="Games.")
    with app.app_context():
        assert [s.name for s in search_services(text="autism")] == ["Plain Club"]


# --- 13. Sorting, pages, direct payments, tags ------------------------------------------------


def test_the_directory_sorts_by_name_provider_and_age(browser_as, three):
    browser = browser_as(Role.PRACTITIONER)
    assert _names(browser, "", three) == ["Autism Club", "Middle Group", "Zebra Swim"]
    assert _names(browser, "sort=name&dir=desc", three) == [
        "Zebra Swim",
        "Middle Group",
        "Autism Club",
    ]
    assert _names(browser, "sort=provider", three)[0] == "Zebra Swim"  # Alder Trust
    assert _names(browser, "sort=age", three) == ["Zebra Swim", "Autism Club", "Middle Group"]
    assert _names(browser, "sort=age&dir=desc", three)[0] == "Middle Group"
    html = browser.get("/providers/?sort=age&dir=desc").get_data(as_text=True)
    assert re.search(r'aria-sort="descending"[^>]*>\s*<a[^>]*>Ages', html)
    assert html.count('aria-sort="none"') == 2
    # An unknown sort is the default one, not an error.
    assert browser.get("/providers/?sort=drop&dir=sideways").status_code == 200


def test_the_framework_list_sorts(browser_as, make_provider):
    make_provider(name="Alder Trust", kind="personal_assistant")
    make_provider(name="Birch Care", kind="council")
    browser = browser_as(Role.PRACTITIONER)

    def order(query):
        html = browser.get("/providers/framework?" + query).get_data(as_text=True)
        return sorted(("Alder Trust", "Birch Care"), key=html.index)

    assert order("") == ["Alder Trust", "Birch Care"]
    assert order("sort=name&dir=desc") == ["Birch Care", "Alder Trust"]
    assert order("sort=kind") == ["Birch Care", "Alder Trust"]  # Council-run before Personal
    html = browser.get("/providers/framework?sort=kind").get_data(as_text=True)
    assert 'aria-sort="ascending"' in html


def test_a_page_beyond_the_last_shows_the_last_page(browser_as, make_provider, make_service):
    provider_id = make_provider()
    for n in range(30):
        make_service(provider_id, name=f"Club {n:02d}")
    browser = browser_as(Role.PRACTITIONER)
    html = browser.get("/providers/?page=999").get_data(as_text=True)
    assert "30 services" in html
    assert "Club 29" in html and "Club 00" not in html
    html = browser.get("/providers/framework?page=999").get_data(as_text=True)
    assert "Test Provider" in html


def test_direct_payments_filters_only_when_yes(browser_as, three):
    browser = browser_as(Role.PRACTITIONER)
    everything = set(three)
    for value in ("n", "no", "0", "false", ""):
        assert set(_names(browser, f"direct_payments={value}", three)) == everything, value
    assert _names(browser, "direct_payments=y", three) == ["Zebra Swim"]
    html = browser.get("/providers/?direct_payments=n").get_data(as_text=True)
    assert 'name="direct_payments" type="checkbox" value="y" checked' not in html


def test_staff_see_which_services_are_not_published(browser_as, three):
    html = browser_as(Role.PRACTITIONER).get("/providers/").get_data(as_text=True)
    row = html[html.index("Middle Group") :]
    row = row[: row.index("</tr>")]
    assert "Not published" in row
    other = html[html.index("Zebra Swim") :]
    assert "Not published" not in other[: other.index("</tr>")]


def test_a_providers_website_is_a_safe_link(app, browser_as, make_provider):
    provider_id = make_provider(website="https://heron.example.org/about")
    bad_id = make_provider()
    with app.app_context():  # saved before the website check existed
        db.session.execute(
            text("UPDATE provider SET website = 'javascript:alert(1)' WHERE id = :id"),
            {"id": bad_id},
        )
        db.session.commit()
    browser = browser_as(Role.PRACTITIONER)
    html = unescape(browser.get(f"/providers/framework/{provider_id}").get_data(as_text=True))
    assert (
        '<a class="govuk-link" href="https://heron.example.org/about" '
        'rel="noopener noreferrer">https://heron.example.org/about</a>'
    ) in html
    html = browser.get(f"/providers/framework/{bad_id}").get_data(as_text=True)
    assert 'href="javascript' not in html
