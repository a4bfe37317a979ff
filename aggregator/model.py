"""Plain domain types handed from stage to stage. No I/O here.

Flow: `Source` (config) → fetch → `ParsedFeed` of `Entry` (untrusted, as read) → normalize →
`Item` (clean, ready to store) → store → `Story` (what the public pages and feeds show).
`FetchState` is what the crawler remembers per source between runs.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, TypeVar

_D = TypeVar("_D")


def pickled_by_position(cls: type[_D]) -> type[_D]:
    """Pickle instances as the call `cls(*field values)`.

    A frozen, slotted dataclass otherwise unpickles through a Python loop of
    `object.__setattr__` per field: three times slower for the ~15,000 items (and their tags) a
    first crawl hands from its parser processes to the crawler (bench/crawl.py)."""
    names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
    values: Callable[[Any], Any] = operator.attrgetter(*names)

    def reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
        return type(self), values(self)

    cls.__reduce__ = reduce  # type: ignore[method-assign]
    return cls


DEFAULT_INTERVAL_MINUTES = 60
MIN_INTERVAL_MINUTES = 15


DEFAULT_MAX_PAGES = 1
MAX_MAX_PAGES = 20  # list pages followed per scrape ("ältere Beiträge", rel=next)

SourceKind = Literal["feed", "page"]
SourceOrigin = Literal["config", "registry"]  # sources.yaml, or registered (stored in the database)


@dataclass(frozen=True, slots=True)
class ScrapeRules:
    """How to read a news page that has no feed (`scrape:` in sources.yaml).

    Every selector is optional CSS: without `item` the scraper finds the item blocks itself
    (WordPress, TYPO3 news, Jimdo, dated text blocks, "+++" blocks, a DokuWiki chronicle). The
    other selectors are relative to one item block.
    """

    url: str  # the news (list) page
    item: str | None = None
    title: str | None = None
    link: str | None = None
    date: str | None = None
    excerpt: str | None = None
    image: str | None = None
    date_format: str | None = None  # strptime format of the date text, e.g. "%d.%m.%Y"
    max_pages: int = DEFAULT_MAX_PAGES


@dataclass(frozen=True, slots=True)
class Source:
    """One member forum, declared in sources.yaml or registered (`origin`): it has a feed, or a
    page to scrape."""

    id: str
    name: str
    city: str | None  # official name ("Halle (Saale)"); None for network-wide sources
    homepage: str
    feed: str | None
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES
    enabled: bool = True
    feed_verified: bool = True  # False: the feed URL is a guess (CMS default path)
    scrape: ScrapeRules | None = None  # set instead of `feed` for a news page to scrape
    origin: SourceOrigin = "config"
    # The forum's contact address: health alerts and its status link go there. sources.yaml's
    # `contact:`; a registered source's is stored with its registration.
    contact: str | None = None

    @property
    def kind(self) -> SourceKind:
        return "page" if self.scrape is not None else "feed"

    @property
    def url(self) -> str | None:
        """What the crawl fetches first: the feed, or the news page."""
        return self.scrape.url if self.scrape is not None else self.feed


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry as a parser read it: untrusted and not yet normalized."""

    guid: str | None
    link: str | None
    title: str | None
    content_html: str | None = None  # full content when the feed carries it
    summary_html: str | None = None
    published: datetime | None = None  # aware when the feed named a zone, naive otherwise
    updated: datetime | None = None
    author: str | None = None
    base: str | None = None  # xml:base the feed set for the content: relative links resolve to it
    image: str | None = None  # lead image URL (scraped pages)


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    """What a parser made of one fetched body."""

    title: str | None
    link: str | None
    entries: tuple[Entry, ...]
    ttl_minutes: int | None = None  # RSS <ttl>
    warning: str | None = None  # why the feed was only partly readable (feedparser "bozo")


