"""One story once: near-duplicate clustering of items across sources (issue 12, point 1).

Pure: takes values, returns values; no I/O, no clock.

Two items are one story when
- they match exactly (same canonical URL, same guid within one source, same hash of the
  normalized title and text), whatever their distance in time; or
- they were first seen at most `window` apart (14 days) and their normalized title and text are
  nearly the same: a copied press release, a reworded announcement of the same event, a
  shortened copy (`same_story`); or
- another forum retold the story in its own words (another title, other sentences, the same
  facts) and published it at most 10 days later: they share enough of the rarer words (the
  building, street, district, organisation; word endings folded, "Gohliser"/"Gohlis"), weighted
  by rarity (inverse document frequency over the items seen, `Rarity`), at least two of them
  rare, a shared date or identifying number adding to the evidence (`_rewritten`).

Numbers are strong evidence: two items naming different dates, years, times or identifying
numbers (a house or issue number, not a count like "30 Gäste"; each naming one the other does
not, whatever else they share) are different events, and so are
items naming different places ("in Görlitz" / "in Zittau"; a place one letter apart, "Freiburg"
for "Freiberg", is a misspelling). An item published before a date both name and one published
after it are an invitation and a report: two stories. A series ordinal ("5." vs "6.
Vernetzungstreffen") alone does not split, since the network's own numbers disagree between
sites (TAXONOMY.md), but it only merges when a year or date is shared. One address (URL, guid)
for two items naming different dates in different words is a reused slug (".../einladung/"), not
one item.

Candidates come from an index, never from all pairs: a densified one-permutation MinHash of the
item's content words (fixed blake2b word hashes, so runs repeat) with LSH banding (32 bins, 8
bands of 4 rows: a pair with Jaccard 0.7 meets with probability 0.89, 0.85 with 0.995, 0.2 with
0.013); the title's word set and, for titles of four words or more, each set one word short; and
per named date, the date with each of a few MinHash values; for retold stories, each item's
title words and its 8 rarest words (an item is a candidate when it meets two rare words of the
new one). Items older than the window leave the index. Candidates are then verified exactly
(`_similarity`). Pure Python, no dependency: about 4,000 items a second (bench/dedup.py); in a
micro-benchmark of 60-word items datasketch (numpy, scipy) took 226 us per item for its MinHash
and LSH alone, this signature and banding 36 us.

A cluster's representative is the first item added to it; `cluster` adds items in the order
earliest first_seen, then earliest published, then own site, then smaller id, so that the
representative is the earliest item. The index never changes a representative when a later item
joins, and never merges two existing clusters.
"""

from __future__ import annotations

import hashlib
import math
import re
import sys
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import compress, filterfalse, islice, repeat
from operator import itemgetter, neg
from typing import Any, Generic, NamedTuple, TypeVar

DEFAULT_WINDOW = timedelta(days=14)

MAX_TEXT_CHARS = 50_000  # a longer text is cut: the head of a story is what identifies it
HASH_MIN_TOKENS = 8  # fewer normalized words are too little to call two items one by hash
MIN_CONTENT_WORDS = 4  # fewer content words ("Einladung") never make a near-duplicate

# MinHash bins and LSH rows per band of the content words: strict, a pair with Jaccard 0.7 meets
# with probability 0.99, one with 0.15 with 0.008. Shortened and reworded copies meet by title
# (the same title words, give or take one) or by a date they both name.
CONTENT_BINS, CONTENT_ROWS = 32, 4
MAX_TITLE_SUBSET_WORDS = 12
DATE_BINS = 4
_TITLE, _DATE = "title", "date"
_Key = tuple[int | str, ...]
_EMPTY = 1 << 64

# Thresholds of the verification (Jaccard / containment of content-word sets).
NEAR_IDENTICAL = 0.7
NEAR_IDENTICAL_ANY_TITLE = 0.85
SHORTENED_CONTAINMENT = 0.85
SHORTENED_MIN_WORDS = 8
REWORDED_SAME_DATE = 0.3
REWORDED_SAME_DATE_ANY_TITLE = 0.5
EQUAL_TITLE = 0.3  # the same title of three words or more, and a quarter of the words
EQUAL_TITLE_MIN_WORDS = 3
REWORDED_SAME_TITLE = 0.4
SAME_TITLE = 0.6
SAME_SOURCE = 0.8
SAME_SOURCE_CONTAINMENT = 0.95
ORDINAL_ONLY = 0.5
MIN_RARITY_ITEMS = 20
# A story retold by another forum (`_rewritten`): published at most REWRITE_DAYS apart, at least
# REWRITE_MIN_SHARED folded words in common, REWRITE_MIN_RARE of them rare, that weigh (by
# rarity) REWRITE_CONTAINMENT of the lighter item, a shared date or identifying number counting
# as a bonus. Without rarity (fewer items than MIN_RARITY_ITEMS) the plain share must be larger.
REWRITE_DAYS = timedelta(days=10)
REWRITE_MIN_SHARED = 4
REWRITE_MIN_RARE = 2  # of them rare (`Rarity.rare`): two items naming one thing by chance share one
RARE_EXPONENT = 0.45
REWRITE_MIN_SHARED_UNIFORM = 5
REWRITE_CONTAINMENT = 0.3
REWRITE_CONTAINMENT_UNIFORM = 0.5
REWRITE_JACCARD = 0.12
REWRITE_DATE_BONUS = 0.1
REWRITE_NUMBER_BONUS = 0.1
RARE_KEYS = 8  # an item is found by retold copies through its rarest folded words
MAX_RARE_BUCKET = 16  # a word in more items of the window names no one story: not searched
# An index key shared by more items of the window than this is no evidence of one story (a flood
# of look-alike items, a template): it is not searched, so that such a flood costs linear time.
MAX_KEY_BUCKET = 64
MAX_CANDIDATES = 256  # items verified exactly per new item, at most
REWRITE_DISCOUNT = 0.5  # a rewording ranks below a copy when an item matches both
MIN_WEIGHT = 0.05
MIN_MISSPELT_NAME = 6  # a place name one letter apart from another is a misspelling of it


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_STOP_WORDS = _word_set(
    """
    a ab aber alle allem allen aller alles als also am an ans auch auf aus bei beim bereits bis
    bzw ca da dabei dadurch dafuer damit dann darf darueber das dass dem den denen denn der des
    deren dessen die dies diese diesem diesen dieser dieses doch dort du durch eben ebenfalls ein
    eine einem einen einer eines er es etwa euch euer fuer gegen gibt hat hatte hatten hier ich
    ihm ihn ihnen ihr ihre ihrem ihren ihrer im immer in ins ist ja je jedoch jetzt kann kein
    keine keinen koennen man mehr mich mir mit muss nach nicht noch nun nur ob oder ohne rund
    schon sehr sein seine seinem seinen seiner seit sich sie sind so sowie soll sollen statt
    um und uns unser unsere unserem unseren unter viel vom von vor waehrend war waren was weil
    welche welchem welchen welcher wenn wer werden wie wieder wir wird wo wurde wurden zu zum
    zur zwischen
    montag dienstag mittwoch donnerstag freitag samstag sonnabend sonntag uhr heute morgen
    januar februar maerz april mai juni juli august september oktober november dezember
    jan feb mrz apr jun jul aug sep sept okt nov dez
    weitere weiteren informationen information infos info finden eintritt frei kostenlos
    herzlich eingeladen einladung willkommen interessierte interessierten anmeldung erbeten
    erforderlich weiterlesen lesen mehr pressemitteilung pm kontakt telefon tel email mail
    www http https de com org html php quelle foto fotos bild hinweis
    """
)

