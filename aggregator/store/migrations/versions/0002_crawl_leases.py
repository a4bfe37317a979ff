"""Crawl leases: several crawler processes share one database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

`sources.lease_owner` names the crawler process that claimed the source for fetching and
`sources.lease_until` when that claim expires (a killed process leaves it to expire).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("lease_owner", sa.String(), nullable=True))
        batch.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("lease_until")
        batch.drop_column("lease_owner")
