"""One story once: near-duplicate clustering of items across sources (issue 12, point 1).

Pure: takes values, returns values; no I/O, no clock.

Two items are one story when
- they match exactly (same canonical URL, same guid within one source, same hash of the
  normalized title and text), whatever their distance in time; or
- they were first seen at most `window` apart (14 days) and their normalized title and text are
  nearly the same: a copied press release, a reworded announcement of the same event, a shortened
  copy (`same_story`).

Numbers are strong evidence: two items naming different dates, years, times or other numbers are
different events, and so are items naming different places ("in Görlitz" / "in Zittau"). A series
ordinal ("5." vs "6. Vernetzungstreffen") alone does not split, since the network's own numbers
disagree between sites (TAXONOMY.md), but it only merges when a year or date is shared.

Candidates come from an index, never from all pairs: a one-permutation MinHash of the item's
content words (densified, 64 bins, a fixed blake2b hash so runs repeat) with LSH banding (32 bands
of 2 rows: a pair with Jaccard 0.3 becomes a candidate with probability 0.95), plus a bucket per
named date. Candidates are then verified exactly. Pure Python: 100,000 items cluster in a few
seconds (bench/dedup.py); datasketch measured 4-6x slower per item here and pulls numpy and scipy.

A cluster's representative is the first item added to it; `cluster` adds items in the order
earliest first_seen, then earliest published, then own site, then smaller id, so that the
representative is the earliest item. The index never changes a representative when a later item
joins, and never merges two existing clusters.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_WINDOW = timedelta(days=14)

MAX_TEXT_CHARS = 50_000  # a longer text is cut: the head of a story is what identifies it
HASH_MIN_TOKENS = 8  # fewer normalized words are too little to call two items one by hash
MIN_CONTENT_WORDS = 4  # fewer content words ("Einladung") never make a near-duplicate

BINS = 64
ROWS = 2  # rows per band; BINS // ROWS bands
_BIN_BITS = 6
_BIN_MASK = BINS - 1
_EMPTY = 1 << 64

# Thresholds of the verification (Jaccard / containment of content-word sets).
NEAR_IDENTICAL = 0.7
NEAR_IDENTICAL_ANY_TITLE = 0.85
SHORTENED_CONTAINMENT = 0.85
SHORTENED_MIN_WORDS = 8
REWORDED_SAME_DATE = 0.3
REWORDED_SAME_TITLE = 0.4
SAME_TITLE = 0.6
SAME_SOURCE = 0.8
SAME_SOURCE_CONTAINMENT = 0.95
ORDINAL_ONLY = 0.5


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

_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})
_URL_OR_MAIL = re.compile(r"(?:https?://|www\.)\S+|\S+@\S+\.\w+", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_DATE_WORDS = re.compile(
    rf"\b(\d{{1,2}})\.\s*(?:[/–-]\s*(\d{{1,2}})\.\s*)?({_MONTH_RE})\b\.?(?:\s*(\d{{4}}))?"
)
_DATE_NUMERIC = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4}|\d{2}\b)?")
_DATE_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_TIME = re.compile(r"\b(\d{1,2})(?:[.:](\d{2}))?\s*uhr\b|\b(\d{1,2}):(\d{2})\b")
_ORDINAL = re.compile(r"\b(\d{1,3})\.(?=\s+[a-z])")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER = re.compile(r"\b\d+(?:[.,]\d+)*\b")
_PLACE = re.compile(r"\b(?:[Ii]n|nach)\s+([A-ZÄÖÜ][\w-]+)")


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
    numbers: frozenset[str]  # other numbers
    places: frozenset[str]  # word after "in" / "nach" that looks like a place name


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue/ss, other accents dropped."""
    folded = text.casefold().translate(_FOLD)
    if folded.isascii():
        return folded
    return "".join(c for c in unicodedata.normalize("NFKD", folded) if not unicodedata.combining(c))


def _content_words(folded: str) -> frozenset[str]:
    return frozenset(
        word
        for word in _WORD.findall(folded)
        if len(word) > 1 and not word.isdigit() and word not in _STOP_WORDS
    )