_MONTHS = {
    "januar": 1, "jan": 1, "jaenner": 1, "februar": 2, "feb": 2, "maerz": 3, "mrz": 3,
    "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7, "august": 8,
    "aug": 8, "september": 9, "sept": 9, "sep": 9, "oktober": 10, "okt": 10, "november": 11,
    "nov": 11, "dezember": 12, "dez": 12,
}  # fmt: skip
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_UMLAUTS = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("–", "-"), ("—", "-"))  # casefold: ß is ss

# Words that follow "in" without being a place ("in Kooperation mit", "in Gefahr").
_NOT_PLACES = _word_set(
    """
    kooperation zusammenarbeit planung gefahr zukunft vorbereitung hoehe form anwesenheit
    verbindung erinnerung sachen bezug folge kraft betrieb ordnung arbeit frage teilen zeiten
    absprache abstimmung anlehnung anbetracht anspruch auftrag gedenken wuerdigung ruhe eile
    kuerze gang angriff vertretung abwesenheit rahmen richtung einzelfaellen summe
    einschaetzung angaben ansicht meinung auffassung abschluss ende beginn ablauf anschluss
    """
)

# r"(?:https?://|www\.)\S+" ignoring case ("ſ" is a long s), the first letter first in the
# pattern, so that the regex engine skips to it quickly.
_URL = re.compile(r"[HhWw](?:(?<=[Hh])[Tt][Tt][Pp][Ssſ]?://|(?<=[Ww])[Ww][Ww]\.)\S+")
_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_DIGIT = re.compile(r"\d")
# Every number in a folded text, in one pass, by what it is (the first alternative that fits).
_FACT = re.compile(
    r"\b(?:"
    r"(?P<iso_y>\d{4})-(?P<iso_m>\d{2})-(?P<iso_d>\d{2})\b"
    r"|(?P<hour>\d{1,2})(?:[.:](?P<minute>\d{2}))?\s*uhr\b"
    r"|(?P<clock_h>\d{1,2}):(?P<clock_m>\d{2})\b"
    rf"|(?P<day>\d{{1,2}})\.\s*(?:[/-]\s*(?P<day2>\d{{1,2}})\.\s*)?(?P<month>{_MONTH_RE})\b\.?"
    r"(?:\s*(?P<year>\d{4}))?"
    r"|(?P<num_d>\d{1,2})\.(?P<num_m>\d{1,2})\.(?P<num_y>\d{4}|\d{2}\b)?"
    r"|(?P<ordinal>\d{1,3})\.(?=\s+[a-z])"
    r"|(?P<number>\d+(?:[.,]\d+)*)\b"
    r")"
)
_YEAR_RANGE = range(1800, 2100)
# Where a number may start: a digit at the start of a word (where `_FACT` may match). Found
# first, they spare `_FACT` a try at every word of the text.
_FACT_START = re.compile(r"\d(?<!\w\d)")
# A place follows "in" or "nach" (as a word of its own). The first letter comes first in the
# pattern, so that the regex engine skips to it quickly: r"\b(?:[Ii]n|nach)\s+([A-ZÄÖÜ][\w-]+)".
_PLACE = re.compile(r"[Iin](?<!\w[Iin])(?:(?<=[Ii])n|(?<=n)ach)\s+([A-ZÄÖÜ][\w-]+)")
_NOT_PLACE_WORDS = _NOT_PLACES | _STOP_WORDS
# A number before a capitalized word counts something ("30 Gäste", "2000 Unterschriften"):
# rewritten reports cite different counts, so only other numbers (a house number, an issue
# number, a hall) are identifiers that tell two stories apart.
_QUANTITY = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)*)\s+(?=[A-ZÄÖÜ])")
# Endings folded away before words are compared across rewordings ("Postamts"/"Postamt",
# "Gohliser"/"Gohlis", "Roten"/"Rote"); a light suffix fold, not a stemmer.
_SUFFIXES = ("ern", "em", "en", "er", "es", "e", "s", "n")
MIN_STEM = 4


@dataclass(frozen=True, slots=True)
class DedupDoc:
    """What clustering needs of an item."""

    id: str  # stable key of the item
    source_id: str
    title: str  # plain text
    text: str  # plain text (excerpt / summary), may be ""
    url: str | None  # canonical URL
    guid: str | None
    first_seen: datetime  # aware
    published: datetime | None = None
    own_site: bool = False  # its link points to its own forum's site (tie-break)


