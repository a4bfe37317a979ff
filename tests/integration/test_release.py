"""Approve → release: the site is published with the digest, then the newsletter goes out
through a real SMTP server (aiosmtpd on 127.0.0.1); a second release sends nothing twice."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aggregator.digest import draft_digest
from aggregator.digest_mail import render_digest_mail
from aggregator.mail.newsletter import Newsletter
from aggregator.mail.smtp import SmtpConfig, TransientMailError
from aggregator.model import Item, Source
from aggregator.release import digest_renderer, release_digest
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.digests import DigestError, Digests
from aggregator.store.subscribers import SendLog
from tests.mailserver import MailServer, free_port

WEEK = "2026-W48"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
RELEASED = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
BASE = "https://stadtforen.example.org/"
SECRET = "r" * 40
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
GOERLITZ = Source(
    "goerlitz", "Aktionskreis Görlitz", "Görlitz", "https://g.example/", "https://g.example/f"
)
SOURCES = [LEIPZIG, GOERLITZ]


def item(source: Source, key: str, title: str) -> Item:
    return Item(
        source_id=source.id,
        guid=key,
        url=f"https://{source.id}.example/{key}",
        canonical_url=f"https://{source.id}.example/{key}",
        title=title,
        content_html="",
        excerpt=f"Kurztext zu {title}",
        published=MONDAY,
        cities=(source.city,) if source.city else (),
    )


def settings_of(tmp_path: Path, engine: Engine, server_port: int) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        output_dir=tmp_path / "public",
        base_url=BASE,
        smtp_port=server_port,
        smtp_timeout_s=5,
        mail_secret=SECRET,
        mail_from="Netzwerk Stadtforen <wochenschau@stadtforen.example.org>",
    )


def subscribe(engine: Engine, email: str, *, confirm: bool) -> None:
    newsletter = Newsletter(engine, base_url=BASE, secret=SECRET)
    result = newsletter.subscribe(email, RELEASED - timedelta(days=1))
    assert result.confirm_url is not None
    if confirm:
        assert newsletter.confirm(result.confirm_url.rsplit("/", 1)[1], RELEASED)


@pytest.fixture
def store(engine: Engine) -> Store:
    s = Store(engine)
    s.sync_sources(SOURCES)
    s.upsert_items([item(LEIPZIG, "bahnhof", "Neuer Bahnhofsvorplatz in Leipzig")], now=MONDAY)
    s.upsert_items(
        [item(GOERLITZ, "kaufhaus", "Kaufhaus Görlitz öffnet wieder")],
        now=MONDAY + timedelta(days=1),
    )
    return s


@pytest.fixture
def server() -> Iterator[MailServer]:
    with MailServer() as running:
        yield running


def approve_without(store: Store, excluded_title: str) -> None:
    digests = Digests(store.engine)
    draft = draft_digest(digests, WEEK, RELEASED)
    entry = next(e for e in draft.entries if e.title == excluded_title)
    digests.set_included(entry.id, False, expected_version=draft.version, now=RELEASED)
    digests.approve(WEEK, "Anna", RELEASED)


def release(settings: Settings, store: Store) -> object:
    return release_digest(
        settings, store, WEEK, RELEASED, sources=SOURCES, retry_delays=(), sleep=lambda _s: None
    )


def test_release_publishes_the_digest_and_mails_confirmed_subscribers_once(
    tmp_path: Path, store: Store, server: MailServer
) -> None:
    settings = settings_of(tmp_path, store.engine, server.port)
    approve_without(store, "Neuer Bahnhofsvorplatz in Leipzig")
    subscribe(store.engine, "leserin@example.org", confirm=True)
    subscribe(store.engine, "unbestaetigt@example.org", confirm=False)

    report = release_digest(settings, store, WEEK, RELEASED, sources=SOURCES)

    assert (report.week, report.stories) == (WEEK, 2)
    d = report.delivery
    assert (d.sent, d.already_sent, d.failed, d.bounced) == (1, 0, 0, 0)
    page = (tmp_path / "public" / "digest" / f"{WEEK}.html").read_text(encoding="utf-8")
    assert "Kaufhaus Görlitz öffnet wieder" in page
    assert "Neuer Bahnhofsvorplatz in Leipzig" not in page  # excluded by the editor
    assert server.recipients() == ["leserin@example.org"]
    message = server.messages[0]
    assert message["Subject"] == "Stadtforen-Wochenschau KW 48/2026"
    text = message.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert "Kaufhaus Görlitz öffnet wieder" in body
    assert "Neuer Bahnhofsvorplatz" not in body
    assert f"{BASE}digest/{WEEK}.html" in body
    unsubscribe = str(message["List-Unsubscribe"]).strip("<>")
    assert unsubscribe.startswith(BASE + "newsletter/abmelden/")
    assert unsubscribe in body

    again = release_digest(settings, store, WEEK, RELEASED, sources=SOURCES)
    assert (again.delivery.sent, again.delivery.already_sent) == (0, 1)
    assert len(server.messages) == 1


def test_a_second_release_serves_only_those_confirmed_since(
    tmp_path: Path, store: Store, server: MailServer
) -> None:
    settings = settings_of(tmp_path, store.engine, server.port)
    approve_without(store, "Kaufhaus Görlitz öffnet wieder")
    subscribe(store.engine, "erste@example.org", confirm=True)
    release(settings, store)
    subscribe(store.engine, "zweite@example.org", confirm=True)
    report = release_digest(settings, store, WEEK, RELEASED, sources=SOURCES)
    assert (report.delivery.sent, report.delivery.already_sent) == (1, 1)
    assert server.recipients() == ["erste@example.org", "zweite@example.org"]


def test_release_of_a_draft_or_a_missing_week_is_refused_and_does_nothing(
    tmp_path: Path, store: Store, server: MailServer
) -> None:
    settings = settings_of(tmp_path, store.engine, server.port)
    draft_digest(Digests(store.engine), WEEK, RELEASED)
    subscribe(store.engine, "leserin@example.org", confirm=True)
    with pytest.raises(DigestError) as refused:
        release(settings, store)
    assert refused.value.reason == "not_approved"
    with pytest.raises(DigestError) as missing:
        release_digest(settings, store, "2026-W47", RELEASED, sources=SOURCES)
    assert missing.value.reason == "not_found"
    assert not (tmp_path / "public").exists()
    assert server.messages == []
    assert SendLog(store.engine).states(WEEK) == {}


def test_an_unreachable_smtp_server_leaves_the_site_published_and_the_mail_for_later(
    tmp_path: Path, store: Store
) -> None:
    settings = settings_of(tmp_path, store.engine, free_port())  # nobody listens there
    approve_without(store, "Kaufhaus Görlitz öffnet wieder")
    subscribe(store.engine, "leserin@example.org", confirm=True)
    with pytest.raises(TransientMailError):
        release(settings, store)
    assert (tmp_path / "public" / "digest" / f"{WEEK}.html").is_file()
    with MailServer() as server:
        smtp = SmtpConfig.from_settings(settings)
        later = SmtpConfig(**{**smtp.__dict__, "port": server.port})
        report = release_digest(settings, store, WEEK, RELEASED, sources=SOURCES, smtp=later)
        assert report.delivery.sent == 1
        assert server.recipients() == ["leserin@example.org"]


@pytest.mark.parametrize(
    "unsubscribe_url",
    [
        BASE + "newsletter/abmelden/17.abcDEF_-0123456789abcdefghijABCDEFGHIJ0123456",
        "https://x.example/?a=1&b=<2>",  # escaped in HTML: rendered on its own
    ],
)
def test_the_renderer_gives_each_copy_exactly_its_own_render(
    store: Store, unsubscribe_url: str
) -> None:
    approve_without(store, "Kaufhaus Görlitz öffnet wieder")
    digest = Digests(store.engine).get(WEEK)
    assert digest is not None
    settings = Settings(base_url=BASE)
    labels = {"verkehr": "Verkehr"}
    copy = digest_renderer(digest, settings, labels)(unsubscribe_url)
    direct = render_digest_mail(digest, BASE, unsubscribe_url, topic_labels=labels)
    assert copy == direct
