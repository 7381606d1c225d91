"""The shared date field: every partial or odd date is a clear error, never a lost or
changed date, and the error summary links to the input at fault."""

import datetime as dt
import re

import pytest
from flask import render_template_string
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.validators import InputRequired, Optional

from core.forms import GovDateField, error_summary


class DatesForm(FlaskForm):
    class Meta:
        csrf = False

    optional_date = GovDateField("Review date", validators=[Optional()])
    required_date = GovDateField("Date of birth", validators=[InputRequired("Enter the date")])


def _form(app, **parts):
    data = MultiDict()
    for name in ("optional_date", "required_date"):
        for value in parts.get(name, ("1", "2", "2020")):
            data.add(name, value)
    with app.test_request_context(method="POST", data=data):
        form = DatesForm()
        form.validate()
        return form


@pytest.mark.parametrize(
    "parts, message",
    [
        (("", "1", "2010"), "Review date must include a day"),
        (("3", "", "2010"), "Review date must include a month"),
        (("3", "4", ""), "Review date must include a year"),
        (("", "", "2010"), "Review date must include a day and month"),
        (("3", "4", "20155"), "Review date must be a real date"),
        (("²", "4", "2015"), "Review date must be a real date"),
        (("31", "2", "2015"), "Review date must be a real date"),
    ],
)
def test_an_optional_date_with_some_parts_typed_is_an_error_not_no_date(app, parts, message):
    form = _form(app, optional_date=parts)
    assert form.optional_date.errors == [message]
    assert form.optional_date.data is None


def test_an_optional_date_left_empty_is_no_date(app):
    form = _form(app, optional_date=("", "", ""))
    assert form.optional_date.errors == [] and form.optional_date.data is None


def test_a_required_date_with_the_day_missing_says_what_is_missing(app):
    form = _form(app, required_date=("", "4", "2015"))
    assert form.required_date.errors == ["Date of birth must include a day"]
    form = _form(app, required_date=("", "", ""))
    assert form.required_date.errors == ["Enter the date"]


def test_a_five_digit_year_is_shown_back_as_typed(app):
    form = _form(app, required_date=("3", "4", "20155"))
    assert form.required_date.raw_data == ["3", "4", "20155"]
    assert form.required_date.data is None
    assert _form(app).required_date.data == dt.date(2020, 2, 1)


def test_error_summary_links_to_the_date_input_at_fault(app):
    odd_year = _form(app, optional_date=("3", "4", "99999"))
    assert error_summary(odd_year)["errorList"][0]["href"] == "#optional_date-year"
    odd_month = _form(app, optional_date=("3", "13", "2010"))
    assert error_summary(odd_month)["errorList"][0]["href"] == "#optional_date-month"
    form = _form(app, optional_date=("3", "", "2010"), required_date=("", "", ""))
    links = {e["text"]: e["href"] for e in error_summary(form)["errorList"]}
    assert links == {
        "Review date must include a month": "#optional_date-month",
        "Enter the date": "#required_date-day",
    }
    with app.test_request_context():
        html = render_template_string("{{ form.required_date() }}", form=form)
    assert 'id="required_date-day"' in html
    container = re.search(r'<div class="govuk-date-input"[^>]*>', html).group(0)
    assert not re.search(r"\srequired(=|\s|>)", container), container


def test_wtforms_own_messages_become_govuk_messages_naming_the_field(app):
    from wtforms import IntegerField, SelectField, SelectMultipleField, StringField
    from wtforms.validators import Email, Length

    from core.forms import choices

    class Odd(FlaskForm):
        class Meta:
            csrf = False

        name = StringField("Name", validators=[Length(max=5)])
        postcode = StringField("Postcode (optional)", validators=[Length(max=3)])
        nhs = StringField("NHS number", validators=[Length(min=10, max=10)])
        email = StringField("Email address", validators=[Email()])
        kind = SelectField("Kind of provider", choices=choices([("a", "A")]))
        teams = SelectMultipleField("Teams", choices=[], coerce=int)
        age = IntegerField("Age")
        own = StringField("Own", validators=[Length(max=1, message="Own message kept")])

    data = MultiDict(
        [("name", "toolong"), ("postcode", "AB1 2CD"), ("nhs", "123"), ("email", "nope")]
        + [("kind", "zzz"), ("teams", "abc"), ("age", "x"), ("own", "xx")]
    )
    with app.test_request_context(method="POST", data=data):
        form = Odd()
        assert not form.validate()
        errors = {name: messages[0] for name, messages in form.errors.items()}
    assert errors == {
        "name": "Name must be 5 characters or fewer",
        "postcode": "Postcode must be 3 characters or fewer",
        "nhs": "NHS number must be 10 characters",
        "email": "Enter an email address in the correct format, like name@example.com",
        "kind": "Select kind of provider",
        "teams": "Select teams",
        "age": "Age must be a whole number",
        "own": "Own message kept",
    }
