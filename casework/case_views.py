"""Routes for referrals, allocation and transfer, eligibility decisions and targeted
registrations (see casework.web)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.access import roles_required
from core.extensions import db
from core.forms import choices
from core.models import Team, User
from core.parsing import whole_number
from core.roles import Role
from core.templating import govuk_date

from . import services
from .decision_forms import CRITERIA_FIELDS
from .forms import (
    AllocationForm,
    DecisionForm,
    ReferralForm,
    RegistrationForm,
    TransferForm,
    grouped_choices,
)
from .models import DECISION_TIERS
from .web import ROLES, blueprint, closed_redirect, load_child, locked_form_page, save_form

# --- Referral, allocation, transfer ----------------------------------------------------------


@blueprint.route("/children/<int:child_id>/referrals/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def referral_new(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    form = ReferralForm()
    problem = None
    if form.validate_on_submit():
        saved, problem, _ = save_form(
            form, lambda _v: services.add_referral(child, current_user, form.data)
        )
        if saved is not None:
            flash("Referral recorded.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="referrals"))
    return render_template(
        "casework/form.html", form=form, child=child, title="Record a referral", problem=problem
    )


@blueprint.route("/children/<int:child_id>/allocate", methods=["GET", "POST"])
@roles_required(Role.TEAM_MANAGER)
def allocate(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    form = AllocationForm()
    teams = services.allocatable_teams(current_user)
    form.team.choices = choices((t.id, t.name) for t in teams)
    workers = services.team_workers([t.id for t in teams])
    form.worker.choices = choices(
        [("", "Not allocated to a person"), *((str(u.id), u.name) for u in workers)]
    )
    if request.method == "GET":
        form.team.data = child.allocated_team_id
        form.worker.data = str(child.allocated_worker_id or "")
    problem = None
    if form.validate_on_submit():
        team = db.session.get(Team, form.team.data)
        worker_id = whole_number(form.worker.data, 1)
        worker = db.session.get(User, worker_id) if worker_id else None
        saved, problem, _ = save_form(
            form, lambda _v: services.allocate(child, current_user, team, worker) or True
        )
        if saved is not None:
            flash(f"Case allocated to {worker.name if worker else team.name}.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/allocate.html",
        form=form,
        child=child,
        title="Allocate the case",
        problem=problem,
        history=services.allocation_history(child),
    )


@blueprint.route("/children/<int:child_id>/transfer", methods=["GET", "POST"])
@roles_required(Role.TEAM_MANAGER)
def transfer(child_id):
    """Transfer the case to another team: it leaves this manager's team (and, unless they are
    in the receiving team, their sight)."""
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    form = TransferForm()
    teams = services.transfer_teams(child)
    managed = services.teams_with_a_manager([t.id for t in teams])
    form.team.choices = choices(
        [
            ("", "Select a team"),
            *(
                (str(t.id), t.name if t.id in managed else f"{t.name} (no team manager)")
                for t in teams
            ),
        ]
    )
    by_team = {t.id: services.team_workers([t.id]) for t in teams}
    form.worker.choices = grouped_choices(
        [("", "No one yet", None)]
        + [(str(u.id), u.name, t.name) for t in teams for u in by_team[t.id]]
    )
    problem = None
    if form.validate_on_submit():
        team = db.session.get(Team, int(form.team.data))
        worker_id = whole_number(form.worker.data, 1)
        worker = db.session.get(User, worker_id) if worker_id else None
        case_number = child.case_number
        saved, problem, _ = save_form(
            form,
            lambda _v: (
                services.transfer(child, current_user, team, worker, form.reason.data) or True
            ),
        )
        if saved is not None:
            to = f"{team.name} ({worker.name})" if worker else team.name
            flash(f"Case {case_number} transferred to {to}.", "success")
            if team.id not in managed:
                flash(
                    f"{team.name} has no team manager: ask an administrator to add one, so "
                    "someone oversees the team's cases.",
                    "warning",
                )
            if services.child_visible_to(current_user, child):
                return redirect(url_for("casework.child", child_id=child.id))
            return redirect(url_for("casework.index"))
    return render_template(
        "casework/transfer.html",
        form=form,
        child=child,
        title="Transfer the case to another team",
        problem=problem,
    )


# --- Eligibility ----------------------------------------------------------------------------


@blueprint.route("/children/<int:child_id>/eligibility/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def decision_new(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    form = DecisionForm()
    for tier, name in CRITERIA_FIELDS.items():
        form[name].choices = choices((c.id, c.text) for c in services.criteria(tier))
    if request.method == "GET":
        form.decided_on.data = dt.date.today()  # most decisions are recorded on the day
    problem = None
    if form.validate_on_submit():
        decision, problem, _ = save_form(
            form,
            lambda _v: services.record_decision(
                child,
                current_user,
                tier=form.tier.data,
                criterion_ids=form.criterion_ids(),
                rationale=form.rationale.data,
                decided_on=form.decided_on.data,
                review_date=form.review_date.data,
            ),
        )
        if decision is not None:
            if not decision.is_current:
                current = services.current_decision(child)
                flash(
                    f"Decision recorded in the history: {DECISION_TIERS[decision.tier]}. It is "
                    f"dated before the current decision ({DECISION_TIERS[current.tier]}, "
                    f"{govuk_date(current.decided_on)}), which stays current.",
                    "success",
                )
            elif decision.tier == "pending_assessment":
                flash(
                    "Decision recorded as specialist – pending assessment. It becomes a "
                    "specialist decision once a needs assessment is completed and authorised.",
                    "success",
                )
            else:
                flash(f"Decision recorded: {DECISION_TIERS[decision.tier]}.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="eligibility"))
    return render_template(
        "casework/decision_form.html",
        form=form,
        child=child,
        title="Record an eligibility decision",
        problem=problem,
        has_assessment=services.has_authorised_assessment(child),
    )


# --- Targeted registrations -------------------------------------------------------------------


@blueprint.route("/children/<int:child_id>/registrations/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def registration_new(child_id):
    return _registration_form(load_child(child_id), None)


@blueprint.route(
    "/children/<int:child_id>/registrations/<int:reg_id>/edit", methods=["GET", "POST"]
)
@roles_required(*ROLES)
def registration_edit(child_id, reg_id):
    child = load_child(child_id)
    return _registration_form(child, services.get_registration(child, reg_id))


def _registration_form(child, reg):
    def make_form():
        form = RegistrationForm()
        form.provider_service_id.choices = grouped_choices(
            services.registration_service_options(child, reg.provider_service_id if reg else None)
        )
        return form

    def done(saved):
        flash("Registration saved.", "success")
        for warning in services.registration_warnings(child, saved):
            flash(f"Check this registration: {warning}", "warning")
        return redirect(url_for("casework.child", child_id=child.id, _anchor="registrations"))

    return locked_form_page(
        make_form,
        lambda form, version: services.save_registration(
            child, current_user, form.registration_data(), reg, expected_version=version
        ),
        done,
        record=reg,
        child=child,
        title="Register for a targeted short break" if reg is None else "Change a registration",
    )
