"""Routes for the chronology, case notes, and closing and reopening a case (see casework.web)."""

from __future__ import annotations

import datetime as dt

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from core.access import roles_required
from core.parsing import whole_number

from . import services
from . import timeline as chronology
from .forms import CloseForm, NoteForm, ReopenForm
from .web import ROLES, blueprint, closed_redirect, load_child, save_form

PER_PAGE = 50


@blueprint.get("/children/<int:child_id>/timeline")
@roles_required(*ROLES)
def timeline(child_id):
    child = load_child(child_id)
    significant = request.args.get("significant") == "1"
    entries = chronology.timeline(child, significant_only=significant)
    pages = max(1, -(-len(entries) // PER_PAGE))
    page = min(whole_number(request.args.get("page"), 1) or 1, pages)
    shown = entries[(page - 1) * PER_PAGE : page * PER_PAGE]
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
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    form = NoteForm()
    if request.method == "GET":
        form.occurred_on.data = dt.date.today()  # most notes are written the same day
    problem = None
    if form.validate_on_submit():
        saved, problem, _ = save_form(
            form, lambda _v: services.add_note(child, current_user, form.data)
        )
        if saved is not None:
            flash("Case note added.", "success")
            return redirect(url_for("casework.timeline", child_id=child.id))
    return render_template(
        "casework/form.html", form=form, child=child, title="Add a case note", problem=problem
    )


@blueprint.route("/children/<int:child_id>/close", methods=["GET", "POST"])
@roles_required(*ROLES)
def close(child_id):
    child = load_child(child_id)
    if child.is_closed:
        flash("This case is already closed.", "error")
        return redirect(url_for("casework.child", child_id=child.id))
    form = CloseForm()
    problem = None
    if form.validate_on_submit():
        saved, problem, _ = save_form(
            form, lambda _v: services.close_case(child, current_user, form.reason.data) or True
        )
        if saved is not None:
            flash("Case closed. The record is now read-only.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/close.html", form=form, child=child, problem=problem, closing=True
    )


@blueprint.route("/children/<int:child_id>/reopen", methods=["GET", "POST"])
@roles_required(*ROLES)
def reopen(child_id):
    child = load_child(child_id)
    if not child.is_closed:
        flash("This case is already open.", "error")
        return redirect(url_for("casework.child", child_id=child.id))
    form = ReopenForm()
    problem = None
    if form.validate_on_submit():
        saved, problem, _ = save_form(
            form, lambda _v: services.reopen_case(child, current_user, form.reason.data) or True
        )
        if saved is not None:
            flash("Case reopened.", "success")
            return redirect(url_for("casework.child", child_id=child.id))
    return render_template(
        "casework/close.html", form=form, child=child, problem=problem, closing=False
    )
