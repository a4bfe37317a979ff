"""The `aggregator` command as a user runs it: help, config errors, flags and environment."""

from __future__ import annotations

import argparse
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from aggregator.cli import build_parser, main
from aggregator.demo.httpserver import FixtureServer, Response

FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
<title>Stadtforum</title><link>https://forum.example/</link><description>d</description>
<item><guid>x1</guid><title>Rundgang am Markt</title><link>https://forum.example/x1</link>
<pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate></item></channel></rss>"""


@pytest.fixture
def site(monkeypatch: pytest.MonkeyPatch) -> Iterator[FixtureServer]:
    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")  # the site is on 127.0.0.1
    with FixtureServer(
        {"/feed/": Response(200, FEED, {"Content-Type": "application/rss+xml"})}
    ) as s:
        yield s


def dump(db: Path) -> list[str]:
    """Every row of every table (the file's bytes change with WAL checkpoints alone)."""
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def write_config(path: Path, feed: str) -> Path:
    path.write_text(
        "sources:\n"
        "  - id: leipzig\n"
        "    name: Stadtforum Leipzig\n"
        "    city: Leipzig\n"
        "    homepage: https://www.stadtforum-leipzig.de/\n"
        f"    feed: {feed}\n",
        encoding="utf-8",
    )
    return path


def test_help_lists_every_command_with_a_description() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "aggregator.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("crawl", "publish", "run", "serve", "demo", "db", "sources"):
        assert command in result.stdout
    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for action in subparsers._choices_actions:
        assert action.help, f"command {action.dest} has no help text"


def test_crawl_with_flags_and_with_environment_only(
    site: FixtureServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config(tmp_path / "quellen.yaml", site.url("/feed/"))
    db = tmp_path / "flags.db"
    assert main(["--config", str(config), "--database-url", f"sqlite:///{db}", "crawl"]) == 0
    out = capsys.readouterr().out
    assert "1 sources: 1 ok, 0 not modified, 0 failed; items: 1 new, 0 updated" in out

    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'env.db'}")
    monkeypatch.setenv("AGGREGATOR_OUTPUT_DIR", str(tmp_path / "site"))
    assert main(["crawl"]) == 0
    assert "items: 1 new" in capsys.readouterr().out
    assert main(["publish"]) == 0
    assert "Rundgang am Markt" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")


def test_bad_config_exits_2_one_line_per_problem_and_changes_nothing(
    site: FixtureServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_config(tmp_path / "good.yaml", site.url("/feed/"))
    db = tmp_path / "agg.db"
    url = f"sqlite:///{db}"
    assert main(["--config", str(good), "--database-url", url, "crawl"]) == 0
    capsys.readouterr()
    before = dump(db)

    bad = tmp_path / "bad.yaml"
    bad.write_text(
        good.read_text(encoding="utf-8").replace("feed:", "fed:")
        + "  - id: leipzig\n    name: Doppelt\n    homepage: https://x.example/\n"
        "    feed: nicht-url\n",
        encoding="utf-8",
    )
    for command in (["crawl"], ["publish"], ["sources", "check"]):
        assert main(["--config", str(bad), "--database-url", url, *command]) == 2
        err = capsys.readouterr().err.splitlines()
        assert err == [
            f"error: {bad}:2: source 'leipzig': missing field 'feed' (or 'scrape' with the news "
            "page to read instead)",
            f"error: {bad}:6: source 'leipzig': unknown key 'fed' (allowed: id, name, homepage, "
            "feed, scrape, city, interval, enabled, feed_verified, contact)",
            f"error: {bad}:7: source 'leipzig': duplicate id (first used on line 2)",
            f"error: {bad}:10: source 'leipzig': field 'feed': 'nicht-url' must start with "
            "http:// or https://",
        ]
    assert dump(db) == before


def test_unknown_source_id_and_bad_setting_are_config_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "s.yaml", "https://www.stadtforum-leipzig.de/feed/")
    db = f"sqlite:///{tmp_path / 'x.db'}"
    assert (
        main(["--config", str(config), "--database-url", db, "crawl", "--source", "dresden"]) == 2
    )
    assert "no source with id 'dresden'" in capsys.readouterr().err
    monkeypatch.setenv("AGGREGATOR_PORT", "achtzig")
    assert main(["--config", str(config), "sources", "check"]) == 2
    assert capsys.readouterr().err.strip() == (
        "error: AGGREGATOR_PORT='achtzig': expected a whole number"
    )


def test_db_upgrade_and_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert main(["--database-url", url, "db", "status"]) == 0
    assert "empty" in capsys.readouterr().out
    assert main(["--database-url", url, "db", "upgrade"]) == 0
    assert main(["--database-url", url, "db", "status"]) == 0
    assert "up to date" in capsys.readouterr().out


def test_an_unexpected_error_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Fault injection: a bug anywhere below the CLI still ends in one line and status 1."""
    import aggregator.cli

    def broken(path: Path, **options: object) -> None:
        raise RuntimeError("kaputt")

    monkeypatch.setattr(aggregator.cli, "load_sources", broken)
    assert main(["--config", str(tmp_path / "s.yaml"), "sources", "check"]) == 1
    assert capsys.readouterr().err == (
        "error: unexpected RuntimeError: kaputt (run with -v for the traceback)\n"
    )


def test_sources_status_names_the_crawler_fetching_a_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime, timedelta

    from aggregator.config import load_sources
    from aggregator.store.db import make_engine, upgrade
    from aggregator.store.repository import Store

    config = tmp_path / "sources.yaml"
    config.write_text(
        "sources:\n"
        "  - id: leipzig\n    name: Stadtforum\n    homepage: https://a.example/\n"
        "    feed: https://a.example/feed/\n"
        "  - id: halle\n    name: AKI\n    homepage: https://b.example/\n"
        "    feed: https://b.example/feed/\n"
    )
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    store = Store(engine)
    store.sync_sources(load_sources(config))
    now = datetime.now(UTC)
    assert store.claim_sources(["leipzig"], "crawler-b:4711:ab", now, now + timedelta(hours=1)) == [
        "leipzig"
    ]
    engine.dispose()
    assert main(["--config", str(config), "--database-url", url, "sources", "status"]) == 0
    out = capsys.readouterr().out
    assert "being fetched by crawler crawler-b:4711:ab (claim until" in out
    assert out.count("being fetched") == 1  # halle is not claimed
    assert re.search(r"^halle\s+feed\s+0 items", out, re.MULTILINE)  # the kind of source
