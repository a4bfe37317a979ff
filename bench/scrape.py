"""Benchmark of scraping's CPU work (issue 11, point 8), on one core: item extraction from 1,000
stored list pages and metadata extraction from 1,000 article pages. Prints one JSON line per
phase: pages per second, milliseconds per page, peak memory.

The list pages are the scrape fixtures (tests/data/scrape, every pattern and the selectors
mode), each copy varied; by default each is also given the weight of a real CMS page
(`--page-kb`, 80: inline CSS and scripts in the head, a mega menu and a footer of links, as
WordPress and TYPO3 themes send them), since the fixtures themselves are 5-10 KB and lexbor's
cost grows with the page. The article pages are the article fixtures (tests/data/article),
varied the same way (bench/scrape_articles.py).

    python bench/scrape.py [--pages 1000] [--repeat 3] [--page-kb 80]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter

from scrape_articles import build as build_articles
from scrape_lists import build_pages, extract_all

from aggregator.parse.article import read_article


def weighed(body: bytes, kb: int, index: int) -> bytes:
    """`body` with about `kb` KiB of page furniture around its content."""
    if kb <= 0:
        return body
    style = (
        "<style>"
        + "".join(
            f".c{index}-{n}{{margin:{n % 9}px;padding:{n % 7}px;color:#{n % 999:03d}}}"
            for n in range(kb * 12)
        )
        + "</style>"
    )
    script = "<script>var cfg={" + ",".join(f"k{n}:{n}" for n in range(kb * 25)) + "};</script>"
    menu = (
        "<nav class='mega-menu'><ul>"
        + "".join(
            f"<li class='menu-item'><a href='/thema/{index}/{n}/'>Thema {n}</a></li>"
            for n in range(kb * 5)
        )
        + "</ul></nav>"
    )
    head_end = body.find(b"</head>")
    body_start = body.find(b"<body")
    if head_end < 0 or body_start < 0:
        return body
    open_end = body.find(b">", body_start) + 1
    return (
        body[:head_end]
        + style.encode()
        + script.encode()
        + body[head_end:open_end]
        + menu.encode()
        + body[open_end:]
    )


def list_phase(pages: int, repeat: int, kb: int) -> dict[str, object]:
    built = [
        (weighed(body, kb, index), url, rules)
        for index, (body, url, rules) in enumerate(build_pages(pages))
    ]
    extract_all(built[:20])  # imports and lazy set-up outside the clock
    best = float("inf")
    items, patterns = 0, Counter[str]()
    for _ in range(repeat):
        started = time.perf_counter()
        items, patterns = extract_all(built)
        best = min(best, time.perf_counter() - started)
    return {
        "phase": "list_pages",
        "pages": len(built),
        "mean_page_kb": round(sum(len(b) for b, _u, _r in built) / len(built) / 1024, 1),
        "items": items,
        "patterns": dict(sorted(patterns.items())),
        "seconds": round(best, 3),
        "pages_per_s": round(len(built) / best, 1),
        "ms_per_page": round(1000 * best / len(built), 3),
        "peak_rss_mb": _peak_rss_mb(),
    }


def article_phase(pages: int, repeat: int) -> dict[str, object]:
    built = build_articles(pages)
    read_article(built[0][0], url=built[0][1])
    best = float("inf")
    sources: Counter[str] = Counter()
    for _ in range(repeat):
        sources.clear()
        started = time.perf_counter()
        for content, url in built:
            sources[read_article(content, url=url).date_source or "none"] += 1
        best = min(best, time.perf_counter() - started)
    return {
        "phase": "article_pages",
        "pages": len(built),
        "mean_page_kb": round(sum(len(c) for c, _u in built) / len(built) / 1024, 1),
        "date_sources": dict(sorted(sources.items())),
        "seconds": round(best, 3),
        "pages_per_s": round(len(built) / best, 1),
        "ms_per_page": round(1000 * best / len(built), 3),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-kb", type=int, default=80, help="weight added to list pages")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    print(json.dumps(list_phase(args.pages, args.repeat, args.page_kb)))
    print(json.dumps(article_phase(args.pages, args.repeat)))


if __name__ == "__main__":
    main()
