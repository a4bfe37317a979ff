"""Benchmark: crawl N synthetic member feeds served on 127.0.0.1, re-crawl (all 304), publish.

Prints one JSON line per phase. The feeds are served by a separate process (so its CPU does not
count against the crawler), spread over several ports because the crawler allows one request at
a time per host, as a real network of many member sites would be. With many sources the crawler
parses in worker processes (one per core, up to 4): `peak_mb` is the peak memory of the crawler and
its workers together (resident set size, sampled every 50 ms), `peak_rss_mb` the crawler
process alone (its ru_maxrss) and `cpu_s` its CPU time (the workers' CPU is not in it).

Phases: `first_crawl` and `second_crawl` (in this process, every 50th feed broken), then the
command as an operator runs it, in a fresh process on a fresh database of 500 healthy feeds:
`cli_startup` (`aggregator crawl` with nothing due: imports, config, database, no fetch),
`cli_first_crawl`, `cli_all_304` (`aggregator crawl --force`, every feed answers 304: start-up
included), `run_tick_all_304` (the same pass as a tick of a running `aggregator run`, in this
process: start-up paid once), then `publish` of 50,000 stored items.

    python bench/crawl.py [--feeds 500] [--items 30] [--publish-items 50000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import multiprocessing as mp
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from aggregator.crawl import crawl
from aggregator.fetch import FetchSettings
from aggregator.model import Item, Source
from aggregator.runtime import crawl_once, open_store, publish_once
from aggregator.settings import Settings
from aggregator.store.db import make_engine, upgrade
from aggregator.store.repository import Store

FEEDS_PER_PORT = 5
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
WORDS = (
    "Stadtforum",
    "Denkmal",
    "Abriss",
    "Gründerzeithaus",
    "Bürgerbeteiligung",
    "Quartier",
    "Stadtrat",
    "Petition",
    "Vortrag",
    "Rundgang",
    "Brache",
    "Fassade",
    "Leerstand",
    "Straßenbahn",
    "Viadukt",
    "Markt",
    "Park",
    "Wettbewerb",
)


DEV_SET = Path(__file__).resolve().parent.parent / "tests" / "data" / "classify" / "dev.json"


@functools.cache
def german_words() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """The words of the labelled development set's German items, with their cumulative
    frequencies: text drawn from them has the Zipf shape of real news (many "der", "und"; most
    content words rare), unlike the look-alike vocabulary of WORDS."""
    items = json.loads(DEV_SET.read_text(encoding="utf-8"))
    text = " ".join(f"{item['title']} {item.get('summary') or ''}" for item in items)
    counts = Counter(re.findall(r"[A-Za-zÄÖÜäöüß]{2,}", text))
    words = tuple(counts)
    return words, tuple(itertools.accumulate(counts[w] for w in words))


def item_text(rng: random.Random, text: str, words: int = 120) -> str:
    if text == "german":
        vocabulary, cumulative = german_words()
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=words))
    return " ".join(rng.choice(WORDS) for _ in range(words))


def feed_body(feed_no: int, items: int, now: datetime, text_kind: str = "lookalike") -> bytes:
    rng = random.Random(feed_no)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>Stadtforum {feed_no}</title><link>https://forum{feed_no}.example/</link>"
        "<description>Synthetische Testdaten</description>"
    ]
    for i in range(items):
        shared = i < 3  # the first three items of every feed are stories shared across feeds
        link = (
            f"https://presse.example/artikel/{(feed_no + i) % 40}?utm_source=forum{feed_no}"
            if shared
            else f"https://forum{feed_no}.example/{2026 - i // 12}/beitrag-{i}/"
        )
        text = item_text(rng, text_kind)
        date = format_datetime(now - timedelta(hours=feed_no % 97 + i * 7))
        parts.append(
            f"<item><title>Meldung {i} von Forum {feed_no}: {text[:60]}</title><link>{link}</link>"
            f"<guid>{link}#{feed_no}</guid><pubDate>{date}</pubDate>"
            f"<description>{text[:200]}</description><content:encoded><![CDATA[<p>{text}</p>"
            f'<p><a href="/mehr/{i}">Mehr</a> <img src="bild{i}.jpg" alt="Bild"></p>]]>'
            "</content:encoded></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def route(n: int, items: int, now: datetime, text: str) -> Any:
    """Feed number n: every 50th answers 500, every 50th (offset) an HTML page, the rest RSS."""
    from aggregator.demo.httpserver import Response, conditional

    if n % 50 == 7:
        return Response(500, b"Internal Server Error")
    if n % 50 == 33:
        return Response(200, b"<html><body>Wartung</body></html>", {"Content-Type": "text/html"})
    page = Response(
        200,
        feed_body(n, items, now, text),
        {
            "Content-Type": "application/rss+xml; charset=utf-8",
            "ETag": f'"feed-{n}"',
            "Last-Modified": format_datetime(now, usegmt=True),
        },
        gzip=True,
    )
    return lambda request: conditional(page, request)


def healthy(n: int, items: int, now: datetime, text: str) -> Any:
    """Feed number n, always a good RSS feed that answers 304 to its validators."""
    from aggregator.demo.httpserver import Response, conditional

    page = Response(
        200,
        feed_body(n, items, now, text),
        {"Content-Type": "application/rss+xml; charset=utf-8", "ETag": f'"ok-{n}"'},
        gzip=True,
    )
    return lambda request: conditional(page, request)


def serve(feeds: int, items: int, conn: Any, text: str = "lookalike") -> None:
    """Child process: serve every feed and report the URLs to the parent."""
    from aggregator.demo.httpserver import FixtureServer

    now = datetime.now(UTC)
    servers = []
    urls: list[tuple[int, str]] = []
    for start in range(0, feeds, FEEDS_PER_PORT):
        numbers = range(start, min(start + FEEDS_PER_PORT, feeds))
        routes = {f"/feed/{n}.xml": route(n, items, now, text) for n in numbers}
        routes |= {f"/ok/{n}.xml": healthy(n, items, now, text) for n in numbers}
        server = FixtureServer(routes).start()
        servers.append(server)
        urls.extend((n, server.url(f"/feed/{n}.xml")) for n in numbers)
    conn.send(urls)
    conn.recv()  # wait until the parent is done
    for server in servers:
        server.stop()


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TreeMemory:
    """Samples the memory of this process plus its children (the parser workers), leaving out
    the feed server: ru_maxrss cannot see running children."""

    def __init__(self, exclude: set[int], *, include_self: bool = True) -> None:
        self.exclude = exclude
        self.include_self = include_self
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.05):
            pids = _descendants(os.getpid(), self.exclude)
            if self.include_self:
                pids.append(os.getpid())
            self.peak_kb = max(self.peak_kb, sum(_rss_kb(p) for p in pids))

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(c) for c in f.read().split()]
    except OSError:
        return []


def _descendants(pid: int, exclude: set[int]) -> list[int]:
    """Children, grandchildren …: the `aggregator` command of a cli phase and its parser workers."""
    found = []
    todo = [p for p in _children(pid) if p not in exclude]
    while todo:
        child = todo.pop()
        found.append(child)
        todo.extend(p for p in _children(child) if p not in exclude)
    return found


def _rss_kb(pid: int) -> int:
    """Resident memory from /proc/PID/statm: cheap enough to read every 50 ms without slowing
    the measured work (smaps_rollup walks page tables and did). The workers are started with
    spawn (fork + exec), so they share no pages with the crawler that a sum would count twice."""
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def measure(
    phase: str, func: Any, exclude: set[int], *, include_self: bool = True, **extra: Any
) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    with TreeMemory(exclude, include_self=include_self) as memory:
        result = func()
    figures = {
        "phase": phase,
        **extra,
        "wall_s": round(time.perf_counter() - wall, 2),
        "cpu_s": round(time.process_time() - cpu, 2),
        "peak_mb": round(memory.peak_kb / 1024, 1),  # crawler + parser workers, sampled
        "peak_rss_mb": round(rss_mb(), 1),  # the crawler's own process, peak so far
    }
    return result, figures


def synthetic_items(count: int, now: datetime) -> list[Item]:
    items = []
    for n in range(count):
        text = f"Archivmeldung {n}: " + " ".join(WORDS[(n + k) % len(WORDS)] for k in range(40))
        items.append(
            Item(
                source_id=f"archiv-{n % 20}",
                guid=f"archiv-{n}",
                url=f"https://archiv.example/{n}",
                canonical_url=f"https://archiv.example/{n}",
                title=f"Archivmeldung {n}",
                content_html=f"<p>{text}</p>",
                excerpt=text[:300],
                published=now - timedelta(minutes=n),
                cities=(("Leipzig", "Chemnitz", "Halle (Saale)", "Görlitz", "Dresden")[n % 5],),
            )
        )
    return items


def cli_phases(tmp: str, urls: list[tuple[int, str]], exclude: set[int], repeat: int) -> None:
    """`aggregator crawl` as a command on a fresh database: start-up, first crawl, all-304."""
    folder = Path(tmp) / "cli"
    folder.mkdir()
    config = folder / "sources.yaml"
    lines = ["sources:"]
    for n, url in urls:
        lines += [
            f"  - id: forum-{n}",
            f"    name: Stadtforum {n}",
            f"    homepage: https://forum{n}.example/",
            f"    feed: {url.replace('/feed/', '/ok/')}",
        ]
    config.write_text("\n".join(lines) + "\n")
    env = {
        **os.environ,
        "AGGREGATOR_CONFIG": str(config),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{folder / 'cli.db'}",
        "AGGREGATOR_ALLOW_PRIVATE_URLS": "1",  # the bench's own feeds on 127.0.0.1
    }
    command = [sys.executable, "-m", "aggregator.cli"]

    def run(*extra: str) -> str:
        done = subprocess.run(
            [*command, *extra], env=env, cwd=folder, capture_output=True, text=True, check=True
        )
        return done.stdout.strip().splitlines()[-1]

    subprocess.run(
        [*command, "db", "upgrade"], env=env, cwd=folder, check=True, capture_output=True
    )
    for phase, extra, times in (
        ("cli_first_crawl", ("crawl",), 1),
        ("cli_startup", ("crawl",), repeat),
        ("cli_all_304", ("crawl", "--force"), repeat),
    ):
        for _ in range(times):
            summary, figures = measure(
                phase, lambda extra=extra: run(*extra), exclude, include_self=False
            )
            figures.pop("cpu_s")  # of this process, not of the command
            figures.pop("peak_rss_mb")
            figures.update(feeds=len(urls), summary=summary)
            print(json.dumps(figures), flush=True)

    # The same all-304 pass as a tick of a running `aggregator run`: start-up paid once.
    settings = Settings(
        config=config, database_url=env["AGGREGATOR_DATABASE_URL"], allow_private_urls=True
    )
    store = open_store(settings)
    for _ in range(repeat):
        report, figures = measure(
            "run_tick_all_304", lambda: crawl_once(settings, store, force=True), exclude
        )
        figures.update(feeds=len(urls), summary=report.summary())
        print(json.dumps(figures), flush=True)
    store.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=500)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--publish-items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each cli phase")
    parser.add_argument(
        "--text",
        choices=("lookalike", "german"),
        default="lookalike",
        help="item text: 120 words of an 18-word vocabulary (every item resembles every other: "
        "the hard case for clustering), or drawn by frequency from the German words of "
        "tests/data/classify/dev.json",
    )
    args = parser.parse_args()

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe()
    server = ctx.Process(target=serve, args=(args.feeds, args.items, child, args.text), daemon=True)
    server.start()
    urls = parent.recv()
    sources = [
        Source(
            f"forum-{n}",
            f"Stadtforum {n}",
            ("Leipzig", "Chemnitz", "Dresden")[n % 3],
            f"https://forum{n}.example/",
            url,
        )
        for n, url in urls
    ]
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        store = Store(engine)
        settings = FetchSettings(allow_private_addresses=True)  # the feeds are on 127.0.0.1

        def run_crawl(force: bool) -> Any:
            return asyncio.run(
                crawl(sources, store, settings, clock=lambda: datetime.now(UTC), force=force)
            )

        report, figures = measure(
            "first_crawl", lambda: run_crawl(False), {server.pid}, feeds=len(sources)
        )
        figures.update(items=report.new, ok=report.count("ok"), failed=report.count("failed"))
        print(json.dumps(figures), flush=True)

        report, figures = measure(
            "second_crawl", lambda: run_crawl(True), {server.pid}, feeds=len(sources)
        )
        figures.update(
            not_modified=report.count("not_modified"),
            ok=report.count("ok"),
            failed=report.count("failed"),
            items=report.new + report.updated,
        )
        print(json.dumps(figures), flush=True)

        cli_phases(tmp, urls, {server.pid}, args.repeat)

        now = datetime.now(UTC)
        stored = store.count_stories()
        missing = max(args.publish_items - stored, 0)
        store.sync_sources(
            [
                *sources,
                *(
                    Source(
                        f"archiv-{n}",
                        f"Archiv {n}",
                        "Leipzig",
                        "https://archiv.example/",
                        "https://archiv.example/feed",
                    )
                    for n in range(20)
                ),
            ]
        )
        batch = synthetic_items(missing, now)
        for start in range(0, len(batch), 1000):
            store.upsert_items(batch[start : start + 1000], now)

        def run_publish() -> Any:  # exactly what `aggregator publish` does
            settings = Settings(output_dir=Path(tmp) / "public", base_url="https://bench.example/")
            report, _seconds = publish_once(settings, store, sources)
            return report

        result, figures = measure("publish", run_publish, {server.pid})
        figures.update(stories=result.stories, pages=result.pages)
        print(json.dumps(figures), flush=True)
    parent.send("done")
    server.join(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
