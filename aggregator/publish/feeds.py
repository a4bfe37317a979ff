"""The feeds of the public site: RSS 2.0 and Atom 1.0 (feedgen), JSON Feed 1.1, OPML 2.0. Pure.

Every feed names the original link, the forum as author and source, published and updated dates,
a stable id built from `Story.id` (`urn:uuid:` of a name-based UUID, the same in all three
formats, so a reader that switches format does not see every story again), the cities as
categories, and the content. The content was sanitized before it was stored; it is cleaned once
more here with nh3 so that no feed can carry a script, an iframe or an `on*` handler.
"""

from __future__ import annotations

import html
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import format_datetime

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem

from aggregator import CONTACT_URL, NETWORK_NAME, __version__
from aggregator.model import FetchState, Source, Story
from aggregator.normalize import clean_optional_text, clean_text, sanitize_html
from aggregator.urls import is_http_url

# Fixed forever: changing it would change every published id.
_ID_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, CONTACT_URL + "#story")
GENERATOR = "Stadtforen-Aggregator"

RSS_TYPE = "application/rss+xml"
ATOM_TYPE = "application/atom+xml"
JSON_TYPE = "application/feed+json"


@dataclass(frozen=True, slots=True)
class FeedInfo:
    """One family of feeds (network-wide or one city) and where it is published."""

    title: str
    description: str
    home_url: str  # absolute URL of the HTML page these feeds belong to
    folder_url: str  # absolute URL of the folder holding feed.xml, atom.xml, feed.json

    @property
    def rss_url(self) -> str:
        return self.folder_url + "feed.xml"

    @property
    def atom_url(self) -> str:
        return self.folder_url + "atom.xml"

    @property
    def json_url(self) -> str:
        return self.folder_url + "feed.json"


def story_guid(story: Story) -> str:
    """The id of a story in every feed: stable across runs, formats and base URLs."""
    return f"urn:uuid:{uuid.uuid5(_ID_NAMESPACE, story.id)}"


def is_web_url(url: str | None) -> bool:
    """True for an absolute http(s) URL: the only kind a page or feed may link to."""
    return is_http_url(url)


def story_cities(story: Story) -> tuple[str, ...]:
    """The cities a story belongs to: its tagged cities, else its forum's city."""
    if story.cities:
        return tuple(dict.fromkeys(story.cities))
    return (story.source_city,) if story.source_city else ()


def safe_content(content_html: str, base_url: str | None = None) -> str:
    """The story's HTML as it may appear in a feed: no scripts, frames or event handlers.

    Cleaned with the same allowlist as at crawl time (`normalize.sanitize_html`), so links
    keep their `rel="nofollow noopener ugc"`. A relative link or image left in it would resolve
    against our site in a feed reader, so it is resolved against the story's own URL
    (`base_url`), or dropped when there is none.
    """
    if not content_html:
        return ""
    return sanitize_html(content_html, base_url=base_url if is_web_url(base_url) else None)


def printable_story(story: Story) -> Story:
    """The story with `normalize.clean_text` applied to its text (itself if all is clean).

    Normalizing keeps control characters, lone surrogates and noncharacters out of what is
    stored; this keeps them out of what is published even when an older row still holds one:
    lxml refuses to write them at all, so one such character would stop the whole site.
    """
    texts = (
        story.id,
        story.source_name,
        story.source_city or "",
        story.title,
        story.url,
        story.content_html,
        story.excerpt,
        story.author or "",
        *story.cities,
        *story.also_at,
    )
    if all(clean_text(text) == text for text in texts):
        return story
    return replace(
        story,
        id=clean_text(story.id),
        source_name=clean_text(story.source_name),
        source_city=clean_optional_text(story.source_city),
        title=clean_text(story.title),
        url=clean_text(story.url),
        content_html=clean_text(story.content_html),
        excerpt=clean_text(story.excerpt),
        author=clean_optional_text(story.author),
        cities=tuple(map(clean_text, story.cities)),
        also_at=tuple(map(clean_text, story.also_at)),
    )


