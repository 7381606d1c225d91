"""The short breaks providers framework and directory, and its Open Referral UK API."""

from core.navigation import register
from core.roles import Role

from .openreferral import openreferral_blueprint
from .views import blueprint

register(
    "Providers",
    "providers.index",
    [
        Role.PRACTITIONER,
        Role.TEAM_MANAGER,
        Role.FINANCE_OFFICER,
        Role.COMMISSIONER,
        Role.ADMINISTRATOR,
    ],
    order=40,
)

# Registered by core after `blueprint` (see core._register_blueprints).
extra_blueprints = [openreferral_blueprint]

__all__ = ["blueprint", "extra_blueprints", "openreferral_blueprint"]
