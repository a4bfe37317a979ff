"""Publishing to a real folder: what subscribers read back, and the atomic swap."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from calendar import timegm
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import feedparser
import pytest

from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.model import Source, Story
from aggregator.publish import PublishError, PublishReport, publish_site
from aggregator.publish.feeds import story_guid
from aggregator.publish.output import builds_dir
from aggregator.publish.sample import HOSTILE_TITLE, NOW, sample_members, sample_stories
from aggregator.store.db import make_engine, upgrade
from aggregator.store.repository import Store
from aggregator.templating import template_root

BASE = "https://nachrichten.netzwerk-stadtforen.de/"


def publish(
    out: Path,
    stories: list[Story],
    *,
    now: datetime = NOW,
    page_size: int = 50,
    feed_size: int = 50,
) -> PublishReport:
    return publish_site(
        stories,
        sample_members(),
        out,
        base_url=BASE,
        now=now,
        page_size=page_size,
        feed_size=feed_size,
    )


def test_publish_writes_the_whole_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    report = publish(out, sample_stories(120), page_size=50)
    assert report.stories == 120
    assert report.out_dir == out
    names = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    for name in (
        "index.html",
        "seite/2.html",
        "seite/3.html",
        "feed.xml",
        "atom.xml",
        "feed.json",
        "quellen.html",
        "quellen.opml",
        "404.html",
        "style.css",
        "favicon.svg",
        "stadt/index.html",
        "stadt/halle-saale/index.html",
        "stadt/halle-saale/feed.xml",
        "stadt/halle-saale/atom.xml",
        "stadt/halle-saale/feed.json",
        "stadt/weissenfels/index.html",
    ):
        assert name in names, name
    assert "seite/4.html" not in names
    assert report.pages == sum(1 for n in names if n.endswith(".html"))
    assert report.feeds == sum(1 for n in names if n.endswith((".xml", ".json", ".opml")))
    assert oct(report.build_dir.stat().st_mode & 0o777) == "0o755"  # a web server can read it


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml", "stadt/leipzig/feed.xml"])
def test_feedparser_reads_back_every_story(tmp_path: Path, name: str) -> None:
    stories = sample_stories(60, hostile=True)
    publish(tmp_path / "public", stories, feed_size=50)
    parsed = feedparser.parse((tmp_path / "public" / name).read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.feed.language == "de"
    expected = stories[:50]
    if name.startswith("stadt/leipzig/"):
        expected = [s for s in stories if "Leipzig" in s.cities][:50]
    assert len(parsed.entries) == len(expected)
    for entry, story in zip(parsed.entries, expected, strict=True):
        assert entry.id == story_guid(story)
        assert entry.title == story.title
        assert entry.link == story.url
        assert timegm(entry.published_parsed) == int(story.published.timestamp())
        assert entry.author == story.source_name
        assert [t.term for t in entry.tags] == list(story.cities)
    if name != "stadt/leipzig/feed.xml":
        assert parsed.entries[0].title == HOSTILE_TITLE  # text, not markup, for a real reader


def test_json_feed_reads_back_every_story(tmp_path: Path) -> None:
    stories = sample_stories(30, hostile=True)
    publish(tmp_path / "public", stories)
    feed = json.loads((tmp_path / "public" / "feed.json").read_text(encoding="utf-8"))
    assert [i["id"] for i in feed["items"]] == [story_guid(s) for s in stories]
    for item, story in zip(feed["items"], stories, strict=True):
        assert item["title"] == story.title
        assert item["url"] == story.url
        assert datetime.fromisoformat(item["date_published"]) == story.published
        assert "<script" not in item["content_html"]


def test_stories_without_content_get_it_for_the_feeds_only(tmp_path: Path) -> None:
    stories = sample_stories(120)
    contents = {s.id: s.content_html for s in stories}
    asked: list[list[str]] = []

    def load_content(ids: Sequence[str]) -> dict[str, str]:
        asked.append(list(ids))
        return {i: contents[i] for i in ids}

    light = [replace(s, content_html="") for s in stories]
    publish_site(
        light,
        sample_members(),
        tmp_path / "public",
        base_url=BASE,
        now=NOW,
        load_content=load_content,
    )
    feed = json.loads((tmp_path / "public" / "feed.json").read_text(encoding="utf-8"))
    assert len(feed["items"]) == 50
    assert all(item["content_html"] for item in feed["items"])  # the content arrived
    assert asked[0] == [s.id for s in stories[:50]]  # only what the network feed carries
    assert all(len(ids) <= 50 for ids in asked)  # one small request per feed folder


# ---------------------------------------------------------------- atomic swap


def test_out_dir_is_a_symlink_to_the_live_build_and_old_builds_are_pruned(tmp_path: Path) -> None:
    out = tmp_path / "public"
    builds = builds_dir(out)
    reports = [
        publish(out, sample_stories(5 + n), now=NOW + timedelta(minutes=n)) for n in range(4)
    ]
    assert out.is_symlink()
    assert out.resolve() == reports[-1].build_dir.resolve()
    assert not os.path.isabs(os.readlink(out))  # relative: the pair can be moved together
    # the live build and the one before it (readers may still be inside it), nothing older
    kept = sorted(p.name for p in builds.iterdir() if p.name.startswith("build-"))
    assert kept == sorted([reports[-1].build_dir.name, reports[-2].build_dir.name])
    assert json.loads((out / "feed.json").read_text(encoding="utf-8"))["items"][0]["id"] == (
        story_guid(sample_stories(8)[0])
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".swap-")]


def test_publishing_twice_with_the_same_clock_gives_two_builds(tmp_path: Path) -> None:
    out = tmp_path / "public"
    first = publish(out, sample_stories(3))
    second = publish(out, sample_stories(4))
    assert first.build_dir != second.build_dir
    assert out.resolve() == second.build_dir.resolve()


def test_a_real_folder_in_the_way_is_moved_aside_not_deleted(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    (out / "handmade.html").write_text("von Hand", encoding="utf-8")
    publish(out, sample_stories(3))
    publish(out, sample_stories(4))
    publish(out, sample_stories(5))
    assert out.is_symlink() and (out / "index.html").is_file()
    kept = [p for p in builds_dir(out).iterdir() if p.name.startswith("original-")]
    assert len(kept) == 1
    assert (kept[0] / "handmade.html").read_text(encoding="utf-8") == "von Hand"


def test_an_empty_folder_in_the_way_is_just_replaced(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.mkdir()
    publish(out, sample_stories(3))
    assert out.is_symlink()
    assert not [p for p in builds_dir(out).iterdir() if p.name.startswith("original-")]


def test_a_failed_publish_leaves_the_last_good_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "public"
    good = publish(out, sample_stories(3))
    before = (out / "index.html").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="base_url"):
        publish_site(sample_stories(9), sample_members(), out, base_url="kaputt", now=NOW)

    def disk_full(folder: Path) -> None:  # the pages are written, then the disk is full
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("aggregator.publish.build.copy_static", disk_full)
    with pytest.raises(PublishError, match="No space left on device"):
        publish(out, sample_stories(9))
    assert out.resolve() == good.build_dir.resolve()
    assert (out / "index.html").read_text(encoding="utf-8") == before
    assert [p.name for p in builds_dir(out).iterdir() if p.name.startswith("build-")] == [
        good.build_dir.name
    ]


def test_readers_never_see_a_half_written_site(tmp_path: Path) -> None:
    out = tmp_path / "public"
    publish(out, sample_stories(40), page_size=10)
    stop = threading.Event()
    problems: list[str] = []
    reads = 0

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                index = (out / "index.html").read_text(encoding="utf-8")
                feed = json.loads((out / "feed.json").read_bytes())
            except (OSError, ValueError) as exc:
                problems.append(repr(exc))
                continue
            if not index.rstrip().endswith("</html>"):
                problems.append("index.html cut short")
            if not feed["items"]:
                problems.append("feed.json without items")
            reads += 1

    threads = [threading.Thread(target=reader) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for n in range(12):
            publish(out, sample_stories(40 + n), page_size=10, now=NOW + timedelta(minutes=n))
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert reads > 0
    assert problems == []


# ---------------------------------------------------------------- resources and templates


def test_no_written_page_loads_anything_from_another_host(tmp_path: Path) -> None:
    from html.parser import HTMLParser

    out = tmp_path / "public"
    publish(out, sample_stories(60, hostile=True))
    found: list[str] = []

    class Resources(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            for name, value in attrs:
                if name in ("src", "srcset", "href", "data", "poster", "action") and value:
                    if tag == "a" and name == "href":
                        continue
                    if "//" in value or ":" in value:
                        found.append(f"<{tag} {name}={value!r}>")

    pages = list(out.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        Resources().feed(page.read_text(encoding="utf-8"))
    css = (out / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css
    assert found == []


def test_templates_are_found_in_the_source_checkout() -> None:
    root = template_root()
    assert (root / "site" / "base.html").is_file()
    assert (root / "site" / "static" / "style.css").is_file()


def test_a_relative_out_dir_is_reported_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    report = publish(Path("public"), sample_stories(10))
    assert report.out_dir == tmp_path / "public"
    assert (tmp_path / "public" / "index.html").is_file()
    assert report.elapsed_s >= 0


def test_a_file_where_the_site_should_go_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "public"
    out.write_text("keine Website", encoding="utf-8")
    with pytest.raises(PublishError, match="is a file, not a folder"):
        publish(out, sample_stories(3))
    assert out.read_text(encoding="utf-8") == "keine Website"


# ---------------------------------------------------------------- hostile characters end to end

_UNSAFE = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0))]
_UNSAFE += ["\ufffe", "\uffff", "\ufdd0", "\U0001fffe"]


def test_control_characters_from_feeds_stop_neither_the_crawl_nor_the_publish(
    tmp_path: Path,
) -> None:
    """A feed can carry what no XML or HTML document may hold: `&#1;` inside escaped HTML (the
    XML stays well-formed), C1 controls from a wrong charset, a lone surrogate escaped in JSON.
    Before, the surrogate aborted the whole crawl (nh3 cannot encode it) and `&#1;` reached the
    database and made lxml refuse to write any feed, so no site was published at all."""
    rss = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        b"<link>https://forum.example/</link><description>d</description>"
        b"<item><guid>a</guid><title>Steuer&#x85;zeichen &amp;#1;Titel</title>"
        b"<link>https://forum.example/a</link><pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate>"
        b"<description>&lt;p&gt;vor&amp;#1;her &amp;#x0B;nach&amp;#xFFFE;her&lt;/p&gt;"
        b"</description>"
        b"</item></channel></rss>"
    )
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "j1",'
        b' "url": "https://forum.example/j1", "title": "Einsam \\ud800 \\u0001 Titel",'
        b' "content_html": "<p>x\\udc00y\\u0002z</p>", "date_published": "2026-11-23T10:00:00Z",'
        b' "authors": [{"name": "Re\\u0085daktion"}]}]}'
    )
    with FixtureServer() as server:
        server.routes["/rss"] = Response(200, rss, {"Content-Type": "application/rss+xml"})
        server.routes["/json"] = Response(200, json_feed, {"Content-Type": "application/json"})
        sources = [
            Source("rss", "Forum RSS", "Leipzig", "https://forum.example/", server.url("/rss")),
            Source(
                "json", "Forum JSON", "Halle (Saale)", "https://forum.example/", server.url("/json")
            ),
        ]
        engine = make_engine(f"sqlite:///{tmp_path / 'crawl.db'}")
        upgrade(engine)
        store = Store(engine)
        report = asyncio.run(
            crawl(
                sources,
                store,
                FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3),
                clock=lambda: NOW,
            )
        )
    assert [o.status for o in report.outcomes] == ["ok", "ok"]
    stories = store.stories()
    assert sorted(s.title for s in stories) == ["Einsam Titel", "Steuer…zeichen Titel"]

    out = tmp_path / "public"
    publish_site(stories, [(s, None) for s in sources], out, base_url=BASE, now=NOW)
    files = [p for p in out.rglob("*") if p.is_file() and p.suffix != ".svg"]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")  # no lone surrogate either: it would not decode
        assert not any(c in text for c in _UNSAFE), path
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert {e.title for e in parsed.entries} == {"Einsam Titel", "Steuer…zeichen Titel"}
    assert "vorher nachher" in (out / "feed.json").read_text(encoding="utf-8")
