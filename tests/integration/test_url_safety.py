"""URL safety end to end: a crawl that is sent inside records blocked_address, the public
sources page says only that, and the CLI refuses internal feeds unless they are allowed."""

from __future__ import annotations

import asyncio
import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.model import Source
from aggregator.publish import publish_site
from aggregator.store.db import make_engine, upgrade
from aggregator.store.repository import Store

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
LOCAL = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def store(tmp_path: Path) -> Store:
    engine = make_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
    upgrade(engine)
    return Store(engine)


def member(server: FixtureServer, sid: str, path: str) -> Source:
    return Source(sid, f"Forum {sid}", "Leipzig", "https://forum.example/", server.url(path))


def test_redirects_inside_look_the_same_on_the_public_page_whatever_listens_there(
    store: Store, tmp_path: Path
) -> None:
    """A member cannot scan ports through the sources page: every internal target is one
    phrase, whether something listens there or not."""
    with FixtureServer() as server:
        server.routes["/meta"] = Response(302, b"", {"Location": "http://169.254.169.254/"})
        server.routes["/ssh"] = Response(302, b"", {"Location": "http://[fe80::1]:22/"})
        sources = [member(server, "meta", "/meta"), member(server, "ssh", "/ssh")]
        report = asyncio.run(crawl(sources, store, LOCAL, clock=lambda: NOW))
    assert [(o.status, o.reason) for o in report.outcomes] == [
        ("failed", "blocked_address"),
        ("failed", "blocked_address"),
    ]
    states = store.fetch_states()
    members = [(s, states.get(s.id)) for s in sources]
    publish_site([], members, tmp_path / "site", base_url="https://nachrichten.example/", now=NOW)
    page = (tmp_path / "site" / "quellen.html").read_text(encoding="utf-8")
    assert page.count("Fehler: die Adresse darf nicht abgerufen werden") == 2
    for detail in ("169.254", "fe80", ":22", "abgelehnt", "Zeitüberschreitung"):
        assert detail not in page


def test_the_default_settings_fetch_nothing_on_loopback(store: Store) -> None:
    with FixtureServer({"/feed/": Response(200, b"<rss/>")}) as server:
        sources = [member(server, "lokal", "/feed/")]
        report = asyncio.run(crawl(sources, store, FetchSettings(), clock=lambda: NOW))
        assert server.requests == []
    (outcome,) = report.outcomes
    assert (outcome.status, outcome.reason) == ("failed", "blocked_address")
    assert outcome.message is not None and "AGGREGATOR_ALLOW_PRIVATE_URLS" in outcome.message


def test_cli_refuses_a_loopback_feed_unless_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("AGGREGATOR_ALLOW_PRIVATE_URLS", raising=False)
    config = tmp_path / "sources.yaml"
    feed = f"http://127.0.0.1:{closed_port()}/feed/"
    config.write_text(
        "sources:\n  - id: lokal\n    name: Lokal\n    homepage: https://forum.example/\n"
        f"    feed: {feed}\n",
        encoding="utf-8",
    )
    assert main(["--config", str(config), "sources", "check"]) == 2
    assert capsys.readouterr().err == (
        f"error: {config}:5: source 'lokal': field 'feed': host '127.0.0.1' is a loopback "
        "address; set AGGREGATOR_ALLOW_PRIVATE_URLS=1 to allow it\n"
    )
    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")
    assert main(["--config", str(config), "sources", "check"]) == 0
    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "vielleicht")
    assert main(["--config", str(config), "sources", "check"]) == 2
    assert "AGGREGATOR_ALLOW_PRIVATE_URLS='vielleicht'" in capsys.readouterr().err
