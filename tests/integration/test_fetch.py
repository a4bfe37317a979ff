"""The fetcher against a real HTTP server on 127.0.0.1 (aggregator.demo.httpserver)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
import time
import zlib
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any, TypeVar

import httpcore
import httpx
import pytest

from aggregator import CONTACT_URL, NETWORK_NAME
from aggregator.demo.httpserver import FixtureServer, Request, Response, conditional
from aggregator.errors import FetchError
from aggregator.fetch import Fetcher, FetchResult, FetchSettings
from aggregator.fetch.guard import guarded_transport

T = TypeVar("T")

FEED = (
    b'<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
    b"<title>Stadtforum Leipzig</title><link>http://127.0.0.1/</link>"
    b"<item><title>Denkmaltag am Sonntag</title><guid>1</guid></item>"
    b"</channel></rss>\n"
)
RSS = {"Content-Type": "application/rss+xml; charset=utf-8"}


def local(**limits: Any) -> FetchSettings:
    """Settings for fetching from the fixture servers: they are on 127.0.0.1."""
    return FetchSettings(allow_private_addresses=True, **limits)


QUICK = local(connect_timeout=2.0, total_timeout=5.0)


def run(work: Callable[[Fetcher], Awaitable[T]], settings: FetchSettings = QUICK, **kw: Any) -> T:
    """Run `work(fetcher)` in a fresh event loop with an open Fetcher (no pytest-asyncio here)."""

    async def main() -> T:
        async with Fetcher(settings, **kw) as fetcher:
            return await work(fetcher)

    return asyncio.run(main())


def fetch(url: str, settings: FetchSettings = QUICK, **kw: Any) -> FetchResult:
    return run(lambda f: f.fetch(url, **kw), settings)


def fetch_error(url: str, settings: FetchSettings = QUICK, **kw: Any) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(url, settings, **kw)
    error = info.value
    assert "\n" not in str(error)
    return error


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FixtureServer, FixtureServer]]:
    """Two loopback servers shared by this module (stopping one takes ~0.5 s)."""
    with FixtureServer() as one, FixtureServer() as two:
        yield one, two


def _fresh(server: FixtureServer) -> FixtureServer:
    server.routes.clear()
    server.requests.clear()
    return server


@pytest.fixture
def server(servers: tuple[FixtureServer, FixtureServer]) -> FixtureServer:
    return _fresh(servers[0])


@pytest.fixture
def other(servers: tuple[FixtureServer, FixtureServer]) -> FixtureServer:
    """A second host: same address, another port."""
    return _fresh(servers[1])


def redirect(status: int, location: str) -> Response:
    return Response(status, b"moved", {"Location": location})


# --- success, validators, freshness -----------------------------------------------------------


def test_200_returns_body_type_and_validators(server: FixtureServer) -> None:
    headers = {**RSS, "ETag": '"v1"', "Last-Modified": "Tue, 24 Nov 2026 08:00:00 GMT"}
    server.routes.update({"/feed/": Response(200, FEED, headers)})
    result = fetch(server.url("/feed/"))
    assert result.status == 200
    assert not result.not_modified
    assert result.content == FEED
    assert result.content_type == "application/rss+xml; charset=utf-8"
    assert result.etag == '"v1"'
    assert result.last_modified == "Tue, 24 Nov 2026 08:00:00 GMT"
    assert result.url == result.final_url == server.url("/feed/")
    assert result.permanent_redirect is None
    assert result.max_age is None
    assert result.elapsed_s >= 0


def test_refetch_with_etag_gives_304_and_keeps_the_validator(server: FixtureServer) -> None:
    page = Response(200, FEED, {**RSS, "ETag": '"v1"'})
    server.routes.update({"/feed/": lambda req: conditional(page, req)})
    first = fetch(server.url("/feed/"))
    second = fetch(server.url("/feed/"), etag=first.etag)
    sent = server.requests[1].headers
    assert first.status == 200
    assert sent["if-none-match"] == '"v1"'
    assert second.status == 304
    assert second.not_modified
    assert second.content == b""
    assert second.etag == '"v1"'


def test_refetch_with_last_modified_gives_304(server: FixtureServer) -> None:
    stamp = "Mon, 23 Nov 2026 10:00:00 GMT"
    page = Response(200, FEED, {**RSS, "Last-Modified": stamp})
    server.routes.update({"/feed/": lambda req: conditional(page, req)})
    first = fetch(server.url("/feed/"))
    second = fetch(server.url("/feed/"), last_modified=first.last_modified)
    sent = server.requests[1].headers
    assert sent["if-modified-since"] == stamp
    assert "if-none-match" not in sent
    assert (second.status, second.last_modified, second.etag) == (304, stamp, None)


def test_cache_control_max_age_is_reported(server: FixtureServer) -> None:
    routes = {
        "/fresh": Response(200, FEED, {**RSS, "Cache-Control": "public, max-age=1800"}),
        "/nostore": Response(200, FEED, {**RSS, "Cache-Control": "no-store, max-age=60"}),
    }
    server.routes.update(routes)
    assert fetch(server.url("/fresh")).max_age == 1800
    assert fetch(server.url("/nostore")).max_age is None


def test_304_without_validators_sent_is_a_protocol_error(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(304)})
    error = fetch_error(server.url("/feed/"))
    assert error.reason == "protocol"


# --- redirects --------------------------------------------------------------------------------


def test_301_then_200_records_the_new_address(server: FixtureServer) -> None:
    routes = {"/old/": redirect(301, "/feed/"), "/feed/": Response(200, FEED, RSS)}
    server.routes.update(routes)
    result = fetch(server.url("/old/"))
    assert result.content == FEED
    assert result.url == server.url("/old/")
    assert result.final_url == server.url("/feed/")
    assert result.permanent_redirect == server.url("/feed/")


def test_301_to_another_host_is_followed(server: FixtureServer, other: FixtureServer) -> None:
    other.routes["/feed/"] = Response(200, FEED, RSS)
    server.routes["/rss"] = redirect(301, other.url("/feed/"))
    result = fetch(server.url("/rss"))
    assert result.content == FEED
    assert result.final_url == result.permanent_redirect == other.url("/feed/")


def test_302_is_followed_but_not_recorded(server: FixtureServer) -> None:
    routes = {"/latest": redirect(302, "/feed/"), "/feed/": Response(200, FEED, RSS)}
    server.routes.update(routes)
    result = fetch(server.url("/latest"))
    assert result.final_url == server.url("/feed/")
    assert result.permanent_redirect is None


def test_308_is_recorded(server: FixtureServer) -> None:
    routes = {"/old": redirect(308, "/feed/"), "/feed/": Response(200, FEED, RSS)}
    server.routes.update(routes)
    result = fetch(server.url("/old"))
    assert result.permanent_redirect == server.url("/feed/")


def test_permanent_redirect_is_the_last_permanent_hop_before_a_temporary_one(
    server: FixtureServer,
) -> None:
    routes = {
        "/a": redirect(301, "/b"),
        "/b": redirect(308, "/c"),
        "/c": redirect(307, "/d"),
        "/d": Response(200, FEED, RSS),
    }
    server.routes.update(routes)
    result = fetch(server.url("/a"))
    assert result.final_url == server.url("/d")
    assert result.permanent_redirect == server.url("/c")


def test_permanent_redirect_behind_a_temporary_one_is_not_recorded(server: FixtureServer) -> None:
    # /a only moved temporarily, so the source must keep /a even though /b moved for good.
    routes = {"/a": redirect(302, "/b"), "/b": redirect(301, "/c"), "/c": Response(200, FEED)}
    server.routes.update(routes)
    result = fetch(server.url("/a"))
    assert result.final_url == server.url("/c")
    assert result.permanent_redirect is None


def test_five_redirects_are_followed_and_six_are_too_many(server: FixtureServer) -> None:
    routes: dict[str, Any] = {f"/r{i}": redirect(302, f"/r{i + 1}") for i in range(6)}
    routes["/r6"] = Response(200, FEED, RSS)
    server.routes.update(routes)
    assert fetch(server.url("/r1")).final_url == server.url("/r6")  # five hops
    server.requests.clear()
    error = fetch_error(server.url("/r0"))
    asked = [request.path for request in server.requests]
    assert error.reason == "too_many_redirects"
    assert server.url("/r0") in error.message
    assert asked == ["/r0", "/r1", "/r2", "/r3", "/r4", "/r5"]


def test_redirect_loop_ends_as_too_many_redirects(server: FixtureServer) -> None:
    routes = {"/a": redirect(301, "/b"), "/b": redirect(301, "/a")}
    server.routes.update(routes)
    assert fetch_error(server.url("/a")).reason == "too_many_redirects"


@pytest.mark.parametrize(
    ("response", "detail"),
    [
        (redirect(301, "ftp://127.0.0.1/feed.xml"), "not an http(s) URL"),
        (redirect(302, "javascript:alert(1)"), "not an http(s) URL"),
        (Response(301, b"moved"), "without a Location header"),
    ],
)
def test_redirect_to_nowhere_fetchable_is_bad_redirect(
    server: FixtureServer, response: Response, detail: str
) -> None:
    server.routes.update({"/feed/": response})
    error = fetch_error(server.url("/feed/"))
    assert len(server.requests) == 1
    assert error.reason == "bad_redirect"
    assert detail in error.message


# --- time and size limits ---------------------------------------------------------------------


def test_slow_server_hits_the_total_timeout(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(200, FEED, RSS, delay_s=3.0)})
    error = fetch_error(server.url("/feed/"), local(total_timeout=0.3))
    assert error.reason == "timeout"
    assert server.url("/feed/") in error.message


def test_trickling_body_hits_the_total_timeout(server: FixtureServer) -> None:
    # Headers come at once, then 1 KiB every 0.05 s: 64 KiB would take 3 s.
    body = b"<!-- slow -->" * 5000
    server.routes.update({"/feed/": Response(200, body, RSS, chunk_delay_s=0.05)})
    error = fetch_error(server.url("/feed/"), local(total_timeout=0.5))
    assert error.reason == "timeout"


def test_timeout_covers_the_whole_redirect_chain(server: FixtureServer) -> None:
    routes = {
        "/a": Response(302, b"", {"Location": "/b"}, delay_s=0.3),
        "/b": Response(302, b"", {"Location": "/c"}, delay_s=0.3),
        "/c": Response(200, FEED, RSS, delay_s=0.3),
    }
    server.routes.update(routes)
    error = fetch_error(server.url("/a"), local(total_timeout=0.7))
    assert error.reason == "timeout"
    assert "redirected from" in error.message


def test_body_over_max_bytes_is_too_large_and_not_read_to_the_end(server: FixtureServer) -> None:
    # Reading the whole 200 KiB trickle would take 10 s, far past the 3 s total timeout:
    # getting too_large rather than timeout shows the fetcher stopped early.
    body = b"x" * (200 * 1024)
    server.routes.update({"/big": Response(200, body, RSS, chunk_delay_s=0.05)})
    error = fetch_error(server.url("/big"), local(total_timeout=3, max_bytes=8192))
    assert error.reason == "too_large"
    assert "8192" in error.message


def test_gzip_bomb_is_stopped_by_decoded_size(server: FixtureServer) -> None:
    # 16 MiB of zeros compress to ~16 KiB; sent at 0.25 s per KiB the whole would take 4 s.
    bomb = gzip.compress(bytes(16 * 1024 * 1024))
    assert len(bomb) < 64 * 1024
    headers = {**RSS, "Content-Encoding": "gzip"}
    server.routes.update({"/bomb": Response(200, bomb, headers, chunk_delay_s=0.25)})
    error = fetch_error(server.url("/bomb"), local(total_timeout=2.0, max_bytes=256 * 1024))
    assert error.reason == "too_large"


def test_body_of_exactly_max_bytes_is_accepted(server: FixtureServer) -> None:
    body = b"y" * 4096
    server.routes.update({"/edge": Response(200, body, gzip=True)})
    assert fetch(server.url("/edge"), local(max_bytes=4096)).content == body


def test_gzip_body_is_decoded(server: FixtureServer) -> None:
    body = FEED * 50
    server.routes.update({"/feed/": Response(200, body, RSS, gzip=True)})
    result = fetch(server.url("/feed/"))
    sent = server.requests[0].headers
    assert "gzip" in sent["accept-encoding"]
    assert result.content == body


@pytest.mark.parametrize("wrapped", [True, False], ids=["zlib", "raw"])
def test_deflate_body_is_decoded(server: FixtureServer, wrapped: bool) -> None:
    body = FEED * 20
    compressor = zlib.compressobj(wbits=zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)
    data = compressor.compress(body) + compressor.flush()
    headers = {**RSS, "Content-Encoding": "deflate"}
    server.routes.update({"/feed/": Response(200, data, headers)})
    assert fetch(server.url("/feed/")).content == body


def test_corrupt_gzip_is_a_protocol_error(server: FixtureServer) -> None:
    headers = {**RSS, "Content-Encoding": "gzip"}
    server.routes.update({"/feed/": Response(200, b"this is not gzip", headers)})
    assert fetch_error(server.url("/feed/")).reason == "protocol"


def test_truncated_body_is_reported(server: FixtureServer) -> None:
    body = b"z" * 5000
    server.routes.update({"/feed/": Response(200, body, RSS, truncate_at=1000)})
    error = fetch_error(server.url("/feed/"))
    assert error.reason == "truncated"
    assert "1000 of 5000" in error.message


def test_truncated_gzip_body_is_reported(server: FixtureServer) -> None:
    data = gzip.compress(FEED * 200)
    headers = {**RSS, "Content-Encoding": "gzip"}
    server.routes.update({"/feed/": Response(200, data, headers, truncate_at=50)})
    assert fetch_error(server.url("/feed/")).reason == "truncated"


# --- HTTP errors --------------------------------------------------------------------------------


def test_404_and_500_become_http_reasons(server: FixtureServer) -> None:
    server.routes.update({"/broken": Response(500, b"oops")})
    missing = fetch_error(server.url("/gone/"))
    broken = fetch_error(server.url("/broken"))
    assert missing.reason == "http_404"
    assert missing.message == f"HTTP 404 Not Found for {server.url('/gone/')}"
    assert missing.retry_after is None
    assert broken.reason == "http_500"
    assert "HTTP 500 Internal Server Error" in broken.message


def test_429_with_retry_after_seconds(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(429, b"", {"Retry-After": "120"})})
    error = fetch_error(server.url("/feed/"))
    assert error.reason == "http_429"
    assert error.retry_after == 120.0
    assert "retry after 120 s" in error.message


def test_503_with_retry_after_date(server: FixtureServer) -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    header = {"Retry-After": format_datetime(now + timedelta(seconds=90), usegmt=True)}
    server.routes["/feed/"] = Response(503, b"", header)
    with pytest.raises(FetchError) as info:
        run(lambda f: f.fetch(server.url("/feed/")), clock=lambda: now)
    assert info.value.reason == "http_503"
    assert info.value.retry_after == 90.0


def test_503_without_retry_after(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(503)})
    error = fetch_error(server.url("/feed/"))
    assert (error.reason, error.retry_after) == ("http_503", None)


# --- connection failures ------------------------------------------------------------------------


def test_closed_port_is_refused() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    error = fetch_error(f"http://127.0.0.1:{port}/feed/")
    assert error.reason == "refused"
    assert f"127.0.0.1:{port}" in error.message


def test_https_to_a_plain_http_server_is_a_tls_error(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(200, FEED)})
    error = fetch_error(f"https://127.0.0.1:{server.port}/feed/")
    assert error.reason == "tls"


# --- manners: headers and concurrency -----------------------------------------------------------


def test_headers_name_the_network_and_prefer_feeds(server: FixtureServer) -> None:
    server.routes.update({"/feed/": Response(200, FEED, RSS)})
    fetch(server.url("/feed/"))
    sent = server.requests[0].headers
    assert NETWORK_NAME in sent["user-agent"]
    assert CONTACT_URL in sent["user-agent"]
    accept = sent["accept"]
    assert accept.index("application/rss+xml") < accept.index("text/html")


class Recorder:
    """A route that holds each request for a moment and records when it was being served."""

    def __init__(self, log: list[tuple[str, float, float]], name: str, hold_s: float = 0.2):
        self.log = log
        self.name = name
        self.hold_s = hold_s
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Response:
        start = time.monotonic()
        time.sleep(self.hold_s)
        with self.lock:
            self.log.append((self.name, start, time.monotonic()))
        return Response(200, FEED, RSS)


def overlap(a: tuple[str, float, float], b: tuple[str, float, float]) -> bool:
    return a[1] < b[2] and b[1] < a[2]


def most_at_once(log: list[tuple[str, float, float]]) -> int:
    """The largest number of requests that were being served at the same moment."""
    return max(sum(1 for _, start, end in log if start <= moment < end) for _, moment, _ in log)


def fetch_all(urls: list[str], settings: FetchSettings) -> list[FetchResult]:
    async def work(fetcher: Fetcher) -> list[FetchResult]:
        async with asyncio.timeout(10):  # a deadlock fails the test instead of hanging it
            return list(await asyncio.gather(*(fetcher.fetch(url) for url in urls)))

    return run(work, settings)


def test_one_request_per_host_at_a_time_but_hosts_in_parallel(
    server: FixtureServer, other: FixtureServer
) -> None:
    log: list[tuple[str, float, float]] = []
    server.routes["/feed/"] = Recorder(log, "a")
    other.routes["/feed/"] = Recorder(log, "b")
    results = fetch_all([server.url("/feed/")] * 3 + [other.url("/feed/")] * 3, QUICK)
    assert [r.status for r in results] == [200] * 6
    a_log = [entry for entry in log if entry[0] == "a"]
    b_log = [entry for entry in log if entry[0] == "b"]
    assert len(a_log) == len(b_log) == 3
    assert most_at_once(a_log) == 1
    assert most_at_once(b_log) == 1
    assert any(overlap(x, y) for x in a_log for y in b_log)


def test_per_host_limit_can_be_raised(server: FixtureServer) -> None:
    log: list[tuple[str, float, float]] = []
    server.routes["/feed/"] = Recorder(log, "a")
    fetch_all([server.url("/feed/")] * 4, local(per_host_limit=2))
    assert most_at_once(log) == 2


def test_global_limit_is_respected(server: FixtureServer, other: FixtureServer) -> None:
    log: list[tuple[str, float, float]] = []
    server.routes["/feed/"] = Recorder(log, "a")
    other.routes["/feed/"] = Recorder(log, "b")
    settings = local(global_limit=2, per_host_limit=3)
    fetch_all([server.url("/feed/"), other.url("/feed/")] * 3, settings)
    assert len(log) == 6
    assert most_at_once(log) == 2


def test_crossing_redirects_between_hosts_do_not_deadlock(
    server: FixtureServer, other: FixtureServer
) -> None:
    # a/x -> b/feed while b/y -> a/feed: each fetch holds one host's slot per hop only.
    log: list[tuple[str, float, float]] = []
    a, b = server, other
    a.routes["/feed/"] = Recorder(log, "a", 0.1)
    b.routes["/feed/"] = Recorder(log, "b", 0.1)
    a.routes["/x"] = Response(302, b"", {"Location": b.url("/feed/")}, delay_s=0.1)
    b.routes["/y"] = Response(302, b"", {"Location": a.url("/feed/")}, delay_s=0.1)
    results = fetch_all([a.url("/x"), b.url("/y")], QUICK)
    assert [r.final_url for r in results] == [b.url("/feed/"), a.url("/feed/")]


# --- URL safety: nothing inside is reached ------------------------------------------------------

PUBLIC = "93.184.216.34"  # what the test resolver answers for a member's host name


class Nat(httpcore.AsyncNetworkBackend):
    """The network below the guard: it records every address the guard connects to and
    carries the public test address to the fixture servers on 127.0.0.1 (no internet here)."""

    def __init__(self) -> None:
        self.real = httpcore.AnyIOBackend()
        self.connected: list[tuple[str, int]] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append((host, port))
        target = "127.0.0.1" if host == PUBLIC else host
        return await self.real.connect_tcp(target, port, timeout=timeout)

    async def sleep(self, seconds: float) -> None:
        await self.real.sleep(seconds)


class Names:
    """An injected resolver: a table of names, and a log of what was asked."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


