"""Field pieces for the casework forms: GOV.UK messages for lengths, choices, dates and whole
numbers, yes/no radios, and a select with option groups."""

from __future__ import annotations

import datetime as dt

from govuk_frontend_wtf.wtforms_widgets import GovRadioInput, GovSelect
from markupsafe import Markup
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, ValidationError

from core.forms import GovDateField, choices
from core.parsing import whole_number

from . import services

YES_NO = choices([("yes", "Yes"), ("no", "No")])


def rule(check):
    """A WTForms validator from a services rule that raises CaseworkError."""

    def validate(form, field):
        if field.data:
            try:
                check(field.data)
            except services.CaseworkError as exc:
                raise ValidationError(str(exc)) from None

    return validate


def field_name(field) -> str:
    """What a message calls a field: its label without '(optional)' or an explanation."""
    text = field.label.text if field.label else field.name
    return text.removesuffix(" (optional)").split(",")[0].split(" (")[0].strip()


def max_length(limit: int, name: str | None = None, message: str | None = None):
    """'First name must be 100 characters or fewer' (no maxlength attribute: a browser would
    cut what is typed or pasted without saying so)."""

    def validate(form, field):
        if field.data and len(field.data) > limit:
            raise ValidationError(
                message or f"{name or field_name(field)} must be {limit} characters or fewer"
            )

    return validate


class DateField(GovDateField):
    """A GOV.UK date whose messages call it by its label without "(optional)" or an
    explanation: "To must be a real date", not "To (optional) must be a real date"."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            message = str(exc)
            if self.label and self.label.text:
                message = message.replace(self.label.text, field_name(self), 1)
            raise ValueError(message) from None


def in_the_past(form, field):
    """Today or earlier: 'Date of birth must be today or in the past'."""
    if field.data and field.data > dt.date.today():
        raise ValidationError(f"{field_name(field)} must be today or in the past")


def yes(field) -> bool:
    return field.data == "yes"


def select_choices(pairs, blank="Select"):
    return choices([("", blank), *pairs])


def yes_no(label: str, message: str, **kwargs) -> RadioField:
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=YES_NO,
        validators=[InputRequired(message)],
        invalid_choice_message=message,
        **kwargs,
    )


class WholeNumberField(StringField):
    """A whole number within bounds, with GOV.UK messages (IntegerField says 'Not a valid
    integer value.' and lets a number too big for the database through)."""

    def __init__(self, label=None, validators=None, *, low=0, high=9999, required="", **kw):
        super().__init__(label, validators, **kw)
        self.low, self.high, self.required = low, high, required

    def process_formdata(self, valuelist):
        self.text = str(valuelist[0]).strip() if valuelist else ""
        self.data = whole_number(self.text, self.low, self.high) if self.text else None

    def pre_validate(self, form):
        text = getattr(self, "text", None)
        if text is None:  # nothing posted: the form was filled from a record
            return
        name = field_name(self)
        if not text:
            if self.required:
                raise ValidationError(self.required)
        elif self.data is None:
            if text.lstrip("-").isascii() and text.lstrip("-").isdigit():
                raise ValidationError(f"{name} must be between {self.low} and {self.high}")
            raise ValidationError(f"{name} must be a whole number, like 10")

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


def email_address(form, field):
    try:
        services.check_email(field.data)
    except services.CaseworkError as exc:
        raise ValidationError(str(exc)) from None


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


def radios_with_reveals(field, reveals, **params) -> Markup:
    """GOV.UK radios whose answers reveal more questions (``reveals``: the HTML under each
    choice, or None), in the govukRadios macro's markup. Without JavaScript everything shows.

    The revealing is done by casework's own few lines (``reveal_script`` in
    casework/_macros.html), not GOV.UK Frontend's: that puts ``aria-expanded`` on the radios,
    which ARIA does not allow on a radio, so axe fails every page with one (a known issue,
    alphagov/govuk-frontend#979). Ours only shows and hides; the questions revealed come
    straight after their answer, so they are next in reading order."""
    items = [{"conditional": {"html": html}} if html else {} for html in reveals]
    html = str(field(params={**params, "items": items}))
    return Markup(html.replace('data-aria-controls="', 'data-app-reveals="'))
