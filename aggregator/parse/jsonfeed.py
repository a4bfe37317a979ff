"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1) → `ParsedFeed`.

Pure: bytes in, values out. Tolerant where real feeds are sloppy (a numeric `id`, an item that is
not an object, 1.0's `author` in a 1.1 feed), strict where nothing sensible can be read: invalid
JSON is `ParseError("malformed")`, JSON without a JSON Feed version is `ParseError("not_a_feed")`.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

from aggregator.errors import ParseError
from aggregator.model import Entry, ParsedFeed
from aggregator.parse.dates import parse_date

__all__ = ["parse_json_feed"]

_VERSION = re.compile(r"^https?://jsonfeed\.org/version/(1|1\.1)/?$")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def parse_json_feed(content: bytes) -> ParsedFeed:
    """Read a JSON Feed 1.0 or 1.1 document.

    Raises `ParseError("malformed")` for invalid JSON and `ParseError("not_a_feed")` for JSON that
    is not a JSON Feed (no or an unknown `version`).
    """
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise ParseError(
            "malformed", f"invalid JSON at line {error.lineno} column {error.colno}: {error.msg}"
        ) from error
    except UnicodeDecodeError as error:
        raise ParseError("malformed", f"invalid JSON: not UTF-8 ({error.reason})") from error
    if not isinstance(document, dict):
        raise ParseError(
            "not_a_feed", f"JSON {type(document).__name__} instead of a JSON Feed object"
        )
    version = document.get("version")
    if not isinstance(version, str) or not version.strip():
        raise ParseError("not_a_feed", "JSON without a JSON Feed version")
    if _VERSION.match(version.strip()) is None:
        raise ParseError("not_a_feed", f"unknown JSON Feed version {version[:100]!r}")

    warnings: list[str] = []
    raw_items = document.get("items")
    if not isinstance(raw_items, list):
        raw_items = []
        warnings.append("JSON Feed without an items array")
    entries: list[Entry] = []
    skipped = 0
    for raw in raw_items:
        if isinstance(raw, dict):
            entries.append(_entry(raw))
        else:
            skipped += 1
    if skipped:
        warnings.append(f"skipped {skipped} item(s) that are not JSON objects")
    return ParsedFeed(
        title=_text(document.get("title")),
        link=_text(document.get("home_page_url")),
        entries=tuple(entries),
        warning="; ".join(warnings) or None,
    )


def _entry(item: dict[str, Any]) -> Entry:
    content_html = _text(item.get("content_html"))
    if content_html is None:
        content_html = _text_to_html(_text(item.get("content_text")))
    return Entry(
        guid=_text(item.get("id")),
        link=_text(item.get("url")) or _text(item.get("external_url")),
        title=_text_to_html(_text(item.get("title"))),
        content_html=content_html,
        summary_html=_text_to_html(_text(item.get("summary"))),
        published=parse_date(_text(item.get("date_published"))),
        updated=parse_date(_text(item.get("date_modified"))),
        author=_author(item),
    )


def _text(value: object) -> str | None:
    """A string field as a stripped string; numbers (a common `id`) as text; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    return None


def _text_to_html(text: str | None) -> str | None:
    """Plain text as an HTML fragment: escaped, blank lines as paragraphs, newlines as <br>."""
    if text is None:
        return None
    paragraphs = _PARAGRAPH_BREAK.split(text)
    if len(paragraphs) == 1 and "\n" not in text:
        return html.escape(text, quote=False)
    return "".join(
        "<p>" + html.escape(p.strip(), quote=False).replace("\n", "<br>") + "</p>"
        for p in paragraphs
        if p.strip()
    )


def _author(item: dict[str, Any]) -> str | None:
    names: list[str] = []
    authors = item.get("authors")  # 1.1
    if isinstance(authors, list):
        for author in authors:
            name = _text(author.get("name")) if isinstance(author, dict) else None
            if name:
                names.append(name)
    if not names:
        author = item.get("author")  # 1.0 (and 1.1 feeds that still write it)
        if isinstance(author, dict):
            name = _text(author.get("name"))
            if name:
                names.append(name)
    return ", ".join(names) or None