def guarded(url: str, names: Names, nat: Nat, **kw: Any) -> FetchResult:
    """Fetch with the default (public only) policy through the real guarded transport."""
    settings = FetchSettings(connect_timeout=2.0, total_timeout=5.0)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    transport = guarded_transport(limits, resolver=names, inner=nat)
    return run(lambda f: f.fetch(url, **kw), settings, transport=transport)


def guarded_error(url: str, names: Names, nat: Nat) -> FetchError:
    with pytest.raises(FetchError) as info:
        guarded(url, names, nat)
    assert "\n" not in str(info.value)
    return info.value


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_default_settings_refuse_the_loopback_server_in_every_spelling(
    server: FixtureServer,
) -> None:
    server.routes["/feed/"] = Response(200, FEED, RSS)
    port = server.port
    for host in ("127.0.0.1", "0x7f.1", "2130706433", "017700000001", "127.1", "localhost"):
        error = fetch_error(f"http://{host}:{port}/feed/", FetchSettings())
        assert error.reason == "blocked_address", host
        assert "AGGREGATOR_ALLOW_PRIVATE_URLS" in error.message
    for host in ("[::1]", "[::ffff:127.0.0.1]"):
        assert fetch_error(f"http://{host}:{port}/feed/", FetchSettings()).reason == (
            "blocked_address"
        )
    assert server.requests == []  # refused before anything was sent


