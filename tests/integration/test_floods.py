"""Floods (issue 10, point 3) on a real SQLite file and a real PostgreSQL database: a flooding
member costs only itself, and a member that leaves is purged from every page and feed."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from aggregator.config import load_sources
from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.model import Item, Source
from aggregator.publish import publish_site
from aggregator.store import Store
from aggregator.store.schema import ItemRow, ItemTagRow, SourceRow

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)  # 14:00 in Berlin
BASE = "https://nachrichten.netzwerk-stadtforen.de/"
SOURCES_YAML = """\
sources:
  - id: zeitz
    name: Flutforum Zeitz
    city: Zeitz
    homepage: https://zeitz.example/
    feed: https://zeitz.example/feed/
    enabled: {enabled}
  - id: leipzig
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://leipzig.example/
    feed: https://leipzig.example/feed/
  - id: halle
    name: Arbeitskreis Innenstadt
    city: Halle (Saale)
    homepage: https://halle.example/
    feed: https://halle.example/feed/
"""


def test_a_crawl_of_3000_undated_entries_stores_the_first_200_and_says_so(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    entries = "".join(
        f"<item><title>Flut {n}</title><link>https://zeitz.example/{n}</link></item>"
        for n in range(3_000)
    )
    body = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Flut</title>'
        f"<link>https://zeitz.example/</link><description>d</description>{entries}</channel></rss>"
    ).encode()
    store = Store(engine)
    with FixtureServer({"/feed.xml": Response(200, body)}) as server:
        source = Source(
            "zeitz", "Flutforum", "Zeitz", "https://zeitz.example/", server.url("/feed.xml")
        )
        settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=10)
        report = asyncio.run(crawl([source], store, settings, clock=lambda: NOW))
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.new) == ("ok", 200)
    assert outcome.warning == "3000 entries in the feed, took the newest 200"
    assert store.fetch_states()["zeitz"].item_count == 200
    assert {s.title for s in store.stories()} == {f"Flut {n}" for n in range(200)}


def item(source_id: str, key: str, title: str, published: datetime, *, dated: bool = True) -> Item:
    city = {"zeitz": "Zeitz", "leipzig": "Leipzig", "halle": "Halle (Saale)"}[source_id]
    url = (
        f"https://{source_id}.example/{key}/" if key != "gemeinsam" else "https://presse.example/1/"
    )
    return Item(
        source_id=source_id,
        guid=f"{source_id}-{key}",
        url=url,
        canonical_url=url,
        title=title,
        content_html=f"<p>{title}</p>",
        excerpt=title,
        published=published,
        cities=(city,),
        dated=dated,
    )


def flooded_store(engine: Engine, config: Path) -> Store:
    """300 undated items of Zeitz crawled now, 3 each of Leipzig and Halle today, and one story
    Zeitz reported first and Leipzig too."""
    store = Store(engine)
    store.sync_sources(load_sources(config))
    shared = item("zeitz", "gemeinsam", "Gemeinsame Meldung", NOW - timedelta(hours=4))
    store.upsert_items([shared], NOW - timedelta(hours=4))
    honest = [
        item(sid, f"m{n}", f"{sid.capitalize()} Meldung {n}", NOW - timedelta(hours=1 + n))
        for sid in ("leipzig", "halle")
        for n in range(3)
    ]
    honest.append(item("leipzig", "gemeinsam", "Gemeinsame Meldung", NOW - timedelta(hours=4)))
    flood = [item("zeitz", f"f{n}", f"Flutmeldung {n}", NOW, dated=False) for n in range(300)]
    store.upsert_items(honest, NOW - timedelta(hours=1))
    store.upsert_items(flood, NOW)
    return store


def published_text(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): p.read_text(encoding="utf-8")
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".html", ".xml", ".json")
    }


def flood_numbers(text: str) -> set[int]:
    return {int(n) for n in re.findall(r"Flutmeldung (\d+)", text)}


def test_a_flood_takes_its_fair_share_of_the_network_pages_and_feeds_only(
    engine: Engine, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES_YAML.format(enabled="true"), encoding="utf-8")
    store = flooded_store(engine, config)
    out = tmp_path / "public"
    states = store.fetch_states()
    publish_site(
        store.stories(with_content=False),
        [(s, states.get(s.id)) for s in load_sources(config)],
        out,
        base_url=BASE,
        now=NOW,
        load_content=store.contents,
    )
    files = published_text(out)
    honest = [f"{c} Meldung {n}" for c in ("Leipzig", "Halle") for n in range(3)]
    network = {name: files[name] for name in ("index.html", "feed.xml", "atom.xml", "feed.json")}
    for name, text in network.items():
        assert all(title in text for title in honest), name
        assert len(flood_numbers(text)) == 10, name  # the default share: 10 a forum a day
        # Zeitz reported the shared story first: it counts for Zeitz, whose share is full
        assert "Gemeinsame Meldung" not in text, name
    assert "seite/2.html" not in files  # 16 stories: one page
    assert len(json.loads(files["feed.json"])["items"]) == 10 + 6
    assert "Gemeinsame Meldung" in files["stadt/leipzig/index.html"]

    city = "".join(text for name, text in files.items() if name.startswith("stadt/zeitz/"))
    assert flood_numbers(city) == set(range(300))  # the city pages keep everything
    assert len(flood_numbers(files["stadt/zeitz/feed.json"])) == 50  # the newest feed_size


def aggregator(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aggregator.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_items_purge_removes_a_departed_member_from_every_page_and_feed(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES_YAML.format(enabled="true"), encoding="utf-8")
    store = flooded_store(engine, config)
    with engine.begin() as conn:
        conn.execute(SourceRow.__table__.update().values(etag='"v7"', last_modified="gestern"))
    out = tmp_path / "public"
    cli = ["--config", str(config), "--database-url", database_url, "--output-dir", str(out)]

    # still enabled in sources.yaml: refused, nothing changes
    refused = aggregator(*cli, "items", "purge", "--source", "zeitz")
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: source 'zeitz' is still enabled in {config}: remove it from sources.yaml or "
        "set enabled: false first; otherwise the next crawl fetches it again\n"
    )
    assert store.fetch_states()["zeitz"].item_count == 301

    config.write_text(SOURCES_YAML.format(enabled="false"), encoding="utf-8")
    dry = aggregator(*cli, "items", "purge", "--source", "zeitz", "--dry-run")
    assert dry.returncode == 0
    assert "would remove 301 items" in dry.stdout
    assert store.fetch_states()["zeitz"].item_count == 301

    unknown = aggregator(*cli, "items", "purge", "--source", "nirgendwo")
    assert unknown.returncode == 2
    assert unknown.stderr == ("error: no source 'nirgendwo' in the database: nothing to purge\n")

    purged = aggregator(*cli, "items", "purge", "--source", "zeitz")
    assert purged.returncode == 0, purged.stderr
    assert purged.stdout == (
        "removed 301 items of source 'zeitz'; the next publish removes them from every page and "
        "feed (a running `aggregator run` does it on its next tick; otherwise run "
        "`aggregator publish`)\n"
    )
    states = store.fetch_states()
    assert states["zeitz"].item_count == 0
    assert (states["zeitz"].etag, states["zeitz"].last_modified) == (None, None)  # fetched afresh
    assert states["leipzig"].etag == '"v7"' and states["leipzig"].item_count == 4
    assert states["halle"].item_count == 3
    with engine.connect() as conn:  # the tags went with the items (ON DELETE CASCADE)
        orphans = conn.execute(
            select(func.count())
            .select_from(ItemTagRow)
            .where(~ItemTagRow.item_id.in_(select(ItemRow.id)))
        ).scalar_one()
        tags = conn.execute(select(func.count()).select_from(ItemTagRow)).scalar_one()
    assert (orphans, tags) == (0, 7)

    published = aggregator(*cli, "publish")
    assert published.returncode == 0, published.stderr
    files = published_text(out)
    for name, text in files.items():
        assert not flood_numbers(text), name
    for name in ("index.html", "feed.xml", "atom.xml", "feed.json"):
        assert "Halle Meldung 2" in files[name]
        assert "Gemeinsame Meldung" in files[name]  # Leipzig carries it too: it stays
    shared = next(
        entry
        for entry in json.loads(files["feed.json"])["items"]
        if entry["title"] == "Gemeinsame Meldung"
    )
    assert shared["authors"][0]["name"] == "Stadtforum Leipzig"
