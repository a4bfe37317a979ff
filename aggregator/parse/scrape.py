"""A member's news (list) page → the news items on it, for sources without a feed (issue 11).

Pure: the fetched bytes, the page's final URL and the source's `ScrapeRules` in, a `ListPage`
out; nothing is fetched. HTML is read with selectolax's lexbor parser (C, CSS selectors): list
pages at several hundred per second, where beautifulsoup4's html.parser manages a few dozen.

With `rules.item` the configured CSS selectors find the item blocks ("selectors"). Without, the
readers below are tried in order and the first that finds items names the `pattern`:

    wordpress     `article` / `.post` / `.hentry` with a heading link and `<time>` / `.entry-date`
    typo3         tx_news: `.news-list-view .article`, `.news-list-item`
    jimdo         `.j-blogarticle` / `.j-blog-meta` headers with `.datetime`
    dated-blocks  hand-made "24.11.2025 | TITEL" lines, then one or two paragraphs
    plus-blocks   "21. DEZEMBER 2015 // Titel" blocks separated by "+++" lines
    dokuwiki      a chronicle: headings, table rows or list items that start with a date

An item's guid is its article URL without fragment. An item without a link of its own (hand-made
pages) links to the configured news page (`rules.url`, stable across redirects and pagination)
and its guid is that URL + "#" + the block's element id, or a short hash of date text and title.

Nothing found raises `ParseError`: "no_items" (a layout change must not look like a quiet
success), "login_wall", "empty_page", "not_html", "too_complex" (a page nested so deeply that
parsing it would take minutes) or "bad_selector".
"""

from __future__ import annotations

import codecs
import hashlib
import html
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from aggregator.errors import ParseError
from aggregator.model import Entry, ScrapeRules
from aggregator.parse.dates import parse_date
from aggregator.urls import absolute_http_url

__all__ = ["PATTERNS", "ListPage", "find_date", "read_list_page"]

PATTERNS = ("selectors", "wordpress", "typo3", "jimdo", "dated-blocks", "plus-blocks", "dokuwiki")

MAX_BLOCKS = 500  # item blocks considered per page
MAX_TITLE_CHARS = 500
MAX_EXCERPT_CHARS = 1_000
MAX_WALKED_NODES = 30_000  # nodes the text readers visit per page
# Parsing cost grows with (tags × nesting depth): lexbor checks the stack of open elements for
# most block tags, so "<span>"*20000 + "<div></div>"*20000 takes over a second and a 10 MB page
# of that hours. Real pages stay far below this product.
MAX_PARSE_WORK = 200_000_000

_LINE_BREAK = "\u2028"  # what <br> becomes before text is read; str.split() treats it as space


@dataclass(frozen=True, slots=True)
class ListPage:
    """What one list page yields: its items in page order, where the older items are, and how."""

    entries: tuple[Entry, ...]
    next_url: str | None  # the next (older) list page, absolute http(s), or None
    pattern: str  # one of PATTERNS: which reader found the items
    title: str | None  # the page's <title> (or site name), cleaned


def read_list_page(
    content: bytes, *, url: str, rules: ScrapeRules, content_type: str | None = None
) -> ListPage:
    """Read the news items of a fetched list page.

    `url` is the page's final URL (relative links resolve against it, or its http(s)
    `<base href>`); `content_type` the response header, whose charset wins over `<meta charset>`.
    Raises `ParseError` when the page holds no items (see the module docstring for reasons).
    """
    body = _checked_body(content, url=url, content_type=content_type)
    tree = LexborHTMLParser(_decode(body, content_type))
    for br in tree.css("br"):
        br.replace_with(_LINE_BREAK)
    page = _Page(
        tree=tree,
        url=url,
        base=_base_url(tree, url),
        item_base=urldefrag(rules.url)[0] or urldefrag(url)[0],
        date_format=rules.date_format,
    )
    title = _page_title(tree)
    has_password = tree.css_first('input[type="password"]') is not None
    next_candidates = _next_candidates(tree, page.base)
    if rules.item:
        _strip(tree, _ALWAYS_NOISE_SELECTORS_MODE)
        pattern, entries = "selectors", _read_blocks(page, _recipe_from_rules(rules, url))
    else:
        _strip_noise(tree)
        pattern, entries = _detect(page)
    if not entries:
        if has_password:
            raise ParseError("login_wall", f"{url} asks for a password: no news items readable")
        how = "with the configured selectors" if rules.item else "in any known list layout"
        raise ParseError("no_items", f"no news items found on {url} ({how})")
    links = {entry.link for entry in entries}
    return ListPage(
        entries=tuple(entries),
        next_url=_next_url(next_candidates, page_url=url, exclude=links),
        pattern=pattern,
        title=title,
    )


@dataclass(slots=True)
class _Page:
    tree: LexborHTMLParser
    url: str
    base: str
    item_base: str  # where items without a link of their own point to
    date_format: str | None
    seen: set[str] = field(default_factory=set)  # guids and links taken so far

    @property
    def root(self) -> LexborNode:
        return self.tree.body or self.tree.root  # type: ignore[return-value]


