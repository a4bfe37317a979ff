"""read_feed: a feed body to normalized items; one broken entry costs only that entry."""

from datetime import UTC, datetime

import pytest

import aggregator.reading
from aggregator.model import Source
from aggregator.reading import MAX_ITEMS_PER_FETCH, read_feed

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCE = Source("l", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f")
FEED = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>
<link>https://l.example/</link><description>d</description><ttl>90</ttl>
<item><title>Gut</title><link>https://l.example/1</link></item>
<item><title>kaputt</title><link>https://l.example/2</link></item>
</channel></rss>"""


def test_reads_items_and_ttl() -> None:
    read = read_feed(FEED, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW)
    assert [i.title for i in read.items] == ["Gut", "kaputt"]
    assert read.ttl_minutes == 90
    assert read.warning is None


def test_an_entry_that_crashes_the_normalizer_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: no known entry crashes the normalizer, so one is made to."""
    real = aggregator.reading.normalize_entry

    def normalize_entry(entry, **kwargs):  # type: ignore[no-untyped-def]
        if entry.title == "kaputt":
            raise UnicodeEncodeError("utf-8", "\udc00", 0, 1, "surrogates not allowed")
        return real(entry, **kwargs)

    monkeypatch.setattr(aggregator.reading, "normalize_entry", normalize_entry)
    read = read_feed(FEED, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW)
    assert [i.title for i in read.items] == ["Gut"]
    assert read.warning == "1 entry could not be read"


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
        f"<link>https://l.example/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def test_a_flood_of_3000_undated_entries_yields_the_first_200() -> None:
    flood = rss(
        "".join(
            f"<item><title>Nr. {n}</title><link>https://l.example/{n}</link></item>"
            for n in range(3_000)
        )
    )
    read = read_feed(flood, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW)
    assert MAX_ITEMS_PER_FETCH == 200
    assert [i.title for i in read.items] == [f"Nr. {n}" for n in range(200)]  # feed order
    assert read.warning == "3000 entries in the feed, took the newest 200"


def test_the_cap_keeps_dated_entries_newest_first_then_undated_in_feed_order() -> None:
    def item(title: str, day: int | None) -> str:
        date = f"<pubDate>{day:02d} Nov 2026 10:00:00 +0000</pubDate>" if day else ""
        return f"<item><title>{title}</title><link>https://l.example/{title}</link>{date}</item>"

    feed = rss(
        item("ohne-1", None)
        + item("alt", 2)
        + item("neu", 20)
        + item("ohne-2", None)
        + item("mittel", 10)
    )
    read = read_feed(
        feed, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW, max_items=3
    )
    # kept: the three dated ones (newest first would be neu, mittel, alt), in feed order
    assert [i.title for i in read.items] == ["alt", "neu", "mittel"]
    read = read_feed(
        feed, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW, max_items=4
    )
    assert [i.title for i in read.items] == ["ohne-1", "alt", "neu", "mittel"]
    assert read.warning == "5 entries in the feed, took the newest 4"
    read = read_feed(
        feed, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW, max_items=2
    )
    assert [i.title for i in read.items] == ["neu", "mittel"]


def test_entries_with_over_long_links_are_skipped_and_counted() -> None:
    long_link = "https://l.example/?q=" + "a" * 3_000
    feed = rss(
        "<item><title>Gut</title><link>https://l.example/1</link></item>"
        + f"<item><title>Lang 1</title><link>{long_link}</link></item>"
        + f"<item><title>Lang 2</title><link>{long_link}b</link></item>"
    )
    read = read_feed(feed, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=NOW)
    assert [i.title for i in read.items] == ["Gut"]
    assert read.warning == "2 entries skipped: link longer than 2000 bytes"


def test_items_read_carry_their_sources_city_and_what_the_text_is_about() -> None:
    from aggregator.model import Source

    source = Source("aki", "AKI", "Halle (Saale)", "https://aki.example/", "https://aki.example/f")
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>AKI</title>'
        b"<link>https://aki.example/</link><description>d</description><item>"
        b"<title>Abriss in Leipzig-Plagwitz</title><link>https://aki.example/1</link>"
        b"<description>Das Gr\xc3\xbcnderzeithaus soll abgerissen werden.</description>"
        b"</item></channel></rss>"
    )
    from datetime import UTC, datetime

    from aggregator.reading import read_feed

    read = read_feed(
        body,
        url="https://aki.example/f",
        content_type="application/rss+xml",
        source=source,
        now=datetime(2026, 11, 24, tzinfo=UTC),
    )
    (item,) = read.items
    assert item.cities == ("Halle (Saale)",)
    found = {(t.kind, t.value, t.origin) for t in item.tags}
    assert ("city", "Leipzig", "text") in found
    assert ("topic", "denkmalpflege", "text") in found
