"""A fetched article page → `ArticleMeta`: title, dates, excerpt, lead image, canonical URL.

Pure: bytes, the page's URL and its Content-Type in, a value out; nothing is fetched. HTML is
read with selectolax (lexbor), several times faster than BeautifulSoup, which matters when a run
reads hundreds of article pages.

Structured data first, then the text, never a guess:

    published   JSON-LD datePublished (Article, NewsArticle, BlogPosting, … then WebPage; any
                @graph or list nesting) → OpenGraph article:published_time, og:published_time →
                <meta name="date">, DC.date.issued, pubdate, itemprop=datePublished → a <time
                datetime> in the article (one marked published preferred) → the date the
                article's first ~2,000 characters state (`pagedates.publication_date`)
    updated     JSON-LD dateModified → article:modified_time, og:updated_time, … → a <time>
                marked updated → an update date in the text ("Stand: 01.12.2025")
    title       og:title → JSON-LD headline → <h1> → <title>, without a " – Sitename" suffix
    excerpt     og:description → meta description → the first substantial paragraph
    image       og:image → JSON-LD image → the first content image (no logos, icons, pixels)

Hostile pages are read defensively: only the first 2 MB, nesting cut where it gets absurdly
deep (lexbor's tree building is quadratic in the depth), broken JSON-LD skipped, javascript: and
data: URLs dropped. A body that is not HTML raises `ParseError("not_html", …)`; nothing else
raises.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.errors import ParseError
from aggregator.parse.dates import parse_date
from aggregator.parse.pagedates import MIN_PUBLICATION_YEAR, dates_in_text, publication_date
from aggregator.urls import absolute_http_url

__all__ = ["ArticleMeta", "decode_html", "html_tree", "read_article", "same_site"]

MAX_HTML_BYTES = 2_000_000  # the rest of a bigger page is not read
MAX_DEPTH = 512  # open elements; deeper nesting is cut off (see `_shallow`)
MAX_JSON_LD_CHARS = 200_000
MAX_JSON_NODES = 2_000
TEXT_CHARS = 2_000  # of the article text searched for a stated date
EXCERPT_CHARS = 300
MIN_PARAGRAPH_CHARS = 60

_ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "report",
        "scholarlyarticle",
        "techarticle",
        "socialmediaposting",
        "liveblogposting",
    }
)
_PAGE_TYPES = frozenset({"webpage", "itempage", "collectionpage", "aboutpage", "contactpage"})
_OPENGRAPH_PUBLISHED = ("article:published_time", "og:published_time", "og:article:published_time")
_META_PUBLISHED = (
    "date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "pubdate",
    "publishdate",
    "publish-date",
    "publish_date",
    "date.published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
)
_META_UPDATED = (
    "article:modified_time",
    "og:updated_time",
    "og:article:modified_time",
    "dc.date.modified",
    "dcterms.modified",
    "datemodified",
    "last-modified",
)
_MAIN_SELECTORS = (
    "main article",
    "article",
    "[itemscope][itemtype*=Article]",
    ".news-single",
    "[itemprop=articleBody]",
    ".j-blog-content",
    ".entry-content",
    ".post-content",
    ".article-content",
    "main",
    "[role=main]",
    "#content",
    ".content",
    "#main",
)
_BOILERPLATE = (
    "script, style, noscript, template, svg, iframe, form, nav, aside, dialog, button, select,"
    " body > header, body > footer, #masthead, .site-header, #colophon, .site-footer, #footer,"
    " [id*=cookie i], [class*=cookie i], [id*=consent i], [class*=consent i],"
    " [class*=share i], [class*=related i], [class*=breadcrumb i], .comments, #comments"
)
_KEEP_TAGS = frozenset({"html", "head", "body", "main", "article"})
_BLOCK_TAGS = frozenset(
    {
        "address", "article", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
        "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
        "ol", "p", "pre", "section", "table", "td", "th", "time", "tr", "ul",
    }
)  # fmt: skip
_UNCOUNTED_TAGS = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
        "p",
        "li",
        "dt",
        "dd",
        "tr",
        "td",
        "th",
        "option",
        "param",
        "keygen",
    }
)  # void elements and those the parser closes itself
_SKIP_IMAGE = re.compile(
    r"logo|icon|avatar|gravatar|emoji|smilie|spinner|loader|pixel|spacer|blank|placeholder"
    r"|badge|banner-ad|tracking|counter|\.svg(?:$|\?)",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = (" | ", " – ", " — ", " :: ", " » ", " · ", " - ")
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)")
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.IGNORECASE)
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)
_HTML_HINT = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|meta|title|div|p|article|main|section|h[1-6]|a|span"
    rb"|table|ul|img|!--|link|script|style|header|nav|form|br|center|font|frameset)[\s>/]",
    re.IGNORECASE,
)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_NOT_HTML_TYPES = re.compile(
    r"^(?:image|audio|video|font)/|^application/(?!xhtml|xml|octet-stream)"
)
_DATED_JSON = re.compile(r'"(datePublished|dateModified|headline)"\s*:\s*"([^"\\]{1,300})"')
_TRAILING_COMMA = re.compile(r",\s*([}\]])")
_SPACES = re.compile(r"\s+")
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class ArticleMeta:
    """What an article page says about itself; every field None when the page does not say."""

    title: str | None
    published: datetime | None  # aware when the source gave a zone, else naive local
    updated: datetime | None
    excerpt: str | None  # plain text, ~300 characters, from the article body
    image: str | None  # absolute http(s) URL
    canonical_url: str | None  # <link rel=canonical> / og:url, absolute http(s), same site only
    date_source: str | None  # where `published` came from: "json-ld" | "opengraph" | "meta"
    # | "time" | "text"


def read_article(content: bytes, *, url: str, content_type: str | None = None) -> ArticleMeta:
    """Read an article page. Raises `ParseError("not_html", …)` when the body is no HTML page."""
    text = decode_html(content, url=url, content_type=content_type)
    tree = html_tree(text)
    page = _Page(tree, url)
    ld = _json_ld(tree)
    meta = page.meta
    published, source = _published(ld, meta)
    updated = _first_date(*ld["dateModified"], *(meta.get(key) for key in _META_UPDATED))
    site_name = meta.get("og:site_name")
    title = (
        _clean(meta.get("og:title"))
        or _clean(_text_of(ld.get("headline")))
        or _clean(meta.get("headline"))  # microdata <meta itemprop="headline">
    )
    _strip_boilerplate(tree)
    main = _main_node(tree)
    if published is None or updated is None:
        time_published, time_updated = _time_dates(main)
        if published is None and time_published is not None:
            published, source = time_published, "time"
        updated = updated or time_updated
    body_text = _block_text(main, TEXT_CHARS) if main is not None else ""
    if published is None:
        published = publication_date(body_text)
        source = "text" if published is not None else None
    if updated is None:
        updated = next((d.value for d in dates_in_text(body_text) if d.kind == "updated"), None)
    if title is None:
        heading = tree.css_first("h1") or tree.css_first("[itemprop=headline]")
        title = _clean(heading.text()) if heading is not None else None
    title = _without_site_name(title, site_name) if title else _title_tag(page, site_name)
    return ArticleMeta(
        title=title,
        published=published,
        updated=updated,
        excerpt=_excerpt(meta, main, body_text),
        image=_image(page, ld, main),
        canonical_url=_canonical(page),
        date_source=source,
    )


# --- bytes → text → tree ----------------------------------------------------------------------


def decode_html(content: bytes, *, url: str, content_type: str | None = None) -> str:
    """The first 2 MB of an HTML body as text, in the charset the response or the page names.

    Raises `ParseError("not_html", …)` for an empty body, a feed, JSON, an image or a PDF.
    """
    body = content[:MAX_HTML_BYTES]
    media_type, charset = _split_content_type(content_type)
    charset = _known_charset(charset)
    problem = _not_html(body.lstrip(b"\xef\xbb\xbf \t\r\n"), media_type)
    if problem:
        raise ParseError("not_html", f"{url} is not an HTML page: {problem}")
    if body.startswith(b"\xef\xbb\xbf"):
        return body[3:].decode("utf-8", "replace")
    if charset is None:
        declared = _META_CHARSET.search(body[:4096])
        charset = _known_charset(declared.group(1).decode("ascii") if declared else None)
    if charset in (None, "utf-8", "utf8"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as error:
            if charset is None and error.start < len(body) - 3:
                return body.decode("windows-1252", "replace")  # a browser's default here
            return body.decode("utf-8", "replace")  # only the cut last character is broken
    if charset in ("iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"):
        charset = "windows-1252"  # as browsers read them
    return body.decode(charset, "replace")


def _known_charset(name: str | None) -> str | None:
    """`name` lower-case when Python knows the codec, else None (as if none were declared)."""
    if not name:
        return None
    name = name.strip().lower()
    try:
        codecs.lookup(name)
    except LookupError:
        return None
    return name


def html_tree(text: str) -> LexborHTMLParser:
    """A lexbor tree of the page, nesting cut at `MAX_DEPTH` open elements."""
    return LexborHTMLParser(_shallow(text))


def same_site(url: str, other: str) -> bool:
    """True when both URLs are on one site: the same host, "www." aside, or one's subdomain."""
    host = _host(url)
    other_host = _host(other)
    if not host or not other_host:
        return False
    return host == other_host or host.endswith("." + other_host) or other_host.endswith("." + host)


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    host = host.rstrip(".")
    return host[4:] if host.startswith("www.") else host


