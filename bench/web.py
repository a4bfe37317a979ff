"""Benchmark of the editor's digest pages (issue 13, point 7).

Stores 50,000 items first seen in one week (bench/crawl.py's `synthetic_items`), drafts that
week's digest (at most 200 entries), signs an editor in and asks the real web app (uvicorn on
127.0.0.1, the same app as `aggregator run`) for the draft page, the web preview and the mail
preview, each `--requests` times after a warm-up. Prints one JSON line per page: median and 90th
percentile milliseconds (wall time of a whole HTTP request on loopback), bytes; and one line for
the set-up (storing, drafting).

    python bench/web.py [--items 50000] [--entries 200] [--requests 30]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from crawl import synthetic_items  # bench/crawl.py: the same stored items as its publish

from aggregator.digest import draft_digest
from aggregator.editors import add_editor, open_session
from aggregator.model import Source
from aggregator.settings import Settings
from aggregator.store.db import make_engine, upgrade
from aggregator.store.digests import Digests
from aggregator.store.editors import Editors
from aggregator.store.repository import Store
from aggregator.web.app import create_app
from aggregator.web.auth import SESSION_COOKIE
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer
from aggregator.weekly import week_of

ARCHIVES = 20  # the forums of crawl.synthetic_items: archiv-0 … archiv-19


def timed_get(client: httpx.Client, url: str, repeat: int) -> dict[str, object]:
    client.get(url).raise_for_status()  # warm-up: templates compile once per process
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p90_ms": round(times[int(len(times) * 0.9) - 1], 1),
        "bytes": size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--entries", type=int, default=200)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args(argv)

    now = datetime.now(UTC)
    week = week_of(now)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/bench.db", output_dir=Path(tmp) / "public"
        )
        engine = make_engine(settings.database_url)
        upgrade(engine)
        store = Store(engine)
        store.sync_sources(
            [
                Source(f"archiv-{n}", f"Archiv {n}", "Leipzig", "https://archiv.example/",
                       f"https://archiv.example/feed/{n}")
                for n in range(ARCHIVES)
            ]
        )  # fmt: skip
        started = time.perf_counter()
        batch = synthetic_items(args.items, now)  # first seen now: all in this week
        for start in range(0, len(batch), 1000):
            store.upsert_items(batch[start : start + 1000], now)
        stored_s = time.perf_counter() - started
        started = time.perf_counter()
        digest = draft_digest(Digests(engine), week, now, max_entries=args.entries)
        draft_s = time.perf_counter() - started
        print(
            json.dumps(
                {
                    "phase": "setup",
                    "items": args.items,
                    "store_s": round(stored_s, 2),
                    "draft_s": round(draft_s, 2),
                    "entries": len(digest.entries),
                }
            ),
            flush=True,
        )
        editors = Editors(engine)
        editor = add_editor(editors, "bench", "ein langes Passwort 123", now)
        token, _session = open_session(editors, editor, datetime.now(UTC))
        context = WebContext(settings, engine, lambda: datetime.now(UTC))
        server = WebServer(create_app(settings.output_dir, context), "127.0.0.1", 0).start()
        try:
            with httpx.Client(
                base_url=server.url.rstrip("/"), cookies={SESSION_COOKIE: token}, timeout=30
            ) as client:
                base = f"/redaktion/wochenschau/{week}"
                for page, path in (
                    ("draft_page", base),
                    ("web_preview", f"{base}/vorschau"),
                    ("mail_preview", f"{base}/vorschau/mail.html"),
                ):
                    figures = timed_get(client, path, args.requests)
                    print(json.dumps({"phase": page, "entries": len(digest.entries), **figures}))
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
