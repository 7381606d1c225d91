"""Forms of the casework package. The rules themselves live in casework.services; the
validators here call them so each field gets its own GOV.UK error message.

Every field has GOV.UK-style messages of its own, for a missing answer, a value that is too
long ("First name must be 100 characters or fewer") and a choice that is not on the list: none
shows WTForms' defaults ("Not a valid choice."). Forms that change a saved record are
``LockedForm``s (casework.locking), with their ``fill_from``.
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

from core.forms import GovDateField, choices, not_in_future
from core.parsing import whole_number
from core.reference import CIN_DISABILITY_CATEGORIES

from . import services
from .form_fields import (
    YES_NO,
    GovGroupedSelect,
    WholeNumberField,
    email_address,
    grouped_choices,
    max_length,
    rule,
    select_choices,
    yes,
    yes_no,
)
from .locking import LockedForm
from .models import (
    CRITERION_TIERS,
    ETHNICITIES,
    GENDERS,
    NOTE_TYPES,
    REFERRAL_SOURCES,
    RELATIONSHIPS,
)

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
    date_of_birth = GovDateField(
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
    ehc_plan_date = GovDateField(
        "Date of the EHC plan (if they have one)",
        validators=[Optional(), not_in_future()],
    )
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
        ok = super().validate(extra_validators)
        date = self.ehc_plan_date
        if self.ehc_plan.data == "yes" and date.data is None and not date.errors:
            date.errors = [*date.errors, "Enter the date of the EHC plan"]
            self._errors = None
            ok = False
        return ok

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


# --- Family and professionals -----------------------------------------------------------------


class CarerForm(LockedForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's name"), max_length(200)],
    )
    relationship_to_child = SelectField(
        "Relationship to the child",
        widget=GovSelect(),
        choices=select_choices(RELATIONSHIPS.items()),
        validators=[InputRequired("Select the relationship to the child")],
        invalid_choice_message="Select the relationship to the child",
    )
    parental_responsibility = yes_no(
        "Do they have parental responsibility?",
        "Select yes if they have parental responsibility",
    )
    lives_with_child = yes_no(
        "Do they live with the child?", "Select yes if they live with the child"
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[max_length(40)]
    )
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[max_length(254), email_address],
    )
    address = TextAreaField(
        "Address, if different from the child's (optional)",
        widget=GovTextArea(),
        validators=[max_length(1000)],
    )
    carer_needs = TextAreaField(
        "The carer's own needs (optional)",
        widget=GovTextArea(),
        validators=[max_length(5000)],
        description="Their health, work, other caring responsibilities, what support they need.",
    )
    needs_carers_assessment = yes_no(
        "Do they need a carer's assessment?", "Select yes if they need a carer's assessment"
    )
    submit = SubmitField("Save carer", widget=GovSubmitInput())

    def member_data(self) -> dict:
        return {
            "kind": "carer",
            "name": self.name.data,
            "relationship_to_child": self.relationship_to_child.data,
            "parental_responsibility": yes(self.parental_responsibility),
            "lives_with_child": yes(self.lives_with_child),
            "phone": self.phone.data,
            "email": self.email.data,
            "address": self.address.data,
            "carer_needs": self.carer_needs.data,
            "needs_carers_assessment": yes(self.needs_carers_assessment),
        }

    def fill_from(self, m) -> None:
        self.name.data = m.name
        self.relationship_to_child.data = m.relationship_to_child
        self.parental_responsibility.data = "yes" if m.parental_responsibility else "no"
        self.lives_with_child.data = "yes" if m.lives_with_child else "no"
        self.phone.data, self.email.data, self.address.data = m.phone, m.email, m.address
        self.carer_needs.data = m.carer_needs
        self.needs_carers_assessment.data = "yes" if m.needs_carers_assessment else "no"


class SiblingForm(LockedForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the sibling's name"), max_length(200)],
    )
    date_of_birth = GovDateField(
        "Date of birth (optional)", validators=[Optional(), not_in_future()]
    )
    lives_with_child = yes_no(
        "Do they live with the child?", "Select yes if they live with the child"
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[max_length(2000)],
        description="For example, their own needs or a young carer's role.",
    )
    submit = SubmitField("Save sibling", widget=GovSubmitInput())

    def member_data(self) -> dict:
        return {
            "kind": "sibling",
            "name": self.name.data,
            "date_of_birth": self.date_of_birth.data,
            "lives_with_child": yes(self.lives_with_child),
            "notes": self.notes.data,
        }

    def fill_from(self, m) -> None:
        self.name.data = m.name
        self.date_of_birth.data = m.date_of_birth
        self.lives_with_child.data = "yes" if m.lives_with_child else "no"
        self.notes.data = m.notes


class ProfessionalForm(LockedForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the professional's name"), max_length(200)],
    )
    role = StringField(
        "Role",
        widget=GovTextInput(),
        description="For example, GP, class teacher, speech and language therapist.",
        validators=[DataRequired("Enter the professional's role"), max_length(200)],
    )
    organisation = StringField(
        "Organisation (optional)", widget=GovTextInput(), validators=[max_length(200)]
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[max_length(40)]
    )
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[max_length(254), email_address],
    )
    submit = SubmitField("Save professional", widget=GovSubmitInput())

    def professional_data(self) -> dict:
        return {
            k: getattr(self, k).data for k in ("name", "role", "organisation", "phone", "email")
        }

    def fill_from(self, prof) -> None:
        for key in ("name", "role", "organisation", "phone", "email"):
            getattr(self, key).data = getattr(prof, key)


# --- Referral, allocation, transfer -----------------------------------------------------------


class ReferralForm(FlaskForm):
    received_on = GovDateField(
        "Date received",
        validators=[InputRequired("Enter the date the referral was received"), not_in_future()],
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


class AllocationForm(FlaskForm):
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


class TransferForm(FlaskForm):
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


# --- Eligibility, registrations ---------------------------------------------------------------


class DecisionForm(FlaskForm):
    tier = RadioField(
        "Decision",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("targeted", "Targeted short breaks"),
                ("specialist", "Specialist short breaks"),
                ("not_eligible", "Not eligible"),
            ]
        ),
        validators=[InputRequired("Select the decision")],
        invalid_choice_message="Select the decision",
    )
    criteria = SelectMultipleField(
        "Criteria met",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        description="Select every criterion the child meets for the tier decided.",
        invalid_choice_message="Select criteria from the list",
        invalid_value_message="Select criteria from the list",
    )
    rationale = TextAreaField(
        "Reasons for the decision",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reasons for the decision"), max_length(10000)],
    )
    decided_on = GovDateField(
        "Date of the decision",
        validators=[InputRequired("Enter the date of the decision"), not_in_future()],
    )
    review_date = GovDateField(
        "Next review date",
        validators=[Optional()],
        description="Needed for targeted and specialist decisions.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())


class RegistrationForm(LockedForm):
    # Choices are set by the view (casework.services.registration_service_options); the service
    # checks the value, so a hostile id is a form error, never a crash.
    provider_service_id = SelectField(
        "Targeted service",
        widget=GovGroupedSelect(),
        choices=[],
        default="",
        validate_choice=False,
        description="Services on the providers framework. Those that serve the child’s "
        "locality and age are listed first.",
    )
    activity = StringField(
        "Activity not on the framework",
        widget=GovTextInput(),
        validators=[max_length(300, "Activity")],
        description="Only if you selected ‘Not on the framework’. For example, "
        "Saltcoast Sailing Club – Saturday sessions.",
    )
    from_date = GovDateField(
        "From", validators=[InputRequired("Enter the date the registration starts")]
    )
    to_date = GovDateField("To (optional)", validators=[Optional()])
    submit = SubmitField("Save registration", widget=GovSubmitInput())

    def _choice_problem(self, field_name: str) -> None:
        try:
            services.check_registration_choice(self.provider_service_id.data, self.activity.data)
        except services.CaseworkError as exc:
            if exc.field == field_name:
                raise ValidationError(str(exc)) from None

    def validate_provider_service_id(self, field):
        self._choice_problem("provider_service_id")

    def validate_activity(self, field):
        self._choice_problem("activity")

    def registration_data(self) -> dict:
        return {
            k: getattr(self, k).data
            for k in ("provider_service_id", "activity", "from_date", "to_date")
        }

    def fill_from(self, reg) -> None:
        # A framework service is the select's choice; free text goes with 'Not on the framework'.
        on_framework = reg.provider_service_id is not None
        self.provider_service_id.data = (
            str(reg.provider_service_id) if on_framework else services.NOT_ON_FRAMEWORK
        )
        self.activity.data = "" if on_framework else reg.activity
        self.from_date.data, self.to_date.data = reg.from_date, reg.to_date


# --- Chronology, closing ----------------------------------------------------------------------


class NoteForm(FlaskForm):
    occurred_on = GovDateField(
        "Date", validators=[InputRequired("Enter the date it happened"), not_in_future()]
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


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason"), max_length(5000)],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class CloseForm(ReasonForm):
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
    reason = TextAreaField(
        "Why is the case being reopened?",
        widget=GovTextArea(),
        validators=[
            DataRequired("Enter the reason for reopening the case"),
            max_length(5000, "The reason"),
        ],
    )
    submit = SubmitField("Reopen the case", widget=GovSubmitInput())


# --- Administration, search -------------------------------------------------------------------


class CriterionForm(FlaskForm):
    tier = RadioField(
        "Tier",
        widget=GovRadioInput(),
        choices=choices(CRITERION_TIERS.items()),
        validators=[InputRequired("Select the tier the criterion is for")],
        invalid_choice_message="Select the tier the criterion is for",
    )
    text = TextAreaField(
        "Wording",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the wording of the criterion"), max_length(2000)],
    )
    sort_order = WholeNumberField(
        "Position in the list",
        widget=GovTextInput(),
        default=0,
        low=0,
        high=services.POSITION_MAX,
        required="Enter the position in the list, like 10",
        description="Criteria are listed from the lowest number.",
    )
    active = RadioField(
        "In use?",
        widget=GovRadioInput(),
        choices=YES_NO,
        default="yes",
        validators=[InputRequired("Select yes if the criterion is in use")],
        invalid_choice_message="Select yes if the criterion is in use",
    )
    submit = SubmitField("Save criterion", widget=GovSubmitInput())


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


__all__ = [  # besides the forms: what views and tests use from here
    "FlaskForm",
    "GovGroupedSelect",
    "choices",
    "grouped_choices",
]
