"""Routes for a child's parents, carers, siblings and professionals (see casework.web)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from core.access import roles_required

from . import locking, services
from .forms import CarerForm, ProfessionalForm, SiblingForm
from .web import ROLES, blueprint, closed_redirect, load_child, save_form


def _member_form(child, kind, member=None):
    form = (CarerForm if kind == "carer" else SiblingForm)()
    if request.method == "GET" and member is not None:
        locking.start_editing(form, member)
    problem = conflict = None
    if form.validate_on_submit():
        saved, problem, conflict = save_form(
            form,
            lambda version: services.save_family_member(
                child, form.member_data(), member, expected_version=version
            ),
            record=member,
            child=child,
        )
        if saved is not None:
            what = "Carer" if kind == "carer" else "Sibling"
            flash(f"{what} {saved.name} saved.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="family"))
    title = ("Add" if member is None else "Change") + (
        " a parent or carer" if kind == "carer" else " a sibling"
    )
    return render_template(
        "casework/form.html",
        form=form,
        child=child,
        title=title,
        problem=problem,
        conflict=conflict,
    )


@blueprint.route("/children/<int:child_id>/carers/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def carer_new(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    return _member_form(child, "carer")


@blueprint.route("/children/<int:child_id>/siblings/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def sibling_new(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    return _member_form(child, "sibling")


@blueprint.route("/children/<int:child_id>/family/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def family_edit(child_id, member_id):
    child = load_child(child_id)
    member = services.get_family_member(child, member_id)
    if child.is_closed:
        return closed_redirect(child)
    return _member_form(child, member.kind, member)


def _professional_form(child, prof=None):
    form = ProfessionalForm()
    if request.method == "GET" and prof is not None:
        locking.start_editing(form, prof)
    problem = conflict = None
    if form.validate_on_submit():
        saved, problem, conflict = save_form(
            form,
            lambda version: services.save_professional(
                child, form.professional_data(), prof, expected_version=version
            ),
            record=prof,
            child=child,
        )
        if saved is not None:
            flash(f"{saved.name} saved.", "success")
            return redirect(url_for("casework.child", child_id=child.id, _anchor="professionals"))
    title = "Add a professional" if prof is None else "Change a professional's details"
    return render_template(
        "casework/form.html",
        form=form,
        child=child,
        title=title,
        problem=problem,
        conflict=conflict,
    )


@blueprint.route("/children/<int:child_id>/professionals/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def professional_new(child_id):
    child = load_child(child_id)
    if child.is_closed:
        return closed_redirect(child)
    return _professional_form(child)


@blueprint.route(
    "/children/<int:child_id>/professionals/<int:prof_id>/edit", methods=["GET", "POST"]
)
@roles_required(*ROLES)
def professional_edit(child_id, prof_id):
    child = load_child(child_id)
    prof = services.get_professional(child, prof_id)
    if child.is_closed:
        return closed_redirect(child)
    return _professional_form(child, prof)
