"""Untrusted bytes + Content-Type → text → a lexbor tree: the one gate every HTML reader uses.

Pure; the list-page scraper (`parse.scrape`), the article reader (`parse.article`) and feed
discovery (`parse.discover`) all read pages through it.

    decode_html   refuses what is no HTML page (`ParseError` "empty_page", "not_html") and
                  decodes the rest: byte order mark, then the Content-Type's charset, then
                  <meta charset>, then UTF-8, then windows-1252 (what browsers do here)
    html_tree     parses with lexbor, the input cut where its nesting would make parsing slow
    base_url      the URL relative links resolve against: an http(s) <base href>, else the page's
    same_site     whether two URLs are on one site ("www." and subdomains aside); site_host
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from aggregator.errors import ParseError
from aggregator.urls import absolute_http_url

__all__ = ["MAX_PARSE_WORK", "base_url", "decode_html", "html_tree", "same_site", "site_host"]

# lexbor checks the stack of open elements for most tags it builds, so parsing costs about
# (tags × nesting depth): "<span>"*20000 + "<div></div>"*20000 takes over a second, 100,000
# nested <div> half a minute. Real pages stay far below this product (~0.3 s of lexbor's time).
MAX_PARSE_WORK = 200_000_000
MIN_CUT_DEPTH = 100  # however many tags a page has, this much nesting is always kept

# --- bytes → text -------------------------------------------------------------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HEAD_BYTES = 4096  # of the body looked at to tell what it is
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
# Declared types a browser would not show as a page, whatever the body looks like.
_NOT_HTML_TYPES = re.compile(
    r"^(?:image|audio|video|font)/|^application/(?!xhtml|xml|octet-stream)"
)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_HTML_ROOT = re.compile(rb"<html[\s>]", re.I)
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|div|p|table|h[1-6]|title)[\s>]", re.I
)
_HTML_HINT = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|main|section|h[1-6]|a|span"
    rb"|table|ul|img|!--|link|script|style|header|nav|form|br|center|font|frameset)[\s>/]",
    re.I,
)
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)


def decode_html(
    content: bytes, *, url: str, content_type: str | None = None, max_bytes: int | None = None
) -> str:
    """The HTML page `content` as text (only its first `max_bytes`, when given).

    Raises `ParseError("empty_page", …)` for a body of only whitespace and
    `ParseError("not_html", …)` for a feed, JSON, binary data (an image, a PDF), a body
    declared as such a type, or one without HTML markup at its start.
    """
    body = (content[:max_bytes] if max_bytes is not None else content).strip()
    if not body:
        raise ParseError("empty_page", f"the page {url} is empty")
    media_type, charset = _split_content_type(content_type)
    kind = _non_html_kind(body, media_type)
    if kind is not None:
        shown = media_type or "none given"
        raise ParseError("not_html", f"{url} is not an HTML page ({kind}; content type {shown})")
    return _decode(body, charset)


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    """(media type lower-case, charset label or None) of a Content-Type header."""
    media_type, *parameters = (content_type or "").split(";")
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return media_type.strip().lower(), charset


def _non_html_kind(body: bytes, media_type: str) -> str | None:
    """What the body is when it is not HTML (binary data, JSON, a feed …), else None."""
    head = _readable_head(body)
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head[:1024]:
        return "binary data"
    if head[:1] in (b"{", b"["):
        return "JSON"
    if (_FEED_ROOT.search(head) and not _HTML_ROOT.search(head)) or (
        head.startswith(b"<?xml") and not _HTML_START.search(head)
    ):
        return "a feed or other XML"
    if _NOT_HTML_TYPES.match(media_type) and media_type != "application/octet-stream":
        return "not HTML by its content type"
    if not _HTML_HINT.search(head):
        return "not HTML: no markup at its start"
    return None


def _readable_head(body: bytes) -> bytes:
    """The body's start as ASCII-compatible bytes, without byte order mark or leading space."""
    head = body[:_HEAD_BYTES]
    for bom, encoding in _BOMS[1:]:
        if head.startswith(bom):
            head = head[len(bom) :].decode(encoding, "replace").encode("utf-8")
            break
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")


