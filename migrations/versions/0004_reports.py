"""reports: report runs and the statement's narrative sections

Revision ID: 0004_reports
Revises: 0001_core
Create Date: 2026-11-23 20:10:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0004_reports"
down_revision = "0001_core"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "report_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_type", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("progress", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("active_key", sa.String(length=200), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("expired_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("data_date", sa.DateTime(), nullable=True),
        sa.Column("file_path", sa.String(length=300), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_size", sa.Integer(), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("html_path", sa.String(length=300), nullable=False),
        sa.Column("html_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["requested_by_id"],
            ["user_account.id"],
            name=op.f("fk_report_run_requested_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_run")),
        sa.UniqueConstraint("active_key", name=op.f("uq_report_run_active_key")),
    )
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_run_status_finished", ["status", "finished_at"], unique=False
        )
        batch_op.create_index(
            "ix_report_run_type_time", ["report_type", "requested_at"], unique=False
        )

    op.create_table(
        "statement_narrative",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("section", sa.String(length=40), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("written_by_id", sa.Integer(), nullable=True),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_statement_narrative_approved_by_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["written_by_id"],
            ["user_account.id"],
            name=op.f("fk_statement_narrative_written_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement_narrative")),
        sa.UniqueConstraint("year", "section", "number", name="uq_statement_narrative_version"),
    )


def downgrade():
    op.drop_table("statement_narrative")
    with op.batch_alter_table("report_run", schema=None) as batch_op:
        batch_op.drop_index("ix_report_run_type_time")
        batch_op.drop_index("ix_report_run_status_finished")
    op.drop_table("report_run")
