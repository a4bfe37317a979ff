"""Weekly digests.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

`digests`: one row per ISO week ("2026-W48"), a draft until an editor approves it; `version` is
bumped by every edit so that two editors do not silently overwrite each other. `digest_entries`:
the stories of a digest as they were when drafted (title, blurb, forums, cities, topics), their
order, and the editor's edits (exclusion, headline and blurb overrides, manual items).
Only new tables; self-contained like 0001 (plain SQLAlchemy types, no application imports).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _time(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("week", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("grouping", sa.String(), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _time("approved_at", nullable=True),
        sa.Column("approved_by", sa.String(), nullable=True),
        sa.CheckConstraint("status IN ('draft', 'approved')", name="ck_digests_status"),
        sa.CheckConstraint("grouping IN ('topic', 'city')", name="ck_digests_grouping"),
        sa.PrimaryKeyConstraint("id", name="pk_digests"),
        sa.UniqueConstraint("week", name="uq_digests_week"),
    )
    op.create_table(
        "digest_entries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cluster_key", sa.String(), nullable=True),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("blurb", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("cities", sa.Text(), nullable=False),
        sa.Column("topics", sa.Text(), nullable=False),
        _time("first_seen_at", nullable=True),
        sa.Column("included", sa.Boolean(), nullable=False),
        sa.Column("headline_override", sa.Text(), nullable=True),
        sa.Column("blurb_override", sa.Text(), nullable=True),
        sa.Column("manual", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["digests.id"],
            name="fk_digest_entries_digest_id_digests",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_digest_entries_item_id_items", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_digest_entries"),
        sa.UniqueConstraint(
            "digest_id", "cluster_key", name="uq_digest_entries_digest_id_cluster_key"
        ),
    )
    op.create_index("ix_digest_entries_digest_id", "digest_entries", ["digest_id"])


def downgrade() -> None:
    op.drop_index("ix_digest_entries_digest_id", table_name="digest_entries")
    op.drop_table("digest_entries")
    op.drop_table("digests")
