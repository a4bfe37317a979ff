"""The feeds as a subscriber's reader sees them: ids, links, authors, dates, safe content."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aggregator.model import FetchState, Source, Story
from aggregator.publish.feeds import FeedInfo, json_feed, rss_and_atom, safe_content, story_guid
from aggregator.publish.site import Site

BASE = "https://nachrichten.netzwerk-stadtforen.de/"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
NS = {
    "a": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "content": "http://purl.org/rss/1.0/modules/content/",
}
FORUM = Source(
    "leipzig",
    "Stadtforum Leipzig",
    "Leipzig",
    "https://leipzig.example/",
    "https://leipzig.example/feed/",
)
INFO = FeedInfo("Titel", "Beschreibung", BASE, BASE)


def story(n: int, **changes: object) -> Story:
    published = NOW - timedelta(hours=n)
    base = Story(
        id=f"leipzig:https://leipzig.example/?p={n}",
        source_id="leipzig",
        source_name="Stadtforum Leipzig",
        source_city="Leipzig",
        title=f"Meldung {n} über Höfe & Häuser",
        url=f"https://leipzig.example/meldung-{n}/",
        content_html=f'<p>Inhalt {n} <a href="/mehr/">mehr</a></p>',
        excerpt=f"Kurztext {n}",
        published=published,
        updated=published + timedelta(minutes=30),
        first_seen=published,
        cities=("Leipzig", "Halle (Saale)"),
        also_at=("Dresdens Erben e. V.",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def feeds_of(*stories: Story) -> tuple[ET.Element, ET.Element, dict[str, object]]:
    rss, atom = rss_and_atom(INFO, stories, {"leipzig": FORUM}, NOW)
    return (
        ET.fromstring(rss),
        ET.fromstring(atom),
        json.loads(json_feed(INFO, stories, {"leipzig": FORUM})),
    )


def test_ids_are_stable_unique_uris_shared_by_all_formats() -> None:
    a, b = story(0), story(1)
    assert story_guid(a) == story_guid(replace(a, title="geändert"))
    assert story_guid(a) != story_guid(b)
    assert story_guid(a).startswith("urn:uuid:")
    rss, atom, feed = feeds_of(a)
    guid = rss.find("channel/item/guid")
    assert guid is not None and guid.get("isPermaLink") == "false"
    assert guid.text == story_guid(a)
    assert atom.findtext("a:entry/a:id", namespaces=NS) == story_guid(a)
    assert feed["items"][0]["id"] == story_guid(a)  # type: ignore[index]


def test_rss_item_names_the_forum_link_dates_cities_and_content() -> None:
    rss, _, _ = feeds_of(story(0))
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("language") == "de"
    assert channel.findtext("description") == "Beschreibung"
    assert channel.findtext("link") == BASE
    self_link = channel.find("a:link", NS)
    assert self_link is not None and self_link.get("href") == BASE + "feed.xml"
    assert self_link.get("rel") == "self"
    item = channel.find("item")
    assert item is not None
    assert item.findtext("title") == "Meldung 0 über Höfe & Häuser"
    assert item.findtext("link") == "https://leipzig.example/meldung-0/"
    assert item.findtext("pubDate") == "Tue, 24 Nov 2026 09:30:00 +0000"
    assert item.findtext("dc:creator", namespaces=NS) == "Stadtforum Leipzig"
    source = item.find("source")
    assert source is not None and source.get("url") == "https://leipzig.example/feed/"
    assert source.text == "Stadtforum Leipzig"
    assert [c.text for c in item.findall("category")] == ["Leipzig", "Halle (Saale)"]
    assert item.findtext("description") == "Kurztext 0"
    # a relative link in the content is resolved against the story, not against our site
    encoded = item.findtext("content:encoded", namespaces=NS)
    assert encoded is not None and 'href="https://leipzig.example/mehr/"' in encoded


def test_atom_entry_has_author_with_homepage_dates_and_self_link() -> None:
    _, atom, _ = feeds_of(story(0))
    assert atom.get("{http://www.w3.org/XML/1998/namespace}lang") == "de"
    links = {link.get("rel"): link.get("href") for link in atom.findall("a:link", NS)}
    assert links == {"self": BASE + "atom.xml", "alternate": BASE}
    entry = atom.find("a:entry", NS)
    assert entry is not None
    assert entry.findtext("a:author/a:name", namespaces=NS) == "Stadtforum Leipzig"
    assert entry.findtext("a:author/a:uri", namespaces=NS) == "https://leipzig.example/"
    assert entry.findtext("a:published", namespaces=NS) == "2026-11-24T09:30:00+00:00"
    assert entry.findtext("a:updated", namespaces=NS) == "2026-11-24T10:00:00+00:00"
    link = entry.find("a:link", NS)
    assert link is not None and link.get("href") == "https://leipzig.example/meldung-0/"
    content = entry.find("a:content", NS)
    assert content is not None and content.get("type") == "html"
    assert entry.findtext("a:summary", namespaces=NS) == "Kurztext 0"
    assert [c.get("term") for c in entry.findall("a:category", NS)] == ["Leipzig", "Halle (Saale)"]


def test_json_feed_items_are_complete_and_absolute() -> None:
    _, _, feed = feeds_of(story(0))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == BASE + "feed.json"
    assert feed["language"] == "de"
    item = feed["items"][0]  # type: ignore[index]
    assert item["url"] == "https://leipzig.example/meldung-0/"
    assert item["date_published"] == "2026-11-24T09:30:00+00:00"
    assert item["date_modified"] == "2026-11-24T10:00:00+00:00"
    assert item["authors"] == [{"name": "Stadtforum Leipzig", "url": "https://leipzig.example/"}]
    assert item["tags"] == ["Leipzig", "Halle (Saale)"]
    assert item["summary"] == "Kurztext 0"
    assert item["_stadtforen"] == {"also_at": ["Dresdens Erben e. V."]}


def test_a_story_without_content_still_carries_its_excerpt() -> None:
    rss, atom, feed = feeds_of(story(0, content_html="", excerpt="Nur <Auszug> & mehr"))
    assert rss.findtext("channel/item/description") == "Nur &lt;Auszug&gt; &amp; mehr"
    content = atom.find("a:entry/a:content", NS)
    assert content is not None and content.text == "Nur &lt;Auszug&gt; &amp; mehr"
    assert feed["items"][0]["content_text"] == "Nur <Auszug> & mehr"  # type: ignore[index]


def test_feed_content_is_cleaned_again() -> None:
    dirty = (
        '<p onclick="x()">a<script>alert(1)</script><iframe src="https://e.example/"></iframe>'
        '<a href="javascript:alert(2)">b</a><img src="i.png" onerror="alert(3)"></p>'
    )
    clean = safe_content(dirty, "https://forum.example/2026/")
    for bad in ("onclick", "<script", "alert(1)", "<iframe", "javascript:", "onerror"):
        assert bad not in clean
    assert 'src="https://forum.example/2026/i.png"' in clean
    assert 'src="' not in safe_content('<img src="i.png">', None)


def test_feeds_hold_only_the_latest_feed_size_stories() -> None:
    stories = [story(n) for n in range(12)]
    site = Site(
        stories,
        [(FORUM, FetchState("leipzig", last_status="ok"))],
        base_url=BASE,
        now=NOW,
        feed_size=5,
        page_size=4,
    )
    files = dict(site.render())
    feed = json.loads(files["feed.json"])
    assert [i["id"] for i in feed["items"]] == [story_guid(s) for s in stories[:5]]
    rss = ET.fromstring(files["stadt/leipzig/feed.xml"])
    assert len(rss.findall("channel/item")) == 5
    atom = ET.fromstring(files["atom.xml"])
    assert len(atom.findall("a:entry", NS)) == 5


def test_feed_content_links_keep_the_rel_given_at_crawl_time() -> None:
    """The second cleaning used nh3's defaults and turned every rel into "noopener noreferrer"."""
    _, atom, feed = feeds_of(story(0))
    content = atom.find("a:entry/a:content", NS)

    expected = '<a href="https://leipzig.example/mehr/" rel="nofollow noopener ugc">mehr</a>'
    assert content is not None and expected in (content.text or "")
    assert expected in feed["items"][0]["content_html"]  # type: ignore[index]


