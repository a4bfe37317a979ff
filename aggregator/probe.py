"""Trying a source before it is registered: read it end to end without storing, and find a
homepage's feed (or its news page) — `aggregator sources try` and `aggregator sources discover`.

The self-registration form of a later issue calls these two functions; the CLI only prints
their results. Both use the crawl's own paths (`crawl` for feeds, `scraping` for news pages)
with the same fetch limits, URL safety, robots.txt and spacing, and store nothing.

Every problem a member could fix or should know is named in `TryReport.problems`, one English
line each (the CLI shows them; the registration form will say them in German by `code`).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from aggregator.errors import SourceError
from aggregator.fetch import Fetcher, FetchSettings
from aggregator.fetch.politeness import HostSpacing, ScrapeSettings
from aggregator.fetch.robots import Robots
from aggregator.model import FetchState, Item, ScrapeRules, Source
from aggregator.parse.article import read_article
from aggregator.parse.discover import common_feed_urls, feed_links, news_page_links
from aggregator.reading import read_feed
from aggregator.scraping import PageTools, read_news_page
from aggregator.urls import canonical_url

PREVIEW_ITEMS = 5
MAX_NEWS_PAGE_CANDIDATES = 3


@dataclass(frozen=True, slots=True)
class Problem:
    code: str  # stable: "fetch_failed", "no_items", "undated", "robots_disallowed", …
    text: str  # one line, English


@dataclass(frozen=True, slots=True)
class TryReport:
    """What reading one source would store, and what is wrong with it."""

    source: Source
    items: tuple[Item, ...] = ()  # newest first
    pattern: str | None = None  # how a news page's items were found
    problems: tuple[Problem, ...] = ()
    failed: bool = False  # the source could not be read at all

    @property
    def kind(self) -> str:
        return self.source.kind

    @property
    def url(self) -> str:
        return self.source.url or ""

    @property
    def dated(self) -> int:
        return sum(1 for item in self.items if item.dated)

    def preview(self, count: int = PREVIEW_ITEMS) -> tuple[Item, ...]:
        return self.items[:count]


@dataclass(frozen=True, slots=True)
class Discovery:
    """What `discover` found on a homepage: every candidate tried, and the best one."""

    homepage: str
    tried: tuple[TryReport, ...] = field(default=())
    best: TryReport | None = None
    problems: tuple[Problem, ...] = ()
    site_name: str | None = None  # the homepage's title, for the sources.yaml entry


async def try_source(
    source: Source,
    fetch_settings: FetchSettings,
    *,
    now: datetime,
    scrape: ScrapeSettings | None = None,
    articles: int = PREVIEW_ITEMS,
) -> TryReport:
    """Read `source` as the crawl would (at most `articles` article pages) and store nothing."""
    async with Fetcher(fetch_settings) as fetcher:
        tools = _tools(fetcher, scrape, articles)
        return await _try(source, fetcher, tools, now)


async def try_url(
    url: str,
    fetch_settings: FetchSettings,
    *,
    now: datetime,
    scrape: ScrapeSettings | None = None,
    articles: int = PREVIEW_ITEMS,
) -> TryReport:
    """Try `url` as a feed; when it is an HTML page, as a news page to scrape."""
    async with Fetcher(fetch_settings) as fetcher:
        tools = _tools(fetcher, scrape, articles)
        as_feed = await _try(_unregistered(url, feed=url), fetcher, tools, now)
        if as_feed.failed and any(p.code == "not_a_feed" for p in as_feed.problems):
            return await _try(_unregistered(url, page=url), fetcher, tools, now)
        return as_feed


async def discover(
    homepage: str,
    fetch_settings: FetchSettings,
    *,
    now: datetime,
    scrape: ScrapeSettings | None = None,
    articles: int = PREVIEW_ITEMS,
) -> Discovery:
    """Find the best way to read a member's site: a feed named on the homepage
    (`<link rel="alternate">`), else a feed at a common path, else the homepage or its news
    page ("Aktuelles", "Neuigkeiten" …) scraped."""
    async with Fetcher(fetch_settings) as fetcher:
        tools = _tools(fetcher, scrape, articles)
        try:
            page = await fetcher.fetch(homepage)
        except SourceError as exc:
            return Discovery(homepage, problems=(Problem(exc.reason, exc.message),))
        base = page.final_url
        try:
            site_name = read_article(page.content, url=base, content_type=page.content_type).title
        except SourceError:
            site_name = None
        named = [
            link for link in feed_links(page.content, url=base, content_type=page.content_type)
        ]
        feeds = [link.url for link in named if not link.comments]
        tried: list[TryReport] = []
        for url in _unique(feeds):
            tried.append(
                await _try(_unregistered(url, feed=url, homepage=base), fetcher, tools, now)
            )
        if not _working(tried):
            for url in _unique(common_feed_urls(base)):
                if canonical_url(url) in {canonical_url(t.url) for t in tried}:
                    continue
                report = await _try(
                    _unregistered(url, feed=url, homepage=base), fetcher, tools, now
                )
                tried.append(report)
                if not report.failed and report.items:
                    break  # a common path that works: the rest are guesses of the same feed
        if not _working(tried):
            pages = [base, *news_page_links(page.content, url=base)][: 1 + MAX_NEWS_PAGE_CANDIDATES]
            for url in _unique(pages):
                tried.append(
                    await _try(_unregistered(url, page=url, homepage=base), fetcher, tools, now)
                )
        return Discovery(homepage, tuple(tried), _best(tried), site_name=site_name)


async def _try(source: Source, fetcher: Fetcher, tools: PageTools, now: datetime) -> TryReport:
    problems: list[Problem] = []
    try:
        if source.kind == "page":
            page = await read_news_page(source, _fresh(source), tools, now=now)
            read, pattern = page.read, page.pattern
            if page.deferred:
                problems.append(
                    Problem(
                        "more_items",
                        f"{page.deferred} more items not shown: their article pages are read "
                        "over the next crawls",
                    )
                )
        else:
            assert source.feed is not None
            result = await fetcher.fetch(source.feed)
            read = await asyncio.to_thread(
                functools.partial(
                    read_feed,
                    result.content,
                    url=result.final_url,
                    content_type=result.content_type,
                    source=source,
                    now=now,
                )
            )
            pattern = None
    except SourceError as exc:
        return TryReport(source, problems=(Problem(exc.reason, exc.message),), failed=True)
    assert read is not None  # nothing was sent that could be answered with 304
    items = tuple(sorted(read.items, key=lambda i: (i.dated, i.published), reverse=True))
    warnings = [w for w in (read.warning or "").split("; ") if w and "for the next crawl" not in w]
    if warnings:
        problems.append(Problem("warning", "; ".join(warnings)))
    if not items:
        problems.append(Problem("no_items", f"{source.url} gave no items"))
    undated = sum(1 for item in items if not item.dated)
    if undated:
        problems.append(
            Problem(
                "undated",
                f"{undated} of {len(items)} items have no date (shown as of when first seen)",
            )
        )
    return TryReport(source, items, pattern, tuple(problems))


def _tools(fetcher: Fetcher, scrape: ScrapeSettings | None, articles: int) -> PageTools:
    settings = replace(scrape or ScrapeSettings(), articles_per_run=articles)
    return PageTools(fetcher, Robots(fetcher), HostSpacing(settings.host_spacing_s), settings)


def _unregistered(
    url: str, *, feed: str | None = None, page: str | None = None, homepage: str | None = None
) -> Source:
    return Source(
        id="probe",
        name="(probe)",
        city=None,
        homepage=homepage or url,
        feed=feed,
        scrape=ScrapeRules(url=page) if page else None,
    )


def _fresh(source: Source) -> FetchState:
    """No validators: a try always reads the whole page."""
    return FetchState(source_id=source.id, url=source.url)


def _working(tried: Sequence[TryReport]) -> bool:
    return any(not t.failed and t.items for t in tried)


def _best(tried: Sequence[TryReport]) -> TryReport | None:
    """The candidate with the most dated items; a feed over a page on a tie, then the first."""
    working = [t for t in tried if not t.failed and t.items]
    if not working:
        return None
    return max(
        enumerate(working),
        key=lambda pair: (pair[1].dated, len(pair[1].items), pair[1].kind == "feed", -pair[0]),
    )[1]


def _unique(urls: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    unique = []
    for url in urls:
        key = canonical_url(url)
        if key not in seen:
            seen.add(key)
            unique.append(url)
    return unique
