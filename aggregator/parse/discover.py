"""Feed discovery for a member's homepage (`aggregator sources discover URL`), pure helpers.

    feed_links(content, url=…)       the feeds a page announces (<link rel="alternate">, and
                                     <a href> to obvious feed URLs on the same site), in page
                                     order, comment feeds flagged
    common_feed_urls(homepage)       where CMSs put their feed by default, to try in this order
    news_page_links(content, url=…)  the homepage's links to its likely news page, best first

Nothing is fetched here: the caller tries the URLs and parses what comes back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from aggregator.parse.html import decode_html, html_tree, same_site
from aggregator.urls import absolute_http_url, canonical_url

__all__ = ["FeedLink", "common_feed_urls", "feed_links", "news_page_links"]

MAX_LINKS = 2_000  # <a> elements looked at on one page
MAX_NEWS_LINKS = 5

_FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/rdf+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
}
# The ordinary feed paths of the CMSs the members use, most likely first: WordPress (pretty and
# plain permalinks), static generators and Drupal, TYPO3 (tt_news), Joomla, Jimdo, DokuWiki.
_COMMON_PATHS = (
    "feed/",
    "?feed=rss2",
    "rss.xml",
    "atom.xml",
    "feed.xml",
    "index.xml",
    "index.php?type=100",
    "?format=feed&type=rss",
    "rss/blog",
    "feed.php",
    "feed.json",
    "rss/",
)
_FEED_URL = re.compile(
    r"(?:/feed/?|/rss/?|/atom/?|/rss/blog/?|\.rss|/(?:rss|atom|feed|index)\.xml|feed\.json"
    r"|[?&]feed=(?:rss2?|atom|rdf)|[?&]type=100\b|[?&]format=feed\b)(?:$|[?#&])",
    re.IGNORECASE,
)
_COMMENT_TITLE = re.compile(r"kommentar|comments?\b", re.IGNORECASE)
_COMMENT_URL = re.compile(
    r"/comments/feed|/kommentare|[?&]feed=comments|/comments(?:/|\.xml|$)", re.IGNORECASE
)
_NEWS_WORDS = {  # word in link text or path → weight
    "aktuelles": 10,
    "neuigkeiten": 10,
    "aktuell": 9,
    "news": 9,
    "nachrichten": 9,
    "meldungen": 8,
    "neues": 7,
    "blog": 7,
    "beiträge": 6,
    "beitraege": 6,
    "mitteilungen": 6,
    "presse": 5,
    "pressemitteilungen": 5,
    "chronik": 4,
}
_WORD = re.compile(r"[^\W\d_]+")
_SKIPPED_FILES = re.compile(r"\.(?:pdf|jpe?g|png|gif|webp|svg|zip|docx?|xlsx?|mp[34])$", re.I)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page announces."""

    url: str  # absolute http(s)
    title: str | None
    type: str  # "rss" | "atom" | "json"
    comments: bool  # a comment feed ("Kommentar-Feed", /comments/feed/)


def feed_links(
    content: bytes, *, url: str, content_type: str | None = None
) -> tuple[FeedLink, ...]:
    """The feeds `content` (a page fetched from `url`) links to, in page order, no duplicates.

    <link rel="alternate"> of an RSS, Atom or JSON Feed type may point anywhere (a feed service);
    an <a href> counts only when its URL looks like a feed and stays on the site. WordPress's
    REST and oEmbed links (application/json) are not feeds. Raises `ParseError("not_html", …)`
    when the body is no HTML page.
    """
    tree = html_tree(decode_html(content, url=url, content_type=content_type))
    base_node = tree.css_first("base[href]")
    base = (
        absolute_http_url(base_node.attributes.get("href"), base=url)
        if base_node is not None
        else None
    ) or url
    found: list[FeedLink] = []
    seen: set[str] = set()
    for node in tree.css("link[rel~=alternate i][href], a[href]")[:MAX_LINKS]:
        attrs = node.attributes
        link = absolute_http_url(attrs.get("href"), base=base)
        if link is None:
            continue
        if node.tag == "link":
            kind = _link_type(attrs.get("type"), link)
            title = _clean(attrs.get("title"))
        else:
            kind = _url_type(link) if same_site(link, url) else None
            title = _clean(node.text()) or _clean(attrs.get("title"))
        key = canonical_url(link)
        if kind is None or key in seen:
            continue
        seen.add(key)
        found.append(FeedLink(link, title, kind, _is_comment_feed(link, title)))
    return tuple(found)