@dataclass(frozen=True, slots=True)
class _Features:
    """A document reduced to what the comparison needs; computed once per document."""

    words: frozenset[str]  # content words of title and text
    title_words: frozenset[str]
    text_hash: bytes | None
    dates: frozenset[tuple[int, int]]  # (day, month)
    years: frozenset[int]
    times: frozenset[int]  # minutes after midnight
    ordinals: frozenset[int]
    numbers: frozenset[str]  # other numbers that identify (not counts, see `_QUANTITY`)
    places: frozenset[str]  # word after "in" / "nach" that looks like a place name
    title_places: frozenset[str]  # the same, in the title
    stems: frozenset[str]  # content words with their endings folded (`stem`)
    title_stems: frozenset[str]


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue/ss, dashes as "-", other accents and signs dropped."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    for umlaut, plain in _UMLAUTS:
        folded = folded.replace(umlaut, plain)
    if folded.isascii():
        return folded
    folded = unicodedata.normalize("NFKD", folded)
    return folded.encode("ascii", "ignore").decode("ascii")


def stem(word: str) -> str:
    """`word` without up to two German inflection endings, keeping at least MIN_STEM letters."""
    for _ in range(2):
        for suffix in _SUFFIXES:
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_STEM:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


_K = TypeVar("_K", int, str)
_T = TypeVar("_T")
_V = TypeVar("_V")
MEMO_LIMIT = 500_000  # words a memo holds before it starts afresh (bounded memory)


class _Memo(dict[str, _V], Generic[_V]):
    """word -> compute(word), computed on first use. Looked up with `memo[word]` or, for many
    words at once, `map(memo.__getitem__, words)`: a hit costs no Python call."""

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[str], _V]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, word: str) -> _V:
        if len(self) >= MEMO_LIMIT:
            self.clear()
        value = self[word] = self._compute(word)
        return value


def _is_content_word(word: str) -> bool:
    return len(word) > 1 and word not in _STOP_WORDS and not word.isdigit()


def _token_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


def _bin_and_rest(bins: int) -> Callable[[str], tuple[int, int]]:
    """A word's MinHash bin (the low bits of its hash) and the rest of its hash."""
    mask, shift = bins - 1, (bins - 1).bit_length()

    def split(word: str) -> tuple[int, int]:
        value = _token_hash(word)
        return value & mask, value >> shift

    return split


_content_bin = _bin_and_rest(CONTENT_BINS)

# What a content word brings: the word and its stem, one string object each for all items
# (sets of them compare by identity, and items share them), and its MinHash bin and value
# (CONTENT_BINS).
_Word = tuple[str, str, tuple[int, int]]


def _word(token: str) -> _Word | None:
    """None for a token that is no content word."""
    if not _is_content_word(token):
        return None
    return sys.intern(token), sys.intern(stem(token)), _content_bin(token)


_WORDS: _Memo[_Word | None] = _Memo(_word)  # one look-up per token for all of it
_STEMS: _Memo[str] = _Memo(lambda word: sys.intern(stem(word)))  # of place names
_FOLDED: _Memo[str] = _Memo(lambda word: sys.intern(fold(word)))  # of place names
_first, _second, _third = itemgetter(0), itemgetter(1), itemgetter(2)


def _content_words(tokens: Iterable[str]) -> list[_Word]:
    """What each content word among `tokens` brings, once per word."""
    return list(filter(None, map(_WORDS.__getitem__, set(tokens))))


# Every ASCII character but a-z and 0-9 as a space: `text.translate(_SEPARATORS).split()` are
# the words (runs of a-z and 0-9) of an ASCII text (a folded one), quicker than a regex.
_SEPARATORS = str.maketrans(
    {chr(c): " " for c in range(128) if not (chr(c).isdigit() or "a" <= chr(c) <= "z")}
)


def _tokens(folded: str) -> list[str]:
    return folded.translate(_SEPARATORS).split()


@dataclass(slots=True)
class _Facts:
    dates: set[tuple[int, int]] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    times: set[int] = field(default_factory=set)
    ordinals: set[int] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)

    def add_date(self, day: int, month: int, year: str | None) -> None:
        if 1 <= day <= 31 and 1 <= month <= 12:
            self.dates.add((day, month))
        if year is not None and len(year) == 4:
            self.years.add(int(year))

    def add_time(self, hour: str, minute: str | None) -> None:
        if int(hour) <= 24 and int(minute or 0) < 60:
            self.times.add(int(hour) * 60 + int(minute or 0))


def _plain_number(number: str) -> str:
    return number.replace(".", "").replace(",", "")


def _read_fact(facts: _Facts, match: re.Match[str]) -> None:
    """File one number of the text under what it is (see `_FACT`)."""
    group = match.group
    if match.lastgroup == "number":
        number = _plain_number(group("number"))
        if len(number) == 4 and int(number) in _YEAR_RANGE:
            facts.years.add(int(number))
        else:
            facts.numbers.add(number)
    elif group("ordinal") is not None:
        facts.ordinals.add(int(group("ordinal")))
    elif group("day") is not None:
        month = _MONTHS[group("month")]
        facts.add_date(int(group("day")), month, group("year"))
        if group("day2") is not None:
            facts.add_date(int(group("day2")), month, None)
    elif group("num_d") is not None:
        facts.add_date(int(group("num_d")), int(group("num_m")), group("num_y"))
    elif group("hour") is not None:
        facts.add_time(group("hour"), group("minute"))
    elif group("clock_h") is not None:
        facts.add_time(group("clock_h"), group("clock_m"))
    else:
        facts.add_date(int(group("iso_d")), int(group("iso_m")), group("iso_y"))


def _places(raw: str) -> frozenset[str]:
    return frozenset(map(_FOLDED.__getitem__, _PLACE.findall(raw))) - _NOT_PLACE_WORDS


