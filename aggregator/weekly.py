"""Weeks and ranking of the weekly digest ("Wochenschau"). Pure: values in, values out.

A digest covers one ISO week in Europe/Berlin, named like "2026-W48": from Monday 00:00 to the
next Monday 00:00 Berlin time (the bounds are aware datetimes; a week over a DST switch is 167 or
169 hours long). The draft of a week holds the stories first seen in it, one entry per cluster,
ranked by the number of forums that reported the story, then the most recent first.

Re-drafting keeps what the editor did: every existing entry (its overrides, its exclusion, its
position, the manual items) stays; only the source data of an entry (title, blurb, forums,
cities, topics) is refreshed, and stories new since the last draft are appended in rank order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from aggregator.model import Digest, DigestEntry, DigestGrouping

# publish.german.BERLIN (the same cached zone object); importing that module here would load the
# whole publisher, which itself renders digests with this module
BERLIN = ZoneInfo("Europe/Berlin")

OTHER_SECTION = "Weiteres"  # the section of stories without a topic (or without a city)
DEFAULT_MAX_ENTRIES = 200

_WEEK = re.compile(r"(\d{4})-W(\d{2})")


def parse_week(week: str) -> tuple[datetime, datetime]:
    """Monday 00:00 Europe/Berlin of ISO week `week` ("2026-W48") and the next Monday 00:00.

    Raises ValueError for text that is no ISO week, or a week 53 in a year that has 52.
    """
    match = _WEEK.fullmatch(week)
    if match is None:
        raise ValueError(f"not an ISO week like 2026-W48: {week!r}")
    year, number = int(match.group(1)), int(match.group(2))
    try:
        monday = date.fromisocalendar(year, number, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {number}: {week!r}") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=BERLIN)
    following = monday + timedelta(days=7)
    end = datetime(following.year, following.month, following.day, tzinfo=BERLIN)
    return start, end


def week_of(now: datetime) -> str:
    """The ISO week ("2026-W48") that the aware moment `now` falls in, in Europe/Berlin."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("week_of needs an aware datetime")
    year, number, _ = now.astimezone(BERLIN).isocalendar()
    return f"{year:04d}-W{number:02d}"


def previous_week(now: datetime) -> str:
    """The ISO week before the one `now` falls in: the week a Monday-morning digest covers."""
    start, _ = parse_week(week_of(now))
    return week_of(start - timedelta(days=1))


def week_label(week: str) -> tuple[int, int]:
    """(week number, ISO year) of "2026-W48": (48, 2026), for "KW 48/2026"."""
    parse_week(week)
    year, number = week.split("-W")
    return int(number), int(year)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A story first seen in the week, as the store found it: one per cluster."""

    cluster_key: str
    item_id: int  # the cluster's first item
    title: str
    blurb: str
    url: str
    sources: tuple[str, ...]  # names of every forum that reported it
    cities: tuple[str, ...]
    topics: tuple[str, ...]
    first_seen: datetime  # of the cluster's first item
    last_seen: datetime  # the latest first sighting among the cluster's items (recency)


def rank(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Most forums first, then the most recent, then by cluster key (a stable order)."""
    ordered = sorted(candidates, key=lambda c: c.cluster_key)
    ordered.sort(key=lambda c: c.last_seen, reverse=True)
    ordered.sort(key=lambda c: len(c.sources), reverse=True)
    return ordered


def entry_of(candidate: Candidate, position: int) -> DigestEntry:
    return DigestEntry(
        id=None,
        position=position,
        cluster_key=candidate.cluster_key,
        item_id=candidate.item_id,
        title=candidate.title,
        blurb=candidate.blurb,
        url=candidate.url,
        sources=candidate.sources,
        cities=candidate.cities,
        topics=candidate.topics,
        first_seen=candidate.first_seen,
    )


def draft_entries(
    existing: Sequence[DigestEntry],
    candidates: Iterable[Candidate],
    *,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> list[DigestEntry]:
    """The entries of a (re-)drafted digest: `existing` as the editor left them, refreshed from
    the candidates of their cluster, then the new candidates in rank order up to `max_entries`
    in all. Positions are renumbered 0, 1, 2 … in the existing order."""
    by_key = {c.cluster_key: c for c in candidates}
    kept: list[DigestEntry] = []
    for entry in sorted(existing, key=lambda e: e.position):
        fresh = by_key.pop(entry.cluster_key, None) if entry.cluster_key is not None else None
        if fresh is not None:
            entry = replace(
                entry,
                item_id=fresh.item_id,
                title=fresh.title,
                blurb=fresh.blurb,
                url=fresh.url,
                sources=fresh.sources,
                cities=fresh.cities,
                topics=fresh.topics,
                first_seen=fresh.first_seen,
            )
        kept.append(entry)
    room = max(0, max_entries - len(kept))
    added = [entry_of(c, 0) for c in rank(by_key.values())[:room]]
    return [replace(e, position=i) for i, e in enumerate(kept + added)]


@dataclass(frozen=True, slots=True)
class Section:
    """A heading of the digest and its entries (included ones only), in the digest's order."""

    heading: str
    key: str | None  # topic key or city name; None for "Weiteres"
    entries: tuple[DigestEntry, ...]


def sections(
    digest: Digest, topic_labels: Mapping[str, str], *, include_excluded: bool = False
) -> list[Section]:
    """The digest's entries grouped as its `grouping` says: by topic (the first topic of an entry
    in the taxonomy's order, `topic_labels` being key → label in that order) or by city (its first
    city in German order); entries without one under "Weiteres", last. Empty sections are left
    out; within a section the entries keep their positions' order."""
    order = {key: index for index, key in enumerate(topic_labels)}
    groups: dict[str | None, list[DigestEntry]] = {}
    for entry in sorted(digest.entries, key=lambda e: e.position):
        if entry.included or include_excluded:
            groups.setdefault(_group_of(entry, digest.grouping, order), []).append(entry)
    named = [k for k in groups if k is not None]
    if digest.grouping == "topic":
        named.sort(key=lambda k: order[k])
    else:
        named.sort(key=_german_key)
    keys: list[str | None] = [*named, None] if None in groups else list(named)
    return [
        Section(
            heading=_heading(key, digest.grouping, topic_labels),
            key=key,
            entries=tuple(groups[key]),
        )
        for key in keys
    ]


def _group_of(entry: DigestEntry, grouping: DigestGrouping, order: Mapping[str, int]) -> str | None:
    if grouping == "topic":
        known = [topic for topic in entry.topics if topic in order]
        return min(known, key=lambda t: order[t]) if known else None
    return min(entry.cities, key=_german_key) if entry.cities else None


def _heading(key: str | None, grouping: DigestGrouping, labels: Mapping[str, str]) -> str:
    if key is None:
        return OTHER_SECTION
    return labels.get(key, key) if grouping == "topic" else key


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _german_key(text: str) -> tuple[str, str]:
    return text.casefold().translate(_FOLD), text
