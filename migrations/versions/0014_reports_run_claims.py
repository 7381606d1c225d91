"""reports: who is making a run, how often it was sent again, and whether it is a draft.

- ``report_run.worker``: the worker process that claimed the run (host and process id), so a
  message delivered again while that process lives does not make the run twice, and one
  delivered after it died takes over at once.
- ``report_run.requeues``: how many times the sweep sent the run to a worker again (its
  worker died, or the broker lost its message); after a few it is failed for good.
- ``report_run.draft``: the statement was made while some section of its text was not approved
  (NULL for runs made before this was recorded). A draft cannot be marked "Published — keep".

Revision ID: 0014_reports_run_claims
Revises: 0013_casework_criterion_version
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_reports_run_claims"
down_revision = "0013_casework_criterion_version"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("worker", sa.String(length=200), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("requeues", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("draft", sa.Boolean(), nullable=True))


def downgrade():
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.drop_column("draft")
        batch_op.drop_column("requeues")
        batch_op.drop_column("worker")
