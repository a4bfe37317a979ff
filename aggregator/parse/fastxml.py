"""A fast path for the common, well-formed RSS 2.0 and Atom 1.0 feed; feedparser does the rest.

feedparser spends most of its time in Python callbacks for every XML element (about 6 ms for
a small 30-item feed, 15-25 ms when the items carry their full text), which would make parsing
the largest part of a crawl. Most member feeds are plain, well-formed WordPress RSS 2.0. For
those, this module reads the document with the C-accelerated `xml.etree.ElementTree` and
builds the same raw entry dictionaries feedparser would build, keeping feedparser's rules
(which link wins, a permalink guid as link, relative URIs against `xml:base`, the UTF-8 and
Windows-1252 repairs of text), so that `feeds._entry` turns either into identical `Entry`
values. `tests/unit/test_parse_fastxml.py` holds both paths to that.

It declines (returns None) at the first thing it is not sure of: any XML error, a DOCTYPE, a
byte order mark, another root element, a child element it does not know inside an item or
entry, a repeated field, markup inside a text field, XHTML or out-of-line Atom content.
"""

from __future__ import annotations

import contextlib
import re
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import urljoin

from feedparser.urls import make_safe_absolute_uri

__all__ = ["read_common_feed"]

_ATOM = "{http://www.w3.org/2005/Atom}"
_CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
_DC = "{http://purl.org/dc/elements/1.1/}"
_XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_XML_DECLARATION = re.compile(r"^<\?xml[^>]*\?>")
_C1_CONTROLS = re.compile("[\x80-\x9f]")
_URI_FIXER = re.compile(r"^([A-Za-z][A-Za-z0-9+-.]*://)(/*)(.*?)")
# feedparser maps C1 control codes to the Windows-1252 characters they were meant to be
_CP1252 = {
    code: bytes([code]).decode("cp1252")
    for code in range(0x80, 0xA0)
    if code not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
}
_RSS_CHANNEL_KNOWN = frozenset(
    {
        "title", "link", "description", "language", "copyright", "managingEditor", "webMaster",
        "pubDate", "lastBuildDate", "category", "generator", "docs", "cloud", "ttl", "image",
        "rating", "textInput", "skipHours", "skipDays", "item",
        "{http://purl.org/rss/1.0/modules/syndication/}updatePeriod",
        "{http://purl.org/rss/1.0/modules/syndication/}updateFrequency",
        "{http://purl.org/rss/1.0/modules/syndication/}updateBase",
    }
)  # fmt: skip

# RSS item children: where feedparser puts them (None: read by nobody here, harmless).
_RSS_ITEM_FIELDS: dict[str, str | None] = {
    "title": "title",
    "link": "link",
    "guid": "id",
    "description": "summary",
    f"{_CONTENT}encoded": "content",
    "pubDate": "published",
    f"{_DC}date": "updated",
    "author": "author",
    f"{_DC}creator": "author",
    "category": None,
    "comments": None,
    "enclosure": None,
    "{http://wellformedweb.org/CommentAPI/}commentRss": None,
    "{http://wellformedweb.org/CommentAPI/}comment": None,
    "{http://purl.org/rss/1.0/modules/slash/}comments": None,
}
# Media RSS pictures (many CMS add them): feedparser files them under media_*, nothing of ours.
_MEDIA = "{http://search.yahoo.com/mrss/}"
_CHILDLESS_IGNORED = frozenset({f"{_MEDIA}content", f"{_MEDIA}thumbnail"})
_ATOM_FEED_KNOWN = frozenset(
    f"{_ATOM}{name}"
    for name in (
        "author", "category", "contributor", "generator", "icon", "id", "link", "logo",
        "rights", "subtitle", "title", "updated", "entry",
    )
)  # fmt: skip
_ATOM_ENTRY_KNOWN = frozenset(
    f"{_ATOM}{name}"
    for name in (
        "id", "title", "link", "published", "updated", "summary", "content", "author",
        "category", "rights", "contributor",
    )
)  # fmt: skip
_ATOM_TEXT_TYPES = {
    "text": "text/plain",
    "text/plain": "text/plain",
    "html": "text/html",
    "text/html": "text/html",
}
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_FEEDPARSER_EMAIL = re.compile(
    r"(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"
    r"([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"
)


