"""Benchmark: item extraction from 1,000 stored list pages on one core (issue 11, point 8).

The pages are the scrape fixtures (tests/data/scrape), each copy varied (other years, titles
and links) so that no two are identical; every auto-detected pattern and the selectors mode are
in the mix. Prints one JSON line: pages per second (best of --repeat passes, no tracing), the
peak Python allocations of one traced pass (tracemalloc: lexbor's C memory is not in it) and the
process's peak resident set size (ru_maxrss, includes lexbor and the interpreter).

    python bench/scrape_lists.py [--pages 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path

from aggregator.model import ScrapeRules
from aggregator.parse.scrape import read_list_page

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "scrape"
FIXTURES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("wordpress.html", "https://www.stadtforum-chemnitz.de/aktuelles/", {}),
    ("typo3.html", "https://www.denkmalnetz-sachsen.de/neuigkeiten", {}),
    ("jimdo.html", "https://www.altstadt-zittau.de/blog/", {}),
    ("dated-blocks.html", "https://www.stadtforum-leipzig.de/index.html", {}),
    ("plus-blocks.html", "http://www.stadtforum-leipzig.de/home.htm", {}),
    ("windows-1252.html", "http://dresdens-erben.de/neues.htm", {}),
    ("dokuwiki.html", "http://www.weimar-schiesshausgelaende.de/doku.php?id=chronik", {}),
    ("noise.html", "https://www.buerger-fuer-weissenfels.de/aktuelles/", {}),
    (
        "selectors.html",
        "https://www.kuratorium-altstadt-pirna.de/presse/",
        {"item": ".meldung", "title": ".ueberschrift", "link": "a.link", "date": ".datum"},
    ),
)


def build_pages(count: int) -> list[tuple[bytes, str, ScrapeRules]]:
    """`count` distinct list pages: each fixture with its years, titles and links varied."""
    pages = []
    for index in range(count):
        name, url, rules = FIXTURES[index % len(FIXTURES)]
        body = (DATA / name).read_bytes()
        year = str(2000 + index % 26).encode()
        body = body.replace(b"2025", year).replace(b"2015", year)
        for word in (b"Stadtforum", b"Denkmal", b"Salzhaus", b"Schie"):
            body = body.replace(word, word + b"-" + str(index).encode())
        body = body.replace(b'href="/', f'href="/v{index}/'.encode())
        pages.append((body, url, ScrapeRules(url=url, **rules)))
    return pages


def extract_all(pages: list[tuple[bytes, str, ScrapeRules]]) -> tuple[int, Counter[str]]:
    items = 0
    patterns: Counter[str] = Counter()
    for body, url, rules in pages:
        page = read_list_page(body, url=url, rules=rules, content_type="text/html")
        items += len(page.entries)
        patterns[page.pattern] += 1
    return items, patterns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = build_pages(args.pages)
    extract_all(pages[:20])  # imports and lazy set-up outside the clock
    best = float("inf")
    items, patterns = 0, Counter[str]()
    for _ in range(args.repeat):
        started = time.perf_counter()
        items, patterns = extract_all(pages)
        best = min(best, time.perf_counter() - started)
    tracemalloc.start()
    extract_all(pages)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = {
        "phase": "scrape_list_pages",
        "pages": len(pages),
        "items": items,
        "patterns": dict(sorted(patterns.items())),
        "seconds": round(best, 3),
        "pages_per_s": round(len(pages) / best, 1),
        "ms_per_page": round(1000 * best / len(pages), 3),
        "peak_traced_mb": round(traced_peak / 2**20, 2),
        "peak_rss_mb": round(rss_kb / 1024 if sys.platform != "darwin" else rss_kb / 2**20, 1),
        "parser": "selectolax (lexbor)",
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
