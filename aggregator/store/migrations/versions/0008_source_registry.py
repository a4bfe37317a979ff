"""The database as the registry of sources; forums' registrations; health alerts; held items.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

`sources.origin` says where a source is declared: 'config' (sources.yaml, synced on every crawl
as before) or 'registry' (registered through the web form or `aggregator sources add`; its
sources.yaml-style entry is `sources.definition`, JSON). Every crawler process reads both.
`contact_email`, `description` and `registered_at` come with a registration. `failing_since` and
`alert_sent_at` keep the 24-hour failure alert to one mail (and one recovery mail).

`items.held` holds back items a source suddenly re-issued (a CMS relaunch) until the editor
releases them. `registrations` keeps the requests of forums to join or to change their URL.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_COLUMNS = (
    ("origin", sa.String(), False, "config"),
    ("definition", sa.Text(), True, None),
    ("contact_email", sa.String(), True, None),
    ("description", sa.Text(), True, None),
    ("registered_at", sa.DateTime(timezone=True), True, None),
    ("failing_since", sa.DateTime(timezone=True), True, None),
    ("alert_sent_at", sa.DateTime(timezone=True), True, None),
)


def upgrade() -> None:
    # Only ADD COLUMN, in place: a batch copy of `sources` or `items` would drop the old table
    # (and with foreign keys on, cascade into item_tags).
    for name, type_, nullable, default in SOURCE_COLUMNS:
        op.add_column("sources", sa.Column(name, type_, nullable=nullable, server_default=default))
    op.add_column(
        "items", sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    # every publish check counts the shown items (`Stories.latest_change`): an index, not a scan
    op.create_index("ix_items_held", "items", ["held"])
    op.create_table(
        "registrations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("state", sa.String(), nullable=False),
        sa.Column("source_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("city", sa.String(), nullable=True),
        sa.Column("homepage", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("contact_email", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("preview", sa.Text(), nullable=True),
        sa.Column("confirm_hash", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_by", sa.String(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("kind IN ('new', 'change')", name="ck_registrations_kind"),
        sa.CheckConstraint(
            "state IN ('unconfirmed', 'pending', 'approved', 'rejected')",
            name="ck_registrations_state",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_registrations"),
    )
    op.create_index("ix_registrations_state_created_at", "registrations", ["state", "created_at"])
    op.create_index("ix_registrations_confirm_hash", "registrations", ["confirm_hash"])


def downgrade() -> None:
    op.drop_index("ix_registrations_confirm_hash", table_name="registrations")
    op.drop_index("ix_registrations_state_created_at", table_name="registrations")
    op.drop_table("registrations")
    op.drop_index("ix_items_held", table_name="items")
    op.drop_column("items", "held")
    for name, *_ in reversed(SOURCE_COLUMNS):
        op.drop_column("sources", name)
