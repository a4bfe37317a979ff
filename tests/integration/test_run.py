"""`aggregator run` as a process: crawls, publishes, serves; stops cleanly; restarts from the DB."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aggregator.demo.httpserver import FixtureServer, Response

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Stadtforum</title><link>https://forum.example/</link><description>d</description>
<item><guid>r1</guid><title>Führung durch die Südvorstadt</title>
<link>https://forum.example/r1</link><pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate></item>
</channel></rss>""".encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")  # the site is on 127.0.0.1
    with FixtureServer(
        {"/feed/": Response(200, FEED, {"Content-Type": "application/rss+xml"})}
    ) as s:
        yield s


def start(tmp_path: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "run"],
        cwd=tmp_path,
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def read_until(process: subprocess.Popen[str], marker: str, timeout: float = 60) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line.rstrip())
        if marker in line:
            return lines
    process.kill()
    raise AssertionError(f"{marker!r} not seen; output: {lines}")


def stop(process: subprocess.Popen[str], signum: signal.Signals) -> str:
    process.send_signal(signum)
    out, _ = process.communicate(timeout=60)
    assert process.returncode == 0, out
    return out


def test_run_serves_stops_on_signal_and_restarts_from_the_database(
    site: FixtureServer, tmp_path: Path
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - id: leipzig\n    name: Stadtforum Leipzig\n    city: Leipzig\n"
        f"    homepage: https://forum.example/\n    feed: {site.url('/feed/')}\n",
        encoding="utf-8",
    )
    port = free_port()
    env = {
        "AGGREGATOR_CONFIG": str(config),
        "AGGREGATOR_PORT": str(port),
        "AGGREGATOR_CHECK_EVERY_S": "1",
    }

    process = start(tmp_path, env)
    lines = read_until(process, "serving")
    assert any("items: 1 new" in line for line in lines)
    page = httpx.get(f"http://127.0.0.1:{port}/")
    assert page.status_code == 200
    assert "Führung durch die Südvorstadt" in page.text
    feed = httpx.get(f"http://127.0.0.1:{port}/feed.xml")
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert httpx.get(f"http://127.0.0.1:{port}/gibt-es-nicht").status_code == 404
    time.sleep(2.5)  # a couple of scheduler ticks: nothing is due, nothing is fetched again
    assert len(site.requests) == 1
    assert "stopped" in stop(process, signal.SIGTERM)
    assert (tmp_path / "data" / "aggregator.db").is_file()

    process = start(tmp_path, env)  # a restart knows from the database that nothing is due
    lines = read_until(process, "serving")
    assert any("no source is due" in line for line in lines)
    assert len(site.requests) == 1
    assert "stopped" in stop(process, signal.SIGINT)


def test_busy_port_is_one_clear_error_before_crawling(site: FixtureServer, tmp_path: Path) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n  - id: leipzig\n    name: L\n    homepage: https://forum.example/\n"
        f"    feed: {site.url('/feed/')}\n",
        encoding="utf-8",
    )
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        process = start(tmp_path, {"AGGREGATOR_CONFIG": str(config), "AGGREGATOR_PORT": str(port)})
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert f"error: cannot listen on 127.0.0.1:{port}: Address already in use" in out
    assert site.requests == []  # nothing was crawled
