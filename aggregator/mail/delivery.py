"""Sending: one digest to every confirmed subscriber, and the confirmation mail of a sign-up.

`deliver` is idempotent and resumable. The send log has a row per (digest week, subscriber):

    render the copy → row "sending" (Message-ID fixed) → SMTP MAIL/RCPT/DATA → row "sent"

A later call sends to everyone confirmed without a "sent" row: those never tried, those whose
retries ran out ("failed"), and those left "sending" by a crash. The one window where a crash
can double-send is between the server's 250 reply to DATA and the commit of "sent" (a single
small UPDATE): that copy is sent again on resume, with the same Message-ID, which mail clients
use to show it once. A crash anywhere before the 250 loses nothing and sends nothing twice.

Failures: a 4xx reply or a lost connection is retried after each delay of `retry_delays`
(reconnecting as needed); when they run out the row is "failed". If the connection itself keeps
failing, the delivery stops (raises TransientMailError) instead of failing everyone in turn. A
5xx reply for a recipient marks the address bounced (it receives nothing more). A MailError
that is neither (login refused, sender refused) stops the delivery: fix the settings, run again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import Engine

from aggregator.mail.messages import build_message, confirmation_mail, new_message_id
from aggregator.mail.newsletter import CONFIRM_VALID, Newsletter
from aggregator.mail.smtp import (
    PermanentMailError,
    SmtpConfig,
    SmtpConnection,
    TransientMailError,
)
from aggregator.model import DigestMail
from aggregator.store.subscribers import SendLog, Subscribers

log = logging.getLogger(__name__)

RETRY_DELAYS_S = (5.0, 30.0, 120.0)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    week: str
    sent: int  # copies sent by this call
    already_sent: int  # sent by an earlier call, skipped
    failed: int  # retries ran out (tried again by the next call)
    bounced: int  # permanent failure: the address is marked bounced
    retries: int  # transient failures retried


def deliver(
    engine: Engine,
    smtp: SmtpConfig,
    digest_week: str,
    render: Callable[[str], DigestMail],
    now: datetime,
    *,
    base_url: str,
    secret: str,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Send the digest of `digest_week` to every confirmed subscriber not yet served;
    `render(unsubscribe_url)` gives one subscriber's copy."""
    newsletter = Newsletter(engine, base_url=base_url, secret=secret)
    subscribers = Subscribers(engine)
    send_log = SendLog(engine)
    done = {sid for sid, state in send_log.states(digest_week).items() if state.status == "sent"}
    counts = {"sent": 0, "already_sent": 0, "failed": 0, "bounced": 0, "retries": 0}
    with SmtpConnection(smtp) as connection:
        for subscriber_id, email in subscribers.confirmed():
            if subscriber_id in done:
                counts["already_sent"] += 1
                continue
            unsubscribe_url = newsletter.unsubscribe_url(subscriber_id)
            mail = render(unsubscribe_url)
            message_id = send_log.start(
                digest_week, subscriber_id, new_message_id(smtp.sender), now
            )
            if message_id is None:
                continue  # unsubscribed or bounced since the list was read
            message = build_message(
                mail,
                sender=smtp.sender,
                recipient=email,
                message_id=message_id,
                date=now,
                unsubscribe_url=unsubscribe_url,
            )
            outcome, retries, error = _send_with_retries(
                connection, message, email, retry_delays, sleep
            )
            counts["retries"] += retries
            if outcome == "sent":
                send_log.finish(digest_week, subscriber_id, "sent", now)
            elif outcome == "bounced":
                send_log.finish(digest_week, subscriber_id, "failed", now, f"bounced: {error}")
                subscribers.mark_bounced(subscriber_id, now)
                log.warning(
                    "digest %s: subscriber %d bounced: %s", digest_week, subscriber_id, error
                )
            else:
                send_log.finish(digest_week, subscriber_id, "failed", now, str(error))
                if isinstance(error, TransientMailError) and error.connection:
                    raise error  # the server is unreachable: stop, resume later
                log.warning(
                    "digest %s: subscriber %d failed: %s", digest_week, subscriber_id, error
                )
            counts[outcome] += 1
    return DeliveryReport(week=digest_week, **counts)


def _send_with_retries(
    connection: SmtpConnection,
    message: EmailMessage,
    recipient: str,
    delays: Sequence[float],
    sleep: Callable[[float], None],
) -> tuple[str, int, Exception | None]:
    """("sent" | "bounced" | "failed", transient failures retried, the last error)."""
    retries = 0
    while True:
        try:
            connection.send(message, recipient)
            return "sent", retries, None
        except PermanentMailError as exc:
            return "bounced", retries, exc
        except TransientMailError as exc:
            if retries >= len(delays):
                return "failed", retries, exc
            sleep(delays[retries])
            retries += 1


def send_confirmation(smtp: SmtpConfig, email: str, confirm_url: str, now: datetime) -> None:
    """Mail the double opt-in link to a new address (raises MailError when that fails)."""
    mail = confirmation_mail(confirm_url, days_valid=CONFIRM_VALID.days)
    message = build_message(
        mail, sender=smtp.sender, recipient=email, message_id=new_message_id(smtp.sender), date=now
    )
    with SmtpConnection(smtp) as connection:
        connection.send(message, email)
