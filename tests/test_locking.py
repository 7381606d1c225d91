"""core.locking: the fingerprints an edit form opens with, and which fields changed since."""

from __future__ import annotations

import hashlib
from types import SimpleNamespace

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, SubmitField

from core import locking


class _Form(FlaskForm):
    name = StringField("Name")
    phone = StringField("Phone")
    version = HiddenField()
    loaded = HiddenField()
    submit = SubmitField("Save")


def _form(app, **data):
    with app.test_request_context():
        form = _Form(formdata=None, meta={"csrf": False})
        for key, value in data.items():
            form[key].data = value
        return form


def test_a_digest_is_a_short_hash_of_the_value_as_the_package_renders_it():
    assert locking.digest("Ava", repr) == hashlib.sha256(b"'Ava'").hexdigest()[:12]
    assert locking.digest("Ava", str) == hashlib.sha256(b"Ava").hexdigest()[:12]
    assert locking.digest("Ava", str) != locking.digest("Ava ", str)
    assert len(locking.digest(None, repr)) == 12


def test_fingerprints_of_a_record_and_of_a_form():
    record = SimpleNamespace(name="Steady Ltd", phone=None, version=3)
    prints = locking.fingerprints(locking.record_values(record, ["name", "phone"]), repr)
    assert prints == {
        "name": locking.digest("Steady Ltd", repr),
        "phone": locking.digest(None, repr),
    }


def test_a_form_fingerprints_only_the_fields_a_person_edits(app):
    form = _form(app, name="Ava", phone="01632 960000", version="2", loaded="x")
    assert [f.name for f in locking.form_fields(form)] == ["name", "phone"]
    assert locking.form_values(form) == {"name": "Ava", "phone": "01632 960000"}
    assert locking.form_values(form, skip=("HiddenField",)) == {
        "name": "Ava",
        "phone": "01632 960000",
        "submit": False,
    }


def test_the_hidden_field_round_trips_and_ignores_what_it_cannot_read():
    prints = {"name": "abc123abc123", "phone": "def456def456"}
    text = locking.encode(prints)
    assert text == "name=abc123abc123;phone=def456def456"
    assert locking.decode(text) == prints
    assert locking.decode(None) == {} == locking.decode("") == locking.decode("rubbish")
    assert locking.decode("name=;=abc;phone=def;;") == {"phone": "def"}
    assert locking.encode({}) == ""


def test_changed_since_lists_what_differs_and_what_was_not_loaded_in_order():
    now = {"name": "1", "phone": "2", "email": "3"}
    assert locking.changed_since(dict(now), now) == []
    assert locking.changed_since({"name": "1", "phone": "9", "email": "3"}, now) == ["phone"]
    assert locking.changed_since({"name": "1"}, now) == ["phone", "email"]
    assert locking.changed_since({}, now) == ["name", "phone", "email"]


def test_move_to_saved_sets_the_hidden_version_and_fingerprints(app):
    form = _form(app, version="1", loaded="name=old")
    record = SimpleNamespace(version=4)
    locking.move_to_saved(form, record, {"name": "abc", "phone": "def"})
    assert form.version.data == "4"
    assert locking.decode(form.loaded.data) == {"name": "abc", "phone": "def"}
