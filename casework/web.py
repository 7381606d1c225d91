"""The casework blueprint and what its routes share: loading a child with the access check,
putting a service's refusal on a form, and saving a form that edits a locked record.

The routes are in casework.views (caseload, search, a child's record), casework.family_views,
casework.case_views (referral, allocation, transfer, eligibility, registrations),
casework.chronology_views (chronology, notes, closing) and casework.criteria_views (admin).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from core import audit
from core.extensions import db
from core.reference import CIN_DISABILITY_CATEGORIES
from core.roles import Role

from . import locking, services
from .form_fields import radios_with_reveals
from .models import DECISION_TIERS

blueprint = Blueprint("casework", __name__, url_prefix="/casework", template_folder="templates")

ROLES = (Role.PRACTITIONER, Role.TEAM_MANAGER)


@blueprint.app_context_processor
def _labels():
    return {
        "tier_labels": DECISION_TIERS,
        "cin_labels": CIN_DISABILITY_CATEGORIES,
        "radios_with_reveals": radios_with_reveals,
    }


def load_child(child_id: int):
    """The child, if the current user may see them (GETs are recorded as views)."""
    return services.get_child_for(current_user, child_id, audit_view=request.method == "GET")


def closed_redirect(child):
    flash(services.CLOSED_MESSAGE, "error")
    return redirect(url_for("casework.child", child_id=child.id))


def apply_error(form, exc: services.CaseworkError) -> str | None:
    """Undo anything the refused change flushed (nothing half-saved), audit what the refusal
    tells the person about another child, then put the service's error on its field; return
    it if it belongs to no field."""
    db.session.rollback()
    services.audit_disclosure(exc)
    field = getattr(form, exc.field, None) if exc.field else None
    if field is not None:
        field.errors = [*field.errors, str(exc)]
        return None
    return str(exc)


def save_form(form, save, *, record=None, child=None):
    """Run ``save(expected_version)`` for a form; returns (saved, problem, conflict).

    For a form editing a locked ``record`` (casework.locking), a refusal because someone else
    saved first is reconciled: the form keeps the person's typing, shows the other person's
    changes (``conflict``, for the page's notice) and moves to the current version, so saving
    again is deliberate. If nothing on the form had changed, it saves straight away."""
    expected = locking.expected_version(form) if record is not None else None
    try:
        return save(expected), None, None
    except locking.StaleEdit:
        db.session.rollback()
        conflict = locking.reconcile(form, record)
        if conflict.nothing_changed:
            try:
                return save(record.version), None, None
            except locking.StaleEdit:  # yet another save in between
                db.session.rollback()
                conflict = locking.reconcile(form, record)
            except services.CaseworkError as exc:
                return None, apply_error(form, exc), None
        if child is not None:  # the page shows what is saved now: a view, kept on rollback
            audit.keep_after_rollback(
                "view",
                "child",
                child.id,
                detail="Current values shown after a refused save",
                subject=("child", child.id),
            )
        return None, None, conflict
    except services.CaseworkError as exc:
        return None, apply_error(form, exc), None


def locked_form_page(
    make_form, save, done, *, record, child=None, template="casework/form.html", **page
):
    """The page of a form (``make_form()``) that adds a record (``record`` None) or changes a
    locked one (casework.locking), on a child's case unless ``child`` is None. A closed case
    sends the person back to it. On a GET the form starts from the saved record; a valid post
    is saved with ``save(form, expected_version)`` through ``save_form``, and ``done(saved)``
    gives the response. Otherwise ``template`` shows the form, with ``page``, any problem and
    any conflict."""
    if child is not None and child.is_closed:
        return closed_redirect(child)
    form = make_form()
    if request.method == "GET" and record is not None:
        locking.start_editing(form, record)
    problem = conflict = None
    if form.validate_on_submit():
        saved, problem, conflict = save_form(
            form, lambda version: save(form, version), record=record, child=child
        )
        if saved is not None:
            return done(saved)
    return render_template(
        template, form=form, child=child, problem=problem, conflict=conflict, **page
    )


def saved_redirect(message: str, url: str):
    """Say that the form was saved, and go to ``url``."""
    flash(message, "success")
    return redirect(url)
