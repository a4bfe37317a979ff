from datetime import UTC, datetime, timedelta

import pytest

from aggregator.web.throttle import Throttle

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_sixth_attempt_in_the_window_is_blocked_until_the_first_leaves_it() -> None:
    throttle = Throttle(limit=5, per_s=900)
    for n in range(5):
        assert not throttle.blocked("account:anna", T0 + timedelta(seconds=n))
        throttle.hit("account:anna", T0 + timedelta(seconds=n))
    assert throttle.blocked("account:anna", T0 + timedelta(seconds=10))
    assert throttle.retry_after("account:anna", T0 + timedelta(seconds=10)) == 890
    assert not throttle.blocked("account:bert", T0)  # keys are separate
    assert not throttle.blocked("account:anna", T0 + timedelta(seconds=900))


def test_reset_clears_a_key() -> None:
    throttle = Throttle(limit=1, per_s=60)
    throttle.hit("k", T0)
    assert throttle.blocked("k", T0)
    throttle.reset("k")
    assert not throttle.blocked("k", T0)


def test_a_flood_of_keys_keeps_memory_bounded_and_forgets_the_oldest_first() -> None:
    throttle = Throttle(limit=1, per_s=60, max_keys=100)
    throttle.hit("old", T0)
    for n in range(3_000):
        throttle.hit(f"address:{n}", T0)
    assert len(throttle._hits) == 100
    assert not throttle.blocked("old", T0)
    assert throttle.blocked("address:2999", T0)


def test_absurd_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        Throttle(limit=0, per_s=60)
    with pytest.raises(ValueError):
        Throttle(limit=1, per_s=0)
