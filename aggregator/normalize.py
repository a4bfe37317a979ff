"""Normalize: an untrusted `Entry` as a parser read it → a clean `Item` ready to store.

Pure: values in, values out; no clock (the caller passes `now`), no network, no database.

What normalizing guarantees about an `Item`:

- `content_html` is sanitized with an nh3 (ammonia) allowlist: text tags, links and images only;
  no script, style, iframe, object, embed or form (dropped with their content), no event handler
  or style attributes, only http, https and mailto URLs. Relative `href`/`src` are made absolute
  against the entry's link (else the feed's URL) in the same pass; links get
  `rel="nofollow noopener ugc"`.
- `title` and `excerpt` are plain text: tags stripped, entities decoded, whitespace collapsed.
- No text field holds a character that XML 1.0 forbids or HTML calls a parse error (control
  characters but tab, newline and carriage return; lone surrogates; noncharacters): a feed can
  smuggle them in (raw in JSON, or as `&#1;` inside escaped HTML), and one of them would make
  every feed we publish unwritable.
- `url` is an absolute http(s) URL: the entry's link, else its guid if that is a URL, else the
  source's homepage; never a `javascript:` or other scheme; tracking parameters (utm_*, fbclid,
  …) removed, so that readers are not tracked through us. `canonical_url` is its dedup key
  (for the homepage fallback: the homepage's key plus "#" and the guid, so that such entries
  are never taken for one story).
- `published` (and `updated`) are aware UTC. A date without a zone is Europe/Berlin time; a
  missing date, one more than `FUTURE_TOLERANCE` after `now`, or one before `EARLIEST_DATE`
  (the Unix epoch, .NET's year 1, PHP's "-0001-11-30" of an unset date …) becomes `now`
  (first seen).
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from contextvars import ContextVar
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

import nh3

from aggregator.model import Entry, Item, Source
from aggregator.urls import absolute_http_url, canonical_url, without_tracking

__all__ = [
    "BERLIN",
    "EARLIEST_DATE",
    "EXCERPT_LIMIT",
    "FUTURE_TOLERANCE",
    "UNTITLED",
    "canonical_url",
    "clean_optional_text",
    "clean_text",
    "excerpt",
    "normalize_entry",
    "plain_text",
    "sanitize_html",
    "to_utc",
    "without_tracking",
]

BERLIN = ZoneInfo("Europe/Berlin")
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of small web hosts drift; more is a bogus date
# Older is a placeholder, not a publication date: the epoch (1970) of an unset Unix timestamp,
# year 1 (.NET's DateTime.MinValue), PHP's zero date, 1900 … No member site's feed predates it.
EARLIEST_DATE = datetime(1990, 1, 1, tzinfo=UTC)
EXCERPT_LIMIT = 300
TITLE_FROM_TEXT_LIMIT = 100  # an entry without a title is titled by the start of its text
UNTITLED = "(ohne Titel)"

LINK_REL = "nofollow noopener ugc"
URL_SCHEMES = frozenset({"http", "https", "mailto"})

_BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div",
        "dl", "dt", "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6",
        "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
        "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
    }
)  # fmt: skip
ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
        "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1",
        "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p",
        "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub", "summary", "sup",
        "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "hreflang"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "dfn": frozenset({"title"}),
    "td": frozenset({"colspan", "rowspan"}),
    "th": frozenset({"colspan", "rowspan", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed"}),
    "time": frozenset({"datetime"}),
}
# Dropped together with everything inside them (other unknown tags are unwrapped, text kept).
DROPPED_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form",
        "button", "select", "textarea", "noscript", "noembed", "noframes", "template", "svg",
        "math", "canvas", "audio", "video", "head", "title", "xmp", "plaintext",
    }
)  # fmt: skip

_TEXT_CLEANER = nh3.Cleaner(
    tags=set(_BLOCK_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={},
    link_rel=None,
    url_schemes=set(),
)
_ANY_TAG = re.compile(r"<[^>]*>")  # safe on nh3 output: ">" in attribute values is escaped
_RAW_TAG = re.compile(r"<[^<>]*>")  # linear on any input, also on "<<<<…"
# html5ever (in nh3) takes time quadratic in the nesting depth of block elements: 40 000 nested
# <div> (200 KB) cost 3 s a pass, 100 000 more than 30 s, and a 10 MB feed body holds 2 million.
# No article nests deeper than a few dozen levels or has anywhere near that many tags.
MAX_DEPTH = 1_000
MAX_TAGS = 100_000
_TAG_TOKEN = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]*)[^<>]*?(/?)>")
_NOT_NESTING = frozenset(
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",  # void elements
        "dd", "dt", "li", "option", "p", "td", "th", "tr",  # closed by their next sibling
    }
)  # fmt: skip
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff]")  # soft hyphen, zero-width spaces
# What XML 1.0 forbids and HTML calls a parse error: C0 controls but tab, LF and CR; DEL and the
# C1 controls; lone surrogates (which cannot even be encoded as UTF-8); noncharacters. Any astral
# character matches too and is checked one by one (only U+1FFFE, U+1FFFF … are noncharacters):
# listing those 32 in the class would make every search ten times slower.
_UNSAFE_CHARS = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
    "|[\U00010000-\U0010ffff]"
)
_SPACE_LIKE = frozenset("\x0b\x0c")  # vertical tab and form feed separate words


def normalize_entry(entry: Entry, *, source: Source, feed_url: str, now: datetime) -> Item | None:
    """Turn one parsed entry into a clean item; None when it has no title, link or content.

    `feed_url` is the URL the feed was fetched from; `now` (aware) is when it was first seen.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(UTC)
    entry = _without_unsafe_chars(entry)

    link = absolute_http_url(entry.link, base=feed_url)
    own_url = link or absolute_http_url(entry.guid)
    # relative links in the content: the feed's xml:base, else the entry's page, else the feed
    base = absolute_http_url(entry.base) or link or own_url or absolute_http_url(feed_url)

    raw_content = entry.content_html or entry.summary_html
    content_html = sanitize_html(raw_content, base_url=base) if raw_content else ""
    title = plain_text(entry.title)
    if not (title or own_url or _has_content(content_html)):
        return None

    text = excerpt(entry.summary_html) or excerpt(entry.content_html)
    if not title:
        title = _shorten(text, TITLE_FROM_TEXT_LIMIT) if text else UNTITLED
    url = without_tracking(own_url or source.homepage)

    updated = _utc_or_none(entry.updated)
    # the publication date, else the update date: the first one that can be believed
    given = next(
        (d for d in (_utc_or_none(entry.published), updated) if d and _plausible(d, now)), None
    )
    dated = given is not None
    published = given if given is not None else now  # first seen
    if updated is not None and not _plausible(updated, now):
        updated = None  # not `now`: that would change on every crawl

    guid = (entry.guid or "").strip() or (url if own_url else _content_hash(entry))
    # An entry without a link of its own points at the homepage; its dedup key must not make
    # it "the same story" as every other such entry, so it gets its guid as a fragment (which
    # canonical_url never leaves on a real link, so it cannot match one either).
    key = canonical_url(url) if own_url else f"{canonical_url(url)}#{guid}"
    if link is None and own_url and urlsplit(own_url).fragment:
        # no link, and a guid that is an address with a fragment: a block of a scraped page
        # without a page of its own ("page#block"); other blocks of that page are other stories
        key = f"{canonical_url(url)}#{urlsplit(own_url).fragment}"
    return Item(
        source_id=source.id,
        guid=guid,
        url=url,
        canonical_url=key,
        title=title,
        content_html=content_html,
        excerpt=text,
        published=published,
        updated=updated,
        author=plain_text(entry.author) or None,
        dated=dated,  # cities and topics: `aggregator.tagging`
    )


