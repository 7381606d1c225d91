"""Casework: children and young people, families, eligibility decisions, case notes.

"Cases" (/casework/, the user's caseload) is the first navigation entry for practitioners and
team managers, so it can serve as their landing page.
"""

from core import audit
from core.navigation import register
from core.parsing import whole_number
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


def child_subject(term: str):
    """("child", id) for a case number ("C001501", "c1501") or a child's id typed into the
    audit log's search, so it finds every row about that child; else None."""
    text = (term or "").strip()
    if text[:1] in ("C", "c"):
        text = text[1:]
    number = whole_number(text, 1) if text.isdigit() else None
    return ("child", number) if number is not None else None


if child_subject not in audit.SUBJECT_LOOKUPS:
    audit.SUBJECT_LOOKUPS.append(child_subject)

__all__ = ["blueprint"]
