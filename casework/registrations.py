"""Targeted short-break registrations: a child registered with a targeted service on the
providers framework, or an activity not on it. Use these through ``casework.services``.
Changes to a saved registration are locked (casework.locking)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.extensions import db
from core.models import User
from core.parsing import whole_number
from core.reference import age_on, locality_labels, years_after

from . import locking
from .children import get_childs_record
from .models import Child, TargetedRegistration
from .rules import CaseworkError, check_not_before_birth, require_open
from .text import line

#
# A registration names a targeted service on the providers framework (provider_service_id) or,
# for an activity not on the framework, only free text. ``activity`` is always filled: for a
# framework service it is the service's label ('Service name – Provider name') as it read when
# the service was chosen, so the record still reads right if the service is renamed or removed.
# A service whose ages or localities do not fit the child is allowed (the provider checks its
# own criteria, and a child near an age boundary or living next door to a locality is common)
# but the child's page shows a warning (registration_warnings).

NOT_ON_FRAMEWORK = "other"
NO_SERVICE_MESSAGE = (
    "Select a service on the framework, or select ‘Not on the framework’ and enter the activity"
)
BAD_SERVICE_MESSAGE = "Select a targeted service on the framework from the list"


def service_label(service) -> str:
    """'Service name – Provider name' (what a registration records as its activity)."""
    return f"{service.name} – {service.provider.name}"[:300]


def _framework_service(service_id: int):
    """A targeted service of a provider on the framework, or None."""
    from providers import services as providers

    service = providers.get_service(service_id)
    if service is None or service.tier != "targeted":
        return None
    if service.provider.status != "on_framework":
        return None
    return service


def registration_service_options(
    child: Child, current_id: int | None = None, today: dt.date | None = None
) -> list[tuple[str, str, str | None]]:
    """(value, label, group) options for the registration form's select: a prompt, 'Not on the
    framework', then the targeted services on the framework, those that serve the child's
    locality and age first, each group by name. The registration's current service is kept as
    an option even if it has left the framework since."""
    from providers import services as providers

    today = today or dt.date.today()
    age = age_on(child.date_of_birth, today)
    place = locality_labels().get(child.locality, child.locality)
    suggested, others = [], []
    for service in providers.search_services(tier="targeted"):
        fits = child.locality in service.localities and service.age_from <= age <= service.age_to
        (suggested if fits else others).append((str(service.id), service_label(service)))
    options: list[tuple[str, str, str | None]] = [
        ("", "Select a service", None),
        (NOT_ON_FRAMEWORK, "Not on the framework (enter the activity below)", None),
    ]
    listed = {v for v, _ in suggested + others}
    if current_id is not None and str(current_id) not in listed:
        service = providers.get_service(current_id)
        if service is not None:
            options.append(
                (str(service.id), service_label(service), "Current service (no longer offered)")
            )
    options += [(v, label, f"In {place}, for age {age}") for v, label in suggested]
    options += [(v, label, "Other targeted services on the framework") for v, label in others]
    return options


def check_registration_choice(choice, activity) -> None:
    """The checks of the registration form's two fields that need no database (the form calls
    them so they show with its other errors): one of the two is needed, free text goes with
    'Not on the framework', and a service is chosen by its id."""
    raw = str(choice or "").strip()
    text = (activity or "").strip()
    if raw in ("", NOT_ON_FRAMEWORK):
        if not text:
            if raw == NOT_ON_FRAMEWORK:
                raise CaseworkError("Enter the provider and activity", "activity")
            raise CaseworkError(NO_SERVICE_MESSAGE, "provider_service_id")
        if len(text) > 300:
            raise CaseworkError("Activity must be 300 characters or fewer", "activity")
    elif whole_number(raw, 1) is None:
        raise CaseworkError(BAD_SERVICE_MESSAGE, "provider_service_id")


def _registration_activity(data: dict, reg: TargetedRegistration | None) -> tuple[int | None, str]:
    """(provider_service_id, activity) from the form's choice, or CaseworkError.

    ``provider_service_id`` is a service id, '' or 'other' (not on the framework; ``activity``
    is then the free text). Anything else (unknown, suspended or specialist services, or
    hostile text) is refused with a form error."""
    raw = str(data.get("provider_service_id") or "").strip()
    text = line(data, "activity", "Activity")
    check_registration_choice(raw, text)
    if raw in ("", NOT_ON_FRAMEWORK):
        return None, text
    service_id = whole_number(raw, 1)
    if reg is not None and reg.provider_service_id == service_id:
        # Unchanged: keep it (even if the provider has been suspended since) and its wording.
        if text and text != reg.activity:
            raise CaseworkError(_BOTH_MESSAGE, "activity")
        return service_id, reg.activity
    service = _framework_service(service_id)
    if service is None:
        raise CaseworkError(BAD_SERVICE_MESSAGE, "provider_service_id")
    label = service_label(service)
    if text and text != label:
        raise CaseworkError(_BOTH_MESSAGE, "activity")
    return service.id, label


_BOTH_MESSAGE = (
    "Leave the activity empty when you select a service on the framework, or select "
    "‘Not on the framework’"
)


# How far ahead a registration may be recorded, and how long it may run (a longer one is kept
# up to date by changing it, not by guessing an end years away).
MAX_YEARS_AHEAD = 1
MAX_YEARS_LONG = 5


def _check_dates(child: Child, start, end, reg: TargetedRegistration | None) -> None:
    """From and To (the form's labels): on or after the date of birth, From up to a year from
    today, To the same as or after From and up to 5 years after it, both before the young
    person's 26th birthday (short breaks are for ages 0 to 25). A saved From or To that is not
    being changed is not checked again, so an old registration can still be ended."""
    from core.templating import govuk_date

    if start is None:
        raise CaseworkError("Enter the date the registration starts", "from_date")
    check_not_before_birth(child, start, "from_date", "From")
    start_changed = reg is None or start != reg.from_date
    end_changed = reg is None or end != reg.to_date or start_changed
    latest_start = years_after(dt.date.today(), MAX_YEARS_AHEAD)
    if start_changed and start > latest_start:
        raise CaseworkError(
            f"From must be no more than a year from today, {govuk_date(latest_start)} at the "
            "latest",
            "from_date",
        )
    birthday = years_after(child.date_of_birth, 26)
    name = child.preferred_name or child.first_name
    if start_changed and start >= birthday:
        raise CaseworkError(
            f"From must be before {name}'s 26th birthday, {govuk_date(birthday)}", "from_date"
        )
    if end is None or not end_changed:
        return
    if end < start:
        raise CaseworkError("To must be the same as or after From", "to_date")
    latest_end = years_after(start, MAX_YEARS_LONG)
    if end > latest_end:
        raise CaseworkError(
            f"To must be no more than 5 years after From, {govuk_date(latest_end)} at the latest",
            "to_date",
        )
    if end >= birthday:
        raise CaseworkError(
            f"To must be before {name}'s 26th birthday, {govuk_date(birthday)}", "to_date"
        )


def _same_activity(text: str) -> str:
    return " ".join(text.casefold().split())


def _check_no_overlap(child, service_id, activity, start, end, reg) -> None:
    """One registration at a time for a service (or an activity not on the framework, by its
    wording): refused, naming the one already recorded, if the dates overlap."""
    from core.templating import govuk_date

    never = dt.date.max
    for other in registrations(child):
        if reg is not None and other.id == reg.id:
            continue
        if service_id is not None:
            same = other.provider_service_id == service_id
        else:
            same = other.provider_service_id is None and (
                _same_activity(other.activity) == _same_activity(activity)
            )
        if not same:
            continue
        if other.from_date <= (end or never) and start <= (other.to_date or never):
            name = child.preferred_name or child.first_name
            when = f"from {govuk_date(other.from_date)}"
            when += f" to {govuk_date(other.to_date)}" if other.to_date else " onwards"
            raise CaseworkError(
                f"{name} is already registered for {other.activity} {when}: change that "
                "registration, or choose dates that do not overlap it",
                "from_date",
            )


def save_registration(
    child: Child,
    user: User,
    data: dict,
    reg: TargetedRegistration | None = None,
    *,
    expected_version: int | None = None,
) -> TargetedRegistration:
    """Register a child with a targeted service on the framework (``provider_service_id``) or
    an activity not on it (``activity``), or change a registration (for example to end it;
    refused with StaleEdit if someone else saved it after `expected_version`). Dates as
    ``_check_dates`` says; no two registrations for one service (or activity) overlap."""
    require_open(child)
    if reg is not None:
        locking.check_version(reg, expected_version)
    service_id, activity = _registration_activity(data, reg)
    start, end = data.get("from_date"), data.get("to_date")
    _check_dates(child, start, end, reg)
    if reg is None and child.current_tier not in ("targeted", "specialist", "pending_assessment"):
        raise CaseworkError(
            "Record an eligibility decision of targeted or specialist short breaks first",
        )
    _check_no_overlap(child, service_id, activity, start, end, reg)
    if reg is None:
        reg = TargetedRegistration(child_id=child.id, recorded_by_id=user.id)
        db.session.add(reg)
    reg.provider_service_id, reg.activity = service_id, activity
    reg.from_date, reg.to_date = start, end
    locking.flush(reg)
    return reg


def add_registration(child: Child, user: User, data: dict) -> TargetedRegistration:
    return save_registration(child, user, data)


def registration_service(reg: TargetedRegistration):
    """The providers service a registration names (whatever its status now), or None."""
    if reg.provider_service_id is None:
        return None
    from providers import services as providers

    return providers.get_service(reg.provider_service_id)


def registration_warnings(
    child: Child, reg: TargetedRegistration, service=None, today: dt.date | None = None
) -> list[str]:
    """What does not fit between the child and the service: its ages (on the start date, and
    today while the registration runs), the localities it serves, the provider's status."""
    service = service if service is not None else registration_service(reg)
    if service is None:
        return []
    today = today or dt.date.today()
    name = child.preferred_name or child.first_name
    out = []
    start_age = age_on(child.date_of_birth, reg.from_date)
    ages = f"{service.name} is for ages {service.age_from} to {service.age_to}"
    running = reg.from_date <= today and (reg.to_date is None or reg.to_date >= today)
    now_age = age_on(child.date_of_birth, today)
    if not service.age_from <= start_age <= service.age_to:
        out.append(f"{ages}: {name} was {start_age} when the registration started.")
    elif running and not service.age_from <= now_age <= service.age_to:
        out.append(f"{ages}: {name} is now {now_age}.")
    if child.locality not in service.localities:
        place = locality_labels().get(child.locality, child.locality)
        out.append(f"{service.name} does not serve {place}, where {name} lives.")
    if service.provider.status != "on_framework":
        status = service.provider.status_label.lower()
        out.append(f"{service.provider.name} is no longer on the framework ({status}).")
    elif service.tier != "targeted":
        out.append(f"{service.name} is now a specialist service.")
    return out


def registration_rows(child: Child) -> list[dict]:
    """The child's registrations for display, newest first: {'reg', 'service' (or None),
    'label' (the service as it reads now, or the recorded activity), 'warnings'}."""
    rows = []
    for reg in registrations(child):
        service = registration_service(reg)
        rows.append(
            {
                "reg": reg,
                "service": service,
                "label": service_label(service) if service else reg.activity,
                "warnings": registration_warnings(child, reg, service),
            }
        )
    return rows


def get_registration(child: Child, reg_id: int) -> TargetedRegistration:
    return get_childs_record(child, TargetedRegistration, reg_id)


def registrations(child: Child) -> list[TargetedRegistration]:
    return list(
        db.session.scalars(
            select(TargetedRegistration)
            .where(TargetedRegistration.child_id == child.id)
            .order_by(TargetedRegistration.from_date.desc(), TargetedRegistration.id.desc())
        )
    )
