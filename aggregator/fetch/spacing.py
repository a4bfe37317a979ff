"""Politeness between requests to one host: a pause of at least `delay` seconds (scraping).

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
from urllib.parse import urlsplit

DEFAULT_SPACING_S = 2.0


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
