"""Routes of the casework package: parse, check access, call a service, render.

Every route that takes a child id loads the child through ``services.get_child_for``, which
refuses (403, audited) anyone who may not see that child and records each view in the audit log.
"""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.access import roles_required
from core.extensions import db
from core.forms import choices
from core.models import Team, User
from core.pagination import paginate, pagination_params
from core.reference import AGE_BANDS, CIN_DISABILITY_CATEGORIES, age_on, localities, locality_labels
from core.roles import Role

from . import search as search_module
from . import services
from . import timeline as chronology
from .forms import (
    AllocationForm,
    CarerForm,
    ChildForm,
    CriterionForm,
    DecisionForm,
    NewChildForm,
    NoteForm,
    ProfessionalForm,
    ReasonForm,
    ReferralForm,
    RegistrationForm,
    SearchForm,
    SiblingForm,
    grouped_choices,
)
from .models import (
    CASE_STATUSES,
    CRITERION_TIERS,
    DECISION_TIERS,
    ETHNICITIES,
    GENDERS,
    REFERRAL_SOURCES,
    RELATIONSHIPS,
    EligibilityCriterion,
)

blueprint = Blueprint("casework", __name__, url_prefix="/casework", template_folder="templates")

ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)


@blueprint.app_context_processor
def _labels():
    return {
        "tier_labels": DECISION_TIERS,
        "cin_labels": CIN_DISABILITY_CATEGORIES,
    }


def _child(child_id: int):
    """The child, if the current user may see them (GETs are recorded as views)."""
    return services.get_child_for(current_user, child_id, audit_view=request.method == "GET")


def _closed_redirect(child):
    flash(services.CLOSED_MESSAGE, "error")
    return redirect(url_for("casework.child", child_id=child.id))


def _apply(form, exc: services.CaseworkError) -> str | None:
    """Undo anything the refused change flushed (nothing half-saved), then put the service's
    error on its field; return it if it belongs to no field."""
    db.session.rollback()
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
        return None
    return str(exc)


# --- Caseload (landing page) and search -----------------------------------------------------


@blueprint.get("/")
@roles_required(*ROLES)
def index():
    """My caseload: the practitioner's and team manager's home page."""
    is_manager = current_user.has_role(Role.TEAM_MANAGER)
    default = "team" if is_manager and current_user.team_ids else "mine"
    scope = request.args.get("scope", default)
    if scope not in ("mine", "team") or (scope == "team" and not current_user.team_ids):
        scope = default
    pager = paginate(search_module.caseload_statement(current_user, scope))

    return render_template(
        "casework/caseload.html",
        pager=pager,
        scope=scope,
        counts=search_module.caseload_counts(current_user, scope),
        today=dt.date.today(),
        locality_labels=locality_labels(),
        pagination=pagination_params(pager, "casework.index"),
    )


def _search_form():
    form = SearchForm(request.args)
    form.age_band.choices = choices(
        [("", "Any age"), *((code, label) for code, label, _a, _b in AGE_BANDS)]
    )
    form.locality.choices = choices(
        [("", "Any locality"), *((r.code, r.label) for r in localities(active_only=False))]
    )
    form.disability.choices = choices([("", "Any disability"), *CIN_DISABILITY_CATEGORIES.items()])
    form.tier.choices = choices([("", "Any"), *DECISION_TIERS.items(), ("none", "No decision yet")])
    workers = services.team_workers(current_user.team_ids)
    if current_user not in workers:
        workers = [current_user, *workers]
    form.worker.choices = choices(
        [
            ("", "Anyone"),
            ("none", "Not allocated to a person"),
            *((str(u.id), u.name) for u in workers),
        ]
    )
    form.status.choices = choices([("", "Open or closed"), *CASE_STATUSES.items()])
    return form


