"""uvicorn in a background thread, with deadlines that slow or stalled clients cannot stretch.

The listening socket is bound in the constructor, so a busy port fails at once (before the first
crawl of `aggregator run`); serving starts with `start()`. uvicorn installs no signal handlers
here: the CLI has its own.

Why a protocol subclass: uvicorn (0.54, h11 and httptools alike) times out a connection only
while it is idle *between* requests, and the first byte of a request cancels even that timer. A
client that sends half a request line and stalls keeps its connection open for ever, and each
such connection counts against `limit_concurrency`, so a few hundred of them would turn every
reader away with 503. `_DeadlineProtocol` gives each request a deadline: it must arrive
complete (request line, headers and any body) within `request_timeout` seconds of the connection
opening or of the previous response ending, or the connection is closed. A client that stops
reading a response for `send_timeout` seconds is cut off as well.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import h11
import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol


@dataclass(frozen=True, slots=True)
class Limits:
    """How much a client may take. The defaults suit a public site on one small machine."""

    request_timeout: float = 10.0  # to send one whole request (slowloris gets no more)
    send_timeout: float = 30.0  # a reader that stops reading the response for this long
    keep_alive: int = 5  # an idle keep-alive connection (uvicorn's timeout_keep_alive)
    max_connections: int = 500  # more are answered 503 at once (uvicorn's limit_concurrency)
    backlog: int = 512  # connections the kernel queues before accept
    max_header_bytes: int = 16 * 1024  # request line + headers; beyond: 400
    shutdown_timeout: int = 5  # stop() waits this long for responses in flight


class _DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol plus a request deadline and a send stall timeout (see above)."""

    limits = Limits()
    _deadline: asyncio.TimerHandle | None = None
    _stalled: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm_deadline()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED):
            self._cancel_deadline()  # the request is complete: the app has it now

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # The next request (maybe already half-received behind this one) gets its own deadline.
        if not self.transport.is_closing() and self.conn.their_state in (h11.IDLE, h11.SEND_BODY):
            self._arm_deadline()

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel_deadline()
        self._cancel_stalled()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._stalled is None:
            self._stalled = self.loop.call_later(self.limits.send_timeout, self._close)

    def resume_writing(self) -> None:
        self._cancel_stalled()
        super().resume_writing()

    def _arm_deadline(self) -> None:
        self._cancel_deadline()
        self._deadline = self.loop.call_later(self.limits.request_timeout, self._close)

    def _cancel_deadline(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _cancel_stalled(self) -> None:
        if self._stalled is not None:
            self._stalled.cancel()
            self._stalled = None

    def _close(self) -> None:
        self._deadline = self._stalled = None
        # abort(), not close(): close() would wait to flush what a stalled reader never reads.
        # connection_lost then tells a running app "http.disconnect".
        self.transport.abort()


def _protocol(limits: Limits) -> type[H11Protocol]:
    class Protocol(_DeadlineProtocol):
        pass

    Protocol.limits = limits
    return Protocol


class _ThreadServer(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield  # the CLI handles SIGINT/SIGTERM and calls stop()


class WebServer:
    """An ASGI app served by uvicorn on host:port in a background thread."""

    def __init__(self, app: ASGIApp, host: str, port: int, limits: Limits | None = None) -> None:
        limits = limits or Limits()
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # Raises OSError at once if the port is taken; connections queue until start().
        self._socket = socket.create_server((host, port), family=family, backlog=limits.backlog)
        config = uvicorn.Config(
            app,
            http=_protocol(limits),  # always h11: the deadlines above are written for it
            ws="none",
            loop="asyncio",
            lifespan="on",
            log_config=None,  # uvicorn's messages go to the CLI's logging setup …
            log_level="warning",  # … but not "Uvicorn running on …" nor one line per request
            access_log=False,
            server_header=False,
            proxy_headers=False,  # nothing depends on the client's address or scheme yet
            limit_concurrency=limits.max_connections,
            backlog=limits.backlog,
            timeout_keep_alive=limits.keep_alive,
            timeout_graceful_shutdown=limits.shutdown_timeout,
            h11_max_incomplete_event_size=limits.max_header_bytes,
        )
        self._server = _ThreadServer(config)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._serve, name="web-server", daemon=True)
        self._shutdown_timeout = limits.shutdown_timeout

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"

    def start(self) -> WebServer:
        """Serve in the background; returns once the server accepts connections."""
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            time.sleep(0.01)
        if not self._server.started:
            raise RuntimeError(f"the web server did not start: {self._failure!r}")
        return self

    def stop(self) -> None:
        """Stop accepting, let responses in flight finish (a few seconds at most), close."""
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(self._shutdown_timeout + 5)
        self._socket.close()

    def _serve(self) -> None:
        try:
            self._server.run(sockets=[self._socket])
        except BaseException as exc:  # a SystemExit from uvicorn included
            self._failure = exc
