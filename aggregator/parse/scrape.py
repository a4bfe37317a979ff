"""A member's news (list) page → the news items on it, for sources without a feed (issue 11).

Pure: the fetched bytes, the page's final URL and the source's `ScrapeRules` in, a `ListPage`
out; nothing is fetched. HTML is read with selectolax's lexbor parser (C, CSS selectors): list
pages at several hundred per second, where beautifulsoup4's html.parser manages a few dozen.

This module reads the page as a whole: the bytes through `parse.html` (charset, "is it HTML",
nesting cut), the title, the page chrome stripped, the next (older) list page. The items
themselves are read by `parse.list_items`: with `rules.item` by the configured CSS selectors
("selectors"), else by the first known layout that finds any (see `list_items.PATTERNS`).

Nothing found raises `ParseError`: "no_items" (a layout change must not look like a quiet
success), "login_wall", "empty_page", "not_html" or "bad_selector".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urldefrag, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from aggregator.errors import ParseError
from aggregator.model import Entry, ScrapeRules
from aggregator.parse.html import base_url, decode_html, html_tree
from aggregator.parse.list_items import (
    HEADINGS,
    LINE_BREAK,
    MAX_TITLE_CHARS,
    PATTERNS,
    ItemPage,
    Recipe,
    clean,
    detect,
    find_date,
    is_next_label,
    read_blocks,
)
from aggregator.urls import absolute_http_url

__all__ = ["PATTERNS", "ListPage", "find_date", "read_list_page"]


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
    tree = html_tree(decode_html(content, url=url, content_type=content_type))
    for br in tree.css("br"):
        br.replace_with(LINE_BREAK)
    page = ItemPage(
        tree=tree,
        url=url,
        base=base_url(tree, url),
        item_base=urldefrag(rules.url)[0] or urldefrag(url)[0],
        date_format=rules.date_format,
    )
    title = _page_title(tree)
    has_password = tree.css_first('input[type="password"]') is not None
    next_candidates = _next_candidates(tree, page.base)
    if rules.item:
        _strip(tree, _ALWAYS_NOISE_SELECTORS_MODE)
        pattern, entries = "selectors", read_blocks(page, _recipe_from_rules(rules, url))
    else:
        _strip_noise(tree)
        pattern, entries = detect(page)
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


# --- the selectors mode -------------------------------------------------------------------------


def _recipe_from_rules(rules: ScrapeRules, url: str) -> Recipe:
    """The configured selectors as a recipe; `ParseError("bad_selector")` for invalid CSS."""
    recipe = Recipe(
        blocks=rules.item or "",
        title=(rules.title,) if rules.title else HEADINGS,
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


def _page_title(tree: LexborHTMLParser) -> str | None:
    node = tree.css_first("title")
    text = clean(node.text()) if node is not None else ""
    if not text:
        meta = tree.css_first('meta[property="og:site_name"]')
        text = clean(meta.attributes.get("content") or "") if meta is not None else ""
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
        if len(text) <= 60 and is_next_label(text):
            found.append(node.attributes.get("href") or "")
    resolved = (absolute_http_url(href, base=base) for href in found if href)
    return [urldefrag(link)[0] for link in resolved if link is not None]


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
