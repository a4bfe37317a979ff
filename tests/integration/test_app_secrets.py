"""Secrets the application makes for itself: created once, the same for every process."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine

from aggregator.mail.newsletter import mail_secret
from aggregator.settings import Settings
from aggregator.store.db import upgrade
from aggregator.store.secrets import app_secret

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_a_secret_is_made_once_and_then_always_the_same(engine: Engine) -> None:
    upgrade(engine)
    first = app_secret(engine, "mail", NOW)
    assert len(first) >= 40  # 32 random bytes, URL-safe base64
    assert app_secret(engine, "mail", NOW) == first
    other = app_secret(engine, "other", NOW)
    assert other != first


def test_the_operator_s_mail_secret_wins_over_the_stored_one(engine: Engine) -> None:
    upgrade(engine)
    stored = mail_secret(Settings(), engine, NOW)
    assert stored == app_secret(engine, "mail", NOW)
    configured = Settings(mail_secret="x" * 40)
    assert mail_secret(configured, engine, NOW) == "x" * 40
