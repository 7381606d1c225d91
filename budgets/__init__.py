"""Personal budgets, direct payment agreements, payments, audits and recoveries."""

from core.navigation import register
from core.roles import Role

from .views import blueprint

register(
    "Direct payments",
    "budgets.index",
    [Role.FINANCE_OFFICER, Role.TEAM_MANAGER, Role.PRACTITIONER],
    order=30,
)

__all__ = ["blueprint"]
