"""The public web server: a real uvicorn on 127.0.0.1 serving a real published folder.

The folder is what `publish` makes: `public` is a symlink to a build folder beside it, swapped
to a new build by the next publish. Clients are httpx and, where a request must be malformed or
stall on purpose, raw sockets.
"""

from __future__ import annotations

import gzip
import os
import socket
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from aggregator.publish import publish_site
from aggregator.publish.sample import NOW, sample_members, sample_stories
from aggregator.web.app import SECURITY_HEADERS, create_app
from aggregator.web.server import Limits, WebServer

BASE_URL = "https://nachrichten.netzwerk-stadtforen.de/"
# Short deadlines so that the tests see them act; the defaults are 10 s and 30 s.
LIMITS = Limits(request_timeout=2.0, send_timeout=1.0)


def publish(out: Path, stories: int = 120, days: int = 0) -> None:
    publish_site(
        sample_stories(stories),
        sample_members(),
        out,
        base_url=BASE_URL,
        now=NOW + timedelta(days=days),
    )


@contextmanager
def serving(out: Path, limits: Limits = LIMITS) -> Iterator[WebServer]:
    server = WebServer(create_app(out), "127.0.0.1", 0, limits).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("site") / "public"
    publish(folder)
    assert folder.is_symlink()  # as publish makes it: public → .public-builds/build-…
    (folder.parent / "secret.txt").write_text("outside the site", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def server(out: Path) -> Iterator[WebServer]:
    with serving(out) as s:
        yield s


@pytest.fixture
def client(server: WebServer) -> Iterator[httpx.Client]:
    # No automatic decompression surprises: ask for identity unless a test asks for gzip.
    with httpx.Client(base_url=server.url, headers={"Accept-Encoding": "identity"}) as c:
        yield c


def address(server: WebServer) -> tuple[str, int]:
    host, port = server.url.removeprefix("http://").rstrip("/").rsplit(":", 1)
    return host, int(port)


def raw_request(server: WebServer, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Send exactly `target` (httpx would normalize `/../`); returns status and raw response."""
    with socket.create_connection(address(server), timeout=10) as sock:
        sock.sendall(f"{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return int(data.split(b" ", 2)[1]), data


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("feed.xml", "application/rss+xml; charset=utf-8"),
        ("atom.xml", "application/atom+xml; charset=utf-8"),
        ("feed.json", "application/feed+json; charset=utf-8"),
        ("stadt/leipzig/feed.xml", "application/rss+xml; charset=utf-8"),
        ("stadt/leipzig/atom.xml", "application/atom+xml; charset=utf-8"),
        ("stadt/leipzig/feed.json", "application/feed+json; charset=utf-8"),
        ("index.html", "text/html; charset=utf-8"),
        ("seite/2.html", "text/html; charset=utf-8"),
        ("style.css", "text/css; charset=utf-8"),
        ("quellen.opml", "text/x-opml; charset=utf-8"),
        ("favicon.svg", "image/svg+xml"),
    ],
)
def test_each_file_has_its_media_type_and_charset(
    client: httpx.Client, path: str, content_type: str
) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type


@pytest.mark.parametrize("path", ["feed.xml", "stadt/leipzig/feed.json", "index.html"])
def test_a_poll_of_an_unchanged_file_gets_304_without_a_body(
    client: httpx.Client, path: str
) -> None:
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag and last_modified
    assert first.headers["cache-control"] == "public, max-age=300"

    by_etag = client.get(path, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    assert by_etag.headers["cache-control"] == "public, max-age=300"

    by_date = client.get(path, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    # a client that asks with gzip gets the same answer (the ETag does not depend on encoding)
    gzipped = client.get(path, headers={"If-None-Match": etag, "Accept-Encoding": "gzip"})
    assert gzipped.status_code == 304

    # another validator, or an older date, gets the file
    assert client.get(path, headers={"If-None-Match": '"other"'}).status_code == 200
    older = "Mon, 01 Jan 2024 00:00:00 GMT"
    assert client.get(path, headers={"If-Modified-Since": older}).status_code == 200


def test_the_stylesheet_is_cached_longer_than_pages(client: httpx.Client) -> None:
    response = client.get("style.css")
    assert response.headers["cache-control"] == "public, max-age=86400"
    assert (
        client.get("style.css", headers={"If-None-Match": response.headers["etag"]}).status_code
        == 304
    )


def test_gzip_when_the_client_accepts_it_with_the_same_validator(client: httpx.Client) -> None:
    plain = client.get("feed.xml")
    assert "content-encoding" not in plain.headers
    zipped = client.get("feed.xml", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == plain.content  # httpx decoded it
    assert int(zipped.headers["content-length"]) < len(plain.content) / 3
    assert zipped.headers["vary"] == "Accept-Encoding"  # once, though two layers want it
    # one ETag for both encodings, and weak: the gzipped octets are not the plain ones
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert plain.headers["etag"].startswith('W/"')
    assert gzip.decompress(_raw_body(client, "feed.xml")) == plain.content


def _raw_body(client: httpx.Client, path: str) -> bytes:
    with client.stream("GET", path, headers={"Accept-Encoding": "gzip"}) as response:
        return b"".join(response.iter_raw())


def test_head_answers_headers_only(client: httpx.Client) -> None:
    get = client.get("atom.xml")
    head = client.head("atom.xml")
    assert head.status_code == 200
    assert head.content == b""
    for name in ("content-type", "etag", "last-modified", "content-length", "cache-control"):
        assert head.headers[name] == get.headers[name]


def test_a_directory_is_served_by_its_index_and_never_listed(
    client: httpx.Client, out: Path
) -> None:
    assert (out / "seite").is_dir() and not (out / "seite" / "index.html").exists()
    listing = client.get("seite/")
    assert listing.status_code == 404
    assert "Seite nicht gefunden" in listing.text
    assert "2.html" not in listing.text

    city = client.get("stadt/leipzig/")
    assert city.status_code == 200
    assert city.content == (out / "stadt" / "leipzig" / "index.html").read_bytes()
    assert client.get("").content == (out / "index.html").read_bytes()

    moved = client.get("stadt/leipzig")
    assert moved.status_code == 301
    assert moved.headers["location"] == "/stadt/leipzig/"  # relative: never the Host header


def test_unknown_path_gets_the_site_404_page(client: httpx.Client, out: Path) -> None:
    response = client.get("gibt/es/nicht.html")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.content == (out / "404.html").read_bytes()
    assert client.head("gibt/es/nicht.html").status_code == 404


@pytest.mark.parametrize("path", ["index.html", "gibt-es-nicht", "feed.xml"])
def test_security_headers_on_every_answer(client: httpx.Client, path: str) -> None:
    answers = [client.get(path), client.post(path)]
    first = answers[0]
    if first.status_code == 200:
        answers.append(client.get(path, headers={"If-None-Match": first.headers["etag"]}))
    assert {a.status_code for a in answers} <= {200, 304, 404, 405}
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (answer.status_code, name)
    assert SECURITY_HEADERS["Content-Security-Policy"].startswith("default-src 'self'")


def test_only_get_and_head(client: httpx.Client) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "index.html")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD"


@pytest.mark.parametrize(
    "target",
    [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/stadt/%2e%2e/%2e%2e/secret.txt",
        "/stadt/..%2f..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc/passwd",
        "//etc/passwd",
        "/index.html%00.txt",
    ],
)
def test_no_path_leads_out_of_the_build(server: WebServer, target: str) -> None:
    status, data = raw_request(server, target)
    assert status in (400, 404)
    assert b"outside the site" not in data
    assert b"root:" not in data


def test_a_symlink_inside_the_build_does_not_lead_out(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(out, stories=10)
    secret = tmp_path / "secret.txt"
    secret.write_text("outside the site", encoding="utf-8")
    build = out.resolve()
    (build / "leak.txt").symlink_to(secret)
    (build / "system").symlink_to("/etc")
    (build / "inner.css").symlink_to(build / "style.css")  # inside: allowed
    with serving(out) as server, httpx.Client(base_url=server.url) as client:
        assert client.get("leak.txt").status_code == 404
        assert "outside the site" not in client.get("leak.txt").text
        assert client.get("system/passwd").status_code == 404
        assert client.get("system/").status_code == 404
        assert client.get("inner.css").status_code == 200


def test_a_publish_is_served_at_once_without_restart(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(out, stories=10)
    with serving(out) as server, httpx.Client(base_url=server.url) as client:
        before = client.get("feed.xml")
        first_build = out.resolve()
        publish(out, stories=30, days=1)  # the symlink now points at a new build
        assert out.resolve() != first_build
        after = client.get("feed.xml")
        assert after.content == (out / "feed.xml").read_bytes() != before.content
        assert after.headers["etag"] != before.headers["etag"]
        # a reader polling with the old validator gets the new feed, not a 304
        polled = client.get("feed.xml", headers={"If-None-Match": before.headers["etag"]})
        assert polled.status_code == 200


def test_before_the_first_publish_every_path_is_404(tmp_path: Path) -> None:
    with serving(tmp_path / "public") as server, httpx.Client(base_url=server.url) as client:
        response = client.get("")
        assert response.status_code == 404
        assert response.headers["x-content-type-options"] == "nosniff"


def test_100_half_open_connections_do_not_keep_a_reader_waiting(
    server: WebServer, client: httpx.Client
) -> None:
    """Each sends half a request line and stalls; the server must still answer, then drop them."""
    with ExitStack() as stack:
        stalled = []
        for _ in range(100):
            sock = stack.enter_context(socket.create_connection(address(server), timeout=10))
            sock.sendall(b"GET /index.ht")
            stalled.append(sock)
        opened = time.monotonic()

        response = client.get("index.html", timeout=30)  # generous: no timing is asserted
        assert response.status_code == 200

        # Every stalled connection is closed by the server once its request deadline passed.
        for sock in stalled:
            sock.settimeout(LIMITS.request_timeout + 15)
            assert sock.recv(1024) == b""  # EOF, not a response and not our timeout
        assert time.monotonic() - opened >= LIMITS.request_timeout * 0.9


def test_a_trickled_request_gets_no_more_time_than_a_stalled_one(server: WebServer) -> None:
    """Slowloris: a byte every 0.2 s would keep a per-read timeout happy; the deadline is total."""
    with socket.create_connection(address(server), timeout=10) as sock:
        started = time.monotonic()
        closed = False
        for byte in b"GET /index.html HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 500:
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                closed = True
                break
            time.sleep(0.2)
            if time.monotonic() - started > LIMITS.request_timeout + 15:
                break
        if not closed:
            sock.settimeout(10)
            with suppress(ConnectionResetError):
                assert sock.recv(1024) == b""
        assert time.monotonic() - started < LIMITS.request_timeout + 15


def test_a_half_sent_second_request_on_a_kept_alive_connection_is_dropped(
    server: WebServer,
) -> None:
    with socket.create_connection(address(server), timeout=10) as sock:
        sock.sendall(b"GET /style.css HTTP/1.1\r\nHost: x\r\n\r\n")
        answer = b""
        while b"\r\n\r\n" not in answer:
            answer += sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        length = int(answer.split(b"content-length: ")[1].split(b"\r\n")[0])
        body = answer.split(b"\r\n\r\n", 1)[1]
        while len(body) < length:
            body += sock.recv(65536)
        sock.sendall(b"GET /inde")  # the keep-alive timer stops here in plain uvicorn
        sock.settimeout(LIMITS.request_timeout + 15)
        assert sock.recv(1024) == b""


def test_a_reader_that_stops_reading_is_cut_off(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(out, stories=10)
    big = out.resolve() / "archiv.xml"
    big.write_bytes(b"<x>" + os.urandom(48 * 1024 * 1024) + b"</x>")  # beyond every buffer
    with serving(out) as server, socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.settimeout(10)
        sock.connect(address(server))
        sock.sendall(b"GET /archiv.xml HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n")
        time.sleep(LIMITS.send_timeout + 3)  # not reading: the server's buffer fills and stalls
        received = 0
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except ConnectionResetError:
            pass
        assert 0 < received < big.stat().st_size  # cut off, not sent in full


def test_a_busy_port_fails_when_the_server_is_made(server: WebServer) -> None:
    host, port = address(server)
    with pytest.raises(OSError):
        WebServer(create_app(Path("public")), host, port)