def _facts(folded: str) -> _Facts:
    """Dates, years, times, ordinals and other numbers named in `folded`: the matches of
    `_FACT.finditer`, tried only where a number starts."""
    facts = _Facts()
    if _DIGIT.search(folded):
        end = 0
        match_at = _FACT.match
        for start in _FACT_START.finditer(folded):
            at = start.start()
            if at >= end:
                match = match_at(folded, at)
                if match is not None:
                    _read_fact(facts, match)
                    end = match.end()
    return facts


def _without_links(text: str) -> str:
    """`text` without web and mail addresses (a forum's own address is boilerplate)."""
    if "@" in text:
        text = _MAIL.sub(" ", text)
    lowered = text.lower()
    if "www." in lowered or "http" in lowered:
        text = _URL.sub(" ", text)
    return text


@dataclass(frozen=True, slots=True)
class _Normalized:
    raw_title: str  # without links
    raw_text: str
    title: str  # folded
    text: str
    title_tokens: list[str]
    tokens: list[str]  # of title and text


def _normalize(doc: DedupDoc) -> _Normalized:
    raw_title = _without_links(doc.title[:MAX_TEXT_CHARS])
    raw_text = _without_links(doc.text[:MAX_TEXT_CHARS])
    title, text = fold(raw_title), fold(raw_text)
    title_tokens = _tokens(title)
    tokens = title_tokens + _tokens(text)  # the words of f"{title}\n{text}"
    return _Normalized(raw_title, raw_text, title, text, title_tokens, tokens)


def _folded_words(doc: DedupDoc) -> frozenset[str]:
    """The `stems` of `features(doc)`, alone (for counting rarity)."""
    raw_title = _without_links(doc.title[:MAX_TEXT_CHARS])
    raw_text = _without_links(doc.text[:MAX_TEXT_CHARS])
    tokens = _tokens(f"{fold(raw_title)}\n{fold(raw_text)}")
    return frozenset(map(_second, _content_words(tokens)))


_NOTHING: frozenset[Any] = frozenset()  # one empty set for all: fewer objects to allocate and track


def _frozen(items: set[_T]) -> frozenset[_T]:
    return frozenset(items) if items else _NOTHING


def features(doc: DedupDoc) -> _Features:
    """Normalize `doc` once: content words, the numbers it names, its hash."""
    return _analyse(doc)[0]


def _analyse(doc: DedupDoc) -> tuple[_Features, list[int]]:
    """`features(doc)`, and the MinHash signature of its content words (CONTENT_BINS)."""
    norm = _normalize(doc)
    raw_title, raw_text, tokens = norm.raw_title, norm.raw_text, norm.tokens
    text_hash = (
        hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).digest()
        if len(tokens) >= HASH_MIN_TOKENS
        else None
    )
    facts = _facts(f"{norm.title}\n{norm.text}")
    if facts.numbers:
        counts = {_plain_number(m.group(1)) for m in _QUANTITY.finditer(f"{raw_title}\n{raw_text}")}
        facts.numbers -= counts
    title_places = _places(raw_title)
    found = _content_words(tokens)
    title_found = _content_words(norm.title_tokens)
    feats = _Features(
        words=frozenset(map(_first, found)),
        title_words=frozenset(map(_first, title_found)) or _NOTHING,
        text_hash=text_hash,
        dates=_frozen(facts.dates),
        years=_frozen(facts.years),
        times=_frozen(facts.times),
        ordinals=_frozen(facts.ordinals),
        numbers=_frozen(facts.numbers),
        places=(title_places | _places(raw_text)) or _NOTHING,
        title_places=title_places or _NOTHING,
        stems=frozenset(map(_second, found)),
        title_stems=frozenset(map(_second, title_found)) or _NOTHING,
    )
    return feats, _densified(_lowest(map(_third, found), CONTENT_BINS), CONTENT_BINS)


def _conflict(a: frozenset[object], b: frozenset[object]) -> bool:
    """Both name some, and not one in common."""
    return bool(a) and bool(b) and a.isdisjoint(b)


def _one_letter_apart(a: str, b: str) -> bool:
    """One letter replaced, added or dropped ("Freiburg" written for "Freiberg")."""
    if abs(len(a) - len(b)) > 1 or min(len(a), len(b)) < MIN_MISSPELT_NAME:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    n = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y), len(short))
    return short[n:] == long[n + 1 :]


def _same_place(a: str, b: str) -> bool:
    return a == b or _STEMS[a] == _STEMS[b] or _one_letter_apart(a, b)


def _places_conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    """Both name places, and none of one is (a spelling of) one of the other."""
    return bool(a) and bool(b) and not any(_same_place(x, y) for x in a for y in b)


def _unmentioned_places(places: frozenset[str], other: _Features) -> bool:
    """Some place of `places` that the other item names in no form (its words, their folded
    forms, or a misspelling among its places)."""
    for place in places - other.words:
        if _STEMS[place] in other.stems:
            continue
        if len(place) >= MIN_MISSPELT_NAME and any(
            _one_letter_apart(place, theirs) for theirs in other.places
        ):
            continue
        return True
    return False


def _each_its_own(a: frozenset[str], b: frozenset[str]) -> bool:
    """Each names an identifying number the other does not ("Meldung 5 von Forum 3" and
    "Meldung 7 von Forum 3": a shared number is no reason to be one story); a copy that only
    leaves numbers out is not told apart by them."""
    return bool(a - b) and bool(b - a)


def _different_facts(fa: _Features, fb: _Features) -> bool:
    """Different dates, years, times, numbers or places: different events."""
    if _conflict(fa.dates, fb.dates) or _conflict(fa.years, fb.years):
        return True
    if _conflict(fa.times, fb.times) or _each_its_own(fa.numbers, fb.numbers):
        return True
    if _places_conflict(fa.title_places, fb.title_places):
        return True
    if not fa.places or not fb.places:
        return False
    return _unmentioned_places(fa.places, fb) and _unmentioned_places(fb.places, fa)