# --- the body: present, HTML, decodable, parseable in bounded time -----------------------------

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
_HTML_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "application/octet-stream")
_HTML_START = re.compile(
    rb"<(?:!doctype\s+html|html|head|body|div|p|table|h[1-6]|title)[\s>]", re.I
)
_FEED_START = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.I)
_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"\x1f\x8b")
_META_CHARSET = re.compile(rb"<meta[^>]{0,200}?charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]")
_TAG = re.compile(rb"<(/?)([A-Za-z][A-Za-z0-9]{0,15})")
# Closed by their next sibling or never opened as containers: they do not deepen the tree.
_NOT_NESTING = frozenset(
    b"p li dt dd tr td th tbody thead tfoot option optgroup colgroup caption rb rt rp html head "
    b"body br img meta link input hr area base col embed param source track wbr".split()
)


def _checked_body(content: bytes, *, url: str, content_type: str | None) -> bytes:
    body = content.strip()
    if not body:
        raise ParseError("empty_page", f"the page {url} is empty")
    head = body[:2048]
    media_type = (content_type or "").split(";")[0].strip().lower()
    kind = _non_html_kind(head, media_type)
    if kind is not None:
        shown = media_type or "none given"
        raise ParseError("not_html", f"{url} is not an HTML page ({kind}; content type {shown})")
    _check_parse_work(body, url)
    return body


def _non_html_kind(head: bytes, media_type: str) -> str | None:
    """What the body is when it is not HTML (a feed, JSON, binary), else None."""
    text_head = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if b"\x00" in head[:1024] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary data"
    if text_head.startswith(_BINARY_MAGIC):
        return "binary data"
    if text_head[:1] in (b"{", b"["):
        return "JSON"
    if _FEED_START.search(head) or (
        text_head.startswith(b"<?xml") and not _HTML_START.search(head)
    ):
        return "a feed or other XML"
    if media_type and media_type not in _HTML_TYPES and _HTML_START.search(head) is None:
        return "not HTML"
    return None


def _check_parse_work(body: bytes, url: str) -> None:
    """Refuse pages whose nesting would make parsing take minutes (see MAX_PARSE_WORK)."""
    tags = body.count(b"<")
    if tags * tags <= MAX_PARSE_WORK:
        return  # the depth cannot exceed the number of tags
    depth = deepest = 0
    for closing, name in _TAG.findall(body):
        if name.lower() in _NOT_NESTING:
            continue
        if closing:
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            deepest = max(deepest, depth)
    if deepest * tags > MAX_PARSE_WORK:
        raise ParseError(
            "too_complex", f"the page {url} is nested too deeply to read ({deepest} levels)"
        )


def _decode(body: bytes, content_type: str | None) -> str:
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace")
    declared = _charset_from_header(content_type)
    if declared is None:
        match = _META_CHARSET.search(body[:4096])
        declared = _known_encoding(match.group(1).decode("ascii")) if match else None
    if declared is not None and declared != "utf-8":
        return body.decode(declared, errors="replace")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        # Old hand-made pages often say (or mean) UTF-8 but are windows-1252: without a single
        # valid multi-byte sequence, windows-1252 is what the bytes are.
        if _UTF8_MULTIBYTE.search(body) is None:
            return body.decode("windows-1252", errors="replace")
        return body.decode("utf-8", errors="replace")


def _charset_from_header(content_type: str | None) -> str | None:
    for parameter in (content_type or "").split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            return _known_encoding(value.strip().strip("\"'"))
    return None


def _known_encoding(label: str) -> str | None:
    """Python's codec for a charset label; latin-1 and ASCII read as windows-1252 (WHATWG)."""
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in ("latin-1", "iso8859-1", "ascii", "cp1252"):
        return "windows-1252"
    return "utf-8" if name == "utf-8" else name


# --- the page around the items ------------------------------------------------------------------


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    node = tree.css_first("base[href]")
    if node is not None:
        base = absolute_http_url(node.attributes.get("href"), base=url)
        if base is not None:
            return base
    return url


def _page_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    text = _clean(node.text()) if node is not None else ""
    if not text:
        meta = tree.css_first('meta[property="og:site_name"]')
        text = _clean(meta.attributes.get("content") or "") if meta is not None else ""
    return text[:MAX_TITLE_CHARS] or None


_ALWAYS_NOISE_SELECTORS_MODE = "script, style, noscript, template, svg"
_NOISE = (
    "script, style, noscript, template, svg, iframe, object, nav, aside, "
    "[role=navigation], [role=complementary], [role=search], .screen-reader-text, .skip-link, "
    ".widget, .widget-area, #sidebar, .sidebar, #secondary, .menu, .breadcrumb, .breadcrumbs, "
    "#cookie-notice, #cookie-law-info-bar, .cookie-notice, .cookie-banner, .cookie-consent, "
    "#cookie-banner, #CybotCookiebotDialog, .cc-window, #BorlabsCookieBox, .cmplz-cookiebanner, "
    ".page-navigation, .pagination, .navigation, .j-nav, #dokuwiki__aside, #dokuwiki__header, "
    "#dokuwiki__footer, #dokuwiki__pagetools, #dw__toc, .toc, .docInfo"
)
# Page chrome, unless it sits inside an item (WordPress entry headers, TYPO3 `.article .footer`).
_CHROME = (
    "header, footer, #header, #footer, .site-header, .site-footer, #masthead, #colophon, "
    "[role=banner], [role=contentinfo], .footer, .header"
)
_ITEM_CONTAINERS = ("article", "post", "hentry", "news-list-item", "j-blogarticle")
_KEPT_TAGS = frozenset({"html", "body", "main"})


