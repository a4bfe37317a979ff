"""Dates as feeds and pages write them → `datetime`, keeping whether a zone was named.

Pure: takes a string, returns a value. The result is *aware* when the string names a zone or an
offset ("+0200", "Z", "GMT", "CEST", "MEZ" …) and *naive* when it does not ("2024-05-01 10:00",
"1. Mai 2024"): `normalize` reads a naive value as Europe/Berlin, the zone of every member forum.

Tried in order, cheapest and strictest first:

1. ISO 8601 / RFC 3339 (`datetime.fromisoformat`, which in 3.11 takes "Z", "+0200", a space);
2. RFC 822 / RFC 2822 and its real-world relatives, with English or German names: optional
   weekday, one- or two-digit day, two- or four-digit year, optional seconds or time, a named
   zone or a numeric offset ("Wed, 1 May 24 10:00 CEST", "Mi, 01 Mai 2024 10:00:00 +0200",
   "Mittwoch, 1. Mai 2024, 18:30 Uhr", "1. Mai 2024");
3. German numeric dates ("01.05.2024", "1.5.2024 um 18:30 Uhr");
4. feedparser's own date handlers as a last resort (asctime, W3DTF oddities, …); they return a
   UTC `struct_time`, which is taken as aware UTC. They turn what they cannot read into some
   other date, so a result whose year is not in the text, or that does not match the numeric
   day the text starts with, is refused.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

__all__ = ["parse_date"]

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "january", "januar", "jän", "jänner", "jaen", "jaenner"),
        ("feb", "february", "februar"),
        ("mar", "march", "mär", "märz", "maerz", "mrz"),
        ("apr", "april"),
        ("may", "mai"),
        ("jun", "june", "juni"),
        ("jul", "july", "juli"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october", "okt", "oktober"),
        ("nov", "november"),
        ("dec", "december", "dez", "dezember"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

# Named zones seen in feeds: RFC 822's North American ones plus the Central European ones that
# German CMSs write. A name not listed here leaves the value naive (read as Europe/Berlin).
_ZONES: dict[str, int] = {
    "UT": 0,
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "WET": 0,
    "WEZ": 0,
    "BST": 60,
    "WEST": 60,
    "WESZ": 60,
    "CET": 60,
    "MEZ": 60,
    "CEST": 120,
    "MESZ": 120,
    "EET": 120,
    "OEZ": 120,
    "EEST": 180,
    "OESZ": 180,
    "EST": -300,
    "EDT": -240,
    "CST": -360,
    "CDT": -300,
    "MST": -420,
    "MDT": -360,
    "PST": -480,
    "PDT": -420,
}

_RFC822_LIKE = re.compile(
    r"""
    ^(?:[^\W\d_]+\.?,?\s+)?                          # weekday: "Wed," "Mi," "Mittwoch,"
    (?P<day>\d{1,2})\.?\s*(?:-\s*)?                  # "1" "01" "1."
    (?P<month>[^\W\d_]+)\.?(?:\s*-\s*|\s+|,\s*)     # "May" "Mai" "Okt." "Jan-"
    (?P<year>\d{4}|\d{2})
    (?:
      (?:,?\s+|T)(?:um\s+)?
      (?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?:[:.](?P<second>\d{2})(?:[.,]\d+)?)?
      (?:\s*Uhr)?
    )?
    (?:\s*(?P<zone>[A-Za-z]{1,5}|(?:GMT|UTC)?[+-]\d{1,2}(?::?\d{2})?)(?:\s*\([^)]*\))?)?
    \s*$
    """,
    re.VERBOSE,
)

_GERMAN_NUMERIC = re.compile(
    r"""
    ^(?:[^\W\d_]+,?\s+)?
    (?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4}|\d{2})
    (?:,?\s+(?:um\s+)?(?P<hour>\d{1,2})[:.](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*Uhr)?)?
    \s*$
    """,
    re.VERBOSE,
)

_OFFSET = re.compile(r"^(?:GMT|UTC)?([+-])(\d{1,2}):?(\d{2})?$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)")


def parse_date(value: str | None) -> datetime | None:
    """Read a date as feeds write it; aware if the text names a zone, naive otherwise.

    Returns None for None, an empty string or text that no rule understands.
    """
    if value is None:
        return None
    text = " ".join(value.split())
    if not text:
        return None
    for rule in (_parse_iso, _parse_rfc822_like, _parse_german_numeric, _parse_with_feedparser):
        try:
            result = rule(text)
        except (ValueError, OverflowError):
            continue
        if result is not None:
            return result
    return None


def _parse_iso(text: str) -> datetime | None:
    if len(text) < 8 or not text[:4].isdigit():
        return None
    if text.endswith(("UTC", "GMT")):  # "2024-05-01 10:00 UTC"
        text = text[:-3].rstrip() + "Z"
    elif text.endswith("z"):
        text = text[:-1] + "Z"
    return datetime.fromisoformat(text)


def _two_digit_year(year: str) -> int:
    number = int(year)
    if len(year) == 2:
        return number + (1900 if number >= 70 else 2000)
    return number


def _zone(name: str | None) -> timezone | None:
    """The fixed offset a zone token stands for; None when absent or unknown."""
    if not name:
        return None
    minutes = _ZONES.get(name.upper())
    if minutes is not None:
        return UTC if minutes == 0 else timezone(timedelta(minutes=minutes))
    match = _OFFSET.match(name)
    if match is None:
        return None
    sign, hours, mins = match.groups()
    offset = timedelta(hours=int(hours), minutes=int(mins or 0))
    if not offset:
        return UTC  # "+0000" and RFC 2822's "-0000" (UTC, local zone unknown) alike
    return timezone(-offset if sign == "-" else offset)


def _build(parts: dict[str, str | None], month: int, tz: timezone | None) -> datetime:
    return datetime(
        _two_digit_year(parts["year"] or ""),
        month,
        int(parts["day"] or ""),
        int(parts["hour"] or 0),
        int(parts["minute"] or 0),
        int(parts["second"] or 0),
        tzinfo=tz,
    )


def _parse_rfc822_like(text: str) -> datetime | None:
    match = _RFC822_LIKE.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    month = _MONTHS.get((parts["month"] or "").lower())
    if month is None:
        return None
    zone = parts["zone"]
    tz = _zone(zone)
    if tz is None and zone and parts["hour"] is None:
        return None  # a word after a bare date that is no zone: not a date we understand
    return _build(parts, month, tz)


def _parse_german_numeric(text: str) -> datetime | None:
    match = _GERMAN_NUMERIC.match(text)
    if match is None:
        return None
    parts = match.groupdict()
    return _build(parts, int(parts["month"] or ""), None)


def _parse_with_feedparser(text: str) -> datetime | None:
    from feedparser.datetimes import _parse_date  # private, but stable since feedparser 6.0

    parsed: Any = _parse_date(text)
    if parsed is None:
        return None
    year, month, day, hour, minute, second = parsed[:6]
    # feedparser's handlers normalize what they cannot read into some other date: "2024-13-45"
    # comes back as 1 January 2025, PHP's zero date "-0001-11-30T00:00:00+00:00" as 2000, the
    # Unix timestamp "1714557600" as 25 May 2017. Every format they really read writes its year
    # with four digits, so a result whose year is not in the text is a guess, not a date.
    if re.search(rf"(?<!\d){year:04d}(?!\d)", text) is None:
        return None
    result = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    numeric_day = _ISO_DAY.match(text)  # "2024-02-30T10:00:00Z" comes back as 1 March
    if numeric_day is not None:
        try:
            written = date(*(int(part) for part in numeric_day.groups()))
        except ValueError:
            return None
        if abs((result.date() - written).days) > 1:  # a zone may shift the UTC day by one
            return None
    return result
