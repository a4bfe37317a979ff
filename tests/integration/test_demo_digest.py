"""The demo's newsletter step: after a crawl of the sample network, a digest is drafted,
approved, published and mailed into the local SMTP sink, which writes it as a .eml file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aggregator.demo.mail import DEMO_EDITOR, DEMO_SUBSCRIBER, MailSink, demo_digest, read_mail
from aggregator.demo.network import DemoNetwork
from aggregator.runtime import crawl_once, open_store
from aggregator.settings import Settings
from aggregator.store.digests import Digests
from aggregator.weekly import week_label, week_of


def test_after_the_demo_digest_step_the_sink_holds_the_mail(tmp_path: Path) -> None:
    with DemoNetwork(slow_delay_s=0.05) as network, MailSink(tmp_path / "mail") as sink:
        config = network.write_sources(tmp_path / "sources.yaml")
        settings = Settings(
            config=config,
            database_url=f"sqlite:///{tmp_path / 'demo.db'}",
            output_dir=tmp_path / "public",
            allow_private_urls=True,
            host_spacing_s=0.05,
            smtp_host=sink.host,
            smtp_port=sink.port,
        )
        store = open_store(settings)
        assert crawl_once(settings, store).new > 0
        now = datetime.now(UTC)
        result = demo_digest(settings, store, now)

    week = week_of(now)
    digest = Digests(store.engine).get(week)
    assert digest is not None
    assert (digest.status, digest.approved_by) == ("approved", DEMO_EDITOR)
    headlines = [e.headline for e in digest.entries if e.included]
    assert result.entries == len(headlines) > 0
    assert (result.report.delivery.sent, result.report.delivery.failed) == (1, 0)

    assert sink.files == [tmp_path / "mail" / f"001-{DEMO_SUBSCRIBER}.eml"]
    mail = read_mail(sink.files[0])
    number, year = week_label(week)
    assert mail["To"] == DEMO_SUBSCRIBER
    assert mail["Subject"] == f"Stadtforen-Wochenschau KW {number}/{year}"
    text = mail.get_body(("plain",)).get_content()
    for headline in headlines:
        assert headline in text
    page = (tmp_path / "public" / "digest" / f"{week}.html").read_text(encoding="utf-8")
    assert "Beispielausgabe der Demo" in page
