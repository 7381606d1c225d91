"""core: teams and localities carry a version, so two administrators editing one at once
cannot overwrite each other unknowingly.

Revision ID: 0012_team_locality_versions
Revises: 0011_caseload_index_nhs_unique
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_team_locality_versions"
down_revision = "0011_caseload_index_nhs_unique"
branch_labels = None
depends_on = None


def upgrade():
    for table in ("team", "reference_value"):
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))


def downgrade():
    for table in ("team", "reference_value"):
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_column("version")
