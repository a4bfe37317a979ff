"""Dates in German running text → `TextDate`, each classified by the words around it.

Pure: a string in, values out. Nothing is guessed: a date needs a day, a month and a year as
written ("am 15. Dezember" has no year and is skipped), and what a date *is* comes from the words
before and after it:

    published   "veröffentlicht am", "erstellt am", "Datum:", "geschrieben am", "vom", "Von
                Anna Schmidt am", or a date opening a line near the start of the text, after
                nothing but a place ("Leipzig, 24.11.2025") in the first 500 characters — the
                byline position
    updated     "Stand:", "aktualisiert (am)", "zuletzt geändert", "geändert am", "Update:"
    event       "am …", "ab (dem) …", "bis (zum) …", "Termin:", "Treffen am", "findet am …
                statt", a range ("vom 1. bis 3. Mai"), a sentence ending in "statt", a time
                announced with "um … Uhr"
    unknown     anything else

Forms read: "24.11.2025", "24.11.25", "24. November 2025", "24. Nov. 2025", "Montag,
24. November 2025", "21. DEZEMBER 2015", "2025-11-24" (with a time and offset too), each
optionally followed by a time ("um 18:30 Uhr", "18 Uhr", ", 18:30"). Not dates: phone numbers
("0341 12.11.25", "+49 351 12.34.56"), version numbers ("Version 2.1.12", "1.2.3.4"), lone years,
house numbers, prices, "1.000 Besucher".

The matched text is read by `aggregator.parse.dates.parse_date` (fast, exact). dateparser is not
needed here: the pattern admits only forms `parse_date` reads, and dateparser (half a millisecond
a call) read none that it misses ("3. Febr. 2025" defeats both; the spelling is mapped first).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aggregator.parse.dates import parse_date

__all__ = ["MIN_PUBLICATION_YEAR", "TextDate", "dates_in_text", "publication_date"]

MAX_TEXT_CHARS = 100_000  # work on huge texts stops here
MIN_PUBLICATION_YEAR = 1990  # older dates in a text are history, not when it was written
_BYLINE_CHARS = 500  # a date opening a line this close to the start is in byline position
_CONTEXT = 60  # characters looked at before and after a date

_MONTH = (
    r"(?:januar|jänner|jaenner|jan|februar|febr|feb|märz|maerz|mär|mrz|april|apr|mai|juni|jun"
    r"|juli|jul|august|aug|september|sept|sep|oktober|okt|november|nov|dezember|dez)"
)
_SPELLINGS = {"febr": "feb"}  # abbreviations `parse_date` does not know
_WEEKDAYS = (
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonnabend", "sonntag"
)  # fmt: skip
_WEEKDAY_ABBREVIATIONS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")  # capitalised only
# A weekday before a date ("Montag, 24.11.2025", "Sa. 3.5.2025", "Sonnabend, den 3. Mai 2025"),
# matched backwards from where the date starts, on the reversed text before it: so the names
# are tried at one position per date, not at every character of the text.
_WEEKDAY_BEFORE_REVERSED = re.compile(
    r"\s+(?:(?i:ned)\s+)?,?"
    rf"(?:(?i:{'|'.join(name[::-1] for name in _WEEKDAYS)})"
    rf"|\.?(?:{'|'.join(name[::-1] for name in _WEEKDAY_ABBREVIATIONS)}))"
)
_DATE = re.compile(
    rf"""
    (?=\d)  # every form starts with a digit: one quick test per character (4x faster)
    (?:
        (?<![\w.,/+:-])(?P<nday>\d{{1,2}})\.\s?(?P<nmonth>\d{{1,2}})\.\s?(?P<nyear>\d{{4}}|\d{{2}})
        (?![\d-]|[.,]\d)
      | (?<![\w.,/+:-])(?P<wday>\d{{1,2}})\.?\s*(?P<wmonth>(?i:{_MONTH}))(?![^\W\d_])\.?
        \s*,?\s*(?P<wyear>\d{{4}})(?![\d-]|[.,]\d)
      | (?<![\w.,/+:-])(?P<iso>\d{{4}}-\d{{2}}-\d{{2}}
        (?:[T\ ]\d{{2}}:\d{{2}}(?::\d{{2}}(?:\.\d+)?)?(?:Z|[+-]\d{{2}}:?\d{{2}})?)?)(?![\d-])
    )
    (?P<time>
        \s*[,|–-]?\s*(?i:um\s+|ab\s+)?(?P<hour>\d{{1,2}})(?:[:.](?P<minute>\d{{2}}))?\s*(?i:uhr)\b
      | \s*,?\s*(?i:um\s+)?(?P<hour2>\d{{1,2}}):(?P<minute2>\d{{2}})(?![\d:])
    )?
    """,
    re.VERBOSE,
)

_PUBLISHED_BEFORE = re.compile(
    r"(?:\b(?:veröffentlicht|publiziert|erstellt|geschrieben|verfasst|gepostet|eingestellt"
    r"|erschienen|online\s+seit|posted|published)(?:\s+(?:am|den|on))?"
    r"|\bdatum|\bpressemitteilung\s+vom|\bvom|^\s*(?:von|by)\s+[^\d\n,.:;]{2,40}?\s+am)"
    r"\s*[:|]?\s*$",
    re.IGNORECASE,
)
_UPDATED_BEFORE = re.compile(
    r"\b(?:stand|aktualisiert|zuletzt\s+aktualisiert|zuletzt\s+geändert|geändert|update"
    r"|updated|letzte\s+änderung|letzte\s+aktualisierung|überarbeitet)"
    r"(?:\s+(?:am|vom|den))?\s*[:|]?\s*$",
    re.IGNORECASE,
)
_EVENT_BEFORE = re.compile(
    r"(?:\b(?:am|ab|bis|zum|seit|vom|(?:ab|bis|seit)\s+(?:dem|zum)|termin|treffen|wann|beginn"
    r"|einlass|treffpunkt|veranstaltung|sitzung|stammtisch|rundgang|führung|vortrag|frist"
    r"|anmeldeschluss|einsendeschluss)\s*:?\s*$)",
    re.IGNORECASE,
)
_EVENT_AFTER = re.compile(
    r"^\s*(?:bis\b|[–-]\s*\d|(?:um|ab)\s+\d{1,2}(?:[:.]\d{2})?\s*uhr\b)"
    r"|\bstatt(?:finden|findet)?\b|\beinladung\b|\bladen\b.*\bein\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n|–—]|//| - ")
_NOT_A_DATE_BEFORE = re.compile(
    r"(?:(?:\b(?:version|vers|ver|v|nr|no|tel|telefon|fon|fax|mobil|handy|kto|iban|blz|ip)\.?|§)"
    r":?\s*|\d\s+|[/+])$",
    re.IGNORECASE,
)
_PLACE_PREFIX = re.compile(
    r"^[^\W\d_][\w .()/-]{0,40}?\s*[,:|–—-]\s*$|^\W{0,3}$"  # "Leipzig, " "Halle (Saale) – " ""
)


@dataclass(frozen=True, slots=True)
class TextDate:
    """A date found in text. `value` is naive (local time) unless the text named a zone."""

    value: datetime
    kind: str  # "published" | "updated" | "event" | "unknown"
    text: str  # the matched text


@dataclass(frozen=True, slots=True)
class _Found:
    date: TextDate
    stated: bool  # published by a word ("veröffentlicht am"), not only by its position


def dates_in_text(text: str, *, limit: int = 50) -> tuple[TextDate, ...]:
    """Every date with day, month and year in `text` (its first 100,000 characters), in order."""
    return tuple(found.date for found in _find(text, limit))


def publication_date(text: str) -> datetime | None:
    """The publication date the text states, or None.

    A date marked published by a word first ("veröffentlicht am 24.11.2025"), else a date in
    byline position at the start of the text ("Leipzig, 24.11.2025") that is neither an event nor
    an update. Dates before 1990 are history, never the publication date.
    """
    found = [
        item
        for item in _find(text, 50)
        if item.date.kind == "published" and item.date.value.year >= MIN_PUBLICATION_YEAR
    ]
    for item in found:
        if item.stated:
            return item.date.value
    return found[0].date.value if found else None


def _find(text: str, limit: int) -> list[_Found]:
    text = text[:MAX_TEXT_CHARS]
    results: list[_Found] = []
    floor = 0  # where the previous match ended: a weekday never reaches back before it
    for match in _DATE.finditer(text):
        if len(results) >= limit:
            break
        start, end = _with_weekday(text, match.start(), floor), match.end()
        floor = end
        before = text[max(0, start - _CONTEXT) : start]
        if _NOT_A_DATE_BEFORE.search(before):
            continue
        value = _value(match)
        if value is None:
            continue
        kind, stated = _classify(text, start, match, before)
        results.append(_Found(TextDate(value, kind, text[start:end].strip()), stated))
    return results


def _with_weekday(text: str, start: int, floor: int) -> int:
    """Where the date starting at `start` starts with the weekday written before it, if any."""
    weekday = _WEEKDAY_BEFORE_REVERSED.match(text[floor:start][::-1])
    return start - weekday.end() if weekday else start


def _classify(text: str, start: int, match: re.Match[str], before: str) -> tuple[str, bool]:
    """`start`: where the date starts, its weekday included (the match starts at its day)."""
    line_before = before[before.rfind("\n") + 1 :]
    if _PUBLISHED_BEFORE.search(line_before) and not _is_range(text, match):
        return "published", True
    if _UPDATED_BEFORE.search(line_before):
        return "updated", False
    if _EVENT_BEFORE.search(line_before):
        return "event", False
    after = text[match.end() : match.end() + _CONTEXT]
    sentence_end = _SENTENCE_END.search(after)
    sentence = after[: sentence_end.start()] if sentence_end else after
    if _EVENT_AFTER.search(sentence) or _is_range(text, match):
        return "event", False
    if _announces_time(match):
        return "event", False
    if start < _BYLINE_CHARS and _PLACE_PREFIX.match(line_before):
        return "published", False
    return "unknown", False


def _announces_time(match: re.Match[str]) -> bool:
    """ "6. Dezember 2025, um 10 Uhr" announces when something happens; a byline writes
    "24. November 2025 um 18:30" (WordPress in German) or "24.11.2025, 18:30"."""
    time = (match.group("time") or "").lower()
    return "uhr" in time and re.search(r"\b(?:um|ab)\b", time) is not None


def _is_range(text: str, match: re.Match[str]) -> bool:
    """ "vom 1.12.2025 bis 3.12.2025": the start of a span of days is no publication date."""
    return re.match(r"\s*(?:bis|[–-])\s*\d", text[match.end() : match.end() + 12]) is not None


def _value(match: re.Match[str]) -> datetime | None:
    groups = match.groupdict()
    if groups["iso"]:
        core = groups["iso"]
    elif groups["nday"]:
        day, month, year = int(groups["nday"]), int(groups["nmonth"]), groups["nyear"]
        if not (1 <= day <= 31 and 1 <= month <= 12):
            return None
        if len(year) == 2 and (len(groups["nday"]) < 2 or len(groups["nmonth"]) < 2):
            return None  # "2.1.12" is a version far more often than a date
        core = f"{groups['nday']}.{groups['nmonth']}.{year}"
    else:
        if not 1 <= int(groups["wday"]) <= 31:
            return None
        month_name = groups["wmonth"].lower()
        core = f"{groups['wday']}. {_SPELLINGS.get(month_name, month_name)} {groups['wyear']}"
    value = parse_date(core)
    if value is None:
        return None
    return _with_time(value, groups)


def _with_time(value: datetime, groups: dict[str, Any]) -> datetime | None:
    hour = groups["hour"] if groups["hour"] is not None else groups["hour2"]
    if hour is None or value.hour or value.minute:
        return value
    minute = groups["minute"] if groups["hour"] is not None else groups["minute2"]
    try:
        return value.replace(hour=int(hour), minute=int(minute or 0))
    except ValueError:
        return value  # "25:99 Uhr": keep the day
