"""Topic tags from an item's words: the taxonomy (data) and the matcher.

Pure: strings in, `Tag` values out; the only file read is the packaged default taxonomy
(`data/topics.yaml`, which documents the signal syntax). What each topic means: TAXONOMY.md.

How an item is tagged, per topic:

    strong signal        one is enough ("Abrissgenehmigung" → denkmalpflege)
    weak signals         two different words are needed ("Platz" and "Bäume")
    exclude              words and phrases that never count for the topic: false compound hits
                         ("Richtlinie" is no "*linie"), idioms ("in erster Linie")
    veto                 a phrase that cancels the topic ("fand … statt": a report)
    needs_date           a date or time must stand in the text too (veranstaltung)

German words are matched by lemma (simplemma, "Denkmäler" → "Denkmal") or as the signal plus
an inflection ending, and as parts of compounds where the signal says so (`Denkmalschutz*`,
`*linie`). Each distinct token is analysed once and remembered, so a long run costs one dict
look-up per token; phrases are checked only where their first word occurred.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

import simplemma
import yaml
from simplemma.strategies import DictionaryLookupStrategy

from aggregator.model import Tag
from aggregator.parse.pagedates import MIN_PUBLICATION_YEAR, dates_in_text

__all__ = [
    "Taxonomy",
    "Topic",
    "default_taxonomy",
    "taxonomy_from_mapping",
    "topic_tags",
]

MAX_TEXT_CHARS = 50_000  # an item's words looked at (title and excerpt are far shorter)
MAX_TOPICS = 50
MAX_SIGNALS = 500  # per list of one topic
MAX_SIGNAL_CHARS = 100
MAX_LABEL_CHARS = 80
MAX_WHY = 6  # words named in a tag's `why`
GAP_WORDS = 12  # words allowed in a "…" gap ("lädt am Dienstag, 17. Oktober 2023, um 19 Uhr … ein")
MIN_COMPOUND_PART = 3  # letters the rest of a compound must have ("Parks" is no compound)
_TOKEN_CACHE_LIMIT = 1_000_000
# a street is named after things: "Eisenbahnstraße" is no railway, "Denkmalweg" no monument
_STREET = re.compile(r"(?:strasse|str|gasse|weg|allee|ring|damm|ufer)$")

_FIELDS = ("label", "signals", "weak", "exclude", "veto", "needs_date")
_KEY = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?")
_TOKEN = re.compile(r"\w+(?:-\w+)*-?")
_GAPS = ("…", "...")
_ENDINGS = ("", "e", "en", "n", "s", "es", "er", "ern", "em")
_UMLAUT_ENDINGS = ("e", "en", "er", "ern")
_UMLAUT = {"au": "äu", "a": "ä", "o": "ö", "u": "ü"}
_LAST_VOWEL = re.compile(r"(au|a|o|u)(?=[^aeiouäöü]*$)")

# dates and times that make an announcement dated, beyond the full dates of `dates_in_text`
_MONTHS = (
    "januar|jänner|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember"
)
_DAY_MONTH = re.compile(
    rf"\b\d{{1,2}}\.(?:\s?[/–-]\s?\d{{1,2}}\.)?\s?(?:{_MONTHS})\b(?:\s\d{{4}}\b)?", re.I
)
_DAY_MONTH_NUMERIC = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.(?!\d)")
_DATE_LIKE = re.compile(rf"\d\.\s?(?:\d|{_MONTHS})|\d\s?uhr\b|\d-\d\d-\d", re.I)
_TIME = re.compile(r"\b(?:[01]?\d|2[0-3])(?:[.:][0-5]\d)?\s?Uhr\b", re.I)


@dataclass(frozen=True, slots=True)
class Topic:
    """One topic: its key, German label and the words that signal it (syntax: data/topics.yaml)."""

    key: str
    label: str
    signals: tuple[str, ...]  # strong: one is enough
    weak: tuple[str, ...] = ()  # two different ones are needed
    exclude: tuple[str, ...] = ()  # never count for this topic
    veto: tuple[str, ...] = ()  # cancel the topic
    needs_date: bool = False  # a date or time must stand in the text too


@dataclass(frozen=True, slots=True)
class Taxonomy:
    topics: tuple[Topic, ...]


# ---------------------------------------------------------------------------------------------
# Loading and validating


@cache
def default_taxonomy() -> Taxonomy:
    """The packaged taxonomy (aggregator/tagging/data/topics.yaml)."""
    text = resources.files("aggregator.tagging").joinpath("data/topics.yaml").read_text("utf-8")
    return taxonomy_from_mapping(yaml.safe_load(text), where="topics.yaml")


def taxonomy_from_mapping(data: object, *, where: str = "topics") -> Taxonomy:
    """A taxonomy from a mapping key → {label, signals, [weak, exclude, veto, needs_date]}.

    Raises ValueError with a one-line message naming the field on bad input.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: must be a mapping of topic key to {{label, signals}}")
    if not data:
        raise ValueError(f"{where}: must name at least one topic")
    if len(data) > MAX_TOPICS:
        raise ValueError(f"{where}: at most {MAX_TOPICS} topics, not {len(data)}")
    return Taxonomy(tuple(_topic(key, value, where) for key, value in data.items()))


