"""The fetcher in cases a loopback server cannot produce, through `httpx.MockTransport`.

DNS failures, certificate errors, unreachable networks and connect timeouts need the outside
world; the exceptions here are built the way httpx builds them (httpx error from httpcore error
from the OS error), so the fetcher classifies what it would see for real. Everything a real
server can show lives in tests/integration/test_fetch.py.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import AsyncIterator, Callable
from typing import NoReturn

import httpcore
import httpx
import pytest

from aggregator.errors import FetchError, SourceError
from aggregator.fetch import Fetcher, FetchResult, FetchSettings

URL = "http://feeds.example.invalid/feed/"

Handler = Callable[[httpx.Request], httpx.Response]


def fetch(handler: Handler, url: str = URL, settings: FetchSettings | None = None) -> FetchResult:
    async def main() -> FetchResult:
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(main())


def fetch_error(
    handler: Handler, url: str = URL, settings: FetchSettings | None = None
) -> FetchError:
    with pytest.raises(FetchError) as info:
        fetch(handler, url, settings)
    assert "\n" not in str(info.value)
    return info.value


def raising(os_error: BaseException, httpx_error: type[httpx.TransportError]) -> Handler:
    """A transport that fails like httpx does: httpx error from httpcore error from `os_error`."""
    core_error = {
        httpx.ConnectError: httpcore.ConnectError,
        httpx.ConnectTimeout: httpcore.ConnectTimeout,
    }[httpx_error]

    def handler(request: httpx.Request) -> NoReturn:
        try:
            try:
                raise os_error
            except Exception as exc:  # httpcore._exceptions.map_exceptions
                raise core_error(exc) from exc
        except httpcore.NetworkError as exc:  # httpx._transports.default.map_httpcore_exceptions
            raise httpx_error(str(exc)) from exc
        except httpcore.TimeoutException as exc:
            raise httpx_error(str(exc)) from exc

    return handler


def never_called(request: httpx.Request) -> NoReturn:
    raise AssertionError(f"no request expected, got {request.url}")


def test_failed_dns_lookup() -> None:
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    error = fetch_error(raising(gai, httpx.ConnectError))
    assert error.reason == "dns"
    assert "feeds.example.invalid" in error.message
    assert isinstance(error, SourceError)


def test_failed_dns_lookup_known_by_its_message_only() -> None:
    def handler(request: httpx.Request) -> NoReturn:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution")

    assert fetch_error(handler).reason == "dns"


def test_refused_on_every_address_of_a_host() -> None:
    refusals = [
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('::1', 80)"),
        ConnectionRefusedError(errno.ECONNREFUSED, "Connect call failed ('127.0.0.1', 80)"),
    ]
    try:  # how anyio reports several failed attempts
        raise OSError("All connection attempts failed") from ExceptionGroup(
            "multiple connection attempts failed", refusals
        )
    except OSError as exc:
        all_failed = exc
    assert fetch_error(raising(all_failed, httpx.ConnectError)).reason == "refused"


def test_unreachable_network_is_a_connect_error() -> None:
    unreachable = OSError(errno.ENETUNREACH, "Network is unreachable")
    error = fetch_error(raising(unreachable, httpx.ConnectError))
    assert error.reason == "connect"
    assert "feeds.example.invalid:80" in error.message


def test_untrusted_certificate_is_a_tls_error() -> None:
    bad_cert = ssl.SSLCertVerificationError(
        1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed certificate"
    )
    error = fetch_error(
        raising(bad_cert, httpx.ConnectError), url="https://feeds.example.invalid/feed/"
    )
    assert error.reason == "tls"
    assert "CERTIFICATE_VERIFY_FAILED" in error.message


def test_connect_timeout() -> None:
    error = fetch_error(
        raising(TimeoutError(), httpx.ConnectTimeout), settings=FetchSettings(connect_timeout=3)
    )
    assert error.reason == "timeout"
    assert "Connecting to feeds.example.invalid:80 timed out after 3 s" in error.message


def test_endless_body_is_cut_off_without_reading_it() -> None:
    pulled = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal pulled
        while True:
            pulled += 1
            yield b"x" * 1024

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())  # no Content-Length: chunked

    error = fetch_error(handler, settings=FetchSettings(max_bytes=10 * 1024))
    assert error.reason == "too_large"
    assert pulled == 11


def test_unsupported_content_encoding_is_a_protocol_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"...", headers={"Content-Encoding": "br"})

    error = fetch_error(handler)
    assert error.reason == "protocol"
    assert "Content-Encoding" in error.message


@pytest.mark.parametrize(
    "url",
    [
        "",
        "feeds.example.invalid/feed/",
        "ftp://feeds.example.invalid/feed/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "http://",
        "http://[::1/feed/",
    ],
)
def test_invalid_url_is_refused_before_any_request(url: str) -> None:
    error = fetch_error(never_called, url=url)
    assert error.reason == "invalid_url"


def test_fetch_needs_an_open_fetcher() -> None:
    async def main() -> None:
        await Fetcher().fetch(URL)

    with pytest.raises(RuntimeError, match="async with"):
        asyncio.run(main())


@pytest.mark.parametrize(
    "bad",
    [
        {"total_timeout": 0},
        {"connect_timeout": -1},
        {"max_bytes": 0},
        {"max_redirects": -1},
        {"global_limit": 0},
        {"per_host_limit": 0},
    ],
)
def test_settings_reject_impossible_limits(bad: dict[str, float]) -> None:
    with pytest.raises(ValueError):
        FetchSettings(**bad)  # type: ignore[arg-type]


# --- URL safety per hop, whatever the transport -------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed/",
        "http://0x7f.1/feed/",
        "http://2130706433/feed/",
        "http://[::1]/feed/",
        "http://[::ffff:127.0.0.1]/feed/",
        "http://10.0.0.1/feed/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_a_literal_internal_address_is_blocked_before_any_request(url: str) -> None:
    error = fetch_error(never_called, url=url)
    assert error.reason == "blocked_address"
    assert "\n" not in error.message


@pytest.mark.parametrize(
    "location",
    [
        "http://127.0.0.1:6379/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
        "http://0xa9.0xfe.0xa9.0xfe/",  # 169.254.169.254 in hex
        "http://2852039166/",  # 169.254.169.254 as one number
    ],
)
def test_a_redirect_to_an_internal_address_is_blocked(location: str) -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"Location": location})

    error = fetch_error(handler)
    assert error.reason == "blocked_address"
    assert asked == [URL]


def test_a_redirect_to_a_dotted_octal_address_is_refused_too() -> None:
    # httpx itself refuses four dotted parts that are not decimal: an invalid redirect URL
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(302, headers={"Location": "http://0251.0376.0251.0376/"})

    assert fetch_error(handler).reason == "bad_redirect"


def test_private_literal_addresses_pass_when_allowed() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(b"<rss/>"))

    allowed = FetchSettings(allow_private_addresses=True)
    assert fetch(handler, url="http://10.0.0.1/feed/", settings=allowed).status == 200
    assert fetch_error(handler, "http://169.254.169.254/", allowed).reason == "blocked_address"


def test_a_url_with_credentials_is_refused_before_any_request() -> None:
    error = fetch_error(never_called, url="http://user:geheim@feeds.example.invalid/feed/")
    assert error.reason == "invalid_url"
    assert "geheim" not in error.message


def test_no_credentials_or_cookies_are_ever_sent() -> None:
    sent: list[httpx.Headers] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers)
        return httpx.Response(200, stream=httpx.ByteStream(b"<rss/>"))

    fetch(handler)
    assert "authorization" not in sent[0] and "cookie" not in sent[0]