def test_a_member_host_resolved_to_a_public_address_is_fetched(server: FixtureServer) -> None:
    server.routes["/feed/"] = Response(200, FEED, RSS)
    names, nat = Names({"forum.example": [PUBLIC]}), Nat()
    result = guarded(f"http://forum.example:{server.port}/feed/", names, nat)
    assert result.content == FEED
    assert names.asked == ["forum.example"]
    assert nat.connected == [(PUBLIC, server.port)]  # an address, never the name
    assert server.requests[0].headers["host"] == f"forum.example:{server.port}"


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:{closed}/admin",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:127.0.0.1]:{closed}/",
        "http://0x7f.1:{closed}/",
        "http://2130706433:{closed}/",
        "http://[::1]:{closed}/",
        "http://internal.example:{closed}/",
        "http://localhost:{closed}/",
        "http://mixed.example/",
    ],
)
def test_a_redirect_inside_is_blocked_without_connecting(
    server: FixtureServer, location: str
) -> None:
    closed = closed_port()
    server.routes["/feed/"] = redirect(302, location.format(closed=closed))
    names = Names(
        {
            "forum.example": [PUBLIC],
            "internal.example": ["10.0.0.1"],
            "localhost": ["127.0.0.1", "::1"],
            "mixed.example": [PUBLIC, "192.168.1.10"],  # one bad address refuses the host
        }
    )
    nat = Nat()
    error = guarded_error(f"http://forum.example:{server.port}/feed/", names, nat)
    assert error.reason == "blocked_address"
    assert "redirected from" in error.message
    assert nat.connected == [(PUBLIC, server.port)]  # only the member's own server
    assert len(server.requests) == 1


