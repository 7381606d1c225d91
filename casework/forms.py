"""Forms of the casework package. The rules themselves live in casework.services; the
validators here call them so each field gets its own GOV.UK error message."""

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
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.forms import GovDateField, choices, not_in_future
from core.reference import CIN_DISABILITY_CATEGORIES

from . import services
from .models import (
    CRITERION_TIERS,
    ETHNICITIES,
    GENDERS,
    NOTE_TYPES,
    REFERRAL_SOURCES,
    RELATIONSHIPS,
)

YES_NO = choices([("yes", "Yes"), ("no", "No")])


def _rule(check):
    """A WTForms validator from a services rule that raises CaseworkError."""

    def validate(form, field):
        if field.data:
            try:
                check(field.data)
            except services.CaseworkError as exc:
                raise ValidationError(str(exc)) from None

    return validate


def yes(field) -> bool:
    return field.data == "yes"


def _select(pairs, blank="Select"):
    return choices([("", blank), *pairs])


class ChildForm(FlaskForm):
    first_name = StringField(
        "First name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the child's first name"), Length(max=100)],
    )
    last_name = StringField(
        "Last name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the child's last name"), Length(max=100)],
    )
    preferred_name = StringField(
        "Preferred name (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100)],
        description="What the child likes to be called, if different.",
    )
    date_of_birth = GovDateField(
        "Date of birth",
        validators=[
            InputRequired("Enter the child's date of birth"),
            _rule(services.check_date_of_birth),
        ],
        description="For example, 27 3 2015",
    )
    gender = RadioField(
        "Gender",
        widget=GovRadioInput(),
        choices=choices(GENDERS.items()),
        validators=[InputRequired("Select the child's gender")],
    )
    ethnicity = SelectField(
        "Ethnicity",
        widget=GovSelect(),
        choices=_select(ETHNICITIES.items()),
        validators=[InputRequired("Select the child's ethnicity")],
    )
    first_language = StringField(
        "First language (optional)", widget=GovTextInput(), validators=[Length(max=60)]
    )
    nhs_number = StringField(
        "NHS number (optional)",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=20), _rule(services.normalise_nhs_number)],
        description="10 digits, like 485 777 3456",
    )
    address_line_1 = StringField(
        "Address line 1",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the first line of the address"), Length(max=200)],
    )
    address_line_2 = StringField(
        "Address line 2 (optional)", widget=GovTextInput(), validators=[Length(max=200)]
    )
    town = StringField(
        "Town or city",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the town or city"), Length(max=100)],
    )
    postcode = StringField(
        "Postcode",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the postcode"),
            Length(max=20, message="Enter a real postcode, like NN1 1AA"),
            _rule(services.normalise_postcode),
        ],
    )
    locality = SelectField(
        "Locality",
        widget=GovSelect(),
        choices=[],
        validators=[InputRequired("Select the locality")],
    )
    school = StringField(
        "School or setting (optional)", widget=GovTextInput(), validators=[Length(max=200)]
    )
    ehc_plan = RadioField(
        "Does the child have an education, health and care (EHC) plan?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if the child has an EHC plan")],
    )
    ehc_plan_date = GovDateField(
        "Date of the EHC plan (if they have one)",
        validators=[Optional(), not_in_future()],
    )
    disability_register = RadioField(
        "Is the child on the disability register?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if the child is on the disability register")],
    )
    disabilities = SelectMultipleField(
        "Disabilities",
        widget=GovCheckboxesInput(),
        choices=choices(CIN_DISABILITY_CATEGORIES.items()),
        description="Children in Need census categories. Select all that apply.",
        validators=[InputRequired("Select at least one disability category")],
    )
    communication_needs = TextAreaField(
        "Communication needs (optional)", widget=GovTextArea(), validators=[Length(max=5000)]
    )
    health_needs = TextAreaField(
        "Health needs (optional)", widget=GovTextArea(), validators=[Length(max=5000)]
    )
    consent_to_share = RadioField(
        "Has the family consented to sharing information with other agencies?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if the family has consented to sharing")],
    )
    version = HiddenField()
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
        self.version.data = str(child.version)


