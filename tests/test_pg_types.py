"""On PostgreSQL, whole numbers are sent as integer, never smallint: with a smallint parameter a
prepared statement's generic plan cannot use an index on an integer column (the caseload read
every open case to find one worker's)."""

import pytest
from sqlalchemy import text

from core.extensions import db


def test_whole_numbers_go_to_postgresql_as_integer_or_bigint(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL only")
        types = db.session.execute(
            text("SELECT pg_typeof(:small)::text, pg_typeof(:large)::text, pg_typeof(:b)::text"),
            {"small": 2, "large": 2**40, "b": True},
        ).one()
        assert tuple(types) == ("integer", "bigint", "boolean")
