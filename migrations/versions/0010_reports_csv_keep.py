"""reports: the statement's CSV of figures, and runs marked "Published — keep".

- ``report_run.csv_path``, ``csv_sha256``: the CSV file of the statement's (suppressed) figures,
  stored beside the PDF and the web page with its SHA-256. Empty for earlier runs.
- ``report_run.kept_at``, ``kept_by_id``: set when a commissioner marks a run as the published
  statement; retention never removes such a run's files.

Revision ID: 0010_reports_csv_keep
Revises: 0009_casework_locking_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_reports_csv_keep"
down_revision = "0009_casework_locking_search"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("csv_path", sa.String(length=300), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("csv_sha256", sa.String(length=64), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("kept_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("kept_by_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_run_kept_by_id_user_account"),
            "user_account",
            ["kept_by_id"],
            ["id"],
        )


def downgrade():
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_run_kept_by_id_user_account"), type_="foreignkey"
        )
        batch_op.drop_column("kept_by_id")
        batch_op.drop_column("kept_at")
        batch_op.drop_column("csv_sha256")
        batch_op.drop_column("csv_path")