class _DeclineError(Exception):
    """This document is not one the fast path is sure about."""


def _feedparser_vocabulary() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """The namespaces (and their prefixes) feedparser knows, and the element names it handles.

    An element outside these is one feedparser merely stores under its own name, so the fast
    path may skip it (WordPress.com's <post-id>, say). Read from feedparser itself so that a
    new handler in a new feedparser is respected; empty (skip nothing) if its internals moved.
    """
    try:
        from feedparser.api import StrictFeedParser
        from feedparser.mixin import _FeedParserMixin

        namespaces = frozenset(uri.lower() for uri in _FeedParserMixin.namespaces if uri)
        prefixes = frozenset(p.lower() for p in _FeedParserMixin.namespaces.values() if p)
        handlers = frozenset(
            name[len("_start_") :].lower()
            for name in dir(StrictFeedParser)
            if name.startswith("_start_")
        )
    except (ImportError, AttributeError):  # pragma: no cover - a feedparser we do not know
        return frozenset(), frozenset(), frozenset()
    return namespaces, prefixes, handlers


_KNOWN_NAMESPACES, _KNOWN_PREFIXES, _HANDLED_NAMES = _feedparser_vocabulary()
_NAMESPACE_DECLARATION = re.compile(r"xmlns:([A-Za-z_][\w.-]*)\s*=\s*[\"']([^\"']*)[\"']")


def _borrows_a_known_prefix(text: str) -> bool:
    """True if an unknown namespace URI is bound to a prefix feedparser knows ("dc", "media").

    feedparser then dispatches on the prefix (an almost-right Dublin Core URI still makes
    <dc:creator> the author) where ElementTree sees only the unknown URI.
    """
    return any(
        prefix.lower() in _KNOWN_PREFIXES and uri.lower() not in _KNOWN_NAMESPACES
        for prefix, uri in _NAMESPACE_DECLARATION.findall(text)
    )


def _ignorable(element: ET.Element) -> bool:
    """True for an element (with its children) that feedparser would not map to any field."""
    if not _HANDLED_NAMES or not element.tag.startswith("{"):
        return False
    namespace, _, name = element.tag[1:].partition("}")
    if namespace.lower() in _KNOWN_NAMESPACES or name.lower() in _HANDLED_NAMES:
        return False
    return all(_ignorable(child) for child in element)


def read_common_feed(body: bytes, *, url: str, charset: str | None) -> dict[str, Any] | None:
    """feedparser-shaped `{"version", "feed", "entries"}`, or None to let feedparser read it.

    `charset` is the one `feeds.py` settled on (HTTP charset, or a corrected declaration).
    """
    # Without a DOCTYPE there are no entity declarations, so no entity expansion attacks, and
    # expat never loads external entities: plain ElementTree is safe here.
    if b"<!DOCTYPE" in body or body.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None
    declared = re.match(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)", body[:200])
    encoding = charset or (declared.group(1).decode("ascii") if declared else "utf-8")
    try:
        text = body.decode(encoding)
        if _borrows_a_known_prefix(text):
            return None
        # a str makes expat read UTF-8 whatever the declaration says; drop it to be plain
        root = ET.fromstring(_XML_DECLARATION.sub("", text, count=1))  # noqa: S314
        if root.tag == "rss":
            return _read_rss(root, url)
        if root.tag == f"{_ATOM}feed":
            return _read_atom(root, url)
    except (_DeclineError, ET.ParseError, UnicodeDecodeError, LookupError, ValueError):
        return None
    return None


