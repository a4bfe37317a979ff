"""Initial schema: sources (with fetch state), items, item_tags, crawl_runs.

Revision ID: 0001
Revises:
Create Date: 2026-11-25

Self-contained on purpose: plain SQLAlchemy types, no imports from the application, so that the
migration keeps creating the same tables when the models change later. `DateTime(timezone=True)`
is ``timestamp with time zone`` on PostgreSQL and text in UTC on SQLite (see schema.UTCDateTime).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("homepage", sa.String(), nullable=False),
        sa.Column("feed_url", sa.String(), nullable=True),
        sa.Column("interval_minutes", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("in_config", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("etag", sa.String(), nullable=True),
        sa.Column("last_modified", sa.String(), nullable=True),
        _timestamp("last_fetched_at", nullable=True),
        _timestamp("last_success_at", nullable=True),
        _timestamp("next_fetch_at", nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_status", sa.String(), nullable=True),
        sa.Column("last_error", sa.String(), nullable=True),
        sa.Column("last_error_message", sa.Text(), nullable=True),
        sa.Column("moved_to", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("guid", sa.String(), nullable=False),
        sa.Column("url", sa.String(), nullable=False),
        sa.Column("canonical_url", sa.String(), nullable=False),
        sa.Column("title", sa.String(), nullable=False),
        sa.Column("content_html", sa.Text(), nullable=False),
        sa.Column("excerpt", sa.Text(), nullable=False),
        _timestamp("published_at", nullable=False),
        _timestamp("updated_at", nullable=True),
        _timestamp("first_seen_at", nullable=False),
        _timestamp("last_seen_at", nullable=False),
        sa.Column("author", sa.String(), nullable=True),
        sa.Column("content_hash", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], name="fk_items_source_id_sources"),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("source_id", "guid", name="uq_items_source_id_guid"),
    )
    op.create_index("ix_items_canonical_url", "items", ["canonical_url"])
    op.create_index("ix_items_published_at", "items", ["published_at"])
    op.create_table(
        "item_tags",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("origin", sa.String(), nullable=False),
        sa.CheckConstraint("kind IN ('city', 'topic')", name="ck_item_tags_kind"),
        sa.CheckConstraint("origin IN ('source', 'text', 'editor')", name="ck_item_tags_origin"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_tags_item_id_items", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("item_id", "kind", "value", name="pk_item_tags"),
    )
    op.create_index("ix_item_tags_value_kind", "item_tags", ["value", "kind"])
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        _timestamp("started_at", nullable=False),
        _timestamp("finished_at", nullable=False),
        sa.Column("sources_ok", sa.Integer(), nullable=False),
        sa.Column("sources_not_modified", sa.Integer(), nullable=False),
        sa.Column("sources_failed", sa.Integer(), nullable=False),
        sa.Column("items_new", sa.Integer(), nullable=False),
        sa.Column("items_updated", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_crawl_runs"),
    )


def downgrade() -> None:
    op.drop_table("crawl_runs")
    op.drop_index("ix_item_tags_value_kind", table_name="item_tags")
    op.drop_table("item_tags")
    op.drop_index("ix_items_published_at", table_name="items")
    op.drop_index("ix_items_canonical_url", table_name="items")
    op.drop_table("items")
    op.drop_table("sources")
