"""Routes of the casework package: parse, check access, call a service, render.

Every route that takes a child id loads the child through ``services.get_child_for`` (via
``web.load_child``), which refuses (403, audited) anyone who may not see that child and
records each view in the audit log. This module has the caseload, search and the child's own
record; the other routes are in the modules imported at the bottom (see casework.web).
"""

from __future__ import annotations

import datetime as dt

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import audit
from core.access import roles_required
from core.extensions import db
from core.forms import choices
from core.models import Team
from core.pagination import (
    given_page,
    page_number,
    paginate,
    pagination_params,
    past_last_page,
)
from core.parsing import whole_number
from core.reference import (
    AGE_BANDS,
    CIN_DISABILITY_CATEGORIES,
    age_on,
    locality_labels,
    locality_options,
)
from core.roles import Role

from . import search as search_module
from . import services
from . import timeline as chronology
from .forms import ChildForm, NewChildForm, SearchForm
from .models import (
    CASE_STATUSES,
    DECISION_TIERS,
    ETHNICITIES,
    GENDERS,
    REFERRAL_SOURCES,
    RELATIONSHIPS,
)
from .web import (
    ROLES,
    blueprint,
    load_child,
    locked_form_page,
    save_form,
    saved_redirect,
)

# The query-string keys of a search: any of them makes it a search, and is audited.
SEARCH_KEYS = ("q", "age_band", "locality", "disability", "tier", "worker", "status")

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
    page, per_page = page_number(), current_app.config["PAGE_SIZE"]
    rows, counts = search_module.caseload_page(current_user, scope, page, per_page)
    pager = given_page(rows, counts["total"], page, per_page)
    beyond = past_last_page(pager, "casework.index")
    if beyond:
        return beyond
    cannot_sign_in = 0
    if scope == "team" and is_manager:
        cannot_sign_in = search_module.cases_held_by_people_who_cannot_sign_in(current_user)
    return render_template(
        "casework/caseload.html",
        pager=pager,
        scope=scope,
        counts=counts,
        cannot_sign_in=cannot_sign_in,
        today=dt.date.today(),
        pagination=pagination_params(pager, "casework.index"),
    )


def _search_form():
    form = SearchForm(request.args)
    form.age_band.choices = choices(
        [("", "Any age"), *((code, label) for code, label, _a, _b in AGE_BANDS)]
    )
    form.locality.choices = choices([("", "Any locality"), *locality_options(every=True)])
    form.disability.choices = choices([("", "Any disability"), *CIN_DISABILITY_CATEGORIES.items()])
    form.tier.choices = choices([("", "Any"), *DECISION_TIERS.items(), ("none", "No decision yet")])
    workers = services.team_workers(current_user.team_ids)
    if current_user not in workers:
        workers = [current_user, *workers]
    form.worker.choices = choices(
        [
            ("", "Anyone"),
            ("none", "Not allocated to a person"),
            ("inactive", "Someone who can no longer sign in"),
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
        worker_id=whole_number(worker, 1),
        unallocated=worker == "none",
        inactive_worker=worker == "inactive",
        status=form.status.data if not form.status.errors else "",
        sort=sort if sort in search_module.SORTS else "name",
        direction=direction,
    )
    pager = paginate(search_module.search_statement(current_user, criteria))
    beyond = past_last_page(pager, "casework.search")
    if beyond:
        return beyond
    if any(k in request.args for k in SEARCH_KEYS):
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
    rows = locality_options(keep=[current] if current else ())
    if current and current not in {c for c, _ in rows}:  # a code no longer in the list at all
        rows.append((current, current))
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
    problem = None
    if form.validate_on_submit():
        data = form.child_data()
        # "This is a different child" confirms only the name, date of birth and NHS number
        # that were warned about: any change to them is checked again.
        warned_about = services.duplicate_fingerprint(data)
        if form.confirm_not_duplicate.data != warned_about:
            duplicates = services.find_duplicates(
                data["first_name"], data["last_name"], data["date_of_birth"], data["nhs_number"]
            )
            if duplicates:
                form.confirm_not_duplicate.data = warned_about
                return render_template(
                    "casework/child_form.html",
                    form=form,
                    child=None,
                    duplicates=services.duplicate_notices(current_user, duplicates),
                    locality_labels=locality_labels(),
                )
        team = db.session.get(Team, form.team.data) if "team" in form else None
        worker = current_user if current_user.has_role(Role.PRACTITIONER) else None
        child, problem, _ = save_form(
            form,
            lambda _version: services.create_child(
                current_user, data, form.disabilities.data, team=team, worker=worker
            ),
        )
        if child is not None:
            flash(f"{child.full_name} recorded with case number {child.case_number}.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/child_form.html", form=form, child=None, duplicates=[], problem=problem
    )


@blueprint.get("/children/<int:child_id>")
@roles_required(*ROLES)
def child(child_id):
    child = load_child(child_id)
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
        today=dt.date.today(),
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
    child = load_child(child_id)

    def make_form():
        form = ChildForm()
        form.locality.choices = _locality_choices(child.locality)
        return form

    return locked_form_page(
        make_form,
        lambda form, version: services.update_child(
            child, form.child_data(), form.disabilities.data, version, by=current_user
        ),
        lambda _saved: saved_redirect(
            "Details saved.", url_for("casework.child", child_id=child.id)
        ),
        record=child,
        child=child,
        template="casework/child_form.html",
        duplicates=[],
    )


# The other routes (they register themselves on the blueprint).
from . import case_views, chronology_views, criteria_views, family_views  # noqa: E402, F401
