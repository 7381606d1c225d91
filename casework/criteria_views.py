"""Administration: the eligibility criteria (they differ by council and change)."""

from __future__ import annotations

from flask import abort, render_template, url_for

from core.access import roles_required
from core.extensions import db
from core.roles import Role

from . import services
from .forms import CriterionForm
from .models import CRITERION_TIERS, EligibilityCriterion
from .web import blueprint, locked_form_page, saved_redirect


@blueprint.get("/criteria")
@roles_required(Role.ADMINISTRATOR)
def criteria():
    return render_template(
        "casework/criteria.html",
        criteria=services.criteria(active_only=False),
        tiers=CRITERION_TIERS,
    )


@blueprint.route("/criteria/new", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def criterion_new():
    return _criterion_form(None)


@blueprint.route("/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@roles_required(Role.ADMINISTRATOR)
def criterion_edit(criterion_id):
    criterion = db.session.get(EligibilityCriterion, criterion_id)
    if criterion is None:
        abort(404)
    return _criterion_form(criterion)


def _criterion_form(criterion):
    return locked_form_page(
        CriterionForm,
        lambda form, version: services.save_criterion(
            form.criterion_data(), criterion, expected_version=version
        ),
        lambda _saved: saved_redirect("Eligibility criterion saved.", url_for("casework.criteria")),
        record=criterion,
        title="Add an eligibility criterion" if criterion is None else "Change a criterion",
        back=url_for("casework.criteria"),
    )
