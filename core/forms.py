"""Form pieces every package uses, and the forms for sign-in and administration."""

from __future__ import annotations

import datetime as dt
import re

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovDateInput,
    GovPasswordInput,
    GovSelect,
    GovSubmitInput,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .roles import ROLE_LABELS
from .users import UserError, normalise_email, password_problem, person_name


class SafeGovDateInput(GovDateInput):
    """GovDateInput that renders whatever number of parts arrived (it unpacks exactly three)."""

    def map_gov_params(self, field, **kwargs):
        raw = field.raw_data
        if raw is not None and len(raw) != 3:
            field.raw_data = (list(raw) + ["", "", ""])[:3] if raw else None
        # GovDateInput puts `required` on the fieldset's <div>, where it is not a valid
        # attribute; GOV.UK date inputs do without it.
        kwargs.pop("required", None)
        return super().map_gov_params(field, **kwargs)


DATE_PARTS = ("day", "month", "year")


class GovDateField(DateField):
    """A day / month / year date field that never raises on bad parts.

    govuk-frontend-wtf's GovDateInput unpacks exactly three posted parts and raises ValueError
    (a 500) otherwise; here any number of parts becomes three, and a missing or impossible part
    becomes a GOV.UK-style error message instead.
    """

    widget = SafeGovDateInput()

    def __init__(self, label=None, validators=None, format="%d %m %Y", **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            self.raw_data = None
            return
        typed = [(v or "").strip() for v in list(valuelist)[:3]]
        typed += [""] * (3 - len(typed))
        # Shown back as typed (within reason), never silently shortened into another date.
        self.raw_data = [part[:10] for part in typed]
        day, month, year = typed
        if not any(typed):
            self.data = None
            return
        name = self.label.text if self.label else "Date"
        missing = [n for n, v in zip(DATE_PARTS, typed, strict=True) if not v]
        if missing:
            self.data = None
            raise ValueError(f"{name} must include a {' and '.join(missing)}")
        if not all(p.isascii() and p.isdigit() for p in typed) or len(year) != 4:
            self.data = None
            raise ValueError(f"{name} must be a real date")
        try:
            self.data = dt.date(int(year), int(month), int(day))
        except ValueError:
            self.data = None
            raise ValueError(f"{name} must be a real date") from None

    def validate(self, form, extra_validators=()):
        # WTForms' Optional and InputRequired look only at the first part (the day): with the
        # day blank they would drop "must include a day" and save no date, or ask for the whole
        # date again. A date with some parts typed is judged on those parts.
        if self.process_errors and self.raw_data and any(self.raw_data):
            self.errors = list(self.process_errors)
            return False
        return super().validate(form, extra_validators)

    def error_part(self) -> str:
        """Which input the error summary should link to: the first one missing, or the day."""
        raw = list(self.raw_data or []) + ["", "", ""]
        day, month, year = raw[:3]
        if not any((day, month, year)):
            return "day"
        for part, value in zip(DATE_PARTS, (day, month, year), strict=True):
            if not value:
                return part
        if not (year.isascii() and year.isdigit() and len(year) == 4):
            return "year"
        if not (month.isascii() and month.isdigit() and 1 <= int(month) <= 12):
            return "month"
        return "day"

    def pre_validate(self, form):  # DateField's own check would repeat our message
        pass


def error_summary(form) -> dict:
    """govukErrorSummary parameters whose links move focus to the input at fault: a date's
    links go to its day (or first missing) input, as the Design System asks."""
    from govuk_frontend_wtf.main import wtforms_errors

    params = wtforms_errors(form)
    targets = {
        f"#{field.id}": f"#{field.name}-{field.error_part()}"
        for field in form
        if isinstance(field, GovDateField) and field.errors
    }
    # A problem with the whole form, not one field: its message has this id.
    targets["#None"] = targets["#"] = "#form-problem"
    for item in params["errorList"]:
        item["href"] = targets.get(item["href"], item["href"])
    return params


# WTForms' own messages ("Field cannot be longer than 100 characters.", "Not a valid choice.")
# name no field, so in an error summary they say nothing. Where a form gives no message of its
# own, these GOV.UK-style ones, built from the field's label, are shown instead.
_CHOOSE = "Select {what}"
_DEFAULT_MESSAGES = [
    (r"Field cannot be longer than (\d+) characters?\.", "{label} must be {0} characters or fewer"),
    (r"Field must be at least (\d+) characters? long\.", "{label} must be {0} characters or more"),
    (
        r"Field must be between (\d+) and (\d+) characters long\.",
        "{label} must be between {0} and {1} characters",
    ),
    (r"Field must be exactly (\d+) characters? long\.", "{label} must be {0} characters"),
    (r"Not a valid choice\.?", _CHOOSE),
    (r"Invalid [Cc]hoice.*", _CHOOSE),
    (r"'.*' is not a valid choice for this field\.", _CHOOSE),
    (r"Not a valid integer value\.?", "{label} must be a whole number"),
    (r"Not a valid (decimal|float) value\.?", "{label} must be a number"),
    (r"Not a valid date value\.?", "{label} must be a real date"),
    (r"Number must be at least (.+)\.", "{label} must be {0} or more"),
    (r"Number must be at most (.+)\.", "{label} must be {0} or less"),
    (r"Number must be between (.+) and (.+)\.", "{label} must be between {0} and {1}"),
    (
        r"Invalid email address\.",
        "Enter an email address in the correct format, like name@example.com",
    ),
    (r"Invalid URL\.", "Enter a web address in the correct format, like https://www.example.org"),
    (r"This field is required\.", "Enter {what}"),
    (r"Invalid input\.", "Check {what}"),
]
_DEFAULT_MESSAGES = [(re.compile(pattern), text) for pattern, text in _DEFAULT_MESSAGES]


def _label_words(field) -> tuple[str, str]:
    """("Date of birth", "date of birth") from the label, without "(optional)"."""
    label = re.sub(r"\s*\(optional\)\s*$", "", field.label.text if field.label else "").strip()
    label = label.rstrip(":?") or "This"
    what = label if len(label) > 1 and label[1].isupper() else label[0].lower() + label[1:]
    return label, what


def govuk_message(field, message: str) -> str:
    for pattern, text in _DEFAULT_MESSAGES:
        match = pattern.fullmatch(str(message).strip())
        if match:
            label, what = _label_words(field)
            return text.format(*match.groups(), label=label, what=what)
    return message


def _rewrite_default_messages(form) -> None:
    for field in form:
        subform = getattr(field, "form", None)
        if subform is not None and hasattr(subform, "_fields"):
            _rewrite_default_messages(subform)
        elif isinstance(field.errors, list) and field.errors:
            field.errors = [govuk_message(field, m) for m in field.errors]


def install_govuk_messages() -> None:
    """Give every FlaskForm (in every package) the GOV.UK wording above."""
    if getattr(FlaskForm.validate, "_govuk_messages", False):
        return
    original = FlaskForm.validate

    def validate(self, extra_validators=None):
        ok = original(self, extra_validators=extra_validators)
        if not ok:
            _rewrite_default_messages(self)
        return ok

    validate._govuk_messages = True
    FlaskForm.validate = validate


def not_in_future(message="{label} must be today or in the past"):
    def check(form, field):
        if field.data and field.data > dt.date.today():
            raise ValidationError(message.format(label=field.label.text))

    return check


class SignInForm(FlaskForm):
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter your email address"), Length(max=254)],
    )
    password = PasswordField(
        "Password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your password"), Length(max=200)],
    )
    next = HiddenField()
    submit = SubmitField("Sign in", widget=GovSubmitInput())


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired("Enter your current password")],
    )
    new_password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="Use 12 characters or more. A few unrelated words make a strong password.",
        validators=[DataRequired("Enter a new password")],
    )
    submit = SubmitField("Change password", widget=GovSubmitInput())


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as WTForms 3.3 SelectChoice objects (tuples are deprecated)."""
    return [SelectChoice(value, label) for value, label in pairs]


def role_choices():
    return choices((r.value, label) for r, label in ROLE_LABELS.items())


def _service_rule(rule, value) -> None:
    """Run one of the users service's checks on a field's value, as a field error."""
    try:
        rule(value or "")
    except UserError as exc:
        raise ValidationError(str(exc)) from None


class UserForm(FlaskForm):
    name = StringField(
        "Full name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the person's full name"), Length(max=120)],
    )
    email = StringField(
        "Email address",
        widget=GovTextInput(),
        validators=[DataRequired("Enter an email address"), Length(max=254)],
    )
    roles = SelectMultipleField(
        "Roles",
        widget=GovCheckboxesInput(),
        choices=role_choices(),
        validators=[InputRequired("Select at least one role")],
        description="Select all that apply.",
    )
    teams = SelectMultipleField("Teams", widget=GovCheckboxesInput(), coerce=int, choices=[])
    password = PasswordField(
        "Initial password",
        widget=GovPasswordInput(),
        description="12 characters or more. Give it to the person securely; they should change it.",
        validators=[DataRequired("Enter an initial password")],
    )
    version = HiddenField()
    submit = SubmitField("Save user", widget=GovSubmitInput())

    # The service checks these too (the CLI has no form); here they join the other fields'
    # errors, so the person sees every problem at once rather than one per attempt.
    def validate_name(self, field):
        _service_rule(person_name, field.data)

    def validate_email(self, field):
        _service_rule(normalise_email, field.data)

    def validate_password(self, field):
        problem = password_problem(field.data or "", self.email.data or "", self.name.data or "")
        if problem:
            raise ValidationError(problem)


class EditUserForm(UserForm):
    email = None
    password = None


class SetPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        widget=GovPasswordInput(),
        description="12 characters or more. Setting it signs the person out everywhere.",
        validators=[DataRequired("Enter a new password")],
    )
    submit = SubmitField("Set password", widget=GovSubmitInput())


class ConfirmForm(FlaskForm):
    """A bare form carrying only the CSRF token, for confirm-and-act buttons."""

    submit = SubmitField("Confirm", widget=GovSubmitInput())


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter a team name"), Length(max=120)],
    )
    description = TextAreaField(
        "Description (optional)", widget=GovTextArea(), validators=[Optional(), Length(max=2000)]
    )
    version = HiddenField()
    submit = SubmitField("Save team", widget=GovSubmitInput())


class LocalityForm(FlaskForm):
    label = StringField(
        "Locality name",
        widget=GovTextInput(),
        validators=[DataRequired("Enter the locality's name"), Length(max=200)],
    )
    code = StringField(
        "Short code",
        widget=GovTextInput(),
        description="Lower-case letters, numbers and hyphens, for example north-east. "
        "Records keep this code, so it cannot be changed later.",
        validators=[DataRequired("Enter a short code"), Length(max=40)],
    )
    active = BooleanField(
        "In use",
        widget=GovCheckboxInput(),
        description="Untick to stop offering it for new records.",
    )
    version = HiddenField()
    submit = SubmitField("Save locality", widget=GovSubmitInput())


class AuditSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(
        "User email, record id, case number or request id",
        widget=GovTextInput(),
        description="A case number or child's id finds every entry about that child's record.",
        validators=[Optional(), Length(max=254, message="Enter 254 characters or fewer")],
    )
    action = SelectField("Action", widget=GovSelect(), choices=[], validators=[Optional()])
    record_type = SelectField(
        "Record type", widget=GovSelect(), choices=[], validators=[Optional()]
    )
    role = SelectField(
        "Role of the person",
        widget=GovSelect(),
        choices=choices(
            [("", "Any role")] + [(r.value, label) for r, label in ROLE_LABELS.items()]
        ),
        validators=[Optional()],
    )
    date_from = GovDateField("From", validators=[Optional()])
    date_to = GovDateField("To", validators=[Optional()])
    submit = SubmitField("Search", widget=GovSubmitInput())

    def validate_date_to(self, field):
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The ‘To’ date must be the same as or after the ‘From’ date")
