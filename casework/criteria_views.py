"""Administration: the eligibility criteria (they differ by council and change)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from core.access import roles_required
from core.extensions import db
from core.roles import Role

from . import locking, services
from .forms import CriterionForm
from .models import CRITERION_TIERS, EligibilityCriterion
from .web import blueprint, save_form


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
    form = CriterionForm()
    if request.method == "GET" and criterion is not None:
        locking.start_editing(form, criterion)
    problem = conflict = None
    if form.validate_on_submit():
        saved, problem, conflict = save_form(
            form,
            lambda version: services.save_criterion(
                form.criterion_data(), criterion, expected_version=version
            ),
            record=criterion,
        )
        if saved is not None:
            flash("Eligibility criterion saved.", "success")
            return redirect(url_for("casework.criteria"))
    title = "Add an eligibility criterion" if criterion is None else "Change a criterion"
    return render_template(
        "casework/form.html",
        form=form,
        child=None,
        title=title,
        problem=problem,
        conflict=conflict,
        back=url_for("casework.criteria"),
    )