def _decode(body: bytes, charset: str | None) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = _known_encoding(charset) if charset else None
    if declared is None:
        match = _META_CHARSET.search(body[:_HEAD_BYTES])
        declared = _known_encoding(match.group(1).decode("ascii")) if match else None
    if declared is not None and declared != "utf-8":
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.reason == "unexpected end of data":
            return body.decode("utf-8", errors="replace")  # a character cut at `max_bytes`
    return _utf8_or_windows_1252(body)


def _utf8_or_windows_1252(body: bytes) -> str:
    """Bytes that are no valid UTF-8, undeclared or declared so: old hand-made pages often say
    (or mean) UTF-8 but are windows-1252. More valid multi-byte sequences than broken bytes
    make it UTF-8 with a stray byte replaced, else it is windows-1252."""
    text = body.decode("utf-8", errors="replace")
    if len(_UTF8_SEQUENCE.findall(body)) > text.count("\ufffd"):
        return text
    return body.decode("windows-1252", errors="replace")


def _known_encoding(label: str) -> str | None:
    """Python's codec for a charset label, None when unknown; latin-1 and ASCII read as
    windows-1252 (as browsers do, WHATWG)."""
    try:
        name = codecs.lookup(label.strip()).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        return "windows-1252"
    return name


# --- text → tree --------------------------------------------------------------------------------

# Tags that do not deepen the tree: void elements and those the parser closes by their next
# sibling. The lookahead lets the regex engine skip them; only nesting tags reach Python.
_NOT_NESTING = (
    "p|li|dt|dd|tr|td|th|tbody|thead|tfoot|option|optgroup|colgroup|caption|rb|rt|rp|html|head"
    "|body|br|img|meta|link|input|hr|area|base|col|embed|param|source|track|wbr|keygen"
)
_NESTING_TAG = re.compile(
    rf"<(?:(!--)|(/?)(?!(?:{_NOT_NESTING})(?![A-Za-z0-9-]))([A-Za-z][A-Za-z0-9-]*))", re.I
)
_RAW_TEXT_END = {
    name: re.compile(rf"</{name}(?![A-Za-z0-9-])", re.I)
    for name in ("script", "style", "textarea", "title")
}  # elements whose content is text: a "<" inside opens nothing


def html_tree(text: str) -> LexborHTMLParser:
    """A lexbor tree of `text`, cut before the tag where nesting × tags would exceed
    `MAX_PARSE_WORK`: a hostile page still yields what comes before its trap."""
    return LexborHTMLParser(_within_parse_work(text))


def _within_parse_work(text: str) -> str:
    tags = text.count("<")
    if tags * tags <= MAX_PARSE_WORK:
        return text  # the depth cannot exceed the number of tags: decided in C
    deepest = max(MIN_CUT_DEPTH, MAX_PARSE_WORK // tags)
    depth = 0
    position = 0
    while (match := _NESTING_TAG.search(text, position)) is not None:
        position = match.end()
        if match.group(1):  # a comment: skipped to its end
            end = text.find("-->", position)
            if end < 0:
                return text
            position = end + 3
            continue
        if match.group(2):
            depth = depth - 1 if depth else 0
            continue
        raw_text_end = _RAW_TEXT_END.get(match.group(3).lower())
        if raw_text_end is not None:
            closing = raw_text_end.search(text, position)
            if closing is None:
                return text
            position = closing.end()
            continue
        depth += 1
        if depth > deepest:
            return text[: match.start()]
    return text


# --- URLs ---------------------------------------------------------------------------------------


def base_url(tree: LexborHTMLParser, url: str) -> str:
    """What relative links on the page resolve against: its http(s) <base href>, else `url`."""
    node = tree.css_first("base[href]")
    if node is not None:
        base = absolute_http_url(node.attributes.get("href"), base=url)
        if base is not None:
            return base
    return url


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on one site: the same host, "www." aside, or one's subdomain."""
    host = site_host(url)
    other_host = site_host(other)
    if not host or not other_host:
        return False
    return host == other_host or host.endswith("." + other_host) or other_host.endswith("." + host)


def site_host(url: str) -> str:
    """The URL's host name, lower-case, without a leading "www." ('' for none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host