def _split_content_type(content_type: str | None) -> tuple[str, str | None]:
    if not content_type:
        return "", None
    media_type, *params = content_type.split(";")
    charset = None
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip("\"'").lower() or None
    return media_type.strip().lower(), charset


def _not_html(body: bytes, media_type: str) -> str | None:
    if not body:
        return "the body is empty"
    if _NOT_HTML_TYPES.match(media_type) and media_type != "application/octet-stream":
        return f"it is {media_type}"
    head = body[:4096]
    if head.startswith(_BINARY_MAGIC) or b"\x00" in head:
        return "it is binary data"
    if head[:1] in (b"{", b"["):
        return "it is JSON"
    if _FEED_ROOT.search(head) and not re.search(rb"<html[\s>]", head, re.IGNORECASE):
        return "it is a feed"
    if not _HTML_HINT.search(head):
        return "no HTML markup at its start"
    return None


def _shallow(text: str) -> str:
    """`text` cut where more than `MAX_DEPTH` elements would be open at once.

    lexbor checks the stack of open elements for every block element it builds, so a page of
    thousands of nested elements takes minutes; no real page nests that deep.
    """
    if text.count("<") <= MAX_DEPTH:
        return text
    depth = 0
    for match in _TAG.finditer(text):
        name = match.group(2).lower()
        if name in _UNCOUNTED_TAGS:
            continue
        if match.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            if depth > MAX_DEPTH:
                return text[: match.start()]
    return text