class NewChildForm(ChildForm):
    team = SelectField(
        "Team",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validators=[InputRequired("Select the team that will hold the case")],
    )
    submit = SubmitField("Save and issue case number", widget=GovSubmitInput())


class CarerForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's name"), Length(max=200)],
    )
    relationship_to_child = SelectField(
        "Relationship to the child",
        widget=GovSelect(),
        choices=_select(RELATIONSHIPS.items()),
        validators=[InputRequired("Select the relationship to the child")],
    )
    parental_responsibility = RadioField(
        "Do they have parental responsibility?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if they have parental responsibility")],
    )
    lives_with_child = RadioField(
        "Do they live with the child?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if they live with the child")],
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[Length(max=40)]
    )
    email = StringField(
        "Email address (optional)", widget=GovTextInput(), validators=[Length(max=254)]
    )
    address = TextAreaField(
        "Address, if different from the child's (optional)",
        widget=GovTextArea(),
        validators=[Length(max=1000)],
    )
    carer_needs = TextAreaField(
        "The carer's own needs (optional)",
        widget=GovTextArea(),
        validators=[Length(max=5000)],
        description="Their health, work, other caring responsibilities, what support they need.",
    )
    needs_carers_assessment = RadioField(
        "Do they need a carer's assessment?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if they need a carer's assessment")],
    )
    submit = SubmitField("Save carer", widget=GovSubmitInput())

    def validate_email(self, field):
        if field.data and "@" not in field.data:
            raise ValidationError(
                "Enter an email address in the correct format, like name@example.com"
            )

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


class SiblingForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the sibling's name"), Length(max=200)],
    )
    date_of_birth = GovDateField(
        "Date of birth (optional)", validators=[Optional(), not_in_future()]
    )
    lives_with_child = RadioField(
        "Do they live with the child?",
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired("Select yes if they live with the child")],
    )
    notes = TextAreaField(
        "Notes (optional)",
        widget=GovTextArea(),
        validators=[Length(max=2000)],
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


class ProfessionalForm(FlaskForm):
    name = StringField(
        "Name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the professional's name"), Length(max=200)],
    )
    role = StringField(
        "Role",
        widget=GovTextInput(),
        description="For example, GP, class teacher, speech and language therapist.",
        validators=[DataRequired("Enter the professional's role"), Length(max=200)],
    )
    organisation = StringField(
        "Organisation (optional)", widget=GovTextInput(), validators=[Length(max=200)]
    )
    phone = StringField(
        "Phone number (optional)", widget=GovTextInput(), validators=[Length(max=40)]
    )
    email = StringField(
        "Email address (optional)", widget=GovTextInput(), validators=[Length(max=254)]
    )
    submit = SubmitField("Save professional", widget=GovSubmitInput())


class ReferralForm(FlaskForm):
    received_on = GovDateField(
        "Date received",
        validators=[InputRequired("Enter the date the referral was received"), not_in_future()],
    )
    source = SelectField(
        "Where did the referral come from?",
        widget=GovSelect(),
        choices=_select(REFERRAL_SOURCES.items()),
        validators=[InputRequired("Select where the referral came from")],
    )
    reason = TextAreaField(
        "Reason for referral",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason for the referral"), Length(max=5000)],
    )
    requested_support = TextAreaField(
        "Support requested (optional)", widget=GovTextArea(), validators=[Length(max=5000)]
    )
    submit = SubmitField("Save referral", widget=GovSubmitInput())


