"""Demo data: an invented short breaks framework of about 60 providers and 150 services across
the demo localities, with deliberate gaps (see DEMO_GAPS). Deterministic and idempotent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from core.demo import register_loader
from core.extensions import db
from core.reference import SHORT_BREAK_TYPES, localities

from .models import Provider
from .services import NEEDS, create_provider, create_service

# Types of short break and needs left with no service in a locality, so the gaps page and the
# Short Breaks Services Statement have something to show.
DEMO_GAPS = {
    "coast": {"overnight_home", "HEAR", "CON"},
    "west": {"overnight_elsewhere", "VIS"},
    "east": {"daytime_home", "CON"},
    "north": {"CON"},
    "south": {"CON"},
}

ORGANISATIONS = [
    ("Brightwater Play Scheme", "organisation", ["educational_leisure", "evening_weekend_holiday"]),
    ("Oakridge Family Link", "family_based", ["overnight_elsewhere", "daytime_elsewhere"]),
    (
        "Harbour Lights Youth Club",
        "organisation",
        ["evening_weekend_holiday", "educational_leisure"],
    ),
    ("Willowbank Short Breaks House", "residential", ["overnight_elsewhere"]),
    ("Kestrel Adventure Trust", "organisation", ["educational_leisure"]),
    (
        "Northbrook Sensory Garden Club",
        "organisation",
        ["daytime_elsewhere", "educational_leisure"],
    ),
    (
        "Saltcoast Sailing for All",
        "organisation",
        ["educational_leisure", "evening_weekend_holiday"],
    ),
    ("Ashby Council Short Breaks Team", "council", ["daytime_home", "overnight_home"]),
    ("Meadowlark Home Support", "organisation", ["daytime_home", "overnight_home"]),
    ("Fernhill Respite Lodge", "residential", ["overnight_elsewhere"]),
    ("Tidewater Swim Academy", "organisation", ["educational_leisure"]),
    ("Clover Lane Holiday Club", "organisation", ["evening_weekend_holiday", "daytime_elsewhere"]),
    (
        "Riverside Inclusive Theatre",
        "organisation",
        ["educational_leisure", "evening_weekend_holiday"],
    ),
    ("Southmere Saturday Club", "organisation", ["evening_weekend_holiday"]),
    ("Eastfield Community Care", "organisation", ["daytime_home", "daytime_elsewhere"]),
    ("Hollyhock Care at Home", "organisation", ["daytime_home", "overnight_home"]),
    ("Westcombe Wheels Cycling", "organisation", ["educational_leisure"]),
    ("Bramble Farm Days", "organisation", ["daytime_elsewhere", "educational_leisure"]),
    ("Lantern Family Placements", "family_based", ["overnight_elsewhere", "daytime_elsewhere"]),
    ("Skylark Music Makers", "organisation", ["educational_leisure"]),
    ("Ashby Central Youth Hub", "council", ["evening_weekend_holiday", "educational_leisure"]),
    ("Moorland Outdoor Centre", "organisation", ["educational_leisure", "overnight_elsewhere"]),
    ("Pebble Beach Playworks", "organisation", ["evening_weekend_holiday", "daytime_elsewhere"]),
    ("Starling Sitting Service", "organisation", ["daytime_home", "overnight_home"]),
    ("Thistle House", "residential", ["overnight_elsewhere"]),
    ("Greenway Climbing Club", "organisation", ["educational_leisure"]),
    ("Orchard Dance Company", "organisation", ["educational_leisure", "evening_weekend_holiday"]),
    ("Heron Valley Scouts Inclusion", "organisation", ["evening_weekend_holiday"]),
    ("Copperfield Home Carers", "organisation", ["daytime_home"]),
    ("Maple Tree Family Breaks", "family_based", ["overnight_elsewhere"]),
    (
        "Sunflower After-School Club",
        "organisation",
        ["evening_weekend_holiday", "daytime_elsewhere"],
    ),
    ("Northbrook Trampoline Club", "organisation", ["educational_leisure"]),
    ("Bluebell Woods Forest School", "organisation", ["educational_leisure", "daytime_elsewhere"]),
    ("Eastfield Arts Collective", "organisation", ["educational_leisure"]),
    ("Lighthouse Overnight Care", "organisation", ["overnight_home"]),
    ("Swallowtail Holiday Scheme", "organisation", ["evening_weekend_holiday"]),
    ("Cedar Court Short Stays", "residential", ["overnight_elsewhere"]),
    ("Puffin Junior Football", "organisation", ["educational_leisure"]),
    ("Rowan Tree Befriending", "organisation", ["daytime_elsewhere", "evening_weekend_holiday"]),
    ("Ashby Council Family Support", "council", ["daytime_home", "daytime_elsewhere"]),
]
PA_FIRST = [
    "Jordan",
    "Sam",
    "Alex",
    "Robin",
    "Jamie",
    "Taylor",
    "Morgan",
    "Casey",
    "Riley",
    "Avery",
]
PA_LAST = [
    "Ellison",
    "Marsh",
    "Okafor",
    "Brennan",
    "Sandhu",
    "Whitlock",
    "Quayle",
    "Haddow",
    "Lomas",
    "Pemberton",
]
PLACES = {
    "north": ("Northbrook", "NB"),
    "south": ("Southmere", "SM"),
    "east": ("Eastfield", "EF"),
    "west": ("Westcombe", "WC"),
    "central": ("Ashby", "AS"),
    "coast": ("Saltcoast", "SC"),
}
STREETS = [
    "Mill Lane",
    "Station Road",
    "Church Street",
    "Harbour Road",
    "Orchard Way",
    "Park Avenue",
    "Quarry Hill",
    "Victoria Road",
    "Meadow Close",
    "Castle Street",
]
SERVICE_WORDS = {
    "daytime_home": ["Home support", "Care at home", "Day-time sitting"],
    "daytime_elsewhere": ["Day care", "Activity days", "Day club"],
    "overnight_home": ["Overnight sitting", "Night support at home"],
    "overnight_elsewhere": ["Overnight stays", "Weekend short stays", "Family-based overnights"],
    "educational_leisure": ["Inclusive sessions", "Activity club", "Learn and play"],
    "evening_weekend_holiday": ["Holiday scheme", "Saturday club", "Evening club"],
}
RATE_RANGES = {"hour": (1250, 2400), "session": (1500, 6500), "night": (18000, 45000)}


def _postcode(rng, prefix: str) -> str:
    return f"{prefix}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def _answers(
    name: str,
    provider: str,
    type_label: str,
    ages: tuple[int, int],
    places: str,
    tier: str,
    dp: bool,
    venue: str,
) -> dict:
    start = (
        "Families can contact us directly: no social care assessment is needed. We check that "
        "your child has a disability and lives in the council's area."
        if tier == "targeted"
        else "A social worker arranges this after an assessment, or you can buy it with a "
        "direct payment."
    )
    return {
        "what_it_does": f"{name} offers {type_label.lower()} for disabled children and young "
        f"people, giving them time to have fun and make friends, and giving their families a "
        f"break from caring.",
        "where_it_is": f"{venue or 'In your own home or out in the community'}. We cover {places}.",
        "who_it_is_for": f"Children and young people aged {ages[0]} to {ages[1]} with a "
        f"disability. Talk to us about your child's needs before their first session.",
        "how_to_start": start
        + (" You can use your personal budget or direct payment." if dp else "")
        + " There can be a short waiting list in the school holidays.",
        "how_decisions_are_made": f"The {provider} team decides, using the council's published "
        "criteria. We explain our decision in writing and talk it through with you.",
        "how_it_communicates": "We meet every family before the first session. Staff use "
        "Makaton and picture symbols, and we can arrange an interpreter.",
        "accessibility": "Step-free access, a disabled toilet and a quiet room. Tell us what "
        "your child needs and we will plan for it.",
        "staff_training": "All staff have an enhanced DBS check and training in safeguarding, "
        "moving and handling, epilepsy awareness and autism awareness.",
        "who_to_contact": f"Call or email the {provider} office; the council's short breaks "
        "team can also help.",
    }


def _service_localities(rng, served: list[str], kind: str) -> list[str]:
    count = rng.randint(1, min(3, len(served)))
    return sorted(rng.sample(served, count))


def load(rng) -> None:
    codes = [r.code for r in localities()]
    labels = {r.code: r.label for r in localities()}
    if not codes:
        return
    existing = set(db.session.scalars(select(Provider.name)))
    today = dt.date.today()
    providers = [(name, kind, types) for name, kind, types in ORGANISATIONS]
    for i in range(20):
        pa_name = f"{PA_FIRST[i % 10]} {PA_LAST[(i * 3 + i // 10) % 10]}"
        providers.append(
            (
                pa_name,
                "personal_assistant",
                [rng.choice(["daytime_home", "educational_leisure", "evening_weekend_holiday"])],
            )
        )
    for name, kind, types in providers:
        if name in existing:
            continue
        home = rng.choice(codes)
        town, prefix = PLACES.get(home, (labels[home], "AB"))
        served = sorted({home, *rng.sample(codes, rng.randint(0, 3))})
        dbs = today + dt.timedelta(days=rng.choice([-20, 12, 25, 200, 400, 600, 700]))
        insurance = today + dt.timedelta(days=rng.choice([-5, 20, 150, 300, 365, 500]))
        is_pa = kind == "personal_assistant"
        registered = kind in ("residential", "family_based") or (
            kind in ("organisation", "council") and "home" in "".join(types)
        )
        provider = create_provider(
            {
                "name": name,
                "kind": kind,
                "status": rng.choices(["on_framework", "suspended", "left"], [18, 1, 1])[0],
                "description": ""
                if is_pa
                else f"{name} has provided short breaks for disabled children in {town} since "
                f"{rng.randint(1992, 2019)}.",
                "registration_body": (
                    "cqc" if "home" in "".join(types) and kind != "residential" else "ofsted"
                )
                if registered
                else "",
                "registration_number": f"{rng.choice(['SC', '1-', 'EY'])}{rng.randint(100000, 999999)}"
                if registered
                else "",
                "registration_rating": rng.choice(
                    ["outstanding", "good", "good", "requires_improvement"]
                )
                if registered
                else "",
                "contact_name": name if is_pa else f"{rng.choice(PA_FIRST)} {rng.choice(PA_LAST)}",
                "email": f"{name.lower().replace(' ', '.').replace('-', '')}@example.org",
                "phone": f"01632 {rng.randint(100000, 999999)}",
                "website": ""
                if is_pa
                else f"https://{name.lower().replace(' ', '').replace('-', '')}.example.org",
                "address_line_1": "" if is_pa else f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                "town": "" if is_pa else town,
                "postcode": "" if is_pa else _postcode(rng, prefix),
                "localities": served,
                "direct_payments": is_pa or rng.random() < 0.6,
                "dbs_expires_on": dbs,
                "insurance_expires_on": insurance,
                "notes": "Annual contract review due in the spring." if rng.random() < 0.2 else "",
            }
        )
        count = 1 if is_pa else rng.randint(2, 5)
        for n in range(count):
            sb_type = types[n % len(types)]
            service_localities = [
                c
                for c in _service_localities(rng, served, kind)
                if sb_type not in DEMO_GAPS.get(c, ())
            ]
            if not service_localities:
                continue
            needs = sorted(rng.sample(list(NEEDS), rng.randint(3, 8)))
            needs = [
                need
                for need in needs
                if not any(need in DEMO_GAPS.get(c, ()) for c in service_localities)
            ] or ["LD"]
            low = rng.choice([0, 4, 5, 8, 11])
            high = min(25, low + rng.choice([6, 8, 10, 13, 14]))
            tier = (
                "specialist"
                if sb_type.startswith("overnight") or is_pa
                else rng.choice(["targeted", "targeted", "specialist"])
            )
            rate_unit = (
                "night"
                if sb_type.startswith("overnight")
                else ("hour" if sb_type == "daytime_home" or is_pa else "session")
            )
            low_rate, high_rate = RATE_RANGES[rate_unit]
            words = rng.choice(SERVICE_WORDS[sb_type])
            service_name = name if is_pa else f"{name.split(' ')[0]} {words}"
            if not is_pa and n and service_name in {s.name for s in provider.services}:
                service_name = f"{service_name} ({labels[service_localities[0]]})"
            venue = not is_pa and not sb_type.endswith("_home")
            venue_address = f"{rng.randint(1, 80)} {rng.choice(STREETS)}" if venue else ""
            place_names = ", ".join(labels[c] for c in service_localities)
            data = {
                "name": service_name,
                "short_break_type": sb_type,
                "tier": tier,
                "age_from": low,
                "age_to": high,
                "needs": needs,
                "localities": service_localities,
                "runs": sorted(
                    rng.sample(["term_time", "holidays", "evenings", "weekends"], rng.randint(1, 3))
                ),
                "capacity": rng.choice([6, 8, 10, 12, 15, 20])
                if not sb_type.startswith("overnight")
                else rng.choice([120, 200, 300, 365]),
                "capacity_unit": "nights_per_year"
                if sb_type.startswith("overnight")
                else "places_per_session",
                "rate_pence": rng.randrange(low_rate, high_rate, 25),
                "rate_unit": rate_unit,
                "published": rng.random() < 0.85,
                "venue_name": f"{name} centre" if venue else "",
                "venue_address": venue_address,
                "venue_town": PLACES.get(service_localities[0], (labels[service_localities[0]],))[0]
                if venue
                else "",
                "venue_postcode": _postcode(rng, PLACES.get(service_localities[0], ("", "AB"))[1])
                if venue
                else "",
                "contact_name": provider.contact_name,
                "contact_email": provider.email,
                "contact_phone": provider.phone,
            }
            data.update(
                _answers(
                    service_name,
                    name,
                    SHORT_BREAK_TYPES[sb_type],
                    (low, high),
                    place_names,
                    tier,
                    provider.direct_payments,
                    f"{venue_address}, {data['venue_town']}" if venue else "",
                )
            )
            create_service(provider, data)


register_loader(5, "providers", load)
