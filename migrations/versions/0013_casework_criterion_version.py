"""casework: optimistic locking on eligibility criteria (two administrators editing one).

- ``eligibility_criterion``: a ``version`` column (the mapper's version_id_col), 1 for
  existing rows.

Revision ID: 0013_casework_criterion_version
Revises: 0012_team_locality_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_casework_criterion_version"
down_revision = "0012_team_locality_versions"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "eligibility_criterion",
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
    )


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), as 0009 does.
    op.execute("ALTER TABLE eligibility_criterion DROP COLUMN version")
