"""What people type into casework's text fields: hidden characters (zero-width spaces,
direction marks, control characters) are refused in every one-line field, and in long text
except for line breaks and tabs; names have their inner spaces closed up; telephone numbers
must look like UK ones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from casework import services
from casework.models import CaseNote, Child, FamilyMember, Professional
from casework.text import hidden_characters
from core.extensions import db
from core.models import User
from tests.casework.conftest import CHILD
from tests.casework.test_views import _errors, child_form

TODAY = dt.date.today()
HIDDEN = "must not contain hidden characters, such as zero-width spaces: type it again instead of pasting it"
PHONE = "Enter a telephone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192"


def _parts(d: dt.date) -> list[str]:
    return [str(d.day), str(d.month), str(d.year)]


@pytest.mark.parametrize(
    ("text", "multiline", "hidden"),
    [
        ("Kai", False, False),
        ("Zoë O’Neill-Smith", False, False),
        ("Kai\u200b", False, True),  # zero-width space (Cf)
        ("\u200e\u200fKai", False, True),  # direction marks
        ("Kai\u202e", False, True),  # right-to-left override
        ("Kai\tO", False, True),  # a tab has no place in one line
        ("Kai\x07", False, True),  # bell (Cc)
        ("Kai\ufeff", False, True),  # byte order mark
        ("line one\r\nline two\tend", True, False),
        ("line one\x1b[31m", True, True),
        ("notes \u202e reversed", True, True),
        ("family 👨\u200d👩\u200d👧 emoji", True, False),  # joiners build emoji in long text
    ],
)
def test_what_counts_as_hidden(text, multiline, hidden):
    assert hidden_characters(text, multiline=multiline) is hidden


def test_hidden_characters_are_refused_in_the_childs_one_line_fields(
    app, browser_as, team_and_worker
):
    team, worker = team_and_worker
    browser = browser_as(user=worker)
    response = browser.post(
        "/casework/children/new",
        child_form(
            team=str(team.id),
            first_name="Isla\u200b",
            last_name="\u200eFairbairn",
            preferred_name="Is\u2060",
            first_language="English\u200f",
            address_line_1="3 Orchard Close\u202e",
            town="North\x07brook",
            school="Fenside\u200b",
        ),
    )
    errors = _errors(response.get_data(as_text=True))
    for label in (
        "First name",
        "Last name",
        "Preferred name",
        "First language",
        "Address line 1",
        "Town or city",
        "School or setting",
    ):
        assert f"{label} {HIDDEN}" in errors, label
    with app.app_context():
        assert db.session.scalar(select(Child)) is None


def test_double_spaces_inside_names_are_closed_up(app, team_and_worker):
    team, worker = team_and_worker
    with app.app_context():
        child = services.create_child(
            db.session.get(User, worker.id),
            {
                **CHILD,
                "first_name": " Anne   Marie ",
                "last_name": "Le  Roux",
                "preferred_name": "An  ",
            },
            ["AUT"],
            team=db.session.get(type(team), team.id),
        )
        assert (child.first_name, child.last_name, child.preferred_name) == (
            "Anne Marie",
            "Le Roux",
            "An",
        )
        member = services.save_family_member(
            child, {"kind": "carer", "name": "Grace   Le  Roux", "relationship_to_child": "mother"}
        )
        sibling = services.save_family_member(child, {"kind": "sibling", "name": "Theo  Le Roux"})
        prof = services.save_professional(child, {"name": "Dr  Chen", "role": "GP"})
        assert (member.name, sibling.name, prof.name) == (
            "Grace Le Roux",
            "Theo Le Roux",
            "Dr Chen",
        )


def test_the_service_refuses_hidden_characters_too(app, make_child, team_and_worker):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError, match=f"Full name {HIDDEN}") as exc:
            services.save_family_member(
                child, {"kind": "carer", "name": "\u200b\u200b", "relationship_to_child": "mother"}
            )
        assert exc.value.field == "name"
        with pytest.raises(services.CaseworkError, match=f"Name {HIDDEN}"):
            services.save_professional(child, {"name": "Dr\u200e Chen", "role": "GP"})
        with pytest.raises(services.CaseworkError, match=f"First name {HIDDEN}"):
            services.create_child(
                db.session.get(User, worker.id), {**CHILD, "first_name": "Kai\u200b"}, ["AUT"]
            )
        with pytest.raises(services.CaseworkError, match=f"Summary {HIDDEN}"):
            services.add_note(
                child,
                db.session.get(User, worker.id),
                {"occurred_on": TODAY, "note_type": "note", "summary": "Call\u200b", "body": "x"},
            )


@pytest.mark.parametrize(
    ("path", "data", "label"),
    [
        (
            "carers/new",
            {
                "name": "\u200b\u200b",
                "relationship_to_child": "mother",
                "parental_responsibility": "yes",
                "lives_with_child": "yes",
                "needs_carers_assessment": "no",
            },
            "Full name",
        ),
        ("siblings/new", {"name": "Theo\u200b", "lives_with_child": "yes"}, "Full name"),
        ("professionals/new", {"name": "Dr\u200b Chen", "role": "GP"}, "Name"),
        ("professionals/new", {"name": "Dr Chen", "role": "GP\u202e"}, "Role"),
        (
            "professionals/new",
            {"name": "Dr Chen", "role": "GP", "organisation": "\u200bSurgery"},
            "Organisation",
        ),
        (
            "notes/new",
            {"note_type": "note", "summary": "Call\u200b", "body": "Talked"},
            "Summary",
        ),
        (
            "notes/new",
            {"note_type": "note", "summary": "Call", "people": "Mum\u200f", "body": "Talked"},
            "Who was involved",
        ),
        (
            "notes/new",
            {"note_type": "note", "summary": "Call", "body": "Talked \u202e about it"},
            "What happened",
        ),
    ],
)
def test_hidden_characters_are_refused_in_family_professional_and_note_fields(
    app, path, data, label, own_case
):
    browser, child_id, *_ = own_case
    if path == "notes/new":
        data = {**data, "occurred_on": _parts(TODAY)}
    response = browser.post(f"/casework/children/{child_id}/{path}", data)
    assert response.status_code == 200
    assert _errors(response.get_data(as_text=True)) == [f"{label} {HIDDEN}"]
    with app.app_context():
        for model in (FamilyMember, Professional, CaseNote):
            assert db.session.scalar(select(model)) is None


def test_a_blank_looking_carer_name_never_reaches_the_childs_page(app, own_case):
    browser, child_id, *_ = own_case
    browser.post(
        f"/casework/children/{child_id}/carers/new",
        {
            "name": "\u200b\u200b",
            "relationship_to_child": "mother",
            "parental_responsibility": "yes",
            "lives_with_child": "yes",
            "needs_carers_assessment": "no",
        },
    )
    assert "(Mother)" not in browser.get(f"/casework/children/{child_id}").get_data(as_text=True)


# --- Telephone numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "phone",
    ["01632 960 001", "07700 900982", "+44 808 157 0192", "(01632) 960-001", "+44 (0)7700 900 982"],
)
def test_uk_telephone_numbers_are_accepted(app, make_child, team_and_worker, phone):
    team, worker = team_and_worker
    child_id = make_child(team=team, worker=worker)
    with app.app_context():
        child = db.session.get(Child, child_id)
        member = services.save_family_member(
            child,
            {"kind": "carer", "name": "Grace", "relationship_to_child": "mother", "phone": phone},
        )
        assert member.phone == phone


@pytest.mark.parametrize(
    "phone", ["call me", "0123", "07700 900 982 ext 4", "0770090098212345", "++44 7700 900982"]
)
def test_other_text_is_not_a_telephone_number(app, phone, own_case):
    browser, child_id, *_ = own_case
    carer = browser.post(
        f"/casework/children/{child_id}/carers/new",
        {
            "name": "Grace Hollins",
            "relationship_to_child": "mother",
            "parental_responsibility": "yes",
            "lives_with_child": "yes",
            "needs_carers_assessment": "no",
            "phone": phone,
        },
    )
    assert _errors(carer.get_data(as_text=True)) == [PHONE]
    prof = browser.post(
        f"/casework/children/{child_id}/professionals/new",
        {"name": "Dr Chen", "role": "GP", "phone": phone},
    )
    assert _errors(prof.get_data(as_text=True)) == [PHONE]
    with app.app_context():
        child = db.session.get(Child, child_id)
        with pytest.raises(services.CaseworkError, match="Enter a telephone number") as exc:
            services.save_professional(child, {"name": "Dr Chen", "role": "GP", "phone": phone})
        assert exc.value.field == "phone"


def test_questions_are_named_plainly_in_the_message(app, own_case):
    browser, child_id, worker, *_ = own_case
    response = browser.post(f"/casework/children/{child_id}/close", {"reason": "Moved \u202eaway"})
    assert _errors(response.get_data(as_text=True)) == [f"The reason {HIDDEN}"]
    with app.app_context():
        assert not db.session.get(Child, child_id).is_closed
        with pytest.raises(services.CaseworkError, match=f"Activity {HIDDEN}"):
            services.save_registration(
                db.session.get(Child, child_id),
                db.session.get(User, worker.id),
                {"provider_service_id": "other", "activity": "Sailing\u200b", "from_date": TODAY},
            )