# --- the page's head: meta, links, JSON-LD ----------------------------------------------------


class _Page:
    """The <meta> values (first of each name wins, keys lower-case), <title>, links and base."""

    def __init__(self, tree: LexborHTMLParser, url: str) -> None:
        self.url = url
        self.meta: dict[str, str] = {}
        for node in tree.css("meta[content]")[:500]:
            attrs = node.attributes
            content = (attrs.get("content") or "").strip()
            key = attrs.get("property") or attrs.get("name") or attrs.get("itemprop")
            if content and key:
                self.meta.setdefault(key.strip().lower(), content)
        title_node = tree.css_first("title")
        self.title_tag = title_node.text() if title_node is not None else None
        canonical = tree.css_first("link[rel~=canonical i][href]")
        self.canonical = canonical.attributes.get("href") if canonical is not None else None
        base = tree.css_first("base[href]")
        base_url = (
            absolute_http_url(base.attributes.get("href"), base=url) if base is not None else None
        )
        self.base = base_url or url


def _json_ld(tree: LexborHTMLParser) -> dict[str, Any]:
    """datePublished, dateModified (each a list of candidates, best first), headline and image
    of the page's article, from JSON-LD.

    Article types come before WebPage, the first node with a value wins; @graph and lists at
    any depth are searched, @id references resolved for the image. Broken JSON is repaired
    where a trailing comma or a comment broke it, else its dates are read with a pattern.
    """
    articles: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []
    ids: dict[str, dict[str, Any]] = {}
    fallback: dict[str, Any] = {}
    for script in tree.css('script[type*="ld+json" i]')[:20]:
        raw = script.text()[:MAX_JSON_LD_CHARS]
        data = _load_json(raw)
        if data is None:
            for key, value in _DATED_JSON.findall(raw):
                fallback.setdefault(key, value)
            continue
        for node in _json_nodes(data):
            node_id = node.get("@id")
            if isinstance(node_id, str):
                ids.setdefault(node_id, node)
            types = node.get("@type")
            names = {
                t.lower()
                for t in (types if isinstance(types, list) else [types])
                if isinstance(t, str)
            }
            if names & _ARTICLE_TYPES:
                articles.append(node)
            elif names & _PAGE_TYPES:
                pages.append(node)
    result: dict[str, Any] = {
        key: [node.get(key) for node in articles + pages] + [fallback.get(key)]
        for key in ("datePublished", "dateModified")
    }
    for key in ("headline", "image"):
        for node in articles + pages:
            value = node.get(key)
            if value:
                result[key] = _resolve(value, ids)
                break
        else:
            if key in fallback:
                result[key] = fallback[key]
    return result


