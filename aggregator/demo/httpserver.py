"""A small threaded HTTP server on 127.0.0.1 that serves routes from a table.

Used by the demo network, the benchmarks and the integration tests, so that every one of them
talks to a real server over a real socket. A route is a callable that receives the request and
returns a `Response`; static content is a `Response` itself.
"""

from __future__ import annotations

import contextlib
import gzip
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str  # without query
    query: str
    headers: Mapping[str, str]  # lower-case names


@dataclass(frozen=True)
class Response:
    status: int = 200
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # wait before sending the status line (a slow server)
    chunk_delay_s: float = 0.0  # wait between 1 KiB chunks of the body (a trickling server)
    truncate_at: int | None = None  # send only this many bytes of the body, then close
    gzip: bool = False  # compress the body when the client accepts gzip


Handler = Callable[[Request], Response]
Route = Response | Handler


def conditional(response: Response, request: Request) -> Response:
    """Answer 304 when the request's validators match the response's ETag / Last-Modified."""
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if etag and request.headers.get("if-none-match") == etag:
        return Response(304, headers={"ETag": etag})
    if modified and not etag and request.headers.get("if-modified-since") == modified:
        return Response(304, headers={"Last-Modified": modified})
    return response


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        request = Request(
            "GET", parts.path, parts.query, {k.lower(): v for k, v in self.headers.items()}
        )
        self.server.record(request)
        route = self.server.routes.get(parts.path)
        if route is None:
            response = Response(404, b"not found", {"Content-Type": "text/plain"})
        elif isinstance(route, Response):
            response = route
        else:
            response = route(request)
        self._send(response, request)

    def _send(self, response: Response, request: Request) -> None:
        if response.delay_s:
            time.sleep(response.delay_s)
        body = response.body
        headers = dict(response.headers)
        if response.gzip and "gzip" in request.headers.get("accept-encoding", ""):
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if response.truncate_at is not None:
            body = body[: response.truncate_at]
            self.close_connection = True
        try:
            if response.chunk_delay_s:
                for start in range(0, len(body), 1024):
                    self.wfile.write(body[start : start + 1024])
                    self.wfile.flush()
                    time.sleep(response.chunk_delay_s)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def handle(self) -> None:
        # the client may go away mid-request (tests of timeouts do this on purpose)
        with contextlib.suppress(ConnectionResetError, BrokenPipeError):
            super().handle()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and the demo print their own progress."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024

    def __init__(self, routes: dict[str, Route]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.routes = routes
        self.requests: list[Request] = []
        self._lock = threading.Lock()

    def record(self, request: Request) -> None:
        with self._lock:
            self.requests.append(request)


class FixtureServer:
    """Serve `routes` on 127.0.0.1 on a free port until stopped (or the `with` block ends)."""

    def __init__(self, routes: dict[str, Route] | None = None) -> None:
        self._server = _Server(dict(routes or {}))
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base_url + path

    @property
    def routes(self) -> dict[str, Route]:
        return self._server.routes

    @property
    def requests(self) -> list[Request]:
        return self._server.requests

    def start(self) -> FixtureServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FixtureServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
