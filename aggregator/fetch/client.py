"""The crawler's HTTP client: one polite, bounded GET per call.

`Fetcher.fetch` sends a conditional GET (If-None-Match / If-Modified-Since), follows redirects by
hand (http and https only, at most `max_redirects`), bounds every fetch by a connect timeout and a
total timeout that includes slowly trickling bodies, stops reading a body as soon as its decoded
size passes `max_bytes` (so a gzip bomb is stopped too), and never sends two requests to the same
host (host and port) at once nor more than `global_limit` in all.

URL safety (`aggregator.urls`, `aggregator.fetch.guard`): the URL and every redirect hop must be
http(s) without a user name or password; a literal address is checked before anything is sent,
and every host name is resolved once and all its addresses checked before the connection goes
to one of exactly those addresses. Only public addresses pass, loopback and private ones too
with `allow_private_addresses`. The validators go only to the origin (scheme, host, port) of
the URL asked for, never across a redirect to another one; no credentials are ever sent.

Everything that goes wrong becomes a `FetchError` whose `reason` is one of these stable codes:

    dns                  the host name could not be resolved
    refused              nothing listens on that host and port
    timeout              connect timeout, or the whole fetch took longer than total_timeout
    tls                  the TLS handshake failed (certificate, protocol)
    connect              any other failure to connect
    too_many_redirects   more than max_redirects redirects
    bad_redirect         a redirect without Location, or to a URL that is not http(s)
    too_large            the (decoded) body is larger than max_bytes
    truncated            the connection closed before the whole body arrived
    protocol             the server broke HTTP (no response, unknown Content-Encoding, bad gzip)
    http_<status>        the server answered with an error status, e.g. http_404, http_503
    invalid_url          the URL given cannot be fetched (not http(s), no host, unparsable, or
                         with a user name or password in it)
    blocked_address      the host (of the URL or of a redirect) is or resolves to an address
                         that must not be fetched: loopback, private, link-local, multicast,
                         reserved … (see `aggregator.urls.address_problem`); nothing was sent

For 429 and 503 the error carries `retry_after` (seconds) when the server sent Retry-After.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType

import httpx

from aggregator import USER_AGENT
from aggregator.errors import FetchError
from aggregator.fetch.freshness import parse_max_age, parse_retry_after
from aggregator.fetch.guard import BlockedAddressError, Resolver, guarded_transport
from aggregator.urls import address_problem, has_credentials, host_address, url_problem

ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/feed+json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, "
    "application/json;q=0.7, text/html;q=0.5, */*;q=0.1"
)
ACCEPT_ENCODING = "gzip, deflate"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_RETRY_AFTER_STATUSES = frozenset({429, 503})
_DISCARD_LIMIT = 64 * 1024  # bytes of an unwanted body read to keep the connection
_DISCARD_TIMEOUT = 1.0
_DNS_MESSAGES = (
    "name or service not known",
    "temporary failure in name resolution",
    "no address associated with hostname",
    "nodename nor servname provided",
    "getaddrinfo failed",
)


@dataclass(frozen=True, slots=True)
class FetchSettings:
    """Limits of the fetcher. Times in seconds, sizes in bytes."""

    connect_timeout: float = 10.0
    total_timeout: float = 30.0  # one whole fetch: all redirect hops, headers and body
    max_bytes: int = 10 * 1024 * 1024  # of the decoded body
    max_redirects: int = 5
    global_limit: int = 16  # requests in flight at once, all hosts together
    per_host_limit: int = 1  # requests in flight at once to one host and port
    user_agent: str = USER_AGENT
    # Loopback and private addresses may be fetched (AGGREGATOR_ALLOW_PRIVATE_URLS): tests that
    # serve fixtures on 127.0.0.1, the demo, an intranet. Link-local and the like never may.
    allow_private_addresses: bool = False
    # How host names become addresses (default: getaddrinfo); tests inject names here. Not
    # used when a `transport` is given to the Fetcher.
    resolver: Resolver | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.connect_timeout <= 0 or self.total_timeout <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_bytes < 1 or self.max_redirects < 0:
            raise ValueError("max_bytes must be positive and max_redirects not negative")
        if self.global_limit < 1 or self.per_host_limit < 1:
            raise ValueError("concurrency limits must be at least 1")


@dataclass(frozen=True, slots=True)
class FetchResult:
    """A successful fetch: a fresh body (200) or "not modified" (304)."""

    url: str  # as asked for
    final_url: str  # after redirects
    status: int  # 200 or 304
    content: bytes  # decoded; b"" on 304
    content_type: str | None
    etag: str | None  # on 304 without a new one: the validator we sent
    last_modified: str | None
    permanent_redirect: str | None  # where the unbroken run of 301/308 from `url` led
    max_age: int | None  # seconds, from Cache-Control; None when absent or no-store
    elapsed_s: float  # time spent talking to servers (waiting for a free slot excluded)
    cut: bool = False  # the body was longer than max_bytes and was cut there (`cut_at_limit`)

    @property
    def not_modified(self) -> bool:
        return self.status == 304


@dataclass(frozen=True, slots=True)
class _Redirect:
    status: int
    location: str | None


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    headers: httpx.Headers
    body: bytes
    cut: bool = False


class Fetcher:
    """Fetch URLs politely: `async with Fetcher(settings) as f: result = await f.fetch(url)`.

    Each hop of a redirect chain is one request sent straight to the transport (httpx's connection
    pool), so the redirect logic, its limits and its error codes are all ours. The default
    transport connects through `guard.GuardedBackend` (checked addresses only). `transport`
    replaces the network (tests use `httpx.MockTransport`: then only the per-hop URL checks
    apply, no resolving); the Fetcher closes it when done.
    `clock` returns the current aware time and is only used to read Retry-After dates.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self._settings = s = settings or FetchSettings()
        self._given_transport = transport
        self._transport: httpx.AsyncBaseTransport | None = None
        self._clock = clock or _utc_now
        self._headers = {
            "User-Agent": s.user_agent,
            "Accept": ACCEPT,
            "Accept-Encoding": ACCEPT_ENCODING,
        }
        self._timeouts = httpx.Timeout(s.total_timeout, connect=s.connect_timeout).as_dict()
        self._global = asyncio.Semaphore(s.global_limit)
        self._hosts: dict[tuple[str, int], asyncio.Semaphore] = {}

    @property
    def settings(self) -> FetchSettings:
        return self._settings

    async def __aenter__(self) -> Fetcher:
        if self._transport is not None:
            raise RuntimeError("this Fetcher is already open")
        s = self._settings
        limit = s.global_limit
        self._transport = self._given_transport or guarded_transport(
            httpx.Limits(max_connections=limit, max_keepalive_connections=limit),
            allow_private=s.allow_private_addresses,
            resolver=s.resolver,
        )
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._transport is not None:
            transport, self._transport = self._transport, None
            await transport.aclose()

    async def fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        cut_at_limit: bool = False,
    ) -> FetchResult:
        """GET `url`, sending the validators of the last fetch; raise `FetchError` on failure.

        A body larger than `max_bytes` is `too_large`, unless `cut_at_limit`: then its first
        `max_bytes` are returned with `cut` set (an HTML page is still readable in part: its
        newest news come first; a feed cut in the middle is not)."""
        transport = self._transport
        if transport is None:
            raise RuntimeError("use the Fetcher inside `async with`")
        allow_private = self._settings.allow_private_addresses
        target = _checked_url(url)
        origin = _origin(target)
        validators: dict[str, str] = {}
        if etag:
            validators["If-None-Match"] = etag
        if last_modified:
            validators["If-Modified-Since"] = last_modified
        spent = 0.0
        redirects = 0
        permanent: str | None = None
        only_permanent_so_far = True
        while True:
            started = time.monotonic()
            try:
                _host_check(target, allow_private)  # a literal address; names: in the backend
                # the validators belong to the origin asked for: never sent to another one
                conditions = validators if _origin(target) == origin else {}
                async with self._host_slot(target), self._global:
                    started = time.monotonic()
                    outcome = await self._hop(transport, target, conditions, spent, cut_at_limit)
            except FetchError as exc:
                if redirects:
                    raise FetchError(
                        exc.reason, f"{exc.message} (redirected from {url})", exc.retry_after
                    ) from exc.__cause__
                raise
            finally:
                spent += time.monotonic() - started
            if isinstance(outcome, _Answer):
                break
            if redirects == self._settings.max_redirects:
                raise FetchError(
                    "too_many_redirects",
                    f"More than {redirects} redirects for {url} (the last one from {target})",
                )
            following = _redirect_target(target, outcome)
            if outcome.status in _PERMANENT and only_permanent_so_far:
                permanent = str(following)
            else:
                only_permanent_so_far = False
            target = following
            redirects += 1

        if outcome.status == 304 and not conditions:
            raise FetchError(
                "protocol", f"HTTP 304 Not Modified for {target} although no validators were sent"
            )
        answer = outcome.headers
        not_modified = outcome.status == 304
        return FetchResult(
            url=url,
            final_url=str(target),
            status=outcome.status,
            content=outcome.body,
            content_type=answer.get("content-type"),
            etag=answer.get("etag") or (etag if not_modified else None),
            last_modified=answer.get("last-modified") or (last_modified if not_modified else None),
            permanent_redirect=permanent,
            max_age=parse_max_age(answer.get("cache-control")),
            elapsed_s=spent,
            cut=outcome.cut,
        )

    def _host_slot(self, url: httpx.URL) -> asyncio.Semaphore:
        key = (url.host, url.port or (443 if url.scheme == "https" else 80))
        slot = self._hosts.get(key)
        if slot is None:
            slot = self._hosts[key] = asyncio.Semaphore(self._settings.per_host_limit)
        return slot

    async def _hop(
        self,
        transport: httpx.AsyncBaseTransport,
        url: httpx.URL,
        conditions: dict[str, str],
        spent: float,
        cut_at_limit: bool = False,
    ) -> _Answer | _Redirect:
        """One request of the chain, within what is left of the total timeout."""
        total = self._settings.total_timeout
        message = f"No complete answer within {total:g} s from {url}"
        if spent >= total:
            raise FetchError("timeout", message)
        try:
            async with asyncio.timeout(total - spent):
                return await self._request(transport, url, conditions, cut_at_limit)
        except TimeoutError:
            raise FetchError("timeout", message) from None

    async def _request(
        self,
        transport: httpx.AsyncBaseTransport,
        url: httpx.URL,
        conditions: dict[str, str],
        cut_at_limit: bool = False,
    ) -> _Answer | _Redirect:
        request = httpx.Request(
            "GET",
            url,
            headers={**self._headers, **conditions},
            extensions={"timeout": self._timeouts},
        )
        try:
            response = await transport.handle_async_request(request)
        except BlockedAddressError as exc:
            raise _blocked(url, str(exc), exc.problem) from None
        except httpx.HTTPError as exc:
            raise _request_error(exc, url, self._settings) from exc
        response.request = request
        try:
            status = response.status_code
            if status == 200:
                body, cut = await _read_body(response, url, self._settings.max_bytes, cut_at_limit)
                return _Answer(200, response.headers, body, cut)
            await _discard(response)
            if status in _REDIRECTS:
                return _Redirect(status, response.headers.get("location"))
            if status == 304:
                return _Answer(304, response.headers, b"")
            raise self._status_error(response, url)
        finally:
            await response.aclose()  # a body not read to the end closes the connection

    def _status_error(self, response: httpx.Response, url: httpx.URL) -> FetchError:
        status = response.status_code
        phrase = httpx.codes.get_reason_phrase(status)
        message = f"HTTP {status} {phrase} for {url}" if phrase else f"HTTP {status} for {url}"
        retry_after = None
        if status in _RETRY_AFTER_STATUSES:
            retry_after = parse_retry_after(response.headers.get("retry-after"), self._clock())
            if retry_after is not None:
                message += f" (retry after {retry_after:g} s)"
        return FetchError(f"http_{status}", message, retry_after=retry_after)


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _clip(text: str, limit: int = 200) -> str:
    """Untrusted text made fit for a one-line message."""
    flat = "".join(ch if ch.isprintable() else " " for ch in text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _origin(url: httpx.URL) -> tuple[str, str, int]:
    return (url.scheme, url.host, url.port or (443 if url.scheme == "https" else 80))


def _blocked(url: httpx.URL | str, detail: str, problem: str) -> FetchError:
    """Reason blocked_address; the hint names the setting when it would let the fetch pass."""
    hint = ""
    if problem.startswith(("a loopback", "a private")):
        hint = " (set AGGREGATOR_ALLOW_PRIVATE_URLS=1 to allow it)"
    return FetchError("blocked_address", f"Refused to fetch {url}: {_clip(detail)}{hint}")


def _host_check(url: httpx.URL, allow_private: bool) -> None:
    """A literal address is refused before anything is sent, whatever the transport."""
    address = host_address(url.host)
    if address is not None:
        problem = address_problem(address, allow_private=allow_private)
        if problem:
            raise _blocked(url, f"{address} is {problem}", problem)


def _checked_url(url: str) -> httpx.URL:
    problem = url_problem(url)
    if problem:
        raise FetchError("invalid_url", f"Cannot fetch this URL: {_clip(problem)}")
    if has_credentials(url):
        raise FetchError(
            "invalid_url", "URLs with a user name or password are not fetched (none are sent)"
        )
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise FetchError("invalid_url", f"Invalid URL {_clip(repr(url))}: {exc}") from exc
    if parsed.scheme not in ("http", "https"):
        raise FetchError(
            "invalid_url", f"Only http and https URLs can be fetched, not {_clip(repr(url))}"
        )
    if not parsed.host:
        raise FetchError("invalid_url", f"URL {_clip(repr(url))} names no host")
    return parsed


def _redirect_target(current: httpx.URL, redirect: _Redirect) -> httpx.URL:
    where = f"HTTP {redirect.status} from {current}"
    location = (redirect.location or "").strip()
    if not location:
        raise FetchError("bad_redirect", f"{where} without a Location header")
    try:
        target = current.join(location)
    except httpx.InvalidURL as exc:
        raise FetchError(
            "bad_redirect", f"{where} to an invalid URL {_clip(repr(location))}: {exc}"
        ) from exc
    if target.scheme not in ("http", "https") or not target.host:
        raise FetchError(
            "bad_redirect", f"{where} to {_clip(repr(location))}, which is not an http(s) URL"
        )
    if target.userinfo:
        raise FetchError("bad_redirect", f"{where} to a URL with a user name or password")
    return target


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc`, its causes and contexts, and the members of exception groups among them."""
    found: list[BaseException] = []
    todo = [exc]
    while todo:
        current = todo.pop()
        if any(current is seen for seen in found):
            continue
        found.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(current.exceptions)
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                todo.append(linked)
    return found


def _request_error(exc: httpx.HTTPError, url: httpx.URL, settings: FetchSettings) -> FetchError:
    """Translate an error before the response headers arrived."""
    address = f"{url.host}:{url.port or (443 if url.scheme == 'https' else 80)}"
    if isinstance(exc, httpx.ConnectTimeout):
        return FetchError(
            "timeout",
            f"Connecting to {address} timed out after {settings.connect_timeout:g} s for {url}",
        )
    if isinstance(exc, httpx.TimeoutException):
        return FetchError("timeout", f"No answer within {settings.total_timeout:g} s from {url}")
    if isinstance(exc, httpx.ConnectError):
        return _connect_error(exc, url, address)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return FetchError("invalid_url", f"Cannot fetch {url}: {_clip(str(exc))}")
    if isinstance(exc, httpx.InvalidURL):
        return FetchError("invalid_url", f"Invalid URL {url}: {_clip(str(exc))}")
    return FetchError("protocol", f"No usable HTTP response from {url}: {_clip(str(exc))}")


def _connect_error(exc: httpx.ConnectError, url: httpx.URL, address: str) -> FetchError:
    causes = _causes(exc)
    detail = _clip(str(exc))
    os_errors = [c for c in causes if isinstance(c, OSError)]
    if any(isinstance(c, socket.gaierror) for c in causes) or any(
        marker in str(c).lower() for c in causes for marker in _DNS_MESSAGES
    ):
        return FetchError("dns", f"DNS lookup failed for host {url.host} of {url}: {detail}")
    if any(isinstance(c, ssl.SSLError) for c in causes):
        return FetchError("tls", f"TLS handshake with {address} failed for {url}: {detail}")
    refusals = [c for c in os_errors if isinstance(c, ConnectionRefusedError)]
    # anyio wraps the refusals in OSError("All connection attempts failed"), which has no errno.
    if refusals and all(
        isinstance(c, ConnectionRefusedError) or (type(c) is OSError and c.errno is None)
        for c in os_errors
    ):
        return FetchError("refused", f"Connection refused by {address} for {url}")
    if url.scheme == "https" and not os_errors:
        # The TCP connection stood (no OSError) and then ended during the handshake.
        return FetchError(
            "tls", f"TLS handshake with {address} failed for {url}: connection closed ({detail})"
        )
    return FetchError("connect", f"Could not connect to {address} for {url}: {detail}")


class _Decoder:
    """Undoes a gzip or deflate Content-Encoding chunk by chunk, never producing more than asked."""

    def __init__(self, coding: str | None) -> None:
        self._coding = coding
        self._started = False
        self._inflater: zlib._Decompress | None = None
        if coding in ("gzip", "x-gzip"):
            self._inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif coding == "deflate":
            self._inflater = zlib.decompressobj(zlib.MAX_WBITS)

    @property
    def identity(self) -> bool:
        return self._inflater is None

    @property
    def complete(self) -> bool:
        return self._inflater is None or self._inflater.eof

    def decode(self, data: bytes, max_length: int) -> bytes:
        """At most `max_length` (> 0) decoded bytes of `data`; the rest of it is dropped."""
        if self._inflater is None:
            return data
        try:
            out = self._inflater.decompress(data, max_length)
        except zlib.error:
            if self._coding != "deflate" or self._started:
                raise
            # "deflate" is often sent as a raw deflate stream without the zlib wrapper.
            self._inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = self._inflater.decompress(data, max_length)
        self._started = self._started or bool(data)
        return out


def _decoder_for(response: httpx.Response, url: httpx.URL) -> _Decoder:
    header = response.headers.get("content-encoding", "")
    codings = [c.strip().lower() for c in header.split(",")]
    codings = [c for c in codings if c and c != "identity"]
    if not codings:
        return _Decoder(None)
    if len(codings) == 1 and codings[0] in ("gzip", "x-gzip", "deflate"):
        return _Decoder(codings[0])
    raise FetchError("protocol", f"Unsupported Content-Encoding {_clip(repr(header))} from {url}")


async def _read_body(
    response: httpx.Response, url: httpx.URL, max_bytes: int, cut_at_limit: bool = False
) -> tuple[bytes, bool]:
    """The decoded body and whether it was cut at `max_bytes`; FetchError as soon as it passes
    `max_bytes` (unless `cut_at_limit`) or breaks off."""
    decoder = _decoder_for(response, url)
    declared = response.headers.get("content-length", "")
    too_large = f"Body of {url} is larger than the limit of {max_bytes} bytes"
    if not cut_at_limit and decoder.identity and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError("too_large", f"{too_large} (Content-Length {declared})")
    chunks: list[bytes] = []
    size = 0
    try:
        async for raw in response.aiter_raw():
            data = decoder.decode(raw, max_bytes - size + 1)
            size += len(data)
            if size > max_bytes and cut_at_limit:
                chunks.append(data[: len(data) - (size - max_bytes)])
                return b"".join(chunks), True  # the rest is not read: the connection closes
            if size > max_bytes:
                raise FetchError("too_large", too_large)
            chunks.append(data)
    except httpx.RemoteProtocolError as exc:
        if "peer closed connection" in str(exc):
            raise _truncated(response, url) from exc
        raise FetchError("protocol", f"Broken HTTP body from {url}: {_clip(str(exc))}") from exc
    except httpx.ReadError as exc:
        raise _truncated(response, url) from exc
    except httpx.TimeoutException as exc:
        raise FetchError("timeout", f"Body of {url} stopped arriving: {_clip(str(exc))}") from exc
    except zlib.error as exc:
        raise FetchError("protocol", f"Undecodable compressed body from {url}: {exc}") from exc
    if not decoder.complete:
        raise _truncated(response, url)
    return b"".join(chunks), False


async def _discard(response: httpx.Response) -> None:
    """Read a small unwanted body (redirect, 304, error page) to its end, so that the connection
    can carry the next request; a large, unknown-length or slow one is left to be cut off."""
    length = response.headers.get("content-length", "")
    if response.status_code != 304 and not (length.isdigit() and int(length) <= _DISCARD_LIMIT):
        return
    try:
        async with asyncio.timeout(_DISCARD_TIMEOUT):
            async for _ in response.aiter_raw():
                pass
    except (httpx.HTTPError, TimeoutError):
        pass


def _truncated(response: httpx.Response, url: httpx.URL) -> FetchError:
    received = response.num_bytes_downloaded
    declared = response.headers.get("content-length")
    of = f" of {declared}" if declared else ""
    return FetchError(
        "truncated", f"Body of {url} broke off after {received}{of} bytes (connection closed)"
    )
