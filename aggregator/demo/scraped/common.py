"""Pieces every scraped demo site uses: dates as the sites write them, escaping, served pages."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from functools import partial
from html import escape

from aggregator.demo.content import BERLIN, MONTHS
from aggregator.demo.httpserver import Response, Route, conditional
from aggregator.demo.stories import Story

HTML = "text/html; charset=utf-8"
SAMPLE_NOTE = (
    "Beispielinhalt der Demo: Diese Seite gehört zum Demo-Netzwerk des Stadtforen-Aggregators. "
    "Alle Beiträge, Personen, Zitate und Termine sind erfunden."
)


@dataclass(frozen=True, slots=True)
class ExpectedItem:
    """One item as a correct scraper reads it from a list page."""

    title: str  # exactly as shown (entities decoded, whitespace collapsed)
    link: str  # absolute: the article page, or the list page for an item without a link
    published: datetime | None  # naive Berlin wall-clock time; a date alone is 00:00


@dataclass(frozen=True, slots=True)
class Listed:
    """One story as its list page shows it."""

    story: Story
    title: str  # as shown
    list_path: str  # the list page it stands on
    article: str | None  # path (and query) of its article page; None: listed without a link
    timed: bool  # the site gives a time of day, not only a date


MONTHS_SHORT = ("Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez")
DAYS_SHORT = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


def wall_clock(moment: datetime, *, timed: bool) -> datetime:
    local = moment.astimezone(BERLIN).replace(tzinfo=None)
    return local if timed else datetime.combine(local.date(), time())


def local(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


def iso_local(moment: datetime) -> str:
    return local(moment).isoformat(timespec="seconds")


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def dmy(moment: datetime) -> str:
    return f"{local(moment):%d.%m.%Y}"


def long_date(moment: datetime) -> str:
    day = local(moment)
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def esc(text: str) -> str:
    return escape(text, quote=True)


def paragraphs(texts: Sequence[str]) -> str:
    return "\n".join(f"<p>{esc(' '.join(text.split()))}</p>" for text in texts)


def slug(text: str) -> str:
    """A WordPress-style slug of a category or author name."""
    text = text.lower()
    for umlaut, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, plain)
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:20] + '"'


def tagged(body: bytes, content_type: str = HTML, status: int = 200) -> Response:
    return Response(status, body, {"Content-Type": content_type, "ETag": etag(body)})


def served(body: bytes, content_type: str = HTML) -> Route:
    """A page with an ETag that answers a matching If-None-Match with 304."""
    return partial(conditional, tagged(body, content_type))


def by_date(stories: Sequence[Story]) -> list[Story]:
    return sorted(stories, key=lambda story: story.published, reverse=True)