@blueprint.get("/search")
@roles_required(*ROLES)
def search():
    form = _search_form()
    form.validate()
    sort = request.args.get("sort", "name")
    direction = "desc" if request.args.get("dir") == "desc" else "asc"
    worker = request.args.get("worker", "")
    criteria = search_module.SearchCriteria(
        q=(form.q.data or "").strip()[:100],
        age_band=form.age_band.data if not form.age_band.errors else "",
        locality=form.locality.data if not form.locality.errors else "",
        disability=form.disability.data if not form.disability.errors else "",
        tier=form.tier.data if not form.tier.errors else "",
        worker_id=int(worker) if worker.isdigit() else None,
        unallocated=worker == "none",
        status=form.status.data if not form.status.errors else "",
        sort=sort if sort in search_module.SORTS else "name",
        direction=direction,
    )
    searched = any(k in request.args for k in ("q", "age_band", "locality", "tier", "status"))
    pager = paginate(search_module.search_statement(current_user, criteria))
    if searched:
        from core import audit

        audit.record("search", "child", "", detail=request.query_string.decode()[:500])
    args = {k: v for k, v in request.args.items() if k not in ("page", "sort", "dir")}

    def sort_link(key):
        new_dir = "desc" if criteria.sort == key and direction == "asc" else "asc"
        return url_for("casework.search", sort=key, dir=new_dir, **args)

    return render_template(
        "casework/search.html",
        form=None,
        search_form=form,
        pager=pager,
        criteria=criteria,
        sort_link=sort_link,
        locality_labels=locality_labels(),
        pagination=pagination_params(pager, "casework.search"),
    )


# --- A child's record -----------------------------------------------------------------------


def _locality_choices(current: str | None = None):
    rows = [(r.code, r.label) for r in localities()]
    if current and current not in {c for c, _ in rows}:
        rows.append((current, locality_labels().get(current, current)))
    return choices([("", "Select"), *rows])


