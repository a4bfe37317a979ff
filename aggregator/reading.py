"""What a source gave → normalized items: parse a feed body (or take a scraped page's entries),
normalize and bound every entry. Pure.

During a large crawl this runs in worker processes (parsing is the crawl's CPU work), so this
module imports only the pure core: no httpx, no SQLAlchemy.

What one fetch may bring in is limited twice: every item's fields are bounded (`limits`: long
guids hashed, over-long links refused, title and content cut), and at most `max_items` items
(`MAX_ITEMS_PER_FETCH`) are taken from one body, the newest: dated items newest first, then
undated ones in feed order (feeds list their newest entries first, and an undated item cannot
be ranked otherwise). A member's real news is dated; a flood of thousands of undated entries
then costs it its own oldest entries, not the network its front page.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.errors import ParseError, SourceError
from aggregator.limits import Refusal, bound_item
from aggregator.model import Entry, Item, Source
from aggregator.normalize import normalize_entry
from aggregator.parse.feeds import parse_feed
from aggregator.tagging import tagged, with_source_city

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

log = logging.getLogger(__name__)

MAX_ITEMS_PER_FETCH = 200


@dataclass(frozen=True, slots=True)
class SourceRead:
    items: tuple[Item, ...]
    ttl_minutes: int | None  # RSS <ttl>: how long the feed asks to be left alone
    warning: str | None  # why the source was only partly readable
    # False: some of what the source offers was left for the next crawl (article pages over the
    # per-run limit), so the page must be read again even if it has not changed
    complete: bool = True


def read_feed(
    content: bytes,
    *,
    url: str,
    content_type: str | None,
    source: Source,
    now: datetime,
    max_items: int = MAX_ITEMS_PER_FETCH,
    taxonomy: Taxonomy | None = None,
) -> SourceRead:
    """Raises ParseError when nothing is readable; a parser bug becomes one too."""
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    try:
        feed = parse_feed(content, url=url, content_type=content_type)
    except SourceError:
        raise
    except Exception as exc:  # a parser bug on hostile input must not stop the crawl
        log.debug("parser crashed on %s", source.id, exc_info=True)  # the source records it
        raise ParseError("parser_error", f"the parser failed on {url}: {exc!r}") from exc
    return read_entries(
        feed.entries,
        url=url,
        source=source,
        now=now,
        max_items=max_items,
        warning=feed.warning,
        ttl_minutes=feed.ttl_minutes,
        taxonomy=taxonomy,
    )


def read_entries(
    entries: Sequence[Entry],
    *,
    url: str,
    source: Source,
    now: datetime,
    max_items: int = MAX_ITEMS_PER_FETCH,
    warning: str | None = None,
    ttl_minutes: int | None = None,
    complete: bool = True,
    taxonomy: Taxonomy | None = None,
) -> SourceRead:
    """Normalize and bound parsed entries (of a feed, or scraped from a news page at `url`)."""
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    items: list[Item] = []
    broken = 0
    refused: Counter[str] = Counter()
    for entry in entries:
        try:
            item = normalize_entry(entry, source=source, feed_url=url, now=now)
            bounded = None if item is None else bound_item(item)
        except Exception as exc:  # a normalizer bug on one hostile entry costs that entry only
            log.warning(
                "%s: an entry could not be read: %s: %s", source.id, type(exc).__name__, exc
            )
            log.debug("normalizing an entry of %s failed", source.id, exc_info=True)
            broken += 1
            continue
        if isinstance(bounded, Refusal):
            refused[bounded.reason] += 1
        elif bounded is not None:
            items.append(_tagged(bounded, source, taxonomy))
    warnings = [warning, _entries(broken) + " could not be read" if broken else None]
    warnings += [f"{_entries(count)} skipped: {reason}" for reason, count in refused.items()]
    if len(items) > max_items:
        warnings.append(f"{len(items)} entries in the feed, took the newest {max_items}")
        items = newest(items, max_items)
    return SourceRead(
        tuple(items), ttl_minutes, "; ".join(w for w in warnings if w) or None, complete
    )


def _tagged(item: Item, source: Source, taxonomy: Taxonomy | None) -> Item:
    """The item with its city and topic tags; a tagger bug costs the tags, not the item."""
    try:
        return tagged(item, source_city=source.city, taxonomy=taxonomy)
    except Exception as exc:
        log.warning("%s: tagging an item failed: %s: %s", source.id, type(exc).__name__, exc)
        log.debug("tagging an item of %s failed", source.id, exc_info=True)
        return with_source_city(item, source.city)


def newest(items: Sequence[Item], count: int) -> list[Item]:
    """The `count` newest items, in their feed order: dated ones newest first, then undated
    ones in feed order."""
    ranked = sorted(
        range(len(items)),
        key=lambda i: (0, -items[i].published.timestamp()) if items[i].dated else (1, i),
    )
    return [items[i] for i in sorted(ranked[:count])]


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"
