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

Candidates come from an index, never from all pairs: a densified one-permutation MinHash of the
item's content words (fixed blake2b word hashes, so runs repeat) with LSH banding (32 bins, 8 bands
of 4 rows: a pair with Jaccard 0.7 meets with probability 0.89, 0.85 with 0.995, 0.2 with 0.013);
the title's word set and, for titles of four words or more, each set one word short; and per
named date, the date with each of a few MinHash values. Items older than the window leave the
index. Candidates are then verified exactly (`_similarity`). Pure Python, no dependency: 5,000 to
10,000 items a second (bench/dedup.py); in a micro-benchmark of 60-word items datasketch (numpy,
scipy) took 226 us per item for its MinHash and LSH alone, this signature and banding 36 us.

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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

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
LOWEST_JACCARD = EQUAL_TITLE  # below both, no rule can hold
LOWEST_CONTAINMENT = 0.5


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

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_MAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_WORD = re.compile(r"[a-z0-9]+")
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
    title_places: frozenset[str]  # the same, in the title


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue/ss, dashes as "-", other accents and signs dropped."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    for umlaut, plain in _UMLAUTS:
        folded = folded.replace(umlaut, plain)
    folded = unicodedata.normalize("NFKD", folded)
    return folded.encode("ascii", "ignore").decode("ascii")


def _content_words(tokens: list[str]) -> frozenset[str]:
    return frozenset(
        word for word in tokens if len(word) > 1 and word not in _STOP_WORDS and not word.isdigit()
    )


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


def _read_fact(facts: _Facts, match: re.Match[str]) -> None:
    """File one number of the text under what it is (see `_FACT`)."""
    group = match.group
    if match.lastgroup == "number":
        number = group("number").replace(".", "").replace(",", "")
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
    found = (fold(m.group(1)) for m in _PLACE.finditer(raw))
    return frozenset(p for p in found if p not in _NOT_PLACES and p not in _STOP_WORDS)


def _facts(folded: str) -> _Facts:
    """Dates, years, times, ordinals and other numbers named in `folded`."""
    facts = _Facts()
    if _DIGIT.search(folded):
        for match in _FACT.finditer(folded):
            _read_fact(facts, match)
    return facts


def _without_links(text: str) -> str:
    """`text` without web and mail addresses (a forum's own address is boilerplate)."""
    if "@" in text:
        text = _MAIL.sub(" ", text)
    lowered = text.lower()
    if "www." in lowered or "http" in lowered:
        text = _URL.sub(" ", text)
    return text