@blueprint.route("/children/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def child_new():
    form = NewChildForm()
    form.locality.choices = _locality_choices()
    teams = services.allocatable_teams(current_user)
    form.team.choices = choices((t.id, t.name) for t in teams)
    if not teams:
        del form.team
    duplicates = []
    problem = None
    if form.validate_on_submit():
        data = form.child_data()
        duplicates = services.find_duplicates(
            data["first_name"], data["last_name"], data["date_of_birth"], data["nhs_number"]
        )
        if duplicates and form.confirm_not_duplicate.data != "yes":
            form.confirm_not_duplicate.data = "yes"
            return render_template(
                "casework/child_form.html",
                form=form,
                child=None,
                duplicates=duplicates,
                visible={d.id for d in duplicates if services.child_visible_to(current_user, d)},
                locality_labels=locality_labels(),
            )
        team = db.session.get(Team, form.team.data) if "team" in form else None
        worker = current_user if current_user.has_role(Role.PRACTITIONER) else None
        try:
            child = services.create_child(
                current_user, data, form.disabilities.data, team=team, worker=worker
            )
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash(f"{child.full_name} recorded with case number {child.case_number}.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/child_form.html", form=form, child=None, duplicates=[], problem=problem
    )


@blueprint.get("/children/<int:child_id>")
@roles_required(*ROLES)
def child(child_id):
    child = _child(child_id)
    return render_template(
        "casework/child.html",
        child=child,
        decision=services.current_decision(child),
        decisions=services.decisions(child),
        carers=services.family_members(child, "carer"),
        siblings=services.family_members(child, "sibling"),
        professionals=services.professionals(child),
        referrals=services.referrals(child),
        registrations=services.registration_rows(child),
        recent=chronology.timeline(child)[:5],
        age=age_on(child.date_of_birth, dt.date.today()),
        disability_text=", ".join(
            CIN_DISABILITY_CATEGORIES.get(c, c) for c in child.disability_codes
        ),
        locality_labels=locality_labels(),
        genders=GENDERS,
        ethnicities=ETHNICITIES,
        relationships=RELATIONSHIPS,
        sources=REFERRAL_SOURCES,
    )


@blueprint.route("/children/<int:child_id>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def child_edit(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    form = ChildForm()
    form.locality.choices = _locality_choices(child.locality)
    problem = None
    if request.method == "GET":
        form.fill_from(child)
    elif form.validate_on_submit():
        version = form.version.data
        try:
            services.update_child(
                child,
                form.child_data(),
                form.disabilities.data,
                int(version) if (version or "").isdigit() else None,
            )
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Details saved.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/child_form.html", form=form, child=child, duplicates=[], problem=problem
    )


# --- Family and professionals ---------------------------------------------------------------


def _member_form(child, kind, member=None):
    form_class = CarerForm if kind == "carer" else SiblingForm
    form = form_class()
    if request.method == "GET" and member is not None:
        form.fill_from(member)
    problem = None
    if form.validate_on_submit():
        try:
            services.save_family_member(child, form.member_data(), member)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            what = "Carer" if kind == "carer" else "Sibling"
            flash(f"{what} {form.name.data.strip()} saved.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="family"))
    title = ("Add" if member is None else "Change") + (
        " a parent or carer" if kind == "carer" else " a sibling"
    )
    return render_template(
        "casework/form.html", form=form, child=child, title=title, problem=problem
    )


@blueprint.route("/children/<int:child_id>/carers/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def carer_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _member_form(child, "carer")


@blueprint.route("/children/<int:child_id>/siblings/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def sibling_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _member_form(child, "sibling")


@blueprint.route("/children/<int:child_id>/family/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def family_edit(child_id, member_id):
    child = _child(child_id)
    member = services.get_family_member(child, member_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _member_form(child, member.kind, member)


def _professional_form(child, prof=None):
    form = ProfessionalForm(obj=prof if request.method == "GET" else None)
    problem = None
    if form.validate_on_submit():
        try:
            services.save_professional(child, form.data, prof)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash(f"{form.name.data.strip()} saved.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="professionals"))
    title = "Add a professional" if prof is None else "Change a professional's details"
    return render_template(
        "casework/form.html", form=form, child=child, title=title, problem=problem
    )


@blueprint.route("/children/<int:child_id>/professionals/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def professional_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _professional_form(child)


@blueprint.route(
    "/children/<int:child_id>/professionals/<int:prof_id>/edit", methods=["GET", "POST"]
)
@roles_required(*ROLES)
def professional_edit(child_id, prof_id):
    child = _child(child_id)
    prof = services.get_professional(child, prof_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _professional_form(child, prof)


# --- Referral, allocation -------------------------------------------------------------------


@blueprint.route("/children/<int:child_id>/referrals/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def referral_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    form = ReferralForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.add_referral(child, current_user, form.data)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Referral recorded.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="referrals"))
    return render_template(
        "casework/form.html", form=form, child=child, title="Record a referral", problem=problem
    )


@blueprint.route("/children/<int:child_id>/allocate", methods=["GET", "POST"])
@roles_required(Role.TEAM_MANAGER)
def allocate(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
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
        worker = db.session.get(User, int(form.worker.data)) if form.worker.data else None
        if team not in teams:
            form.team.errors = ["Select one of your teams"]
        else:
            try:
                services.allocate(child, current_user, team, worker)
            except services.CaseworkError as exc:
                problem = _apply(form, exc)
            else:
                to = worker.name if worker else team.name
                flash(f"Case allocated to {to}.", "success")
                return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/allocate.html",
        form=form,
        child=child,
        title="Allocate the case",
        problem=problem,
        allocations=services.allocations(child),
    )


# --- Eligibility ----------------------------------------------------------------------------


@blueprint.route("/children/<int:child_id>/eligibility/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def decision_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    form = DecisionForm()
    all_criteria = services.criteria()
    form.criteria.choices = choices(
        (c.id, f"{CRITERION_TIERS[c.tier]}: {c.text}") for c in all_criteria
    )
    problem = None
    if form.validate_on_submit():
        try:
            decision = services.record_decision(
                child,
                current_user,
                tier=form.tier.data,
                criterion_ids=form.criteria.data,
                rationale=form.rationale.data,
                decided_on=form.decided_on.data,
                review_date=form.review_date.data,
            )
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            if decision.tier == "pending_assessment":
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


@blueprint.route("/children/<int:child_id>/registrations/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def registration_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _registration_form(child, None)


@blueprint.route(
    "/children/<int:child_id>/registrations/<int:reg_id>/edit", methods=["GET", "POST"]
)
@roles_required(*ROLES)
def registration_edit(child_id, reg_id):
    child = _child(child_id)
    reg = services.get_registration(child, reg_id)
    if child.is_closed:
        return _closed_redirect(child)
    return _registration_form(child, reg)


def _registration_form(child, reg):
    form = RegistrationForm(obj=reg if request.method == "GET" else None)
    form.provider_service_id.choices = grouped_choices(
        services.registration_service_options(child, reg.provider_service_id if reg else None)
    )
    if request.method == "GET":
        # A framework service is the select's choice; free text goes with 'Not on the framework'.
        on_framework = reg is not None and reg.provider_service_id is not None
        form.provider_service_id.data = (
            str(reg.provider_service_id)
            if on_framework
            else (services.NOT_ON_FRAMEWORK if reg else "")
        )
        if on_framework:
            form.activity.data = ""
    problem = None
    if form.validate_on_submit():
        try:
            saved = services.save_registration(child, current_user, form.data, reg)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Registration saved.", "success")
            for warning in services.registration_warnings(child, saved):
                flash(f"Check this registration: {warning}", "warning")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="registrations"))
    title = "Register for a targeted short break" if reg is None else "Change a registration"
    return render_template(
        "casework/form.html", form=form, child=child, title=title, problem=problem
    )


# --- Chronology -----------------------------------------------------------------------------


@blueprint.get("/children/<int:child_id>/timeline")
@roles_required(*ROLES)
def timeline(child_id):
    child = _child(child_id)
    significant = request.args.get("significant") == "1"
    entries = chronology.timeline(child, significant_only=significant)
    per_page = 50
    page = request.args.get("page", "1")
    page = int(page) if page.isdigit() and int(page) > 0 else 1
    pages = max(1, -(-len(entries) // per_page))
    page = min(page, pages)
    shown = entries[(page - 1) * per_page : page * per_page]
    pagination = None
    if pages > 1:
        args = {"significant": "1"} if significant else {}
        pagination = {
            "items": [
                {
                    "number": n,
                    "href": url_for("casework.timeline", child_id=child.id, page=n, **args),
                    "current": n == page,
                }
                for n in range(1, pages + 1)
            ],
            "landmarkLabel": "Pages",
        }
    return render_template(
        "casework/timeline.html",
        child=child,
        entries=shown,
        significant=significant,
        pagination=pagination,
        total=len(entries),
    )


@blueprint.route("/children/<int:child_id>/notes/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def note_new(child_id):
    child = _child(child_id)
    if child.is_closed:
        return _closed_redirect(child)
    form = NoteForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.add_note(child, current_user, form.data)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Case note added.", "success")
            return redirect(url_for("casework.timeline", child_id=child.id))
    return render_template(
        "casework/form.html", form=form, child=child, title="Add a case note", problem=problem
    )


# --- Close and reopen -----------------------------------------------------------------------


@blueprint.route("/children/<int:child_id>/close", methods=["GET", "POST"])
@roles_required(*ROLES)
def close(child_id):
    child = _child(child_id)
    if child.is_closed:
        flash("This case is already closed.", "error")
        return redirect(url_for("casework.child", child_id=child.id))
    form = ReasonForm()
    form.reason.label.text = "Why is the case being closed?"
    form.submit.label.text = "Close the case"
    problem = None
    if form.validate_on_submit():
        try:
            services.close_case(child, current_user, form.reason.data)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Case closed. The record is now read-only.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/close.html", form=form, child=child, problem=problem, closing=True
    )


@blueprint.route("/children/<int:child_id>/reopen", methods=["GET", "POST"])
@roles_required(*ROLES)
def reopen(child_id):
    child = _child(child_id)
    if not child.is_closed:
        flash("This case is already open.", "error")
        return redirect(url_for("casework.child", child_id=child.id))
    form = ReasonForm()
    form.reason.label.text = "Why is the case being reopened?"
    form.submit.label.text = "Reopen the case"
    problem = None
    if form.validate_on_submit():
        try:
            services.reopen_case(child, current_user, form.reason.data)
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Case reopened.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/close.html", form=form, child=child, problem=problem, closing=False
    )


# --- Administration: eligibility criteria ---------------------------------------------------


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
        form.tier.data = criterion.tier
        form.text.data = criterion.text
        form.sort_order.data = criterion.sort_order
        form.active.data = "yes" if criterion.active else "no"
    problem = None
    if form.validate_on_submit():
        try:
            services.save_criterion(
                {
                    "tier": form.tier.data,
                    "text": form.text.data,
                    "sort_order": form.sort_order.data,
                    "active": form.active.data == "yes",
                },
                criterion,
            )
        except services.CaseworkError as exc:
            problem = _apply(form, exc)
        else:
            flash("Eligibility criterion saved.", "success")
            return redirect(url_for("casework.criteria"))
    title = "Add an eligibility criterion" if criterion is None else "Change a criterion"
    return render_template(
        "casework/form.html",
        form=form,
        child=None,
        title=title,
        problem=problem,
        back=url_for("casework.criteria"),
    )
