"""The fair share rule: one flooding forum cannot push the others off the network pages and feeds
(issue 10, point 3)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.model import FetchState, Source, Story
from aggregator.publish.fairness import DEFAULT_PER_SOURCE_PER_DAY, fair_indices, fair_share
from aggregator.publish.site import Site

NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
BASE = "https://nachrichten.netzwerk-stadtforen.de/"


def story(source_id: str, n: int, published: datetime, **changes: object) -> Story:
    base = Story(
        id=f"{source_id}:{n}",
        source_id=source_id,
        source_name=f"Forum {source_id}",
        source_city=source_id.capitalize(),
        title=f"{source_id} {n}",
        url=f"https://{source_id}.example/{n}/",
        content_html=f"<p>{source_id} {n}</p>",
        excerpt=f"{source_id} {n}",
        published=published,
        updated=None,
        first_seen=published,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def shown(source_id: str, text: str) -> set[int]:
    return {int(n) for n in re.findall(source_id + r" (\d+)", text)}


def flood_and_honest() -> list[Story]:
    """300 undated items of one forum crawled just now, 3 items each of two others today."""
    flood = [story("zeitz", n, NOW - timedelta(seconds=n)) for n in range(300)]
    honest = [
        story(city, n, NOW - timedelta(hours=1 + n + (3 if city == "halle" else 0)))
        for city in ("leipzig", "halle")
        for n in range(3)
    ]
    return sorted(flood + honest, key=lambda s: s.published, reverse=True)


def test_a_flood_keeps_its_n_newest_and_every_honest_story() -> None:
    shown = fair_share(flood_and_honest(), 10)
    assert [s.title for s in shown] == [f"zeitz {n}" for n in range(10)] + [
        "leipzig 0",
        "leipzig 1",
        "leipzig 2",
        "halle 0",
        "halle 1",
        "halle 2",
    ]


def test_the_day_is_the_calendar_day_in_berlin() -> None:
    # 23:30 UTC on 23 November is 00:30 on 24 November in Berlin: the same day as the others
    late = datetime(2026, 11, 23, 23, 30, tzinfo=UTC)
    stories = [
        story("zeitz", 1, NOW),
        story("zeitz", 2, late),
        story("zeitz", 3, late - timedelta(hours=1)),
    ]
    assert [s.title for s in fair_share(stories, 1)] == ["zeitz 1", "zeitz 3"]


def test_every_day_has_its_own_share() -> None:
    stories = [story("zeitz", n, NOW - timedelta(hours=6 * n)) for n in range(12)]  # 3 days
    assert fair_indices(stories, 2) == [0, 1, 3, 4, 7, 8, 11]


def test_a_story_carried_by_several_forums_counts_for_its_primary_forum_only() -> None:
    shared = [
        story("leipzig", n, NOW - timedelta(minutes=n), also_at=("Forum zeitz",)) for n in range(5)
    ]
    own = [story("zeitz", n, NOW - timedelta(hours=1, minutes=n)) for n in range(3)]
    assert len(fair_share(shared + own, 3)) == 3 + 3


def test_a_share_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        fair_indices([], 0)
    assert DEFAULT_PER_SOURCE_PER_DAY == 10


def test_network_pages_and_feeds_take_the_fair_share_city_pages_everything() -> None:
    members = [
        (Source(sid, f"Forum {sid}", sid.capitalize(), f"https://{sid}.example/", None), None)
        for sid in ("zeitz", "leipzig", "halle")
    ]
    typed: list[tuple[Source, FetchState | None]] = list(members)
    site = Site(flood_and_honest(), typed, base_url=BASE, now=NOW, per_source_per_day=5)
    files = dict(site.render())
    front = str(files["index.html"])
    assert shown("zeitz", front) == {0, 1, 2, 3, 4}
    for n in range(3):
        assert f"leipzig {n}" in front and f"halle {n}" in front
    assert "seite/2.html" not in files  # 11 stories fit on one page of 50
    network = json.loads(files["feed.json"])
    assert len(network["items"]) == 11
    assert b"halle 2" in bytes(files["feed.xml"]) and b"halle 2" in bytes(files["atom.xml"])
    city_pages = [
        str(files[p]) for p in files if p.startswith("stadt/zeitz/") and p.endswith(".html")
    ]
    assert shown("zeitz", "".join(city_pages)) == set(range(300))
    assert len(json.loads(files["stadt/zeitz/feed.json"])["items"]) == 50  # feed_size
