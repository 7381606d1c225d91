"""Forms for eligibility decisions, the criteria administrators maintain, and targeted
registrations (see casework.forms for what every casework form shares)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovRadioInput,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional, ValidationError

from core.forms import choices

from . import services
from .form_fields import (
    YES_NO,
    DateField,
    GovGroupedSelect,
    WholeNumberField,
    in_the_past,
    max_length,
)
from .locking import LockedForm
from .models import CRITERION_TIERS
from .text import TextRulesForm

# --- Eligibility decisions --------------------------------------------------------------------

# The tiers that have criteria, each revealed under its answer (casework/decision_form.html).
CRITERIA_FIELDS = {"targeted": "targeted_criteria", "specialist": "specialist_criteria"}


def criteria_message(tier: str) -> str:
    return f"Select the criteria the child meets for {CRITERION_TIERS[tier].lower()} short breaks"


def _criteria_field(tier: str) -> SelectMultipleField:
    return SelectMultipleField(
        f"Criteria met for {CRITERION_TIERS[tier].lower()} short breaks",
        widget=GovCheckboxesInput(),
        choices=[],
        coerce=int,
        description="Select every criterion the child meets.",
        invalid_choice_message="Select criteria from the list",
        invalid_value_message="Select criteria from the list",
    )


class DecisionForm(TextRulesForm):
    """Each tier's criteria are a field of their own, revealed under its answer; only those of
    the tier decided count (without JavaScript every group shows, and a box ticked in another
    group is left out, as it would be hidden with JavaScript)."""

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
    targeted_criteria = _criteria_field("targeted")
    specialist_criteria = _criteria_field("specialist")
    rationale = TextAreaField(
        "Reasons for the decision",
        widget=GovTextArea(),
        validators=[DataRequired("Enter the reasons for the decision"), max_length(10000)],
    )
    decided_on = DateField(
        "Date of the decision",
        validators=[InputRequired("Enter the date of the decision"), in_the_past],
    )
    review_date = DateField(
        "Next review date",
        validators=[Optional()],
        description="Needed for targeted and specialist decisions.",
    )
    submit = SubmitField("Save decision", widget=GovSubmitInput())

    @property
    def criteria(self):
        """The criteria field of the tier decided (where the service's 'criteria' errors go);
        the targeted one when no tier with criteria is chosen."""
        return self[CRITERIA_FIELDS.get(self.tier.data, "targeted_criteria")]

    def criterion_ids(self) -> list[int]:
        name = CRITERIA_FIELDS.get(self.tier.data)
        return list(self[name].data or []) if name else []

    def validate(self, extra_validators=None):
        super().validate(extra_validators)
        chosen = CRITERIA_FIELDS.get(self.tier.data)
        for name in CRITERIA_FIELDS.values():
            if name != chosen:  # another tier's ticks do not count, nor do their errors
                self[name].errors = []
        if chosen and not self[chosen].errors and not self[chosen].data:
            self[chosen].errors = [criteria_message(self.tier.data)]
        self._errors = None
        return not any(f.errors for f in self)


# --- Targeted registrations -------------------------------------------------------------------


class RegistrationForm(LockedForm):
    message_names = {"activity": "Activity"}

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
    from_date = DateField(
        "From",
        validators=[InputRequired("Enter the date the registration starts")],
        description="Up to a year from today.",
    )
    to_date = DateField(
        "To (optional)",
        validators=[Optional()],
        description="Leave empty if it has no end date yet. Up to 5 years after From.",
    )
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


# --- Administration: the criteria -------------------------------------------------------------


class CriterionForm(LockedForm):
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

    def criterion_data(self) -> dict:
        return {
            "tier": self.tier.data,
            "text": self.text.data,
            "sort_order": self.sort_order.data,
            "active": self.active.data == "yes",
        }

    def fill_from(self, criterion) -> None:
        self.tier.data = criterion.tier
        self.text.data = criterion.text
        self.sort_order.data = criterion.sort_order
        self.active.data = "yes" if criterion.active else "no"
