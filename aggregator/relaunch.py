"""The CMS-relaunch rule (pure): did one fetch re-issue or re-date many of a source's old items?

When a forum moves its site to a new CMS, its feed often hands out every old post again, under
new guids (and often new URLs) or with today's date. Stored as they come, dozens of old posts
would flood the front page and the weekly digest. The store asks `relaunch_verdict` while it
writes a fetch's items; when the verdict holds, the fetch's new items and its re-dated items are
stored `held` (hidden from every public page, feed and the digest) until the editor releases
them on /redaktion/zustand.

A re-issue is a new guid whose canonical URL or title a stored item of the source already has;
a re-date is a stored guid whose date moved by more than `REDATE_TOLERANCE`. Old items seen for
the first time (a feed that shows more entries than before, a news page's older pages read over
several crawls) are neither: they are new to us, not re-issued.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_THRESHOLD = 10  # this many re-issued or re-dated items are always a relaunch
MIN_THRESHOLD = 3  # … and fewer never are (a source with four items that re-issues two)
REDATE_TOLERANCE = timedelta(days=1)  # time-zone fixes and "updated" dates move less than this

_NOT_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True, slots=True)
class Incoming:
    """One item of the fetch, as the rule needs it."""

    guid: str
    canonical_url: str
    title: str
    published: datetime
    dated: bool = True


@dataclass(frozen=True, slots=True)
class Known:
    """What the source had before this fetch (only what matters for the fetch's items)."""

    item_count: int  # items stored for the source
    urls: Collection[str] = ()  # canonical URLs of stored items that incoming items also have
    titles: Collection[str] = ()  # titles of stored items that incoming items also have
    published: Mapping[str, datetime] | None = None  # stored date by guid (incoming guids)


@dataclass(frozen=True, slots=True)
class Verdict:
    relaunch: bool
    reissued: tuple[str, ...] = ()  # guids: new items that repeat a stored one
    redated: tuple[str, ...] = ()  # guids: stored items whose date moved
    hold: frozenset[str] = frozenset()  # guids to store held: every new and re-dated item


def title_key(title: str) -> str:
    """A title as compared: case, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return _NOT_WORD.sub(" ", text).strip()


def threshold(item_count: int) -> int:
    """How many re-issued or re-dated items make a relaunch: half of what the source had,
    between MIN_THRESHOLD and MAX_THRESHOLD."""
    return max(MIN_THRESHOLD, min(MAX_THRESHOLD, math.ceil(item_count / 2)))


def relaunch_verdict(incoming: Sequence[Incoming], known: Known) -> Verdict:
    """Whether this fetch looks like a relaunch, and which guids to hold back.

    A source's first fetch (nothing stored) is never one. When it is one, every new item of the
    fetch is held (also those the rule could not match: a relaunch rewrites titles too) and so
    is every re-dated one; the editor releases them together."""
    if known.item_count <= 0:
        return Verdict(False)
    stored_dates = known.published or {}
    urls = set(known.urls)
    titles = {title_key(title) for title in known.titles}
    reissued: list[str] = []
    redated: list[str] = []
    new: list[str] = []
    for item in incoming:
        if item.guid in stored_dates:
            before = stored_dates[item.guid]
            if item.dated and abs(item.published - before) > REDATE_TOLERANCE:
                redated.append(item.guid)
            continue
        new.append(item.guid)
        if item.canonical_url in urls or title_key(item.title) in titles:
            reissued.append(item.guid)
    if len(reissued) + len(redated) < threshold(known.item_count):
        return Verdict(False, tuple(reissued), tuple(redated))
    return Verdict(True, tuple(reissued), tuple(redated), frozenset(new) | frozenset(redated))