class Rarity:
    """How rare each folded word is among the items seen: inverse document frequency.

    Until MIN_RARITY_ITEMS items are counted every word weighs 1 (too few to tell rare words
    from common ones). Weights are remembered until the next `count`."""

    __slots__ = ("_weights", "counts", "items")

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.items = 0
        self._weights: _Memo[float] = _Memo(self._weight)

    def count(self, stems: frozenset[str]) -> None:
        counts = self.counts
        counted = map(_plus_one, map(counts.get, stems, repeat(0)))
        counts.update(zip(stems, counted, strict=True))  # no Python code per word
        self.items += 1
        if self._weights:
            self._weights.clear()

    def weight(self, word: str) -> float:
        return self._weights[word]

    def _weight(self, word: str) -> float:
        if self.items < MIN_RARITY_ITEMS:
            return 1.0
        return max(MIN_WEIGHT, math.log(self.items / max(1, self.counts.get(word, 0))))

    def frequency(self, word: str) -> int:
        return self.counts.get(word, 0)

    def rare(self, word: str) -> bool:
        """In at most items ** RARE_EXPONENT of the items (10 of 200, 180 of 100,000)."""
        return self.counts.get(word, 0) <= self.rare_limit()

    def rare_limit(self) -> float:
        """The most items a rare word is in."""
        if self.items < MIN_RARITY_ITEMS:
            return math.inf
        return float(self.items**RARE_EXPONENT)


_UNIFORM = Rarity()
_plus_one = (1).__add__


def _rewording(fa: _Features, fb: _Features, rarity: Rarity) -> tuple[float, float, int, int]:
    """Weighted containment and Jaccard of the folded words (rare words weigh more), the number
    of words shared and how many of them are rare."""
    shared = fa.stems & fb.stems
    if not shared:
        return 0.0, 0.0, 0, 0
    return (*_weighted_overlap(fa, fb, shared, rarity), len(shared), _rare_count(shared, rarity))


def _rare_count(words: frozenset[str], rarity: Rarity) -> int:
    most = rarity.rare_limit()
    return sum(1 for n in map(rarity.counts.get, words, repeat(0)) if n <= most)


def _weighted_overlap(
    fa: _Features, fb: _Features, shared: frozenset[str], rarity: Rarity
) -> tuple[float, float]:
    """Containment and Jaccard of the folded words weighted by rarity (`_rewording`)."""
    weight = rarity._weights.__getitem__
    w_shared = sum(map(weight, shared))
    w_a = w_shared + sum(map(weight, fa.stems - shared))
    w_b = w_shared + sum(map(weight, fb.stems - shared))
    return w_shared / min(w_a, w_b), w_shared / (w_a + w_b - w_shared)


def _announcement_and_report(fa: _Features, fb: _Features, pa: date, pb: date) -> bool:
    """One item published before a date both name, the other after it: an invitation and the
    report of the event are two stories."""
    for day, month in fa.dates & fb.dates:
        ea, eb = _nearest_date(day, month, pa), _nearest_date(day, month, pb)
        if ea is None or eb is None:
            continue
        if (pa < ea and pb > eb) or (pb < eb and pa > ea):
            return True
    return False