def _load_json(raw: str) -> Any:
    text = raw.strip()
    if text.startswith("<!--"):
        text = text[4:]
    if text.endswith("-->"):
        text = text[:-3]
    text = text.replace("//<![CDATA[", "").replace("//]]>", "").strip()
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return json.loads(candidate, strict=False)
        except (ValueError, RecursionError):
            continue
    return None


def _json_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in `data`, breadth first, at most `MAX_JSON_NODES` looked at."""
    queue = [data]
    seen = 0
    while queue and seen < MAX_JSON_NODES:
        item = queue.pop(0)
        seen += 1
        if isinstance(item, list):
            queue.extend(item[:200])
        elif isinstance(item, dict):
            yield item
            queue.extend(v for v in item.values() if isinstance(v, dict | list))


def _resolve(value: Any, ids: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return ids.get(value["@id"], value)
    return value


def _text_of(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, str) else None


def _image_url(value: Any) -> str | None:
    """The URL in a JSON-LD or schema.org image: a string, an ImageObject, or a list of them."""
    for _ in range(3):
        if isinstance(value, list):
            value = value[0] if value else None
        elif isinstance(value, dict):
            value = value.get("url") or value.get("contentUrl") or value.get("@id")
        else:
            break
    return value if isinstance(value, str) else None


# --- dates --------------------------------------------------------------------------------------


def _published(ld: dict[str, Any], meta: dict[str, str]) -> tuple[datetime | None, str | None]:
    for value, source in (
        (_first_date(*ld["datePublished"]), "json-ld"),
        (_first_date(*(meta.get(key) for key in _OPENGRAPH_PUBLISHED)), "opengraph"),
        (_first_date(*(meta.get(key) for key in _META_PUBLISHED)), "meta"),
    ):
        if value is not None:
            return value, source
    return None, None


def _first_date(*values: Any) -> datetime | None:
    """The first value that reads as a plausible date (not PHP's zero date, not 1970)."""
    for value in values:
        if isinstance(value, list):
            value = value[0] if value else None
        if not isinstance(value, str):
            continue
        parsed = parse_date(value[:100])
        if parsed is not None and parsed.year >= MIN_PUBLICATION_YEAR:
            return parsed
    return None


def _time_dates(main: LexborNode | None) -> tuple[datetime | None, datetime | None]:
    """(published, updated) from the <time> elements of the article.

    Looked for in the main content, else in its parent and grandparent: Jimdo and many themes
    put the date in a header beside the text, not inside it.
    """
    scope = main
    for _ in range(3):
        if scope is None or scope.tag in ("html", "body"):
            break
        found = _time_dates_in(scope)
        if found != (None, None):
            return found
        scope = scope.parent
    return None, None


def _time_dates_in(main: LexborNode) -> tuple[datetime | None, datetime | None]:
    published: datetime | None = None
    preferred: datetime | None = None
    updated: datetime | None = None
    for node in main.css("time, [itemprop=datePublished], [itemprop=dateModified]")[:50]:
        attrs = node.attributes
        value = _first_date(attrs.get("datetime"), attrs.get("content"), node.text()[:100])
        if value is None:
            continue
        marks = " ".join(
            (attrs.get("class") or "", attrs.get("itemprop") or "", _parent_class(node))
        ).lower()
        if "modified" in marks or "updated" in marks:
            updated = updated or value
        elif "published" in marks or "pubdate" in attrs or "entry-date" in marks:
            preferred = preferred or value
        else:
            published = published or value
    return preferred or published, updated


def _parent_class(node: LexborNode) -> str:
    parent = node.parent
    return (parent.attributes.get("class") or "") if parent is not None else ""


# --- main content -------------------------------------------------------------------------------


def _strip_boilerplate(tree: LexborHTMLParser) -> None:
    """Remove scripts, navigation, site header and footer, cookie banners, share buttons."""
    # Document order puts a parent before its children: remove children first, so that no node
    # is touched after its ancestor was freed.
    for node in reversed(tree.css(_BOILERPLATE)):
        if node.tag not in _KEEP_TAGS:
            node.decompose()


def _main_node(tree: LexborHTMLParser) -> LexborNode | None:
    for selector in _MAIN_SELECTORS:
        nodes = tree.css(selector)
        if not nodes:
            continue
        if len(nodes) == 1:
            return nodes[0]
        with_heading = [node for node in nodes[:20] if node.css_first("h1") is not None]
        if with_heading:
            return with_heading[0]
        return max(nodes[:20], key=lambda node: len(node.text()))
    return tree.body


def _block_text(node: LexborNode, limit: int) -> str:
    """The node's text with a line break before each block element, about `limit` characters."""
    parts: list[str] = []
    size = 0
    for child in node.traverse(include_text=True, skip_empty=True):
        tag = child.tag
        if tag == "-text":
            text = child.text_content or ""
            parts.append(text)
            size += len(text)
            if size >= limit:
                break
        elif tag in _BLOCK_TAGS:
            parts.append("\n")
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)[:limit]


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    text = _SPACES.sub(" ", value).strip()
    return text[:500] or None


