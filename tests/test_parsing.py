"""Numbers from URLs and forms: odd digits and ids beyond the database's integers are turned
away as bad input (a 404 or no filter), never a server error."""

import pytest

from core.parsing import MAX_ID, whole_number
from core.roles import Role


@pytest.mark.parametrize(
    "raw, expected",
    [("7", 7), (" 12 ", 12), ("0", 0), (str(MAX_ID), MAX_ID), (str(MAX_ID + 1), None)]
    + [(bad, None) for bad in ("", None, "²", "١٢", "-1", "1.5", "1e3", "abc", "9" * 40)],
)
def test_whole_number(raw, expected):
    assert whole_number(raw) == expected


def test_whole_number_bounds():
    assert whole_number("5", 1, 4) is None and whole_number("4", 1, 4) == 4


def test_an_id_beyond_the_database_integers_is_page_not_found(browser_as):
    admin = browser_as(Role.ADMINISTRATOR)
    for url in ("/admin/users/99999999999999999999", f"/admin/users/{MAX_ID + 1}/edit"):
        response = admin.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["²", "-1", "abc", "99999999999999999999"])
def test_odd_page_numbers_show_the_first_page(browser_as, page):
    admin = browser_as(Role.ADMINISTRATOR)
    response = admin.get(f"/admin/users?page={page}")
    assert response.status_code == 200
    response = admin.get(f"/admin/audit?page={page}")
    assert response.status_code == 200


def test_audit_search_treats_percent_as_a_character(browser_as, make_user):
    admin = browser_as(Role.ADMINISTRATOR)
    make_user(Role.PRACTITIONER, email="plain@test.example.gov.uk")
    page = admin.get("/admin/users?q=%25").get_data(as_text=True)
    assert "plain@test.example.gov.uk" not in page
