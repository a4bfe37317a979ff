"""Held items: a partial index instead of an index on the flag.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02

0008 indexed `items.held` itself. Nearly every item has the same value, and SQLite, which has
no statistics, then chose that index for the "is there an earlier item of this cluster" test of
every story query instead of the index on `cluster_key`: each story scanned every item (4 s
for the newest 50 stories of 4,000 items, minutes for a publish). Only the few held items are
indexed now, by source (the editor's list of a source's held items), and the count of shown
items is the count of all items less the held ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_items_held", table_name="items")
    op.create_index(
        "ix_items_held_source",
        "items",
        ["source_id"],
        sqlite_where=sa.text("held = 1"),
        postgresql_where=sa.text("held"),
    )


def downgrade() -> None:
    op.drop_index("ix_items_held_source", table_name="items")
    op.create_index("ix_items_held", "items", ["held"])
