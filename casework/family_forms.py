"""Forms for a child's parents, carers and siblings, and the other professionals involved (see
casework.forms for what every casework form shares)."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput, GovTextArea, GovTextInput
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional

from .form_fields import (
    DateField,
    email_address,
    in_the_past,
    max_length,
    select_choices,
    yes,
    yes_no,
)
from .locking import LockedForm
from .models import RELATIONSHIPS
from .text import telephone

_PHONE_HINT = "For example, 01632 960 001 or 07700 900 982."


def _phone_field() -> StringField:
    return StringField(
        "Telephone number (optional)",
        widget=GovTextInput(),
        validators=[max_length(40), telephone],
        description=_PHONE_HINT,
    )


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
    phone = _phone_field()
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

    def person_data(self) -> dict:
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
    date_of_birth = DateField("Date of birth (optional)", validators=[Optional(), in_the_past])
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

    def person_data(self) -> dict:
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
    phone = _phone_field()
    email = StringField(
        "Email address (optional)",
        widget=GovTextInput(),
        validators=[max_length(254), email_address],
    )
    submit = SubmitField("Save professional", widget=GovSubmitInput())

    def person_data(self) -> dict:
        return {
            k: getattr(self, k).data for k in ("name", "role", "organisation", "phone", "email")
        }

    def fill_from(self, prof) -> None:
        for key in ("name", "role", "organisation", "phone", "email"):
            getattr(self, key).data = getattr(prof, key)
