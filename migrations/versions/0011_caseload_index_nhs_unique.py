"""casework: an index for "my caseload" (every practitioner's home page), and one NHS number
to one child, enforced by the database as well as the application.

Revision ID: 0011_caseload_index_nhs_unique
Revises: 0010_reports_csv_keep
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_caseload_index_nhs_unique"
down_revision = "0010_reports_csv_keep"
branch_labels = None
depends_on = None


def upgrade():
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT nhs_number, COUNT(*) FROM child WHERE nhs_number IS NOT NULL "
                "GROUP BY nhs_number HAVING COUNT(*) > 1 ORDER BY nhs_number"
            )
        )
        .all()
    )
    if shared:
        numbers = ", ".join(row[0] for row in shared[:20])
        raise RuntimeError(
            f"{len(shared)} NHS numbers are recorded for more than one child ({numbers}). "
            "Correct those records, then run the upgrade again."
        )
    # Plain index statements, not a batch rebuild (which on SQLite would lose the child
    # table's expression indexes).
    op.drop_index("ix_child_nhs_number", table_name="child")
    op.create_index("ix_child_nhs_number", "child", ["nhs_number"], unique=True)
    op.create_index(
        "ix_child_worker_caseload", "child", ["allocated_worker_id", "status", "next_due_on"]
    )


def downgrade():
    op.drop_index("ix_child_worker_caseload", table_name="child")
    op.drop_index("ix_child_nhs_number", table_name="child")
    op.create_index("ix_child_nhs_number", "child", ["nhs_number"])
