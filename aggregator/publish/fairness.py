"""The fair share rule of the network pages and feeds. Pure.

One member can publish far more than the others, by accident (a CMS that re-exports its archive
undated, so every item is "new today") or on purpose: 3,000 items crawled in a fraction of a
second would fill every network page and feed, and the other members' news would disappear. So
the network lists (index.html, seite/N.html) and the network feeds (feed.xml, atom.xml,
feed.json) show at most `per_source_per_day` stories of one member per calendar day in
Europe/Berlin, the newest of that day; the rest stay on the member's city pages and city feeds,
which show everything. A story several forums carry counts for its primary forum (the one that
published it first, `Story.source_id`) only.

`DEFAULT_PER_SOURCE_PER_DAY` is 10: a member forum publishes one to three items on a busy day,
and an event week or a report with several parts fits within ten; a flood costs the network at
most ten slots a day (a fifth of the front page of 50), so the other members stay visible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from aggregator.model import Story
from aggregator.publish.german import to_berlin

__all__ = ["DEFAULT_PER_SOURCE_PER_DAY", "fair_indices", "fair_share"]

DEFAULT_PER_SOURCE_PER_DAY = 10


def fair_indices(stories: Sequence[Story], per_source_per_day: int) -> list[int]:
    """Indices of the stories (newest first) the network shows, in their order: per forum and
    Berlin calendar day the first `per_source_per_day` of them."""
    if per_source_per_day < 1:
        raise ValueError("per_source_per_day must be at least 1")
    shown: dict[tuple[str, date], int] = {}
    kept: list[int] = []
    for index, story in enumerate(stories):
        key = (story.source_id, to_berlin(story.published).date())
        count = shown.get(key, 0)
        if count < per_source_per_day:
            shown[key] = count + 1
            kept.append(index)
    return kept


def fair_share(stories: Sequence[Story], per_source_per_day: int) -> list[Story]:
    """The stories (newest first) the network pages and feeds show: see `fair_indices`."""
    return [stories[i] for i in fair_indices(stories, per_source_per_day)]
