"""The fetcher's network edge (aggregator.fetch.guard) with a recording stand-in for sockets.

What a real server can show is tested in tests/integration/test_fetch.py; here: which addresses
the guard hands to the network below it, and how often it asks the resolver.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence

import httpcore
import pytest

from aggregator.fetch.guard import BlockedAddressError, GuardedBackend
from aggregator.urls import host_address

PUBLIC = "93.184.216.34"
PUBLIC_V6 = "2606:2800:220:1:248:1893:25c8:1946"


class Stream(httpcore.AsyncNetworkStream):
    def __init__(self, address: str) -> None:
        self.address = address


class Sockets(httpcore.AsyncNetworkBackend):
    """Records every connection asked for; addresses in `refusing` refuse it."""

    def __init__(self, refusing: Sequence[str] = ()) -> None:
        self.refusing = set(refusing)
        self.connected: list[str] = []

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        self.connected.append(host)
        if host in self.refusing:
            raise httpcore.ConnectError("[Errno 111] Connection refused")
        return Stream(host)


class Resolver:
    def __init__(self, *answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked += 1
        return self.answers[min(self.asked, len(self.answers)) - 1]


def connect(backend: GuardedBackend, host: str = "forum.example") -> httpcore.AsyncNetworkStream:
    return asyncio.run(backend.connect_tcp(host, 80, timeout=2))


def test_connects_to_the_address_it_checked_and_asks_once_per_connection() -> None:
    resolver, sockets = Resolver([PUBLIC], ["127.0.0.1"]), Sockets()
    backend = GuardedBackend(resolver=resolver, inner=sockets)
    stream = connect(backend)
    assert isinstance(stream, Stream) and stream.address == PUBLIC
    assert (resolver.asked, sockets.connected) == (1, [PUBLIC])
    with pytest.raises(
        BlockedAddressError, match=r"forum\.example \(127\.0\.0\.1\) is a loopback address"
    ):
        connect(backend)  # the name now points inside: refused, nothing connected
    assert (resolver.asked, sockets.connected) == (2, [PUBLIC])


def test_every_address_of_a_name_is_checked() -> None:
    sockets = Sockets()
    backend = GuardedBackend(resolver=Resolver([PUBLIC, PUBLIC_V6, "10.0.0.1"]), inner=sockets)
    with pytest.raises(BlockedAddressError, match="private"):
        connect(backend)
    assert sockets.connected == []


def test_the_next_checked_address_is_tried_when_one_refuses() -> None:
    sockets = Sockets(refusing=[PUBLIC_V6])
    backend = GuardedBackend(resolver=Resolver([PUBLIC_V6, PUBLIC]), inner=sockets)
    assert isinstance(connect(backend), Stream)
    assert sockets.connected == [PUBLIC_V6, PUBLIC]


def test_when_every_address_refuses_the_refusals_are_reported() -> None:
    sockets = Sockets(refusing=[PUBLIC_V6, PUBLIC])
    backend = GuardedBackend(resolver=Resolver([PUBLIC_V6, PUBLIC]), inner=sockets)
    with pytest.raises(httpcore.ConnectError) as info:
        connect(backend)
    assert isinstance(info.value.__cause__, ExceptionGroup)
    assert len(info.value.__cause__.exceptions) == 2


@pytest.mark.parametrize("host", ["0x7f.1", "2130706433", "127.1", "::ffff:127.0.0.1", "::1"])
def test_literal_addresses_are_judged_without_the_resolver(host: str) -> None:
    resolver, sockets = Resolver([PUBLIC]), Sockets()
    with pytest.raises(BlockedAddressError, match="loopback"):
        connect(GuardedBackend(resolver=resolver, inner=sockets), host)
    assert (resolver.asked, sockets.connected) == (0, [])
    allowed = GuardedBackend(allow_private=True, resolver=resolver, inner=sockets)
    assert isinstance(connect(allowed, host), Stream)
    assert sockets.connected == [str(host_address(host))]  # the address, not the spelling


def test_private_answers_pass_only_when_allowed_and_link_local_never() -> None:
    sockets = Sockets()
    allowed = GuardedBackend(allow_private=True, resolver=Resolver(["10.0.0.1"]), inner=sockets)
    assert isinstance(connect(allowed), Stream)
    metadata = GuardedBackend(
        allow_private=True, resolver=Resolver(["169.254.169.254"]), inner=sockets
    )
    with pytest.raises(BlockedAddressError, match="link-local"):
        connect(metadata)
    assert sockets.connected == ["10.0.0.1"]


def test_a_resolver_answer_that_is_no_address_is_refused() -> None:
    sockets = Sockets()
    backend = GuardedBackend(resolver=Resolver(["localhost"]), inner=sockets)
    with pytest.raises(BlockedAddressError, match="not an IP address"):
        connect(backend)
    assert sockets.connected == []


def test_a_slow_resolver_is_a_connect_timeout() -> None:
    async def slow(host: str, port: int) -> list[str]:
        await asyncio.sleep(5)
        return [PUBLIC]

    backend = GuardedBackend(resolver=slow, inner=Sockets())

    async def main() -> None:
        await backend.connect_tcp("forum.example", 80, timeout=0.05)

    with pytest.raises(httpcore.ConnectTimeout):
        asyncio.run(main())


def test_unix_sockets_are_refused() -> None:
    async def main() -> None:
        await GuardedBackend(inner=Sockets()).connect_unix_socket("/run/docker.sock")

    with pytest.raises(BlockedAddressError):
        asyncio.run(main())


def test_an_address_that_swallows_packets_leaves_time_for_the_next() -> None:
    class Blackhole(Sockets):
        async def connect_tcp(
            self,
            host: str,
            port: int,
            timeout: float | None = None,
            local_address: str | None = None,
            socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
        ) -> httpcore.AsyncNetworkStream:
            self.connected.append(host)
            if host == PUBLIC_V6:
                await asyncio.sleep(timeout or 0)
                raise httpcore.ConnectTimeout("timed out")
            return Stream(host)

    sockets = Blackhole()
    backend = GuardedBackend(resolver=Resolver([PUBLIC_V6, PUBLIC]), inner=sockets)

    async def main() -> httpcore.AsyncNetworkStream:
        return await backend.connect_tcp("forum.example", 80, timeout=0.2)

    stream = asyncio.run(main())
    assert isinstance(stream, Stream) and stream.address == PUBLIC
    assert sockets.connected == [PUBLIC_V6, PUBLIC]