def features(doc: DedupDoc) -> _Features:
    """Normalize `doc` once: content words, the numbers it names, its hash."""
    raw_title = _without_links(doc.title[:MAX_TEXT_CHARS])
    raw_text = _without_links(doc.text[:MAX_TEXT_CHARS])
    title = fold(raw_title)
    folded = f"{title}\n{fold(raw_text)}"
    tokens = _WORD.findall(folded)
    text_hash = (
        hashlib.blake2b(" ".join(tokens).encode(), digest_size=16).digest()
        if len(tokens) >= HASH_MIN_TOKENS
        else None
    )
    facts = _facts(folded)
    title_places = _places(raw_title)
    return _Features(
        words=_content_words(tokens),
        title_words=_content_words(_WORD.findall(title)),
        text_hash=text_hash,
        dates=frozenset(facts.dates),
        years=frozenset(facts.years),
        times=frozenset(facts.times),
        ordinals=frozenset(facts.ordinals),
        numbers=frozenset(facts.numbers),
        places=title_places | _places(raw_text),
        title_places=title_places,
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
    if _conflict(fa.title_places, fb.title_places):
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
    if min(len(fa.words), len(fb.words)) < MIN_CONTENT_WORDS:
        return 0.0
    jaccard, containment = _overlap(fa.words, fb.words)
    if (jaccard < LOWEST_JACCARD and containment < LOWEST_CONTAINMENT) or _different_facts(fa, fb):
        return 0.0
    title_jaccard, title_containment = _overlap(fa.title_words, fb.title_words)
    two_title_words = min(len(fa.title_words), len(fb.title_words)) >= 2
    same_title = title_jaccard >= SAME_TITLE or (two_title_words and title_containment >= 0.8)
    shared_date = not fa.dates.isdisjoint(fb.dates)
    if _conflict(fa.ordinals, fb.ordinals):
        # The network's meeting numbers disagree between sites: match on year and date.
        shares_time = shared_date or not fa.years.isdisjoint(fb.years)
        near = jaccard >= ORDINAL_ONLY or (same_title and containment >= SHORTENED_CONTAINMENT)
        return jaccard if shares_time and near else 0.0
    if same_source:  # a forum posts a story once; only a re-post is a duplicate
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


def _probe_orders(bins: int) -> tuple[tuple[int, ...], ...]:
    """For each bin, a fixed pseudo-random order of the other bins to borrow from when empty."""
    orders = []
    for slot in range(bins):
        others = [b for b in range(bins) if b != slot]
        others.sort(key=lambda b: hashlib.blake2b(f"{bins}:{slot}:{b}".encode()).digest())
        orders.append(tuple(others))
    return tuple(orders)


_PROBES = {bins: _probe_orders(bins) for bins in (16, 32, 64)}


def signature(words: Iterable[str], bins: int) -> list[int]:
    """One-permutation MinHash, densified (Shrivastava, 2017): an empty bin borrows the value of
    the first filled bin in its own fixed random order, so that short texts do not get runs of
    copies of one word. `bins` is 16, 32 or 64; the low bits of a word's hash choose its bin.
    """
    mask = bins - 1
    shift = mask.bit_length()
    mins = [_EMPTY] * bins
    for word in words:
        value = _token_hash(word)
        slot = value & mask
        rest = value >> shift
        if rest < mins[slot]:
            mins[slot] = rest
    if _EMPTY in mins and any(v != _EMPTY for v in mins):
        probes = _PROBES[bins]
        filled = list(mins)
        for slot in range(bins):
            if mins[slot] == _EMPTY:
                filled[slot] = next(mins[b] for b in probes[slot] if mins[b] != _EMPTY)
        mins = filled
    return mins


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
    keys: list[_Key] = []
    if feats.words:
        mins = signature(feats.words, CONTENT_BINS)
        bands = CONTENT_BINS // CONTENT_ROWS
        keys += [(band, *mins[band::bands]) for band in range(bands)]
        date_mins = mins[:DATE_BINS]
        keys += [(_DATE, d, m, v) for d, m in feats.dates for v in date_mins]
    keys += _title_keys(feats.title_words)
    return list(dict.fromkeys(keys))


def _guid_key(doc: DedupDoc) -> str:
    """A guid is unique within its source only. A string key keeps the dict out of the
    garbage collector's sight (a dict of strings is not tracked), which matters at 100,000 items."""
    return f"{doc.source_id}\x00{doc.guid}"


@dataclass(slots=True, eq=False)
class _Entry:
    doc: DedupDoc
    feats: _Features
    cluster: str
    keys: list[_Key]


class DuplicateIndex:
    """Clusters items as they arrive; holds the items of the last `window` for near-duplicates.

    Add items in order of first_seen (as the crawl finds them). Items older than the newest one
    minus `window` leave the near-duplicate index; their exact keys (URL, guid, text hash) stay,
    so an exact match still joins its cluster however late it comes.
    """

    def __init__(self, window: timedelta = DEFAULT_WINDOW) -> None:
        self.window = window
        self._cluster_of: dict[str, str] = {}
        self._by_url: dict[str, str] = {}
        self._by_guid: dict[str, str] = {}  # source id + NUL + guid
        self._by_hash: dict[bytes, str] = {}
        self._buckets: dict[_Key, dict[str, _Entry]] = {}
        self._recent: deque[_Entry] = deque()
        self._newest: datetime | None = None

    def add(self, doc: DedupDoc) -> str:
        """The cluster id (the representative's id) of `doc`, which joins or founds it."""
        known = self._cluster_of.get(doc.id)
        if known is not None:
            return known
        feats = features(doc)
        self._forget_before(doc.first_seen)
        keys = candidate_keys(feats)
        cluster = self._exact_cluster(doc, feats) or self._near_cluster(doc, feats, keys) or doc.id
        self._cluster_of[doc.id] = cluster
        self._remember(doc, feats, cluster, keys)
        return cluster

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
            return self._by_url[doc.url]
        if doc.guid is not None and _guid_key(doc) in self._by_guid:
            return self._by_guid[_guid_key(doc)]
        if feats.text_hash is not None:
            return self._by_hash.get(feats.text_hash)
        return None

    def _near_cluster(self, doc: DedupDoc, feats: _Features, keys: list[_Key]) -> str | None:
        candidates: dict[str, _Entry] = {}
        for key in keys:
            bucket = self._buckets.get(key)
            if bucket:
                candidates.update(bucket)
        best: tuple[float, str] | None = None
        dates = feats.dates
        for entry in candidates.values():
            if dates and entry.feats.dates and dates.isdisjoint(entry.feats.dates):
                continue  # the commonest reason to differ, checked before anything dearer
            if abs(entry.doc.first_seen - doc.first_seen) > self.window:
                continue
            same_source = entry.doc.source_id == doc.source_id
            score = _similarity(feats, entry.feats, same_source=same_source)
            if score > 0.0 and (best is None or score > best[0]):
                best = (score, entry.cluster)
        return None if best is None else best[1]

    def _remember(self, doc: DedupDoc, feats: _Features, cluster: str, keys: list[_Key]) -> None:
        if doc.url is not None:
            self._by_url.setdefault(doc.url, cluster)
        if doc.guid is not None:
            self._by_guid.setdefault(_guid_key(doc), cluster)
        if feats.text_hash is not None:
            self._by_hash.setdefault(feats.text_hash, cluster)
        entry = _Entry(doc, feats, cluster, keys)
        for key in entry.keys:
            self._buckets.setdefault(key, {})[doc.id] = entry
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
                del bucket[entry.doc.id]
                if not bucket:
                    del self._buckets[key]


def cluster(docs: Iterable[DedupDoc], window: timedelta = DEFAULT_WINDOW) -> dict[str, str]:
    """Item id -> cluster id (the id of its representative, the earliest item of the cluster)."""
    index = DuplicateIndex(window)
    return {doc.id: index.add(doc) for doc in sorted(docs, key=representative_order)}