UNSAFE = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\x9d\ud800\udfff\ufdd0\ufffe\uffff\U0001fffe"


def test_a_story_stored_with_control_characters_does_not_stop_the_publish() -> None:
    """lxml refuses to write a control character at all: one such story in the database (say,
    from before normalize removed them) made every publish fail with a ValueError."""
    dirty = story(
        0,
        id="leipzig:\udc00x",
        source_name="Stadt\x01forum Leipzig",
        title=f"Meldung{UNSAFE} mit Steuerzeichen",
        content_html=f"<p>Inhalt{UNSAFE}</p>",
        excerpt=f"Kurz{UNSAFE}text",
        author="Re\x85daktion",
        cities=("Leip\x02zig",),
        also_at=("Dresdens\x03 Erben",),
    )
    member = replace(FORUM, name="Stadt\x01forum Leipzig", city="Leip\x02zig")
    site = Site([dirty, story(1)], [(member, None)], base_url=BASE, now=NOW)

    files = dict(site.render())

    assert {"feed.xml", "atom.xml", "feed.json", "quellen.opml", "stadt/leipzig/feed.xml"} <= set(
        files
    )
    for name, content in files.items():
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        text.encode("utf-8")  # no lone surrogate
        assert not any(c in text for c in UNSAFE), name
        if name.endswith((".xml", ".opml")):
            ET.fromstring(content)
    rss = ET.fromstring(files["feed.xml"])
    assert rss.findtext("channel/item/title") == "Meldung   mit Steuerzeichen"  # VT, FF: spaces
    assert json.loads(files["feed.json"])["items"][0]["title"] == "Meldung   mit Steuerzeichen"
