"""When is a source next due? Pure: takes `now` and a random source, returns datetimes.

After a success the source waits its interval, longer if the server asked for it (Cache-Control
max-age, RSS <ttl>), never less than MIN_INTERVAL_MINUTES and never more than a day. After a
failure it backs off exponentially from its interval, with jitter so that many failing sources do
not all come back in the same second, capped at a day, and at least as long as a Retry-After.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from aggregator.model import MIN_INTERVAL_MINUTES, FetchState, Source

MAX_WAIT = timedelta(hours=24)
MIN_WAIT = timedelta(minutes=MIN_INTERVAL_MINUTES)


def is_due(source: Source, state: FetchState | None, now: datetime) -> bool:
    """A source is due when it was never fetched, its feed URL changed, or its time has come."""
    if not source.enabled or not source.feed:
        return False
    if state is None or state.next_fetch_at is None or state.url != source.feed:
        return True
    return state.next_fetch_at <= now


def after_success(
    source: Source,
    now: datetime,
    *,
    max_age_s: float | None = None,
    ttl_minutes: int | None = None,
) -> datetime:
    wait = timedelta(minutes=max(source.interval_minutes, MIN_INTERVAL_MINUTES))
    if max_age_s:
        wait = max(wait, timedelta(seconds=max_age_s))
    if ttl_minutes:
        wait = max(wait, timedelta(minutes=ttl_minutes))
    return now + min(wait, MAX_WAIT)


def after_failure(
    source: Source,
    now: datetime,
    failures: int,
    *,
    retry_after_s: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """`failures` counts this one too (1 after the first failure)."""
    rng = rng or random.Random()
    base = timedelta(minutes=max(source.interval_minutes, MIN_INTERVAL_MINUTES))
    exponent = min(max(failures - 1, 0), 16)  # 2**16 intervals is far past the cap anyway
    wait: timedelta = min(base * (2**exponent), MAX_WAIT)
    wait = min(wait * rng.uniform(1.0, 1.25), MAX_WAIT)
    if retry_after_s:
        wait = max(wait, min(timedelta(seconds=retry_after_s), MAX_WAIT))
    return now + wait
