"""The schema comes from the Alembic migrations: they must build exactly what the models say."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from core.extensions import db


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
def test_migrations_create_the_schema_the_models_describe(migrated_engine):
    with migrated_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": False, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"Models and migrations differ: {diff}"


def test_there_is_a_single_head(app):
    from alembic.script import ScriptDirectory
    from flask import current_app

    with app.app_context():
        config = current_app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"Several migration heads, add a merge revision: {heads}"
