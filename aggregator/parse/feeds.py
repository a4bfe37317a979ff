"""A fetched feed body → `ParsedFeed`: RSS 0.9x/1.0/2.0 and Atom 0.3/1.0 via feedparser, JSON Feed.

Pure: bytes and the response's URL and Content-Type in, values out; nothing is fetched (the bytes
are handed to feedparser as a stream, never as a string it could take for a URL or a path).

feedparser is tolerant: a feed that is not well-formed XML is read by its loose parser, and what
that yields is returned with `ParsedFeed.warning` saying why the feed was only partly readable.
Only when nothing is recoverable does `parse_feed` raise `ParseError` with one of the reasons
`"empty"`, `"not_a_feed"` (an HTML page, other XML or text) or `"malformed"`.

An `Entry`'s title, content and summary are HTML fragments (plain-text fields of the feed are
escaped), returned as the feed wrote them otherwise: sanitizing and resolving relative URLs is
`normalize`'s job (one pass with nh3), so feedparser's slower sgmllib sanitizer is switched off.
"""

from __future__ import annotations

import html
import io
import re
import xml.sax
from typing import Any

import feedparser
from feedparser.exceptions import (
    CharacterEncodingOverride,
    CharacterEncodingUnknown,
    UndeclaredNamespace,
)

from aggregator.errors import ParseError
from aggregator.model import Entry, ParsedFeed
from aggregator.parse.dates import parse_date
from aggregator.parse.jsonfeed import parse_json_feed

