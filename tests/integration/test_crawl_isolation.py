"""A fault at any stage of one source costs only that source (issue 10, point 1).

Every test puts a faulty source next to a healthy *slow* one (its answer arrives after the fault
has happened) and checks that the healthy one is stored, the faulty one is recorded with a
reason and backs off, and the crawl run is recorded. Real loopback server, real databases.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy.exc
from sqlalchemy import Engine

from aggregator.crawl import CrawlReport, crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import Fetcher, FetchSettings
from aggregator.model import Source
from aggregator.store.repository import Store
from tests.integration.crawl_faults import KILL_MARKER, RAISE_MARKER, faulty_reader

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
SLOW_S = 1.0


def rss(prefix: str, count: int = 2, channel_extra: str = "", item_extra: str = "") -> bytes:
    items = "".join(
        f"<item><guid>{prefix}-{n}</guid><title>{prefix} Meldung {n}</title>"
        f"<link>https://{prefix}.example/{n}</link><description>Text {n} {item_extra}"
        f"</description><pubDate>{format_datetime(START - timedelta(hours=n))}</pubDate></item>"
        for n in range(count)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{prefix}</title><link>https://{prefix}.example/</link><description>d"
        f"</description>{channel_extra}{items}</channel></rss>"
    ).encode()


def feed(body: bytes, **headers: str) -> Response:
    return Response(200, body, {"Content-Type": "application/rss+xml", **headers})


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as s:
        s.routes["/slow.xml"] = Response(
            200, rss("slow"), {"Content-Type": "application/rss+xml"}, delay_s=SLOW_S
        )
        yield s


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(engine)


def src(server: FixtureServer, sid: str, path: str) -> Source:
    return Source(sid, f"Forum {sid}", "Leipzig", f"https://{sid}.example/", server.url(path))


def crawl_with(
    server: FixtureServer, store: Store, bad_path: str, clock: Clock | None = None, **kw: Any
) -> CrawlReport:
    sources = [src(server, "bad", bad_path), src(server, "slow", "/slow.xml")]
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=5)
    return asyncio.run(crawl(sources, store, settings, clock=clock or Clock(), **kw))


def assert_isolated(report: CrawlReport, store: Store, reason: str) -> None:
    outcomes = {o.source_id: o for o in report.outcomes}
    assert outcomes["slow"].status == "ok" and outcomes["slow"].new == 2
    bad = outcomes["bad"]
    assert (bad.status, bad.reason) == ("failed", reason), bad
    assert bad.message and "\n" not in bad.message
    state = store.fetch_states()["bad"]
    assert (state.last_status, state.last_error, state.consecutive_failures) == (
        "failed",
        reason,
        1,
    )
    assert state.next_fetch_at is not None and state.next_fetch_at > START
    titles = {s.title for s in store.stories()}
    assert {"slow Meldung 0", "slow Meldung 1"} <= titles
    run = store.latest_crawl_run()
    assert run is not None and (run.sources_ok, run.sources_failed) == (1, 1)


def test_fault_while_fetching(
    server: FixtureServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fetch = Fetcher.fetch

    async def fetch(self: Fetcher, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.endswith("/bad.xml"):
            raise OverflowError("int too large to convert")
        return await real_fetch(self, url, *args, **kwargs)

    monkeypatch.setattr(Fetcher, "fetch", fetch)
    server.routes["/bad.xml"] = feed(rss("bad"))
    report = crawl_with(server, store, "/bad.xml")
    assert_isolated(report, store, "internal_error")
    assert "fetch of" in (report.failures[0].message or "")
    assert "OverflowError" in (report.failures[0].message or "")


@pytest.mark.parametrize("workers", [0, 2], ids=["thread", "processes"])
def test_fault_while_parsing(server: FixtureServer, store: Store, workers: int) -> None:
    server.routes["/bad.xml"] = feed(rss("bad", item_extra=RAISE_MARKER.decode()))
    report = crawl_with(server, store, "/bad.xml", reader=faulty_reader, parse_workers=workers)
    assert_isolated(report, store, "internal_error")
    assert "parse of" in (report.failures[0].message or "")


def test_fault_while_normalizing_costs_only_the_entries(
    server: FixtureServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aggregator.reading

    real = aggregator.reading.normalize_entry

    def normalize_entry(entry: Any, **kwargs: Any) -> Any:
        if kwargs["source"].id == "bad" and entry.guid.endswith("-1"):
            raise ValueError("normalizer bug")
        return real(entry, **kwargs)

    monkeypatch.setattr(aggregator.reading, "normalize_entry", normalize_entry)
    server.routes["/bad.xml"] = feed(rss("bad"))
    report = crawl_with(server, store, "/bad.xml", parse_workers=0)
    outcomes = {o.source_id: o for o in report.outcomes}
    assert outcomes["slow"].new == 2
    assert (outcomes["bad"].status, outcomes["bad"].new) == ("ok", 1)
    assert "1 entry could not be read" in (outcomes["bad"].warning or "")


@pytest.mark.parametrize(
    "response",
    [
        feed(rss("bad", channel_extra="<ttl>99999999999999999</ttl>")),
        feed(rss("bad"), **{"Cache-Control": "max-age=99999999999999999999999"}),
    ],
    ids=["ttl", "max-age"],
)
def test_absurd_server_hints_are_clamped(
    server: FixtureServer, store: Store, response: Response
) -> None:
    """The OverflowError of issue 10: once it stopped every crawl, forever."""
    server.routes["/bad.xml"] = response
    report = crawl_with(server, store, "/bad.xml")
    assert report.count("failed") == 0
    assert {o.source_id: o.new for o in report.outcomes} == {"bad": 2, "slow": 2}
    assert store.fetch_states()["bad"].next_fetch_at == START + timedelta(hours=24)


def test_absurd_retry_after_is_clamped(server: FixtureServer, store: Store) -> None:
    server.routes["/bad.xml"] = Response(503, b"busy", {"Retry-After": "9" * 40})
    report = crawl_with(server, store, "/bad.xml")
    assert_isolated(report, store, "http_503")
    assert store.fetch_states()["bad"].next_fetch_at == START + timedelta(hours=24)


def test_database_refusing_one_sources_rows(
    server: FixtureServer, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = Store._upsert_source_batch

    def upsert(self: Store, conn: Any, source_id: str, *args: Any) -> Any:
        if source_id == "bad":
            raise sqlalchemy.exc.DataError("INSERT …", {}, Exception("value too long"))
        return real(self, conn, source_id, *args)

    monkeypatch.setattr(Store, "_upsert_source_batch", upsert)
    server.routes["/bad.xml"] = feed(rss("bad"))
    report = crawl_with(server, store, "/bad.xml")
    assert_isolated(report, store, "store_error")
    assert "value too long" in (report.failures[0].message or "")


def test_parser_process_that_dies_is_replaced(server: FixtureServer, store: Store) -> None:
    server.routes["/bad.xml"] = feed(rss("bad", item_extra=KILL_MARKER.decode()))
    server.routes["/quick.xml"] = feed(rss("quick"))
    sources = [
        src(server, "bad", "/bad.xml"),
        src(server, "slow", "/slow.xml"),
        src(server, "quick", "/quick.xml"),
    ]
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=5)
    report = asyncio.run(
        crawl(sources, store, settings, clock=Clock(), reader=faulty_reader, parse_workers=2)
    )
    outcomes = {o.source_id: (o.status, o.reason, o.new) for o in report.outcomes}
    assert outcomes == {
        "bad": ("failed", "parser_crashed", 0),
        "slow": ("ok", None, 2),
        "quick": ("ok", None, 2),
    }
    assert store.fetch_states()["bad"].last_error == "parser_crashed"


def test_every_later_crawl_still_works_after_a_fault(
    server: FixtureServer, store: Store, tmp_path: Path
) -> None:
    """The bad source's state was saved: it backs off instead of failing every crawl again."""
    server.routes["/bad.xml"] = feed(rss("bad", channel_extra="<ttl>99999999999999999</ttl>"))
    clock = Clock()
    crawl_with(server, store, "/bad.xml", clock)
    clock.now += timedelta(hours=2)
    again = crawl_with(server, store, "/bad.xml", clock)
    assert [o.source_id for o in again.outcomes] == ["slow"]  # bad waits its clamped day


