"""Reading a news page that has no feed: list pages → new items → their article pages → items.

The page path of a crawl (the feed path is a single fetch and `reading.read_feed`). It is used
by the crawl and, without a store, by `sources try`; what it does with the network and the CPU
comes in as `PageTools`, so it holds no state of its own:

1. The news page is fetched (conditionally, with the validators of the last crawl) after
   robots.txt allowed it and the host's spacing passed; 304 means nothing to do.
2. Items are extracted (`parse.scrape.read_list_page`: selectors, or the common patterns found
   by themselves); older list pages ("ältere Beiträge", rel=next) are followed up to
   `max_pages`, never to a page already read.
3. Items whose link is already stored (`known`) are left alone: scraping again adds nothing, and
   an item that dropped off the list is kept. For each new item with a page of its own, the
   article page is fetched once (`parse.article.read_article`) for what the list lacked: date,
   title, excerpt, lead image, canonical URL. At most `articles_per_run` per source and crawl;
   the rest wait for the next crawl (the read is then marked incomplete, so that an unchanged
   list page is still read again).
4. The entries are normalized and bounded like a feed's (`reading.read_entries`).

A failing article page costs only its item's extra details (the list's data is kept); a failing
list page, or one without any item, fails the source.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Protocol, TypeVar
from urllib.parse import urldefrag, urlsplit

from aggregator.errors import FetchError, SourceError
from aggregator.fetch import Fetcher, FetchResult
from aggregator.fetch.politeness import HostSpacing, ScrapeSettings
from aggregator.fetch.robots import Robots
from aggregator.model import Entry, FetchState, ScrapeRules, Source
from aggregator.parse.article import ArticleMeta, read_article
from aggregator.parse.scrape import ListPage, read_list_page
from aggregator.reading import SourceRead, read_entries

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

_T = TypeVar("_T")


class CpuRunner(Protocol):
    """Runs CPU work (HTML parsing) off the event loop: a thread, or the crawl's parser
    processes; `url` names what is parsed in an error."""

    async def __call__(self, call: Callable[[], _T], url: str) -> _T: ...


async def _in_thread(call: Callable[[], _T], url: str) -> _T:
    return await asyncio.to_thread(call)


async def _no_known(_links: Sequence[str]) -> set[str]:
    return set()


@dataclass(frozen=True)
class PageTools:
    """What reading news pages needs from its caller."""

    fetcher: Fetcher
    robots: Robots
    spacing: HostSpacing
    settings: ScrapeSettings = field(default_factory=ScrapeSettings)
    run: CpuRunner = _in_thread
    # Which of these links the source already has stored (the crawl asks the database)
    known: Callable[[Sequence[str]], Awaitable[set[str]]] = _no_known
    taxonomy: Taxonomy | None = None  # the topics items are tagged with (None: the packaged ones)


@dataclass(frozen=True, slots=True)
class PageRead:
    """What a news page gave: the fetch of its first list page and, unless it was not
    modified, the items read."""

    result: FetchResult
    read: SourceRead | None
    pattern: str | None = None  # how the items were found ("wordpress", "selectors" …)
    pages: int = 0  # list pages read
    articles: int = 0  # article pages read
    deferred: int = 0  # new items left for the next crawl (over `articles_per_run`)
    problems: tuple[str, ...] = ()  # what went wrong along the way, one line each


async def read_news_page(
    source: Source, previous: FetchState, tools: PageTools, *, now: datetime
) -> PageRead:
    """Read `source`'s news page; raise SourceError when the page itself cannot be read."""
    rules = source.scrape
    if rules is None:
        raise ValueError(f"source {source.id} has no news page to scrape")
    result = await _polite_fetch(
        tools, rules.url, etag=previous.etag, last_modified=previous.last_modified
    )
    if result.not_modified:
        return PageRead(result, None)
    problems: list[str] = []
    _note_cut(result, problems)
    first = await _list_page(tools, result, rules)
    entries, pages = list(first.entries), 1
    seen_pages = {_page_key(rules.url), _page_key(result.final_url)}
    next_url = first.next_url
    while next_url and pages < rules.max_pages and _page_key(next_url) not in seen_pages:
        seen_pages.add(_page_key(next_url))
        try:
            fetched = await _polite_fetch(tools, next_url)
            _note_cut(fetched, problems)
            older = await _list_page(tools, fetched, rules)
        except SourceError as exc:
            problems.append(f"older list page {next_url}: {exc.message}")
            break
        entries.extend(older.entries)
        pages += 1
        next_url = older.next_url

    entries = _unique(entries)
    known = await tools.known(_links_of(entries)) if entries else set()
    fresh = [e for e in entries if not _is_known(e, known)]
    own_page = [e for e in fresh if _has_own_page(e, result.final_url)]
    limit = tools.settings.articles_per_run
    to_read, deferred = own_page[:limit], own_page[limit:]
    details: dict[str, Entry] = {}
    for entry in to_read:
        assert entry.link is not None
        try:
            meta = await _article(tools, entry.link)
        except SourceError as exc:
            problems.append(f"article {entry.link}: {exc.message}")
            continue
        details[entry.link] = _merged(entry, meta)
    deferred_links = {e.link for e in deferred}
    chosen = [
        details.get(e.link or "", e) for e in fresh if e.link not in deferred_links or not e.link
    ]
    if deferred:
        problems.append(f"{len(deferred)} new items left for the next crawl")
    read = await tools.run(
        functools.partial(
            read_entries,
            tuple(chosen),
            url=result.final_url,
            source=source,
            now=now,
            warning="; ".join(problems) or None,
            complete=not deferred,
            taxonomy=tools.taxonomy,
        ),
        result.final_url,
    )
    return PageRead(
        result,
        read,
        pattern=first.pattern,
        pages=pages,
        articles=len(details),
        deferred=len(deferred),
        problems=tuple(problems),
    )


