"""What casework accepts as text: no hidden characters (the rule of ``core.text``: none in
one-line fields, line breaks, tabs and the joiners that build emoji allowed in long text),
names with single spaces, UK telephone numbers. The services apply these rules (``line``,
``long_text``, ``phone``); the forms apply the same ones to every field (``TextRulesForm``), so
each field gets its own message.
"""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import ValidationError

from core.text import PHONE_MESSAGE, hidden_characters, phone_problem

from .rules import CaseworkError

HIDDEN_MESSAGE = (
    "{label} must not contain hidden characters, such as zero-width spaces: type it again "
    "instead of pasting it"
)


def hidden_message(label: str) -> str:
    return HIDDEN_MESSAGE.format(label=label)


def line(data: dict, key: str, label: str, *, name: bool = False) -> str:
    """A one-line field from `data`, trimmed (a name also has its inner spaces closed up);
    CaseworkError if it has hidden characters."""
    value = data.get(key) or ""
    if hidden_characters(value):
        raise CaseworkError(hidden_message(label), key)
    return " ".join(value.split()) if name else value.strip()


def long_text(data: dict, key: str, label: str) -> str:
    """A long-text field from `data`, trimmed; CaseworkError if it has hidden characters."""
    value = data.get(key) or ""
    if hidden_characters(value, multiline=True):
        raise CaseworkError(hidden_message(label), key)
    return value.strip()


def phone(data: dict, key: str = "phone") -> str:
    value = (data.get(key) or "").strip()
    if phone_problem(value):
        raise CaseworkError(PHONE_MESSAGE, key)
    return value


# --- The form side ----------------------------------------------------------------------------

_LINE_TYPES = ("StringField",)
_LONG_TYPES = ("TextAreaField",)


def _label(field) -> str:
    text = field.label.text if field.label else field.name
    return text.removesuffix(" (optional)").split(",")[0].split(" (")[0].strip()


def _no_hidden_characters(multiline: bool):
    def check(form, field):
        if isinstance(field.data, str) and hidden_characters(field.data, multiline=multiline):
            name = getattr(form, "message_names", {}).get(field.name) or _label(field)
            raise ValidationError(hidden_message(name))

    return check


def telephone(form, field):
    """A WTForms validator: a UK telephone number, or nothing."""
    problem = phone_problem(field.data)
    if problem:
        raise ValidationError(problem)


class TextRulesForm(FlaskForm):
    """A form whose one-line fields (StringField) and long text (TextAreaField) refuse hidden
    characters, each with its own message, after the field's own checks. A message calls a
    field by its label, or by ``message_names[field name]`` where the label is a question."""

    message_names: dict[str, str] = {}

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for field in self:
            if field.type in _LINE_TYPES:
                extra.setdefault(field.name, []).append(_no_hidden_characters(False))
            elif field.type in _LONG_TYPES:
                extra.setdefault(field.name, []).append(_no_hidden_characters(True))
        return super().validate(extra_validators=extra)
