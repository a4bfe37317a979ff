"""When a source is next due: intervals, server hints, exponential backoff with jitter."""

import random
from datetime import UTC, datetime, timedelta

from aggregator import pacing
from aggregator.model import FetchState, Source

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCE = Source(
    "leipzig",
    "Stadtforum Leipzig",
    "Leipzig",
    "https://a.example/",
    "https://a.example/feed/",
    interval_minutes=60,
)


def test_never_fetched_or_moved_url_is_due() -> None:
    assert pacing.is_due(SOURCE, None, NOW)
    moved = FetchState("leipzig", url="https://old.example/feed/", next_fetch_at=NOW + timedelta(1))
    assert pacing.is_due(SOURCE, moved, NOW)


def test_due_only_when_time_has_come() -> None:
    later = FetchState("leipzig", url=SOURCE.feed, next_fetch_at=NOW + timedelta(minutes=1))
    assert not pacing.is_due(SOURCE, later, NOW)
    assert pacing.is_due(SOURCE, later, NOW + timedelta(minutes=1))


def test_disabled_source_is_never_due() -> None:
    disabled = Source("x", "X", None, "https://x.example/", "https://x.example/f", enabled=False)
    assert not pacing.is_due(disabled, None, NOW)


def test_success_waits_interval_or_longer_server_hint_capped_at_a_day() -> None:
    assert pacing.after_success(SOURCE, NOW) == NOW + timedelta(minutes=60)
    assert pacing.after_success(SOURCE, NOW, max_age_s=600) == NOW + timedelta(minutes=60)
    assert pacing.after_success(SOURCE, NOW, ttl_minutes=120) == NOW + timedelta(minutes=120)
    assert pacing.after_success(SOURCE, NOW, max_age_s=7200) == NOW + timedelta(hours=2)
    assert pacing.after_success(SOURCE, NOW, max_age_s=10**9) == NOW + timedelta(hours=24)


def test_backoff_doubles_with_jitter_and_is_capped() -> None:
    rng = random.Random(1)
    waits = [pacing.after_failure(SOURCE, NOW, n, rng=rng) - NOW for n in range(1, 10)]
    for n, wait in enumerate(waits[:5], start=1):
        base = timedelta(minutes=60 * 2 ** (n - 1))
        assert base <= wait <= base * 1.25
    assert waits[-1] == timedelta(hours=24)
    assert all(w <= timedelta(hours=24) for w in waits)


def test_retry_after_is_honoured() -> None:
    wait = pacing.after_failure(SOURCE, NOW, 1, retry_after_s=5 * 3600, rng=random.Random(0))
    assert wait == NOW + timedelta(hours=5)


def test_absurd_numbers_from_outside_are_clamped_never_overflow() -> None:
    huge = 99999999999999999
    assert pacing.after_success(SOURCE, NOW, ttl_minutes=huge) == NOW + pacing.MAX_WAIT
    assert pacing.after_success(SOURCE, NOW, max_age_s=float(huge)) == NOW + pacing.MAX_WAIT
    assert pacing.after_success(SOURCE, NOW, max_age_s=float("inf")) == NOW + pacing.MAX_WAIT
    assert pacing.after_success(SOURCE, NOW, max_age_s=float("nan")) == NOW + timedelta(hours=1)
    assert pacing.after_success(SOURCE, NOW, ttl_minutes=-5) == NOW + timedelta(hours=1)
    rng = random.Random(1)
    assert pacing.after_failure(SOURCE, NOW, 10**9, retry_after_s=1e300, rng=rng) == (
        NOW + pacing.MAX_WAIT
    )
    # an interval no config check has seen (sources added by other means later)
    odd = Source("x", "X", None, "https://x.example/", "https://x.example/f", interval_minutes=huge)
    assert pacing.after_success(odd, NOW) == NOW + pacing.MAX_WAIT
    assert pacing.after_failure(odd, NOW, 3, rng=rng) == NOW + pacing.MAX_WAIT
