"""Two people editing the same record (optimistic locking), for every casework form that
changes a saved record: a child's details, a carer or sibling, a professional, a registration,
an eligibility criterion.

The model has a ``version`` column (the mapper's ``version_id_col``). Its form (``LockedForm``)
carries two hidden fields: ``version``, the version the person started from, and ``loaded``, a
fingerprint of each field's value as it was shown to them (a short hash per field: it reveals
nothing the form does not already show; see core.locking).

The service compares the version (``check_version``) and flushes (``flush``): either refusal
raises ``StaleEdit``. The view then calls ``reconcile(form, record)`` (after rolling back), which
compares three values of each field: as loaded, as saved now, and as typed:

- changed by the other person only: the form now shows their value (saving again keeps it);
- changed by both, differently: the person's typing is kept and the field gets an error
  naming the value now saved, so saving again over it is deliberate;
- nothing on the form changed (the version moved for another reason, say a referral changed
  what is due next): nothing to decide, so the view saves straight away.

Either way the hidden version and fingerprint move to the record as saved now, so the next
save from the same page goes through unless someone saves yet again in between.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError
from wtforms import HiddenField

from core import locking as core_locking
from core.extensions import db
from core.parsing import whole_number

from .rules import CaseworkError
from .text import TextRulesForm

# What each locked record is called in the message (by table name).
_WHAT = {
    "child": "this child's record while you were editing it",
    "family_member": "this {kind}'s details while you were editing them",
    "professional": "this professional's details while you were editing them",
    "targeted_registration": "this registration while you were editing it",
    "eligibility_criterion": "this criterion while you were editing it",
}


def stale_message(record) -> str:
    what = _WHAT.get(record.__tablename__, "this record while you were editing it")
    kind = getattr(record, "kind", "")
    return f"Someone else changed {what.format(kind=kind)}."


class StaleEdit(CaseworkError):
    """Someone else saved the record after this person loaded it."""

    def __init__(self, record, message: str | None = None):
        super().__init__(message or stale_message(record))
        self.record = record


# --- The service side -------------------------------------------------------------------------


def check_version(record, expected_version: int | None) -> None:
    if expected_version is None or expected_version != record.version:
        raise StaleEdit(record)


def flush(record) -> None:
    """Flush, turning a version clash in the database (a save that raced this one between
    the check and the UPDATE) into StaleEdit."""
    message = stale_message(record)  # after a failed flush the record cannot be read
    try:
        db.session.flush()
    except StaleDataError:
        raise StaleEdit(record, message) from None


# --- The form side ----------------------------------------------------------------------------


class LockedForm(TextRulesForm):
    """A form that edits a saved record: subclasses define ``fill_from(record)``, which sets
    every visible field from the record. Its text refuses hidden characters, as every casework
    form's does (casework.text)."""

    version = HiddenField()
    loaded = HiddenField()

    def fill_from(self, record) -> None:  # pragma: no cover - every subclass has one
        raise NotImplementedError


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set):
        return ",".join(sorted(str(v) for v in value))
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip().replace("\r\n", "\n")


def _fingerprints(form) -> dict[str, str]:
    return core_locking.fingerprints(core_locking.form_values(form), _plain)


def expected_version(form) -> int | None:
    return whole_number(form.version.data)


def start_editing(form: LockedForm, record) -> None:
    """Fill a form to edit `record` (a GET), with its version and fingerprint."""
    form.fill_from(record)
    core_locking.move_to_saved(form, record, _fingerprints(form))


@dataclass
class Change:
    label: str
    value: str  # the value saved now, as the person reads it


@dataclass
class Conflict:
    """What reconcile found: `clashes` (on fields, as errors) and `taken` (now in the form)."""

    record: object
    message: str
    clashes: list[Change] = field(default_factory=list)
    taken: list[Change] = field(default_factory=list)
    by: str = ""  # who saved last, if the audit log says

    @property
    def nothing_changed(self) -> bool:
        return not self.clashes and not self.taken


def _label(f) -> str:
    text = f.label.text if f.label else f.name
    return text.removesuffix(" (optional)").strip()


def shown_value(f, value) -> str:
    """A field's value as the person reads it: a choice's label, a date in words."""
    from core.templating import govuk_date

    if value in (None, "", [], ()):
        return "nothing"
    choices = getattr(f, "choices", None)
    if choices:
        labels = {str(c.value): c.label for c in choices}
        if isinstance(value, list | tuple | set):
            return ", ".join(labels.get(str(v), str(v)) for v in value)
        return labels.get(str(value), str(value))
    if isinstance(value, dt.date):
        return govuk_date(value)
    text = " ".join(str(value).split())
    return text if len(text) <= 120 else text[:117].rstrip() + "…"


def _last_saved_by(record) -> str:
    from core.models import AuditEvent, User

    row = db.session.execute(
        select(AuditEvent.user_id, AuditEvent.user_email)
        .where(
            AuditEvent.record_type == record.__tablename__,
            AuditEvent.record_id == str(record.id),
            AuditEvent.action.in_(("update", "create")),
        )
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(1)
    ).first()
    if row is None or row.user_id is None:
        return ""
    user = db.session.get(User, row.user_id)
    return user.name if user is not None else ""


def reconcile(form: LockedForm, record) -> Conflict:
    """After a StaleEdit (and the rollback): put the other person's changes on the form, keep
    the person's typing, and move the hidden version and fingerprint to the record as saved
    now. See the module's docstring."""
    db.session.refresh(record)
    current = type(form)(formdata=None, meta={"csrf": False})
    current.fill_from(record)
    loaded = core_locking.decode(form.loaded.data)
    now, typed = _fingerprints(current), _fingerprints(form)
    moved = set(core_locking.changed_since(loaded, now))
    conflict = Conflict(record, stale_message(record))
    for f in core_locking.form_fields(form):
        if f.name not in moved:
            continue  # the other person left it alone
        if typed[f.name] == now[f.name]:
            continue  # both made the same change, or (unknown start) nothing differs
        saved = current[f.name].data
        change = Change(_label(f), shown_value(f, saved))
        if loaded.get(f.name) == typed[f.name]:
            # Only the other person changed it: show their value, so saving keeps it.
            f.data = saved
            f.raw_data = None
            f.process_errors = []
            conflict.taken.append(change)
        else:
            f.errors = [
                *f.errors,
                f"{change.label} was changed to ‘{change.value}’ by someone else. Save again "
                "to replace it with what you entered",
            ]
            conflict.clashes.append(change)
    if conflict.clashes:
        form._errors = None  # recompute form.errors from the fields
    core_locking.move_to_saved(form, record, now)
    if not conflict.nothing_changed:
        conflict.by = _last_saved_by(record)
    return conflict
