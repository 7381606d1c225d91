"""Casework: children and young people, families, eligibility decisions, case notes.

"Cases" (/casework/, the user's caseload) is the first navigation entry for practitioners and
team managers, so it can serve as their landing page.
"""

from core.navigation import register
from core.roles import Role

from .views import blueprint

# The caseload is where practitioners and team managers land after signing in.
register(
    "Cases",
    "casework.index",
    [Role.PRACTITIONER, Role.TEAM_MANAGER],
    order=10,
    landing_for=[Role.PRACTITIONER, Role.TEAM_MANAGER],
)
# Administrators maintain the eligibility criteria (they differ by council and change).
register("Eligibility criteria", "casework.criteria", [Role.ADMINISTRATOR], order=85)

__all__ = ["blueprint"]