def _topic(key: object, value: object, where: str) -> Topic:
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(
            f"{where}: topic key {key!r} must be lower-case a-z, 0-9 and '-' (at most 40)"
        )
    at = f"{where}.{key}"
    if not isinstance(value, Mapping):
        raise ValueError(f"{at}: must be a mapping with label and signals")
    unknown = [str(name) for name in value if name not in _FIELDS]
    if unknown:
        raise ValueError(f"{at}: unknown field {unknown[0]!r} (known: {', '.join(_FIELDS)})")
    label = value.get("label")
    if not isinstance(label, str) or not label.strip():
        raise ValueError(f"{at}.label: must be a non-empty text")
    if len(label) > MAX_LABEL_CHARS:
        raise ValueError(f"{at}.label: at most {MAX_LABEL_CHARS} characters")
    needs_date = value.get("needs_date", False)
    if not isinstance(needs_date, bool):
        raise ValueError(f"{at}.needs_date: must be true or false")
    signals = _words(value.get("signals"), f"{at}.signals", required=True)
    return Topic(
        key=key,
        label=label.strip(),
        signals=signals,
        weak=_words(value.get("weak"), f"{at}.weak", required=False),
        exclude=_words(value.get("exclude"), f"{at}.exclude", required=False),
        veto=_words(value.get("veto"), f"{at}.veto", required=False),
        needs_date=needs_date,
    )


def _words(value: object, at: str, *, required: bool) -> tuple[str, ...]:
    if value is None and not required:
        return ()
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"{at}: must be a list of words")
    if required and not value:
        raise ValueError(f"{at}: must name at least one word")
    if len(value) > MAX_SIGNALS:
        raise ValueError(f"{at}: at most {MAX_SIGNALS} entries, not {len(value)}")
    for index, signal in enumerate(value):
        if len(signal) > MAX_SIGNAL_CHARS:
            raise ValueError(f"{at}[{index}]: at most {MAX_SIGNAL_CHARS} characters")
        problem = _signal_problem(signal)
        if problem:
            raise ValueError(f"{at}[{index}]: {problem} in {signal!r}")
    return tuple(signal.strip() for signal in value)


def _signal_problem(signal: str) -> str | None:
    """Why a signal cannot be read, or None."""
    chunks = signal.split()
    if not chunks:
        return "no word"
    if chunks[0] in _GAPS or chunks[-1] in _GAPS:
        return "a gap '…' must stand between words"
    starred = any("*" in chunk for chunk in chunks)
    if starred and len(chunks) > 1:
        return "'*' marks a compound part of a single word only"
    for chunk in chunks:
        if chunk in _GAPS:
            continue
        bare = chunk.strip("*").removeprefix("=")
        if "*" in bare or "=" in bare:
            return "'*' only at a word's start or end, '=' only at its start"
        if chunk.startswith("=") and "*" in chunk:
            return "'=' and '*' do not go together"
        if starred and len(_normal(bare)) < MIN_COMPOUND_PART:
            return f"a compound part needs at least {MIN_COMPOUND_PART} letters"
        if not _TOKEN.search(bare) and bare not in ("–", "-"):
            return "no word"
    if not any(_TOKEN.search(chunk) for chunk in chunks):
        return "no word"
    return None


