"""How Python values are sent to PostgreSQL (psycopg 3), where its defaults cost us plans."""

from __future__ import annotations

from psycopg.types.numeric import IntBinaryDumper, IntDumper

_INT4 = range(-(2**31), 2**31)


class _IntegerFirst:
    """A Python int as integer when it fits (psycopg's own choice would be smallint for small
    values), else as psycopg chooses (bigint, numeric)."""

    def upgrade(self, obj: int, format):
        return self._int4_dumper if obj in _INT4 else super().upgrade(obj, format)


class IntegerDumper(_IntegerFirst, IntDumper):
    pass


class IntegerBinaryDumper(_IntegerFirst, IntBinaryDumper):
    pass


def register_integer_dumpers(connection) -> None:
    connection.adapters.register_dumper(int, IntegerDumper)
    connection.adapters.register_dumper(int, IntegerBinaryDumper)
