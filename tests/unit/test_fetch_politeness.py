"""Spacing between requests to one host, with a fake clock: no real waiting."""

from __future__ import annotations

import asyncio

import pytest

from aggregator.fetch.politeness import HostSpacing


class FakeTime:
    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(round(seconds, 6))


def spacing(delay: float, t: FakeTime) -> HostSpacing:
    return HostSpacing(delay, clock=t.clock, sleep=t.sleep)


def test_requests_to_one_host_wait_their_turn_in_order() -> None:
    t = FakeTime()
    gap = spacing(2.0, t)

    async def three() -> None:
        for path in ("/a", "/b", "/c"):
            await gap.wait("https://forum.example" + path)

    asyncio.run(three())
    assert t.slept == [2.0, 4.0]  # the first goes at once; clock stood still


def test_other_hosts_do_not_wait_for_each_other() -> None:
    t = FakeTime()
    gap = spacing(2.0, t)

    async def two() -> None:
        await gap.wait("https://a.example/x")
        await gap.wait("https://b.example/x")

    asyncio.run(two())
    assert t.slept == []


def test_time_that_has_passed_counts() -> None:
    t = FakeTime()
    gap = spacing(2.0, t)

    async def two() -> None:
        await gap.wait("https://a.example/1")
        t.now += 1.5
        await gap.wait("https://a.example/2")
        t.now += 5
        await gap.wait("https://a.example/3")

    asyncio.run(two())
    assert t.slept == [0.5]


def test_crawl_delay_lengthens_the_gap_but_never_shortens_it() -> None:
    t = FakeTime()
    gap = spacing(2.0, t)

    async def go() -> None:
        await gap.wait("https://a.example/1", at_least_s=10.0)
        await gap.wait("https://a.example/2", at_least_s=0.5)
        await gap.wait("https://a.example/3")

    asyncio.run(go())
    assert t.slept == [10.0, 12.0]


def test_a_negative_or_nan_delay_is_refused() -> None:
    with pytest.raises(ValueError):
        HostSpacing(-1.0)
    with pytest.raises(ValueError):
        HostSpacing(float("nan"))
