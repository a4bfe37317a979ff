"""A hostile feed on a real SQLite file and a real PostgreSQL database (issue 10, point 2).

PostgreSQL refuses an index entry above ~2.7 KB ("index row size … exceeds btree version 4
maximum"): before the field limits one long guid or link made the whole batch, and with it the
crawl, fail. Now every entry is bounded before it is stored, on both databases alike.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from aggregator.limits import MAX_CONTENT_BYTES, MAX_GUID_BYTES, MAX_TITLE_CHARS
from aggregator.model import Source
from aggregator.reading import read_feed
from aggregator.store import Store
from aggregator.store.schema import ItemRow

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
SOURCE = Source(
    "leipzig",
    "Stadtforum Leipzig",
    "Leipzig",
    "https://stadtforum-leipzig.example/",
    "https://stadtforum-leipzig.example/feed/",
)
# Incompressible: PostgreSQL compresses a long index entry first, so "x" * 3000 would pass.
_RANDOM = random.Random(10)
LONG_GUID = "tag:stadtforum-leipzig.example,2026:" + "".join(
    _RANDOM.choices("äöüßÄÖÜéàçœøåłžšđ€", k=1_500)
)  # 3 KB
LONG_LINK = "https://stadtforum-leipzig.example/?s=" + _RANDOM.randbytes(2_250).hex()  # 4.5 KB
LONG_TITLE = "Übergabe der Unterschriften für den Erhalt " * 70  # 5 KB, multi-byte
BIG_CONTENT = "<p>" + "Die Halle am Ufer wird saniert. " * 65_536 + "</p>"  # 2 MB
LONG_AUTHOR = "Arbeitsgruppe " * 215  # 3 KB


def entry(
    guid: str, link: str, title: str = "Meldung", body: str = "Text", author: str = "AG"
) -> str:
    return (
        f"<item><guid isPermaLink='false'>{guid}</guid><title>{title}</title>"
        f"<link>{link}</link><description><![CDATA[{body}]]></description>"
        f"<author>{author}</author><pubDate>Mon, 23 Nov 2026 10:00:00 +0100</pubDate></item>"
    )


HOSTILE_FEED = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Forum</title>'
    "<link>https://stadtforum-leipzig.example/</link><description>d</description>"
    + entry("gut-1", "https://stadtforum-leipzig.example/gut-1/", "Gute Meldung eins")
    + entry(LONG_GUID, "https://stadtforum-leipzig.example/lang-guid/", "Lange Guid")
    + entry("lang-link", LONG_LINK, "Langer Link")
    + entry("lang-titel", "https://stadtforum-leipzig.example/lang-titel/", LONG_TITLE)
    + entry("gross", "https://stadtforum-leipzig.example/gross/", "Großer Inhalt", BIG_CONTENT)
    + entry("autor", "https://stadtforum-leipzig.example/autor/", "Langer Autor", "x", LONG_AUTHOR)
    + entry(LONG_GUID + "-ohne-link", "", "Lange Guid ohne Link")
    + entry("gut-2", "https://stadtforum-leipzig.example/gut-2/", "Gute Meldung zwei")
    + "</channel></rss>"
).encode()


def test_a_hostile_feed_is_stored_on_both_databases_and_its_good_entries_with_it(
    engine: Engine,
) -> None:
    store = Store(engine)
    store.sync_sources([SOURCE])

    def crawl(now: datetime) -> tuple[tuple[int, int], str | None]:
        read = read_feed(
            HOSTILE_FEED, url=SOURCE.feed or "", content_type=None, source=SOURCE, now=now
        )
        return store.upsert_items(read.items, now), read.warning

    (new, updated), warning = crawl(NOW)
    assert (new, updated) == (7, 0)  # all but the over-long link
    assert warning == "1 entry skipped: link longer than 2000 bytes"

    stories = {story.title[:20]: story for story in store.stories()}
    assert {"Gute Meldung eins", "Gute Meldung zwei", "Lange Guid", "Lange Guid ohne Link"} <= set(
        stories
    )
    assert "Langer Link" not in stories
    assert len(stories["Übergabe der Untersc"].title) <= MAX_TITLE_CHARS
    content = store.contents([stories["Großer Inhalt"].id])[stories["Großer Inhalt"].id]
    assert MAX_CONTENT_BYTES // 2 < len(content.encode()) <= MAX_CONTENT_BYTES
    assert content.endswith("…</p>")
    with engine.connect() as conn:
        longest_guid = conn.execute(select(func.max(func.length(ItemRow.guid)))).scalar_one()
        longest_author = conn.execute(select(func.max(func.length(ItemRow.author)))).scalar_one()
    assert longest_guid <= MAX_GUID_BYTES
    assert longest_author <= 200

    # The next crawl finds every row again (the hashed guids are stable): nothing new.
    assert crawl(NOW + timedelta(hours=1))[0] == (0, 0)
    assert len(store.stories()) == 7