def clean_text(text: str) -> str:
    """`text` without the characters no XML or HTML document may carry (see `_UNSAFE_CHARS`).

    Vertical tab and form feed become spaces; the others are removed.
    """
    if text.isprintable() or _UNSAFE_CHARS.search(text) is None:  # isprintable: fast, in C
        return text
    return _UNSAFE_CHARS.sub(_replacement, text)


def _replacement(match: re.Match[str]) -> str:
    char = match.group()
    if char > "\uffff":  # an astral character: only its noncharacters go
        return "" if ord(char) & 0xFFFE == 0xFFFE else char
    return " " if char in _SPACE_LIKE else ""


def _without_unsafe_chars(entry: Entry) -> Entry:
    """The entry with `clean_text` applied to every text field (the same object if all clean)."""
    texts = (
        entry.guid,
        entry.link,
        entry.title,
        entry.content_html,
        entry.summary_html,
        entry.author,
    )
    if not any(text and _UNSAFE_CHARS.search(text) for text in texts):
        return entry
    return replace(
        entry,
        guid=clean_optional_text(entry.guid),
        link=clean_optional_text(entry.link),
        title=clean_optional_text(entry.title),
        content_html=clean_optional_text(entry.content_html),
        summary_html=clean_optional_text(entry.summary_html),
        author=clean_optional_text(entry.author),
    )


def clean_optional_text(text: str | None) -> str | None:
    """`clean_text` for a field that may be missing."""
    return None if text is None else clean_text(text)


def sanitize_html(fragment: str, *, base_url: str | None = None) -> str:
    """Sanitized HTML: the allowlist above, relative URLs resolved against `base_url`.

    Without an http(s) `base_url`, relative URLs are dropped (they would point into our own
    site once published). Character references to control characters ("&#1;") are dropped
    with the rest of `clean_text`'s list. A fragment with more than `MAX_TAGS` tags or nested
    deeper than `MAX_DEPTH` is no article but a trap for the parser: only its text is kept,
    escaped.
    """
    if not fragment:
        return ""
    fragment = clean_text(fragment)  # nh3 cannot even take a lone surrogate
    if _too_many_tags(fragment):
        return html.escape(_stripped(fragment), quote=False)
    base = absolute_http_url(base_url) if base_url else None
    if base is not None:
        parts = urlsplit(base)
        token = _SANITIZE_BASE.set((base, f"{parts.scheme}://{parts.netloc}", parts.scheme))
    else:
        token = _SANITIZE_BASE.set(None)
    try:
        cleaned = _SANITIZER.clean(fragment)
        # html5ever decodes "&#1;" to U+0001: the one way its output has what its input had not
        return (clean_text(cleaned) if "&#" in fragment else cleaned).strip()
    finally:
        _SANITIZE_BASE.reset(token)


