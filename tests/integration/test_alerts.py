"""The 24-hour failure mail and the recovery mail: a real crawl of a real loopback server that
fails and recovers, a real SMTP server, a clock the test moves, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime

import pytest
from sqlalchemy import Engine

from aggregator.alerts import AlertReport, send_health_alerts
from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.smtp import SmtpConfig
from aggregator.mail.tokens import source_status_path
from aggregator.model import Source
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.registry import Registry
from tests.mailserver import MailServer, free_port

START = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # 09:00 in Leipzig
CONTACT = "vorstand@stadtforum-goerlitz.example"
EDITOR = "redaktion@stadtforen.example"
FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Forum</title>'
    "<link>https://goerlitz.example/</link><description>d</description>"
    "<item><guid>1</guid><title>Neues vom Untermarkt</title><link>https://goerlitz.example/1"
    f"</link><pubDate>{format_datetime(START - timedelta(days=1))}</pubDate></item>"
    "</channel></rss>"
).encode()


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Bench:
    engine: Engine
    server: FixtureServer
    mail: MailServer
    source: Source
    clock: Clock
    settings: Settings

    def crawl(self, *, ok: bool) -> None:
        self.server.routes["/feed"] = (
            Response(200, FEED, {"Content-Type": "application/rss+xml"})
            if ok
            else Response(503, b"Wartungsarbeiten", {"Content-Type": "text/plain"})
        )
        fetch = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)
        report = asyncio.run(
            crawl([self.source], Store(self.engine), fetch, clock=self.clock, force=True)
        )
        assert report.outcomes[0].status == ("ok" if ok else "failed")

    def at(self, hours: float) -> None:
        self.clock.now = START + timedelta(hours=hours)

    def alerts(self, smtp: SmtpConfig | None = None) -> AlertReport:
        return send_health_alerts(
            self.settings,
            self.engine,
            smtp or SmtpConfig.from_settings(self.settings),
            self.clock.now,
            sources=[self.source],
        )


@pytest.fixture
def bench(engine: Engine) -> Iterator[Bench]:
    with FixtureServer() as server, MailServer() as mail:
        source = Source(
            "goerlitz",
            "Görlitzer Forum für Stadtentwicklung",
            "Görlitz",
            "https://goerlitz.example/",
            server.url("/feed"),
            origin="registry",
        )
        Registry(engine).add(source, now=START, contact_email=CONTACT)
        settings = Settings(
            database_url=str(engine.url),
            base_url="https://stadtforen.example/",
            smtp_port=mail.port,
            mail_from="Netzwerk Stadtforen <technik@stadtforen.example>",
            editor_email=EDITOR,
            allow_private_urls=True,
        )
        yield Bench(engine, server, mail, source, Clock(), settings)


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_one_alert_after_24_hours_one_recovery_then_a_new_period(bench: Bench) -> None:
    bench.crawl(ok=True)
    bench.at(1)
    bench.crawl(ok=False)  # the period begins: 10:00 in Görlitz
    for hours in (2, 12, 24.9):
        bench.at(hours)
        bench.crawl(ok=False)
        assert bench.alerts() == AlertReport()
    assert bench.mail.messages == []

    bench.at(25)  # 24 hours since the first failure
    assert bench.alerts() == AlertReport(alerts=("goerlitz",))
    editor, forum = bench.mail.messages
    assert (editor["To"], forum["To"]) == (EDITOR, CONTACT)
    assert editor["Subject"] == "Quelle fällt aus: Görlitzer Forum für Stadtentwicklung"
    assert forum["Subject"] == (
        "Wir können Ihre Seite nicht mehr lesen: Görlitzer Forum für Stadtentwicklung"
    )
    secret = mail_secret(bench.settings, bench.engine, bench.clock.now)
    status_url = "https://stadtforen.example" + source_status_path(secret, "goerlitz")
    text = body(forum)
    assert "seit 30. November 2026, 10:00 Uhr können wir die Nachrichten" in " ".join(text.split())
    assert "Fehler: Serverfehler (HTTP 503)" in text
    assert "Was hilft: Ihr Server meldet einen Fehler. Meist hilft Ihr Hoster weiter." in text
    assert status_url in text
    assert "https://stadtforen.example/redaktion/zustand" in body(editor)
    assert status_url not in body(editor)

    for hours in (26, 30, 48):  # more failed crawls: no more mail
        bench.at(hours)
        bench.crawl(ok=False)
        assert bench.alerts() == AlertReport()
    assert len(bench.mail.messages) == 2

    bench.at(49)
    bench.crawl(ok=True)
    assert bench.alerts() == AlertReport(recoveries=("goerlitz",))
    assert bench.alerts() == AlertReport()
    editor_ok, forum_ok = bench.mail.messages[2:]
    assert (editor_ok["To"], forum_ok["To"]) == (EDITOR, CONTACT)
    assert (
        forum_ok["Subject"] == "Ihre Seite ist wieder lesbar: Görlitzer Forum für Stadtentwicklung"
    )
    assert "Seit 2. Dezember 2026, 10:00 Uhr können wir" in " ".join(body(forum_ok).split())

    bench.at(50)
    bench.crawl(ok=False)  # fails again: a new period, a new alert after another 24 hours
    bench.at(73.9)
    assert bench.alerts() == AlertReport()
    bench.at(74)
    assert bench.alerts() == AlertReport(alerts=("goerlitz",))
    assert [m["Subject"].split(":")[0] for m in bench.mail.messages] == [
        "Quelle fällt aus",
        "Wir können Ihre Seite nicht mehr lesen",
        "Quelle wieder lesbar",
        "Ihre Seite ist wieder lesbar",
        "Quelle fällt aus",
        "Wir können Ihre Seite nicht mehr lesen",
    ]


def test_an_alert_nobody_received_is_sent_at_the_next_call(bench: Bench) -> None:
    bench.crawl(ok=False)
    bench.at(24)
    nobody = SmtpConfig.from_settings(bench.settings)
    down = SmtpConfig(**{**nobody.__dict__, "port": free_port(), "timeout_s": 2})
    assert bench.alerts(down) == AlertReport(failed=("goerlitz",))
    assert bench.mail.messages == []
    bench.at(24.5)
    assert bench.alerts() == AlertReport(alerts=("goerlitz",))
    assert bench.mail.recipients() == [EDITOR, CONTACT]
    assert bench.alerts() == AlertReport()


def test_a_disabled_source_gets_no_alert(bench: Bench) -> None:
    bench.crawl(ok=False)
    bench.at(30)
    report = send_health_alerts(
        bench.settings,
        bench.engine,
        SmtpConfig.from_settings(bench.settings),
        bench.clock.now,
        sources=[replace(bench.source, enabled=False)],
    )
    assert report == AlertReport()
    assert bench.mail.messages == []