def _strip(tree: LexborHTMLParser, selector: str) -> None:
    for node in reversed(tree.css(selector)):  # children before parents: no freed node reused
        if node.tag not in _KEPT_TAGS:
            node.decompose()


def _strip_noise(tree: LexborHTMLParser) -> None:
    _strip(tree, _NOISE)
    for node in reversed(tree.css(_CHROME)):
        if node.tag not in _KEPT_TAGS and not _inside_item(node):
            node.decompose()


def _inside_item(node: LexborNode) -> bool:
    parent = node.parent
    while parent is not None and parent.tag not in ("body", "html"):
        if parent.tag == "article":
            return True
        classes = (parent.attributes.get("class") or "").split()
        if any(name in _ITEM_CONTAINERS for name in classes):
            return True
        parent = parent.parent
    return False


# --- pagination ---------------------------------------------------------------------------------

_NEXT_SELECTORS = (
    'link[rel~="next"]',
    'a[rel~="next"]',
    ".nav-previous a",
    "a.next.page-numbers",
    ".page-navigation .next a",
    "li.next a",
    ".pagination .next a",
)
_NEXT_WORDS = frozenset(
    {
        "ältere beiträge",
        "ältere einträge",
        "ältere artikel",
        "ältere nachrichten",
        "nächste seite",
        "nächste",
        "weiter",
        "next",
        "older posts",
        "»",
        "»»",
    }
)
_ARROWS = " «»‹›←→<>-–|"
# Anchors whose text may be a pager label, found in C (lexbor's "i" folds ASCII only: "ltere"
# finds "Ältere" and "ältere"); only these are then compared with _NEXT_WORDS.
_NEXT_TEXT_PREFILTER = ", ".join(
    f'a[href]:lexbor-contains("{part}" i)'
    for part in ("ltere", "chste", "eiter", "next", "older", "»")
)


def _next_candidates(tree: LexborHTMLParser, base: str) -> list[str]:
    """Links to the next (older) page, best first, read before page chrome is stripped."""
    found: list[str] = []
    for selector in _NEXT_SELECTORS:
        for node in tree.css(selector):
            found.append(node.attributes.get("href") or "")
    for node in tree.css(_NEXT_TEXT_PREFILTER):
        text = node.text()
        if len(text) <= 60 and _is_next_label(text):
            found.append(node.attributes.get("href") or "")
    resolved = (absolute_http_url(href, base=base) for href in found if href)
    return [urldefrag(link)[0] for link in resolved if link is not None]


def _is_next_label(text: str) -> bool:
    label = _clean(text).lower()
    return label in _NEXT_WORDS or label.strip(_ARROWS) in _NEXT_WORDS


def _next_url(candidates: Iterable[str], *, page_url: str, exclude: set[str | None]) -> str | None:
    page = urldefrag(page_url)[0]
    host = _host(page)
    for link in candidates:
        if link != page and link not in exclude and _host(link) == host:
            return link
    return None


def _host(url: str) -> str | None:
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


# --- auto-detection -----------------------------------------------------------------------------


def _detect(page: _Page) -> tuple[str, list[Entry]]:
    readers: tuple[tuple[str, Callable[[_Page], list[Entry]]], ...] = (
        ("wordpress", lambda p: _read_blocks(p, _WORDPRESS)),
        ("typo3", lambda p: _read_blocks(p, _TYPO3)),
        ("jimdo", _read_jimdo),
        (
            "dated-blocks",
            lambda p: _read_text_blocks(p, _DATED_HEADER, _DATED_PROBE, max_paragraphs=2),
        ),
        (
            "plus-blocks",
            lambda p: _read_text_blocks(p, _PLUS_HEADER, _PLUS_PROBE, max_paragraphs=None),
        ),
        ("dokuwiki", _read_dokuwiki),
    )
    for pattern, reader in readers:
        page.seen.clear()
        entries = reader(page)
        if entries:
            return pattern, entries
    return "", []


# --- block readers: one CSS selector per item block ---------------------------------------------


@dataclass(frozen=True, slots=True)
class _Recipe:
    """Where an item's parts sit, as CSS selectors; `title`… are relative to one block."""

    blocks: str
    title: tuple[str, ...]  # each tried in turn: the first selector that matches wins
    link: tuple[str, ...]
    date: tuple[str, ...] | None  # None: the first <time datetime>, else date-looking text
    excerpt: tuple[str, ...]
    image: tuple[str, ...]
    accept: Callable[[LexborNode], bool] | None = None
    date_format: str | None = None
    header_only: bool = False  # blocks are headers; the excerpt is in the next sibling


