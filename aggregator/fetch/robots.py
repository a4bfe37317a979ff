"""robots.txt: fetched once per site, cached, obeyed for our User-Agent (RFC 9309, via protego).

Scraping reads pages a site did not publish for machines, so it asks first. The rules of one
origin (scheme, host, port) are fetched through the crawler's own `Fetcher` (URL safety, size
cap and timeouts apply) and kept for as long as the response's Cache-Control allows, at most a
day (`MAX_AGE_S`); without caching headers, a day.

What an answer means (RFC 9309 §2.3.1):
- 2xx with rules: obeyed (`Disallow`, `Allow`, wildcards, `Crawl-delay`);
- 2xx that is an HTML page (a CMS's error page served for every path): it holds no rules, so
  everything is allowed, and the verdict says so;
- 4xx (no robots.txt): everything is allowed;
- 5xx or no answer: nothing is allowed for now (the site may be in trouble); not cached, asked
  again on the next crawl.

`RobotsCache` is plain data and lives as long as the process (`aggregator run` keeps it across
ticks); `Robots` is one crawl's view of it, which fetches each origin's file once even when
several sources of one site ask at the same time.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from aggregator.errors import FetchError
from aggregator.fetch.client import Fetcher

MAX_AGE_S = 24 * 60 * 60  # RFC 9309: a cached robots.txt should not be used longer than a day
MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 §2.5: at least 500 KiB must be parsed; the rest is not
MAX_CRAWL_DELAY_S = 60.0  # a Crawl-delay beyond a minute is taken as a minute


@dataclass(frozen=True, slots=True)
class RobotsRules:
    """What one origin's robots.txt says for our User-Agent."""

    origin: str  # "https://example.org"
    parser: Protego | None  # None: no usable rules (everything allowed, or see `blocked`)
    agent: str
    blocked: str | None = None  # why nothing may be fetched for now (robots.txt unreachable)
    note: str | None = None  # e.g. "robots.txt is an HTML page; it holds no rules"

    def allows(self, url: str) -> bool:
        if self.blocked is not None:
            return False
        return self.parser is None or bool(self.parser.can_fetch(url, self.agent))

    @property
    def crawl_delay(self) -> float | None:
        """Seconds the site asks between our requests (Crawl-delay), capped at a minute."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(self.agent)
        if delay is None:
            return None
        try:
            value = float(delay)
        except (TypeError, ValueError):
            return None
        if value != value or value <= 0:  # NaN or nothing asked
            return None
        return min(value, MAX_CRAWL_DELAY_S)


@dataclass
class RobotsCache:
    """Rules by origin with their expiry (monotonic seconds). Plain data; see `Robots`."""

    entries: dict[str, tuple[RobotsRules, float]] = field(default_factory=dict)

    def get(self, origin: str, now: float) -> RobotsRules | None:
        found = self.entries.get(origin)
        if found is None or found[1] <= now:
            return None
        return found[0]

    def put(self, rules: RobotsRules, now: float, max_age_s: float) -> None:
        if max_age_s > 0:
            self.entries[rules.origin] = (rules, now + min(max_age_s, MAX_AGE_S))


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


class Robots:
    """One crawl's access to robots.txt: `await robots.rules_for(url)`."""

    def __init__(
        self,
        fetcher: Fetcher,
        cache: RobotsCache | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetcher = fetcher
        self.cache = cache if cache is not None else RobotsCache()
        self.clock = clock
        self.agent = fetcher.settings.user_agent
        self._pending: dict[str, asyncio.Future[RobotsRules]] = {}

    async def rules_for(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        cached = self.cache.get(origin, self.clock())
        if cached is not None:
            return cached
        pending = self._pending.get(origin)
        if pending is not None:
            return await asyncio.shield(pending)
        future: asyncio.Future[RobotsRules] = asyncio.get_running_loop().create_future()
        self._pending[origin] = future
        try:
            rules, max_age = await self._fetch(origin)
            self.cache.put(rules, self.clock(), max_age)
            future.set_result(rules)
            return rules
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved: no "never retrieved" warning when nobody waits
            raise
        finally:
            del self._pending[origin]

    async def _fetch(self, origin: str) -> tuple[RobotsRules, float]:
        url = origin + "/robots.txt"
        try:
            result = await self.fetcher.fetch(url)
        except FetchError as exc:
            status = _status_of(exc.reason)
            if status is not None and 400 <= status < 500:
                return RobotsRules(origin, None, self.agent), MAX_AGE_S
            reason = f"robots.txt of {origin} could not be read ({exc.reason})"
            return RobotsRules(origin, None, self.agent, blocked=reason), 0
        max_age = result.max_age if result.max_age is not None else MAX_AGE_S
        body = result.content[:MAX_ROBOTS_BYTES]
        if _is_html(result.content_type, body):
            note = f"robots.txt of {origin} is an HTML page; it holds no rules"
            return RobotsRules(origin, None, self.agent, note=note), max_age
        text = body.decode("utf-8", errors="replace")
        return RobotsRules(origin, Protego.parse(text), self.agent), max_age


def _status_of(reason: str) -> int | None:
    if reason.startswith("http_") and reason[5:].isdigit():
        return int(reason[5:])
    return None


def _is_html(content_type: str | None, body: bytes) -> bool:
    if content_type and "html" in content_type.lower():
        return True
    start = body.lstrip()[:15].lower()
    return start.startswith((b"<!doctype", b"<html", b"<head", b"<body"))