@pickled_by_position
@dataclass(frozen=True, slots=True)
class Item:
    """A normalized item: sanitized HTML, absolute and canonical URLs, UTC dates."""

    source_id: str
    guid: str
    url: str  # the original link, absolute
    canonical_url: str  # for dedup: lower-case host, no default port, fragment or tracking
    title: str
    content_html: str  # sanitized
    excerpt: str  # plain text, at most ~300 characters
    published: datetime  # aware, UTC
    updated: datetime | None = None
    author: str | None = None
    cities: tuple[str, ...] = ()
    dated: bool = True  # False: the feed gave no usable date, `published` is when first seen
    tags: tuple[Tag, ...] = ()  # found in the text by the tagger (the source's city is `cities`)


TagKind = Literal["city", "topic"]
TagOrigin = Literal["source", "text", "editor"]


@pickled_by_position
@dataclass(frozen=True, slots=True)
class Tag:
    """A city or topic an item is about, with where that came from and why (for the editor).

    origin "source": the source's own city (the prior); "text": found in the item's words;
    "editor": set by hand, never changed by re-tagging."""

    kind: TagKind
    value: str  # official municipality name ("Halle (Saale)") or topic key ("denkmalpflege")
    origin: TagOrigin
    why: tuple[str, ...] = ()  # the words that matched, as they stand in the text


@dataclass(frozen=True, slots=True)
class FetchState:
    """What the crawler remembers about one source between runs."""

    source_id: str
    url: str | None = None  # the feed URL this state belongs to
    etag: str | None = None
    last_modified: str | None = None
    last_fetched_at: datetime | None = None
    last_success_at: datetime | None = None
    next_fetch_at: datetime | None = None  # None: due now
    consecutive_failures: int = 0
    last_status: str | None = None  # "ok" | "not_modified" | "failed"
    last_error: str | None = None  # reason code, e.g. "timeout", "http_404"
    last_error_message: str | None = None
    moved_to: str | None = None  # target of a permanent redirect (301/308): update sources.yaml
    item_count: int = 0  # items stored for this source
    leased_by: str | None = None  # the crawler process fetching it now (read only: see crawl)
    leased_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class Story:
    """One story as the public sees it: an item plus the other forums that carry it too."""

    id: str  # stable id for feeds (the item's guid within its source, made global)
    source_id: str
    source_name: str
    source_city: str | None
    title: str
    url: str
    content_html: str
    excerpt: str
    published: datetime  # aware, UTC
    updated: datetime | None
    first_seen: datetime
    author: str | None = None
    cities: tuple[str, ...] = ()
    also_at: tuple[str, ...] = field(default=())  # names of other forums with the same story
    topics: tuple[str, ...] = ()  # topic keys ("denkmalpflege"), in the taxonomy's order


@dataclass(frozen=True, slots=True)
class DigestMail:
    """One subscriber's copy of a digest as a mail: the subject and both bodies."""

    subject: str
    html: str  # CSS inlined, the subscriber's unsubscribe link in it
    text: str  # the plain-text alternative, the same links


DigestStatus = Literal["draft", "approved"]
DigestGrouping = Literal["topic", "city"]


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One story (or an editor's manual item) in a weekly digest, with the editor's edits."""

    id: int | None
    position: int  # 0-based order within the digest
    cluster_key: str | None  # None for a manual item
    item_id: int | None
    title: str
    blurb: str
    url: str
    sources: tuple[str, ...] = ()  # names of the forums that reported it
    cities: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()  # topic keys, in the taxonomy's order
    first_seen: datetime | None = None
    included: bool = True
    headline_override: str | None = None
    blurb_override: str | None = None
    manual: bool = False

    @property
    def headline(self) -> str:
        return self.headline_override if self.headline_override is not None else self.title

    @property
    def text(self) -> str:
        return self.blurb_override if self.blurb_override is not None else self.blurb


@dataclass(frozen=True, slots=True)
class Digest:
    """The weekly digest ("Wochenschau") of one ISO week: a draft until an editor approves it."""

    id: int | None
    week: str  # "2026-W48"
    status: DigestStatus
    grouping: DigestGrouping
    intro: str
    version: int  # bumped by every edit: an edit naming an older version is refused
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None = None
    approved_by: str | None = None
    entries: tuple[DigestEntry, ...] = ()
