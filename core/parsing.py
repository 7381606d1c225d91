"""Whole numbers from what a person or a URL sends: ids, page numbers, versions, ages.

`str.isdigit()` also accepts digits such as "²" that `int()` refuses, and an id longer than the
database's integer is an error on SQLite and PostgreSQL alike: both are turned away here.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column on PostgreSQL (and the ids of every table here).
MAX_ID = 2**31 - 1


def whole_number(raw, low: int = 0, high: int = MAX_ID) -> int | None:
    """`raw` as an int when it is ASCII digits (surrounding spaces allowed) from low to high,
    else None."""
    text = str(raw if raw is not None else "").strip()
    if not text or not text.isascii() or not text.isdigit() or len(text) > 12:
        return None
    value = int(text)
    return value if low <= value <= high else None


class RecordIdConverter(IntegerConverter):
    """`<int:...>` in every route: an id beyond the database's integers is a 404, not a 500."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
