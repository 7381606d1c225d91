"""Routes for a child's parents, carers, siblings and professionals (see casework.web)."""

from __future__ import annotations

from flask import url_for

from core.access import roles_required

from . import services
from .forms import CarerForm, ProfessionalForm, SiblingForm
from .web import ROLES, blueprint, load_child, locked_form_page, saved_redirect


def _person_form(child, record, make_form, save, anchor: str, title: str, what: str):
    """A form for one of the child's people, new (``record`` None) or changed: saved with
    ``save(child, form.person_data(), record, expected_version=...)``, then back to the child's
    page at ``anchor``, saying "{what}{name} saved."."""
    return locked_form_page(
        make_form,
        lambda form, version: save(child, form.person_data(), record, expected_version=version),
        lambda saved: saved_redirect(
            f"{what}{saved.name} saved.",
            url_for("casework.child", child_id=child.id, _anchor=anchor),
        ),
        record=record,
        child=child,
        title=title,
    )


def _member_form(child, kind, member=None):
    form, what = (CarerForm, "Carer ") if kind == "carer" else (SiblingForm, "Sibling ")
    title = ("Add" if member is None else "Change") + (
        " a parent or carer" if kind == "carer" else " a sibling"
    )
    return _person_form(child, member, form, services.save_family_member, "family", title, what)


@blueprint.route("/children/<int:child_id>/carers/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def carer_new(child_id):
    return _member_form(load_child(child_id), "carer")


@blueprint.route("/children/<int:child_id>/siblings/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def sibling_new(child_id):
    return _member_form(load_child(child_id), "sibling")


@blueprint.route("/children/<int:child_id>/family/<int:member_id>/edit", methods=["GET", "POST"])
@roles_required(*ROLES)
def family_edit(child_id, member_id):
    child = load_child(child_id)
    member = services.get_family_member(child, member_id)
    return _member_form(child, member.kind, member)


def _professional_form(child, prof=None):
    title = "Add a professional" if prof is None else "Change a professional's details"
    save = services.save_professional
    return _person_form(child, prof, ProfessionalForm, save, "professionals", title, "")


@blueprint.route("/children/<int:child_id>/professionals/new", methods=["GET", "POST"])
@roles_required(*ROLES)
def professional_new(child_id):
    return _professional_form(load_child(child_id))


@blueprint.route(
    "/children/<int:child_id>/professionals/<int:prof_id>/edit", methods=["GET", "POST"]
)
@roles_required(*ROLES)
def professional_edit(child_id, prof_id):
    child = load_child(child_id)
    return _professional_form(child, services.get_professional(child, prof_id))
