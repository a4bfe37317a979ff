"""When is a source next due? Pure: takes `now` and a random source, returns datetimes.

After a success the source waits its interval, longer if the server asked for it (Cache-Control
max-age, RSS <ttl>), never less than MIN_INTERVAL_MINUTES and never more than a day. After a
failure it backs off exponentially from its interval, with jitter so that many failing sources do
not all come back in the same second, capped at a day, and at least as long as a Retry-After.

Every number here can come from outside (a feed's <ttl>, a server's header, sources.yaml): each
is clamped to [0, MAX_WAIT] *before* it becomes a timedelta, so no value can overflow, and a
negative or NaN one counts as absent.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta

from aggregator.model import MIN_INTERVAL_MINUTES, FetchState, Source

MAX_WAIT = timedelta(hours=24)
MIN_WAIT = timedelta(minutes=MIN_INTERVAL_MINUTES)


def is_due(source: Source, state: FetchState | None, now: datetime) -> bool:
    """A source is due when it was never fetched, its URL (feed or news page) changed, or its
    time has come."""
    if not source.enabled or not source.url:
        return False
    if state is None or state.next_fetch_at is None or state.url != source.url:
        return True
    return state.next_fetch_at <= now


def after_success(
    source: Source,
    now: datetime,
    *,
    max_age_s: float | None = None,
    ttl_minutes: int | None = None,
) -> datetime:
    wait = _interval(source)
    wait = max(wait, _seconds(max_age_s), _seconds(ttl_minutes, per=60))
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
    base = _interval(source)
    exponent = min(max(failures - 1, 0), 16)  # 2**16 intervals is far past the cap anyway
    wait: timedelta = min(base * (2**exponent), MAX_WAIT)
    wait = min(wait * rng.uniform(1.0, 1.25), MAX_WAIT)
    return now + max(wait, _seconds(retry_after_s))


def _interval(source: Source) -> timedelta:
    """The source's own interval, within [MIN_WAIT, MAX_WAIT] whatever the config said."""
    minutes = source.interval_minutes
    if not isinstance(minutes, int) or minutes < MIN_INTERVAL_MINUTES:
        return MIN_WAIT
    return min(timedelta(minutes=min(minutes, _MAX_MINUTES)), MAX_WAIT)


_MAX_MINUTES = int(MAX_WAIT.total_seconds() // 60)


def _seconds(value: float | None, *, per: int = 1) -> timedelta:
    """`value` units of `per` seconds as a timedelta in [0, MAX_WAIT]; absent, NaN or < 0 → 0."""
    if value is None:
        return timedelta(0)
    try:
        seconds = float(value) * per
    except (OverflowError, TypeError, ValueError):
        return MAX_WAIT
    if math.isnan(seconds) or seconds <= 0:
        return timedelta(0)
    return timedelta(seconds=min(seconds, MAX_WAIT.total_seconds()))
