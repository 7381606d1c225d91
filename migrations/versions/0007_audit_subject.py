"""Audit rows name whose record they concern (e.g. "child:1501"), so every view and change of
a child's record, its carers, notes and decisions included, is found with one search.

Revision ID: 0007_audit_subject
Revises: 0006_registration_service
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_audit_subject"
down_revision = "0006_registration_service"
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch rebuild: the append-only triggers refuse the copy a
    # rebuild would make, and existing rows keep an empty subject.
    op.add_column(
        "audit_event",
        sa.Column("subject", sa.String(length=64), nullable=False, server_default=""),
    )
    op.create_index("ix_audit_event_subject", "audit_event", ["subject", "occurred_at"])


def downgrade():
    op.drop_index("ix_audit_event_subject", table_name="audit_event")
    with op.batch_alter_table("audit_event") as batch_op:
        batch_op.drop_column("subject")