def test_a_name_that_resolves_inside_is_blocked(server: FixtureServer) -> None:
    names, nat = Names({"intranet.example": ["10.0.0.1"]}), Nat()
    error = guarded_error(f"http://intranet.example:{server.port}/feed/", names, nat)
    assert error.reason == "blocked_address"
    assert "10.0.0.1" in error.message
    assert nat.connected == []


def test_dns_rebinding_finds_only_the_checked_address(server: FixtureServer) -> None:
    """The resolver answers a public address once, then 127.0.0.1: no connection goes there."""
    answers = iter([[PUBLIC], ["127.0.0.1"], ["127.0.0.1"]])
    asked: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        asked.append(host)
        return next(answers)

    server.routes["/feed/"] = Response(200, FEED, RSS)
    nat = Nat()
    url = f"http://rebind.example:{server.port}/feed/"
    settings = FetchSettings(connect_timeout=2.0, total_timeout=5.0)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)

    async def twice() -> list[FetchResult | FetchError]:
        outcomes: list[FetchResult | FetchError] = []
        for _ in range(2):  # a Fetcher each: a new connection each, so a new lookup each
            transport = guarded_transport(limits, resolver=rebinding, inner=nat)
            async with Fetcher(settings, transport=transport) as fetcher:
                try:
                    outcomes.append(await fetcher.fetch(url))
                except FetchError as exc:
                    outcomes.append(exc)
        return outcomes

    ok, refused = asyncio.run(twice())
    assert isinstance(ok, FetchResult) and ok.content == FEED
    assert isinstance(refused, FetchError) and refused.reason == "blocked_address"
    assert asked == ["rebind.example", "rebind.example"]  # one lookup per connection
    assert nat.connected == [(PUBLIC, server.port)]  # connected to what was checked, once
    assert len(server.requests) == 1