def _nearest_date(day: int, month: int, near: date) -> date | None:
    """The date `day`.`month` of the year before, of or after `near` that is nearest to it."""
    found = []
    for year in (near.year - 1, near.year, near.year + 1):
        try:
            found.append(date(year, month, day))
        except ValueError:
            continue
    return min(found, key=lambda d: abs(d - near), default=None)


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """Jaccard and containment (of the smaller in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


class _Pair(NamedTuple):
    """What the comparison knows of two items besides their features."""

    same_source: bool
    published: tuple[date, date]  # published (else first seen) day of each
    rarity: Rarity | None = None  # word rarity among the items seen; None: every word weighs 1


def _pair(a: DedupDoc, b: DedupDoc, rarity: Rarity | None = None) -> _Pair:
    return _Pair(a.source_id == b.source_id, (_published_day(a), _published_day(b)), rarity)


def _published_day(doc: DedupDoc) -> date:
    return (doc.published or doc.first_seen).date()


def _similarity(fa: _Features, fb: _Features, pair: _Pair) -> float:
    """How near two non-exact items are (0 = different stories), after the guards."""
    if min(len(fa.words), len(fb.words)) < MIN_CONTENT_WORDS or _different_facts(fa, fb):
        return 0.0
    if _announcement_and_report(fa, fb, *pair.published):
        return 0.0
    jaccard, containment = _overlap(fa.words, fb.words)
    title_jaccard, title_containment = _overlap(fa.title_words, fb.title_words)
    two_title_words = min(len(fa.title_words), len(fb.title_words)) >= 2
    same_title = title_jaccard >= SAME_TITLE or (two_title_words and title_containment >= 0.8)
    shared_date = not fa.dates.isdisjoint(fb.dates)
    if _conflict(fa.ordinals, fb.ordinals):
        # The network's meeting numbers disagree between sites: match on year and date.
        if not (shared_date or not fa.years.isdisjoint(fb.years)):
            return 0.0
        if jaccard >= ORDINAL_ONLY or (same_title and containment >= SHORTENED_CONTAINMENT):
            return jaccard
        return 0.0 if pair.same_source else _rewritten(fa, fb, pair)
    if pair.same_source:  # a forum posts a story once; only a re-post is a duplicate
        shortened = min(len(fa.words), len(fb.words)) >= SHORTENED_MIN_WORDS
        repost = jaccard >= SAME_SOURCE or (shortened and containment >= SAME_SOURCE_CONTAINMENT)
        return jaccard if repost and same_title else 0.0
    if jaccard >= NEAR_IDENTICAL_ANY_TITLE or (jaccard >= NEAR_IDENTICAL and same_title):
        return jaccard
    shortened = min(len(fa.words), len(fb.words)) >= SHORTENED_MIN_WORDS
    if shortened and containment >= SHORTENED_CONTAINMENT and same_title:
        return jaccard
    if shared_date:  # one event: its announcements share the date and some words of the title
        if same_title and containment >= SHORTENED_CONTAINMENT:  # a teaser of a few words
            return jaccard
        title_shared = title_jaccard > 0.0
        if jaccard >= (REWORDED_SAME_DATE if title_shared else REWORDED_SAME_DATE_ANY_TITLE):
            return jaccard
    if same_title and jaccard >= REWORDED_SAME_TITLE:
        return jaccard
    equal_title = title_jaccard == 1.0 and len(fa.title_words) >= EQUAL_TITLE_MIN_WORDS
    if equal_title and (jaccard >= EQUAL_TITLE or containment >= 0.5):
        return jaccard
    return _rewritten(fa, fb, pair)


def _rewritten(fa: _Features, fb: _Features, pair: _Pair) -> float:
    """The same story retold by another forum in its own words, published a few days apart:
    enough of the rarer words in common (the building, street, district, organisation), a date
    or an identifying number in common adding to it. The guards have already passed."""
    a_day, b_day = pair.published
    if abs(a_day - b_day) > REWRITE_DAYS:
        return 0.0
    rarity = pair.rarity if pair.rarity is not None else _UNIFORM
    uniform = rarity.items < MIN_RARITY_ITEMS
    shared = fa.stems & fb.stems  # the cheap tests of `_rewording` first
    if len(shared) < (REWRITE_MIN_SHARED_UNIFORM if uniform else REWRITE_MIN_SHARED):
        return 0.0
    if _rare_count(shared, rarity) < REWRITE_MIN_RARE:
        return 0.0
    weighted, weighted_jaccard = _weighted_overlap(fa, fb, shared, rarity)
    if weighted_jaccard < REWRITE_JACCARD:
        return 0.0
    evidence = weighted
    if not fa.dates.isdisjoint(fb.dates):
        evidence += REWRITE_DATE_BONUS
    if not fa.numbers.isdisjoint(fb.numbers):
        evidence += REWRITE_NUMBER_BONUS
    needed = REWRITE_CONTAINMENT_UNIFORM if uniform else REWRITE_CONTAINMENT
    return weighted_jaccard * REWRITE_DISCOUNT if evidence >= needed else 0.0


def _exact(a: DedupDoc, b: DedupDoc, fa: _Features, fb: _Features) -> bool:
    if a.url is not None and a.url == b.url:
        return not _reused_address(fa, fb)
    if a.guid is not None and a.guid == b.guid and a.source_id == b.source_id:
        return not _reused_address(fa, fb)
    return fa.text_hash is not None and fa.text_hash == fb.text_hash


def _reused_address(fa: _Features, fb: _Features) -> bool:
    """One address (or guid) for two items naming different dates and not nearly one text: a
    forum reused a slug like ".../einladung/" for the next event. A corrected date in a
    near-identical text stays the same item."""
    if not _conflict(fa.dates, fb.dates):
        return False
    return _overlap(fa.words, fb.words)[0] < NEAR_IDENTICAL


def same_story(a: DedupDoc, b: DedupDoc, window: timedelta = DEFAULT_WINDOW) -> bool:
    """Whether `a` and `b` tell one story: an exact match, or near-duplicates within `window`.
    Without other items to tell rare words from common ones, every word weighs the same."""
    fa, fb = features(a), features(b)
    if _exact(a, b, fa, fb):
        return True
    if abs(a.first_seen - b.first_seen) > window:
        return False
    return _similarity(fa, fb, _pair(a, b)) > 0.0


def representative_order(doc: DedupDoc) -> tuple[datetime, bool, datetime, bool, str]:
    """Sort key: earliest first_seen, then earliest published (known first), own site, id."""
    published = doc.published if doc.published is not None else doc.first_seen
    return (doc.first_seen, doc.published is None, published, not doc.own_site, doc.id)


# --- the index ----------------------------------------------------------------------------


def _probe_orders(bins: int) -> tuple[tuple[int, ...], ...]:
    """For each bin, a fixed pseudo-random order of the other bins to borrow from when empty."""
    orders = []
    for slot in range(bins):
        others = [b for b in range(bins) if b != slot]
        others.sort(key=lambda b: hashlib.blake2b(f"{bins}:{slot}:{b}".encode()).digest())
        orders.append(tuple(others))
    return tuple(orders)


_PROBES = {bins: _probe_orders(bins) for bins in (16, 32, 64)}
_BINS: dict[int, _Memo[tuple[int, int]]] = {bins: _Memo(_bin_and_rest(bins)) for bins in _PROBES}


def signature(words: Iterable[str], bins: int) -> list[int]:
    """One-permutation MinHash, densified (Shrivastava, 2017): an empty bin borrows the value of
    the first filled bin in its own fixed random order, so that short texts do not get runs of
    copies of one word. `bins` is 16, 32 or 64; the low bits of a word's hash choose its bin.
    """
    return _densified(_lowest(map(_BINS[bins].__getitem__, words), bins), bins)


def _lowest(words: Iterable[tuple[int, int]], bins: int) -> list[int]:
    """The lowest value per bin of words given as (bin, value); _EMPTY where none."""
    mins = [_EMPTY] * bins
    for slot, rest in words:
        if rest < mins[slot]:
            mins[slot] = rest
    return mins


def _densified(mins: list[int], bins: int) -> list[int]:
    """`mins` with each empty bin given the value of the first filled bin in its order."""
    if _EMPTY not in mins or mins.count(_EMPTY) == bins:
        return mins
    filled = list(mins)
    for slot, probes in enumerate(_PROBES[bins]):
        if mins[slot] == _EMPTY:
            for other in probes:
                if mins[other] != _EMPTY:
                    filled[slot] = mins[other]
                    break
    return filled


def _title_keys(title_words: frozenset[str]) -> list[_Key]:
    """The title's word set, and for longer titles each set one word short: two titles meet
    when they are equal, when one has one word more, or when each has one the other lacks."""
    words = sorted(title_words)
    if not words:
        return []
    keys: list[_Key] = [(_TITLE, *words)]
    if 4 <= len(words) <= MAX_TITLE_SUBSET_WORDS:
        keys += [(_TITLE, *words[:n], *words[n + 1 :]) for n in range(len(words))]
    return keys


def candidate_keys(feats: _Features) -> list[_Key]:
    """The index buckets of a document: content LSH bands, title keys, and per date it names
    the date with each of a few MinHash values (items naming one date and sharing some words)."""
    mins = signature(feats.words, CONTENT_BINS)
    return list(dict.fromkeys(_all_keys(feats, mins)))


def _key_hashes(feats: _Features, mins: list[int]) -> tuple[int, ...]:
    """`candidate_keys` as the index holds them: each key's hash, computed once. Two keys with
    one hash share a bucket, which only adds candidates; they are verified exactly."""
    return tuple(dict.fromkeys(map(hash, _all_keys(feats, mins))))


def _all_keys(feats: _Features, mins: list[int]) -> list[_Key]:
    """The keys of `candidate_keys`, `mins` the signature of the content words."""
    keys: list[_Key] = []
    if feats.words:
        bands = CONTENT_BINS // CONTENT_ROWS
        keys += [(band, *mins[band::bands]) for band in range(bands)]
        date_mins = mins[:DATE_BINS]
        keys += [(_DATE, d, m, v) for d, m in feats.dates for v in date_mins]
    keys += _title_keys(feats.title_words)
    return keys


def _guid_key(doc: DedupDoc) -> str:
    """A guid is unique within its source only. A string key keeps the dict out of the
    garbage collector's sight (a dict of strings is not tracked), which matters at 100,000 items."""
    return f"{doc.source_id}\x00{doc.guid}"