_HEADINGS = ("h1, h2, h3, h4, h5, h6",)


def _wordpress_block(block: LexborNode) -> bool:
    classes = (block.attributes.get("class") or "").split()
    if "j-blog-content" in classes or _has_ancestor_class(block, ("news-list-view",)):
        return False
    if block.css_first(".entry-title, time[datetime], .entry-date, .posted-on") is not None:
        return True
    return any(name in ("hentry", "type-post", "post") for name in classes)


_WORDPRESS = _Recipe(
    blocks="article, .post, .hentry, .type-post",
    title=(".entry-title", "h2, h1, h3"),
    link=(".entry-title a[href]", "h2 a[href], h1 a[href], h3 a[href]", "a[rel=bookmark]"),
    date=(
        "time.published[datetime]",
        "time[datetime]",
        ".entry-date",
        ".posted-on",
        ".post-date",
    ),
    excerpt=(".entry-summary p", ".entry-content p", ".entry-summary, .entry-content", "p"),
    image=(".post-thumbnail img", "img.wp-post-image", "img"),
    accept=_wordpress_block,
)
_TYPO3 = _Recipe(
    blocks=".news-list-view .article, .news-list-item, .news-list-view article",
    title=("[itemprop=headline]", "h3, h2, h4", ".header"),
    link=("h3 a[href], h2 a[href], h4 a[href]", ".header a[href]", "a.more[href]", "a[href]"),
    date=("time[datetime]", ".news-list-date"),
    excerpt=(".teaser-text [itemprop=description]", ".teaser-text p", ".teaser-text", "p"),
    image=(".news-img-wrap img", "img"),
)
_JIMDO_DATE = ("time[datetime]", ".datetime", ".j-blog-post--date")
_JIMDO = _Recipe(
    blocks=".j-blogarticle",
    title=(".j-blog-headline, .j-blog-post--headline", "h2, h1"),
    link=(".j-blog-headline a[href], .j-blog-post--headline a[href]", "h2 a[href], h1 a[href]"),
    date=_JIMDO_DATE,
    excerpt=(".j-blog-content p, .post p", ".j-text p", ".j-blog-content, .post"),
    image=(".j-blog-content img, .post img", "img"),
)
_JIMDO_HEADERS = _Recipe(
    blocks=".j-blog-meta",
    title=_JIMDO.title,
    link=_JIMDO.link,
    date=_JIMDO_DATE,
    excerpt=("p", ".j-text"),
    image=("img",),
    header_only=True,
)


def _read_jimdo(page: _Page) -> list[Entry]:
    """Jimdo blog overviews: `.j-blogarticle` blocks, or bare `.j-blog-meta` headers (older)."""
    return _read_blocks(page, _JIMDO) or _read_blocks(page, _JIMDO_HEADERS)


def _recipe_from_rules(rules: ScrapeRules, url: str) -> _Recipe:
    recipe = _Recipe(
        blocks=rules.item or "",
        title=(rules.title,) if rules.title else _HEADINGS,
        link=(rules.link or "a[href]",),
        date=(rules.date,) if rules.date else None,
        excerpt=(rules.excerpt or "p",),
        image=(rules.image or "img",),
        date_format=rules.date_format,
    )
    probe = LexborHTMLParser("<p></p>")
    for name in ("item", "title", "link", "date", "excerpt", "image"):
        selector = getattr(rules, name)
        if not selector:
            continue
        try:
            probe.css(selector)
        except SelectolaxError:
            raise ParseError(
                "bad_selector", f"the {name} selector {selector!r} for {url} is not valid CSS"
            ) from None
    return recipe


def _read_blocks(page: _Page, recipe: _Recipe) -> list[Entry]:
    entries: list[Entry] = []
    for block in _outermost(page.root.css(recipe.blocks))[:MAX_BLOCKS]:
        if recipe.accept is not None and not recipe.accept(block):
            continue
        entry = _block_entry(page, block, recipe)
        if entry is not None:
            entries.append(entry)
    return entries


def _block_entry(page: _Page, block: LexborNode, recipe: _Recipe) -> Entry | None:
    title_node = _first(block, recipe.title)
    anchor = _anchor(block, title_node, recipe.link)
    title = _clean(title_node.text()) if title_node is not None else ""
    if not title and anchor is not None:
        title = _clean(anchor.text())
    if not title:
        return None
    href = anchor.attributes.get("href") if anchor is not None else None
    date_text, published = _block_date(block, recipe.date, recipe.date_format or page.date_format)
    excerpt_root = block
    if recipe.header_only:
        excerpt_root = _next_element(block) or block
    excerpt = _excerpt(excerpt_root, recipe.excerpt, title=title, date_text=date_text)
    image = _image(excerpt_root if recipe.header_only else block, recipe.image)
    return _entry(
        page,
        title=title,
        href=href,
        published=published,
        date_text=date_text,
        excerpt=excerpt,
        image=image,
        element_id=block.attributes.get("id"),
    )