def test_a_failed_lookup_of_the_injected_resolver_is_a_dns_error(server: FixtureServer) -> None:
    error = guarded_error(f"http://gibt-es-nicht.example:{server.port}/", Names({}), Nat())
    assert error.reason == "dns"
    assert "gibt-es-nicht.example" in error.message


def test_allowed_private_addresses_reach_the_fixture_server_through_the_resolver(
    server: FixtureServer,
) -> None:
    server.routes["/feed/"] = Response(200, FEED, RSS)
    names = Names({"forum.test": ["127.0.0.1"]})  # .test never resolves through real DNS
    url = f"http://forum.test:{server.port}/feed/"
    assert fetch_error(url, FetchSettings(resolver=names)).reason == "blocked_address"
    assert server.requests == []
    result = fetch(url, local(resolver=names))
    assert result.content == FEED
    assert names.asked == ["forum.test", "forum.test"]
    assert server.requests[0].headers["host"] == f"forum.test:{server.port}"


def test_link_local_stays_blocked_when_private_addresses_are_allowed(
    server: FixtureServer,
) -> None:
    server.routes["/feed/"] = redirect(301, "http://169.254.169.254/latest/meta-data/")
    error = fetch_error(server.url("/feed/"))
    assert error.reason == "blocked_address"
    assert "link-local" in error.message
    assert "AGGREGATOR_ALLOW_PRIVATE_URLS" not in error.message  # it would not help