# ---------------------------------------------------------------------------------------------
# Compiling signals into word units and phrases


@dataclass(frozen=True, slots=True)
class _Unit:
    """One word pattern of a signal; every distinct pattern is one unit of the token matcher."""

    text: str  # normalised (lower case, ß → ss, no hyphens); as written for `caps`
    exact: bool  # "=wort": this form only
    caps: bool  # "WORT": only in capitals
    prefix: bool  # "wort*": also as a compound's first part
    head: bool  # "*wort": also as a compound's last part


@dataclass(frozen=True, slots=True)
class _Phrase:
    topic: int  # index into the taxonomy's topics
    role: str  # "strong" | "weak" | "exclude" | "veto"
    units: tuple[int, ...]
    gaps: tuple[bool, ...]  # gaps[k]: up to GAP_WORDS words may stand before units[k]


def _normal(word: str) -> str:
    return word.lower().replace("ß", "ss").replace("-", "")


# Dictionary look-up only: compounds are matched here (prefixes, heads), and simplemma's
# decomposition strategies cost four times as much on the many words it does not know (names).
_LEMMATIZER = simplemma.Lemmatizer(
    cache_max_size=0, lemmatization_strategy=DictionaryLookupStrategy()
)


def _lemma(token: str) -> str:
    return _normal(_LEMMATIZER.lemmatize(token, "de"))


def _inflections(word: str) -> set[str]:
    """The word with the common German endings, and with an umlaut plural ("haus" → "häuser")."""
    forms = {word + ending for ending in _ENDINGS}
    vowel = _LAST_VOWEL.search(word)
    if vowel is not None:
        umlauted = word[: vowel.start()] + _UMLAUT[vowel.group(1)] + word[vowel.end() :]
        forms.add(umlauted)
        forms.update(umlauted + ending for ending in _UMLAUT_ENDINGS)
    return forms


def _parse_unit(chunk: str) -> _Unit | None:
    exact = chunk.startswith("=")
    bare = chunk.removeprefix("=")
    prefix, head = bare.endswith("*"), bare.startswith("*")
    word = "".join(_TOKEN.findall(bare.strip("*")))
    if not word:
        return None  # a dash between words ("Städte erhalten – Bürger beteiligen")
    caps = len(word) > 1 and word.isupper()
    return _Unit(word if caps else _normal(word), exact, caps, prefix, head)


@dataclass(frozen=True, slots=True)
class _TokenInfo:
    """What one distinct token matches, worked out once."""

    units: frozenset[int]
    lemma: str  # normalised; tells weak words apart ("Platz" and "Plätze" are one)
    singles: tuple[tuple[int, str], ...]  # (topic, role) of one-word signals it is
    phrases: tuple[_Phrase, ...]  # longer signals that start with it


_NOTHING = _TokenInfo(frozenset(), "", (), ())