async def _polite_fetch(
    tools: PageTools, url: str, *, etag: str | None = None, last_modified: str | None = None
) -> FetchResult:
    """Ask robots.txt, wait for the host's turn, then fetch."""
    rules = await tools.robots.rules_for(url)
    if rules.blocked is not None:
        raise FetchError("robots_unreachable", f"{rules.blocked}; not reading {url} for now")
    if not rules.allows(url):
        raise FetchError("robots_disallowed", f"robots.txt of {rules.origin} forbids {url}")
    await tools.spacing.wait(url, rules.crawl_delay)
    return await tools.fetcher.fetch(url, etag=etag, last_modified=last_modified, cut_at_limit=True)


async def _list_page(tools: PageTools, result: FetchResult, rules: ScrapeRules) -> ListPage:
    return await tools.run(
        functools.partial(
            read_list_page,
            result.content,
            url=result.final_url,
            rules=rules,
            content_type=result.content_type,
        ),
        result.final_url,
    )


async def _article(tools: PageTools, url: str) -> ArticleMeta:
    result = await _polite_fetch(tools, url)
    return await tools.run(
        functools.partial(
            read_article, result.content, url=result.final_url, content_type=result.content_type
        ),
        result.final_url,
    )


def _note_cut(result: FetchResult, problems: list[str]) -> None:
    if result.cut:
        problems.append(
            f"{result.final_url} is larger than the limit of {len(result.content)} bytes; "
            "only its first part was read"
        )


def _merged(entry: Entry, meta: ArticleMeta) -> Entry:
    """The list's entry completed by its article page. A date from the article's structured
    data (JSON-LD, OpenGraph, meta, <time>) is the most precise and wins; a date the list shows
    comes next; one found in the article's text last."""
    published = entry.published
    if meta.published is not None and (meta.date_source != "text" or published is None):
        published = meta.published
    link = entry.link
    if meta.canonical_url and _same_site(meta.canonical_url, entry.link or ""):
        link = meta.canonical_url
    summary = entry.summary_html
    if summary is None and meta.excerpt:
        summary = f"<p>{escape(meta.excerpt)}</p>"
    image = entry.image or meta.image
    content = None
    if image:
        content = f'<p><img src="{escape(image)}" alt=""></p>' + (summary or "")
    return replace(
        entry,
        guid=link,
        link=link,
        title=entry.title or meta.title,
        published=published,
        updated=entry.updated or meta.updated,
        summary_html=summary,
        content_html=entry.content_html or content,
        image=image,
    )


def _unique(entries: Sequence[Entry]) -> list[Entry]:
    """Each item once, in page order (an item can stand on two list pages while they shift)."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = entry.guid or entry.link or ""
        if key and key not in seen:
            seen.add(key)
            unique.append(entry)
    return unique


def _links_of(entries: Sequence[Entry]) -> list[str]:
    return list(dict.fromkeys(x for e in entries for x in (e.guid, e.link) if x))


def _is_known(entry: Entry, known: set[str]) -> bool:
    if entry.guid and entry.guid in known:
        return True
    # a block without a page of its own has the list page as link: only its guid identifies it
    return bool(entry.link) and entry.link == entry.guid and entry.link in known


def _has_own_page(entry: Entry, page_url: str) -> bool:
    return bool(entry.link) and _page_key(entry.link or "") != _page_key(page_url)


def _page_key(url: str) -> str:
    return urldefrag(url)[0].rstrip("/")


def _same_site(url: str, other: str) -> bool:
    a, b = urlsplit(url), urlsplit(other)
    return a.scheme in ("http", "https") and (a.hostname or "") == (b.hostname or "")


__all__ = [
    "PageRead",
    "PageTools",
    "ScrapeSettings",
    "read_news_page",
]