def test_validators_are_not_sent_to_another_host(
    server: FixtureServer, other: FixtureServer
) -> None:
    other.routes["/feed/"] = Response(200, FEED, RSS)
    server.routes["/old/"] = redirect(302, "/moved/")
    server.routes["/moved/"] = redirect(302, other.url("/feed/"))
    stamp = "Mon, 23 Nov 2026 10:00:00 GMT"
    result = fetch(server.url("/old/"), etag='"v1"', last_modified=stamp)
    assert result.status == 200
    same_origin = [request.headers for request in server.requests]
    assert [h.get("if-none-match") for h in same_origin] == ['"v1"', '"v1"']
    assert [h.get("if-modified-since") for h in same_origin] == [stamp, stamp]
    (elsewhere,) = [request.headers for request in other.requests]
    assert "if-none-match" not in elsewhere
    assert "if-modified-since" not in elsewhere
    assert "authorization" not in elsewhere and "cookie" not in elsewhere


def test_urls_with_credentials_are_refused(server: FixtureServer, other: FixtureServer) -> None:
    server.routes["/feed/"] = Response(200, FEED, RSS)
    given = fetch_error(f"http://user:geheim@127.0.0.1:{server.port}/feed/")
    assert given.reason == "invalid_url"
    assert "geheim" not in given.message
    other.routes["/feed/"] = Response(200, FEED, RSS)
    server.routes["/go"] = redirect(302, f"http://user:geheim@127.0.0.1:{other.port}/feed/")
    hop = fetch_error(server.url("/go"))
    assert hop.reason == "bad_redirect"
    assert "user name or password" in hop.message
    assert [r.path for r in server.requests] == ["/go"]
    assert other.requests == []


