"""Assessments and support plans."""

from core.navigation import register
from core.roles import Role

from .views import blueprint

register("Assessments", "assessments.index", [Role.PRACTITIONER, Role.TEAM_MANAGER], order=20)

__all__ = ["blueprint"]
