"""read_feed: a feed body to normalized items; one broken entry costs only that entry."""

from datetime import UTC, datetime

import pytest

import aggregator.reading
from aggregator.model import Source
from aggregator.reading import read_feed

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
