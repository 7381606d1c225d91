"""Forms of the reports package."""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea
from wtforms import HiddenField, SelectField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from core.forms import choices

from .narrative import MAX_LENGTH
from .services import statement_years, year_label


def year_choices():
    """The years with records, latest first (reports.coverage)."""
    return choices((str(y), year_label(y)) for y in statement_years())


class StatementRequestForm(FlaskForm):
    year = SelectField(
        "Financial year",
        widget=GovSelect(),
        description="From 1 April to 31 March.",
        validate_choice=False,  # checked by services.parse_year, with a clearer message
        validators=[DataRequired("Select the financial year")],
    )
    submit = SubmitField("Make the statement", widget=GovSubmitInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.year.choices = year_choices()


class NarrativeForm(FlaskForm):
    body = TextAreaField(
        "Text",
        widget=GovTextArea(),
        description="Leave a blank line between paragraphs. Saving keeps the earlier versions.",
        validators=[
            DataRequired("Enter the text of this section"),
            Length(max=MAX_LENGTH, message=f"The text must be {MAX_LENGTH:,} characters or fewer"),
        ],
    )
    based_on = HiddenField()
    submit = SubmitField("Save as a new version", widget=GovSubmitInput())


class KeepForm(FlaskForm):
    action = HiddenField()


class ApproveForm(FlaskForm):
    number = HiddenField()
    submit = SubmitField("Approve this version", widget=GovSubmitInput())