def _read_rss(root: ET.Element, url: str) -> dict[str, Any]:
    if _has_xml_base(root):
        raise _DeclineError
    channel = root.find("channel")
    if channel is None:
        raise _DeclineError
    items = channel.findall("item")
    if len(items) != sum(1 for _ in root.iter("item")):
        raise _DeclineError  # items outside the channel (RSS 0.9x style) or nested deeper
    feed: dict[str, Any] = {}
    for child in channel:
        if child.tag in ("title", "link", "ttl"):
            if child.tag in feed:
                raise _DeclineError
            feed[child.tag] = _text(child)
        elif child.tag == f"{_ATOM}link":
            if child.get("rel", "alternate") == "alternate":
                raise _DeclineError  # would compete with <link> for feed.link
        elif child.tag not in _RSS_CHANNEL_KNOWN and not _ignorable(child):
            raise _DeclineError
    if feed.get("link"):  # feedparser repairs entity names in a channel link, not "&amp;"
        feed["link"] = re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", _urljoin(url, feed["link"]))
    return {"version": "rss", "feed": feed, "entries": [_rss_item(item, url) for item in items]}


def _rss_item(item: ET.Element, base: str) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    guid_is_link = False
    has_link_element = False
    for child in item:
        if child.tag not in _RSS_ITEM_FIELDS:
            if _ignorable(child) or (child.tag in _CHILDLESS_IGNORED and not len(child)):
                continue
            raise _DeclineError
        key = _RSS_ITEM_FIELDS[child.tag]
        if key is None:
            continue
        if key in raw:
            raise _DeclineError
        value = _text(child)
        if key == "link":
            has_link_element = True
            value = _fix_link(_urljoin(base, value)) if value else value
        elif key == "id":
            guid_is_link = _attribute(child, "ispermalink", "true") == "true"
            if guid_is_link and value:
                value = _urljoin(base, value)
        raw[key] = value
    if not has_link_element and guid_is_link and "id" in raw:
        raw["link"] = raw["id"]
    if "title" in raw:
        raw["title_detail"] = {"type": "text/html"}  # RSS titles are taken as HTML anyway
    if "summary" in raw:
        raw["summary_detail"] = {"type": "text/html"}
    if "content" in raw:
        raw["content"] = [{"type": "text/html", "value": raw["content"]}]
    if "author" in raw:
        _author_detail_from_text(raw)
    return raw


def _read_atom(root: ET.Element, url: str) -> dict[str, Any]:
    base = _base(url, root)
    feed: dict[str, Any] = {}
    feed_id = None
    entries = []
    for child in root:
        if child.tag == f"{_ATOM}entry":
            entries.append(_atom_entry(child, base))
        elif child.tag == f"{_ATOM}title":
            feed["title"] = _atom_text(child)[0]
        elif child.tag == f"{_ATOM}link":
            href = _alternate_href(child, base)
            if href is not None:
                feed["link"] = href
        elif child.tag == f"{_ATOM}id":
            feed_id = _urljoin(_base(base, child), _text(child))
        elif child.tag not in _ATOM_FEED_KNOWN and not _ignorable(child):
            raise _DeclineError
    if "link" not in feed and feed_id:
        feed["link"] = feed_id
    return {"version": "atom10", "feed": feed, "entries": entries}


def _atom_entry(entry: ET.Element, parent_base: str) -> dict[str, Any]:
    base = _base(parent_base, entry)
    raw: dict[str, Any] = {}
    link = None
    authors = 0
    for child in entry:
        tag = child.tag
        if tag not in _ATOM_ENTRY_KNOWN:
            if _ignorable(child) or (tag in _CHILDLESS_IGNORED and not len(child)):
                continue
            raise _DeclineError
        name = tag[len(_ATOM) :]
        if name == "link":
            href = _alternate_href(child, base)
            if href is not None:
                link = href
        elif name in ("category", "rights", "contributor"):
            continue
        elif name in raw or (name == "author" and authors):
            raise _DeclineError
        elif name == "id":
            raw["id"] = _urljoin(_base(base, child), _text(child))
        elif name in ("title", "summary"):
            raw[name], content_type = _atom_text(child)
            raw[f"{name}_detail"] = {"type": content_type}
        elif name == "content":
            if child.get("src") is not None:
                raise _DeclineError
            value, content_type = _atom_text(child)
            raw["content"] = [{"type": content_type, "value": value}]
        elif name == "author":
            authors += 1
            _atom_author(child, raw)
        else:  # published, updated
            raw[name] = _text(child)
    if link is not None:
        raw["link"] = link
    elif raw.get("id"):
        raw["link"] = raw["id"]  # feedparser: an Atom id counts as a permalink
    return raw


