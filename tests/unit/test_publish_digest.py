"""The weekly digest on the public site: issue pages, archive, Atom feed, nav link, front page."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from html.parser import HTMLParser

import feedparser

from aggregator.model import Digest, DigestEntry, FetchState, Source, Story
from aggregator.publish.site import Site

BASE = "https://nachrichten.netzwerk-stadtforen.de/"
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
HOSTILE = '<script>alert(1)</script>"&'
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
TOPICS = [("denkmalpflege", "Denkmalpflege"), ("verkehr", "Verkehr")]
VOID = {"meta", "link", "br", "img", "input", "hr"}


def entry(n: int, **changes: object) -> DigestEntry:
    base = DigestEntry(
        id=n,
        position=n,
        cluster_key=f"k{n}",
        item_id=n,
        title=f"Meldung {n}",
        blurb=f"Kurztext {n}",
        url=f"https://leipzig.example/{n}",
        sources=("Stadtforum Leipzig",),
        cities=("Leipzig",),
        topics=(),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def digest(week: str, entries: list[DigestEntry], **changes: object) -> Digest:
    base = Digest(
        id=1,
        week=week,
        status="approved",
        grouping="topic",
        intro="Liebe Leserinnen und Leser,\n\ndiese Woche war viel los.",
        version=3,
        created_at=NOW,
        updated_at=NOW,
        approved_at=datetime(2026, 11, 30, 7, 0, tzinfo=UTC),
        approved_by="Anna",
        entries=tuple(entries),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


W48 = digest(
    "2026-W48",
    [
        entry(0, topics=("verkehr",), sources=("Stadtforum Leipzig", "Stadtforum Dresden")),
        entry(1, headline_override="Eigene Überschrift", blurb_override="Eigener Text"),
        entry(2, topics=("denkmalpflege",), title=HOSTILE, blurb=HOSTILE),
        entry(3, topics=("verkehr",), included=False, title="Ausgeblendet"),
        entry(
            4,
            manual=True,
            cluster_key=None,
            item_id=None,
            title="Aufruf",
            url="javascript:alert(2)",
            sources=(),
            cities=(),
        ),
    ],
)
W47 = digest("2026-W47", [entry(0)], approved_at=datetime(2026, 11, 23, 7, tzinfo=UTC), intro="")
DRAFT = digest(
    "2026-W49", [entry(0, title="Entwurf")], status="draft", approved_at=None, approved_by=None
)


def render(digests: list[Digest]) -> dict[str, str]:
    story = Story(
        id="leipzig:1",
        source_id="leipzig",
        source_name="Stadtforum Leipzig",
        source_city="Leipzig",
        title="Meldung",
        url="https://l.example/1",
        content_html="",
        excerpt="",
        published=NOW,
        updated=None,
        first_seen=NOW,
    )
    site = Site(
        [story],
        [(LEIPZIG, FetchState("leipzig"))],
        base_url=BASE,
        now=NOW,
        topics=TOPICS,
        digests=digests,
    )
    return {path: c.decode() if isinstance(c, bytes) else c for path, c in site.render()}


class Structure(HTMLParser):
    """Start tags, and whether every element is closed in order (no stray or missing end tag)."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.problems: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()
        self.problems += [f"unclosed <{t}>" for t in self.open]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.problems.append(f"</{tag}> while {self.open[-1:]} open")
        else:
            self.open.pop()

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]


