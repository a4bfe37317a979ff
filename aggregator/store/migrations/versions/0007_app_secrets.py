"""Secrets the application makes for itself.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

`app_secrets` holds random keys the aggregator generates on first use, shared by every process
on this database (the key of the unsubscribe links, for one): an operator need not configure
them, and a second web process or crawler machine signs and checks with the same key.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_secrets",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_app_secrets"),
    )


def downgrade() -> None:
    op.drop_table("app_secrets")
