"""Forms of the providers package: providers, services, the directory search, CSV import."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from govuk_frontend_wtf.wtforms_widgets import (
    GovCheckboxesInput,
    GovCheckboxInput,
    GovFileInput,
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
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from core.forms import GovDateField, choices
from core.reference import MAX_AGE, SHORT_BREAK_TYPES

from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SE7_QUESTIONS,
    SERVICE_TIERS,
)
from .services import NEEDS, parse_pounds, pence_to_pounds_text

YES_NO = [("yes", "Yes"), ("no", "No")]


def whole_number(low: int, high: int, message: str):
    def check(form, field):
        raw = (field.data or "").strip()
        if raw and not (raw.isdigit() and low <= int(raw) <= high):
            raise ValidationError(message)

    return check


def pounds(form, field):
    if (field.data or "").strip():
        try:
            parse_pounds(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _text(label, required=None, max_length=200, description=None):
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(
        Length(max=max_length, message=f"{label} must be {max_length} characters or fewer")
    )
    return StringField(label, widget=GovTextInput(), validators=validators, description=description)


def _area(label, description=None):
    return TextAreaField(
        label,
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(max=5000, message=f"{label} must be 5000 characters or fewer"),
        ],
        description=description,
    )


class ProviderForm(FlaskForm):
    name = _text("Provider name", "Enter the provider's name")
    kind = RadioField(
        "Kind of provider",
        widget=GovRadioInput(),
        choices=choices(PROVIDER_KINDS.items()),
        validators=[InputRequired("Select the kind of provider")],
    )
    status = RadioField(
        "Status",
        widget=GovRadioInput(),
        choices=choices(PROVIDER_STATUSES.items()),
        default="on_framework",
        validators=[InputRequired("Select the provider's status")],
    )
    description = _area("Description (optional)", "What the provider does, in plain English.")
    registration_body = RadioField(
        "Registered with",
        widget=GovRadioInput(),
        choices=choices(REGISTRATION_BODIES.items()),
        default="",
        validators=[Optional()],
    )
    registration_number = _text("Registration number (optional)", max_length=40)
    registration_rating = SelectField(
        "Latest inspection rating",
        widget=GovSelect(),
        choices=choices(REGISTRATION_RATINGS.items()),
        default="",
        validators=[Optional()],
    )
    contact_name = _text("Contact name (optional)")
    email = _text("Email address (optional)", max_length=254)
    phone = _text("Telephone (optional)", max_length=40)
    website = _text("Website (optional)", max_length=300)
    address_line_1 = _text("Address line 1 (optional)")
    address_line_2 = _text("Address line 2 (optional)")
    town = _text("Town or city (optional)", max_length=100)
    postcode = _text("Postcode (optional)", max_length=10)
    localities = SelectMultipleField(
        "Localities served", widget=GovCheckboxesInput(), choices=[], validators=[Optional()]
    )
    direct_payments = RadioField(
        "Can direct payment holders buy from this provider?",
        widget=GovRadioInput(),
        choices=choices(YES_NO),
        validators=[InputRequired("Select yes if direct payment holders can buy from them")],
    )
    dbs_expires_on = GovDateField(
        "DBS check expires (optional)",
        validators=[Optional()],
        description="For example, 27 3 2027",
    )
    insurance_expires_on = GovDateField(
        "Insurance expires (optional)",
        validators=[Optional()],
        description="For example, 27 3 2027",
    )
    notes = _area("Notes (optional)", "For council staff only: never published.")
    version = HiddenField()
    submit = SubmitField("Save provider", widget=GovSubmitInput())

    def data_for_service(self) -> dict:
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "status": self.status.data,
            "description": self.description.data or "",
            "registration_body": self.registration_body.data or "",
            "registration_number": self.registration_number.data or "",
            "registration_rating": self.registration_rating.data or "",
            "contact_name": self.contact_name.data or "",
            "email": self.email.data or "",
            "phone": self.phone.data or "",
            "website": self.website.data or "",
            "address_line_1": self.address_line_1.data or "",
            "address_line_2": self.address_line_2.data or "",
            "town": self.town.data or "",
            "postcode": self.postcode.data or "",
            "localities": list(self.localities.data or []),
            "direct_payments": self.direct_payments.data == "yes",
            "dbs_expires_on": self.dbs_expires_on.data,
            "insurance_expires_on": self.insurance_expires_on.data,
            "notes": self.notes.data or "",
        }

    def fill_from(self, provider) -> None:
        for key in self.data_for_service():
            if key == "direct_payments":
                self.direct_payments.data = "yes" if provider.direct_payments else "no"
            else:
                getattr(self, key).data = getattr(provider, key)
        self.version.data = str(provider.version)


class ServiceForm(FlaskForm):
    name = _text("Service name", "Enter the service's name")
    short_break_type = RadioField(
        "Type of short break",
        widget=GovRadioInput(),
        choices=choices(SHORT_BREAK_TYPES.items()),
        validators=[InputRequired("Select the type of short break")],
    )
    tier = RadioField(
        "Tier",
        widget=GovRadioInput(),
        choices=choices(
            [
                ("targeted", "Targeted: families use it without a social care assessment"),
                ("specialist", "Specialist: by assessment or with a direct payment"),
            ]
        ),
        validators=[InputRequired("Select targeted or specialist")],
    )
    age_from = StringField(
        "Youngest age",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the youngest age"),
            whole_number(0, MAX_AGE, f"Youngest age must be a whole number from 0 to {MAX_AGE}"),
        ],
    )
    age_to = StringField(
        "Oldest age",
        widget=GovTextInput(),
        validators=[
            DataRequired("Enter the oldest age"),
            whole_number(0, MAX_AGE, f"Oldest age must be a whole number from 0 to {MAX_AGE}"),
        ],
    )
    needs = SelectMultipleField(
        "Needs catered for",
        widget=GovCheckboxesInput(),
        choices=choices(NEEDS.items()),
        validators=[InputRequired("Select at least one need the service caters for")],
        description="Children in Need census disability categories. Select all that apply.",
    )
    localities = SelectMultipleField(
        "Localities",
        widget=GovCheckboxesInput(),
        choices=[],
        validators=[InputRequired("Select at least one locality")],
        description="Where families can use the service. Select all that apply.",
    )
    runs = SelectMultipleField(
        "When it runs (optional)",
        widget=GovCheckboxesInput(),
        choices=choices(RUNS.items()),
        validators=[Optional()],
    )
    capacity = StringField(
        "Capacity (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            whole_number(0, 100_000, "Capacity must be a whole number, like 12"),
        ],
    )
    capacity_unit = RadioField(
        "Capacity is counted in",
        widget=GovRadioInput(),
        choices=choices(CAPACITY_UNITS.items()),
        default="places_per_session",
        validators=[InputRequired("Select places per session or nights a year")],
    )
    rate = StringField(
        "Rate in pounds (optional)",
        widget=GovTextInput(),
        validators=[Optional(), pounds],
        description="For example, 12.50",
    )
    rate_unit = RadioField(
        "Rate is charged",
        widget=GovRadioInput(),
        choices=choices(RATE_UNITS.items()),
        default="session",
        validators=[InputRequired("Select per hour, per session or per night")],
    )
    published = RadioField(
        "Publish in the Local Offer directory?",
        widget=GovRadioInput(),
        choices=choices(YES_NO),
        default="no",
        validators=[InputRequired("Select yes to publish the service")],
        description="Published services can be read by anyone, without signing in.",
    )
    venue_name = _text("Venue name (optional)")
    venue_address = _text("Venue address (optional)")
    venue_town = _text("Venue town or city (optional)", max_length=100)
    venue_postcode = _text("Venue postcode (optional)", max_length=10)
    contact_name = _text("Contact name (optional)")
    contact_email = _text("Contact email address (optional)", max_length=254)
    contact_phone = _text("Contact telephone (optional)", max_length=40)
    version = HiddenField()
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def validate_age_to(self, field):
        low, high = (self.age_from.data or "").strip(), (field.data or "").strip()
        if low.isdigit() and high.isdigit() and int(high) < int(low):
            raise ValidationError("Oldest age must be the same as or more than the youngest")

    def data_for_service(self) -> dict:
        data = {
            "name": self.name.data,
            "short_break_type": self.short_break_type.data,
            "tier": self.tier.data,
            "age_from": int(self.age_from.data),
            "age_to": int(self.age_to.data),
            "needs": list(self.needs.data or []),
            "localities": list(self.localities.data or []),
            "runs": list(self.runs.data or []),
            "capacity": int(self.capacity.data) if (self.capacity.data or "").strip() else None,
            "capacity_unit": self.capacity_unit.data,
            "rate_pence": parse_pounds(self.rate.data) if (self.rate.data or "").strip() else None,
            "rate_unit": self.rate_unit.data,
            "published": self.published.data == "yes",
        }
        for key in (
            "venue_name",
            "venue_address",
            "venue_town",
            "venue_postcode",
            "contact_name",
            "contact_email",
            "contact_phone",
        ):
            data[key] = getattr(self, key).data or ""
        for key, _question in SE7_QUESTIONS:
            data[key] = getattr(self, key).data or ""
        return data

    def fill_from(self, service) -> None:
        simple = (
            "name",
            "short_break_type",
            "tier",
            "needs",
            "localities",
            "runs",
            "capacity_unit",
            "rate_unit",
            "venue_name",
            "venue_address",
            "venue_town",
            "venue_postcode",
            "contact_name",
            "contact_email",
            "contact_phone",
            *(k for k, _ in SE7_QUESTIONS),
        )
        for key in simple:
            getattr(self, key).data = getattr(service, key)
        self.age_from.data = str(service.age_from)
        self.age_to.data = str(service.age_to)
        self.capacity.data = "" if service.capacity is None else str(service.capacity)
        self.rate.data = pence_to_pounds_text(service.rate_pence)
        self.published.data = "yes" if service.published else "no"
        self.version.data = str(service.version)


# The nine SE7 answers, added to ServiceForm as text areas named after the model's columns.
_SE7_HINTS = {
    "what_it_does": "Its purpose, typical activities, any limit on how long it supports a child.",
    "where_it_is": "Main locations; whether it covers the whole council area.",
    "who_it_is_for": "Needs and ages; eligibility criteria; any disabilities it cannot cater for.",
    "how_to_start": "Self-referral or referral, cost, using a personal budget, waiting lists.",
    "how_decisions_are_made": "Who decides, and how families learn the reasons.",
    "how_it_communicates": "Seeking views, signing or other communication, other languages.",
    "accessibility": "Wheelchair access, changing places, sensory environment, support.",
    "staff_training": "Disability awareness and specialist training; services it works with.",
    "who_to_contact": "First point of contact, and who to talk to if worried.",
}
for _field, _question in SE7_QUESTIONS:
    setattr(ServiceForm, _field, _area(_question, _SE7_HINTS[_field]))


class DirectorySearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(
        "Search by name or what the service does",
        widget=GovTextInput(),
        validators=[Optional(), Length(max=100, message="Search must be 100 characters or fewer")],
    )
    age = StringField(
        "Age of the child or young person",
        widget=GovTextInput(),
        validators=[
            Optional(),
            whole_number(0, MAX_AGE, f"Age must be a whole number from 0 to {MAX_AGE}"),
        ],
    )
    locality = SelectField("Locality", widget=GovSelect(), choices=[], validators=[Optional()])
    need = SelectField(
        "Need",
        widget=GovSelect(),
        choices=choices([("", "Any need"), *NEEDS.items()]),
        validators=[Optional()],
    )
    short_break_type = SelectField(
        "Type of short break",
        widget=GovSelect(),
        choices=choices([("", "Any type"), *SHORT_BREAK_TYPES.items()]),
        validators=[Optional()],
    )
    tier = SelectField(
        "Tier",
        widget=GovSelect(),
        choices=choices([("", "Targeted or specialist"), *SERVICE_TIERS.items()]),
        validators=[Optional()],
    )
    direct_payments = BooleanField(
        "Can be bought with a direct payment", widget=GovCheckboxInput(), validators=[Optional()]
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    what = RadioField(
        "What does the file hold?",
        widget=GovRadioInput(),
        choices=choices([("providers", "Providers"), ("services", "Services")]),
        validators=[InputRequired("Select providers or services")],
    )
    file = FileField("CSV file", widget=GovFileInput())
    submit = SubmitField("Import file", widget=GovSubmitInput())

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select a CSV file")
        if not field.data.filename.lower().endswith(".csv"):
            raise ValidationError("The selected file must be a CSV")
