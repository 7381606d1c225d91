"""Routes of the assessments package: parse, check access, call a service, render."""

from flask import Blueprint, render_template

from core.access import roles_required
from core.roles import Role

blueprint = Blueprint(
    "assessments", __name__, url_prefix="/assessments", template_folder="templates"
)

ROLES = (
    Role.PRACTITIONER,
    Role.TEAM_MANAGER,
)


@blueprint.get("/")
@roles_required(*ROLES)
def index():
    return render_template("assessments/index.html")
