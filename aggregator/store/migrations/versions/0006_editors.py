"""Editor accounts and their sessions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

`editors` holds the accounts of the editor area (/redaktion/): a unique name, an argon2id hash,
and `disabled` (the account stays, every login is refused). `editor_sessions` holds one row per
signed-in browser: the SHA-256 of the session token (never the token), the session's CSRF
token, and its times (idle and absolute expiry are checked against them).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "editors",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("password_hash", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.PrimaryKeyConstraint("id", name="pk_editors"),
        sa.UniqueConstraint("name", name="uq_editors_name"),
    )
    op.create_table(
        "editor_sessions",
        sa.Column("token_hash", sa.String(), nullable=False),
        sa.Column("editor_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_editor_sessions"),
        sa.ForeignKeyConstraint(
            ["editor_id"],
            ["editors.id"],
            name="fk_editor_sessions_editor_id_editors",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_editor_sessions_editor_id", "editor_sessions", ["editor_id"])
    op.create_index("ix_editor_sessions_expires_at", "editor_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_editor_sessions_expires_at", table_name="editor_sessions")
    op.drop_index("ix_editor_sessions_editor_id", table_name="editor_sessions")
    op.drop_table("editor_sessions")
    op.drop_table("editors")