def common_feed_urls(homepage: str) -> tuple[str, ...]:
    """Feed URLs worth trying for a site without announced feeds, most likely first.

    For a site in a subfolder ("https://example.de/stadtforum/") the paths below the folder come
    first, then those at the host's root. Empty for anything but an http(s) URL.
    """
    url = absolute_http_url(homepage)
    if url is None:
        return ()
    parts = urlsplit(url)
    folder = parts.path[: parts.path.rfind("/") + 1] or "/"
    bases = [urlunsplit((parts.scheme, parts.netloc, folder, "", ""))]
    if folder != "/":
        bases.append(urlunsplit((parts.scheme, parts.netloc, "/", "", "")))
    result: list[str] = []
    for base in bases:
        for path in _COMMON_PATHS:
            candidate = base + path
            if candidate not in result:
                result.append(candidate)
    return tuple(result)


def news_page_links(content: bytes, *, url: str) -> tuple[str, ...]:
    """Links on a homepage to its likely news page, best first, at most five, same site only.

    Ranked by the news word the link text names ("Aktuelles", "Neuigkeiten" before "News", "Blog"
    before "Presse"), a text that is only that word a little above a menu entry containing it
    ("Termine & Aktuelles"), a link whose path alone names it ("/category/aktuelles/") far below;
    a deeper path loses a little; ties keep page order.
    """
    tree = html_tree(decode_html(content, url=url, content_type="text/html"))
    home = canonical_url(url)
    best: dict[str, tuple[int, int, str]] = {}  # canonical URL → (score, position, link)
    for position, node in enumerate(tree.css("a[href]")[:MAX_LINKS]):
        link = absolute_http_url(node.attributes.get("href"), base=url)
        if link is None:
            continue
        link = link.split("#", 1)[0]
        if not same_site(link, url) or _SKIPPED_FILES.search(link) or _FEED_URL.search(link):
            continue
        key = canonical_url(link)
        score = _news_score(_clean(node.text()) or "", link)
        if key == home or score <= 0:
            continue
        if key not in best or best[key][0] < score:
            best[key] = (score, best[key][1] if key in best else position, link)
    ranked = sorted(best.values(), key=lambda item: (-item[0], item[1]))
    return tuple(link for _, _, link in ranked[:MAX_NEWS_LINKS])


def _news_score(text: str, link: str) -> int:
    """How strongly a link looks like the way to the news page; 0: not at all."""
    words = [word.lower() for word in _WORD.findall(text)]
    parts = urlsplit(link)
    segments = [part.lower() for part in re.split(r"[/?&=._-]+", f"{parts.path}?{parts.query}")]
    depth = parts.path.strip("/").count("/")
    text_weight = max((_NEWS_WORDS.get(word, 0) for word in words), default=0)
    path_weight = max((_NEWS_WORDS.get(segment, 0) for segment in segments), default=0)
    if text_weight and len(words) == 1:
        score = text_weight * 100 + 50  # the link text is the word: "Aktuelles"
    elif text_weight and len(words) <= 4:
        score = text_weight * 100 + 30  # a menu entry naming it: "Termine & Aktuelles"
    elif path_weight:
        score = path_weight * 50  # only the path names it: "/category/aktuelles/"
    else:
        return 0
    return max(1, score - 5 * depth)


def _link_type(media_type: str | None, link: str) -> str | None:
    media_type = (media_type or "").split(";")[0].strip().lower()
    if media_type in _FEED_TYPES:
        return _FEED_TYPES[media_type]
    if media_type == "application/json" and re.search(r"feed[^/]*\.json", link, re.I):
        return "json"  # a JSON Feed announced with the plain JSON type
    return None


def _url_type(link: str) -> str | None:
    if not _FEED_URL.search(link):
        return None
    lowered = link.lower()
    if ".json" in lowered:
        return "json"
    return "atom" if "atom" in lowered else "rss"


def _is_comment_feed(link: str, title: str | None) -> bool:
    return bool(_COMMENT_URL.search(link) or (title and _COMMENT_TITLE.search(title)))


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split())[:300] or None