def _atom_text(element: ET.Element) -> tuple[str, str]:
    content_type = _ATOM_TEXT_TYPES.get(element.get("type", "text").lower())
    if content_type is None:  # xhtml (inline markup) or a media type
        raise _DeclineError
    return _text(element), content_type


def _atom_author(element: ET.Element, raw: dict[str, Any]) -> None:
    detail: dict[str, str] = {}
    for child in element:
        if child.tag in (f"{_ATOM}name", f"{_ATOM}email"):
            detail[child.tag[len(_ATOM) :]] = _text(child)
        elif child.tag != f"{_ATOM}uri":
            raise _DeclineError
    if not detail.get("name"):
        raise _DeclineError
    raw["author_detail"] = detail
    raw["author"] = detail["name"]


def _alternate_href(link: ET.Element, base: str) -> str | None:
    """The link's absolute href if feedparser would take it as the page link."""
    href = link.get("href")
    if href is None:
        raise _DeclineError
    rel = link.get("rel", "alternate")
    content_type = link.get("type", "application/atom+xml" if rel == "self" else "text/html")
    if rel != "alternate" or content_type.lower() not in _HTML_TYPES:
        return None
    return _urljoin(_base(base, link), href)


def _author_detail_from_text(raw: dict[str, Any]) -> None:
    """feedparser's reading of an RSS author: "jl@example.org (Jens Lehmann)" → Jens Lehmann."""
    author: str = raw["author"]
    if not author:
        return
    match = _FEEDPARSER_EMAIL.search(author)
    detail: dict[str, str] = {}
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author.startswith("("):
            author = author[1:]
        if author.endswith(")"):
            author = author[:-1]
        author = author.strip()
        detail["email"] = email
    if author:
        detail["name"] = author
    if detail:
        raw["author_detail"] = detail


def _text(element: ET.Element) -> str:
    if len(element):
        raise _DeclineError  # markup where text belongs
    return _repair((element.text or "").strip())


def _repair(text: str) -> str:
    """feedparser's text repairs: UTF-8 read as Latin-1, then Windows-1252 control codes."""
    if text.isascii():
        return text
    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
        text = text.encode("iso-8859-1").decode("utf-8")
    if _C1_CONTROLS.search(text) is None:  # str.translate with a dict is slow: only if needed
        return text
    return text.translate(_CP1252)


def _fix_link(link: str) -> str:
    """feedparser un-escapes "&amp;" (and bare entity names) in link URLs."""
    return re.sub("&([A-Za-z0-9_]+);", r"&\g<1>", link.replace("&amp;", "&"))


def _urljoin(base: str, uri: str) -> str:
    """feedparser's URL join: "http:////x" repaired, an unjoinable URL dropped."""
    uri = _URI_FIXER.sub(r"\1\3", uri)
    try:
        return urljoin(base, uri)
    except ValueError:
        return ""


def _attribute(element: ET.Element, name: str, default: str) -> str:
    """An attribute by its lower-case name, as feedparser reads attributes."""
    for key, value in element.attrib.items():
        if key.lower() == name:
            return value
    return default


def _base(parent: str, element: ET.Element) -> str:
    """The base URI inside `element`: feedparser takes `xml:base`, and a bare `base` too."""
    value = element.get(_XML_BASE, element.get("base"))
    if not value:
        return parent
    base: str = make_safe_absolute_uri(parent, value) or parent
    return base


def _has_xml_base(root: ET.Element) -> bool:
    return any(
        element.get(_XML_BASE) is not None or element.get("base") is not None
        for element in root.iter()
    )
