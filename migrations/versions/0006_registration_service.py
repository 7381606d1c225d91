"""Targeted registrations name the provider's service they are with: a foreign key from
targeted_registration.provider_service_id to provider_service.id (ON DELETE SET NULL: the
registration keeps its ``activity`` text, the service's name as it read when recorded), and an
index for the usage counts.

Revision ID: 0006_registration_service
Revises: 0005_merge_domains
"""

import warnings
from contextlib import contextmanager

from alembic import op

revision = "0006_registration_service"
down_revision = "0005_merge_domains"
branch_labels = None
depends_on = None


@contextmanager
def _quiet_reflection():
    """On SQLite, batch mode rebuilds the table and reflects the tables it refers to; the
    child table's expression indexes cannot be reflected there, which is harmless."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection")
        yield


def upgrade():
    # The column was reserved, not written; clear any id that names no service, so the
    # constraint can be added to any existing database.
    op.execute(
        "UPDATE targeted_registration SET provider_service_id = NULL "
        "WHERE provider_service_id IS NOT NULL "
        "AND provider_service_id NOT IN (SELECT id FROM provider_service)"
    )
    with _quiet_reflection(), op.batch_alter_table("targeted_registration") as batch_op:
        batch_op.create_index(
            batch_op.f("ix_targeted_registration_provider_service_id"),
            ["provider_service_id"],
            unique=False,
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_targeted_registration_provider_service_id_provider_service"),
            "provider_service",
            ["provider_service_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    with _quiet_reflection(), op.batch_alter_table("targeted_registration") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_targeted_registration_provider_service_id_provider_service"),
            type_="foreignkey",
        )
        batch_op.drop_index(batch_op.f("ix_targeted_registration_provider_service_id"))