def test_issue_page_shows_included_entries_by_topic_with_edits() -> None:
    page = render([W48, W47])["digest/2026-W48.html"]
    s = Structure(page)
    assert s.problems == []
    assert page.startswith('<!DOCTYPE html>\n<html lang="de">')
    assert [t for t, _ in s.tags if t == "h1"] == ["h1"]
    assert "Stadtforen-Wochenschau KW 48/2026" in s.text
    headings = [a.get("id") for a in s.find("h2")]
    assert headings == ["thema-denkmalpflege", "thema-verkehr", "thema-weiteres", "abonnieren"]
    text = " ".join(s.text)
    assert text.index(HOSTILE) < text.index("Meldung 0") < text.index("Eigene Überschrift")
    assert "Eigener Text" in s.text and "Kurztext 1" not in s.text
    assert "Ausgeblendet" not in page and "Entwurf" not in page
    assert "<script" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&amp;" in page
    assert s.find("a", href="https://leipzig.example/0")
    assert not s.find("a", href="javascript:alert(2)") and "Aufruf" in s.text
    assert '<span class="forum">Stadtforum Leipzig, Stadtforum Dresden</span> · Leipzig' in page
    assert "Liebe Leserinnen und Leser," in s.text and "diese Woche war viel los." in s.text
    assert "23. November 2026 bis 29. November 2026 · erschienen am" in page
    assert s.find("a", href="2026-W47.html", rel="prev") and s.find("a", href="index.html")
    assert s.find("a", href="../digest/index.html", **{"aria-current": "true"})


def test_drafts_are_never_published_and_the_archive_lists_issues_newest_first() -> None:
    files = render([W47, DRAFT, W48])
    assert sorted(p for p in files if p.startswith("digest/")) == [
        "digest/2026-W47.html",
        "digest/2026-W48.html",
        "digest/feed.xml",
        "digest/index.html",
    ]
    archive = Structure(files["digest/index.html"])
    assert archive.problems == []
    links = [
        a["href"] for a in archive.find("a") if a["href"] in ("2026-W48.html", "2026-W47.html")
    ]
    assert links == ["2026-W48.html", "2026-W47.html"]
    assert "Entwurf" not in "".join(files.values())
    assert archive.find("a", href="../digest/index.html", **{"aria-current": "page"})
    for page in ("digest/index.html", "digest/2026-W48.html"):  # readers can subscribe by mail
        links = Structure(files[page]).find("a", href="../newsletter")
        assert len(links) == 1, page


def test_wochenschau_is_linked_on_every_page_and_the_latest_beside_the_front_page() -> None:
    files = render([W47, W48])
    for path, content in files.items():
        if path.endswith(".html") and path != "404.html":
            depth = path.count("/")
            assert f'href="{"../" * depth}digest/index.html"' in content, path
    assert 'href="/digest/index.html"' in files["404.html"]
    front = Structure(files["index.html"])
    assert front.problems == []
    assert front.find("aside", **{"aria-labelledby": "wochenschau"})
    assert front.find("a", href="digest/2026-W48.html")
    assert "23. November 2026 bis 29. November 2026 · 4 Meldungen" in front.text
    assert "wochenschau" not in files["stadt/leipzig/index.html"].replace("Wochenschau", "")


def test_without_approved_digests_the_archive_says_so_and_the_front_page_has_no_box() -> None:
    files = render([DRAFT])
    assert "Noch ist keine Ausgabe erschienen." in files["digest/index.html"]
    assert "latest-digest" not in files["index.html"]
    assert feedparser.parse(files["digest/feed.xml"]).entries == []


def test_atom_feed_has_one_entry_per_issue_with_its_content() -> None:
    feed = feedparser.parse(render([W47, DRAFT, W48])["digest/feed.xml"])
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Stadtforen-Wochenschau – NETZWERK Stadtforen Mitteldeutschland"
    got = [(e.title, e.link, e.published) for e in feed.entries]
    assert got == [
        (
            "Stadtforen-Wochenschau KW 48/2026",
            BASE + "digest/2026-W48.html",
            "2026-11-30T07:00:00+00:00",
        ),
        (
            "Stadtforen-Wochenschau KW 47/2026",
            BASE + "digest/2026-W47.html",
            "2026-11-23T07:00:00+00:00",
        ),
    ]
    content = feed.entries[0].content[0].value
    assert '<a href="https://leipzig.example/0">Meldung 0</a>' in content
    assert "Eigene Überschrift" in content and "Ausgeblendet" not in content
    assert "<script" not in content
    assert feed.entries[0].id.startswith("urn:uuid:") and feed.entries[0].id != feed.entries[1].id
