"""One fetched feed body → normalized items: parse it, then normalize every entry. Pure.

During a large crawl this runs in worker processes (parsing is the crawl's CPU work), so this
module imports only the pure core: no httpx, no SQLAlchemy.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from aggregator.errors import ParseError, SourceError
from aggregator.model import Item, Source
from aggregator.normalize import normalize_entry
from aggregator.parse.feeds import parse_feed

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FeedRead:
    items: tuple[Item, ...]
    ttl_minutes: int | None  # RSS <ttl>: how long the feed asks to be left alone
    warning: str | None  # why the feed was only partly readable


def read_feed(
    content: bytes, *, url: str, content_type: str | None, source: Source, now: datetime
) -> FeedRead:
    """Raises ParseError when nothing is readable; a parser bug becomes one too."""
    try:
        feed = parse_feed(content, url=url, content_type=content_type)
    except SourceError:
        raise
    except Exception as exc:  # a parser bug on hostile input must not stop the crawl
        log.exception("parser crashed on %s", source.id)
        raise ParseError("parser_error", f"the parser failed on {url}: {exc!r}") from exc
    items: list[Item] = []
    broken = 0
    for entry in feed.entries:
        try:
            item = normalize_entry(entry, source=source, feed_url=url, now=now)
        except Exception:  # a normalizer bug on one hostile entry costs that entry only
            log.exception("normalizing an entry of %s failed", source.id)
            broken += 1
            continue
        if item is not None:
            items.append(item)
    warnings = [feed.warning, _entries(broken) + " could not be read" if broken else None]
    return FeedRead(tuple(items), feed.ttl_minutes, "; ".join(w for w in warnings if w) or None)


def _entries(count: int) -> str:
    return f"{count} entry" if count == 1 else f"{count} entries"