class AllocationForm(FlaskForm):
    team = SelectField(
        "Team",
        widget=GovSelect(),
        coerce=int,
        choices=[],
        validators=[InputRequired("Select a team")],
    )
    worker = SelectField(
        "Practitioner",
        widget=GovSelect(),
        choices=[],
        validators=[Optional()],
        description="Leave as ‘Not allocated to a person’ to hold the case in the team.",
    )
    submit = SubmitField("Allocate", widget=GovSubmitInput())


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
    )
    criteria = SelectMultipleField(
        "Criteria met",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        description="Select every criterion the child meets for the tier decided.",
    )
    rationale = TextAreaField(
        "Reasons for the decision",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reasons for the decision"), Length(max=10000)],
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


def grouped_choices(options) -> list[SelectChoice]:
    """(value, label, group or None) triples as SelectChoice objects in <optgroup>s."""
    return [SelectChoice(value, label, optgroup=group) for value, label, group in options]


class GovGroupedSelect(GovSelect):
    """A GOV.UK select whose options may sit in <optgroup>s (SelectChoice(optgroup=...)); the
    govukSelect macro has no groups, so the markup is casework/_grouped_select.html."""

    template = "casework/_grouped_select.html"

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        groups = []
        for label, options in field.iter_groups():
            items = [{"value": o.value, "text": o.label, "selected": o.selected} for o in options]
            groups.append({"label": label, "items": items})
        params = self.map_gov_params(field, items=[], **kwargs)
        params["groups"] = groups
        return self.render(params)


class RegistrationForm(FlaskForm):
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


class NoteForm(FlaskForm):
    occurred_on = GovDateField(
        "Date", validators=[InputRequired("Enter the date it happened"), not_in_future()]
    )
    note_type = RadioField(
        "Type",
        widget=GovRadioInput(),
        choices=choices(NOTE_TYPES.items()),
        validators=[InputRequired("Select the type of entry")],
    )
    summary = StringField(
        "Summary",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a short summary"), Length(max=200)],
    )
    people = StringField(
        "Who was involved (optional)",
        widget=GovTextInput(),
        description="For example, Amelia, her mum Grace Hollins, school SENCo.",
        validators=[Length(max=500)],
    )
    body = TextAreaField(
        "What happened",
        widget=GovTextArea(),
        validators=[DataRequired("Enter what happened"), Length(max=20000)],
    )
    significant = BooleanField("This is a significant event", widget=GovCheckboxInput())
    submit = SubmitField("Save entry", widget=GovSubmitInput())


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        "Reason",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reason"), Length(max=5000)],
    )
    submit = SubmitField("Confirm", widget=GovSubmitInput())


class CriterionForm(FlaskForm):
    tier = RadioField(
        "Tier",
        widget=GovRadioInput(),
        choices=choices(CRITERION_TIERS.items()),
        validators=[InputRequired("Select the tier the criterion is for")],
    )
    text = TextAreaField(
        "Wording",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the wording of the criterion"), Length(max=2000)],
    )
    sort_order = IntegerField(
        "Position in the list",
        widget=GovTextInput(),
        default=0,
        validators=[InputRequired("Enter a whole number, like 10")],
    )
    active = RadioField(
        "In use?",
        widget=GovRadioInput(),
        choices=YES_NO,
        default="yes",
        validators=[InputRequired("Select yes if the criterion is in use")],
    )
    submit = SubmitField("Save criterion", widget=GovSubmitInput())


class SearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(
        "Name, date of birth, case number or NHS number",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100)],
    )
    age_band = SelectField("Age", widget=GovSelect(), choices=[], validators=[Optional()])
    locality = SelectField("Locality", widget=GovSelect(), choices=[], validators=[Optional()])
    disability = SelectField("Disability", widget=GovSelect(), choices=[], validators=[Optional()])
    tier = SelectField("Eligibility", widget=GovSelect(), choices=[], validators=[Optional()])
    worker = SelectField("Allocated to", widget=GovSelect(), choices=[], validators=[Optional()])
    status = SelectField("Case status", widget=GovSelect(), choices=[], validators=[Optional()])
    submit = SubmitField("Search", widget=GovSubmitInput())