def _anchor(
    block: LexborNode, title_node: LexborNode | None, selectors: tuple[str, ...]
) -> LexborNode | None:
    """The item's own link: in its title first, then where the recipe says."""
    if block.tag == "a" and block.attributes.get("href"):
        return block
    if title_node is not None:
        if title_node.tag == "a" and title_node.attributes.get("href"):
            return title_node
        inner = title_node.css_first("a[href]")
        if inner is not None:
            return inner
        parent = title_node.parent  # <a href><h2>Titel</h2></a>
        if parent is not None and parent.tag == "a" and parent.attributes.get("href"):
            return parent
    node = _first(block, selectors)
    if node is not None and node.tag != "a":
        node = node.css_first("a[href]")
    return node


def _first(block: LexborNode, selectors: tuple[str, ...]) -> LexborNode | None:
    for selector in selectors:
        node = block.css_first(selector)
        if node is not None:
            return node
    return None


def _block_date(
    block: LexborNode, selectors: tuple[str, ...] | None, date_format: str | None
) -> tuple[str, datetime | None]:
    """The date shown in a block: (its text, the value), or ("", None)."""
    node = _first(block, selectors) if selectors else block.css_first("time[datetime]")
    if node is None:
        if selectors is not None:
            return "", None
        text = _clean(block.text(separator=" "))
        return text, find_date(text)
    machine = node.attributes.get("datetime")
    text = _date_node_text(node)
    if machine:
        published = _iso_date(machine)
        if published is not None:
            return text or machine, published
    if date_format:
        try:
            return text, datetime.strptime(text, date_format)
        except ValueError:
            pass
    return text, find_date(text)


def _date_node_text(node: LexborNode) -> str:
    """A date element's text; Jimdo splits it into `.day`, `.mon`, `.yr`."""
    day, month, year = (node.css_first(f".{part}") for part in ("day", "mon", "yr"))
    if day is not None and month is not None and year is not None:
        d, m, y = (_clean(part.text()).rstrip(".") for part in (day, month, year))
        return f"{d}.{m}.{y}" if m.isdigit() else f"{d}. {m} {y}"
    return _clean(node.text(separator=" "))


def _excerpt(
    block: LexborNode, selectors: tuple[str, ...], *, title: str, date_text: str
) -> str | None:
    for selector in selectors:
        for node in block.css(selector):
            text = _clean(node.text())
            if not text or text in (title, date_text) or _DATE_ONLY.fullmatch(text):
                continue
            return _without_more_link(node, text)
    return None


def _without_more_link(node: LexborNode, text: str) -> str:
    """The text without a trailing "Weiterlesen"/"mehr" link."""
    for anchor in node.css("a"):
        label = _clean(anchor.text())
        if label and _MORE_LINK.fullmatch(label) and text.endswith(label):
            text = text[: -len(label)].rstrip(" \u2026.:[]»→")
            if text.endswith(("[…", "…")):
                text = text.rstrip("[…").rstrip() + " …"
    return text


def _image(block: LexborNode, selectors: tuple[str, ...]) -> str | None:
    node = _first(block, selectors)
    if node is None:
        return None
    if node.tag != "img":
        node = node.css_first("img")
        if node is None:
            return None
    attributes = node.attributes
    return attributes.get("data-src") or attributes.get("data-lazy-src") or attributes.get("src")


def _outermost(nodes: list[LexborNode]) -> list[LexborNode]:
    """The nodes that are not inside another of them (an `article.post.hentry` counts once)."""
    ids = {node.mem_id for node in nodes}
    kept = []
    taken: set[int] = set()
    for node in nodes:
        if node.mem_id in taken:
            continue
        taken.add(node.mem_id)
        parent = node.parent
        while parent is not None and parent.mem_id not in ids:
            parent = parent.parent
        if parent is None:
            kept.append(node)
    return kept


def _has_ancestor_class(node: LexborNode, names: tuple[str, ...]) -> bool:
    parent = node.parent
    while parent is not None:
        classes = (parent.attributes.get("class") or "").split()
        if any(name in classes for name in names):
            return True
        parent = parent.parent
    return False


def _next_element(node: LexborNode) -> LexborNode | None:
    sibling = node.next
    while sibling is not None and sibling.tag in ("-text", "-comment", "_comment"):
        sibling = sibling.next
    return sibling


# --- text readers: dated lines in running text ---------------------------------------------------

