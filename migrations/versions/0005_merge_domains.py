"""Merge the domain packages' first migrations (casework, providers, reports) into one head.

Revision ID: 0005_merge_domains
Revises: 0002_casework, 0003_providers, 0004_reports
"""

revision = "0005_merge_domains"
down_revision = ("0002_casework", "0003_providers", "0004_reports")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