def printable_source(source: Source) -> Source:
    """The member with `normalize.clean_text` applied to its text: a double-quoted name in
    sources.yaml can spell a control character as an escape."""
    texts = (source.name, source.city or "", source.homepage, source.feed or "")
    if all(clean_text(text) == text for text in texts):
        return source
    return replace(
        source,
        name=clean_text(source.name),
        city=clean_optional_text(source.city),
        homepage=clean_text(source.homepage),
        feed=clean_optional_text(source.feed),
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class _SourceFeed(BaseExtension):  # type: ignore[misc]
    """Feed half of the RSS <source> extension (nothing at feed level)."""


class _SourceEntry(BaseEntryExtension):  # type: ignore[misc]
    """RSS <source url="feed">forum</source> of an item.

    feedgen's own `source()` also writes an Atom <source>, which Atom wants complete (id,
    updated) and which we cannot fill; the forum is already the Atom <author>.
    """

    def __init__(self) -> None:
        self.url: str | None = None
        self.title: str | None = None

    def set(self, url: str, title: str) -> None:
        self.url, self.title = url, title

    def extend_rss(self, entry: object) -> object:
        if self.url and self.title:
            xml_elem("source", entry, url=self.url).text = self.title
        return entry


def rss_and_atom(
    info: FeedInfo, stories: Sequence[Story], sources: Mapping[str, Source], now: datetime
) -> tuple[bytes, bytes]:
    """RSS 2.0 and Atom 1.0 documents of `stories` (newest first)."""
    fg = FeedGenerator()
    fg.load_extension("dc", atom=False, rss=True)
    fg.register_extension("rss_source", _SourceFeed, _SourceEntry, atom=False, rss=True)
    fg.id(info.home_url)
    fg.title(info.title)
    fg.description(info.description)
    fg.language("de")
    fg.author({"name": NETWORK_NAME, "uri": CONTACT_URL})
    fg.generator(GENERATOR, version=__version__, uri=CONTACT_URL)
    fg.lastBuildDate(_utc(now))
    for story in stories:
        _add_entry(fg, printable_story(story), sources)

    # feedgen takes the channel <link> of RSS from the last link given: the HTML page goes last.
    fg.link(
        [
            {"href": info.rss_url, "rel": "self", "type": RSS_TYPE},
            {"href": info.home_url, "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )
    rss = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    fg.link(
        [
            {"href": info.atom_url, "rel": "self", "type": ATOM_TYPE},
            {"href": info.home_url, "rel": "alternate", "type": "text/html"},
        ],
        replace=True,
    )
    atom = fg.atom_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return bytes(rss), bytes(atom)


def _add_entry(fg: FeedGenerator, story: Story, sources: Mapping[str, Source]) -> None:
    source = sources.get(story.source_id)
    source = printable_source(source) if source is not None else None
    fe = fg.add_entry(order="append")
    fe.id(story_guid(story))
    fe.guid(story_guid(story), permalink=False)
    fe.title(story.title)
    if is_web_url(story.url):
        fe.link(href=story.url, rel="alternate", type="text/html")
    published = _utc(story.published)
    fe.published(published)
    fe.updated(_utc(story.updated) if story.updated else published)
    author: dict[str, str] = {"name": story.source_name}
    if source is not None and is_web_url(source.homepage):
        author["uri"] = source.homepage
    fe.author(author)
    fe.dc.dc_creator(story.source_name)
    if source is not None and is_web_url(source.feed):
        fe.rss_source.set(source.feed, story.source_name)
    for city in story_cities(story):
        fe.category(term=city, label=city)
    # RSS <description> is HTML, so the plain-text excerpt goes in escaped; it is what readers
    # without content:encoded show. feedgen couples the fields: description() first, then
    # content() (Atom <content>, RSS <content:encoded>), then summary() (Atom <summary>, text).
    content = safe_content(story.content_html, story.url)
    excerpt_html = html.escape(story.excerpt, quote=False)
    fallback = excerpt_html or html.escape(story.title, quote=False)
    fe.description(excerpt_html or content or fallback)
    fe.content(content or fallback, type="html")
    if content and story.excerpt:
        fe.summary(story.excerpt)


def json_feed(info: FeedInfo, stories: Sequence[Story], sources: Mapping[str, Source]) -> bytes:
    """A JSON Feed 1.1 document of `stories` (newest first); every URL in it is absolute."""
    items = []
    for story in map(printable_story, stories):
        item: dict[str, object] = {"id": story_guid(story)}
        if is_web_url(story.url):
            item["url"] = story.url
        item["title"] = story.title
        content = safe_content(story.content_html, story.url)
        if content:
            item["content_html"] = content
        else:
            item["content_text"] = story.excerpt or story.title
        if story.excerpt:
            item["summary"] = story.excerpt
        item["date_published"] = _utc(story.published).isoformat(timespec="seconds")
        if story.updated:
            item["date_modified"] = _utc(story.updated).isoformat(timespec="seconds")
        author: dict[str, str] = {"name": story.source_name}
        source = sources.get(story.source_id)
        source = printable_source(source) if source is not None else None
        if source is not None and is_web_url(source.homepage):
            author["url"] = source.homepage
        item["authors"] = [author]
        cities = story_cities(story)
        if cities:
            item["tags"] = list(cities)
        if story.also_at:
            item["_stadtforen"] = {"also_at": list(story.also_at)}
        items.append(item)
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": info.title,
        "home_page_url": info.home_url,
        "feed_url": info.json_url,
        "description": info.description,
        "language": "de",
        "authors": [{"name": NETWORK_NAME, "url": CONTACT_URL}],
        "items": items,
    }
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def public_feed(source: Source, state: FetchState | None) -> str | None:
    """The feed URL of a member as the public may subscribe to it, if there is a working one.

    A feed URL that is only a guess (`feed_verified=False`) counts once it has been read.
    """
    if not is_web_url(source.feed):
        return None
    if source.feed_verified:
        return source.feed
    if state is not None and state.last_status in ("ok", "not_modified"):
        return source.feed
    return None


def opml(
    members: Sequence[tuple[Source, FetchState | None]], now: datetime, *, title: str
) -> bytes:
    """OPML 2.0 subscription list of every member with a feed, grouped by city."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(_utc(now), usegmt=True)
    ET.SubElement(head, "ownerName").text = NETWORK_NAME
    body = ET.SubElement(root, "body")
    groups: dict[str, ET.Element] = {}
    for member, state in members:
        source = printable_source(member)
        feed = public_feed(source, state)
        if feed is None or not source.enabled:
            continue
        city = source.city or "Netzwerkweit"
        parent = groups.get(city)
        if parent is None:
            parent = groups[city] = ET.SubElement(body, "outline", text=city)
        attrs = {"type": "rss", "text": source.name, "title": source.name, "xmlUrl": feed}
        if is_web_url(source.homepage):
            attrs["htmlUrl"] = source.homepage
        ET.SubElement(parent, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return document + b"\n"