_DATE_PATTERN = (
    r"(?:\d{1,2}\.\s?\d{1,2}\.\s?\d{4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}\.?\s*[^\W\d_]{3,12}\.?,?\s+\d{4})"
)
_DATED_HEADER = re.compile(rf"^\W{{0,3}}?(?P<date>{_DATE_PATTERN})\s*[|｜]\s*(?P<title>\S.*)$")
_PLUS_HEADER = re.compile(rf"^[+\s]*(?P<date>{_DATE_PATTERN})\s*//\s*(?P<title>\S.*?)[+\s]*$")
_DATED_PROBE = re.compile(rf"{_DATE_PATTERN}\s*[|｜]")
_PLUS_PROBE = re.compile(rf"{_DATE_PATTERN}\s*//")
_HEADERISH = re.compile(rf"^\W{{0,3}}{_DATE_PATTERN}\s*(?:[|｜]|//)\s*\S")
_SEPARATOR = re.compile(r"^[+*\-_=~#\s]{3,}$")
_MORE_LINK = re.compile(
    r"[\[(]?\s*(?:(?:mehr|weiter)\s*(?:lesen|erfahren|dazu|info(?:s|rmationen)?)?|weiterlesen"
    r"|zum\s+(?:artikel|beitrag)|read\s+more|»|→|>>)\s*[»→›>.…\])]*",
    re.IGNORECASE,
)
_BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "table", "tr", "td", "th", "section", "article", "header", "footer", "blockquote", "pre",
        "address", "center", "main", "figure", "figcaption", "form", "fieldset", "tbody", "thead",
    }
)  # fmt: skip
_SOFT_ENDS = frozenset({"b", "strong"})  # a bold lead-in ends its line: "DATUM | TITEL" Text…


@dataclass(slots=True)
class _Line:
    parts: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, anchor text)
    images: list[str] = field(default_factory=list)
    element_id: str | None = None
    new_paragraph: bool = True  # False: continues the paragraph of the line before (<br>, <b>)
    separator: bool = False  # an <hr>

    @property
    def text(self) -> str:
        return _clean("".join(self.parts))


def _read_text_blocks(
    page: _Page, header: re.Pattern[str], probe: re.Pattern[str], *, max_paragraphs: int | None
) -> list[Entry]:
    """Items that start with a dated header line ("24.11.2025 | TITEL") in running text."""
    if probe.search(page.root.text()) is None:  # cheap test on the whole text first
        return []
    entries: list[Entry] = []
    current: dict[str, Any] | None = None
    for line in _lines(_narrowest_holder(page.root, probe)):
        text = line.text
        match = header.match(text) if text else None
        if match is not None:
            _flush(page, current, entries)
            current = {
                "title": match.group("title"),
                "date": match.group("date"),
                "href": line.links[0][0] if line.links else None,
                "more": None,
                "excerpt": [],
                "paragraphs": 0,
                "images": list(line.images),
                "id": line.element_id,
            }
        elif current is not None:
            if line.separator or _SEPARATOR.match(text):
                _flush(page, current, entries)
                current = None
                continue
            if not text or _is_next_label(text):
                continue
            if line.new_paragraph:
                current["paragraphs"] += 1
            if max_paragraphs is not None and current["paragraphs"] > max_paragraphs:
                continue
            current["excerpt"].append(_without_more_text(text, line.links))
            current["images"].extend(line.images)
            for href, label in line.links:
                if current["more"] is None and _MORE_LINK.fullmatch(label):
                    current["more"] = href
        if len(entries) >= MAX_BLOCKS:
            break
    _flush(page, current, entries)
    return entries


def _narrowest_holder(root: LexborNode, probe: re.Pattern[str]) -> LexborNode:
    """The deepest element holding every dated header: the text column, not the whole page.

    Walking only it keeps the (Python-level) line walk small on large pages.
    """
    wanted = len(probe.findall(root.text()))
    node = root
    while True:
        for child in node.iter():
            text = child.text()
            if len(probe.findall(text)) == wanted:
                if _HEADERISH.match(_clean(text)):
                    return node  # the child starts with a header: its excerpt may follow it
                node = child
                break
        else:
            return node


def _without_more_text(text: str, links: list[tuple[str, str]]) -> str:
    for _, label in links:
        if label and _MORE_LINK.fullmatch(label) and text.endswith(label):
            text = text[: -len(label)].rstrip()
    return text


def _flush(page: _Page, item: dict[str, Any] | None, entries: list[Entry]) -> None:
    if item is None:
        return
    date_text = item["date"]
    entry = _entry(
        page,
        title=item["title"],
        href=item["href"] or item["more"],
        published=find_date(date_text),
        date_text=date_text,
        excerpt=" ".join(part for part in item["excerpt"] if part) or None,
        image=item["images"][0] if item["images"] else None,
        element_id=item["id"],
    )
    if entry is not None:
        entries.append(entry)


