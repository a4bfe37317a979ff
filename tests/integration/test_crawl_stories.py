"""Tagging and clustering inside the crawl, through a real fixture server and real databases:
a press release carried by two forums is one story, every item carries its cities and topics
with the words that matched, and the publisher shows topic pages."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine

from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.model import Source
from aggregator.publish import publish_site
from aggregator.store import Store
from aggregator.store.curation import Curation
from aggregator.tagging.topics import default_taxonomy

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
FETCH = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=10)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}
RELEASE = (
    "Das Stadtforum Leipzig hat eine Petition gegen den Abriss des ehemaligen Postamts in "
    "Gohlis gestartet. Das Gebäude von 1903 steht unter Denkmalschutz, der Eigentümer hat "
    "dennoch einen Abrissantrag gestellt. Unterschreiben Sie bis 31. März online."
)


def feed(link: str, title: str, text: str, date: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        "<link>https://f.example/</link><description>d</description>"
        f"<item><title>{title}</title><link>{link}</link><description>{text}</description>"
        f"<pubDate>{date}</pubDate></item></channel></rss>"
    ).encode()


def test_a_shared_press_release_is_one_story_and_items_carry_their_tags(
    engine: Engine, tmp_path: Path
) -> None:
    store = Store(engine)
    routes = {
        "/leipzig.xml": Response(
            200,
            feed(
                "https://www.stadtforum-leipzig.example/postamt-gohlis/",
                "Postamt Gohlis: Petition gegen den Abriss gestartet",
                RELEASE,
                "Mon, 20 Jan 2025 10:00:00 +0100",
            ),
            RSS,
        ),
        "/netz.xml": Response(
            200,
            feed(
                "https://www.netzwerk-stadtforen.example/2025/postamt/",
                "Leipzig: Petition gegen den Abriss des Postamts Gohlis gestartet",
                RELEASE,
                "Tue, 21 Jan 2025 09:00:00 +0100",
            ),
            RSS,
        ),
    }
    with FixtureServer(routes) as server:
        leipzig = Source(
            "leipzig", "Stadtforum Leipzig", "Leipzig", "https://www.stadtforum-leipzig.example/",
            server.url("/leipzig.xml"),
        )  # fmt: skip
        netz = Source(
            "netz", "NETZWERK Stadtforen", None, "https://www.netzwerk-stadtforen.example/",
            server.url("/netz.xml"),
        )  # fmt: skip
        asyncio.run(crawl([leipzig], store, FETCH, clock=lambda: NOW, parse_workers=0))
        asyncio.run(crawl([netz], store, FETCH, clock=lambda: NOW, parse_workers=0))
    [story] = store.stories()
    assert story.source_id == "leipzig" and story.also_at == ("NETZWERK Stadtforen",)
    assert story.cities == ("Leipzig",)
    assert {"beteiligung", "denkmalpflege"} <= set(story.topics)
    tags = {t.value: t for t, removed in Curation(engine).tags_of(story.id) if not removed}
    assert tags["Leipzig"].origin == "source"
    assert tags["denkmalpflege"].origin == "text" and "Abriss" in tags["denkmalpflege"].why
    # the network's item is about Leipzig by its text (Gohlis), though its source has no city
    netz_tags = {t.value: t for t, _r in Curation(engine).tags_of(
        "netz:https://www.netzwerk-stadtforen.example/2025/postamt/")}  # fmt: skip
    assert netz_tags["Leipzig"].origin == "text"

    taxonomy = default_taxonomy()
    out = tmp_path / "public"
    publish_site(
        store.stories(),
        [(leipzig, None), (netz, None)],
        out,
        base_url="https://nachrichten.example/",
        now=NOW,
        topics=[(t.key, t.label) for t in taxonomy.topics],
    )
    page = (out / "thema" / "denkmalpflege" / "index.html").read_text(encoding="utf-8")
    assert "Postamt Gohlis: Petition gegen den Abriss gestartet" in page
    assert page.count('<article class="story">') == 1
    front = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="thema/denkmalpflege/index.html"' in front
    assert (out / "thema" / "denkmalpflege" / "feed.xml").exists()
    assert (out / "thema" / "index.html").exists()