def _resolve_relative(url: str) -> str | None:
    """nh3's callback for a relative href/src: absolute against the current base, or dropped."""
    current = _SANITIZE_BASE.get()
    if current is None:
        return None
    base, origin, scheme = current
    url = url.strip()
    if url.startswith("/") and "/." not in url and "\\" not in url:  # the common cases, fast
        absolute = f"{scheme}:{url}" if url.startswith("//") else origin + url
    else:
        try:
            absolute = urljoin(base, url)
        except ValueError:
            return None
    return absolute if absolute.startswith(("https://", "http://")) else None


# One prebuilt sanitizer: building one per call (what nh3.clean(**options) does) costs more than
# the cleaning itself. The base URL of the current call reaches its callback through a
# context variable, which is safe across threads and asyncio tasks.
_SANITIZE_BASE: ContextVar[tuple[str, str, str] | None] = ContextVar("sanitize_base", default=None)
_SANITIZER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    clean_content_tags=DROPPED_WITH_CONTENT,
    attributes=ALLOWED_ATTRIBUTES,
    link_rel=LINK_REL,
    url_schemes=URL_SCHEMES,
    strip_comments=True,
    url_relative=_resolve_relative,
)


def plain_text(fragment: str | None) -> str:
    """The text of an HTML fragment: tags gone, entities decoded, whitespace collapsed.

    Block elements (p, li, br, td …) separate words; script, style and the like are dropped with
    their content; soft hyphens and zero-width spaces are removed.
    """
    if not fragment:
        return ""
    fragment = clean_text(fragment)
    if _too_many_tags(fragment):
        fragment = _stripped(fragment)
    elif "<" in fragment or "&" in fragment:
        text = _TEXT_CLEANER.clean(fragment)
        if "&#" in fragment:  # decoded by html5ever: "&#1;" is U+0001 now
            text = clean_text(text)
        fragment = html.unescape(_ANY_TAG.sub(" ", text))
    return _nfc(" ".join(_INVISIBLE.sub("", fragment).split()))


def _too_many_tags(fragment: str) -> bool:
    """More than `MAX_TAGS` tags, or elements nested more than `MAX_DEPTH` deep (a linear
    scan that counts open minus closed tags, ignoring void and self-closing elements)."""
    tags = fragment.count("<")
    if tags <= MAX_DEPTH:  # too few to nest that deep: the common case, decided in C
        return False
    if tags > MAX_TAGS:
        return True
    depth = 0
    for match in _TAG_TOKEN.finditer(fragment):
        closing, name, self_closing = match.groups()
        if self_closing or name.lower() in _NOT_NESTING:
            continue
        if closing:
            depth = max(depth - 1, 0)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                return True
    return False


def _stripped(fragment: str) -> str:
    """The text of a fragment too big for nh3, by cutting out everything tag-like (plain
    text, to be escaped: no markup of it survives); whitespace collapsed."""
    return clean_text(" ".join(html.unescape(_RAW_TAG.sub(" ", fragment)).split()))


def excerpt(fragment: str | None, limit: int = EXCERPT_LIMIT) -> str:
    """Plain text of an HTML fragment, at most `limit` characters.

    A longer text is cut at a word boundary and ends with "…" (counted in `limit`).
    """
    return _shorten(plain_text(fragment), limit)


def _shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    if limit < 2:
        return "…"[:limit]
    head = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut falls inside a word: go back to its start
        space = head.rfind(" ")
        if space >= limit // 2:
            head = head[:space]
    head = head.rstrip(" ,;:.-–—/([{\"'„“‚‘") or text[: limit - 1]
    return head + "…"


def to_utc(value: datetime) -> datetime:
    """An aware datetime in UTC; a naive one is read as Europe/Berlin time first."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=BERLIN)
    return value.astimezone(UTC)


def _utc_or_none(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    try:
        return to_utc(value)
    except (OverflowError, ValueError):  # e.g. year 1 shifted before the start of the calendar
        return None


def _plausible(moment: datetime, now: datetime) -> bool:
    """A publication date can be believed: not a placeholder from long ago, not in the future."""
    return EARLIEST_DATE <= moment <= now + FUTURE_TOLERANCE


def _has_content(sanitized: str) -> bool:
    return bool(sanitized) and (bool(plain_text(sanitized)) or "<img" in sanitized)


def _content_hash(entry: Entry) -> str:
    """A stable guid for an entry with neither guid nor URL."""
    parts = [
        entry.title or "",
        entry.published.isoformat() if entry.published else "",
        "" if entry.title else (entry.content_html or entry.summary_html or ""),
    ]
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8"), usedforsecurity=False)
    return "sha1:" + digest.hexdigest()


def _nfc(text: str) -> str:
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
