"""Routes of the budgets package: parse, check access, call a service, render."""

from flask import Blueprint, render_template

from core.access import roles_required
from core.roles import Role

blueprint = Blueprint("budgets", __name__, url_prefix="/budgets", template_folder="templates")

ROLES = (
    Role.FINANCE_OFFICER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
)


@blueprint.get("/")
@roles_required(*ROLES)
def index():
    return render_template("budgets/index.html")