def _take_dates(folded: str) -> tuple[str, set[tuple[int, int]], set[int]]:
    """The dates named in `folded`, and `folded` without them."""
    dates: set[tuple[int, int]] = set()
    years: set[int] = set()

    def add(day: int, month: int, year: str | None) -> None:
        if 1 <= day <= 31 and 1 <= month <= 12:
            dates.add((day, month))
        if year and len(year) == 4:
            years.add(int(year))

    def words(match: re.Match[str]) -> str:
        month = _MONTHS[match.group(3)]
        add(int(match.group(1)), month, match.group(4))
        if match.group(2):
            add(int(match.group(2)), month, None)
        return " "

    def numeric(match: re.Match[str]) -> str:
        add(int(match.group(1)), int(match.group(2)), match.group(3))
        return " "

    def iso(match: re.Match[str]) -> str:
        add(int(match.group(3)), int(match.group(2)), match.group(1))
        return " "

    folded = _DATE_ISO.sub(iso, folded)
    folded = _DATE_WORDS.sub(words, folded)
    folded = _DATE_NUMERIC.sub(numeric, folded)
    return folded, dates, years


def _take_times(folded: str) -> tuple[str, set[int]]:
    times: set[int] = set()

    def one(match: re.Match[str]) -> str:
        hour = match.group(1) or match.group(3)
        minute = match.group(2) or match.group(4) or "0"
        if int(hour) <= 24 and int(minute) < 60:
            times.add(int(hour) * 60 + int(minute))
        return " "

    return _TIME.sub(one, folded), times


def _numbers(folded: str) -> tuple[set[int], set[int], set[str]]:
    """Ordinals ("5. Vernetzungstreffen"), years, and every other number, in what is left."""
    ordinals = {int(m.group(1)) for m in _ORDINAL.finditer(folded)}
    folded = _ORDINAL.sub(" ", folded)
    years = {int(y) for y in _YEAR.findall(folded)}
    folded = _YEAR.sub(" ", folded)
    numbers = {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(folded)}
    return ordinals, years, numbers


def _places(raw: str) -> frozenset[str]:
    found = (fold(m.group(1)) for m in _PLACE.finditer(raw))
    return frozenset(p for p in found if p not in _NOT_PLACES and p not in _STOP_WORDS)


def features(doc: DedupDoc) -> _Features:
    """Normalize `doc` once: content words, the numbers it names, its hash."""
    raw = f"{doc.title}\n{doc.text[:MAX_TEXT_CHARS]}"
    raw = _URL_OR_MAIL.sub(" ", raw)
    folded = fold(raw)
    tokens = _WORD.findall(folded)
    text_hash = (
        hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).digest()
        if len(tokens) >= HASH_MIN_TOKENS
        else None
    )
    rest, times = _take_times(folded)
    rest, dates, years = _take_dates(rest)
    ordinals, more_years, numbers = _numbers(rest)
    return _Features(
        words=_content_words(folded),
        title_words=_content_words(fold(_URL_OR_MAIL.sub(" ", doc.title))),
        text_hash=text_hash,
        dates=frozenset(dates),
        years=frozenset(years | more_years),
        times=frozenset(times),
        ordinals=frozenset(ordinals),
        numbers=frozenset(numbers),
        places=_places(raw),
    )


def _conflict(a: frozenset[object], b: frozenset[object]) -> bool:
    """Both name some, and not one in common."""
    return bool(a) and bool(b) and a.isdisjoint(b)


def _different_facts(fa: _Features, fb: _Features) -> bool:
    """Different dates, years, times, numbers or places: different events."""
    if _conflict(fa.dates, fb.dates) or _conflict(fa.years, fb.years):
        return True
    if _conflict(fa.times, fb.times) or _conflict(fa.numbers, fb.numbers):
        return True
    return bool(fa.places - fb.words) and bool(fb.places - fa.words)


def _overlap(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """Jaccard and containment (of the smaller in the larger)."""
    if not a or not b:
        return 0.0, 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared), shared / min(len(a), len(b))


