"""Several crawler processes share one database (issue 10, point 5).

Real `aggregator crawl` processes against a real loopback server that counts requests per URL,
on SQLite and on the machine's PostgreSQL: each feed is fetched exactly once per due time, and
the sources of a process killed mid-crawl are picked up once its lease has expired.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.store.db import make_engine
from aggregator.store.schema import ItemRow

FEEDS = 12


def rss(n: int) -> bytes:
    items = "".join(
        f"<item><guid>f{n}-{i}</guid><title>Forum {n} Meldung {i}</title>"
        f"<link>https://forum{n}.example/{i}</link>"
        f"<pubDate>Mon, 23 Nov 2026 1{i}:00:00 +0100</pubDate></item>"
        for i in range(3)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>https://forum{n}.example/</link><description>d</description>{items}"
        "</channel></rss>"
    ).encode()


@pytest.fixture
def servers() -> Iterator[list[FixtureServer]]:
    """Three hosts (ports), four slow feeds each: a crawl takes a few seconds."""
    started = [FixtureServer().start() for _ in range(3)]
    for n in range(FEEDS):
        started[n % 3].routes[f"/feed/{n}.xml"] = Response(
            200, rss(n), {"Content-Type": "application/rss+xml"}, delay_s=0.4
        )
    yield started
    for server in started:
        server.stop()


def write_config(path: Path, servers: list[FixtureServer]) -> Path:
    lines = ["sources:"]
    for n in range(FEEDS):
        lines += [
            f"  - id: forum-{n}",
            f"    name: Forum {n}",
            f"    homepage: https://forum{n}.example/",
            f"    feed: {servers[n % 3].url(f'/feed/{n}.xml')}",
        ]
    path.write_text("\n".join(lines) + "\n")
    return path


def crawler(tmp_path: Path, database_url: str, lease_s: float = 60) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "AGGREGATOR_CONFIG": str(tmp_path / "sources.yaml"),
        "AGGREGATOR_DATABASE_URL": database_url,
        "AGGREGATOR_CRAWL_LEASE_S": str(lease_s),
        "AGGREGATOR_ALLOW_PRIVATE_URLS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "aggregator.cli", "crawl"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def requests_per_url(servers: list[FixtureServer]) -> Counter[str]:
    return Counter(server.url(request.path) for server in servers for request in server.requests)


def stored_items(database_url: str) -> int:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(ItemRow)).scalar_one())
    finally:
        engine.dispose()


def migrate(tmp_path: Path, database_url: str) -> None:
    """The schema first, so that the racing crawlers test the crawl, not the migration."""
    env = {**os.environ, "AGGREGATOR_DATABASE_URL": database_url}
    subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "db", "upgrade"],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )


def test_three_crawlers_fetch_each_feed_exactly_once(
    tmp_path: Path, servers: list[FixtureServer], database_url: str
) -> None:
    write_config(tmp_path / "sources.yaml", servers)
    migrate(tmp_path, database_url)
    processes = [crawler(tmp_path, database_url) for _ in range(3)]
    outputs = [p.communicate(timeout=90)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    counts = requests_per_url(servers)
    assert len(counts) == FEEDS
    assert set(counts.values()) == {1}, counts
    assert stored_items(database_url) == FEEDS * 3
    lines = [line for out in outputs for line in out.splitlines()]
    assert not [line for line in lines if line.startswith(("failed:", "error"))]


def test_sources_of_a_killed_crawler_are_picked_up_after_its_lease(
    tmp_path: Path, servers: list[FixtureServer], database_url: str
) -> None:
    write_config(tmp_path / "sources.yaml", servers)
    migrate(tmp_path, database_url)
    lease_s = 3.0
    victim = crawler(tmp_path, database_url, lease_s)
    deadline = time.monotonic() + 30
    while sum(requests_per_url(servers).values()) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)  # no cleanup: its leases stay behind
    victim.communicate(timeout=10)
    fetched_by_victim = set(requests_per_url(servers))
    assert 0 < len(fetched_by_victim) < FEEDS

    early = crawler(tmp_path, database_url, lease_s)  # the leases still hold
    early_out = early.communicate(timeout=60)[0]
    assert early.returncode == 0, early_out
    assert set(requests_per_url(servers)) == fetched_by_victim
    assert "being fetched by another crawler" in early_out

    time.sleep(lease_s + 0.5)
    late = crawler(tmp_path, database_url, lease_s)
    late_out = late.communicate(timeout=90)[0]
    assert late.returncode == 0, late_out
    counts = requests_per_url(servers)
    assert len(counts) == FEEDS  # every feed was fetched in the end
    assert stored_items(database_url) == FEEDS * 3
    # a feed whose answer the victim had stored before it died is not fetched again
    assert max(counts.values()) <= 2
