"""How a list page's items are read from its tree: the known layouts, and blocks by recipe.

Pure; `parse.scrape` hands over the parsed page (`ItemPage`) and either a `Recipe` built from the
source's selectors (`read_blocks`) or asks `detect` to try the known layouts in order; the first
that finds items names the pattern:

    wordpress     `article` / `.post` / `.hentry` with a heading link and `<time>` / `.entry-date`
    typo3         tx_news: `.news-list-view .article`, `.news-list-item`
    jimdo         `.j-blogarticle` / `.j-blog-meta` headers with `.datetime`
    dated-blocks  hand-made "24.11.2025 | TITEL" lines, then one or two paragraphs
    plus-blocks   "21. DEZEMBER 2015 // Titel" blocks separated by "+++" lines
    dokuwiki      a chronicle: headings, table rows or list items that start with a date

An item's guid is its article URL without fragment. An item without a link of its own (hand-made
pages) links to the configured news page (`ItemPage.item_base`) and its guid is that URL + "#" +
the block's element id, or a short hash of date text and title.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urldefrag

from selectolax.lexbor import LexborHTMLParser, LexborNode

from aggregator.model import Entry
from aggregator.parse.dates import parse_date
from aggregator.urls import absolute_http_url

__all__ = [
    "HEADINGS",
    "LINE_BREAK",
    "MAX_TITLE_CHARS",
    "PATTERNS",
    "ItemPage",
    "Recipe",
    "clean",
    "detect",
    "find_date",
    "is_next_label",
    "read_blocks",
]

PATTERNS = ("selectors", "wordpress", "typo3", "jimdo", "dated-blocks", "plus-blocks", "dokuwiki")

MAX_BLOCKS = 500  # item blocks considered per page
MAX_TITLE_CHARS = 500
MAX_EXCERPT_CHARS = 1_000
MAX_WALKED_NODES = 30_000  # nodes the text readers visit per page

LINE_BREAK = "\u2028"  # what <br> becomes before text is read; str.split() treats it as space


@dataclass(slots=True)
class ItemPage:
    """A parsed list page as the readers need it (noise already stripped)."""

    tree: LexborHTMLParser
    url: str
    base: str
    item_base: str  # where items without a link of their own point to
    date_format: str | None
    seen: set[str] = field(default_factory=set)  # guids and links taken so far

    @property
    def root(self) -> LexborNode:
        return self.tree.body or self.tree.root  # type: ignore[return-value]


# --- auto-detection -----------------------------------------------------------------------------


def detect(page: ItemPage) -> tuple[str, list[Entry]]:
    """(pattern, items) of the first known layout that finds items, else ("", [])."""
    readers: tuple[tuple[str, Callable[[ItemPage], list[Entry]]], ...] = (
        ("wordpress", lambda p: read_blocks(p, _WORDPRESS)),
        ("typo3", lambda p: read_blocks(p, _TYPO3)),
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
class Recipe:
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


HEADINGS = ("h1, h2, h3, h4, h5, h6",)


def _wordpress_block(block: LexborNode) -> bool:
    classes = (block.attributes.get("class") or "").split()
    if "j-blog-content" in classes or _has_ancestor_class(block, ("news-list-view",)):
        return False
    if block.css_first(".entry-title, time[datetime], .entry-date, .posted-on") is not None:
        return True
    return any(name in ("hentry", "type-post", "post") for name in classes)


_WORDPRESS = Recipe(
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
_TYPO3 = Recipe(
    blocks=".news-list-view .article, .news-list-item, .news-list-view article",
    title=("[itemprop=headline]", "h3, h2, h4", ".header"),
    link=("h3 a[href], h2 a[href], h4 a[href]", ".header a[href]", "a.more[href]", "a[href]"),
    date=("time[datetime]", ".news-list-date"),
    excerpt=(".teaser-text [itemprop=description]", ".teaser-text p", ".teaser-text", "p"),
    image=(".news-img-wrap img", "img"),
)
_JIMDO_DATE = ("time[datetime]", ".datetime", ".j-blog-post--date")
_JIMDO = Recipe(
    blocks=".j-blogarticle",
    title=(".j-blog-headline, .j-blog-post--headline", "h2, h1"),
    link=(".j-blog-headline a[href], .j-blog-post--headline a[href]", "h2 a[href], h1 a[href]"),
    date=_JIMDO_DATE,
    excerpt=(".j-blog-content p, .post p", ".j-text p", ".j-blog-content, .post"),
    image=(".j-blog-content img, .post img", "img"),
)
_JIMDO_HEADERS = Recipe(
    blocks=".j-blog-meta",
    title=_JIMDO.title,
    link=_JIMDO.link,
    date=_JIMDO_DATE,
    excerpt=("p", ".j-text"),
    image=("img",),
    header_only=True,
)


def _read_jimdo(page: ItemPage) -> list[Entry]:
    """Jimdo blog overviews: `.j-blogarticle` blocks, or bare `.j-blog-meta` headers (older)."""
    return read_blocks(page, _JIMDO) or read_blocks(page, _JIMDO_HEADERS)


def read_blocks(page: ItemPage, recipe: Recipe) -> list[Entry]:
    """The items of the blocks `recipe.blocks` selects, in page order."""
    entries: list[Entry] = []
    for block in _outermost(page.root.css(recipe.blocks))[:MAX_BLOCKS]:
        if recipe.accept is not None and not recipe.accept(block):
            continue
        entry = _block_entry(page, block, recipe)
        if entry is not None:
            entries.append(entry)
    return entries


def _block_entry(page: ItemPage, block: LexborNode, recipe: Recipe) -> Entry | None:
    title_node = _first(block, recipe.title)
    anchor = _anchor(block, title_node, recipe.link)
    title = clean(title_node.text()) if title_node is not None else ""
    if not title and anchor is not None:
        title = clean(anchor.text())
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
        text = clean(block.text(separator=" "))
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
        d, m, y = (clean(part.text()).rstrip(".") for part in (day, month, year))
        return f"{d}.{m}.{y}" if m.isdigit() else f"{d}. {m} {y}"
    return clean(node.text(separator=" "))


def _excerpt(
    block: LexborNode, selectors: tuple[str, ...], *, title: str, date_text: str
) -> str | None:
    for selector in selectors:
        for node in block.css(selector):
            text = clean(node.text())
            if not text or text in (title, date_text) or _DATE_ONLY.fullmatch(text):
                continue
            return _without_more_link(node, text)
    return None


def _without_more_link(node: LexborNode, text: str) -> str:
    """The text without a trailing "Weiterlesen"/"mehr" link."""
    for anchor in node.css("a"):
        label = clean(anchor.text())
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
        return clean("".join(self.parts))


def _read_text_blocks(
    page: ItemPage, header: re.Pattern[str], probe: re.Pattern[str], *, max_paragraphs: int | None
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
            if not text or is_next_label(text):
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
                if _HEADERISH.match(clean(text)):
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


def _flush(page: ItemPage, item: dict[str, Any] | None, entries: list[Entry]) -> None:
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
            pieces = text.split(LINE_BREAK)
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
            line.links.append((node.attributes.get("href") or "", clean(node.text())))
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


def _read_dokuwiki(page: ItemPage) -> list[Entry]:
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


def _wiki_row(page: ItemPage, row: LexborNode) -> Entry | None:
    cells = [cell for cell in row.iter() if cell.tag in ("td", "th")]
    if not cells:
        return None
    first = clean(cells[0].text())
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


def _wiki_line(page: ItemPage, node: LexborNode) -> Entry | None:
    match = _LEADING_DATE.match(clean(node.text()))
    if match is None or not match.group("rest"):
        return None
    summary = None
    section = _next_element(node) if (node.tag or "").startswith("h") else None
    if section is not None:
        first = section.css_first("p")
        summary = clean(first.text()) if first is not None else None
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
    text = clean(cell.text())
    links = cell.css("a.urlextern")
    if links:
        label = clean(links[-1].text())
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
    page: ItemPage,
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
    title = clean(title)[:MAX_TITLE_CHARS].rstrip()
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
        text = clean(excerpt)
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


def _item_link(page: ItemPage, href: str | None) -> str | None:
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


def clean(text: str) -> str:
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


# --- pager labels in running text ---------------------------------------------------------------

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


def is_next_label(text: str) -> bool:
    """True for a link text that leads to the next (older) list page: "Ältere Beiträge", "»"."""
    label = clean(text).lower()
    return label in _NEXT_WORDS or label.strip(_ARROWS) in _NEXT_WORDS
