"""robots.txt through the real fetcher against a fixture server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import Fetcher, FetchSettings
from aggregator.fetch.robots import MAX_CRAWL_DELAY_S, Robots, RobotsCache, RobotsRules

T = TypeVar("T")
TEXT = {"Content-Type": "text/plain; charset=utf-8"}
SETTINGS = FetchSettings(allow_private_addresses=True, connect_timeout=2.0, total_timeout=5.0)


def with_robots(
    work: Callable[[Robots], Awaitable[T]],
    cache: RobotsCache | None = None,
    clock: Callable[[], float] | None = None,
) -> T:
    async def main() -> T:
        async with Fetcher(SETTINGS) as fetcher:
            robots = Robots(fetcher, cache, **({"clock": clock} if clock else {}))
            return await work(robots)

    return asyncio.run(main())


def rules(server: FixtureServer, cache: RobotsCache | None = None) -> RobotsRules:
    return with_robots(lambda r: r.rules_for(server.url("/news/")), cache)


def robots_requests(server: FixtureServer) -> int:
    return sum(1 for r in server.requests if r.path == "/robots.txt")


def test_disallow_for_everyone_and_allow_exceptions_are_obeyed() -> None:
    body = b"User-agent: *\nDisallow: /intern/\nAllow: /intern/presse/\n"
    with FixtureServer({"/robots.txt": Response(200, body, TEXT)}) as server:
        found = rules(server)
        assert found.allows(server.url("/aktuelles/"))
        assert not found.allows(server.url("/intern/protokolle.html"))
        assert found.allows(server.url("/intern/presse/2025.html"))
        assert found.blocked is None and found.note is None


def test_a_group_for_our_user_agent_wins_over_the_star_group() -> None:
    body = b"User-agent: *\nDisallow:\n\nUser-agent: StadtforenAggregator\nDisallow: /\n"
    with FixtureServer({"/robots.txt": Response(200, body, TEXT)}) as server:
        assert not rules(server).allows(server.url("/aktuelles/"))


def test_crawl_delay_is_read_and_capped() -> None:
    with FixtureServer(
        {"/robots.txt": Response(200, b"User-agent: *\nCrawl-delay: 5\n", TEXT)}
    ) as server:
        assert rules(server).crawl_delay == 5.0
    with FixtureServer(
        {"/robots.txt": Response(200, b"User-agent: *\nCrawl-delay: 99999999\n", TEXT)}
    ) as server:
        assert rules(server).crawl_delay == MAX_CRAWL_DELAY_S


def test_no_robots_txt_allows_everything() -> None:
    with FixtureServer({}) as server:  # every path is a 404
        found = rules(server)
        assert found.allows(server.url("/aktuelles/")) and found.blocked is None


def test_a_server_error_allows_nothing_for_now_and_is_asked_again() -> None:
    cache = RobotsCache()
    with FixtureServer({"/robots.txt": Response(503, b"busy", TEXT)}) as server:
        found = rules(server, cache)
        assert not found.allows(server.url("/aktuelles/"))
        assert found.blocked is not None and "http_503" in found.blocked
        rules(server, cache)
        assert robots_requests(server) == 2  # a failure is not cached


def test_an_html_error_page_as_robots_txt_holds_no_rules() -> None:
    page = (
        b"<!DOCTYPE html><html><head><title>Seite nicht gefunden</title></head>"
        b"<body><p>User-agent: *</p><p>Disallow: /</p></body></html>"
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    with FixtureServer({"/robots.txt": Response(200, page, html)}) as server:
        found = rules(server)
        assert found.allows(server.url("/aktuelles/"))
        assert found.note is not None and "HTML page" in found.note


def test_rules_are_cached_per_site_for_their_max_age_at_most_a_day() -> None:
    now = [1000.0]
    cache = RobotsCache()
    headers = {**TEXT, "Cache-Control": "max-age=600"}
    with FixtureServer(
        {"/robots.txt": Response(200, b"User-agent: *\nDisallow: /x/\n", headers)}
    ) as server:

        def ask() -> RobotsRules:
            return with_robots(lambda r: r.rules_for(server.url("/a")), cache, lambda: now[0])

        ask()
        now[0] += 599
        ask()
        assert robots_requests(server) == 1
        now[0] += 2
        ask()
        assert robots_requests(server) == 2


def test_a_huge_max_age_is_cut_to_a_day() -> None:
    now = [0.0]
    cache = RobotsCache()
    headers = {**TEXT, "Cache-Control": "max-age=99999999999"}
    with FixtureServer({"/robots.txt": Response(200, b"User-agent: *\n", headers)}) as server:

        def ask() -> None:
            with_robots(lambda r: r.rules_for(server.url("/a")), cache, lambda: now[0])

        ask()
        now[0] += 24 * 3600 - 1
        ask()
        assert robots_requests(server) == 1
        now[0] += 2
        ask()
        assert robots_requests(server) == 2


def test_sources_of_one_site_asking_at_once_fetch_it_once() -> None:
    slow = Response(200, b"User-agent: *\nDisallow:\n", TEXT, delay_s=0.3)
    with FixtureServer({"/robots.txt": slow}) as server:

        async def many(robots: Robots) -> list[RobotsRules]:
            return list(
                await asyncio.gather(*(robots.rules_for(server.url(f"/s{i}/")) for i in range(5)))
            )

        found = with_robots(many)
        assert len(found) == 5 and all(r.allows(server.url("/s1/")) for r in found)
        assert robots_requests(server) == 1
