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

Hostile pages are read defensively: only the first 2 MB, through `parse.html` (charset, "is it
HTML", nesting cut where parsing would get slow), broken JSON-LD skipped, javascript: and data:
URLs dropped. An empty body raises `ParseError("empty_page", …)`, one that is not HTML
`ParseError("not_html", …)`; nothing else raises.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.parse.dates import parse_date
from aggregator.parse.html import base_url, decode_html, html_tree, same_site, site_host
from aggregator.parse.pagedates import MIN_PUBLICATION_YEAR, dates_in_text, publication_date
from aggregator.urls import absolute_http_url

# decode_html, html_tree and same_site live in `parse.html`; still importable from here.
__all__ = ["ArticleMeta", "decode_html", "html_tree", "read_article", "same_site"]

MAX_HTML_BYTES = 2_000_000  # the rest of a bigger page is not read
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
_SKIP_IMAGE = re.compile(
    r"logo|icon|avatar|gravatar|emoji|smilie|spinner|loader|pixel|spacer|blank|placeholder"
    r"|badge|banner-ad|tracking|counter|\.svg(?:$|\?)",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = (" | ", " – ", " — ", " :: ", " » ", " · ", " - ")
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
    """Read an article page. Raises `ParseError` "empty_page" or "not_html" when the body is
    no HTML page."""
    text = decode_html(content, url=url, content_type=content_type, max_bytes=MAX_HTML_BYTES)
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
        self.base = base_url(tree, url)


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
    host = site_host(page.url)
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
