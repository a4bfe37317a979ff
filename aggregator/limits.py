"""Bounds on every stored field of an item, so that no feed can make the database refuse a row.

Pure: values in, values out; no I/O, no clock. Applied by `reading` right after normalizing.

Why bytes: PostgreSQL refuses an index entry larger than about 2,700 bytes ("index row size …
exceeds btree version 4 maximum", a third of an 8 KB page), and the stored text is UTF-8, where a
character takes up to 4 bytes. Two indexes hold text from a feed: the unique (source_id, guid)
and canonical_url (see `store.schema`); `url` is stored beside it. Their bounds below leave a
margin under the btree limit for the index's own overhead and the source id (≤ 64 characters).
The other columns are not indexed (PostgreSQL takes up to 1 GB there, SQLite 1 GB by default);
they are bounded so that one hostile entry cannot make the database, the pages or the feeds huge.

    guid           > MAX_GUID_BYTES        → "sha256:<hex>" of the original: stable, so the next
                                             crawl of the same entry finds the same row
    url, canonical > MAX_URL_BYTES         → the item is refused (`Refusal`): a cut link leads
                                             nowhere, and no reader follows a 2 KB link
    title          > MAX_TITLE_CHARS       → cut at a word boundary, ends with "…"
    author         > MAX_AUTHOR_CHARS      → cut the same way
    excerpt        > MAX_EXCERPT_CHARS     → cut the same way (normalize already keeps ~300)
    content_html   > MAX_CONTENT_BYTES     → cut, an ellipsis added, sanitized once more (which
                                             closes the tags left open); plain text if even that
                                             does not fit

An item within every bound is returned as the same object, at the cost of a few `len` calls.
"""

from __future__ import annotations

import hashlib
import html
from dataclasses import dataclass, replace

from aggregator.model import Item
from aggregator.normalize import plain_text, sanitize_html

__all__ = [
    "HASHED_GUID_PREFIX",
    "MAX_AUTHOR_CHARS",
    "MAX_CONTENT_BYTES",
    "MAX_EXCERPT_CHARS",
    "MAX_GUID_BYTES",
    "MAX_TITLE_CHARS",
    "MAX_URL_BYTES",
    "Refusal",
    "bound_item",
    "bounded_guid",
]

MAX_GUID_BYTES = 512
MAX_URL_BYTES = 2_000  # browsers and servers commonly stop near 2,048; btree limit ~2,700
MAX_TITLE_CHARS = 1_000
MAX_AUTHOR_CHARS = 200
MAX_EXCERPT_CHARS = 1_000
MAX_CONTENT_BYTES = 256 * 1024
HASHED_GUID_PREFIX = "sha256:"
ELLIPSIS = "…"
# Room left below MAX_CONTENT_BYTES when cutting content: for the ellipsis and the end tags that
# sanitizing adds back (a few dozen open elements at most in a real article).
_CONTENT_MARGIN = 8 * 1024
_UTF8_MAX = 4  # bytes per character


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why an item cannot be stored at all, for the feed's warning."""

    reason: str  # e.g. "link longer than 2000 bytes"


def bound_item(item: Item) -> Item | Refusal:
    """`item` with every field within its bound (the same object if all are), or a `Refusal`."""
    changes: dict[str, object] = {}
    key = item.canonical_url
    guid = bounded_guid(item.guid)
    if guid != item.guid:
        changes["guid"] = guid
        # An item without a link of its own has its guid in its dedup key (see normalize)
        suffix = "#" + item.guid
        if key.endswith(suffix):
            key = changes["canonical_url"] = key[: -len(suffix)] + "#" + guid
    if _over_bytes(item.url, MAX_URL_BYTES) or _over_bytes(key, MAX_URL_BYTES):
        return Refusal(f"link longer than {MAX_URL_BYTES} bytes")
    if len(item.title) > MAX_TITLE_CHARS:
        changes["title"] = _shorten(item.title, MAX_TITLE_CHARS)
    if item.author is not None and len(item.author) > MAX_AUTHOR_CHARS:
        changes["author"] = _shorten(item.author, MAX_AUTHOR_CHARS)
    if len(item.excerpt) > MAX_EXCERPT_CHARS:
        changes["excerpt"] = _shorten(item.excerpt, MAX_EXCERPT_CHARS)
    if _over_bytes(item.content_html, MAX_CONTENT_BYTES):
        changes["content_html"] = cap_html(item.content_html, MAX_CONTENT_BYTES)
    return replace(item, **changes) if changes else item  # type: ignore[arg-type]


def bounded_guid(guid: str) -> str:
    """The guid as stored: itself, or "sha256:<hex>" of it when longer than MAX_GUID_BYTES."""
    if not _over_bytes(guid, MAX_GUID_BYTES):
        return guid
    return HASHED_GUID_PREFIX + hashlib.sha256(guid.encode("utf-8")).hexdigest()


def cap_html(fragment: str, limit: int) -> str:
    """Sanitized HTML of at most `limit` UTF-8 bytes: cut, "…" added, tags closed again.

    `fragment` is sanitized HTML (what `normalize.sanitize_html` returned): every "<" starts a
    tag and every "&" an entity, so a cut inside either is moved back to its start.
    """
    if not _over_bytes(fragment, limit):
        return fragment
    head = _drop_partial_markup(_cut_bytes(fragment, max(limit - _CONTENT_MARGIN, limit // 2)))
    capped = sanitize_html(head.rstrip() + ELLIPSIS)
    if not _over_bytes(capped, limit):
        return capped
    # Closing what was open did not fit (thousands of nested elements): keep only the text.
    text = html.escape(plain_text(fragment), quote=False)
    return _drop_partial_markup(_cut_bytes(text, limit - len(ELLIPSIS.encode()))) + ELLIPSIS


def _over_bytes(text: str, limit: int) -> bool:
    """True when `text` takes more than `limit` bytes in UTF-8 (encodes only when in doubt)."""
    if len(text) * _UTF8_MAX <= limit:
        return False
    if len(text) > limit:
        return True
    return len(text.encode("utf-8")) > limit


def _cut_bytes(text: str, limit: int) -> str:
    """The longest start of `text` that fits in `limit` UTF-8 bytes (no character split)."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _drop_partial_markup(head: str) -> str:
    """`head` without a tag or entity cut in half at its end."""
    lt = head.rfind("<")
    if lt > head.rfind(">"):
        head = head[:lt]
    amp = head.rfind("&")
    if amp > head.rfind(";"):
        head = head[:amp]
    return head


def _shorten(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, cut at a word boundary and ending with "…"."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut falls inside a word: go back to its start
        space = head.rfind(" ")
        if space >= limit // 2:
            head = head[:space]
    return head.rstrip() + ELLIPSIS
