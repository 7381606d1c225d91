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
        (("3", "4", "20155"), "Review date must be a real date, like 27 3 2015"),
        (("²", "4", "2015"), "Review date must be a real date, like 27 3 2015"),
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
