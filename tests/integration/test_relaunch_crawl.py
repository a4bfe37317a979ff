"""A CMS relaunch end to end: a real crawl of a fixture feed that suddenly re-issues its 40
old posts under new guids and links; they are held (not on the published front page, not in a
digest draft), and shown after the editor releases them on /redaktion/zustand. SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
import re
import warnings
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.digest import draft_digest
from aggregator.editors import add_editor
from aggregator.fetch import FetchSettings
from aggregator.model import Source
from aggregator.runtime import publish_once
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.digests import Digests
from aggregator.store.editors import Editors
from aggregator.store.registry import Registry
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.weekly import week_of

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

BEFORE = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)  # the forum's feed as it was (KW 47)
RELAUNCH = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # its new website (KW 49)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"
TITLES = [f"Sanierung der Stadtmauer, Teil {n}" for n in range(40)]


def feed(*, relaunched: bool) -> bytes:
    items = "".join(
        f"<item><guid>{'neu-' if relaunched else 'alt-'}{n}</guid><title>{title}</title>"
        f"<link>https://altenburg.example/{'beitraege/' if relaunched else '?p='}{n}</link>"
        f"<description>Bericht {n}</description>"
        f"<pubDate>{format_datetime((RELAUNCH if relaunched else BEFORE) - timedelta(days=n))}"
        "</pubDate></item>"
        for n, title in enumerate(TITLES)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Altenburg</title><link>https://altenburg.example/</link><description>d"
        f"</description>{items}</channel></rss>"
    ).encode()


def front_page(settings: Settings, store: Store, source: Source) -> str:
    publish_once(settings, store, sources=[source])
    return (settings.output_dir / "index.html").read_text(encoding="utf-8")


def test_a_relaunch_is_held_until_the_editor_releases_it(engine: Engine, tmp_path: Path) -> None:
    with FixtureServer() as server:
        server.routes["/feed"] = Response(
            200, feed(relaunched=False), {"Content-Type": "application/rss+xml"}
        )
        source = Source(
            "altenburg",
            "Altenburger Stadtforum",
            "Altenburg",
            "https://altenburg.example/",
            server.url("/feed"),
            origin="registry",
        )
        Registry(engine).add(source, now=BEFORE, contact_email="kontakt@altenburg.example")
        store = Store(engine)
        fetch = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)

        def crawl_at(moment: datetime) -> None:
            report = asyncio.run(crawl([source], store, fetch, clock=lambda: moment, force=True))
            assert report.outcomes[0].status == "ok"

        crawl_at(BEFORE)
        server.routes["/feed"] = Response(
            200, feed(relaunched=True), {"Content-Type": "application/rss+xml"}
        )
        crawl_at(RELAUNCH)

        settings = Settings(
            config=tmp_path / "sources.yaml",
            database_url=str(engine.url),
            output_dir=tmp_path / "public",
            base_url="https://stadtforen.example/",
            allow_private_urls=True,
        )
        settings.config.write_text("sources: []\n", encoding="utf-8")
        page = front_page(settings, store, source)
        assert "https://altenburg.example/?p=0" in page  # the old posts are shown
        assert "https://altenburg.example/beitraege/" not in page  # the re-issued ones are not
        week = week_of(RELAUNCH)
        assert draft_digest(Digests(engine), week, RELAUNCH).entries == ()

        add_editor(Editors(engine), "anna", PASSWORD, RELAUNCH, FAST)
        context = WebContext(settings, engine, lambda: RELAUNCH)
        client = TestClient(
            create_app(settings.output_dir, context),
            base_url="https://testserver",
            follow_redirects=False,
        )
        login = client.get("/redaktion/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        client.post(
            "/redaktion/anmelden",
            data={"name": "anna", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        health = client.get("/redaktion/zustand")
        assert health.status_code == 200
        assert "Altenburger Stadtforum: 40 Beiträge" in health.text
        token = re.search(r'name="csrf_token" value="([^"]+)"', health.text)
        assert token is not None
        released = client.post(
            "/redaktion/zustand/altenburg/freigeben", data={"csrf_token": token.group(1)}
        )
        assert released.status_code == 303
        client.close()

        page = front_page(settings, store, source)
        assert "https://altenburg.example/beitraege/0" in page
        # Released, they are stories like any other: those that repeat an old post join its
        # story (told since KW 47); the others are this week's and go into the draft.
        entries = draft_digest(Digests(engine), week, RELAUNCH).entries
        relaunched = [s for s in store.stories() if "/beitraege/" in s.url]
        assert entries
        assert sorted(e.url for e in entries) == sorted(s.url for s in relaunched)
        assert {e.title for e in entries} <= set(TITLES)
