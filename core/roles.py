"""The roles a user can hold. A user may hold several."""

from enum import StrEnum


class Role(StrEnum):
    PRACTITIONER = "practitioner"
    TEAM_MANAGER = "team_manager"
    FINANCE_OFFICER = "finance_officer"
    COMMISSIONER = "commissioner"
    ADMINISTRATOR = "administrator"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.PRACTITIONER: "Practitioner",
    Role.TEAM_MANAGER: "Team manager",
    Role.FINANCE_OFFICER: "Finance officer",
    Role.COMMISSIONER: "Commissioner",
    Role.ADMINISTRATOR: "Administrator",
}

ALL_ROLES = tuple(Role)


def parse_role(value: str) -> Role:
    """Accept 'team_manager', 'team-manager' or 'Team manager'; raise ValueError otherwise."""
    key = value.strip().lower().replace("-", "_").replace(" ", "_")
    try:
        return Role(key)
    except ValueError:
        known = ", ".join(r.value for r in Role)
        raise ValueError(f"Unknown role {value!r}. Roles are: {known}") from None
