"""Story clusters and tag reasons.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02

`items.cluster_key` groups the items that tell one story: every story query shows one item per
key (the earliest). It starts as the item's canonical URL (the exact rule) and the crawl's
near-duplicate step sets it to the key of the cluster an item joins. `items.cluster_pinned`
marks a key an editor set by hand (merge / split): no later clustering changes it.

`item_tags.why` holds the words that made the tagger set a tag (JSON list), for the editor;
`item_tags.removed` marks an editor's removal: a tag the editor took away stays away, whatever
the tagger finds later.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Only ADD COLUMN, which SQLite does in place: a batch "move and copy" of `items` would drop
    # the old table, and with foreign keys on that deletes every row of item_tags (cascade).
    op.add_column("items", sa.Column("cluster_key", sa.String(), nullable=False, server_default=""))
    op.add_column(
        "items",
        sa.Column("cluster_pinned", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.execute("UPDATE items SET cluster_key = canonical_url")
    op.create_index("ix_items_cluster_key", "items", ["cluster_key"])
    with op.batch_alter_table("item_tags") as batch:
        batch.add_column(sa.Column("why", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("removed", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    op.drop_column("item_tags", "removed")
    op.drop_column("item_tags", "why")
    op.drop_index("ix_items_cluster_key", table_name="items")
    op.drop_column("items", "cluster_pinned")  # in place (SQLite 3.35+), no table copy
    op.drop_column("items", "cluster_key")
