"""Politeness of scraping: a pause between requests to one host, and how many article pages a
source may cost per crawl (`ScrapeSettings`).

A feed is one request per interval; scraping a news site is a list page, older list pages and
an article page per new item, so those requests are spaced: each waits until `delay` (2 s by
default, more when the site's robots.txt asks with Crawl-delay) has passed since the previous
request to the same host was allowed to start. Reservations are made without awaiting in
between, so concurrent callers line up in order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_SPACING_S = 2.0
DEFAULT_ARTICLES_PER_RUN = 20


@dataclass(frozen=True, slots=True)
class ScrapeSettings:
    host_spacing_s: float = DEFAULT_SPACING_S  # between two requests to one host
    articles_per_run: int = DEFAULT_ARTICLES_PER_RUN  # article pages per source and crawl

    def __post_init__(self) -> None:
        if not self.host_spacing_s >= 0 or self.articles_per_run < 0:
            raise ValueError("host_spacing_s and articles_per_run must not be negative")


class HostSpacing:
    def __init__(
        self,
        delay_s: float = DEFAULT_SPACING_S,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if not delay_s >= 0:
            raise ValueError("delay_s must not be negative")
        self.delay_s = delay_s
        self.clock = clock
        self.sleep = sleep
        self._next: dict[str, float] = {}  # host → earliest start of its next request

    async def wait(self, url: str, at_least_s: float | None = None) -> None:
        """Wait for the turn of `url`'s host; `at_least_s` (Crawl-delay) may lengthen the gap."""
        host = (urlsplit(url).hostname or "").lower()
        delay = max(self.delay_s, at_least_s or 0.0)
        now = self.clock()
        start = max(now, self._next.get(host, now))
        self._next[host] = start + delay
        if start > now:
            await self.sleep(start - now)
