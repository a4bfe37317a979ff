"""Sign-up with double opt-in, confirmation, one-click unsubscribe, expiry of the unconfirmed.

    newsletter = Newsletter(engine, base_url="https://…/", secret=settings.mail_secret)
    result = newsletter.subscribe("Anna@Example.org", now)   # InvalidAddressError if it is none
    if result.confirm_url: send_confirmation(smtp, result.email, result.confirm_url, now)
    newsletter.confirm(token, now); newsletter.unsubscribe(token)

The answer to a sign-up never tells the form who subscribes: the web page says the same for a
new, pending or confirmed address; only `confirm_url` (whether to mail a link) differs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine

from aggregator.errors import ConfigError
from aggregator.mail.addresses import normalize_address
from aggregator.mail.tokens import (
    looks_like_confirm_token,
    new_confirm_token,
    subscriber_of,
    token_hash,
    unsubscribe_token,
)
from aggregator.settings import MIN_MAIL_SECRET, Settings
from aggregator.store.secrets import app_secret
from aggregator.store.subscribers import SignUp, Subscribers

CONFIRM_VALID = timedelta(days=7)  # a link holds this long; unconfirmed addresses go then
RESEND_AFTER = timedelta(minutes=10)  # a pending address gets at most one link per this time
CONFIRM_PATH = "newsletter/bestaetigen/"
UNSUBSCRIBE_PATH = "newsletter/abmelden/"


@dataclass(frozen=True, slots=True)
class SubscribeResult:
    email: str  # normalized
    outcome: SignUp
    confirm_url: str | None  # a link to mail now, or None (too soon again, already confirmed)


def mail_secret(settings: Settings, engine: Engine, now: datetime) -> str:
    """The key of the unsubscribe links: AGGREGATOR_MAIL_SECRET when the operator set one, else
    the one the database keeps for every process (made on first use)."""
    return settings.mail_secret or app_secret(engine, "mail", now)


def checked_secret(secret: str) -> str:
    if len(secret) < MIN_MAIL_SECRET:
        raise ConfigError(
            [
                f"AGGREGATOR_MAIL_SECRET: set it to at least {MIN_MAIL_SECRET} random characters "
                "to send mail (it keys the unsubscribe links)"
            ]
        )
    return secret


class Newsletter:
    def __init__(self, engine: Engine, *, base_url: str, secret: str) -> None:
        self.subscribers = Subscribers(engine)
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.secret = checked_secret(secret)

    def subscribe(self, raw_email: str, now: datetime) -> SubscribeResult:
        email = normalize_address(raw_email)
        token = new_confirm_token()
        outcome = self.subscribers.sign_up(email, token_hash(token), now, RESEND_AFTER)
        url = self.base_url + CONFIRM_PATH + token if outcome in ("new", "renewed") else None
        return SubscribeResult(email, outcome, url)

    def confirm(self, token: str, now: datetime) -> bool:
        """True if the token confirmed a pending address just now."""
        if not looks_like_confirm_token(token):
            return False
        return self.subscribers.confirm(token_hash(token), now, CONFIRM_VALID) is not None

    def unsubscribe(self, token: str) -> bool:
        """Delete the subscriber a genuine token names; False for a forged or used token."""
        subscriber_id = subscriber_of(self.secret, token)
        return subscriber_id is not None and self.subscribers.remove(subscriber_id)

    def token_is_genuine(self, token: str) -> bool:
        return subscriber_of(self.secret, token) is not None

    def unsubscribe_url(self, subscriber_id: int) -> str:
        return self.base_url + UNSUBSCRIBE_PATH + unsubscribe_token(self.secret, subscriber_id)

    def purge_unconfirmed(self, now: datetime) -> int:
        """Delete the addresses left unconfirmed for CONFIRM_VALID; how many."""
        return self.subscribers.purge_unconfirmed(now, CONFIRM_VALID)
