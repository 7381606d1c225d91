"""The checks a provider or a service must pass, whether it comes from a form or a CSV row.

Text limits come from one place, the model's columns (a ``String(n)`` column holds n
characters; a ``Text`` column takes the forms' 5000), and the field labels used in messages are
the forms' labels, so a form and an import say the same thing about the same problem.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from urllib.parse import urlsplit

from sqlalchemy import String, func, select

from core.extensions import db
from core.reference import CIN_DISABILITY_CATEGORIES, MAX_AGE, SHORT_BREAK_TYPES, locality_labels

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
    """A change that cannot be made, with a message for the person and the field it is about."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


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


def check_text(data: dict, model, labels: dict) -> None:
    """Every text field in data: no control characters (such as NUL), one-line fields on one
    line, and no longer than its column."""
    for field in labels:
        value = data.get(field)
        if not isinstance(value, str):
            continue
        value = value.strip()
        name = message_name(labels, field)
        single = one_line(model, field)
        if single and ("\n" in value or "\r" in value):
            raise ProviderError(f"{name} must be on one line", field)
        if has_control_characters(value, single):
            raise ProviderError(f"{name} must not include control characters", field)
        limit = text_limit(model, field)
        if len(value) > limit:
            raise ProviderError(f"{name} must be {limit} characters or fewer", field)


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


# --- Providers and services -------------------------------------------------------------------


def _check_codes(values, allowed, field, what):
    bad = [v for v in values if v not in allowed]
    if bad:
        unknown = ", ".join(bad)
        raise ProviderError(f"Choose {what} from the list, not {unknown}", field)


def check_provider(data: dict, provider: Provider | None = None) -> dict:
    """Normalise and check provider data; raise ProviderError on the first problem."""
    data = dict(data)
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise ProviderError("Enter the provider's name", "name")
    check_text(data, Provider, PROVIDER_LABELS)
    if data.get("kind") not in PROVIDER_KINDS:
        raise ProviderError("Select the kind of provider", "kind")
    if data.get("status", "on_framework") not in PROVIDER_STATUSES:
        raise ProviderError("Select the provider's status", "status")
    if data.get("registration_body", "") not in REGISTRATION_BODIES:
        raise ProviderError("Select Ofsted, CQC or not registered", "registration_body")
    if data.get("registration_rating", "") not in REGISTRATION_RATINGS:
        raise ProviderError("Select a registration rating from the list", "registration_rating")
    if data.get("registration_body") and not (data.get("registration_number") or "").strip():
        raise ProviderError(
            "Enter the Ofsted or CQC registration number, or select not registered",
            "registration_number",
        )
    email = (data.get("email") or "").strip()
    if email and not EMAIL.match(email):
        raise ProviderError("Enter an email address in the correct format", "email")
    website = (data.get("website") or "").strip()
    if website and not is_web_address(website):
        raise ProviderError(
            "Enter a website address in the correct format, like https://www.example.org",
            "website",
        )
    if "postcode" in data:
        data["postcode"] = normalise_postcode(data.get("postcode") or "")
    data["localities"] = list(data.get("localities") or [])
    _check_codes(data["localities"], locality_labels(), "localities", "localities")
    stmt = select(Provider.id).where(func.lower(Provider.name) == data["name"].lower())
    if provider is not None and provider.id is not None:
        stmt = stmt.where(Provider.id != provider.id)
    if db.session.scalar(stmt) is not None:
        raise ProviderError("A provider with this name is already on the framework", "name")
    return data


def check_service(data: dict) -> dict:
    """Normalise and check service data; raise ProviderError on the first problem."""
    data = dict(data)
    data["name"] = (data.get("name") or "").strip()
    if not data["name"]:
        raise ProviderError("Enter the service's name", "name")
    check_text(data, ProviderService, SERVICE_LABELS)
    if data.get("short_break_type") not in SHORT_BREAK_TYPES:
        raise ProviderError("Select the type of short break", "short_break_type")
    if data.get("tier") not in SERVICE_TIERS:
        raise ProviderError("Select targeted or specialist", "tier")
    age_from, age_to = data.get("age_from"), data.get("age_to")
    if age_from is None or not 0 <= age_from <= MAX_AGE:
        raise ProviderError(f"Youngest age must be between 0 and {MAX_AGE}", "age_from")
    if age_to is None or not 0 <= age_to <= MAX_AGE:
        raise ProviderError(f"Oldest age must be between 0 and {MAX_AGE}", "age_to")
    if age_to < age_from:
        raise ProviderError("Oldest age must be the same as or more than the youngest", "age_to")
    for field, allowed, what in (
        ("needs", NEEDS, "needs"),
        ("localities", locality_labels(), "localities"),
        ("runs", RUNS, "when the service runs"),
    ):
        data[field] = list(data.get(field) or [])
        _check_codes(data[field], allowed, field, what)
    if not data["needs"]:
        raise ProviderError("Select at least one need the service caters for", "needs")
    if not data["localities"]:
        raise ProviderError("Select at least one locality", "localities")
    capacity = data.get("capacity")
    if capacity is not None and not 0 <= capacity <= CAPACITY_MAX:
        raise ProviderError(f"Capacity must be a whole number from 0 to {CAPACITY_MAX}", "capacity")
    if data.get("capacity_unit", "places_per_session") not in CAPACITY_UNITS:
        raise ProviderError("Select places per session or nights a year", "capacity_unit")
    if data.get("rate_unit", "session") not in RATE_UNITS:
        raise ProviderError("Select per hour, per session or per night", "rate_unit")
    email = (data.get("contact_email") or "").strip()
    if email and not EMAIL.match(email):
        raise ProviderError("Enter an email address in the correct format", "contact_email")
    if "venue_postcode" in data:
        try:
            data["venue_postcode"] = normalise_postcode(data.get("venue_postcode") or "")
        except ProviderError as exc:
            raise ProviderError(str(exc), "venue_postcode") from None
    if data.get("published") and not (data.get("what_it_does") or "").strip():
        raise ProviderError(
            "Answer 'What does the service do?' before publishing the service", "what_it_does"
        )
    return data