def test_absurd_validators_and_redirect_hints_are_bounded(
    server: FixtureServer, store: Store
) -> None:
    """A 5 KB ETag or Last-Modified is not stored (nor sent back), on SQLite and PostgreSQL."""
    server.routes["/bad.xml"] = feed(
        rss("bad"), ETag='"' + "e" * 5000 + '"', **{"Last-Modified": "x" * 5000}
    )
    report = crawl_with(server, store, "/bad.xml")
    assert report.count("failed") == 0
    state = store.fetch_states()["bad"]
    assert (state.etag, state.last_modified) == (None, None)


def test_a_pool_that_dies_again_and_again_is_replaced_each_time(
    server: FixtureServer, store: Store
) -> None:
    """Three bodies kill their parser process: each costs only its own source."""
    sources = [src(server, "slow", "/slow.xml")]
    for n in range(3):
        server.routes[f"/bad{n}.xml"] = feed(rss(f"bad{n}", item_extra=KILL_MARKER.decode()))
        server.routes[f"/ok{n}.xml"] = feed(rss(f"ok{n}"))
        sources += [src(server, f"bad{n}", f"/bad{n}.xml"), src(server, f"ok{n}", f"/ok{n}.xml")]
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=5)
    report = asyncio.run(
        crawl(sources, store, settings, clock=Clock(), reader=faulty_reader, parse_workers=2)
    )
    outcomes = {o.source_id: (o.status, o.reason, o.new) for o in report.outcomes}
    assert outcomes == {
        "slow": ("ok", None, 2),
        **{f"bad{n}": ("failed", "parser_crashed", 0) for n in range(3)},
        **{f"ok{n}": ("ok", None, 2) for n in range(3)},
    }
