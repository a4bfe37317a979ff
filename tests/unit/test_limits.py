"""Field limits: no value a feed sends can make the database refuse a row (issue 10, point 2)."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from aggregator.limits import (
    MAX_AUTHOR_CHARS,
    MAX_CONTENT_BYTES,
    MAX_GUID_BYTES,
    MAX_TITLE_CHARS,
    MAX_URL_BYTES,
    Refusal,
    bound_item,
)
from aggregator.model import Entry, Item, Source
from aggregator.normalize import normalize_entry, sanitize_html

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCE = Source("l", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f")
# PostgreSQL's btree refuses index entries above ~2,704 bytes: guid and canonical_url are indexed
BTREE_LIMIT = 2_704


def item(**fields: str | None) -> Item:
    entry = Entry(
        guid=fields.get("guid", "https://l.example/?p=1"),
        link=fields.get("link", "https://l.example/2026/11/rundgang/"),
        title=fields.get("title", "Rundgang am Markt"),
        content_html=fields.get("content_html", "<p>Wir laden ein.</p>"),
        author=fields.get("author", "Anna Schmidt"),
        published=datetime(2026, 11, 23, 10, 0, tzinfo=UTC),
    )
    made = normalize_entry(entry, source=SOURCE, feed_url=SOURCE.feed or "", now=NOW)
    assert made is not None
    return made


def bounded(made: Item) -> Item:
    result = bound_item(made)
    assert isinstance(result, Item), result
    return result


def utf8(text: str) -> int:
    return len(text.encode("utf-8"))


def test_a_normal_item_is_returned_unchanged() -> None:
    made = item()
    assert bound_item(made) is made


def test_a_3_kb_guid_is_hashed_the_same_way_on_every_crawl() -> None:
    long_guid = "tag:l.example,2026:" + "ä" * 1_500  # 3 KB in UTF-8
    first = bounded(item(guid=long_guid))
    again = bounded(item(guid=long_guid))
    other = bounded(item(guid=long_guid + "x"))
    assert first.guid.startswith("sha256:")
    assert utf8(first.guid) <= MAX_GUID_BYTES
    assert first.guid == again.guid != other.guid
    assert first.url == "https://l.example/2026/11/rundgang/"  # nothing else changes
    assert first.title == "Rundgang am Markt"


def test_a_long_guid_in_the_dedup_key_of_an_item_without_link_is_hashed_there_too() -> None:
    long_guid = "x" * 3_000
    result = bounded(item(guid=long_guid, link=None))
    assert result.url == SOURCE.homepage
    assert result.canonical_url == f"https://l.example/#{result.guid}"
    assert utf8(result.canonical_url) < BTREE_LIMIT


def test_a_3_kb_link_refuses_the_item_with_a_reason() -> None:
    long_link = "https://l.example/suche?q=" + "a" * 3_000
    assert bound_item(item(link=long_link)) == Refusal(f"link longer than {MAX_URL_BYTES} bytes")
    # multi-byte: 1,018 characters are 2,018 bytes
    assert isinstance(bound_item(item(link="https://l.example/" + "ü" * 1_000)), Refusal)
    # a guid that is a long URL becomes the link of an entry without one
    assert isinstance(bound_item(item(link=None, guid=long_link)), Refusal)


def test_a_link_just_within_the_bound_is_kept() -> None:
    link = "https://l.example/" + "a" * (MAX_URL_BYTES - len("https://l.example/"))
    assert bounded(item(link=link)).url == link


def test_a_1_mb_title_is_cut_at_a_word_boundary() -> None:
    title = "Denkmal " * 131_072  # 1 MB
    result = bounded(item(title=title))
    assert len(result.title) <= MAX_TITLE_CHARS
    assert result.title.endswith("Denkmal…")


def test_a_long_author_is_cut() -> None:
    result = bounded(item(author="Verein " * 1_000))
    assert result.author is not None
    assert len(result.author) <= MAX_AUTHOR_CHARS
    assert result.author.endswith("…")


class _Balance(HTMLParser):
    """Open elements (void ones aside) left at the end: empty for well-formed HTML."""

    VOID = frozenset({"br", "img", "hr", "col"})

    def __init__(self, text: str) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()


def test_1_mb_of_content_is_cut_and_well_formed_again() -> None:
    paragraph = '<p>Der <a href="https://l.example/a?x=1&amp;y=2">Markt</a> &amp; die Kirche. '
    content = "<div><blockquote>" + paragraph * 15_000 + "</blockquote></div>"  # ~1.1 MB
    result = bounded(item(content_html=content))
    assert utf8(result.content_html) <= MAX_CONTENT_BYTES
    assert utf8(result.content_html) > MAX_CONTENT_BYTES // 2  # cut, not emptied
    assert result.content_html.endswith("…</p></blockquote></div>")
    assert _Balance(result.content_html).stack == []
    assert sanitize_html(result.content_html) == result.content_html  # as clean as stored


def test_multi_byte_content_is_bounded_in_bytes() -> None:
    content = "<p>" + "Straßenbahn über die Brücke " * 40_000 + "</p>"  # ~1.2 MB, < 1.1 M chars
    result = bounded(item(content_html=content))
    assert utf8(result.content_html) <= MAX_CONTENT_BYTES
    assert result.content_html.startswith("<p>Straßenbahn")
    assert result.content_html.endswith("…</p>")
