"""Newsletter: subscribers and the send log.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-09

`subscribers` holds an address (normalized), its status (pending until the emailed link is
confirmed, confirmed, bounced after a permanent SMTP failure), the SHA-256 of the pending
confirmation token and the times. `mail_sends` is one row per (digest week, subscriber): the
delivery writes "sending" before the SMTP DATA and "sent" after, so a restarted delivery sends
only to those not yet served.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
# The chain is 0004 (digest) <- 0005: "0003" only on the mail branch, until the digest's 0004
# is merged (then this becomes "0004").
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "subscribers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("confirm_hash", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("confirm_sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("bounced_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'bounced')", name=op.f("ck_subscribers_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscribers")),
        sa.UniqueConstraint("email", name=op.f("uq_subscribers_email")),
        sa.UniqueConstraint("confirm_hash", name=op.f("uq_subscribers_confirm_hash")),
    )
    op.create_table(
        "mail_sends",
        sa.Column("digest_week", sa.String(), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("message_id", sa.String(), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('sending', 'sent', 'failed')", name=op.f("ck_mail_sends_status")
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_mail_sends_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("digest_week", "subscriber_id", name=op.f("pk_mail_sends")),
    )
    op.create_index("ix_mail_sends_subscriber_id", "mail_sends", ["subscriber_id"])


def downgrade() -> None:
    op.drop_index("ix_mail_sends_subscriber_id", table_name="mail_sends")
    op.drop_table("mail_sends")
    op.drop_table("subscribers")