def _lines(root: LexborNode) -> Iterator[_Line]:
    """The text of `root` as lines: block elements, <br> and bold lead-ins end a line."""
    line = _Line()
    stack: list[tuple[LexborNode, bool]] = [(root, False)]
    visited = 0
    while stack and visited < MAX_WALKED_NODES:
        node, leaving = stack.pop()
        tag = node.tag
        if leaving:
            if tag in _BLOCK_TAGS or (tag in _SOFT_ENDS and _HEADERISH.match(line.text)):
                if line.parts or line.separator:
                    yield line
                line = _Line(new_paragraph=tag in _BLOCK_TAGS)
            continue
        visited += 1
        if tag == "-text":
            text = node.text_content or ""
            pieces = text.split(_LINE_BREAK)
            for index, piece in enumerate(pieces):
                if index and line.parts:
                    yield line
                    line = _Line(new_paragraph=False)
                line.parts.append(piece)
            continue
        if tag is None or tag.startswith(("-", "_")) or tag in ("script", "style", "template"):
            continue
        if tag in _BLOCK_TAGS and line.parts and "".join(line.parts).strip():
            yield line
            line = _Line()
        if tag == "hr":
            if line.parts:
                yield line
            yield _Line(separator=True)
            line = _Line()
            continue
        element_id = node.attributes.get("id") or node.attributes.get("name")
        if element_id and line.element_id is None and not "".join(line.parts).strip():
            line.element_id = element_id
        if tag == "a" and node.attributes.get("href"):
            line.links.append((node.attributes.get("href") or "", _clean(node.text())))
        elif tag == "img":
            src = node.attributes.get("data-src") or node.attributes.get("src")
            if src:
                line.images.append(src)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(list(node.iter(include_text=True))))
    if line.parts:
        yield line


# --- DokuWiki chronicles -------------------------------------------------------------------------

_LEADING_DATE = re.compile(rf"^\W{{0,3}}(?P<date>{_DATE_PATTERN})\s*[:|–\-/,]?\s*(?P<rest>.*)$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"])")


def _read_dokuwiki(page: _Page) -> list[Entry]:
    tree = page.tree
    is_wiki = tree.css_first("div.dokuwiki, #dokuwiki__content") is not None
    if not is_wiki:
        generator = tree.css_first('meta[name="generator"]')
        content = generator.attributes.get("content") if generator is not None else None
        is_wiki = bool(content) and "dokuwiki" in (content or "").lower()
    if not is_wiki:
        return []
    root = tree.css_first("div.page") or tree.css_first("#dokuwiki__content") or page.root
    entries: list[Entry] = []
    for node in root.css("h2, h3, h4, h5, tr, li")[: MAX_BLOCKS * 4]:
        entry = _wiki_row(page, node) if node.tag == "tr" else _wiki_line(page, node)
        if entry is not None:
            entries.append(entry)
            if len(entries) >= MAX_BLOCKS:
                break
    return entries


def _wiki_row(page: _Page, row: LexborNode) -> Entry | None:
    cells = [cell for cell in row.iter() if cell.tag in ("td", "th")]
    if not cells:
        return None
    first = _clean(cells[0].text())
    match = _LEADING_DATE.match(first)
    if match is None:
        return None
    texts = [_without_trailing_source(cell) for cell in cells[1:]]
    texts = [text for text in texts if text]
    if match.group("rest"):
        texts.insert(0, match.group("rest"))
    if not texts:
        return None
    title, summary = _title_and_summary(texts)
    return _entry(
        page,
        title=title,
        href=_wiki_link(row),
        published=find_date(match.group("date")),
        date_text=match.group("date"),
        excerpt=summary,
        image=_image(row, ("img",)),
        element_id=row.attributes.get("id"),
    )


def _wiki_line(page: _Page, node: LexborNode) -> Entry | None:
    match = _LEADING_DATE.match(_clean(node.text()))
    if match is None or not match.group("rest"):
        return None
    summary = None
    section = _next_element(node) if (node.tag or "").startswith("h") else None
    if section is not None:
        first = section.css_first("p")
        summary = _clean(first.text()) if first is not None else None
    title, more = _title_and_summary([match.group("rest")])
    return _entry(
        page,
        title=title,
        href=_wiki_link(node),
        published=find_date(match.group("date")),
        date_text=match.group("date"),
        excerpt=summary or more,
        image=None,
        element_id=node.attributes.get("id"),
    )


def _without_trailing_source(cell: LexborNode) -> str:
    """A cell's text without a closing external link label ("… vertagt TA-Artikel")."""
    text = _clean(cell.text())
    links = cell.css("a.urlextern")
    if links:
        label = _clean(links[-1].text())
        if label and text.endswith(label) and len(text) > len(label):
            return text[: -len(label)].rstrip(" -–:,(")
    return text


def _title_and_summary(texts: list[str]) -> tuple[str, str | None]:
    """A chronicle row's title: its first cell, or the first sentence of a long one."""
    title = texts[0]
    rest = " ".join(texts[1:]) or None
    if len(title) > 160:
        head = _SENTENCE_END.split(title, maxsplit=1)[0]
        if 10 <= len(head) < len(title):
            return head, " ".join(texts)
    return title, rest


def _wiki_link(node: LexborNode) -> str | None:
    for anchor in node.css("a[href]"):
        classes = (anchor.attributes.get("class") or "").split()
        href = anchor.attributes.get("href") or ""
        if "wikilink2" in classes or "do=" in href:
            continue  # a page that does not exist yet, an edit or login link
        return href
    return None


# --- one item -----------------------------------------------------------------------------------


