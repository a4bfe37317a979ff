"""Attempts per key in a sliding time window, in memory (one web process serves the site).

    throttle = Throttle(limit=5, per_s=900)
    if throttle.blocked(key, now): refuse
    throttle.hit(key, now)        # count a failed login, a form post …
    throttle.reset(key)           # e.g. after a successful login

Memory is bounded: at most `max_keys` keys are kept, the ones not hit for longest go first, so a
flood of made-up addresses costs a fixed amount of memory (and may forget an old key early,
which only ever allows an attempt more, never locks anyone out wrongly).
"""

from __future__ import annotations

from collections import OrderedDict, deque
from datetime import datetime, timedelta
from threading import Lock


class Throttle:
    def __init__(self, limit: int, per_s: float, max_keys: int = 100_000) -> None:
        if limit < 1 or per_s <= 0:
            raise ValueError("limit must be >= 1 and per_s > 0")
        self.limit = limit
        self.window = timedelta(seconds=per_s)
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[datetime]] = OrderedDict()
        self._lock = Lock()

    def blocked(self, key: str, now: datetime) -> bool:
        """Whether `key` has used up its attempts of the window ending at `now`."""
        with self._lock:
            hits = self._recent(key, now)
            return hits is not None and len(hits) >= self.limit

    def hit(self, key: str, now: datetime) -> None:
        """Count one attempt of `key` at `now`."""
        with self._lock:
            hits = self._recent(key, now)
            if hits is None:
                hits = self._hits[key] = deque()
            hits.append(now)
            self._hits.move_to_end(key)
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)

    def reset(self, key: str) -> None:
        with self._lock:
            self._hits.pop(key, None)

    def retry_after(self, key: str, now: datetime) -> float:
        """Seconds until `key` may try again (0 when it may now)."""
        with self._lock:
            hits = self._recent(key, now)
            if hits is None or len(hits) < self.limit:
                return 0.0
            return max(0.0, (hits[-self.limit] + self.window - now).total_seconds())

    def _recent(self, key: str, now: datetime) -> deque[datetime] | None:
        hits = self._hits.get(key)
        if hits is None:
            return None
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if not hits:
            del self._hits[key]
            return None
        return hits
