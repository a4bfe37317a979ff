"""The sample stories of the scraped demo sites, read from YAML data files in `demo/data/`.

One file per site. Dates are relative to the `Calendar`'s `now` (`published: {ago: 3, at:
"18:30"}` is three days before today, 18.30 Berlin time), so the demo always looks fresh; event
dates in the texts are placeholders (`{treffen:when}`, `{treffen:day}`, `{treffen:date}`) for
the `events:` of the same file, which lie ahead of `now`.

    load_stories("freiberg", calendar) → the stories of data/freiberg.yaml, in file order
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import yaml

from aggregator.demo.content import Calendar

__all__ = ["DataFileError", "Story", "load_stories"]

_PLACEHOLDER = re.compile(r"\{([a-z_]+):(when|day|date)\}")
_CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
_STORY_KEYS = frozenset(
    {
        "slug",
        "title",
        "headline",
        "published",
        "updated",
        "author",
        "categories",
        "section",
        "linked",
        "teaser",
        "body",
    }
)


class DataFileError(ValueError):
    """A demo data file does not say what the loader expects (a bug in the shipped data)."""


@dataclass(frozen=True, slots=True)
class Story:
    """One news item of a scraped demo site."""

    slug: str
    title: str  # as the list shows it; a DokuWiki row marks its linked words [[so]]
    published: datetime  # aware, UTC
    teaser: tuple[str, ...]  # plain-text paragraphs shown on the list page (YAML folds a
    # `>-` block's lines into one paragraph; a blank line there starts the next)
    body: str  # HTML of the article page, below its heading
    headline: str | None = None  # the article page's heading when it differs from the title
    updated: datetime | None = None
    author: str | None = None
    categories: tuple[str, ...] = ()
    section: str | None = None  # DokuWiki: the chronicle section the row stands in
    linked: bool = True  # False: the list shows it without a link, it has no article page


def load_stories(name: str, calendar: Calendar) -> tuple[Story, ...]:
    """The stories of `data/<name>.yaml`, dated relative to `calendar`."""
    raw = _raw(name)
    where = f"aggregator/demo/data/{name}.yaml"
    if not isinstance(raw, dict) or not isinstance(raw.get("stories"), list):
        raise DataFileError(f"{where}: expected a mapping with a 'stories:' list")
    events = _events(raw.get("events") or {}, calendar, where)
    stories = tuple(
        _story(entry, events, calendar, f"{where}: story {index + 1}")
        for index, entry in enumerate(raw["stories"])
    )
    slugs = [story.slug for story in stories]
    if len(set(slugs)) != len(slugs):
        raise DataFileError(f"{where}: two stories share a slug")
    return stories


@cache
def _raw(name: str) -> Any:
    text = resources.files("aggregator.demo").joinpath("data", f"{name}.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def _events(raw: object, calendar: Calendar, where: str) -> dict[str, datetime]:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: 'events:' must be a mapping")
    events = {}
    for name, spec in raw.items():
        if not isinstance(spec, dict) or not isinstance(spec.get("ahead"), int):
            raise DataFileError(f"{where}: event {name} needs 'ahead: <days>'")
        hour, minute = _clock(spec.get("at", "19:00"), f"{where}: event {name}")
        weekday = spec.get("weekday")
        if weekday is not None and weekday not in range(7):
            raise DataFileError(f"{where}: event {name}: weekday is 0 (Monday) … 6 (Sunday)")
        events[str(name)] = calendar.ahead(spec["ahead"], hour, minute, weekday=weekday)
    return events


def _story(raw: object, events: dict[str, datetime], calendar: Calendar, where: str) -> Story:
    if not isinstance(raw, dict):
        raise DataFileError(f"{where}: expected a mapping")
    unknown = set(raw) - _STORY_KEYS
    if unknown:
        raise DataFileError(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("slug", "title", "published", "teaser", "body"):
        if key not in raw:
            raise DataFileError(f"{where}: '{key}' is missing")

    def text(key: str) -> str:
        value = raw[key]
        if not isinstance(value, str) or not value.strip():
            raise DataFileError(f"{where}: '{key}' must be a non-empty string")
        return _fill(value.strip(), events, f"{where}: {key}")

    def optional(key: str) -> str | None:
        return text(key) if raw.get(key) is not None else None

    categories = raw.get("categories") or []
    if not isinstance(categories, list) or not all(isinstance(c, str) for c in categories):
        raise DataFileError(f"{where}: 'categories' must be a list of strings")
    linked = raw.get("linked", True)
    if not isinstance(linked, bool):
        raise DataFileError(f"{where}: 'linked' must be true or false")
    published = _moment(raw["published"], calendar, f"{where}: published")
    updated = _moment(raw["updated"], calendar, f"{where}: updated") if "updated" in raw else None
    if updated is not None and updated <= published:
        raise DataFileError(f"{where}: 'updated' must lie after 'published'")
    return Story(
        slug=text("slug"),
        title=text("title"),
        published=published,
        teaser=tuple(p.strip() for p in text("teaser").split("\n") if p.strip()),
        body=text("body"),
        headline=optional("headline"),
        updated=updated,
        author=optional("author"),
        categories=tuple(categories),
        section=optional("section"),
        linked=linked,
    )


def _moment(raw: object, calendar: Calendar, where: str) -> datetime:
    """`{ago: days, at: "HH:MM"}`: a past moment (Calendar.ago refuses today and later)."""
    if not isinstance(raw, dict) or not isinstance(raw.get("ago"), int):
        raise DataFileError(f"{where}: expected {{ago: <days>, at: 'HH:MM'}}")
    hour, minute = _clock(raw.get("at", "12:00"), where)
    try:
        return calendar.ago(raw["ago"], hour, minute)
    except ValueError as exc:
        raise DataFileError(f"{where}: {exc}") from None


def _clock(raw: object, where: str) -> tuple[int, int]:
    match = _CLOCK.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise DataFileError(f"{where}: 'at' must be a time 'HH:MM'")
    return int(match.group(1)), int(match.group(2))


def _fill(text: str, events: dict[str, datetime], where: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, form = match.groups()
        if name not in events:
            raise DataFileError(f"{where}: unknown event {{{name}:…}}")
        moment = events[name]
        if form == "when":
            return Calendar.when(moment)
        full = Calendar.date(moment)  # '15. Dezember 2026'
        return full if form == "date" else full.rsplit(" ", 1)[0]

    filled = _PLACEHOLDER.sub(replace, text)
    if re.search(r"\{[a-z_]+:[a-z]+\}", filled):
        raise DataFileError(f"{where}: unknown placeholder form in {filled[:60]!r}")
    return filled
