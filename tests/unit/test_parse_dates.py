"""Feed dates as members' sites write them: aware when a zone is named, naive otherwise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from aggregator.parse.dates import parse_date

CEST = timezone(timedelta(hours=2))
CET = timezone(timedelta(hours=1))
EST = timezone(timedelta(hours=-5))

TABLE = [
    # RFC 822 / RFC 2822, as RSS wants it
    ("Wed, 01 May 2024 10:00:00 +0200", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("Wed, 01 May 2024 10:00:00 GMT", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    ("Wed, 01 May 2024 10:00:00 UT", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    ("Wed, 01 May 2024 10:00:00 Z", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    ("Wed, 01 May 2024 10:00:00 -0000", datetime(2024, 5, 1, 10, 0, tzinfo=UTC)),
    ("Wed, 01 May 2024 10:00:00 EST", datetime(2024, 5, 1, 10, 0, tzinfo=EST)),
    ("Wed, 01 May 2024 10:00:00 CEST", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("Wed, 01 May 2024 10:00:00 MESZ", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("Fri, 01 Mar 2024 10:00:00 MEZ", datetime(2024, 3, 1, 10, 0, tzinfo=CET)),
    ("Fri, 01 Mar 2024 10:00:00 CET", datetime(2024, 3, 1, 10, 0, tzinfo=CET)),
    ("Wed, 01 May 2024 10:00:00 +02:00", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("Wed, 01 May 2024 10:00:00 +0200 (CEST)", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    # real-world variants
    ("01 May 2024 10:00:00 +0200", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),  # no weekday
    ("Wed, 1 May 24 10:00 +0200", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),  # 2-digit year
    ("Thu, 31 Dec 99 23:59:59 GMT", datetime(1999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("Mi, 01 Mai 2024 10:00:00 +0200", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),  # German
    ("Wed, 01 May 2024 10:00:00", datetime(2024, 5, 1, 10, 0)),  # no zone: naive
    ("Wed, 01 May 2024", datetime(2024, 5, 1)),
    ("01-May-2024 10:00", datetime(2024, 5, 1, 10, 0)),
    # RFC 3339 / ISO 8601
    ("2024-05-01T10:00:00+02:00", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("2024-05-01T10:00:00+0200", datetime(2024, 5, 1, 10, 0, tzinfo=CEST)),
    ("2024-05-01T08:00:00Z", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
    ("2024-05-01t08:00:00z", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
    ("2024-05-01T08:00:00.250Z", datetime(2024, 5, 1, 8, 0, 0, 250000, tzinfo=UTC)),
    ("2024-05-01 08:00:00 UTC", datetime(2024, 5, 1, 8, 0, tzinfo=UTC)),
    ("2024-05-01 10:00", datetime(2024, 5, 1, 10, 0)),  # naive
    ("2024-05-01T10:00:00", datetime(2024, 5, 1, 10, 0)),  # naive
    ("2024-05-01", datetime(2024, 5, 1)),
    # German dates on hand-made sites
    ("1. Mai 2024", datetime(2024, 5, 1)),
    ("3. März 2024", datetime(2024, 3, 3)),
    ("12. Okt. 2023", datetime(2023, 10, 12)),
    ("24. Dezember 2023", datetime(2023, 12, 24)),
    ("Mittwoch, 1. Mai 2024, 18:30 Uhr", datetime(2024, 5, 1, 18, 30)),
    ("01.05.2024", datetime(2024, 5, 1)),
    ("1.5.24 um 18.30 Uhr", datetime(2024, 5, 1, 18, 30)),
    # feedparser's handlers as the last resort (asctime, W3DTF year-month): read as UTC
    ("Sun Jan  4 16:29:06 2004", datetime(2004, 1, 4, 16, 29, 6, tzinfo=UTC)),
    ("2003-12", datetime(2003, 12, 1, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "expected"), TABLE)
def test_parse_date(text: str, expected: datetime) -> None:
    result = parse_date(text)

    assert result == expected
    assert (result is not None and result.tzinfo is not None) == (expected.tzinfo is not None)
    if expected.tzinfo is not None:
        assert result is not None and result.utcoffset() == expected.utcoffset()


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "morgen", "0000-00-00 00:00:00", "31. Februar 2024", "1 May 2024 Foo"],
)
def test_unreadable_dates_are_none(text: str | None) -> None:
    assert parse_date(text) is None


def test_surrounding_and_inner_whitespace_is_ignored() -> None:
    assert parse_date("\n  Wed,  01 May 2024\t10:00:00 +0200 \n") == datetime(
        2024, 5, 1, 10, 0, tzinfo=CEST
    )


@pytest.mark.parametrize(
    "text",
    [
        "2024-13-45",  # feedparser's fallback made it 1 January 2025
        "2024-02-30T10:00:00Z",  # … 1 March 2024
        "-0001-11-30T00:00:00+00:00",  # PHP's zero date: … 1 January 2000
        "1714557600",  # a Unix timestamp: … 25 May 2017
    ],
)
def test_what_the_fallback_cannot_read_is_not_turned_into_another_date(text: str) -> None:
    assert parse_date(text) is None
