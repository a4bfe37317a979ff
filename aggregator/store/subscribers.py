"""Newsletter subscribers and the send log of the digest mails, kept in the database.

    Subscribers   sign-up (pending), confirmation, unsubscribe (the row is deleted), bounces,
                  the expiry of unconfirmed addresses
    SendLog       one row per (digest week, subscriber): sending → sent | failed

The rules (what an address is, the tokens, when a confirmation may be sent again) live in
`aggregator.mail`; this module stores what they decided. Only a SHA-256 of a confirmation token
is stored, never the token.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Engine, delete, func, insert, select, update

from aggregator.store.db import transaction
from aggregator.store.schema import MailSendRow, SubscriberRow

# What a sign-up did: a new (or bounced, now pending again) address, a pending one that gets a
# fresh link, a pending one whose last link is too recent, an address already confirmed.
SignUp = Literal["new", "renewed", "too_soon", "confirmed"]
SendStatus = Literal["sending", "sent", "failed"]


@dataclass(frozen=True, slots=True)
class Subscriber:
    id: int
    email: str
    status: str
    created_at: datetime
    confirm_sent_at: datetime | None
    confirmed_at: datetime | None


@dataclass(frozen=True, slots=True)
class SendState:
    status: str  # SendStatus
    message_id: str
    attempts: int
    error: str | None


class Subscribers:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def sign_up(
        self, email: str, confirm_hash: str, now: datetime, resend_after: timedelta
    ) -> SignUp:
        """Record a sign-up of the normalized `email`; `confirm_hash` becomes its pending token
        unless the answer is "too_soon" or "confirmed" (then nothing changes)."""
        with transaction(self.engine, write=True) as conn:
            row = conn.execute(
                select(SubscriberRow.id, SubscriberRow.status, SubscriberRow.confirm_sent_at)
                .where(SubscriberRow.email == email)
                .with_for_update()
            ).first()
            if row is None:
                conn.execute(
                    insert(SubscriberRow).values(
                        email=email,
                        status="pending",
                        confirm_hash=confirm_hash,
                        created_at=now,
                        confirm_sent_at=now,
                    )
                )
                return "new"
            subscriber_id, status, sent_at = row
            if status == "confirmed":
                return "confirmed"
            if status == "pending" and sent_at is not None and now - sent_at < resend_after:
                return "too_soon"
            conn.execute(
                update(SubscriberRow)
                .where(SubscriberRow.id == subscriber_id)
                .values(
                    status="pending",
                    confirm_hash=confirm_hash,
                    confirm_sent_at=now,
                    bounced_at=None,
                )
            )
            return "renewed" if status == "pending" else "new"

    def confirm(self, confirm_hash: str, now: datetime, max_age: timedelta) -> int | None:
        """Confirm the pending address of this token if its link is younger than `max_age`;
        the subscriber's id, or None (unknown, used or expired token)."""
        with transaction(self.engine, write=True) as conn:
            subscriber_id = conn.execute(
                select(SubscriberRow.id).where(
                    SubscriberRow.confirm_hash == confirm_hash,
                    SubscriberRow.status == "pending",
                    SubscriberRow.confirm_sent_at > now - max_age,
                )
            ).scalar_one_or_none()
            if subscriber_id is None:
                return None
            conn.execute(
                update(SubscriberRow)
                .where(SubscriberRow.id == subscriber_id)
                .values(status="confirmed", confirm_hash=None, confirmed_at=now)
            )
        return int(subscriber_id)

    def remove(self, subscriber_id: int) -> bool:
        """Unsubscribe: the address and its send log are deleted. False if it was not there."""
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(delete(SubscriberRow).where(SubscriberRow.id == subscriber_id))
        return bool(result.rowcount)

    def mark_bounced(self, subscriber_id: int, now: datetime) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(SubscriberRow)
                .where(SubscriberRow.id == subscriber_id)
                .values(status="bounced", bounced_at=now)
            )

    def purge_unconfirmed(self, now: datetime, max_age: timedelta) -> int:
        """Delete the pending addresses whose last link is `max_age` old; how many."""
        with transaction(self.engine, write=True) as conn:
            result = conn.execute(
                delete(SubscriberRow).where(
                    SubscriberRow.status == "pending",
                    SubscriberRow.confirm_sent_at <= now - max_age,
                )
            )
        return int(result.rowcount or 0)

    def confirmed(self) -> list[tuple[int, str]]:
        """(id, email) of every confirmed subscriber, oldest first."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(SubscriberRow.id, SubscriberRow.email)
                .where(SubscriberRow.status == "confirmed")
                .order_by(SubscriberRow.id)
            ).all()
        return [(int(i), str(e)) for i, e in rows]

    def find(self, email: str) -> Subscriber | None:
        with transaction(self.engine) as conn:
            row = conn.execute(
                select(
                    SubscriberRow.id,
                    SubscriberRow.email,
                    SubscriberRow.status,
                    SubscriberRow.created_at,
                    SubscriberRow.confirm_sent_at,
                    SubscriberRow.confirmed_at,
                ).where(SubscriberRow.email == email)
            ).first()
        return None if row is None else Subscriber(*row)

    def counts(self) -> dict[str, int]:
        """Subscribers by status."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(SubscriberRow.status, func.count()).group_by(SubscriberRow.status)
            ).all()
        return {str(status): int(n) for status, n in rows}


class SendLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def states(self, week: str) -> dict[int, SendState]:
        """The send log of one digest, by subscriber id."""
        with transaction(self.engine) as conn:
            rows = conn.execute(
                select(
                    MailSendRow.subscriber_id,
                    MailSendRow.status,
                    MailSendRow.message_id,
                    MailSendRow.attempts,
                    MailSendRow.error,
                ).where(MailSendRow.digest_week == week)
            ).all()
        return {int(r[0]): SendState(r[1], str(r[2]), int(r[3]), r[4]) for r in rows}

    def start(self, week: str, subscriber_id: int, message_id: str, now: datetime) -> str | None:
        """Mark one copy "sending" (before the SMTP DATA); the Message-ID to use: the row's own
        if the copy was tried before, so that a repeated copy carries the same Message-ID.
        None when the subscriber is no longer confirmed (unsubscribed or bounced meanwhile)."""
        with transaction(self.engine, write=True) as conn:
            status = conn.execute(
                select(SubscriberRow.status).where(SubscriberRow.id == subscriber_id)
            ).scalar_one_or_none()
            if status != "confirmed":
                return None
            existing = conn.execute(
                select(MailSendRow.message_id).where(
                    MailSendRow.digest_week == week, MailSendRow.subscriber_id == subscriber_id
                )
            ).scalar_one_or_none()
            if existing is None:
                conn.execute(
                    insert(MailSendRow).values(
                        digest_week=week,
                        subscriber_id=subscriber_id,
                        status="sending",
                        message_id=message_id,
                        attempts=1,
                        updated_at=now,
                    )
                )
                return message_id
            conn.execute(
                update(MailSendRow)
                .where(MailSendRow.digest_week == week, MailSendRow.subscriber_id == subscriber_id)
                .values(status="sending", attempts=MailSendRow.attempts + 1, updated_at=now)
            )
            return str(existing)

    def finish(
        self,
        week: str,
        subscriber_id: int,
        status: Literal["sent", "failed"],
        now: datetime,
        error: str | None = None,
    ) -> None:
        with transaction(self.engine, write=True) as conn:
            conn.execute(
                update(MailSendRow)
                .where(MailSendRow.digest_week == week, MailSendRow.subscriber_id == subscriber_id)
                .values(status=status, updated_at=now, error=error)
            )
