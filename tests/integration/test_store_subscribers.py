"""Subscribers and the send log on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from aggregator.mail.newsletter import CONFIRM_VALID, RESEND_AFTER
from aggregator.store.subscribers import SendLog, Subscribers

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_sign_up_outcomes(engine: Engine) -> None:
    subs = Subscribers(engine)
    assert subs.sign_up("anna@leipzig.example", "h1", NOW, RESEND_AFTER) == "new"
    assert (
        subs.sign_up("anna@leipzig.example", "h2", NOW + timedelta(minutes=9), RESEND_AFTER)
        == "too_soon"
    )
    assert subs.confirm("h2", NOW, CONFIRM_VALID) is None  # the too-soon hash was not stored
    later = NOW + timedelta(minutes=10)
    assert subs.sign_up("anna@leipzig.example", "h3", later, RESEND_AFTER) == "renewed"
    assert subs.confirm("h1", later, CONFIRM_VALID) is None  # the old link is replaced
    found = subs.find("anna@leipzig.example")
    assert found is not None
    assert subs.confirm("h3", later, CONFIRM_VALID) == found.id
    assert subs.sign_up("anna@leipzig.example", "h4", later, RESEND_AFTER) == "confirmed"
    assert subs.confirmed() == [(found.id, "anna@leipzig.example")]
    assert subs.counts() == {"confirmed": 1}


def test_links_expire_and_unconfirmed_addresses_are_purged(engine: Engine) -> None:
    subs = Subscribers(engine)
    subs.sign_up("alt@chemnitz.example", "alt", NOW, RESEND_AFTER)
    subs.sign_up("neu@chemnitz.example", "neu", NOW + timedelta(days=1), RESEND_AFTER)
    subs.sign_up("ja@chemnitz.example", "ja", NOW, RESEND_AFTER)
    assert subs.confirm("ja", NOW + timedelta(days=6), CONFIRM_VALID) is not None
    week = NOW + CONFIRM_VALID
    assert subs.confirm("alt", week, CONFIRM_VALID) is None  # exactly 7 days: expired
    assert subs.purge_unconfirmed(week, CONFIRM_VALID) == 1
    assert subs.find("alt@chemnitz.example") is None
    assert subs.find("neu@chemnitz.example") is not None
    assert subs.find("ja@chemnitz.example") is not None


def test_unsubscribe_deletes_the_address_and_its_send_log(engine: Engine) -> None:
    subs, sends = Subscribers(engine), SendLog(engine)
    subs.sign_up("weg@zittau.example", "t", NOW, RESEND_AFTER)
    subscriber_id = subs.confirm("t", NOW, CONFIRM_VALID)
    assert subscriber_id is not None
    assert sends.start("2026-W48", subscriber_id, "<a@x>", NOW) == "<a@x>"
    assert sends.start("2026-W48", subscriber_id, "<b@x>", NOW) == "<a@x>"  # kept
    sends.finish("2026-W48", subscriber_id, "sent", NOW)
    state = sends.states("2026-W48")[subscriber_id]
    assert (state.status, state.attempts, state.message_id) == ("sent", 2, "<a@x>")

    assert subs.remove(subscriber_id)
    assert not subs.remove(subscriber_id)
    assert subs.find("weg@zittau.example") is None
    assert sends.states("2026-W48") == {}
    assert sends.start("2026-W49", subscriber_id, "<c@x>", NOW) is None  # gone: no copy


def test_a_bounced_address_signing_up_again_starts_over(engine: Engine) -> None:
    subs = Subscribers(engine)
    subs.sign_up("voll@goerlitz.example", "t1", NOW, RESEND_AFTER)
    subscriber_id = subs.confirm("t1", NOW, CONFIRM_VALID)
    assert subscriber_id is not None
    subs.mark_bounced(subscriber_id, NOW)
    assert subs.confirmed() == []
    assert subs.sign_up("voll@goerlitz.example", "t2", NOW, RESEND_AFTER) == "new"
    found = subs.find("voll@goerlitz.example")
    assert found is not None and found.status == "pending" and found.id == subscriber_id
