"""The crawl end to end: a real loopback server, a real SQLite file, the real stages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from aggregator.crawl import CrawlReport, SourceOutcome, crawl
from aggregator.demo.httpserver import FixtureServer, Response, conditional
from aggregator.fetch import FetchSettings
from aggregator.model import Source
from aggregator.reading import read_feed as real_read
from aggregator.store.db import make_engine, upgrade
from aggregator.store.repository import Store

START = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def rss(*items: tuple[str, str, str], ttl: int | None = None) -> bytes:
    """items: (guid, title, link)"""
    entries = "".join(
        f"<item><guid>{guid}</guid><title>{title}</title><link>{link}</link>"
        f"<description>Text zu {title}</description>"
        f"<pubDate>{format_datetime(START - timedelta(hours=n))}</pubDate></item>"
        for n, (guid, title, link) in enumerate(items)
    )
    ttl_tag = f"<ttl>{ttl}</ttl>" if ttl else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Forum</title><link>https://forum.example/</link><description>d</description>"
        f"{ttl_tag}{entries}</channel></rss>"
    ).encode()


def feed_response(body: bytes, etag: str = '"v1"') -> Response:
    return Response(200, body, {"Content-Type": "application/rss+xml", "ETag": etag})


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
    upgrade(engine)
    return Store(engine)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as s:
        yield s


def source(server: FixtureServer, sid: str, path: str, city: str = "Leipzig") -> Source:
    return Source(sid, f"Forum {sid}", city, "https://forum.example/", server.url(path))


def run(sources: list[Source], store: Store, clock: Clock, *, force: bool = False) -> CrawlReport:
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)
    return asyncio.run(crawl(sources, store, settings, clock=clock, force=force))


def serve_conditionally(server: FixtureServer, path: str, response: Response) -> None:
    server.routes[path] = lambda request: conditional(response, request)


def test_first_crawl_stores_second_is_not_modified(server: FixtureServer, store: Store) -> None:
    serve_conditionally(
        server,
        "/a.xml",
        feed_response(
            rss(
                ("a1", "Abriss droht", "https://a.example/1"),
                ("a2", "Vortrag", "https://a.example/2"),
            )
        ),
    )
    clock = Clock()
    src = source(server, "a", "/a.xml")
    first = run([src], store, clock)
    assert (first.count("ok"), first.new, first.updated) == (1, 2, 0)
    assert [s.title for s in store.stories()] == ["Abriss droht", "Vortrag"]

    clock.now += timedelta(minutes=61)
    second = run([src], store, clock)
    assert second.count("not_modified") == 1
    assert second.new == second.updated == 0
    assert server.requests[-1].headers.get("if-none-match") == '"v1"'
    assert len(store.stories()) == 2


def test_nothing_due_right_after_a_crawl_even_in_a_new_process(
    server: FixtureServer, store: Store, tmp_path: Path
) -> None:
    server.routes["/a.xml"] = feed_response(rss(("a1", "Titel", "https://a.example/1")))
    src = source(server, "a", "/a.xml")
    run([src], store, Clock())
    fresh_store = Store(make_engine(f"sqlite:///{tmp_path / 'crawl.db'}"))  # as after a restart
    again = run([src], fresh_store, Clock(START + timedelta(minutes=30)))
    assert again.outcomes == ()
    due = run([src], fresh_store, Clock(START + timedelta(minutes=60)))
    assert len(due.outcomes) == 1


def test_failing_source_keeps_items_backs_off_and_recovers(
    server: FixtureServer, store: Store
) -> None:
    good = feed_response(rss(("b1", "Eins", "https://b.example/1")))
    server.routes["/b.xml"] = good
    server.routes["/ok.xml"] = feed_response(rss(("o1", "Andere", "https://o.example/1")))
    clock = Clock()
    sources = [source(server, "b", "/b.xml"), source(server, "ok", "/ok.xml")]
    run(sources, store, clock)

    server.routes["/b.xml"] = Response(500, b"kaputt")
    clock.now += timedelta(hours=2)
    report = run(sources, store, clock, force=True)
    (failure,) = report.failures
    assert (failure.source_id, failure.reason) == ("b", "http_500")
    assert report.count("ok") == 1  # the other source was read all the same
    state = store.fetch_states()["b"]
    assert state.consecutive_failures == 1
    assert state.item_count == 1  # stored items stay
    assert state.last_error == "http_500"
    assert {s.title for s in store.stories()} == {"Eins", "Andere"}

    clock.now += timedelta(hours=2)
    run(sources, store, clock, force=True)
    state = store.fetch_states()["b"]
    assert state.consecutive_failures == 2
    assert state.next_fetch_at is not None
    assert state.next_fetch_at - clock.now >= timedelta(minutes=120)  # backed off: 2 x interval

    server.routes["/b.xml"] = good
    clock.now = state.next_fetch_at
    run(sources, store, clock)
    state = store.fetch_states()["b"]
    assert (state.consecutive_failures, state.last_status, state.last_error) == (0, "ok", None)


def test_edited_entry_updates_in_place(server: FixtureServer, store: Store) -> None:
    server.routes["/c.xml"] = feed_response(rss(("c1", "Alter Titel", "https://c.example/1")))
    clock = Clock()
    src = source(server, "c", "/c.xml")
    run([src], store, clock)
    (before,) = store.stories()
    server.routes["/c.xml"] = feed_response(
        rss(("c1", "Neuer Titel", "https://c.example/1")), etag='"v2"'
    )
    clock.now += timedelta(hours=1)
    report = run([src], store, clock)
    assert (report.new, report.updated) == (0, 1)
    (after,) = store.stories()
    assert after.title == "Neuer Titel"
    assert after.id == before.id
    assert after.first_seen == before.first_seen == START


def test_same_story_from_two_forums_is_shown_once(server: FixtureServer, store: Store) -> None:
    server.routes["/l.xml"] = feed_response(
        rss(("l1", "Gemeinsame Meldung", "https://presse.example/x?utm_source=leipzig"))
    )
    server.routes["/h.xml"] = feed_response(
        rss(("h1", "Gemeinsame Meldung", "https://PRESSE.example:443/x#oben"))
    )
    sources = [source(server, "l", "/l.xml"), source(server, "h", "/h.xml", city="Halle (Saale)")]
    run(sources, store, Clock())
    (story,) = store.stories()
    assert len(story.also_at) == 1
    assert set(story.cities) == {"Leipzig", "Halle (Saale)"}


def test_permanent_redirect_is_recorded(server: FixtureServer, store: Store) -> None:
    server.routes["/new.xml"] = feed_response(rss(("d1", "Umzug", "https://d.example/1")))
    server.routes["/old.xml"] = Response(301, headers={"Location": server.url("/new.xml")})
    report = run([source(server, "d", "/old.xml")], store, Clock())
    assert report.outcomes[0].moved_to == server.url("/new.xml")
    assert store.fetch_states()["d"].moved_to == server.url("/new.xml")
    assert report.new == 1


def test_retry_after_and_ttl_push_the_next_fetch(server: FixtureServer, store: Store) -> None:
    server.routes["/busy.xml"] = Response(503, b"busy", {"Retry-After": "10800"})
    server.routes["/ttl.xml"] = feed_response(rss(("t1", "T", "https://t.example/1"), ttl=180))
    sources = [source(server, "busy", "/busy.xml"), source(server, "ttl", "/ttl.xml")]
    run(sources, store, Clock())
    states = store.fetch_states()
    assert states["busy"].next_fetch_at == START + timedelta(hours=3)
    assert states["ttl"].next_fetch_at == START + timedelta(minutes=180)


def test_html_instead_of_feed_and_slow_source_fail_with_reason(
    server: FixtureServer, store: Store
) -> None:
    server.routes["/html"] = Response(
        200, b"<html><body><p>Willkommen</p></body></html>", {"Content-Type": "text/html"}
    )
    server.routes["/slow"] = Response(200, rss(), delay_s=5)
    server.routes["/fine.xml"] = feed_response(rss(("f1", "F", "https://f.example/1")))
    sources = [
        source(server, "html", "/html"),
        source(server, "slow", "/slow"),
        source(server, "fine", "/fine.xml"),
    ]
    report = run(sources, store, Clock())
    reasons = {o.source_id: o.reason for o in report.outcomes}
    assert reasons == {"html": "not_a_feed", "slow": "timeout", "fine": None}
    assert report.new == 1


def test_undated_item_keeps_its_first_seen_date_and_is_not_updated_again(
    server: FixtureServer, store: Store
) -> None:
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        b"<link>https://u.example/</link><description>d</description>"
        b"<item><guid>u1</guid><title>Ohne Datum</title><link>https://u.example/1</link></item>"
        b"</channel></rss>"
    )
    server.routes["/u.xml"] = feed_response(body)
    clock = Clock()
    src = source(server, "u", "/u.xml")
    run([src], store, clock)
    clock.now += timedelta(hours=3)
    server.routes["/u.xml"] = feed_response(body, etag='"v2"')  # same entry, new response
    report = run([src], store, clock)
    assert (report.new, report.updated) == (0, 0)
    (story,) = store.stories()
    assert story.published == START  # still when it was first seen, not the latest crawl


def test_stop_cancels_fetches_in_flight_and_keeps_what_was_written(
    server: FixtureServer, store: Store
) -> None:
    server.routes["/fast.xml"] = feed_response(rss(("q1", "Schnell", "https://q.example/1")))
    server.routes["/hang.xml"] = Response(200, rss(), delay_s=5)
    sources = [source(server, "fast", "/fast.xml"), source(server, "hang", "/hang.xml")]
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=10)
    done: list[str] = []

    class StopAfterFast:  # the "Ctrl-C" comes once the fast source is stored
        def started(self, total: int) -> None:
            pass

        def source_done(self, outcome: SourceOutcome) -> None:
            done.append(outcome.source_id)

    async def crawl_and_stop_soon() -> CrawlReport:
        return await crawl(
            sources,
            store,
            settings,
            clock=Clock(),
            progress=StopAfterFast(),
            stop=lambda: "fast" in done,
        )

    report = asyncio.run(crawl_and_stop_soon())
    assert report.interrupted
    assert [o.source_id for o in report.outcomes] == ["fast"]
    assert "interrupted" in report.summary()
    states = store.fetch_states()
    assert states["fast"].last_status == "ok"
    assert states["hang"].last_status is None  # never written: still due next time
    assert [s.title for s in store.stories()] == ["Schnell"]


def test_many_sources_parsed_in_parallel_keep_their_errors(
    server: FixtureServer, store: Store
) -> None:
    sources = []
    for n in range(30):
        server.routes[f"/m{n}.xml"] = feed_response(
            rss((f"m{n}", f"Meldung {n}", f"https://m.example/{n}"))
        )
        sources.append(source(server, f"m{n}", f"/m{n}.xml"))
    server.routes["/m0.xml"] = Response(200, b"<html><body>kein Feed</body></html>")
    report = run(sources, store, Clock())
    assert report.count("ok") == 29
    (failure,) = report.failures  # with 2+ cores the error crossed a process boundary intact
    assert (failure.source_id, failure.reason) == ("m0", "not_a_feed")
    assert len(store.stories()) == 29


def test_a_bug_met_by_one_source_fails_only_that_source(
    server: FixtureServer, store: Store
) -> None:
    """Fault injection: no known input crashes the reader, so a crash is made to order."""

    def read_feed(content: bytes, **kwargs: Any) -> Any:
        if kwargs["source"].id == "bug":
            raise RuntimeError("boom")
        return real_read(content, **kwargs)

    server.routes["/bug.xml"] = feed_response(rss(("b1", "B", "https://b.example/1")))
    server.routes["/ok.xml"] = feed_response(rss(("o1", "O", "https://o.example/1")))
    settings = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)
    sources = [source(server, "bug", "/bug.xml"), source(server, "ok", "/ok.xml")]
    report = asyncio.run(crawl(sources, store, settings, clock=Clock(), reader=read_feed))
    (failure,) = report.failures
    assert (failure.source_id, failure.reason) == ("bug", "internal_error")
    assert "parse" in (failure.message or "") and "RuntimeError: boom" in (failure.message or "")
    assert [s.title for s in store.stories()] == ["O"]


def test_due_sources_take_turns_between_hosts() -> None:
    """Sources in progress at one time are on different hosts (one request per host at once)."""
    from aggregator.crawl import _across_hosts

    def on(host: str, n: int) -> Source:
        return Source(f"{host}-{n}", "F", None, "https://x.example/", f"https://{host}/{n}.xml")

    sources = [on("a.example", 1), on("a.example", 2), on("a.example", 3), on("B.example", 1)]
    sources.append(on("c.example:8080", 1))
    assert [s.id for s in _across_hosts(sources)] == [
        "a.example-1",
        "B.example-1",
        "c.example:8080-1",
        "a.example-2",
        "a.example-3",
    ]
    assert _across_hosts([]) == []
