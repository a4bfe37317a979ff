"""`run`'s scheduled ticks survive anything: a tick that raises is logged, the next one runs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

import aggregator.scheduler
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.runtime import open_store
from aggregator.scheduler import Runner
from aggregator.settings import Settings

FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>F</title><link>https://forum.example/</link><description>d</description><ttl>99999999999999999</ttl>
<item><guid>t1</guid><title>Tick</title><link>https://forum.example/t1</link></item>
</channel></rss>"""


def one_source(tmp_path: Path, feed_url: str) -> Settings:
    """Settings of a run with one source, the fixture server's feed."""
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - id: forum\n    name: Forum\n    homepage: https://forum.example/\n"
        f"    feed: {feed_url}\n"
    )
    return Settings(
        config=config,
        database_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        output_dir=tmp_path / "public",
        allow_private_urls=True,  # the fixture server on 127.0.0.1
    )


def test_a_tick_that_raises_does_not_stop_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with FixtureServer({"/f": Response(200, FEED, {"Content-Type": "application/rss+xml"})}) as s:
        settings = one_source(tmp_path, s.url("/f"))
        store = open_store(settings)
        runner = Runner(settings, store, [])
        real = aggregator.scheduler.crawl_once
        calls: list[int] = []

        def crawl_once(*args: Any, **kwargs: Any) -> Any:
            calls.append(1)
            if len(calls) == 1:
                raise OverflowError("int too large to convert")
            return real(*args, **kwargs)

        monkeypatch.setattr(aggregator.scheduler, "crawl_once", crawl_once)
        with caplog.at_level(logging.ERROR, logger="aggregator.scheduler"):
            runner.tick()  # must not raise
        assert "crawl tick failed: unexpected OverflowError" in caplog.text
        runner.tick()
        assert len(calls) == 2
        assert [story.title for story in store.stories()] == ["Tick"]
        assert (tmp_path / "public" / "index.html").is_file()


def test_the_serving_process_publishes_what_another_crawler_stored(tmp_path: Path) -> None:
    """Scale-out: `run` on the web host crawls nothing itself (another process got the
    sources), yet its next tick publishes what the other crawler stored."""
    from aggregator.runtime import crawl_once

    with FixtureServer({"/f": Response(200, FEED, {"Content-Type": "application/rss+xml"})}) as s:
        settings = one_source(tmp_path, s.url("/f"))
        web_host = Runner(settings, open_store(settings), [])
        web_host.publish()  # nothing stored yet: the empty site, as after `run` started
        index = tmp_path / "public" / "index.html"
        assert "Tick" not in index.read_text(encoding="utf-8")

        other = open_store(settings)  # another crawler process on the same database
        report = crawl_once(settings, other)
        assert report.new == 1
        web_host.tick()  # its own crawl finds nothing due
        assert "Tick" in index.read_text(encoding="utf-8")


def test_the_serving_process_publishes_a_purge(tmp_path: Path) -> None:
    """`items purge` is no crawl: the next tick still removes the items from the site."""
    with FixtureServer({"/f": Response(200, FEED, {"Content-Type": "application/rss+xml"})}) as s:
        settings = one_source(tmp_path, s.url("/f"))
        runner = Runner(settings, open_store(settings), [])
        runner.tick()
        index = tmp_path / "public" / "index.html"
        assert "Tick" in index.read_text(encoding="utf-8")
        config = settings.config.read_text(encoding="utf-8")
        settings.config.write_text(config + "    enabled: false\n", encoding="utf-8")
        assert open_store(settings).purge_source("forum") == 1  # as `aggregator items purge`
        runner.tick()
        assert "Tick" not in index.read_text(encoding="utf-8")


NEW_FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Neu</title><link>https://neu.example/</link><description>d</description>
<item><guid>n1</guid><title>Rundgang durch Zittau</title><link>https://neu.example/n1</link>
<pubDate>Tue, 01 Dec 2026 10:00:00 +0000</pubDate></item></channel></rss>"""


def test_an_approved_source_is_crawled_and_published_at_once(tmp_path: Path) -> None:
    """What `aggregator run` does when an editor approves a registration: the new source is
    fetched now (not at its due time), the others are left alone, and the site is published."""
    from datetime import UTC, datetime

    from aggregator.model import Source
    from aggregator.service import BackgroundCrawls
    from aggregator.store.registry import Registry

    with FixtureServer(
        {
            "/feed.xml": Response(200, FEED, {"Content-Type": "application/rss+xml"}),
            "/neu.xml": Response(200, NEW_FEED, {"Content-Type": "application/rss+xml"}),
        }
    ) as server:
        settings = one_source(tmp_path, server.url("/feed.xml"))
        store = open_store(settings)
        runner = Runner(settings, store, [])
        runner.tick()  # the sources.yaml source: fetched, not due again for an hour
        Registry(store.engine).add(
            Source(
                "zittau-neu",
                "Neues Forum",
                "Zittau",
                "https://neu.example/",
                server.url("/neu.xml"),
            ),
            now=datetime.now(UTC),
        )
        crawls = BackgroundCrawls(runner.crawl_new_source)
        crawls.submit("zittau-neu")
        crawls.shutdown(drop_queued=False)

        assert [r.path for r in server.requests] == ["/feed.xml", "/neu.xml"]
        assert {s.source_id for s in store.stories()} == {"forum", "zittau-neu"}
        assert "Rundgang durch Zittau" in (tmp_path / "public" / "index.html").read_text()
