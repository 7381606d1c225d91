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
from core.parsing import whole_number as parse_whole_number
from core.reference import MAX_AGE, SHORT_BREAK_TYPES

from .checks import (
    CAPACITY_MAX,
    NEEDS,
    PROVIDER_FIELDS,
    PROVIDER_LABELS,
    SERVICE_FIELDS,
    SERVICE_LABELS,
    message_name,
    parse_pounds,
    pence_to_pounds_text,
    text_limit,
)
from .conflicts import start_from
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
    Provider,
    ProviderService,
)

YES_NO = [("yes", "Yes"), ("no", "No")]
# Hints saying which of a provider's details families see (through the Open Referral API).
PUBLISHED = "Published in the Local Offer directory"
PUBLISHED_CONTACT = (
    "Published in the Local Offer directory as the contact for the provider's services that "
    "have no contact of their own."
)


def whole_number(low: int, high: int, message: str):
    """A whole number from low to high in ASCII digits (str.isdigit() would let "²" through)."""

    def check(form, field):
        raw = (field.data or "").strip()
        if raw and parse_whole_number(raw, low, high) is None:
            raise ValidationError(message)

    return check


def pounds(form, field):
    if (field.data or "").strip():
        try:
            parse_pounds(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def _pence(text: str | None) -> int | None:
    """The rate in pence; None when blank or not a sum of money (the field shows the error)."""
    try:
        return parse_pounds(text) if (text or "").strip() else None
    except ValueError:
        return None


def _label(labels, name, optional):
    return labels[name] + (" (optional)" if optional else "")


def _text(model, name, required=None, description=None):
    """A one-line text input labelled and limited from one place: the label from the
    checks' labels, the length from the model's column."""
    labels = PROVIDER_LABELS if model is Provider else SERVICE_LABELS
    limit = text_limit(model, name)
    validators = [DataRequired(required)] if required else [Optional()]
    validators.append(
        Length(
            max=limit, message=f"{message_name(labels, name)} must be {limit} characters or fewer"
        )
    )
    return StringField(
        _label(labels, name, not required),
        widget=GovTextInput(),
        validators=validators,
        description=description,
    )


def _area(model, name, description=None, optional=True):
    labels = PROVIDER_LABELS if model is Provider else SERVICE_LABELS
    limit = text_limit(model, name)
    return TextAreaField(
        _label(labels, name, optional),
        widget=GovTextArea(),
        validators=[
            Optional(),
            Length(
                max=limit,
                message=f"{message_name(labels, name)} must be {limit} characters or fewer",
            ),
        ],
        description=description,
    )


def _radio(label, options, message, **kwargs):
    """Radios whose required and tampered-with answers both get the GOV.UK message."""
    return RadioField(
        label,
        widget=GovRadioInput(),
        choices=choices(options),
        validators=kwargs.pop("validators", None) or [InputRequired(message)],
        invalid_choice_message=message,
        **kwargs,
    )


def _checkboxes(label, options, message, invalid_message, **kwargs):
    return SelectMultipleField(
        label,
        widget=GovCheckboxesInput(),
        choices=options,
        validators=[InputRequired(message)] if message else [Optional()],
        invalid_choice_message=invalid_message,
        **kwargs,
    )


def _select(label, options, invalid_message):
    return SelectField(
        label,
        widget=GovSelect(),
        choices=options,
        validators=[Optional()],
        invalid_choice_message=invalid_message,
    )


class DateField(GovDateField):
    """core's GovDateField, with "(optional)" left out of its messages."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(str(exc).replace(" (optional)", "")) from None


class EditForm(FlaskForm):
    """What an edit form carries besides its fields: the record's version (optimistic locking)
    and the fingerprints of what it opened with (see ``providers.conflicts``). The version's
    id is where an edit conflict's error summary link goes, the explanation above the form;
    templates render the hidden input itself with id="version"."""

    version = HiddenField(id="edit-conflict")
    loaded = HiddenField()


class ProviderForm(EditForm):
    name = _text(Provider, "name", "Enter the provider's name", description=PUBLISHED + ".")
    kind = _radio("Kind of provider", PROVIDER_KINDS.items(), "Select the kind of provider")
    status = _radio(
        "Status", PROVIDER_STATUSES.items(), "Select the provider's status", default="on_framework"
    )
    description = _area(
        Provider, "description", f"What the provider does, in plain English. {PUBLISHED}."
    )
    registration_body = _radio(
        "Registered with",
        REGISTRATION_BODIES.items(),
        "Select Ofsted, CQC or not registered",
        default="",
        validators=[Optional()],
    )
    registration_number = _text(Provider, "registration_number")
    registration_rating = SelectField(
        "Latest inspection rating",
        widget=GovSelect(),
        choices=choices(REGISTRATION_RATINGS.items()),
        default="",
        validators=[Optional()],
        invalid_choice_message="Select a registration rating from the list",
    )
    contact_name = _text(Provider, "contact_name", description=PUBLISHED_CONTACT)
    email = _text(Provider, "email", description=PUBLISHED_CONTACT)
    phone = _text(Provider, "phone", description=PUBLISHED_CONTACT)
    website = _text(
        Provider, "website", description=f"For example, https://www.example.org. {PUBLISHED}."
    )
    address_line_1 = _text(
        Provider, "address_line_1", description="The address is not published: it is for staff."
    )
    address_line_2 = _text(Provider, "address_line_2")
    town = _text(Provider, "town")
    postcode = _text(Provider, "postcode")
    localities = _checkboxes("Localities served", [], None, "Select localities from the list")
    direct_payments = _radio(
        "Can direct payment holders buy from this provider?",
        YES_NO,
        "Select yes if direct payment holders can buy from them",
        description="Published: families are told whether they can use a direct payment.",
    )
    dbs_expires_on = DateField(
        "DBS check expires (optional)",
        validators=[Optional()],
        description="For example, 27 3 2027. Not published.",
    )
    insurance_expires_on = DateField(
        "Insurance expires (optional)",
        validators=[Optional()],
        description="For example, 27 3 2027. Not published.",
    )
    notes = _area(Provider, "notes", "For council staff only: never published.")
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
        start_from(self, provider, PROVIDER_FIELDS)


def _age(label, message_start):
    return StringField(
        label,
        widget=GovTextInput(),
        validators=[
            DataRequired(f"Enter the {label.lower()}"),
            whole_number(0, MAX_AGE, f"{message_start} must be a whole number from 0 to {MAX_AGE}"),
        ],
    )


class ServiceForm(EditForm):
    name = _text(ProviderService, "name", "Enter the service's name")
    short_break_type = _radio(
        "Type of short break", SHORT_BREAK_TYPES.items(), "Select the type of short break"
    )
    tier = _radio(
        "Tier",
        [
            ("targeted", "Targeted: families use it without a social care assessment"),
            ("specialist", "Specialist: by assessment or with a direct payment"),
        ],
        "Select targeted or specialist",
    )
    age_from = _age("Youngest age", "Youngest age")
    age_to = _age("Oldest age", "Oldest age")
    needs = _checkboxes(
        "Needs catered for",
        choices(NEEDS.items()),
        "Select at least one need the service caters for",
        "Select the needs the service caters for from the list",
        description="Children in Need census disability categories. Select all that apply.",
    )
    localities = _checkboxes(
        "Localities",
        [],
        "Select at least one locality",
        "Select localities from the list",
        description="Where families can use the service. Select all that apply.",
    )
    runs = _checkboxes(
        "When it runs (optional)",
        choices(RUNS.items()),
        None,
        "Select when the service runs from the list",
    )
    capacity = StringField(
        "Capacity (optional)",
        widget=GovTextInput(),
        validators=[
            Optional(),
            whole_number(0, CAPACITY_MAX, "Capacity must be a whole number, like 12"),
        ],
    )
    capacity_unit = _radio(
        "Capacity is counted in",
        CAPACITY_UNITS.items(),
        "Select places per session or nights a year",
        default="places_per_session",
    )
    rate = StringField(
        "Rate in pounds (optional)",
        widget=GovTextInput(),
        validators=[Optional(), pounds],
        description="For example, 12.50",
    )
    rate_unit = _radio(
        "Rate is charged",
        RATE_UNITS.items(),
        "Select per hour, per session or per night",
        default="session",
    )
    published = _radio(
        "Publish in the Local Offer directory?",
        YES_NO,
        "Select whether to publish the service",
        default="no",
        description="Published services can be read by anyone, without signing in.",
    )
    venue_name = _text(ProviderService, "venue_name")
    venue_address = _text(ProviderService, "venue_address")
    venue_town = _text(ProviderService, "venue_town")
    venue_postcode = _text(ProviderService, "venue_postcode")
    contact_name = _text(ProviderService, "contact_name")
    contact_email = _text(ProviderService, "contact_email")
    contact_phone = _text(ProviderService, "contact_phone")
    submit = SubmitField("Save service", widget=GovSubmitInput())

    def validate_age_to(self, field):
        low = parse_whole_number(self.age_from.data, 0, MAX_AGE)
        high = parse_whole_number(field.data, 0, MAX_AGE)
        if low is not None and high is not None and high < low:
            raise ValidationError("Oldest age must be the same as or more than the youngest")

    def data_for_service(self) -> dict:
        capacity = (self.capacity.data or "").strip()
        data = {
            "name": self.name.data,
            "short_break_type": self.short_break_type.data,
            "tier": self.tier.data,
            "age_from": parse_whole_number(self.age_from.data, 0, MAX_AGE),
            "age_to": parse_whole_number(self.age_to.data, 0, MAX_AGE),
            "needs": list(self.needs.data or []),
            "localities": list(self.localities.data or []),
            "runs": list(self.runs.data or []),
            "capacity": parse_whole_number(capacity, 0, CAPACITY_MAX) if capacity else None,
            "capacity_unit": self.capacity_unit.data,
            "rate_pence": _pence(self.rate.data),
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
        start_from(self, service, SERVICE_FIELDS)


# The nine SE7 answers, added to ServiceForm as text areas named after the model's columns.
_SE7_HINTS = {
    "what_it_does": "Its purpose, typical activities, any limit on how long it supports a child. "
    "Needed before the service can be published.",
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
    setattr(ServiceForm, _field, _area(ProviderService, _field, _SE7_HINTS[_field]))


class YesCheckbox(BooleanField):
    """A checkbox in a GET form: ticked only for its own value (or yes, true, 1, on), so that
    ``?direct_payments=n`` or ``=no`` does not filter."""

    TRUE_VALUES = ("y", "yes", "true", "1", "on")

    def process_formdata(self, valuelist):
        self.data = bool(valuelist) and str(valuelist[0]).strip().lower() in self.TRUE_VALUES


class DirectorySearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = StringField(
        "Search by name or keyword",
        description="For example, autism, wheelchair or a place. Searches names, needs, "
        "places and the answers to the Local Offer questions.",
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
    locality = _select("Locality", [], "Select a locality from the list")
    need = _select(
        "Need", choices([("", "Any need"), *NEEDS.items()]), "Select a need from the list"
    )
    short_break_type = _select(
        "Type of short break",
        choices([("", "Any type"), *SHORT_BREAK_TYPES.items()]),
        "Select a type of short break from the list",
    )
    tier = _select(
        "Tier",
        choices([("", "Targeted or specialist"), *SERVICE_TIERS.items()]),
        "Select targeted or specialist",
    )
    direct_payments = YesCheckbox(
        "Can be bought with a direct payment", widget=GovCheckboxInput(), validators=[Optional()]
    )
    submit = SubmitField("Search", widget=GovSubmitInput())


class ImportForm(FlaskForm):
    what = _radio(
        "What does the file hold?",
        [("providers", "Providers"), ("services", "Services")],
        "Select providers or services",
    )
    file = FileField("CSV file", widget=GovFileInput())
    submit = SubmitField("Import file", widget=GovSubmitInput())

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError("Select a CSV file")
        if not field.data.filename.lower().endswith(".csv"):
            raise ValidationError("The selected file must be a CSV")
