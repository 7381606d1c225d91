"""The checks a provider or a service must pass, whether it comes from a form or a CSV row.

Text limits come from one place, the model's columns (a ``String(n)`` column holds n
characters; a ``Text`` column takes the forms' 5000), and the field labels used in messages are
the forms' labels, so a form and an import say the same thing about the same problem.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import String, select

from core.extensions import db
from core.reference import (
    CIN_DISABILITY_CATEGORIES,
    MAX_AGE,
    SHORT_BREAK_TYPES,
    locality_labels,
    locality_options,
)
from core.text import PHONE_MESSAGE, phone_problem

from .models import (
    CAPACITY_UNITS,
    PROVIDER_KINDS,
    PROVIDER_STATUSES,
    RATE_UNITS,
    REGISTRATION_BODIES,
    REGISTRATION_RATINGS,
    RUNS,
    SE7_FIELDS,
    SE7_QUESTIONS,
    SERVICE_TIERS,
    Provider,
    ProviderService,
)

NEEDS = {k: v for k, v in CIN_DISABILITY_CATEGORIES.items() if k != "NONE"}
POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
NOT_REGISTERED_NUMBER = (
    "Choose who the provider is registered with, or remove the registration number"
)
NOT_REGISTERED_RATING = (
    "Choose who the provider is registered with, or choose Not rated as the latest "
    "inspection rating"
)
TEXT_LIMIT = 5000  # the longest answer a Text column takes from a form or a file
CAPACITY_MAX = 100_000

PROVIDER_FIELDS = (
    "name",
    "kind",
    "status",
    "description",
    "registration_body",
    "registration_number",
    "registration_rating",
    "contact_name",
    "email",
    "phone",
    "website",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "localities",
    "direct_payments",
    "dbs_expires_on",
    "insurance_expires_on",
    "notes",
)
SERVICE_FIELDS = (
    "name",
    "short_break_type",
    "tier",
    "age_from",
    "age_to",
    "needs",
    "localities",
    "runs",
    "capacity",
    "capacity_unit",
    "rate_pence",
    "rate_unit",
    "published",
    "venue_name",
    "venue_address",
    "venue_town",
    "venue_postcode",
    "contact_name",
    "contact_email",
    "contact_phone",
    *SE7_FIELDS,
)

# The forms' labels (without "(optional)"), used in the forms and in every message.
PROVIDER_LABELS = {
    "name": "Provider name",
    "kind": "Kind of provider",
    "status": "Status",
    "description": "Description",
    "registration_body": "Registered with",
    "registration_number": "Registration number",
    "registration_rating": "Latest inspection rating",
    "contact_name": "Contact name",
    "email": "Email address",
    "phone": "Telephone",
    "website": "Website",
    "address_line_1": "Address line 1",
    "address_line_2": "Address line 2",
    "town": "Town or city",
    "postcode": "Postcode",
    "localities": "Localities served",
    "direct_payments": "Can direct payment holders buy from this provider?",
    "dbs_expires_on": "DBS check expires",
    "insurance_expires_on": "Insurance expires",
    "notes": "Notes",
}
SERVICE_LABELS = {
    "name": "Service name",
    "short_break_type": "Type of short break",
    "tier": "Tier",
    "age_from": "Youngest age",
    "age_to": "Oldest age",
    "needs": "Needs catered for",
    "localities": "Localities",
    "runs": "When it runs",
    "capacity": "Capacity",
    "capacity_unit": "Capacity is counted in",
    "rate_pence": "Rate in pounds",
    "rate_unit": "Rate is charged",
    "published": "Publish in the Local Offer directory?",
    "venue_name": "Venue name",
    "venue_address": "Venue address",
    "venue_town": "Venue town or city",
    "venue_postcode": "Venue postcode",
    "contact_name": "Contact name",
    "contact_email": "Contact email address",
    "contact_phone": "Contact telephone",
    **dict(SE7_QUESTIONS),
}
# How a message names an SE7 answer ("The answer to 'What does the service do?' must be ...").
_MESSAGE_NAMES = {field: f"The answer to '{question}'" for field, question in SE7_QUESTIONS}


class ProviderError(ValueError):
    """A change that cannot be made, with a message for the person and the field it is about.

    ``problems`` holds every problem found in the record, as (field, message) pairs in the
    order of the form (the first is also the error's own message and field), so that a form
    or a line of a file can show them all at once."""

    def __init__(self, message: str, field: str | None = None, problems=None):
        super().__init__(message)
        self.field = field
        self.problems = list(problems) if problems else [(field, message)]


class Problems:
    """The problems found in one record: at most one per field, in the order found."""

    def __init__(self):
        self.items: list[tuple[str | None, str]] = []

    def add(self, field: str | None, message: str) -> None:
        if field is None or field not in self:
            self.items.append((field, message))

    def extend(self, problems, skip=()) -> None:
        for field, message in problems:
            if field not in skip:
                self.add(field, message)

    def __contains__(self, field) -> bool:
        return any(f == field for f, _ in self.items)

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            field, message = self.items[0]
            raise ProviderError(message, field, self.items)


class EditConflict(ProviderError):
    """The record was saved by someone else after the form was opened (its version moved on)."""


# --- Money --------------------------------------------------------------------------------

# Whole pounds (up to 9,999,999), with commas only as thousands separators, then 1 or 2 pence
# digits. ASCII digits only: `\d` would also match digits of other scripts.
_POUNDS = re.compile(r"(?:[0-9]{1,7}|[0-9]{1,3},[0-9]{3}|[0-9],[0-9]{3},[0-9]{3})(?:\.[0-9]{1,2})?")


def parse_pounds(text: str) -> int:
    """'12.50', '£12.50', '1,200' -> whole pence, by decimal arithmetic (never float).

    Raises ValueError with a message for the person."""
    cleaned = (text or "").strip().removeprefix("£").strip()
    if not _POUNDS.fullmatch(cleaned):
        raise ValueError("Enter the rate in pounds and pence, like 12.50")
    return int(Decimal(cleaned.replace(",", "")) * 100)


def pence_to_pounds_text(pence: int | None) -> str:
    """Whole pence -> '12.50' (for form fields and CSV)."""
    if pence is None:
        return ""
    whole, part = divmod(int(pence), 100)
    return f"{whole}.{part:02d}"


# --- Text ---------------------------------------------------------------------------------


def text_limit(model, field: str) -> int:
    """The most characters a text field takes: its String column's length, else TEXT_LIMIT."""
    column_type = model.__table__.c[field].type
    length = getattr(column_type, "length", None) if isinstance(column_type, String) else None
    return length or TEXT_LIMIT


def one_line(model, field: str) -> bool:
    """Whether the field is a one-line input (a String column with a length)."""
    return text_limit(model, field) != TEXT_LIMIT


def message_name(labels: dict, field: str) -> str:
    return _MESSAGE_NAMES.get(field, labels.get(field, field))


def has_control_characters(value: str, one_line_only: bool = False) -> bool:
    """Control characters (such as NUL, which PostgreSQL cannot store in text); tabs and line
    breaks are allowed in multi-line text."""
    allowed = "" if one_line_only else "\t\n\r"
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def has_hidden_characters(value: str) -> bool:
    """Format characters (Unicode category Cf): zero-width spaces and joiners, text direction
    overrides, byte order marks. They are invisible, so they make look-alike names and can
    reorder what a reader sees."""
    return any(unicodedata.category(c) == "Cf" for c in value)


def tidy_name(name: str) -> str:
    """A name with its spaces tidied: no spaces at either end, and each run of spaces (of any
    kind, such as non-breaking ones) one ordinary space."""
    return " ".join((name or "").split())


@functools.lru_cache(maxsize=4096)  # a file's rows each compare with every provider
def name_key(name: str) -> str:
    """What two names are compared by: NFKC (so full-width letters are ordinary ones), case
    folded, spaces tidied. 'QA Prov', 'qa\u00a0prov' and '\uff31\uff21 Prov' are one name."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name or "").casefold())
    return tidy_name(folded)


def tidy_text(data: dict, model, labels: dict) -> None:
    """Text fields without spaces at either end, and multi-line answers with their line
    breaks as "\n" (browsers send a text area's as CR LF): an answer saved again unchanged is
    then the same answer, not a change."""
    for field in labels:
        value = data.get(field)
        if isinstance(value, str):
            value = value.strip()
            if not one_line(model, field):
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            data[field] = value


def check_text(data: dict, model, labels: dict, problems: Problems) -> None:
    """Every text field in data: no control or hidden characters, one-line fields on one line,
    and no longer than its column."""
    for field in labels:
        value = data.get(field)
        if not isinstance(value, str):
            continue
        value = value.strip()
        name = message_name(labels, field)
        single = one_line(model, field)
        limit = text_limit(model, field)
        if single and ("\n" in value or "\r" in value):
            problems.add(field, f"{name} must be on one line")
        elif has_control_characters(value, single):
            problems.add(field, f"{name} must not include control characters")
        elif has_hidden_characters(value):
            problems.add(
                field,
                f"{name} must not include hidden characters, such as zero-width spaces "
                "or text direction marks",
            )
        elif len(value) > limit:
            problems.add(field, f"{name} must be {limit} characters or fewer")


# --- Addresses ------------------------------------------------------------------------------

# RFC 3986 characters: unreserved, the reserved delimiters used outside an IP literal, or %HH.
_URI_CHARACTERS = re.compile(r"(?:[A-Za-z0-9\-._~:/?#@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
_HOST_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TOP_LEVEL = re.compile(r"[a-z]{2,63}|xn--[a-z0-9-]{1,59}")


def is_web_address(text: str) -> bool:
    """A real website address: http or https, a valid host name with a dot, an optional port,
    nothing but RFC 3986 characters (no spaces, quotes or angle brackets), no user name."""
    if not text or len(text) > 2000 or not _URI_CHARACTERS.fullmatch(text):
        return False
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises ValueError on a port that is not a number)
    except ValueError:
        return False
    if parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc:
        return False
    if "#" in parts.fragment or not text.lower().startswith(parts.scheme.lower() + "://"):
        return False
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".")
    return (
        len(host) <= 253
        and len(labels) >= 2
        and all(_HOST_LABEL.fullmatch(label) for label in labels)
        and bool(_TOP_LEVEL.fullmatch(labels[-1]))
    )


def normalise_postcode(postcode: str) -> str:
    raw = re.sub(r"\s+", "", (postcode or "").upper())
    if not raw:
        return ""
    if len(raw) > 4:
        raw = raw[:-3] + " " + raw[-3:]
    if not POSTCODE.match(raw):
        raise ProviderError("Enter a real postcode, like AB1 2CD", "postcode")
    return raw


def _check_phone(data: dict, field: str, problems: Problems) -> None:
    if field in data and field not in problems and phone_problem(data.get(field)):
        problems.add(field, PHONE_MESSAGE)


# --- Providers and services -------------------------------------------------------------------

# The range of dates the forms and the import take for a DBS check or insurance expiring.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2099, 12, 31)
DATE_RANGE_TEXT = "between 1 January 2000 and 31 December 2099"


def canonical_codes(values, allowed) -> list[str]:
    """The codes in the reference list's order, each once: a list is always stored the same
    way, whatever order a form's checkboxes or a file's cells gave it in."""
    chosen = set(values)
    return [code for code in allowed if code in chosen]


def _check_codes(values, allowed, field, what, problems: Problems) -> list[str]:
    values = [v for v in (values or []) if v]
    bad = [v for v in values if v not in allowed]
    if bad:
        problems.add(field, f"Choose {what} from the list, not {', '.join(bad)}")
    return canonical_codes(values, allowed)


def _check_localities(values, kept, problems: Problems) -> list[str]:
    """The localities, in the reference list's order: each one known, and in use unless the
    record already has it."""
    labels = locality_labels()
    codes = _check_codes(values, labels, "localities", "localities", problems)
    allowed = {code for code, _label in locality_options(kept)}
    for code in codes:
        if code not in allowed:
            problems.add(
                "localities", f"{labels[code]} is no longer in use: choose another locality"
            )
    return codes


def provider_named(name: str, except_id: int | None = None) -> Provider | None:
    """The provider whose name is the same as this one (see ``name_key``), if any."""
    key = name_key(name)
    if not key:
        return None
    for provider_id, saved in db.session.execute(select(Provider.id, Provider.name)):
        if provider_id != except_id and name_key(saved) == key:
            return db.session.get(Provider, provider_id)
    return None


def _check_date(data: dict, field: str, problems: Problems) -> None:
    value = data.get(field)
    if isinstance(value, dt.date) and not EARLIEST_DATE <= value <= LATEST_DATE:
        problems.add(field, f"{PROVIDER_LABELS[field]} must be {DATE_RANGE_TEXT}")


def check_provider(data: dict, provider: Provider | None = None) -> dict:
    """Normalise and check provider data; raise ProviderError with every problem found."""
    data = dict(data)
    problems = Problems()
    data["name"] = data.get("name") or ""
    tidy_text(data, Provider, PROVIDER_LABELS)
    if not data["name"]:
        problems.add("name", "Enter the provider's name")
    check_text(data, Provider, PROVIDER_LABELS, problems)
    if "name" not in problems:
        data["name"] = tidy_name(data["name"])
    if data.get("kind") not in PROVIDER_KINDS:
        problems.add("kind", "Select the kind of provider")
    if data.get("status", "on_framework") not in PROVIDER_STATUSES:
        problems.add("status", "Select the provider's status")
    if data.get("registration_body", "") not in REGISTRATION_BODIES:
        problems.add("registration_body", "Select Ofsted, CQC or not registered")
    if data.get("registration_rating", "") not in REGISTRATION_RATINGS:
        problems.add("registration_rating", "Select a registration rating from the list")
    if data.get("registration_body") and not (data.get("registration_number") or "").strip():
        problems.add(
            "registration_number",
            "Enter the Ofsted or CQC registration number, or select not registered",
        )
    if not data.get("registration_body") and "registration_body" not in problems:
        # Not registered: a number or a rating would be published as if it were a registration.
        if (data.get("registration_number") or "").strip():
            problems.add("registration_body", NOT_REGISTERED_NUMBER)
        elif data.get("registration_rating") and "registration_rating" not in problems:
            problems.add("registration_body", NOT_REGISTERED_RATING)
    email = (data.get("email") or "").strip()
    if email and not EMAIL.match(email):
        problems.add("email", "Enter an email address in the correct format")
    _check_phone(data, "phone", problems)
    website = (data.get("website") or "").strip()
    if website and not is_web_address(website):
        problems.add(
            "website",
            "Enter a website address in the correct format, like https://www.example.org",
        )
    if "postcode" in data and "postcode" not in problems:
        try:
            data["postcode"] = normalise_postcode(data.get("postcode") or "")
        except ProviderError as exc:
            problems.add("postcode", str(exc))
    data["localities"] = _check_localities(
        data.get("localities"), provider.localities if provider is not None else (), problems
    )
    for field in ("dbs_expires_on", "insurance_expires_on"):
        _check_date(data, field, problems)
    if data["name"] and "name" not in problems:
        if provider_named(data["name"], provider.id if provider is not None else None):
            problems.add("name", "A provider with this name is already on the framework")
    problems.raise_if_any()
    return data


def check_service(data: dict, service: ProviderService | None = None) -> dict:
    """Normalise and check service data (a change to ``service``, or a new service); raise
    ProviderError with every problem found."""
    data = dict(data)
    problems = Problems()
    data["name"] = data.get("name") or ""
    tidy_text(data, ProviderService, SERVICE_LABELS)
    if not data["name"]:
        problems.add("name", "Enter the service's name")
    check_text(data, ProviderService, SERVICE_LABELS, problems)
    if "name" not in problems:
        data["name"] = tidy_name(data["name"])
    if data.get("short_break_type") not in SHORT_BREAK_TYPES:
        problems.add("short_break_type", "Select the type of short break")
    if data.get("tier") not in SERVICE_TIERS:
        problems.add("tier", "Select targeted or specialist")
    age_from, age_to = data.get("age_from"), data.get("age_to")
    from_ok = age_from is not None and 0 <= age_from <= MAX_AGE
    if not from_ok:
        problems.add("age_from", f"Youngest age must be between 0 and {MAX_AGE}")
    if age_to is None or not 0 <= age_to <= MAX_AGE:
        problems.add("age_to", f"Oldest age must be between 0 and {MAX_AGE}")
    elif from_ok and age_to < age_from:
        problems.add("age_to", "Oldest age must be the same as or more than the youngest")
    for field, allowed, what in (
        ("needs", NEEDS, "needs"),
        ("runs", RUNS, "when the service runs"),
    ):
        data[field] = _check_codes(data.get(field), allowed, field, what, problems)
    data["localities"] = _check_localities(
        data.get("localities"), service.localities if service is not None else (), problems
    )
    if not data["needs"]:
        problems.add("needs", "Select at least one need the service caters for")
    if not data["localities"]:
        problems.add("localities", "Select at least one locality")
    capacity = data.get("capacity")
    if capacity is not None and not 0 <= capacity <= CAPACITY_MAX:
        problems.add("capacity", f"Capacity must be a whole number from 0 to {CAPACITY_MAX}")
    if data.get("capacity_unit", "places_per_session") not in CAPACITY_UNITS:
        problems.add("capacity_unit", "Select places per session or nights a year")
    if data.get("rate_unit", "session") not in RATE_UNITS:
        problems.add("rate_unit", "Select per hour, per session or per night")
    email = (data.get("contact_email") or "").strip()
    if email and not EMAIL.match(email):
        problems.add("contact_email", "Enter an email address in the correct format")
    _check_phone(data, "contact_phone", problems)
    if "venue_postcode" in data and "venue_postcode" not in problems:
        try:
            data["venue_postcode"] = normalise_postcode(data.get("venue_postcode") or "")
        except ProviderError as exc:
            problems.add("venue_postcode", str(exc))
    if data.get("published") and not (data.get("what_it_does") or "").strip():
        problems.add(
            "what_it_does", "Answer 'What does the service do?' before publishing the service"
        )
    problems.raise_if_any()
    return data
