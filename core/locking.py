"""What every package's optimistic locking shares: fingerprints of what an edit form opened with.

An edit form carries, beside the record's ``version``, a hidden ``loaded`` field: a short hash
of each field's value as it was when the form was opened (it reveals nothing the form does not
already show). After a refused save, comparing those with the values saved now says which
fields someone else changed. The fingerprints only describe; the version check is what refuses
a stale change, so a tampered fingerprint can mislead no one but its sender.

Plain functions with no package's knowledge: a package says how a value becomes text before it
is hashed (``render``), and how its fields and changes are shown to people.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping

# Field types that are not what a person edits, so carry no fingerprint.
NOT_EDITED = ("CSRFTokenField", "HiddenField", "SubmitField")


def digest(value, render: Callable[[object], str]) -> str:
    """A short hash of ``render(value)``."""
    return hashlib.sha256(render(value).encode()).hexdigest()[:12]


def fingerprints(values: Mapping[str, object], render: Callable[[object], str]) -> dict:
    """{name: digest} of each value."""
    return {name: digest(value, render) for name, value in values.items()}


def record_values(record, names: Iterable[str]) -> dict:
    """{name: value} of the record's attributes."""
    return {name: getattr(record, name) for name in names}


def form_fields(form, skip: Iterable[str] = NOT_EDITED) -> list:
    """The form's fields a person edits (not its hidden fields, CSRF token or buttons)."""
    return [f for f in form if f.type not in skip]


def form_values(form, skip: Iterable[str] = NOT_EDITED) -> dict:
    """{name: data} of the form's fields a person edits."""
    return {f.name: f.data for f in form_fields(form, skip)}


def encode(prints: Mapping[str, str]) -> str:
    """Fingerprints as the hidden field's text: 'name=digest;name=digest'."""
    return ";".join(f"{name}={value}" for name, value in prints.items())


def decode(text: str | None) -> dict:
    """The hidden field's text as {name: digest}; parts without a name or digest are left out
    (nothing, or anything unreadable, gives {})."""
    prints = {}
    for part in (text or "").split(";"):
        name, _, value = part.partition("=")
        if name and value:
            prints[name] = value
    return prints


def changed_since(loaded: Mapping[str, str], now: Mapping[str, str]) -> list:
    """The names (in ``now``'s order) whose fingerprint now differs from the one loaded; a name
    the loaded fingerprints do not mention counts as changed."""
    return [name for name, value in now.items() if loaded.get(name) != value]


def move_to_saved(form, record, prints: Mapping[str, str]) -> None:
    """Set the form's hidden ``version`` and ``loaded`` to the record as saved now."""
    form.version.data = str(record.version)
    form.loaded.data = encode(prints)
