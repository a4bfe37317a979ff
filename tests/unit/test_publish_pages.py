"""The public pages, rendered from fixture stories without touching the disk."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from jinja2 import Template

from aggregator.model import FetchState, Source, Story
from aggregator.publish.sample import sample_members, sample_stories
from aggregator.publish.site import Site
from aggregator.templating import environment, site_templates

BASE = "https://nachrichten.netzwerk-stadtforen.de/"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script>"
TRICKY = "\"&<>'"

LEIPZIG = Source(
    "leipzig",
    "Stadtforum Leipzig",
    "Leipzig",
    "https://leipzig.example/",
    "https://leipzig.example/feed/",
)
HALLE = Source("halle", "Arbeitskreis Innenstadt", "Halle (Saale)", "https://halle.example/", None)


def story(n: int, **changes: object) -> Story:
    published = NOW - timedelta(hours=n)
    base = Story(
        id=f"leipzig:{n}",
        source_id="leipzig",
        source_name="Stadtforum Leipzig",
        source_city="Leipzig",
        title=f"Meldung {n}",
        url=f"https://leipzig.example/meldung-{n}/",
        content_html=f"<p>Inhalt {n}</p>",
        excerpt=f"Kurztext {n}",
        published=published,
        updated=None,
        first_seen=published,
        cities=("Leipzig",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def render(
    stories: list[Story],
    members: list[tuple[Source, FetchState | None]] | None = None,
    **kwargs: int,
) -> dict[str, str | bytes]:
    if members is None:
        members = [(LEIPZIG, FetchState("leipzig", last_status="ok")), (HALLE, None)]
    site = Site(stories, members, base_url=BASE, now=NOW, **kwargs)
    return dict(site.render())


def text(files: dict[str, str | bytes], path: str) -> str:
    content = files[path]
    return content.decode("utf-8") if isinstance(content, bytes) else content


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text inside h1 elements."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.h1: list[str] = []
        self._in_h1 = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h1 = self._in_h1 or tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


# ---------------------------------------------------------------- the front page


def test_front_page_shows_each_story_with_link_forum_city_german_date_and_excerpt() -> None:
    s = story(0, published=datetime(2026, 11, 24, 8, 0, tzinfo=UTC))
    page = text(render([s]), "index.html")
    assert '<a href="https://leipzig.example/meldung-0/">Meldung 0</a>' in page
    assert "Stadtforum Leipzig" in page
    assert '<a href="stadt/leipzig/index.html">Leipzig</a>' in page
    assert '<time datetime="2026-11-24T09:00:00+01:00">24. November 2026</time>' in page
    assert "Kurztext 0" in page
    assert "Inhalt 0" not in page  # the page shows the excerpt, not the content


def test_page_is_german_with_one_h1_landmarks_skip_link_and_no_script() -> None:
    files = render([story(n) for n in range(3)])
    for path in (
        "index.html",
        "stadt/index.html",
        "stadt/leipzig/index.html",
        "quellen.html",
        "404.html",
    ):
        page = text(files, path)
        tags = Tags(page)
        assert page.startswith('<!DOCTYPE html>\n<html lang="de">'), path
        assert len(tags.find("h1")) == 1, path
        for landmark in ("header", "nav", "main", "footer"):
            assert tags.find(landmark), (path, landmark)
        assert tags.find("a", href="#inhalt") and tags.find("main", id="inhalt"), path
        assert tags.find("meta", name="viewport"), path
        assert not tags.find("script"), path
        assert "NETZWERK Stadtforen Mitteldeutschland" in page, path


def test_also_at_names_the_other_forums() -> None:
    s = story(0, also_at=("Dresdens Erben e. V.", "Bürger für Weißenfels"))
    page = text(render([s]), "index.html")
    assert "auch bei: Dresdens Erben e. V., Bürger für Weißenfels" in page


def test_feeds_are_linked_in_head_and_body_with_meaningful_link_text() -> None:
    files = render([story(0)])
    tags = Tags(text(files, "index.html"))
    kinds = {a["type"]: a["href"] for a in tags.find("link", rel="alternate")}
    assert kinds == {
        "application/rss+xml": "feed.xml",
        "application/atom+xml": "atom.xml",
        "application/feed+json": "feed.json",
    }
    page = text(files, "index.html")
    assert '<a href="feed.xml">RSS-Feed aller Stadtforen</a>' in page
    city = text(files, "stadt/leipzig/index.html")
    assert '<a href="feed.xml">RSS-Feed Leipzig</a>' in city
    assert '<a href="atom.xml">Atom-Feed Leipzig</a>' in city
    assert '<a href="feed.json">JSON-Feed Leipzig</a>' in city
    assert '<a href="../../quellen.html">Quellen</a>' in city


# ---------------------------------------------------------------- escaping


def hostile_story() -> Story:
    return story(
        0,
        title=f"{HOSTILE} {TRICKY}",
        excerpt=f"{HOSTILE} Auszug {TRICKY}",
        source_name=f"Forum {HOSTILE}",
        also_at=(f"Andere {HOSTILE}",),
        cities=(f"Ort {HOSTILE}",),
        content_html='<p onclick="alert(2)">Text<script>alert(3)</script>'
        '<iframe src="https://evil.example/"></iframe><img src="x" onerror="alert(4)"></p>',
    )


def test_hostile_text_is_escaped_on_every_page() -> None:
    files = render([hostile_story()])
    pages = [p for p in files if p.endswith(".html")]
    assert len(pages) >= 5
    for path in pages:
        page = text(files, path)
        assert "<script" not in page, path
        assert "onclick" not in page and "onerror" not in page, path
    index = text(files, "index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&amp;&lt;&gt;&#39;" in index
    assert "auch bei: Andere &lt;script&gt;" in index
    assert "Forum &lt;script&gt;alert(1)&lt;/script&gt;" in index


def test_hostile_text_stays_text_in_every_feed() -> None:
    files = render([hostile_story()])
    feed_paths = [p for p in files if p.endswith(("feed.xml", "atom.xml", "feed.json"))]
    # the network, Leipzig, Halle (a member city) and the hostile "city"; the digest's feed
    assert len(feed_paths) == 13
    assert "stadt/ort-script-alert-1-script/feed.xml" in feed_paths
    for path in feed_paths:
        if path.endswith(".json"):  # plain-text fields hold the text as is; only HTML matters
            raw = "".join(item["content_html"] for item in json.loads(files[path])["items"])
        else:  # in XML every markup character of the text is escaped
            raw = text(files, path)
        assert "<script" not in raw and "<iframe" not in raw, path
        assert not re.search(r"<[^>]*\son\w+=", raw), path

    rss = ET.fromstring(files["feed.xml"])
    item = rss.find("channel/item")
    assert item is not None
    assert item.findtext("title") == f"{HOSTILE} {TRICKY}"
    # Inside the HTML fields the escaped text is still HTML text, never markup.
    description = item.findtext("description") or ""
    assert "<script" not in description and "&lt;script&gt;" in description
    encoded = item.findtext("{http://purl.org/rss/1.0/modules/content/}encoded") or ""
    for bad in ("<script", "<iframe", "onclick", "onerror", "alert(3)"):
        assert bad not in encoded
    atom = ET.fromstring(files["atom.xml"])
    ns = {"a": "http://www.w3.org/2005/Atom"}
    assert atom.findtext("a:entry/a:title", namespaces=ns) == f"{HOSTILE} {TRICKY}"
    feed = json.loads(files["feed.json"])
    assert feed["items"][0]["title"] == f"{HOSTILE} {TRICKY}"
    assert "<script" not in feed["items"][0]["content_html"]


def test_templates_escape_by_default() -> None:
    env = environment()
    assert env.autoescape is True
    rendered = env.from_string("{{ x }}").render(x=HOSTILE)
    assert rendered == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert isinstance(env.from_string(""), Template)


def test_no_site_template_marks_anything_safe() -> None:
    for path in Path(site_templates()).glob("*.html"):
        source = path.read_text(encoding="utf-8")
        assert "|safe" not in source.replace(" ", ""), path
        assert "autoescape false" not in source, path


def test_a_link_that_is_not_http_is_not_made_clickable() -> None:
    page = text(render([story(0, url="javascript:alert(1)")]), "index.html")
    assert "javascript:" not in page
    assert "<h2>Meldung 0</h2>" in page


# ---------------------------------------------------------------- pagination


def test_pagination_links_archive_pages_both_ways() -> None:
    files = render([story(n) for n in range(7)], page_size=3)
    assert {p for p in files if p.startswith("seite/")} == {"seite/2.html", "seite/3.html"}
    first = text(files, "index.html")
    assert '<a rel="next" href="seite/2.html">Ältere Meldungen</a>' in first
    assert 'rel="prev"' not in first
    assert "Seite 1 von 3" in first
    middle = text(files, "seite/2.html")
    assert '<a rel="prev" href="../index.html">Neuere Meldungen</a>' in middle
    assert '<a rel="next" href="3.html">Ältere Meldungen</a>' in middle
    assert "Seite 2 von 3" in middle
    assert '<link rel="stylesheet" href="../style.css">' in middle
    last = text(files, "seite/3.html")
    assert '<a rel="prev" href="2.html">Neuere Meldungen</a>' in last
    assert 'rel="next"' not in last
    assert "Meldung 6" in last and "Meldung 5" not in last


def test_a_single_page_has_no_pager_and_an_empty_site_still_renders() -> None:
    assert 'class="pager"' not in text(render([story(0)]), "index.html")
    empty = render([])
    assert "Noch keine Meldungen." in text(empty, "index.html")
    assert json.loads(empty["feed.json"])["items"] == []


# ---------------------------------------------------------------- cities


def test_every_city_gets_a_page_with_its_own_stories_and_feeds() -> None:
    stories = [
        story(0, cities=("Halle (Saale)",), source_city="Halle (Saale)", title="In Halle"),
        story(1, title="In Leipzig"),
        story(2, cities=("Leipzig", "Weißenfels"), title="In beiden"),
    ]
    files = render(stories)
    halle = text(files, "stadt/halle-saale/index.html")
    assert "<h1>Nachrichten aus Halle (Saale)</h1>" in halle
    assert "In Halle" in halle and "In Leipzig" not in halle
    weissenfels = text(files, "stadt/weissenfels/index.html")
    assert "In beiden" in weissenfels and "In Leipzig" not in weissenfels
    for slug in ("halle-saale", "leipzig", "weissenfels"):
        for name in ("feed.xml", "atom.xml", "feed.json"):
            assert f"stadt/{slug}/{name}" in files
    leipzig_feed = json.loads(files["stadt/leipzig/feed.json"])
    assert [i["title"] for i in leipzig_feed["items"]] == ["In Leipzig", "In beiden"]
    assert leipzig_feed["feed_url"] == BASE + "stadt/leipzig/feed.json"
    listing = text(files, "stadt/index.html")
    for slug, name in (("halle-saale", "Halle (Saale)"), ("weissenfels", "Weißenfels")):
        assert f'<a href="{slug}/index.html">{name}</a>' in listing


def test_a_story_without_tagged_cities_belongs_to_its_forums_city() -> None:
    files = render([story(0, cities=())])
    assert "Meldung 0" in text(files, "stadt/leipzig/index.html")


def test_a_member_city_without_stories_still_has_a_page() -> None:
    files = render([story(0)])
    assert "Noch keine Meldungen." in text(files, "stadt/halle-saale/index.html")


# ---------------------------------------------------------------- sources page


def test_sources_page_lists_members_with_status_in_german() -> None:
    files = render(sample_stories(10), sample_members())
    page = text(files, "quellen.html")
    assert "Stadtforum Leipzig" in page
    assert "in Ordnung" in page
    assert "unverändert" in page
    assert "Fehler: Zeitüberschreitung" in page
    assert "Adresse umgezogen nach https://aktionskreis-goerlitz.example/neuigkeiten/feed/" in page
    assert "noch nicht abgerufen" in page
    assert '<a class="url" href="https://www.stadtforum-leipzig.example/feed/">' in page
    assert '<time datetime="2026-11-24T09:30:00+01:00">24. November 2026, 09:30 Uhr</time>' in page
    assert '<a href="quellen.opml">' in page


def test_opml_lists_every_member_with_a_usable_feed() -> None:
    files = render(sample_stories(10), sample_members())
    opml = ET.fromstring(files["quellen.opml"])
    assert opml.get("version") == "2.0"
    assert opml.findtext("head/dateCreated") == "Tue, 24 Nov 2026 09:30:00 GMT"
    feeds = {o.get("text"): o.attrib for o in opml.iter("outline") if o.get("type") == "rss"}
    assert set(feeds) == {
        "Stadtforum Leipzig",
        "Arbeitskreis Innenstadt e. V. (AKI)",
        "Aktionskreis für Görlitz e. V.",
        "NETZWERK Stadtforen Mitteldeutschland",
    }  # Dresden has no feed; Weißenfels' guessed feed was never read
    leipzig = feeds["Stadtforum Leipzig"]
    assert leipzig["xmlUrl"] == "https://www.stadtforum-leipzig.example/feed/"
    assert leipzig["htmlUrl"] == "https://www.stadtforum-leipzig.example/"
    assert leipzig["title"] == "Stadtforum Leipzig"


# ---------------------------------------------------------------- 404 and resources


def test_not_found_page_links_by_absolute_path() -> None:
    members = [(LEIPZIG, None)]
    site = Site([story(0)], members, base_url="https://x.example/nachrichten", now=NOW)
    page = dict(site.render())["404.html"]
    assert isinstance(page, str)
    assert '<link rel="stylesheet" href="/nachrichten/style.css">' in page
    assert '<a href="/nachrichten/index.html">' in page


def test_pages_load_nothing_from_other_hosts() -> None:
    files = render(sample_stories(30), sample_members())
    for path, content in files.items():
        if not path.endswith(".html"):
            continue
        assert isinstance(content, str)
        tags = Tags(content)
        for tag, attrs in tags.tags:
            for name in ("src", "href", "srcset", "data", "poster"):
                value = attrs.get(name) or ""
                if tag == "a" and name == "href":
                    continue  # a link is followed only when a reader clicks it
                assert "//" not in value and ":" not in value, (path, tag, name, value)
        assert "@import" not in content and "url(" not in content, path


def test_bad_sizes_and_base_urls_are_refused() -> None:
    with pytest.raises(ValueError, match="page_size"):
        Site([], [], base_url=BASE, now=NOW, page_size=0)
    with pytest.raises(ValueError, match="base_url"):
        Site([], [], base_url="/relative/", now=NOW)


def test_navigation_marks_where_the_reader_is() -> None:
    files = render([story(n) for n in range(5)], page_size=2)
    assert '<a href="index.html" aria-current="page">Nachrichten</a>' in text(files, "index.html")
    assert '<a href="../index.html" aria-current="true">Nachrichten</a>' in text(
        files, "seite/2.html"
    )
    assert '<a href="../stadt/index.html" aria-current="page">Städte</a>' in text(
        files, "stadt/index.html"
    )
    city = text(files, "stadt/leipzig/index.html")
    assert '<a href="../../stadt/index.html" aria-current="true">Städte</a>' in city
    assert '<a href="quellen.html" aria-current="page">Quellen</a>' in text(files, "quellen.html")


def test_mail_templates_escape_html_but_not_plain_text() -> None:
    mail = environment("email")
    assert mail.autoescape is not True  # chosen per template name
    assert callable(mail.autoescape) and mail.autoescape("digest.html") is True
    assert mail.autoescape("digest.txt") is False
    for area in ("site", "digest", "web"):
        assert environment(area).autoescape is True