def _similarity(fa: _Features, fb: _Features, *, same_source: bool) -> float:
    """How near two non-exact items are (0 = different stories), after the guards."""
    if min(len(fa.words), len(fb.words)) < MIN_CONTENT_WORDS or _different_facts(fa, fb):
        return 0.0
    jaccard, containment = _overlap(fa.words, fb.words)
    title_jaccard, title_containment = _overlap(fa.title_words, fb.title_words)
    two_title_words = min(len(fa.title_words), len(fb.title_words)) >= 2
    same_title = title_jaccard >= SAME_TITLE or (two_title_words and title_containment >= 0.8)
    shared_date = not fa.dates.isdisjoint(fb.dates)
    if _conflict(fa.ordinals, fb.ordinals):
        # The network's meeting numbers disagree between sites: match on year and date.
        shares_time = shared_date or not fa.years.isdisjoint(fb.years)
        return jaccard if shares_time and jaccard >= ORDINAL_ONLY else 0.0
    if same_source:  # a forum posts a story once; only a re-post is a duplicate
        shortened = min(len(fa.words), len(fb.words)) >= SHORTENED_MIN_WORDS
        repost = jaccard >= SAME_SOURCE or (shortened and containment >= SAME_SOURCE_CONTAINMENT)
        return jaccard if repost and same_title else 0.0
    if jaccard >= NEAR_IDENTICAL_ANY_TITLE or (jaccard >= NEAR_IDENTICAL and same_title):
        return jaccard
    shortened = min(len(fa.words), len(fb.words)) >= SHORTENED_MIN_WORDS
    if shortened and containment >= SHORTENED_CONTAINMENT and same_title:
        return jaccard
    if shared_date and jaccard >= REWORDED_SAME_DATE and (same_title or containment >= 0.5):
        return jaccard
    if same_title and jaccard >= REWORDED_SAME_TITLE:
        return jaccard
    return 0.0


def _exact(a: DedupDoc, b: DedupDoc, fa: _Features, fb: _Features) -> bool:
    if a.url is not None and a.url == b.url:
        return True
    if a.guid is not None and a.guid == b.guid and a.source_id == b.source_id:
        return True
    return fa.text_hash is not None and fa.text_hash == fb.text_hash


def same_story(a: DedupDoc, b: DedupDoc, window: timedelta = DEFAULT_WINDOW) -> bool:
    """Whether `a` and `b` tell one story: an exact match, or near-duplicates within `window`."""
    fa, fb = features(a), features(b)
    if _exact(a, b, fa, fb):
        return True
    if abs(a.first_seen - b.first_seen) > window:
        return False
    return _similarity(fa, fb, same_source=a.source_id == b.source_id) > 0.0


def representative_order(doc: DedupDoc) -> tuple[datetime, bool, datetime, bool, str]:
    """Sort key: earliest first_seen, then earliest published (known first), own site, id."""
    published = doc.published if doc.published is not None else doc.first_seen
    return (doc.first_seen, doc.published is None, published, not doc.own_site, doc.id)


# --- the index ----------------------------------------------------------------------------


_token_hashes: dict[str, int] = {}


def _token_hash(word: str) -> int:
    value = _token_hashes.get(word)
    if value is None:
        if len(_token_hashes) > 500_000:
            _token_hashes.clear()
        value = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
        _token_hashes[word] = value
    return value


def signature(words: Iterable[str]) -> list[int]:
    """One-permutation MinHash with rotation densification (Shrivastava & Li, 2014)."""
    mins = [_EMPTY] * BINS
    for word in words:
        value = _token_hash(word)
        slot = value & _BIN_MASK
        rest = value >> _BIN_BITS
        if rest < mins[slot]:
            mins[slot] = rest
    if _EMPTY in mins and any(v != _EMPTY for v in mins):
        filled = list(mins)
        for slot in range(BINS):
            if mins[slot] != _EMPTY:
                continue
            step = 1
            while mins[(slot + step) % BINS] == _EMPTY:
                step += 1
            filled[slot] = mins[(slot + step) % BINS] + (step << 58)
        mins = filled
    return mins


