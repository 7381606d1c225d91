"""The rules of casework that change records: plain functions, no HTTP. They flush, never
commit. This module is the public entry (views and other packages import it); the functions
live by subject:

- casework.children: a child's record, access to it, likely duplicates;
- casework.family: parents, carers, siblings and professionals;
- casework.referrals: referrals, allocation and transfer between teams;
- casework.eligibility: criteria and eligibility decisions;
- casework.registrations: targeted short-break registrations;
- casework.notes: case notes, closing and reopening;
- casework.due: what is due next on a case;
- casework.locking: two people editing the same record;
- casework.rules: validation and who may see a child (no database writes);
- casework.search and casework.timeline: finding children, and the chronology.
"""

from __future__ import annotations

from .children import (
    CHILD_FIELDS,
    audit_disclosure,
    check_ehc_plan_date,
    create_child,
    duplicate_fingerprint,
    duplicate_notices,
    find_duplicates,
    get_child_for,
    refuse_child,
    update_child,
)
from .due import refresh_next_due, register_due_source
from .eligibility import (
    POSITION_MAX,
    confirm_specialist,
    criteria,
    current_decision,
    decisions,
    has_authorised_assessment,
    record_decision,
    register_authorised_assessment_check,
    save_criterion,
)
from .family import (
    family_members,
    get_family_member,
    get_professional,
    professionals,
    save_family_member,
    save_professional,
)
from .locking import StaleEdit, stale_message
from .notes import add_note, close_case, reopen_case
from .referrals import (
    add_referral,
    allocatable_teams,
    allocate,
    allocation_history,
    allocations,
    referrals,
    team_workers,
    teams_with_a_manager,
    transfer,
    transfer_teams,
)
from .registrations import (
    BAD_SERVICE_MESSAGE,
    NO_SERVICE_MESSAGE,
    NOT_ON_FRAMEWORK,
    add_registration,
    check_registration_choice,
    get_registration,
    registration_rows,
    registration_service,
    registration_service_options,
    registration_warnings,
    registrations,
    save_registration,
    service_label,
)
from .rules import (
    ASSESSMENT_WORKING_DAYS,
    CLOSED_MESSAGE,
    EMAIL_MESSAGE,
    CaseworkError,
    add_working_days,
    case_number_for,
    check_date_of_birth,
    check_email,
    check_not_born_in_future,
    check_sibling_date_of_birth,
    child_visible_to,
    normalise_nhs_number,
    normalise_postcode,
    require_open,
)

__all__ = [
    "ASSESSMENT_WORKING_DAYS",
    "BAD_SERVICE_MESSAGE",
    "CHILD_FIELDS",
    "CLOSED_MESSAGE",
    "EMAIL_MESSAGE",
    "NOT_ON_FRAMEWORK",
    "NO_SERVICE_MESSAGE",
    "POSITION_MAX",
    "CaseworkError",
    "StaleEdit",
    "add_note",
    "add_referral",
    "add_registration",
    "add_working_days",
    "allocatable_teams",
    "allocate",
    "allocation_history",
    "allocations",
    "audit_disclosure",
    "case_number_for",
    "check_date_of_birth",
    "check_ehc_plan_date",
    "check_email",
    "check_not_born_in_future",
    "check_registration_choice",
    "check_sibling_date_of_birth",
    "child_visible_to",
    "close_case",
    "confirm_specialist",
    "create_child",
    "criteria",
    "current_decision",
    "decisions",
    "duplicate_fingerprint",
    "duplicate_notices",
    "family_members",
    "find_duplicates",
    "get_child_for",
    "get_family_member",
    "get_professional",
    "get_registration",
    "has_authorised_assessment",
    "normalise_nhs_number",
    "normalise_postcode",
    "professionals",
    "record_decision",
    "referrals",
    "refresh_next_due",
    "refuse_child",
    "register_authorised_assessment_check",
    "register_due_source",
    "registration_rows",
    "registration_service",
    "registration_service_options",
    "registration_warnings",
    "registrations",
    "reopen_case",
    "require_open",
    "save_criterion",
    "save_family_member",
    "save_professional",
    "save_registration",
    "service_label",
    "stale_message",
    "team_workers",
    "teams_with_a_manager",
    "transfer",
    "transfer_teams",
    "update_child",
]
