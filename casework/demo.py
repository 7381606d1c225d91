"""Demo data for casework: a county-sized caseload (about 1,500 children), all invented.
Targeted registrations name a targeted service of the providers' demo framework (loaded first)
that serves the child's locality and age, where one does; the rest are free text.

Deterministic for a seed and idempotent (it does nothing if children already exist). Rows are
bulk-inserted, which bypasses the per-row audit hook: acceptable for demo data only.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import func, insert, select, text

from core.demo import DEMO_PASSWORD, register_loader
from core.extensions import db
from core.models import Team, User
from core.reference import CIN_DISABILITY_CATEGORIES, age_on, localities
from core.roles import Role

from .demo_words import (
    ACTIVITIES,
    CARER_NEEDS,
    CHILDREN,
    DEMO_CRITERIA,
    DEMO_MANAGERS,
    DEMO_PRACTITIONERS,
    FIRST_NAMES,
    LAST_NAMES,
    NOTE_BODIES,
    NOTE_SUMMARIES,
    PROFESSIONALS,
    SCHOOLS,
    STREETS,
    TEAM_LOCALITIES,
    TOWNS,
)
from .models import (
    Allocation,
    CaseClosure,
    CaseNote,
    Child,
    ChildDisability,
    EligibilityCriterion,
    EligibilityDecision,
    EligibilityDecisionCriterion,
    FamilyMember,
    Professional,
    Referral,
    TargetedRegistration,
)
from .services import ASSESSMENT_WORKING_DAYS, add_working_days, case_number_for


def _dob(rng: random.Random, today: dt.date) -> dt.date:
    # Most on the register are of school age; a few infants and young adults.
    age = rng.choices(
        [
            rng.randint(0, 4),
            rng.randint(5, 10),
            rng.randint(11, 15),
            rng.randint(16, 17),
            rng.randint(18, 24),
        ],
        weights=[12, 35, 30, 12, 11],
    )[0]
    return today - dt.timedelta(days=age * 365 + rng.randint(0, 364))


def _nhs(rng: random.Random, used: set[str] | None = None) -> str:
    """An invented NHS number with a valid check digit (from the 999 test range), not one in
    `used` (an NHS number belongs to one child)."""
    while True:
        digits = [9, 9, 9] + [rng.randint(0, 9) for _ in range(6)]
        total = sum(d * (10 - i) for i, d in enumerate(digits))
        check = 11 - total % 11
        if check == 11:
            check = 0
        number = "".join(map(str, digits)) + str(check)
        if check != 10 and (used is None or number not in used):
            if used is not None:
                used.add(number)
            return number


def _postcode(rng: random.Random, area: str) -> str:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return (
        f"{area}{rng.randint(1, 19)} {rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
    )


def _users(rng: random.Random) -> dict[str, dict[str, list[User]]]:
    from core.users import create_user

    teams = {t.name: t for t in db.session.scalars(select(Team))}
    for people, role in (
        (DEMO_PRACTITIONERS, Role.PRACTITIONER),
        (DEMO_MANAGERS, Role.TEAM_MANAGER),
    ):
        for first, last, team in people:
            email = f"{first.lower()}.{last.lower()}@example.gov.uk"
            if db.session.scalar(select(User.id).where(User.email == email)) is None:
                create_user(email, f"{first} {last}", [role], DEMO_PASSWORD, [teams[team]])
    db.session.flush()
    out: dict[str, dict[str, list[User]]] = {}
    for name, team in teams.items():
        members = sorted(team.members, key=lambda u: u.email)
        out[name] = {
            "team": team,
            "practitioners": [u for u in members if u.has_role(Role.PRACTITIONER)],
            "managers": [u for u in members if u.has_role(Role.TEAM_MANAGER)],
        }
    return out


def _framework_services() -> list[tuple[int, str, int, int, frozenset[str]]]:
    """The targeted services on the providers framework (loaded just before, at order 5):
    (id, label, age_from, age_to, localities), by name."""
    from providers import services as providers

    from .services import service_label

    return [
        (s.id, service_label(s), s.age_from, s.age_to, frozenset(s.localities))
        for s in providers.search_services(tier="targeted")
    ]


def _pick_service(framework, locality: str, age: int, cid: int):
    """A targeted service that serves the child's locality and age, the same for a child every
    time (no random numbers drawn, so the rest of the demo stays as it was); None for about one
    registration in eight (an activity not on the framework) or when nothing fits."""
    if cid % 8 == 0:
        return None
    fits = [s for s in framework if locality in s[4] and s[2] <= age <= s[3]]
    return fits[cid % len(fits)] if fits else None


def load(rng: random.Random) -> None:
    if db.session.scalar(select(Child.id).limit(1)) is not None:
        return
    today = dt.date.today()
    staff = _users(rng)
    codes = [c.code for c in localities(active_only=False)] or list(TOWNS)
    team_for_locality = {loc: t for t, locs in TEAM_LOCALITIES.items() for loc in locs}
    nhs_used: set[str] = set()

    if db.session.scalar(select(EligibilityCriterion.id).limit(1)) is None:
        db.session.execute(
            insert(EligibilityCriterion),
            [{"tier": t, "text": x, "sort_order": o, "active": True} for t, x, o in DEMO_CRITERIA],
        )
    framework = _framework_services()
    crit = {
        t: [c for c in db.session.scalars(select(EligibilityCriterion)) if c.tier == t]
        for t in ("targeted", "specialist")
    }

    start_id = (db.session.scalar(select(func.max(Child.id))) or 0) + 1
    children, disabilities, family, profs, referrals = [], [], [], [], []
    allocations, decisions, decision_links, regs, notes, closures = [], [], [], [], [], []
    decision_id = (db.session.scalar(select(func.max(EligibilityDecision.id))) or 0) + 1
    weights_loc = ([24, 18, 18, 16, 14, 10] + [10] * len(codes))[: len(codes)]
    disability_codes = [c for c in CIN_DISABILITY_CATEGORIES if c != "NONE"]
    disability_weights = {"AUT": 30, "LD": 25, "COMM": 20, "BEH": 12, "MOB": 10, "PC": 10}

    for n in range(CHILDREN):
        cid = start_id + n
        locality = rng.choices(codes, weights=weights_loc)[0]
        team_name = team_for_locality.get(locality, "North team")
        team = staff[team_name]
        worker = rng.choice(team["practitioners"]) if team["practitioners"] else None
        author = worker or (rng.choice(team["practitioners"]) if team["practitioners"] else None)
        dob = _dob(rng, today)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        town, area = TOWNS.get(locality, ("Ashby", "AB"))
        closed = rng.random() < 0.07
        ehc = rng.random() < 0.55 and dob < today - dt.timedelta(days=3 * 365)
        chosen = sorted(
            set(
                rng.choices(
                    disability_codes,
                    weights=[disability_weights.get(c, 3) for c in disability_codes],
                    k=rng.choice([1, 1, 2, 2, 3]),
                )
            )
        )
        # Eligibility: ~1/3 targeted, ~1/3 specialist, some pending, not eligible, none yet.
        tier = rng.choices(
            ["targeted", "specialist", "pending_assessment", "not_eligible", None],
            weights=[34, 34, 8, 8, 16],
        )[0]
        # New referrals wait for a decision; older cases have one and are reviewed yearly.
        ago = {None: (5, 75), "pending_assessment": (10, 90)}.get(tier, (30, 900))
        referral_on = min(
            today,
            max(dob + dt.timedelta(days=60), today - dt.timedelta(days=rng.randint(*ago))),
        )
        # Targeted and not-eligible cases are mostly held by the team, not a named worker; a few
        # new referrals are waiting for allocation.
        if (tier in ("targeted", "not_eligible") and rng.random() < 0.75) or rng.random() < 0.04:
            worker = None
        decided_on = min(today, referral_on + dt.timedelta(days=rng.randint(10, 60)))
        review = None
        if tier in ("targeted", "specialist", "pending_assessment"):
            review = decided_on + dt.timedelta(days=365)
            while review < today - dt.timedelta(days=30):  # a few reviews are overdue
                review += dt.timedelta(days=365)
        if tier is None:
            due = (add_working_days(referral_on, ASSESSMENT_WORKING_DAYS), "Assessment due")
        elif tier == "pending_assessment":
            due = (add_working_days(referral_on, ASSESSMENT_WORKING_DAYS), "Assessment due")
        elif review:
            due = (review, "Eligibility review")
        else:
            due = (None, "")
        children.append(
            {
                "id": cid,
                "case_number": case_number_for(cid),
                "first_name": first,
                "last_name": last,
                "preferred_name": first[:3] if rng.random() < 0.05 else "",
                "date_of_birth": dob,
                "gender": rng.choices(
                    ["male", "female", "other", "not_known"], weights=[62, 35, 1, 2]
                )[0],
                "ethnicity": rng.choices(
                    ["WBRI", "WOTH", "MWBC", "AIND", "APKN", "BAFR", "CHNE", "OOTH", "NOBT"],
                    weights=[70, 6, 3, 4, 4, 4, 1, 3, 5],
                )[0],
                "first_language": rng.choices(
                    ["English", "Polish", "Urdu", "Bengali", "Portuguese"], weights=[88, 4, 3, 3, 2]
                )[0],
                "nhs_number": _nhs(rng, nhs_used) if rng.random() < 0.85 else None,
                "address_line_1": f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
                "address_line_2": "",
                "town": town,
                "postcode": _postcode(rng, area),
                "locality": locality,
                "school": rng.choice(SCHOOLS) if dob < today - dt.timedelta(days=2 * 365) else "",
                "ehc_plan": ehc,
                # Never before the child was born (an EHC plan rarely comes before age 2).
                "ehc_plan_date": max(
                    dob + dt.timedelta(days=730), today - dt.timedelta(days=rng.randint(30, 1500))
                )
                if ehc
                else None,
                "disability_register": rng.random() < 0.8,
                "communication_needs": rng.choice(
                    [
                        "",
                        "",
                        "Uses Makaton and a picture exchange system.",
                        "Non-verbal; uses an AAC device.",
                        "Needs extra time to process questions.",
                    ]
                ),
                "health_needs": rng.choice(
                    [
                        "",
                        "",
                        "Epilepsy: rescue medication care plan.",
                        "Gastrostomy fed.",
                        "Asthma.",
                    ]
                ),
                "consent_to_share": rng.random() < 0.9,
                "status": "closed" if closed else "open",
                "closed_on": today - dt.timedelta(days=rng.randint(1, 200)) if closed else None,
                "current_tier": tier,
                "allocated_team_id": team["team"].id,
                "allocated_worker_id": worker.id if worker else None,
                "next_due_on": None if closed else due[0],
                "next_due_kind": "" if closed else due[1],
                "version": 1,
            }
        )
        disabilities += [{"child_id": cid, "category": c} for c in chosen]
        carer_count = rng.choices([1, 2], weights=[40, 60])[0]
        family_last = last
        for i in range(carer_count):
            rel = (
                "mother"
                if i == 0 and rng.random() < 0.8
                else rng.choice(["father", "grandparent", "step_parent", "foster_carer"])
            )
            family.append(
                {
                    "child_id": cid,
                    "kind": "carer",
                    "name": f"{rng.choice(FIRST_NAMES)} {family_last}",
                    "relationship_to_child": rel,
                    "parental_responsibility": rel in ("mother", "father"),
                    "lives_with_child": True,
                    "phone": f"07700 900{rng.randint(0, 999):03d}",
                    "email": "",
                    "address": "",
                    "carer_needs": rng.choice(CARER_NEEDS),
                    "needs_carers_assessment": rng.random() < 0.3,
                    "notes": "",
                }
            )
        for _ in range(rng.choice([0, 0, 1, 1, 2])):
            family.append(
                {
                    "child_id": cid,
                    "kind": "sibling",
                    "name": f"{rng.choice(FIRST_NAMES)} {family_last}",
                    "relationship_to_child": "",
                    "parental_responsibility": False,
                    "lives_with_child": True,
                    "phone": "",
                    "email": "",
                    "address": "",
                    "carer_needs": "",
                    "needs_carers_assessment": False,
                    "notes": "",
                    "date_of_birth": min(today, dob + dt.timedelta(days=rng.randint(-2000, 2000)))
                    if rng.random() < 0.5
                    else None,
                }
            )
        for role, org in rng.sample(PROFESSIONALS, rng.choice([1, 2, 2, 3])):
            profs.append(
                {
                    "child_id": cid,
                    "name": f"{rng.choice(['Dr ', ''])}{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    "role": role,
                    "organisation": org,
                    "phone": f"01632 960{rng.randint(0, 999):03d}",
                    "email": "",
                }
            )
        referrals.append(
            {
                "child_id": cid,
                "received_on": referral_on,
                "source": rng.choice(["parent", "school", "health", "send", "social_care"]),
                "reason": "Family asking for short breaks; child's needs have increased.",
                "requested_support": rng.choice(
                    [
                        "Overnight short breaks",
                        "Saturday activities",
                        "Holiday play scheme",
                        "A direct payment to employ a personal assistant",
                    ]
                ),
                "recorded_by_id": author.id if author else None,
            }
        )
        allocations.append(
            {
                "child_id": cid,
                "team_id": team["team"].id,
                "worker_id": worker.id if worker else None,
                "allocated_by_id": team["managers"][0].id if team["managers"] else None,
                "allocated_at": dt.datetime.combine(referral_on, dt.time(10, 0)),
            }
        )
        if tier is not None:
            decisions.append(
                {
                    "id": decision_id,
                    "child_id": cid,
                    "tier": tier,
                    "requested_tier": "specialist" if tier == "pending_assessment" else tier,
                    "rationale": "Needs considered against the published criteria with the family.",
                    "decided_on": decided_on,
                    "review_date": review,
                    "decided_by_id": author.id if author else None,
                    "is_current": True,
                }
            )
            for c in rng.sample(
                crit.get("specialist" if tier == "pending_assessment" else tier, []) or [None], k=1
            ):
                if c is not None:
                    decision_links.append(
                        {"decision_id": decision_id, "criterion_id": c.id, "text": c.text}
                    )
            decision_id += 1
            if tier == "targeted" and rng.random() < 0.7:
                start = decided_on + dt.timedelta(days=rng.randint(7, 40))
                activity = rng.choice(ACTIVITIES)
                service = _pick_service(framework, locality, age_on(dob, min(start, today)), cid)
                regs.append(
                    {
                        "child_id": cid,
                        "activity": service[1] if service else activity,
                        "provider_service_id": service[0] if service else None,
                        "from_date": min(start, today),
                        "to_date": start + dt.timedelta(days=365) if rng.random() < 0.6 else None,
                        "recorded_by_id": author.id if author else None,
                    }
                )
        for _ in range(rng.randint(1, 5)):
            kind = rng.choice(list(NOTE_SUMMARIES))
            notes.append(
                {
                    "child_id": cid,
                    "occurred_on": referral_on
                    + dt.timedelta(days=rng.randint(0, (today - referral_on).days)),
                    "note_type": kind,
                    "summary": rng.choice(NOTE_SUMMARIES[kind]),
                    "people": rng.choice(["", "Child and parent", "Parent", "School SENCo"]),
                    "body": rng.choice(NOTE_BODIES),
                    "significant": rng.random() < 0.08,
                    "author_id": author.id if author else None,
                }
            )
        if closed:
            closures.append(
                {
                    "child_id": cid,
                    "action": "closed",
                    "on_date": children[-1]["closed_on"],
                    "reason": rng.choice(
                        [
                            "Family moved out of the county",
                            "Young person turned 25",
                            "Needs now met by universal services",
                        ]
                    ),
                    "by_id": author.id if author else None,
                }
            )

    for model, rows in (
        (Child, children),
        (ChildDisability, disabilities),
        (FamilyMember, family),
        (Professional, profs),
        (Referral, referrals),
        (Allocation, allocations),
        (EligibilityDecision, decisions),
        (EligibilityDecisionCriterion, decision_links),
        (TargetedRegistration, regs),
        (CaseNote, notes),
        (CaseClosure, closures),
    ):
        if rows:
            keys = set().union(*(r.keys() for r in rows))
            rows = [{k: r.get(k) for k in keys} for r in rows]
            db.session.execute(insert(model), rows)
    if db.session.get_bind().dialect.name == "postgresql":
        for table in ("child", "eligibility_decision"):
            db.session.execute(
                text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")  # noqa: S608
            )
    db.session.flush()


register_loader(10, "casework", load)