def _band_keys(words: frozenset[str]) -> list[tuple[int, ...]]:
    if not words:
        return []
    mins = signature(words)
    return [(band, *mins[band * ROWS : band * ROWS + ROWS]) for band in range(BINS // ROWS)]


@dataclass(slots=True, eq=False)
class _Entry:
    doc: DedupDoc
    feats: _Features
    cluster: str
    keys: list[tuple[int, ...]]


class DuplicateIndex:
    """Clusters items as they arrive; holds the items of the last `window` for near-duplicates.

    Add items in order of first_seen (as the crawl finds them). Items older than the newest one
    minus `window` leave the near-duplicate index; their exact keys (URL, guid, text hash) stay,
    so an exact match still joins its cluster however late it comes.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._cluster_of: dict[str, str] = {}
        self._members: dict[str, list[str]] = {}
        self._by_url: dict[str, str] = {}
        self._by_guid: dict[tuple[str, str], str] = {}
        self._by_hash: dict[bytes, str] = {}
        self._buckets: dict[tuple[int, ...], list[_Entry]] = {}
        self._recent: deque[_Entry] = deque()
        self._newest: datetime | None = None

    def add(self, doc: DedupDoc) -> str:
        """The cluster id (the representative's id) of `doc`, which joins or founds it."""
        known = self._cluster_of.get(doc.id)
        if known is not None:
            return known
        feats = features(doc)
        self._forget_before(doc.first_seen)
        cluster = self._exact_cluster(doc, feats) or self._near_cluster(doc, feats) or doc.id
        self._cluster_of[doc.id] = cluster
        self._members.setdefault(cluster, []).append(doc.id)
        self._remember(doc, feats, cluster)
        return cluster

    def cluster_of(self, doc_id: str) -> str:
        """The cluster id of an added item; KeyError for an unknown id."""
        return self._cluster_of[doc_id]

    def clusters(self) -> dict[str, list[str]]:
        """Representative id -> the ids of its cluster, the representative first, as added."""
        return {rep: list(members) for rep, members in self._members.items()}

    def _exact_cluster(self, doc: DedupDoc, feats: _Features) -> str | None:
        if doc.url is not None and doc.url in self._by_url:
            return self._by_url[doc.url]
        if doc.guid is not None and (doc.source_id, doc.guid) in self._by_guid:
            return self._by_guid[(doc.source_id, doc.guid)]
        if feats.text_hash is not None:
            return self._by_hash.get(feats.text_hash)
        return None

    def _near_cluster(self, doc: DedupDoc, feats: _Features) -> str | None:
        best: tuple[float, str] | None = None
        seen: set[str] = set()
        for key in self._keys(feats):
            for entry in self._buckets.get(key, ()):
                if entry.doc.id in seen:
                    continue
                seen.add(entry.doc.id)
                if abs(entry.doc.first_seen - doc.first_seen) > self.window:
                    continue
                same_source = entry.doc.source_id == doc.source_id
                score = _similarity(feats, entry.feats, same_source=same_source)
                if score > 0.0 and (best is None or score > best[0]):
                    best = (score, entry.cluster)
        return None if best is None else best[1]

    @staticmethod
    def _keys(feats: _Features) -> list[tuple[int, ...]]:
        keys = _band_keys(feats.words)
        keys.extend((-1, day, month) for day, month in feats.dates)
        return keys

    def _remember(self, doc: DedupDoc, feats: _Features, cluster: str) -> None:
        if doc.url is not None:
            self._by_url.setdefault(doc.url, cluster)
        if doc.guid is not None:
            self._by_guid.setdefault((doc.source_id, doc.guid), cluster)
        if feats.text_hash is not None:
            self._by_hash.setdefault(feats.text_hash, cluster)
        entry = _Entry(doc, feats, cluster, self._keys(feats))
        for key in entry.keys:
            self._buckets.setdefault(key, []).append(entry)
        self._recent.append(entry)

    def _forget_before(self, seen: datetime) -> None:
        """Drop items first seen more than `window` before the newest item from the buckets."""
        if self._newest is None or seen > self._newest:
            self._newest = seen
        horizon = self._newest - self.window
        while self._recent and self._recent[0].doc.first_seen < horizon:
            entry = self._recent.popleft()
            for key in entry.keys:
                bucket = self._buckets[key]
                bucket.remove(entry)
                if not bucket:
                    del self._buckets[key]


def cluster(docs: Iterable[DedupDoc], window: timedelta = DEFAULT_WINDOW) -> dict[str, str]:
    """Item id -> cluster id (the id of its representative, the earliest item of the cluster)."""
    index = DuplicateIndex(window)
    return {doc.id: index.add(doc) for doc in sorted(docs, key=representative_order)}