class _Matcher:
    """A taxonomy compiled for matching: word units, phrases, and a per-token cache."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.units: dict[_Unit, int] = {}
        self.starts: dict[int, list[_Phrase]] = {}
        for index, topic in enumerate(taxonomy.topics):
            for role, signals in (
                ("strong", topic.signals),
                ("weak", topic.weak),
                ("exclude", topic.exclude),
                ("veto", topic.veto),
            ):
                for signal in signals:
                    self._add_phrase(index, role, signal)
        self.caps_forms: dict[str, set[int]] = {}
        self.exact_forms: dict[str, set[int]] = {}
        self.word_forms: dict[str, set[int]] = {}
        self.prefixes: dict[str, set[int]] = {}
        self.heads: dict[str, set[int]] = {}
        for unit, uid in self.units.items():
            self._index_unit(unit, uid)
        self.token_cache: dict[str, _TokenInfo] = {}

    def _add_phrase(self, topic: int, role: str, signal: str) -> None:
        units: list[int] = []
        gaps: list[bool] = []
        gap = False
        for chunk in signal.split():
            if chunk in _GAPS:
                gap = True
                continue
            unit = _parse_unit(chunk)
            if unit is None:
                continue
            units.append(self.units.setdefault(unit, len(self.units)))
            gaps.append(gap)
            gap = False
        phrase = _Phrase(topic, role, tuple(units), tuple(gaps))
        self.starts.setdefault(units[0], []).append(phrase)

    def _index_unit(self, unit: _Unit, uid: int) -> None:
        if unit.caps:
            self.caps_forms.setdefault(unit.text, set()).add(uid)
            return
        if unit.exact:
            self.exact_forms.setdefault(unit.text, set()).add(uid)
            return
        forms = _inflections(unit.text) | {_lemma(unit.text.capitalize()), _lemma(unit.text)}
        for form in forms:
            self.word_forms.setdefault(form, set()).add(uid)
        if unit.prefix:
            self.prefixes.setdefault(unit.text, set()).add(uid)
        if unit.head:
            for form in _inflections(unit.text):
                self.heads.setdefault(form, set()).add(uid)

    def token(self, token: str) -> _TokenInfo:
        """The units a token matches, and its normalised lemma (analysed once, then cached)."""
        known = self.token_cache.get(token)
        if known is None:
            if len(self.token_cache) >= _TOKEN_CACHE_LIMIT:
                self.token_cache.clear()
            known = self.token_cache[token] = self._analyse(token)
        return known

    def _analyse(self, token: str) -> _TokenInfo:
        bare = token.rstrip("-")
        found: set[int] = set()
        found.update(self.caps_forms.get(bare, ()))
        for part in bare.split("-"):
            found.update(self.caps_forms.get(part, ()))
        surface = _normal(bare)
        lemma = _lemma(bare) if bare else ""
        found.update(self.exact_forms.get(surface, ()))
        candidates = {surface, lemma}
        if "-" in bare:
            for part in bare.split("-"):
                if part:
                    candidates.update((_normal(part), _lemma(part)))
        noun = bare[:1].isupper()
        street = _STREET.search(surface) is not None
        for word in candidates:
            found.update(self.word_forms.get(word, ()))
            for end in range(MIN_COMPOUND_PART, 0 if street else len(word)):
                found.update(self.prefixes.get(word[:end], ()))
            if noun:
                for start in range(MIN_COMPOUND_PART, len(word) - MIN_COMPOUND_PART + 1):
                    found.update(self.heads.get(word[start:], ()))
        if not found:
            return _NOTHING
        starting = [phrase for uid in sorted(found) for phrase in self.starts.get(uid, ())]
        return _TokenInfo(
            units=frozenset(found),
            lemma=lemma,
            singles=tuple((ph.topic, ph.role) for ph in starting if len(ph.units) == 1),
            phrases=tuple(ph for ph in starting if len(ph.units) > 1),
        )


_MATCHERS: dict[int, tuple[Taxonomy, _Matcher]] = {}


def _matcher(taxonomy: Taxonomy) -> _Matcher:
    known = _MATCHERS.get(id(taxonomy))
    if known is not None and known[0] is taxonomy:
        return known[1]
    if len(_MATCHERS) >= 8:
        _MATCHERS.clear()
    matcher = _Matcher(taxonomy)
    _MATCHERS[id(taxonomy)] = (taxonomy, matcher)
    return matcher


# ---------------------------------------------------------------------------------------------
# Tagging


@dataclass(slots=True)
class _Evidence:
    strong: list[list[int]]  # token positions of each strong match
    weak: list[list[int]]
    blocked: set[int]
    veto: bool = False


_Hits = dict[int, _TokenInfo]  # position → what the token there matches (matching ones only)


def topic_tags(title: str, text: str, taxonomy: Taxonomy | None = None) -> tuple[Tag, ...]:
    """The topics an item is about, in taxonomy order; `why` names the words that matched."""
    taxonomy = taxonomy or default_taxonomy()
    matcher = _matcher(taxonomy)
    whole = f"{title}\n{text}"[:MAX_TEXT_CHARS]
    tokens = _TOKEN.findall(whole)
    known = matcher.token_cache.get
    analyse = matcher.token
    hits: _Hits = {}
    for position, token in enumerate(tokens):
        found = known(token) or analyse(token)
        if found.units:
            hits[position] = found
    if not hits:
        return ()
    tags: list[Tag] = []
    for index, evidence in sorted(_collect(hits).items()):
        topic = taxonomy.topics[index]
        why = _decide(evidence, tokens, hits)
        if why and topic.needs_date:
            when = _event_date(whole)
            why = (*why, when) if when else ()
        if why:
            tags.append(Tag(kind="topic", value=topic.key, origin="text", why=why))
    return tuple(tags)


def _collect(hits: _Hits) -> dict[int, _Evidence]:
    evidence: dict[int, _Evidence] = {}
    for position, info in hits.items():
        matches = [((topic, role), [position]) for topic, role in info.singles]
        for phrase in info.phrases:
            found = _match_phrase(phrase, position, hits)
            if found is not None:
                matches.append(((phrase.topic, phrase.role), found))
        for (topic, role), matched in matches:
            topic_evidence = evidence.get(topic)
            if topic_evidence is None:
                topic_evidence = evidence[topic] = _Evidence([], [], set())
            if role == "strong":
                topic_evidence.strong.append(matched)
            elif role == "weak":
                topic_evidence.weak.append(matched)
            elif role == "exclude":
                topic_evidence.blocked.update(matched)
            else:
                topic_evidence.veto = True
    return evidence


def _match_phrase(phrase: _Phrase, position: int, hits: _Hits) -> list[int] | None:
    matched = [position]
    for uid, gap in zip(phrase.units[1:], phrase.gaps[1:], strict=True):
        last = matched[-1]
        reach = GAP_WORDS + 1 if gap else 1
        for at in range(last + 1, last + 1 + reach):
            hit = hits.get(at)
            if hit is not None and uid in hit.units:
                matched.append(at)
                break
        else:
            return None
    return matched


def _decide(found: _Evidence, tokens: list[str], hits: _Hits) -> tuple[str, ...]:
    """The words that make the topic, in text order; () when the evidence does not suffice."""
    if found.veto:
        return ()
    strong = [match for match in found.strong if match[0] not in found.blocked]
    weak = [match for match in found.weak if match[0] not in found.blocked]
    if not strong and len({_lemmas(match, hits) for match in weak}) < 2:
        return ()
    covered: set[int] = set()
    words: list[str] = []
    for match in sorted(strong + weak, key=lambda match: (match[0], -len(match))):
        if not covered.issuperset(match):  # "Denkmalpflege" inside "Landesamt für Denkmalpflege"
            covered.update(match)
            words.append(_as_written(match, tokens))
    return tuple(dict.fromkeys(words))[:MAX_WHY]


def _lemmas(match: list[int], hits: _Hits) -> str:
    return " ".join(hits[at].lemma for at in match)


def _as_written(match: list[int], tokens: list[str]) -> str:
    parts = [tokens[match[0]]]
    for before, at in itertools.pairwise(match):
        parts.append(tokens[at] if at == before + 1 else f"… {tokens[at]}")
    return " ".join(parts)


def _event_date(text: str) -> str | None:
    """A date or time of the announced event as written, or None.

    Full dates come from `dates_in_text`, which knows a publication date ("veröffentlicht am …")
    from an event's; those and dates before 1990 (history) do not count, and are blanked out
    before the shorter forms are looked for ("17. Oktober", "12./13. April", "19 Uhr").
    """
    if not _DATE_LIKE.search(text):
        return None  # the common case, without the cost of reading dates
    for found in dates_in_text(text, limit=10):
        if found.kind in ("event", "unknown") and found.value.year >= MIN_PUBLICATION_YEAR:
            return found.text
        text = text.replace(found.text, " ")
    for pattern in (_DAY_MONTH, _DAY_MONTH_NUMERIC, _TIME):
        match = pattern.search(text)
        if match:
            return match.group(0)
    return None
