"""The Open Referral UK 3.0 objects built from a published service (see ``openreferral``).

Identifiers are UUIDs: services and providers carry their own; the objects nested in them
(cost options, schedules, contacts, service areas, ...) get UUIDs derived from their parent's,
so they are stable from one request to the next. Taxonomies: the regulation 4 short-break
types, the needs (CIN census disability categories) and the tiers.

Each SE7 Local Offer answer goes to the field of the standard that fits it best, so that a
Local Offer site reading the API gets the whole service:

====================================  ==================================================
SE7 question                          Open Referral UK 3.0 (HSDS 3.0) field
====================================  ==================================================
What does the service do?             service ``description``
Where is it and what area does it     a ``service_areas`` entry (the profile's free-text
cover?                                area, as in its examples) and the location's
                                      ``description``
Who is it for?                        ``eligibility_description`` (with ``minimum_age`` /
                                      ``maximum_age`` and the needs as ``attributes``)
How can I start using the service?    ``application_process`` (with ``cost_options``)
How are decisions made about who can  ``eligibility_description``, after who it is for,
use the service?                      under "How decisions are made:"
How does the service communicate      ``interpretation_services``
with families?
Is the service accessible?            the location's ``accessibility``: a location is
                                      published for a service with a venue or an answer
                                      here, with an address only when the venue is known
What training do the staff have?      ``accreditations``, after any Ofsted or CQC
                                      registration, under "Staff training:"
Who can I contact for further         a ``contacts`` entry (beside the named contact)
information?
====================================  ==================================================
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from flask import current_app

from core.reference import SHORT_BREAK_TYPES, locality_labels

from .checks import NEEDS, is_web_address, phone_problem
from .models import RATE_UNITS, REGISTRATION_RATINGS, RUNS, SERVICE_TIERS, ProviderService

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://shortbreaks.example/openreferral")

# (key, name, description, terms)
TAXONOMIES = [
    (
        "short_break_type",
        "Short break types",
        "The range of short breaks in regulation 4 of the Breaks for Carers of Disabled "
        "Children Regulations 2011.",
        SHORT_BREAK_TYPES,
    ),
    (
        "need",
        "Needs",
        "Disabilities a service caters for: the Children in Need census disability categories.",
        NEEDS,
    ),
    (
        "tier",
        "Short break tiers",
        "Targeted short breaks are used without a social care assessment; specialist short "
        "breaks follow an assessment or are bought with a direct payment.",
        SERVICE_TIERS,
    ),
]


def _id(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def taxonomy_id(key: str) -> str:
    return _id("taxonomy", key)


def term_id(key: str, code: str) -> str:
    return _id("term", key, code)


def all_terms():
    """{term uuid: (taxonomy key, code, label)}."""
    return {
        term_id(key, code): (key, code, label)
        for key, _name, _desc, terms in TAXONOMIES
        for code, label in terms.items()
    }


def term_json(key: str, code: str, label: str) -> dict:
    taxonomy_name = next(name for k, name, _d, _t in TAXONOMIES if k == key)
    return {
        "id": term_id(key, code),
        "name": label,
        "description": f"{taxonomy_name}: {label}",
        "taxonomy": taxonomy_name,
        "taxonomy_id": taxonomy_id(key),
        "term": code,
    }


def taxonomy_json(key: str, name: str, description: str, terms: dict) -> dict:
    return {
        "id": taxonomy_id(key),
        "name": name,
        "description": description,
        "version": "1",
        "taxonomy_terms": [term_json(key, c, label) for c, label in terms.items()],
    }


# --- Services -------------------------------------------------------------------------------


def _timestamp(value) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


def _paragraphs(*parts: tuple[str, str]) -> str:
    """Answers joined as paragraphs, each after its heading (if any); blank answers left out."""
    return "\n\n".join(
        f"{heading}: {text.strip()}" if heading else text.strip()
        for heading, text in parts
        if text and text.strip()
    )


def _organization(service: ProviderService) -> dict:
    provider = service.provider
    org = {
        "id": provider.public_id,
        "name": provider.name,
        "description": provider.description
        or f"{provider.kind_label} on the council's short breaks framework.",
    }
    if provider.email:
        org["email"] = provider.email
    if is_web_address(provider.website):
        org["website"] = provider.website
    return org


def _registration(service: ProviderService) -> str:
    provider = service.provider
    if not provider.registration_body:
        return ""
    body = provider.registration_body.upper() if provider.registration_body == "cqc" else "Ofsted"
    text = f"Registered with {body}"
    if provider.registration_number:
        text += f" ({provider.registration_number})"
    if provider.registration_rating:
        text += f", rated {REGISTRATION_RATINGS[provider.registration_rating]}"
    return text


def _accreditations(service: ProviderService) -> str:
    return _paragraphs(("", _registration(service)), ("Staff training", service.staff_training))


def service_core(service: ProviderService) -> dict:
    """The one-to-one fields of a service (what /services lists)."""
    data = {
        "id": service.public_id,
        "organization_id": service.provider.public_id,
        "name": service.name,
        "description": service.what_it_does,
        "status": "active",
        "minimum_age": service.age_from,
        "maximum_age": service.age_to,
        "assured_date": service.updated_at.date().isoformat(),
        # The service or its provider, whichever changed last.
        "last_modified": _timestamp(max(service.updated_at, service.provider.updated_at)),
    }
    email = service.contact_email or service.provider.email
    if email:
        data["email"] = email
    if is_web_address(service.provider.website):
        data["url"] = service.provider.website
    accreditations = _accreditations(service)
    if accreditations:
        data["accreditations"] = accreditations
    data["organization"] = _organization(service)
    return data


def _attributes(service: ProviderService) -> list[dict]:
    codes = [("short_break_type", service.short_break_type), ("tier", service.tier)]
    codes += [("need", n) for n in service.needs]
    labels = {"short_break_type": SHORT_BREAK_TYPES, "tier": SERVICE_TIERS, "need": NEEDS}
    out = []
    for key, code in codes:
        if code not in labels[key]:
            continue
        term = term_json(key, code, labels[key][code])
        out.append(
            {
                "id": _id(service.public_id, "attribute", key, code),
                "link_id": service.public_id,
                "link_type": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }
        )
    return out


def _cost_options(service: ProviderService) -> list[dict]:
    """What a family would pay, said honestly for the tier.

    Targeted services are used without an assessment, so the rate is the price to a family
    that pays for itself (free at 0). Specialist services are arranged through a social care
    assessment, so the rate is not a price to families; a direct payment holder can buy the
    service at it, where the provider takes direct payments."""
    if service.rate_pence is None:
        return []
    whole, part = divmod(service.rate_pence, 100)
    unit = RATE_UNITS.get(service.rate_unit, "")
    price = f"£{whole:,}.{part:02d} {unit}"
    direct_payments = service.provider.direct_payments
    option = {"id": _id(service.public_id, "cost_option"), "service_id": service.public_id}
    # JSON has only one kind of number; the exact figure is in amount_description.
    amount = float(Decimal(service.rate_pence) / 100)
    if service.tier == "specialist":
        arranged = "Arranged through a social care assessment"
        if direct_payments:
            option.update(
                option="With a direct payment",
                amount=amount,
                amount_description=f"{arranged}. It can be bought with a direct payment "
                f"at {price}.",
            )
        else:
            option.update(
                option="Through an assessment",
                amount_description=f"{arranged} and paid for by the council.",
            )
    elif service.rate_pence == 0:
        option.update(option="Free", amount=0, amount_description="Free.")
    else:
        text = f"{price}."
        if direct_payments:
            text += " A direct payment can be used to pay for it."
        option.update(option=unit.capitalize(), amount=amount, amount_description=text)
    return [option]


def _schedules(service: ProviderService) -> list[dict]:
    """When it runs, as recorded (term time, holidays, evenings, weekends): a description
    each, with no days or times the council has not recorded."""
    return [
        {
            "id": _id(service.public_id, "schedule", code),
            "service_id": service.public_id,
            "description": RUNS.get(code, code),
        }
        for code in service.runs
    ]


def _service_areas(service: ProviderService) -> list[dict]:
    labels = locality_labels()
    areas = [
        {
            "id": _id(service.public_id, "service_area", code),
            "service_id": service.public_id,
            "name": labels.get(code, code),
            "service_area": labels.get(code, code),
        }
        for code in service.localities
    ]
    where = service.where_it_is.strip()
    if where:
        areas.append(
            {
                "id": _id(service.public_id, "service_area", "se7"),
                "service_id": service.public_id,
                "name": where,
                "service_area": where,
            }
        )
    return areas


def _contacts(service: ProviderService) -> list[dict]:
    """The service's contact (or, where it has none, the provider's), whenever there is any
    detail to publish: a name, a telephone or an email address. Without a name the contact
    is published without one (the standard allows it)."""
    out = []
    name = service.contact_name or service.provider.contact_name
    # A number saved before telephone numbers were checked, that is not one, is not published.
    phone = next(
        (p for p in (service.contact_phone, service.provider.phone) if p and not phone_problem(p)),
        "",
    )
    email = service.contact_email or service.provider.email
    if name or phone or email:
        contact = {
            "id": _id(service.public_id, "contact"),
            "service_id": service.public_id,
            "title": f"Contact for {service.name}",
        }
        if name:
            contact["name"] = name
        if phone:
            contact["phones"] = [{"id": _id(service.public_id, "contact_phone"), "number": phone}]
        if email:
            contact["email"] = email
        out.append(contact)
    who = service.who_to_contact.strip()
    if who:
        out.append(
            {
                "id": _id(service.public_id, "contact", "se7"),
                "service_id": service.public_id,
                "name": who,
                "title": "Who to contact for further information",
            }
        )
    return out


def has_location(service: ProviderService) -> bool:
    """Whether the service has a place to publish: a venue, or an answer about access."""
    return bool(service.has_venue or service.venue_name or service.accessibility.strip())


def _location(service: ProviderService, full: bool) -> dict:
    location_id = _id(service.venue_public_id, "location")
    location = {
        "id": location_id,
        "location_type": "physical",
        "name": service.venue_name or service.name,
    }
    if full:
        if service.where_it_is.strip():
            location["description"] = service.where_it_is.strip()
        if service.has_venue:
            location["addresses"] = [
                {
                    "id": _id(service.venue_public_id, "address"),
                    "location_id": location_id,
                    "address_1": service.venue_address,
                    "city": service.venue_town,
                    "state_province": current_app.config["COUNCIL_NAME"],
                    "postal_code": service.venue_postcode,
                    "country": "GB",
                    "address_type": "physical",
                }
            ]
        if service.accessibility.strip():
            location["accessibility"] = [
                {
                    "id": _id(service.venue_public_id, "accessibility"),
                    "location_id": location_id,
                    "description": service.accessibility.strip(),
                }
            ]
    return location


def service_at_location(service: ProviderService, full: bool, nested_service: bool) -> dict:
    location = _location(service, full)
    out = {
        "id": service.venue_public_id,
        "service_id": service.public_id,
        "location_id": location["id"],
        "location": location,
    }
    if nested_service:
        out["service"] = (
            full_service(service, with_locations=False) if full else service_core(service)
        )
    return out


def full_service(service: ProviderService, with_locations: bool = True) -> dict:
    data = service_core(service)
    data.update(
        {
            "schedules": _schedules(service),
            "service_areas": _service_areas(service),
            "languages": [],
            "funding": [],
            "cost_options": _cost_options(service),
            "contacts": _contacts(service),
            "attributes": _attributes(service),
        }
    )
    # HSDS 3.0 service fields (the UK profile's compiled schema allows them).
    for key, text in (
        (
            "eligibility_description",
            _paragraphs(
                ("", service.who_it_is_for),
                ("How decisions are made", service.how_decisions_are_made),
            ),
        ),
        ("application_process", service.how_to_start.strip()),
        ("interpretation_services", service.how_it_communicates.strip()),
    ):
        if text:
            data[key] = text
    if with_locations:
        data["service_at_locations"] = (
            [service_at_location(service, full=True, nested_service=False)]
            if has_location(service)
            else []
        )
    return data