@dataclass(slots=True, eq=False)
class _Entry:
    doc: DedupDoc
    feats: _Features
    cluster: str
    keys: tuple[int, ...]  # `_key_hashes`
    rare: tuple[str, ...]  # folded title words and rarest words: where retold stories find it
    day: date  # `_published_day`


class DuplicateIndex:
    """Clusters items as they arrive; holds the items of the last `window` for near-duplicates.

    Add items in order of first_seen (as the crawl finds them). Items older than the newest one
    minus `window` leave the near-duplicate index; their exact keys (URL, guid, text hash) stay,
    so an exact match still joins its cluster however late it comes. Word rarity counts every
    item added (`Rarity`).
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self.rarity = Rarity()
        self._cluster_of: dict[str, str] = {}
        # Where an exact key (URL, guid) points: the first item with it. The dates it names
        # (`_dates`) tell whether the address was reused for another event (`_reused_address`).
        self._by_url: dict[str, str] = {}
        self._by_guid: dict[str, str] = {}  # source id + NUL + guid
        self._dates: dict[str, frozenset[tuple[int, int]]] = {}  # of such items naming a date
        self._by_hash: dict[bytes, str] = {}
        # The buckets hold item ids (dicts as ordered sets): dicts of strings only are not
        # tracked by the garbage collector, which then has fewer objects to visit.
        self._buckets: dict[int, dict[str, None]] = {}
        self._rare: dict[str, dict[str, None]] = {}  # folded word -> items it is rare in
        self._recent: deque[_Entry] = deque()
        self._recent_by_id: dict[str, _Entry] = {}
        self._newest: datetime | None = None
        # Whether `rarity` stays as it is (`cluster` counts all items first): a word that is not
        # rare then never will be, and is not indexed (`_candidates` would not search it).
        self._fixed_rarity = False

    def add(self, doc: DedupDoc) -> str:
        """The cluster id (the representative's id) of `doc`, which joins or founds it."""
        return self._add(doc, counted=False)

    def _add(self, doc: DedupDoc, *, counted: bool) -> str:
        """`add`; `counted` when the caller has counted the item's words in `rarity`."""
        known = self._cluster_of.get(doc.id)
        if known is not None:
            return known
        feats, mins = _analyse(doc)
        if not counted:
            self.rarity.count(feats.stems)
        self._forget_before(doc.first_seen)
        keys = _key_hashes(feats, mins)
        # In how many items each stem is, in the order of feats.stems: looked up once.
        found = map(self.rarity.counts.get, feats.stems, repeat(0))
        frequency = dict(zip(feats.stems, found, strict=True))
        cluster = (
            self._exact_cluster(doc, feats)
            or self._near_cluster(doc, feats, keys, frequency)
            or doc.id
        )
        self._cluster_of[doc.id] = cluster
        self._remember(doc, feats, cluster, keys, frequency)
        return cluster

    def add_known(self, doc: DedupDoc, cluster: str) -> None:
        """Put `doc` into the index as a member of `cluster` without comparing it: an item whose
        story is already known (stored, or set by an editor). Later items find it as usual and
        join `cluster`. Add in order of first_seen, like `add`."""
        if doc.id in self._cluster_of:
            return
        feats, mins = _analyse(doc)
        self.rarity.count(feats.stems)
        self._forget_before(doc.first_seen)
        self._cluster_of[doc.id] = cluster
        found = map(self.rarity.counts.get, feats.stems, repeat(0))
        frequency = dict(zip(feats.stems, found, strict=True))
        self._remember(doc, feats, cluster, _key_hashes(feats, mins), frequency)

    def cluster_of(self, doc_id: str) -> str:
        """The cluster id of an added item; KeyError for an unknown id."""
        return self._cluster_of[doc_id]

    def clusters(self) -> dict[str, list[str]]:
        """Representative id -> the ids of its cluster, the representative first, as added."""
        members: dict[str, list[str]] = {}
        for doc_id, cluster in self._cluster_of.items():  # in order added: representative first
            members.setdefault(cluster, []).append(doc_id)
        return members

    def _exact_cluster(self, doc: DedupDoc, feats: _Features) -> str | None:
        if doc.url is not None and doc.url in self._by_url:
            found = self._exact_match(self._by_url[doc.url], feats)
            if found is not None:
                return found
        if doc.guid is not None and _guid_key(doc) in self._by_guid:
            found = self._exact_match(self._by_guid[_guid_key(doc)], feats)
            if found is not None:
                return found
        if feats.text_hash is not None:
            return self._by_hash.get(feats.text_hash)
        return None

    def _exact_match(self, doc_id: str, feats: _Features) -> str | None:
        """The cluster of an item with the same address, unless the address was reused."""
        cluster = self._cluster_of[doc_id]
        if not _conflict(self._dates.get(doc_id, _NOTHING), feats.dates):
            return cluster
        entry = self._recent_by_id.get(doc_id)
        if entry is None or _reused_address(entry.feats, feats):
            return None
        return cluster

    def _candidates(self, keys: tuple[int, ...], frequency: dict[str, int]) -> list[_Entry]:
        """The items to verify, in the order met, at most MAX_CANDIDATES (the latest met)."""
        found: dict[str, None] = {}
        for bucket in map(self._buckets.get, keys):
            if bucket and len(bucket) <= MAX_KEY_BUCKET:
                found.update(bucket)
        # A retold story shares REWRITE_MIN_RARE rare words: only items met that often qualify.
        buckets, most = self._rare, self.rarity.rare_limit()
        rare = compress(frequency, map(most.__ge__, frequency.values()))
        searched = list(filter(buckets.__contains__, rare))  # in the order of feats.stems
        if len(searched) >= REWRITE_MIN_RARE:  # (ties go to the candidate met first)
            hits: dict[str, int] = {}
            for word in searched:
                bucket = buckets[word]
                if len(bucket) <= MAX_RARE_BUCKET:
                    for doc_id in bucket:
                        seen = hits.get(doc_id, 0) + 1
                        hits[doc_id] = seen
                        if seen == REWRITE_MIN_RARE:
                            found[doc_id] = None
        return list(map(self._recent_by_id.__getitem__, list(found)[-MAX_CANDIDATES:]))

    def _near_cluster(
        self, doc: DedupDoc, feats: _Features, keys: tuple[int, ...], frequency: dict[str, int]
    ) -> str | None:
        best: tuple[float, str] | None = None
        dates = feats.dates
        candidates = self._candidates(keys, frequency)
        seen, window, source = doc.first_seen, self.window, doc.source_id
        day, rarity = _published_day(doc), self.rarity
        for entry in candidates:
            other = entry.feats
            if dates and other.dates and dates.isdisjoint(other.dates):
                continue  # the commonest reason to differ, checked before anything dearer
            if abs(entry.doc.first_seen - seen) > window:
                continue
            if _different_facts(feats, other):
                continue  # what most candidates fail in `_similarity`: spare the call
            pair = _Pair(source == entry.doc.source_id, (day, entry.day), rarity)
            score = _similarity(feats, other, pair)
            if score > 0.0 and (best is None or score > best[0]):
                best = (score, entry.cluster)
        return None if best is None else best[1]

    def _remember(
        self,
        doc: DedupDoc,
        feats: _Features,
        cluster: str,
        keys: tuple[int, ...],
        frequency: dict[str, int],
    ) -> None:
        doc_id = doc.id
        pointed = False  # whether an exact key points to the item
        if doc.url is not None:
            pointed = self._by_url.setdefault(doc.url, doc_id) == doc_id
        if doc.guid is not None:
            pointed = self._by_guid.setdefault(_guid_key(doc), doc_id) == doc_id or pointed
        if pointed and feats.dates:
            self._dates[doc_id] = feats.dates
        if feats.text_hash is not None:
            self._by_hash.setdefault(feats.text_hash, cluster)
        rare = self._rare_words(feats, frequency)
        if self._fixed_rarity:
            most = self.rarity.rare_limit()
            rare = tuple(word for word in rare if frequency[word] <= most)
        entry = _Entry(doc, feats, cluster, keys, rare, _published_day(doc))
        _file(self._buckets, keys, doc_id)
        _file(self._rare, rare, doc_id)
        self._recent.append(entry)
        self._recent_by_id[doc_id] = entry

    @staticmethod
    def _rare_words(feats: _Features, frequency: dict[str, int]) -> tuple[str, ...]:
        """The folded words of the title and the RARE_KEYS rarest of the rest (the longer word
        first among equally rare ones: compounds name things)."""
        title = feats.title_stems
        longest = map(neg, map(len, frequency))
        ranked = sorted(zip(frequency.values(), longest, frequency, strict=True))
        rarest = islice(filterfalse(title.__contains__, map(_third, ranked)), RARE_KEYS)
        return (*sorted(title), *rarest)

    def _forget_before(self, seen: datetime) -> None:
        """Drop items first seen more than `window` before the newest item from the buckets."""
        if self._newest is None or seen > self._newest:
            self._newest = seen
        horizon = self._newest - self.window
        recent, buckets, rare_buckets = self._recent, self._buckets, self._rare
        while recent and recent[0].doc.first_seen < horizon:
            entry = recent.popleft()
            doc_id = entry.doc.id
            del self._recent_by_id[doc_id]
            for key in entry.keys:
                bucket = buckets[key]
                if len(bucket) == 1:
                    del buckets[key]
                else:
                    del bucket[doc_id]
            for word in entry.rare:
                bucket = rare_buckets[word]
                if len(bucket) == 1:
                    del rare_buckets[word]
                else:
                    del bucket[doc_id]


def _file(index: dict[_K, dict[str, None]], keys: tuple[_K, ...], doc_id: str) -> None:
    """File `doc_id` under each of `keys`."""
    for key, bucket in zip(keys, map(index.get, keys), strict=True):
        if bucket is None:
            index[key] = {doc_id: None}
        else:
            bucket[doc_id] = None


def cluster(docs: Iterable[DedupDoc], window: timedelta = DEFAULT_WINDOW) -> dict[str, str]:
    """Item id -> cluster id (the id of its representative, the earliest item of the cluster).

    Word rarity is counted over all of `docs` before the first is clustered, so that the
    earliest items are judged like the latest."""
    index = DuplicateIndex(window)
    ordered = sorted(docs, key=representative_order)
    for doc in ordered:  # a pass of its own: features of all items at once would not fit
        index.rarity.count(_folded_words(doc))
    index._fixed_rarity = True
    return {doc.id: index._add(doc, counted=True) for doc in ordered}