# --- connections: one per host, reused while fresh; a cut-off body is never reused ----------


def test_feeds_of_one_host_share_a_connection_a_cut_body_does_not(server: FixtureServer) -> None:
    server.routes["/a.xml"] = Response(200, b"<rss/>" * 10)
    server.routes["/b.xml"] = Response(200, b"<rss/>" * 10)
    server.routes["/big.xml"] = Response(200, b"x" * 5000)
    port = server.port
    names, nat = Names({"forum.example": [PUBLIC]}), Nat()
    settings = FetchSettings(connect_timeout=2.0, total_timeout=5.0, max_bytes=1000)
    transport = guarded_transport(httpx.Limits(), resolver=names, inner=nat)

    async def work(fetcher: Fetcher) -> list[str]:
        outcomes = []
        for path in ("/a.xml", "/b.xml", "/big.xml", "/a.xml"):
            try:
                result = await fetcher.fetch(f"http://forum.example:{port}{path}")
                outcomes.append(str(result.status))
            except FetchError as exc:
                outcomes.append(exc.reason)
        return outcomes

    assert run(work, settings, transport=transport) == ["200", "200", "too_large", "200"]
    # a, b and big over the first connection; big was cut off, so the last a needs a new one
    assert nat.connected == [(PUBLIC, port), (PUBLIC, port)]
    assert names.asked == ["forum.example", "forum.example"]  # each connection checked anew
