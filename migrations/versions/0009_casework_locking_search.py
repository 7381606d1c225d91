"""casework: optimistic locking on carers, siblings, professionals and registrations; names as
search compares them; transfers between teams in the allocation history.

- ``family_member``, ``professional``, ``targeted_registration``: a ``version`` column (the
  mapper's version_id_col), 1 for existing rows.
- ``child``: ``search_first_name``, ``search_last_name``, ``search_preferred_name`` (lower case,
  no accents, punctuation or spaces: "O’Neill" -> "oneill"), filled for existing rows and
  indexed for prefix search; they replace the lower(first_name) / lower(last_name) indexes.
- ``case_allocation``: ``kind`` ('allocation' | 'transfer') and ``reason``.

Revision ID: 0009_casework_locking_search
Revises: 0007_audit_subject
"""

import unicodedata

import sqlalchemy as sa
from alembic import op

revision = "0009_casework_locking_search"
down_revision = "0007_audit_subject"
branch_labels = None
depends_on = None

_LOCKED = ("family_member", "professional", "targeted_registration")
_SEARCH = ("search_last_name", "search_first_name", "search_preferred_name")


def _search_key(text):
    # The same as casework.names.search_key when this was written (kept here so the
    # migration does not change if the application's code does).
    decomposed = unicodedata.normalize("NFKD", text or "").casefold()
    return "".join(ch for ch in decomposed if ch.isalnum())[:100]


def _fill_search_names():
    bind = op.get_bind()
    child = sa.table(
        "child",
        sa.column("id", sa.Integer),
        sa.column("first_name", sa.String),
        sa.column("last_name", sa.String),
        sa.column("preferred_name", sa.String),
        *(sa.column(name, sa.String) for name in _SEARCH),
    )
    rows = bind.execute(
        sa.select(child.c.id, child.c.first_name, child.c.last_name, child.c.preferred_name)
    ).all()
    update = (
        child.update()
        .where(child.c.id == sa.bindparam("b_id"))
        .values(
            search_first_name=sa.bindparam("b_first"),
            search_last_name=sa.bindparam("b_last"),
            search_preferred_name=sa.bindparam("b_preferred"),
        )
    )
    for start in range(0, len(rows), 1000):
        batch = [
            {
                "b_id": r.id,
                "b_first": _search_key(r.first_name),
                "b_last": _search_key(r.last_name),
                "b_preferred": _search_key(r.preferred_name),
            }
            for r in rows[start : start + 1000]
        ]
        bind.execute(update, batch)


def upgrade():
    pg = op.get_bind().dialect.name == "postgresql"
    for table in _LOCKED:
        op.add_column(table, sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
    op.add_column(
        "case_allocation",
        sa.Column("kind", sa.String(length=20), nullable=False, server_default="allocation"),
    )
    op.add_column(
        "case_allocation", sa.Column("reason", sa.Text(), nullable=False, server_default="")
    )
    for name in _SEARCH:
        op.add_column(
            "child", sa.Column(name, sa.String(length=100), nullable=False, server_default="")
        )
    _fill_search_names()
    ops = " text_pattern_ops" if pg else ""
    for name in _SEARCH:
        op.execute(f"CREATE INDEX ix_child_{name} ON child ({name}{ops})")
    op.execute("DROP INDEX ix_child_last_name_lower")
    op.execute("DROP INDEX ix_child_first_name_lower")


def downgrade():
    # Plain DROP COLUMN (SQLite 3.35+ and PostgreSQL), not a batch rebuild, which would lose the
    # child table's expression index on SQLite.
    pg = op.get_bind().dialect.name == "postgresql"
    ops = " text_pattern_ops" if pg else ""
    op.execute(f"CREATE INDEX ix_child_last_name_lower ON child (lower(last_name){ops})")
    op.execute(f"CREATE INDEX ix_child_first_name_lower ON child (lower(first_name){ops})")
    for name in _SEARCH:
        op.execute(f"DROP INDEX ix_child_{name}")
        op.execute(f"ALTER TABLE child DROP COLUMN {name}")
    op.execute("ALTER TABLE case_allocation DROP COLUMN reason")
    op.execute("ALTER TABLE case_allocation DROP COLUMN kind")
    for table in _LOCKED:
        op.execute(f"ALTER TABLE {table} DROP COLUMN version")
