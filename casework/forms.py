"""Forms of the casework package. The rules themselves live in casework.services; the
validators here call them so each field gets its own GOV.UK error message.

Every field has GOV.UK-style messages of its own, for a missing answer, a value that is too
long ("First name must be 100 characters or fewer") and a choice that is not on the list: none
shows WTForms' defaults ("Not a valid choice."). Every form but the search refuses hidden
characters in its text (casework.text.TextRulesForm). Forms that change a saved record are
``LockedForm``s (casework.locking), with their ``fill_from``.

This module has a child's details, referral, allocation and transfer, case notes, closing and
search; the family and professionals' forms are in casework.family_forms, and eligibility,
criteria and registrations in casework.decision_forms (all importable from here).
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovRadioInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from core.forms import choices
from core.parsing import whole_number
from core.reference import CIN_DISABILITY_CATEGORIES

from . import services
from .decision_forms import CriterionForm, DecisionForm, RegistrationForm
from .family_forms import CarerForm, ProfessionalForm, SiblingForm
from .form_fields import (
    DateField,
    GovGroupedSelect,
    grouped_choices,
    in_the_past,
    max_length,
    rule,
    select_choices,
    yes,
    yes_no,
)
from .locking import LockedForm
from .models import ETHNICITIES, GENDERS, NOTE_TYPES, REFERRAL_SOURCES
from .text import TextRulesForm

# --- A child's details ------------------------------------------------------------------------


class ChildForm(LockedForm):
    new_record = False  # NewChildForm: a new record is checked for age 25 or under today

    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the child's first name"), max_length(100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the child's last name"), max_length(100)],
    )
    preferred_name = StringField(
        "Preferred name (optional)",
        widget=GovTextInput(),
        validators=[Optional(), max_length(100)],
        description="What the child likes to be called, if different.",
    )
    date_of_birth = DateField(
        "Date of birth",
        validators=[InputRequired("Enter the child's date of birth")],
        description="For example, 27 3 2015",
    )
    gender = RadioField(
        "Gender",
        widget=GovRadioInput(),
        choices=choices(GENDERS.items()),
        validators=[InputRequired("Select the child's gender")],
        invalid_choice_message="Select the child's gender",
    )
    ethnicity = SelectField(
        "Ethnicity",
        widget=GovSelect(),
        choices=select_choices(ETHNICITIES.items()),
        validators=[InputRequired("Select the child's ethnicity")],
        invalid_choice_message="Select the child's ethnicity",
    )
    first_language = StringField(
        "First language (optional)", widget=GovTextInput(), validators=[max_length(60)]
    )
    nhs_number = StringField(
        "NHS number (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            max_length(20, message="NHS number must be 10 digits, like 485 777 3456"),
            rule(services.normalise_nhs_number),
        ],
        description="10 digits, like 485 777 3456",
    )
    address_line_1 = StringField(
        "Address line 1",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the first line of the address"), max_length(200)],
    )
    address_line_2 = StringField(
        "Address line 2 (optional)", widget=GovTextInput(), validators=[max_length(200)]
    )
    town = StringField(
        "Town or city",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the town or city"), max_length(100)],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the postcode"), rule(services.normalise_postcode)],
    )
    locality = SelectField(
        "Locality",
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired("Select the locality")],
        invalid_choice_message="Select the locality from the list",
    )
    school = StringField(
        "School or setting (optional)", widget=GovTextInput(), validators=[max_length(200)]
    )
    ehc_plan = yes_no(
        "Does the child have an education, health and care (EHC) plan?",
        "Select yes if the child has an EHC plan",
    )
    # Revealed under "Yes" (casework/child_form.html); left out when the answer is "No".
    ehc_plan_date = DateField("Date of the EHC plan", validators=[Optional(), in_the_past])
    disability_register = yes_no(
        "Is the child on the disability register?",
        "Select yes if the child is on the disability register",
    )
    disabilities = SelectMultipleField(
        "Disabilities",
        widget=GovCheckboxesInput(),
        choices=choices(CIN_DISABILITY_CATEGORIES.items()),
        description="Children in Need census categories. Select all that apply.",
        validators=[InputRequired("Select at least one disability category")],
        invalid_choice_message="Select disabilities from the list",
    )
    communication_needs = TextAreaField(
        "Communication needs (optional)", widget=GovTextArea(), validators=[max_length(5000)]
    )
    health_needs = TextAreaField(
        "Health needs (optional)", widget=GovTextArea(), validators=[max_length(5000)]
    )
    consent_to_share = yes_no(
        "Has the family consented to sharing information with other agencies?",
        "Select yes if the family has consented to sharing",
    )
    confirm_not_duplicate = HiddenField()
    submit = SubmitField("Save", widget=GovSubmitInput())

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        date = self.ehc_plan_date
        if self.ehc_plan.data != "yes":
            # Shown without JavaScript whatever the answer: ignored unless it is "Yes".
            date.errors, date.data = [], None
        elif date.data is None and not date.errors:
            date.errors = ["Enter the date of the EHC plan"]
        elif not date.errors and self.date_of_birth.data is not None:
            # Against the date of birth on the form (it may be corrected at the same time).
            try:
                services.check_ehc_plan_date(date.data, self.date_of_birth.data)
            except services.CaseworkError as exc:
                date.errors = [str(exc)]
        self._errors = None
        return not any(f.errors for f in self)

    def validate_date_of_birth(self, field):
        """Not in the future; a new record also 25 or under today. A changed date of birth
        of an existing record is checked against the referral by the service."""
        if field.data is None:
            return
        check = services.check_date_of_birth if self.new_record else None
        try:
            (check or services.check_not_born_in_future)(field.data)
        except services.CaseworkError as exc:
            raise ValidationError(str(exc)) from None

    def validate_disabilities(self, field):
        if "NONE" in (field.data or []) and len(field.data) > 1:
            raise ValidationError(
                "Select ‘No disability’ on its own, or only the disabilities that apply"
            )

    def child_data(self) -> dict:
        return {
            "first_name": self.first_name.data,
            "last_name": self.last_name.data,
            "preferred_name": self.preferred_name.data or "",
            "date_of_birth": self.date_of_birth.data,
            "gender": self.gender.data,
            "ethnicity": self.ethnicity.data,
            "first_language": self.first_language.data or "",
            "nhs_number": self.nhs_number.data,
            "address_line_1": self.address_line_1.data,
            "address_line_2": self.address_line_2.data or "",
            "town": self.town.data,
            "postcode": self.postcode.data,
            "locality": self.locality.data,
            "school": self.school.data or "",
            "ehc_plan": yes(self.ehc_plan),
            "ehc_plan_date": self.ehc_plan_date.data,
            "disability_register": yes(self.disability_register),
            "communication_needs": self.communication_needs.data or "",
            "health_needs": self.health_needs.data or "",
            "consent_to_share": yes(self.consent_to_share),
        }

    def fill_from(self, child) -> None:
        for key in services.CHILD_FIELDS:
            value = getattr(child, key)
            if isinstance(value, bool):
                value = "yes" if value else "no"
            getattr(self, key).data = value if value is not None else ""
        self.ehc_plan_date.data = child.ehc_plan_date
        self.date_of_birth.data = child.date_of_birth
        self.disabilities.data = child.disability_codes


class NewChildForm(ChildForm):
    new_record = True

    team = SelectField(
        "Team",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validators=[InputRequired("Select the team that will hold the case")],
        invalid_choice_message="Select the team that will hold the case",
        invalid_value_message="Select the team that will hold the case",
    )
    submit = SubmitField("Save and issue case number", widget=GovSubmitInput())


# --- Referral, allocation, transfer -----------------------------------------------------------


class ReferralForm(TextRulesForm):
    received_on = DateField(
        "Date received",
        validators=[InputRequired("Enter the date the referral was received"), in_the_past],
    )
    source = SelectField(
        "Where did the referral come from?",
        widget=GovSelect(),
        choices=select_choices(REFERRAL_SOURCES.items()),
        validators=[InputRequired("Select where the referral came from")],
        invalid_choice_message="Select where the referral came from",
    )
    reason = TextAreaField(
        "Reason for referral",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason for the referral"), max_length(5000)],
    )
    requested_support = TextAreaField(
        "Support requested (optional)", widget=GovTextArea(), validators=[max_length(5000)]
    )
    submit = SubmitField("Save referral", widget=GovSubmitInput())


class AllocationForm(TextRulesForm):
    team = SelectField(
        "Team",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validators=[InputRequired("Select a team")],
        invalid_choice_message="Select one of your teams",
        invalid_value_message="Select one of your teams",
    )
    worker = SelectField(
        "Practitioner",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select a practitioner in the team from the list",
        description="Leave as ‘Not allocated to a person’ to hold the case in the team.",
    )
    submit = SubmitField("Allocate", widget=GovSubmitInput())


class TransferForm(TextRulesForm):
    """Transfer a case to another team (choices set by the view: every other team, and the
    practitioners of each, grouped by team)."""

    team = SelectField(
        "Team the case is going to",
        widget=GovSelect(),
        choices=[],
        validators=[DataRequired("Select the team the case is going to")],
        invalid_choice_message="Select the team the case is going to",
    )
    # The practitioners of every other team, grouped by team; whether the one chosen is in
    # the team chosen is the service's rule (with its own message), so any id gets that far.
    worker = SelectField(
        "Practitioner in that team (optional)",
        widget=GovGroupedSelect(),
        choices=[],
        validate_choice=False,
        validators=[Optional()],
        description="Leave as ‘No one yet’ for the receiving team’s manager to allocate.",
    )
    reason = TextAreaField(
        "Reason for the transfer",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason for the transfer"), max_length(2000)],
        description="For example, the family has moved to another part of the county.",
    )
    submit = SubmitField("Transfer the case", widget=GovSubmitInput())

    def validate_worker(self, field):
        if field.data and whole_number(field.data, 1) is None:
            raise ValidationError("Select a practitioner from the list, or no one")


# --- Chronology, closing ----------------------------------------------------------------------


class NoteForm(TextRulesForm):
    occurred_on = DateField(
        "Date", validators=[InputRequired("Enter the date it happened"), in_the_past]
    )
    note_type = RadioField(
        "Type",
        widget=GovRadioInput(),
        choices=choices(NOTE_TYPES.items()),
        validators=[InputRequired("Select the type of entry")],
        invalid_choice_message="Select the type of entry",
    )
    summary = StringField(
        "Summary",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a short summary"), max_length(200)],
    )
    people = StringField(
        "Who was involved (optional)",
        widget=GovTextInput(),
        description="For example, Amelia, her mum Grace Hollins, school SENCo.",
        validators=[max_length(500)],
    )
    body = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        validators=[DataRequired("Enter what happened"), max_length(20000)],
    )
    significant = BooleanField("This is a significant event", widget=GovCheckboxInput())
    submit = SubmitField("Save entry", widget=GovSubmitInput())


class ReasonForm(TextRulesForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason"), max_length(5000)],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class CloseForm(ReasonForm):
    message_names = {"reason": "The reason"}
    reason = TextAreaField(
        "Why is the case being closed?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the reason for closing the case"),
            max_length(5000, "The reason"),
        ],
    )
    submit = SubmitField("Close the case", widget=GovSubmitInput())


class ReopenForm(ReasonForm):
    message_names = {"reason": "The reason"}
    reason = TextAreaField(
        "Why is the case being reopened?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the reason for reopening the case"),
            max_length(5000, "The reason"),
        ],
    )
    submit = SubmitField("Reopen the case", widget=GovSubmitInput())


# --- Search -------------------------------------------------------------------


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Name, date of birth, case number or NHS number",
        widget=GovTextInput(),
        validators=[Optional(), max_length(100, "Search")],
        description="You can add a date of birth to a name, like Smith 3/4/2015.",
    )
    age_band = SelectField(
        "Age",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select an age band from the list",
    )
    locality = SelectField(
        "Locality",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select a locality from the list",
    )
    disability = SelectField(
        "Disability",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select a disability from the list",
    )
    tier = SelectField(
        "Eligibility",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select an eligibility tier from the list",
    )
    worker = SelectField(
        "Allocated to",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select a person from the list",
    )
    status = SelectField(
        "Case status",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        invalid_choice_message="Select open or closed",
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


__all__ = [  # the forms of the other modules, and what views and tests use from here
    "CarerForm",
    "CriterionForm",
    "DecisionForm",
    "FlaskForm",
    "GovGroupedSelect",
    "ProfessionalForm",
    "RegistrationForm",
    "SiblingForm",
    "choices",
    "grouped_choices",
]