def _entry(
    page: _Page,
    *,
    title: str,
    href: str | None,
    published: datetime | None,
    date_text: str,
    excerpt: str | None,
    image: str | None,
    element_id: str | None,
) -> Entry | None:
    """An `Entry`, or None for a block without title or one already taken on this page."""
    title = _clean(title)[:MAX_TITLE_CHARS].rstrip()
    if not title:
        return None
    link = _item_link(page, href)
    if link is None:
        link = page.item_base
        key = element_id or _short_hash(f"{date_text}\n{title}")
        guid = f"{page.item_base}#{key}"
    else:
        guid = link
    if guid in page.seen or (link != page.item_base and link in page.seen):
        return None
    page.seen.update((guid, link))
    summary = None
    if excerpt:
        text = _clean(excerpt)
        if len(text) > MAX_EXCERPT_CHARS:
            text = text[: MAX_EXCERPT_CHARS - 1].rstrip() + "…"
        summary = f"<p>{html.escape(text, quote=False)}</p>" if text else None
    return Entry(
        guid=guid,
        # a block without a page of its own has no link: its guid (the list page + "#" + the
        # block) is its address and, fragment included, its identity (see normalize)
        link=None if link == page.item_base else link,
        title=title,
        summary_html=summary,
        published=published,
        image=absolute_http_url(image, base=page.base) if image else None,
    )


def _item_link(page: _Page, href: str | None) -> str | None:
    """The absolute http(s) article URL without fragment; None for "#", javascript:, mailto:."""
    link = absolute_http_url(href, base=page.base) if href else None
    if link is None:
        return None
    link = urldefrag(link)[0]
    if link in (urldefrag(page.url)[0], page.item_base):
        return None  # "#top" and the like: the block has no page of its own
    return link


def _short_hash(text: str) -> str:
    return hashlib.blake2s(text.encode(), digest_size=6).hexdigest()


def _clean(text: str) -> str:
    return " ".join(text.split())


# --- dates ----------------------------------------------------------------------------------------

_DATE_IN_TEXT = re.compile(
    r"""
    (?<![\d.])
    (?:
        (?P<numeric>\d{1,2}\.\s?\d{1,2}\.\s?\d{4})
      | (?P<iso>\d{4}-\d{2}-\d{2})
      | (?P<words>\d{1,2}\.?\s*(?P<month>[^\W\d_]{3,12})\.?,?\s+\d{4})
    )
    (?!\d)
    (?P<time>,?\s+(?:um\s+)?\d{1,2}[:.]\d{2}(?!\d)(?:\s*Uhr)?)?
    """,
    re.VERBOSE,
)
_DATE_ONLY = re.compile(rf"\W*{_DATE_PATTERN}\W*")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_MONTH_PREFIXES = frozenset(
    {
        "jan", "jän", "feb", "mär", "mae", "mar", "mrz", "apr", "mai", "may", "jun", "jul",
        "aug", "sep", "okt", "oct", "nov", "dez", "dec",
    }
)  # fmt: skip
_EARLIEST_YEAR, _LATEST_YEAR = 1800, 2100
_dateparser: Any = None


def find_date(text: str | None) -> datetime | None:
    """The first date in `text` that is a whole date (day, month, year), else None.

    "24.11.2025", "2025-11-24", "24. Nov. 2025", "Montag, 24. November 2025, 18 Uhr",
    "21. DEZEMBER 2015" are read; a year alone, a phone number or a house number is not a date,
    and nothing is guessed (no year, no date).
    """
    if not text:
        return None
    for match in _DATE_IN_TEXT.finditer(text):
        found = _date_of(match)
        if found is not None and _EARLIEST_YEAR <= found.year <= _LATEST_YEAR:
            return found
    return None


def _date_of(match: re.Match[str]) -> datetime | None:
    clock = match.group("time") or ""
    if match.group("numeric"):
        return parse_date(match.group("numeric").replace(" ", "") + clock)
    if match.group("iso"):
        return parse_date(match.group("iso"))
    written = match.group("words") + clock
    found = parse_date(written)
    if found is None and match.group("month")[:3].lower() in _MONTH_PREFIXES:
        found = _parse_with_dateparser(match.group("words"))
    return found


def _iso_date(value: str) -> datetime | None:
    """A `datetime` attribute: ISO dates only ("2015" alone is a year, not a date)."""
    value = value.strip()
    if _ISO_DATE.match(value) is None:
        return find_date(value)
    return parse_date(value)


def _parse_with_dateparser(text: str) -> datetime | None:
    """Word forms parse_date does not read ("24. Feber 2025"): dateparser, strict, German."""
    global _dateparser
    if _dateparser is None:
        from dateparser.date import DateDataParser

        _dateparser = DateDataParser(
            languages=["de"],
            settings={
                "STRICT_PARSING": True,
                "REQUIRE_PARTS": ["day", "month", "year"],
                "DATE_ORDER": "DMY",
            },
        )
    try:
        result = _dateparser.get_date_data(text)
    except (ValueError, OverflowError, TypeError):
        return None
    found = result.date_obj if result is not None else None
    return found if isinstance(found, datetime) else None