__all__ = ["parse_feed"]

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_XML_DECLARATION = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"']")
_HTML_START = re.compile(rb"<!doctype\s+html|<html[\s>]", re.IGNORECASE)
_GZIP_MAGIC = b"\x1f\x8b"
_ZLIB_HEADERS = frozenset({b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"})
_SINGLE_BYTE_LATIN = frozenset(
    {
        "iso-8859-1",
        "iso8859-1",
        "iso_8859-1",
        "latin1",
        "latin-1",
        "l1",
        "iso-8859-15",
        "iso8859-15",
        "latin-9",
        "windows-1252",
        "cp1252",
        "us-ascii",
        "ascii",
    }
)
_FEED_VERSIONS = re.compile(r"^(rss|atom|cdf)")


def parse_feed(content: bytes, *, url: str, content_type: str | None = None) -> ParsedFeed:
    """Parse a fetched feed body.

    `url` is where the body came from (relative links resolve against it); `content_type` is the
    response's Content-Type header, charset included, when there was one.

    Raises `ParseError` with reason "empty", "not_a_feed" or "malformed" when nothing is readable.
    """
    body = _strip_leading_noise(content)
    if not body:
        raise ParseError("empty", "the response body is empty")
    media_type, charset = _split_content_type(content_type)
    if body.startswith(b"{") or (media_type.endswith("json") and not body.startswith(b"<")):
        return parse_json_feed(body)
    return _parse_xml(body, url=url, charset=charset)


def _strip_leading_noise(content: bytes) -> bytes:
    """Drop a UTF-8 byte order mark and whitespace before the first markup.

    Leading blank lines (a classic of WordPress plugins) make the XML declaration invalid and
    would throw a well-formed feed into the loose parser. UTF-16 bodies are left as they are.
    """
    if content.startswith(_UTF16_BOMS):
        return content
    if content.startswith(_UTF8_BOM):
        content = content[len(_UTF8_BOM) :]
    return content.lstrip()


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media_type, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _parse_xml(body: bytes, *, url: str, charset: str | None) -> ParsedFeed:
    charset, charset_warning = _effective_charset(body, charset)
    # feedparser follows RFC 3023, under which text/xml without a charset is US-ASCII and a
    # non-XML type (text/html, as many small sites send) earns a warning. RFC 7303 replaced
    # that: the charset parameter, else the XML declaration, else UTF-8. Ask for exactly that.
    header = "application/xml" + (f"; charset={charset}" if charset else "")
    try:
        result: Any = feedparser.parse(
            io.BytesIO(body),
            response_headers={"content-type": header, "content-location": url},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except Exception as error:  # feedparser reports problems as "bozo"; anything else is a bug
        message = f"feedparser failed: {type(error).__name__}: {_one_line(str(error))}"
        raise ParseError("malformed", message) from error
    version: str = result.get("version") or ""
    bozo_exception: BaseException | None = (
        result.get("bozo_exception") if result.get("bozo") else None
    )
    if not result.get("entries") and not _FEED_VERSIONS.match(version):
        raise _not_readable(body, bozo_exception)
    reasons = [charset_warning, _describe(bozo_exception, body) if bozo_exception else None]
    return _parsed_feed(result, url=url, warning="; ".join(r for r in reasons if r) or None)


def _parsed_feed(result: Any, *, url: str, warning: str | None) -> ParsedFeed:
    """A `ParsedFeed` from feedparser's result."""
    rss = not (result.get("version") or "").startswith("atom")
    feed: Any = result.get("feed") or {}
    return ParsedFeed(
        title=_clean_str(feed.get("title")),
        link=_clean_str(feed.get("link")),
        entries=tuple(_entry(raw, rss=rss, url=url) for raw in result.get("entries") or ()),
        ttl_minutes=_ttl(feed.get("ttl")),
        warning=warning,
    )


def _effective_charset(body: bytes, declared_http: str | None) -> tuple[str | None, str | None]:
    """The charset to read the body in, and a warning when the declared one is wrong.

    A body declared as Latin-1 (or US-ASCII, Windows-1252) that is valid UTF-8 and not plain
    ASCII is UTF-8: a Latin-1 text with umlauts is practically never valid UTF-8 by chance.
    Reading it as declared would silently turn "Görlitz" into "GÃ¶rlitz". The reverse mistake
    (declared UTF-8, written in Latin-1) feedparser detects and reports itself.
    """
    match = _XML_DECLARATION.match(body)
    declared_xml = match.group(1).decode("ascii") if match else None
    declared = declared_http or declared_xml
    if declared is None or declared.lower() not in _SINGLE_BYTE_LATIN or body.isascii():
        return declared_http, None
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return declared_http, None
    return "utf-8", f"wrong charset declaration: declared as {declared}, but the content is UTF-8"


def _not_readable(body: bytes, bozo_exception: BaseException | None) -> ParseError:
    head = body[:2048]
    if _HTML_START.search(head):
        return ParseError(
            "not_a_feed",
            "this is an HTML page, not a feed: give the feed's address (`aggregator sources "
            "discover URL` finds it) or read the page with `scrape: {url: …}` instead of `feed:`",
        )
    if not body.startswith(b"<"):
        return ParseError("not_a_feed", f"neither XML nor JSON: {_describe_start(body)}")
    if isinstance(bozo_exception, xml.sax.SAXParseException):
        return ParseError("malformed", _describe(bozo_exception, body))
    root = re.search(rb"<([A-Za-z_][\w.:-]*)", re.sub(rb"<[?!][^>]*>", b"", head))
    name = root.group(1).decode("ascii", "replace") if root else "?"
    return ParseError("not_a_feed", f"an XML document with root <{name}>, not RSS, Atom or RDF")


def _describe_start(body: bytes) -> str:
    """What a body that is neither XML nor JSON is, in words a person can act on.

    Quoting the start of compressed or other binary data would only put mojibake into the
    message an editor reads (crawl output, `aggregator sources status`).
    """
    if body.startswith(_GZIP_MAGIC):
        return "gzip-compressed data the server did not declare (Content-Encoding: gzip missing)"
    if body[:2] in _ZLIB_HEADERS:
        return "zlib-compressed data the server did not declare (Content-Encoding missing)"
    head = body[:64]
    if any(byte < 0x20 and byte not in b"\t\n\r\f" for byte in head):
        return "binary data, not text"
    start = head.decode("utf-8", "replace")[:40]
    if "\ufffd" in start:
        start = head.decode("cp1252", "replace")[:40]
    return f"the body starts with {_one_line(start)!r}"


def _describe(error: BaseException, body: bytes) -> str:
    """One line saying why feedparser was not happy with the document."""
    if isinstance(error, xml.sax.SAXParseException):
        line = error.getLineNumber()
        if line is not None and not body.startswith(b"<?xml"):
            line -= 1  # feedparser puts an XML declaration line in front
        return f"not well-formed XML at line {line}: {_one_line(error.getMessage())}"
    if isinstance(error, CharacterEncodingOverride):
        return f"wrong charset declaration: {_one_line(str(error))}"
    if isinstance(error, CharacterEncodingUnknown):
        return f"unknown charset: {_one_line(str(error))}"
    if isinstance(error, UndeclaredNamespace):
        return f"undeclared XML namespace: {_one_line(str(error))}"
    return f"{type(error).__name__}: {_one_line(str(error))}"


def _one_line(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _entry(raw: Any, *, rss: bool, url: str) -> Entry:
    """One feedparser entry as an `Entry`.

    An RSS title is taken as HTML whatever feedparser guessed: RSS never said, and titles with
    escaped markup or double-escaped entities ("&amp;amp;") are far more common than titles
    with a literal "<". Atom says (type="text" or "html") and is believed.
    """
    author_detail: Any = raw.get("author_detail") or {}
    title = raw.get("title")
    summary_detail = raw.get("summary_detail")
    return Entry(
        guid=_clean_str(raw.get("id")),
        link=_clean_str(raw.get("link")),
        title=_clean_str(title) if rss else _as_html(title, raw.get("title_detail")),
        content_html=_content_html(raw),
        # without summary_detail, feedparser's summary is a copy of the Atom content
        summary_html=_as_html(raw.get("summary"), summary_detail) if summary_detail else None,
        published=parse_date(_clean_str(raw.get("published"))),
        # dict.get: feedparser's own `get("updated")` falls back to `published` with a warning
        updated=parse_date(_clean_str(dict.get(raw, "updated"))),
        author=_clean_str(author_detail.get("name")) or _clean_str(raw.get("author")),
        base=_xml_base(raw, url),
    )


def _xml_base(raw: Any, url: str) -> str | None:
    """The xml:base in effect for the entry's content, when the feed set one (feedparser puts
    the document's own URL there otherwise)."""
    for detail in [*(raw.get("content") or []), raw.get("summary_detail")]:
        base = _clean_str((detail or {}).get("base"))
        if base:
            return base if base != url else None
    return None


def _content_html(raw: Any) -> str | None:
    """The first HTML content (content:encoded, atom:content); plain-text content escaped."""
    contents: list[Any] = raw.get("content") or []
    for content in contents:
        if "html" in (content.get("type") or ""):
            value = _clean_str(content.get("value"))
            if value:
                return value
    for content in contents:
        value = _as_html(content.get("value"), content)
        if value:
            return value
    return None


def _as_html(value: Any, detail: Any) -> str | None:
    text = _clean_str(value)
    if text is None:
        return None
    content_type = (detail or {}).get("type") or "text/html"
    if "html" in content_type:
        return text
    return html.escape(text, quote=False)


def _clean_str(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return value.strip() or None


def _ttl(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().isdigit():
        minutes = int(value.strip())
        return minutes if minutes > 0 else None
    return None