def _without_site_name(title: str, site_name: str | None) -> str:
    """ "Abriss droht – Stadtforum Leipzig" → "Abriss droht", given the site's name."""
    site = _clean(site_name)
    if site is None:
        return title
    for separator in _TITLE_SEPARATORS:
        if title.endswith(separator + site) and len(title) > len(separator + site):
            return title[: -len(separator + site)].strip()
        if title.startswith(site + separator) and len(title) > len(separator + site):
            return title[len(site + separator) :].strip()
    return title


def _title_tag(page: _Page, site_name: str | None) -> str | None:
    """<title> without the site's name: the one given, else a first or last part that names
    the host ("Brauerei - Stadtforum Leipzig" on stadtforum-leipzig.de)."""
    title = _clean(page.title_tag)
    if title is None or site_name:
        return _without_site_name(title, site_name) if title else None
    host = _host(page.url)
    for separator in (*_TITLE_SEPARATORS, ": "):
        parts = title.split(separator)
        if len(parts) < 2:
            continue
        if _names_host(parts[-1], host):
            return separator.join(parts[:-1]).strip() or title
        if _names_host(parts[0], host):
            return separator.join(parts[1:]).strip() or title
    return title


def _names_host(part: str, host: str) -> bool:
    """True when most longer words of `part` occur in the host name ("Görlitz" as "goerlitz")."""
    words = [
        word.translate(_TRANSLITERATION)
        for word in re.findall(r"[^\W\d_]{4,}", part.lower())
        if word not in ("für", "und", "der", "die", "das")
    ]
    if not words:
        return False
    return sum(word in host for word in words) * 2 >= len(words)


def _excerpt(meta: dict[str, str], main: LexborNode | None, body_text: str) -> str | None:
    for key in ("og:description", "description", "twitter:description"):
        text = _clean(meta.get(key))
        if text:
            return _shorten(text)
    if main is not None:
        for paragraph in main.css("p")[:100]:
            text = _clean(_block_text(paragraph, 2000).replace("\n", " "))
            if text and len(text) >= MIN_PARAGRAPH_CHARS:
                return _shorten(text)
    for line in body_text.split("\n"):
        if len(line) >= 2 * MIN_PARAGRAPH_CHARS:
            return _shorten(line)
    return None


def _shorten(text: str) -> str:
    if len(text) <= EXCERPT_CHARS:
        return text
    cut = text[:EXCERPT_CHARS].rsplit(" ", 1)[0].rstrip(" ,;:–-")
    return cut + " …"


def _image(page: _Page, ld: dict[str, Any], main: LexborNode | None) -> str | None:
    for key in ("og:image:secure_url", "og:image", "og:image:url", "twitter:image"):
        url = _image_candidate(page.meta.get(key), page.base)
        if url:
            return url
    url = _image_candidate(_image_url(ld.get("image")), page.base)
    if url or main is None:
        return url
    for img in main.css("img")[:50]:
        attrs = img.attributes
        if _is_decoration(attrs):
            continue
        for key in ("data-src", "data-lazy-src", "data-original", "src"):
            url = _image_candidate(attrs.get(key), page.base)
            if url:
                return url
    return None


def _image_candidate(value: str | None, base: str) -> str | None:
    if not value or _SKIP_IMAGE.search(value):
        return None
    return absolute_http_url(value, base=base)


def _is_decoration(attrs: dict[str, str | None]) -> bool:
    for key in ("width", "height"):
        size = (attrs.get(key) or "").strip().removesuffix("px")
        if size.isdigit() and int(size) < 50:
            return True
    marks = " ".join((attrs.get("class") or "", attrs.get("id") or "", attrs.get("alt") or ""))
    return bool(_SKIP_IMAGE.search(marks)) or attrs.get("aria-hidden") == "true"


def _canonical(page: _Page) -> str | None:
    for value in (page.canonical, page.meta.get("og:url")):
        url = absolute_http_url(value, base=page.base)
        if url and same_site(url, page.url):
            return url
    return None
