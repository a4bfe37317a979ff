"""Benchmark: metadata of 1,000 article pages (`aggregator.parse.article.read_article`), one core.

The pages are built from the article fixtures of tests/data/article (WordPress with Yoast
JSON-LD, TYPO3 news, Jimdo, a hand-made page, an invitation, …), each copy different: its own
title, dates, paragraphs, menu and a theme-sized block of inline CSS and script, so that pages
weigh what real ones do (30–120 KB). Half the copies lose their structured dates, so the
`<time>` and the text paths are measured too. Prints one JSON line: pages per second, the
mean page size, the peak memory of the process (resident set size) and what was found.

    python bench/scrape_articles.py [--pages 1000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import time
from collections import Counter
from pathlib import Path

from aggregator.parse.article import read_article

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "article"
WORDS = [
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
    "Sudhaus",
    "Wasserturm",
    "Bebauungsplan",
    "Altstadt",
    "Baulücke",
    "Sanierung",
    "Leerstand",
    "Straßenbahn",
    "Marktplatz",
    "Kaufhaus",
    "Ratssaal",
    "Vernetzungstreffen",
    "Gutachten",
]
MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")  # fmt: skip


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def variant(template: str, index: int, rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(2012, 2026)
    page = re.sub(r"\d{4}-\d{2}-\d{2}", f"{year}-{month:02d}-{day:02d}", template)
    page = re.sub(r"\b\d{2}\.\d{2}\.\d{4}\b", f"{day:02d}.{month:02d}.{year}", page)
    page = re.sub(r"\b\d{1,2}\. (?:November|Oktober|September|Dezember) \d{4}",
                  f"{day}. {MONTHS[month - 1]} {year}", page)  # fmt: skip
    if index % 2:  # no structured dates: the <time> or the text must give it
        page = re.sub(r'<meta property="article:[a-z_]+time"[^>]*>', "", page)
        page = re.sub(r'"date(?:Published|Modified)":"[^"]*",?', "", page)
    title = sentence(rng, rng.randint(4, 9))[:-1]
    page = page.replace("<h1", f"<h1 data-n='{index}'", 1)
    page = re.sub(r"(<h1[^>]*>)[^<]*", rf"\g<1>{title}", page, count=1)
    paragraphs = "".join(
        f"<p>{sentence(rng, rng.randint(15, 60))}</p>" for _ in range(rng.randint(3, 12))
    )
    page = page.replace("</p>", "</p>" + paragraphs, 1)
    menu = "".join(
        f'<li><a href="/seite-{index}-{n}/">{rng.choice(WORDS)}</a></li>' for n in range(40)
    )
    style = "".join(
        f".c{index}-{n}{{margin:{n}px;color:#{rng.randrange(16**6):06x}}}"
        for n in range(rng.randint(300, 1500))
    )
    script = (
        "var cfg = "
        + json.dumps({f"k{n}": sentence(rng, 5) for n in range(rng.randint(50, 300))})
        + ";"
    )
    head = f"<style>{style}</style><script>{script}</script>"
    page = page.replace("</head>", head + "</head>", 1)
    return page.replace("<body", f"<body data-v='{index}'", 1).replace(
        "</body>", f"<ul class='menu'>{menu}</ul></body>", 1
    )  # fmt: skip


def build(count: int) -> list[tuple[bytes, str]]:
    rng = random.Random(11)
    templates = sorted(DATA.glob("*.html"))
    pages = []
    for index in range(count):
        path = templates[index % len(templates)]
        raw = path.read_bytes()
        encoding = "latin-1" if path.name == "handmade-leipzig.html" else "utf-8"
        text = variant(raw.decode(encoding), index, rng)
        url = f"https://www.stadtforum-leipzig.de/{2000 + index % 27}/beitrag-{index}/"
        pages.append((text.encode(encoding, "replace"), url))
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pages = build(args.pages)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    read_article(*pages[0][:1], url=pages[0][1])  # imports and lazy set-up outside the timing
    best = float("inf")
    sources: Counter[str] = Counter()
    for _ in range(args.repeat):
        sources.clear()
        start = time.perf_counter()
        for content, url in pages:
            meta = read_article(content, url=url)
            sources[meta.date_source or "none"] += 1
        best = min(best, time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "phase": "article_metadata",
                "pages": len(pages),
                "mean_page_kb": round(sum(len(c) for c, _ in pages) / len(pages) / 1024, 1),
                "seconds": round(best, 3),
                "pages_per_second": round(len(pages) / best),
                "ms_per_page": round(best / len(pages) * 1000, 2),
                "peak_rss_mb": round(peak / 1024, 1),
                "pages_in_memory_rss_mb": round(rss_before / 1024, 1),
                "date_sources": dict(sorted(sources.items())),
            }
        )
    )


if __name__ == "__main__":
    main()
