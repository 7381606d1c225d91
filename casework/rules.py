"""Casework rules that need no database writes: validation of what people type, working days,
and who may see a child. Forms and services both use them, so each rule lives in one place.

Who may see a child (``child_visible_to`` / ``visible_condition``):
- a practitioner: cases allocated to them, or to one of their teams;
- a team manager: cases allocated to one of their teams (or to them personally);
- administrators, finance officers and commissioners: no access to children's case records
  (they see figures through reports, and finance sees direct payments through budgets).
"""

from __future__ import annotations

import datetime as dt
import re

import holidays
import nhs_number
from sqlalchemy import false, or_

from core.reference import MAX_AGE, age_on, years_after
from core.roles import Role

from .models import Child

ASSESSMENT_WORKING_DAYS = 45
CLOSED_MESSAGE = "This case is closed. Reopen it before changing the record."
EMAIL_MESSAGE = "Enter an email address in the correct format, like name@example.com"


class CaseworkError(ValueError):
    """A request that breaks a casework rule, with a message for the person (and the form
    field it belongs to, if any).

    ``disclosed``: a child the message tells the person about (that a record exists, say), so
    the view can audit it after rolling the refused change back."""

    def __init__(self, message: str, field: str | None = None, *, disclosed=None):
        super().__init__(message)
        self.field = field
        self.disclosed = disclosed


def require_open(child: Child) -> None:
    if child.is_closed:
        raise CaseworkError(CLOSED_MESSAGE)


def text_value(data: dict, key: str) -> str:
    return (data.get(key) or "").strip()


# --- Validation rules shared by forms and services ------------------------------------------

# The UK postcode format (GOV.UK/ONS pattern, plus GIR 0AA).
_POSTCODE = re.compile(
    r"^(GIR ?0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])"
    r" ?[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_postcode(value: str) -> str:
    """'sw1a1aa' -> 'SW1A 1AA'; raises CaseworkError if it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (value or "").upper())
    if not compact:
        return ""
    if not _POSTCODE.match(compact) or len(compact) < 5:
        raise CaseworkError("Enter a real postcode, like NN1 1AA", "postcode")
    return f"{compact[:-3]} {compact[-3:]}"


def normalise_nhs_number(value: str | None) -> str | None:
    """'943 476 5919' -> '9434765919'; raises CaseworkError if the checksum is wrong."""
    digits = re.sub(r"[\s-]", "", value or "")
    if not digits:
        return None
    if not digits.isdigit() or len(digits) != 10:
        raise CaseworkError("NHS number must be 10 digits, like 485 777 3456", "nhs_number")
    if not nhs_number.is_valid(digits):
        raise CaseworkError(
            "Enter a valid NHS number: check it has been typed correctly", "nhs_number"
        )
    return digits


# local@domain.tld: no spaces, one @, a dot in the domain, nothing empty.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def check_email(value: str | None, field: str = "email") -> str:
    """The email address, trimmed ('' if none); CaseworkError if it cannot be one."""
    value = (value or "").strip()
    if value and (len(value) > 254 or not _EMAIL.match(value)):
        raise CaseworkError(EMAIL_MESSAGE, field)
    return value


def check_date_of_birth(dob: dt.date, on: dt.date | None = None) -> None:
    """A date of birth for a new record: not in the future, and 25 or under on `on` (today)."""
    check_not_born_in_future(dob)
    if age_on(dob, on or dt.date.today()) > MAX_AGE:
        raise CaseworkError(
            f"This service is for children and young people aged {MAX_AGE} or under: "
            f"check the date of birth",
            "date_of_birth",
        )


def check_not_born_in_future(dob: dt.date) -> None:
    if dob > dt.date.today():
        raise CaseworkError("Date of birth must be today or in the past", "date_of_birth")


def check_age_at_referral(dob: dt.date, referred_on: dt.date, field: str) -> None:
    """The rule is age 25 or under when referred (not today: young people stay on the books,
    and have their details changed, after they turn 26)."""
    if age_on(dob, referred_on) > MAX_AGE:
        raise CaseworkError(
            f"The young person was over {MAX_AGE} on the date of referral: this service is for "
            f"ages 0 to {MAX_AGE}",
            field,
        )


def check_not_before_birth(child: Child, on: dt.date, field: str, what: str = "Date") -> None:
    check_on_or_after_birth(child.date_of_birth, on, field, what)


def check_on_or_after_birth(dob: dt.date, on: dt.date, field: str, what: str = "Date") -> None:
    """Refused unless ``on`` is on or after the date of birth ``dob`` (given, rather than
    taken from a child, where the form changes the date of birth at the same time)."""
    if on < dob:
        from core.templating import govuk_date

        raise CaseworkError(
            f"{what} must be on or after the child's date of birth, {govuk_date(dob)}", field
        )


# A sibling of a child or young person aged 0 to 25 (casework's MAX_AGE) is born no more than
# this many years ago: a generous bound that still catches a mistyped year, like 1900.
SIBLING_MAX_AGE = 60


def check_sibling_date_of_birth(dob: dt.date) -> None:
    """Not in the future, and no more than SIBLING_MAX_AGE years ago."""
    from core.templating import govuk_date

    check_not_born_in_future(dob)
    earliest = years_after(dt.date.today(), -SIBLING_MAX_AGE)
    if dob < earliest:
        raise CaseworkError(
            f"Date of birth must be no more than {SIBLING_MAX_AGE} years ago, "
            f"{govuk_date(earliest)} at the earliest",
            "date_of_birth",
        )


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (weekends and English bank holidays off)."""
    bank = holidays.country_holidays("GB", subdiv="ENG", years=range(start.year, start.year + 2))
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5 and day not in bank:
            left -= 1
    return day


# --- Who may see a child --------------------------------------------------------------------


def can_use_casework(user) -> bool:
    return user.has_role(Role.PRACTITIONER, Role.TEAM_MANAGER)


def visible_condition(user):
    """A SQL condition on Child selecting the children this user may see."""
    team_ids = sorted(user.team_ids)
    conds = []
    if user.has_role(Role.PRACTITIONER, Role.TEAM_MANAGER):
        conds.append(Child.allocated_worker_id == user.id)
        if team_ids:
            conds.append(Child.allocated_team_id.in_(team_ids))
    return or_(*conds) if conds else false()


def child_visible_to(user, child: Child) -> bool:
    if not can_use_casework(user):
        return False
    if child.allocated_worker_id == user.id:
        return True
    return child.allocated_team_id is not None and child.allocated_team_id in user.team_ids


def case_number_for(child_id: int) -> str:
    return f"C{child_id:06d}"
