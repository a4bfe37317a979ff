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
    items = (normalize_entry(e, source=source, feed_url=url, now=now) for e in feed.entries)
    return FeedRead(tuple(i for i in items if i is not None), feed.ttl_minutes, feed.warning)
