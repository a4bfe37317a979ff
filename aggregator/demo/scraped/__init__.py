"""The demo sites without a working feed, one per scraping pattern, and one whose feed only its
home page names.

Each site renders the sample stories of its data file (`demo/data/*.yaml`, see `stories.py`) the
way its CMS does, so that the scraper meets the real markup (one module per pattern):

    leipzig-stadt-fuer-alle     wordpress     feed 404: article.post, <time datetime>, two pages
    dresden-entwicklungsforum   typo3         tx_news list, detail pages with og: meta
    zittau-freiraum             jimdo         .j-blogarticle, dates without a time
    freiberg-stadtforum         dated_blocks  "TT.MM.JJJJ | TITEL" blocks, dates in the text
    magdeburg-altes-magdeburg   plus_blocks   "21. DEZEMBER 2015 // Titel" blocks and "+++"
    weimar-schiesshaus-chronik  dokuwiki      tables of "TT.MM.JJJJ | text with links"
    denkmalnetz-sachsen         discoverable  a feed named only by <link rel="alternate">

Pure: `now` and `base_url` in, routes out. `expected_scraped_items` says what a correct scraper
must read from the first six, computed from the same data as the pages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from aggregator.demo.content import Calendar
from aggregator.demo.demosite import DemoSite
from aggregator.demo.httpserver import Route
from aggregator.demo.scraped import (
    dated_blocks,
    discoverable,
    dokuwiki,
    jimdo,
    plus_blocks,
    typo3,
    wordpress,
)
from aggregator.demo.scraped.common import ExpectedItem, Listed, wall_clock
from aggregator.demo.stories import Story, load_stories

__all__ = [
    "COMMENT_FEED_PATH",
    "DATED_BLOCKS",
    "DISCOVERABLE_SITE",
    "DOKUWIKI",
    "JIMDO",
    "PLUS_BLOCKS",
    "SCRAPED_SITES",
    "TYPO3",
    "WORDPRESS",
    "ExpectedItem",
    "expected_scraped_items",
    "scraped_routes",
]

WORDPRESS = wordpress.SITE
TYPO3 = typo3.SITE
JIMDO = jimdo.SITE
DATED_BLOCKS = dated_blocks.SITE
PLUS_BLOCKS = plus_blocks.SITE
DOKUWIKI = dokuwiki.SITE
DISCOVERABLE_SITE = discoverable.SITE
COMMENT_FEED_PATH = discoverable.COMMENT_FEED_PATH


@dataclass(frozen=True, slots=True)
class _Pattern:
    site: DemoSite
    data: str  # data file stem
    listing: Callable[[Sequence[Story]], list[Listed]]
    render: Callable[[Sequence[Listed], str], dict[str, Route]]  # (listed, base) → routes


_PATTERNS: tuple[_Pattern, ...] = tuple(
    _Pattern(module.SITE, module.DATA, module.listing, module.render)
    for module in (wordpress, typo3, jimdo, dated_blocks, plus_blocks, dokuwiki)
)

SCRAPED_SITES: tuple[DemoSite, ...] = tuple(pattern.site for pattern in _PATTERNS)


def scraped_routes(calendar: Calendar, base: str) -> dict[str, Route]:
    """Every page (and the two feeds) of the sites in this package."""
    routes: dict[str, Route] = {}
    for pattern in _PATTERNS:
        stories = load_stories(pattern.data, calendar)
        routes.update(pattern.render(pattern.listing(stories), base))
    routes.update(discoverable.routes(calendar, base))
    return routes


def expected_scraped_items(now: datetime, base_url: str) -> dict[str, list[ExpectedItem]]:
    """Source id → the items a correct scraper reads, in page order across the list pages."""
    calendar = Calendar(now)
    base = base_url.rstrip("/")
    expected: dict[str, list[ExpectedItem]] = {}
    for pattern in _PATTERNS:
        listed = pattern.listing(load_stories(pattern.data, calendar))
        expected[pattern.site.id] = [
            ExpectedItem(
                title=" ".join(item.title.split()),
                link=base + (item.article or item.list_path),
                published=wall_clock(item.story.published, timed=item.timed),
            )
            for item in listed
        ]
    return expected
