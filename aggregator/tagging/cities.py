"""City tags: every municipality an item is about (TAXONOMY.md, "cities"), by official name.

Pure. The text is lower-cased once (length-preserving, so offsets stay valid), split into words
by one compiled regex, and only words that start a gazetteer name are looked at further: a
dict lookup per word, no per-name scan. Each mention is then judged by its neighbours:

- a street, brand or institution after a city adjective is no mention ("Leipziger Straße",
  "Weimarer Republik", "Freiberger Pils", "Leipziger Messe", "Braunschweiger Forum");
- where someone comes from is not what the item is about ("Architekten aus Erfurt",
  "TU Dresden", "Landkreis Görlitz", "Bergamt Freiberg"), nor a model or comparison
  ("wie in Leipzig", "nach Dresdner Vorbild"), nor an inn ("Gasthof Stadt Zittau");
- names that are common words or shared with other places need place context: "in Halle",
  "Stadt Halle", a list of places ("Leipzig, Halle und Dresden"), a hyphen ("Halle-Silberhöhe");
  "Halle 2" and "die Halle" never count;
- district names shared by several cities ("Neustadt") go to the city the item is otherwise
  about: the city before a hyphen ("Dresden-Plauen"), an unambiguous mention, the source's city.

"Freiburg" is read as Freiberg (a common misspelling in network texts) unless the item names
the Breisgau, Baden or the Black Forest. The source's city is always a tag (origin "source");
its `why` holds the words of the text that named it too, if any.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate, pairwise

from aggregator.model import Tag
from aggregator.tagging.gazetteer import WORD, Gazetteer, Phrase, load_gazetteer

__all__ = ["Gazetteer", "city_tags", "load_gazetteer"]

_SPLIT_WORDS = re.compile(f"({WORD.pattern})")

# Gaps allowed inside one multi-word name ("Halle (Saale)", "Leipzig-Plagwitz", "Sa.").
_NAME_GAP_CHARS = frozenset(" \t-–/().")
_MAX_NAME_GAP = 3

_PLACE_CONTEXT = frozenset(("in", "nach", "bei", "von", "um", "zwischen", "stadt", "gemeinde"))
_INSTITUTIONS = frozenset(
    (
        "tu", "th", "htw", "htwk", "hs", "fh", "uni", "universität", "hochschule",
        "bergakademie", "landkreis", "landkreises", "kreis", "kreises", "landratsamt",
        "bergamt", "amtsgericht", "landgericht", "verwaltungsgericht", "bistum", "flughafen",
    )
)  # fmt: skip
_INNS = frozenset(("gasthof", "gasthaus", "gaststätte", "hotel", "pension", "restaurant"))
_NEWS_WORDS = frozenset(("neues", "nachrichten", "news", "neuigkeiten", "grüße"))
_COMPARISON_BEFORE = frozenset(
    (
        ("wie",),
        ("wie", "in"),
        ("wie", "im"),
        ("als", "in"),
        ("vorbild",),
        ("vorbild", "von"),
        ("vorbild", "in"),
        ("beispiel", "von"),
        ("vergleich", "zu"),
        ("vergleich", "mit"),
        ("vergleichbar", "mit"),
    )
)
_COMPARISON_AFTER = frozenset(("vorbild", "beispiel", "modell"))
_LIST_WORDS = frozenset(("und", "oder", "sowie", "bzw"))
_QUOTES = frozenset("„“”\"‚‘’'«»")
_BREISGAU = frozenset(("breisgau", "baden", "schwarzwald", "württemberg", "wuerttemberg"))


@dataclass(slots=True)
class _Mention:
    first: int  # word index
    last: int  # word index, inclusive
    phrase: Phrase
    surface: str
    ok: bool = True  # False: suppressed by its context
    city: str | None = None


class _Words:
    """The words of a text and the gaps between them, split in one regex call.

    `gaps[i]` is the text before word i (`gaps[-1]` the tail); offsets are summed only when a
    surface form is needed."""

    def __init__(self, text: str) -> None:
        low = text.lower()
        if len(low) != len(text):  # a rare character whose lower case is longer ("İ")
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
        self.text = text
        parts = _SPLIT_WORDS.split(low)
        self.keys: list[str] = parts[1::2]
        self.gaps: list[str] = parts[0::2]
        self._parts = parts
        self._offsets: list[int] | None = None

    def gap_before(self, i: int) -> str:
        return self.gaps[i]

    def span(self, i: int) -> tuple[int, int]:
        if self._offsets is None:
            self._offsets = [0, *accumulate(map(len, self._parts))]
        start = self._offsets[2 * i + 1]
        return start, start + len(self.keys[i])

    def key(self, i: int) -> str | None:
        return self.keys[i] if 0 <= i < len(self.keys) else None

    def joined_to_previous(self, i: int) -> bool:
        """The word follows the previous one in the same phrase (only spaces between)."""
        return i > 0 and self.gap_before(i).strip(" \t") == ""

    def hyphen_before(self, i: int) -> bool:
        return i > 0 and self.gap_before(i) in ("-", "–")

    def original(self, i: int) -> str:
        start, end = self.span(i)
        return self.text[start:end]


def city_tags(
    title: str, text: str, *, source_city: str | None, gazetteer: Gazetteer | None = None
) -> tuple[Tag, ...]:
    """The city tags of one item: the source's city first, then the cities its words are about."""
    gaz = gazetteer if gazetteer is not None else load_gazetteer()
    words = _Words(f"{title}.\n{text}" if text else title)
    mentions = _find_mentions(words, gaz)
    for m in mentions:
        m.ok = not m.phrase.is_block and _context_allows(words, gaz, m)
    _propagate_along_lists(words, mentions)
    _require_place_context(words, mentions)
    _resolve_cities(words, mentions, source_city)

    found: dict[str, list[str]] = {}
    for m in mentions:
        if m.ok and m.city is not None:
            why = found.setdefault(m.city, [])
            if m.surface not in why:
                why.append(m.surface)
    tags: list[Tag] = []
    if source_city:
        tags.append(Tag("city", source_city, "source", tuple(found.pop(source_city, ()))))
    tags.extend(Tag("city", city, "text", tuple(why)) for city, why in found.items())
    return tuple(tags)


def _find_mentions(words: _Words, gaz: Gazetteer) -> list[_Mention]:
    """Longest gazetteer names, left to right, without overlaps."""
    mentions: list[_Mention] = []
    keys = words.keys
    starts = gaz.by_first_word
    hits = [i for i, k in enumerate(keys) if k in starts]
    next_free = 0
    for i in hits:
        if i < next_free:
            continue
        for phrase in starts[keys[i]]:
            last = i + len(phrase.words) - 1
            if last == i or (last < len(keys) and _phrase_matches(words, phrase, i)):
                mentions.append(_Mention(i, last, phrase, _surface(words, i, last)))
                next_free = last + 1
                break
    return mentions


def _phrase_matches(words: _Words, phrase: Phrase, i: int) -> bool:
    for offset, key in enumerate(phrase.words[1:], start=1):
        gap = words.gap_before(i + offset)
        if words.keys[i + offset] != key or len(gap) > _MAX_NAME_GAP:
            return False
        if not set(gap) <= _NAME_GAP_CHARS:
            return False
    return True


def _surface(words: _Words, first: int, last: int) -> str:
    start, end = words.span(first)
    if last != first:
        end = words.span(last)[1]
    surface = words.text[start:end]
    if surface.count("(") > surface.count(")") and words.text[end : end + 1] == ")":
        surface += ")"
    return surface


def _context_allows(words: _Words, gaz: Gazetteer, m: _Mention) -> bool:
    """Not a street, brand, origin, institution, inn or comparison."""
    entry = m.phrase.entries[0]
    if entry.kind == "adjective" and not _adjective_names_place(words, gaz, m.last):
        return False
    before = _words_before(words, m.first, 2)
    previous = before[-1] if before else ""
    if previous in _INSTITUTIONS:
        return False
    if previous == "aus" and not (len(before) == 2 and before[0] in _NEWS_WORDS):
        return False
    if before and ((previous,) in _COMPARISON_BEFORE or before in _COMPARISON_BEFORE):
        return False
    after = _words_after(words, m.last, 2)
    following = after[0] if after else ""
    if following in _COMPARISON_AFTER:
        return False
    if following == "als" and len(after) == 2 and after[1] in _COMPARISON_AFTER:
        return False
    if previous == "stadt":
        stadt = m.first - 1
        if set(words.gap_before(stadt)) & _QUOTES or words.key(stadt - 1) in _INNS:
            return False
    return not (m.phrase.freiburg and _breisgau_context(words))


def _adjective_names_place(words: _Words, gaz: Gazetteer, last: int) -> bool:
    """ "Leipziger Stadtrat" yes; "Leipziger Straße", "Meißner sagte", "die Leipziger." no."""
    nxt = last + 1
    if nxt >= len(words.keys) or not words.joined_to_previous(nxt):
        return False
    head = words.original(nxt)
    return head[:1].isupper() and words.keys[nxt] not in gaz.heads


def _words_before(words: _Words, i: int, n: int) -> tuple[str, ...]:
    """Up to n words before word i within the same phrase (no punctuation between)."""
    keys, gaps = words.keys, words.gaps
    out: list[str] = []
    j = i
    while j > 0 and len(out) < n and not gaps[j].strip(" \t"):  # `joined_to_previous`, inlined
        j -= 1
        out.append(keys[j])
    return tuple(reversed(out))


def _words_after(words: _Words, i: int, n: int) -> tuple[str, ...]:
    keys, gaps = words.keys, words.gaps
    out: list[str] = []
    j = i + 1
    while j < len(keys) and len(out) < n and not gaps[j].strip(" \t"):
        out.append(keys[j])
        j += 1
    return tuple(out)


def _breisgau_context(words: _Words) -> bool:
    return any(k in _BREISGAU for k in words.keys)


def _list_neighbour(words: _Words, earlier: _Mention, later: _Mention) -> bool:
    """The two mentions stand in one list: "A, B", "A und B", "A/B", "A, B sowie C"."""
    between = later.first - earlier.last - 1
    if between == 0:
        gap = words.gap_before(later.first).strip()
        return gap in (",", "/", ";")
    if between == 1:
        middle = earlier.last + 1
        return (
            words.keys[middle] in _LIST_WORDS
            and words.joined_to_previous(later.first)
            and words.gap_before(middle).strip() in ("", ",")
        )
    return False


def _propagate_along_lists(words: _Words, mentions: list[_Mention]) -> None:
    """ "wie in Leipzig und Dresden", "Hochschule Zittau/Görlitz": the list shares the context."""
    for earlier, later in pairwise(mentions):
        suppressed = not earlier.ok and not earlier.phrase.is_block
        if suppressed and later.ok and _list_neighbour(words, earlier, later):
            later.ok = False


def _needs_context(m: _Mention) -> bool:
    return len(m.phrase.words) == 1 and m.phrase.entries[0].ctx


def _require_place_context(words: _Words, mentions: list[_Mention]) -> None:
    """Bare ambiguous names ("Halle") count only in a place context; never before a number."""
    for n, m in enumerate(mentions):
        if not m.ok or not _needs_context(m):
            continue
        following = m.last + 1
        if following < len(words.keys) and words.keys[following][:1].isdigit():
            m.ok = False
            continue
        before = _words_before(words, m.first, 1)
        prev = mentions[n - 1] if n > 0 else None
        nxt = mentions[n + 1] if n + 1 < len(mentions) else None
        m.ok = (
            (before[-1:] != () and before[-1] in _PLACE_CONTEXT)
            or (nxt is not None and nxt.first == following and words.hyphen_before(following))
            or (prev is not None and prev.last == m.first - 1 and words.hyphen_before(m.first))
            or _in_place_list(words, mentions, n)
        )


def _in_place_list(words: _Words, mentions: list[_Mention], n: int) -> bool:
    m = mentions[n]
    for other_index in (n - 1, n + 1):
        if not 0 <= other_index < len(mentions):
            continue
        other = mentions[other_index]
        if not other.ok or other.phrase.is_block or _needs_context(other):
            continue
        pair = (other, m) if other_index < n else (m, other)
        if _list_neighbour(words, *pair):
            return True
    return False


def _resolve_cities(words: _Words, mentions: list[_Mention], source_city: str | None) -> None:
    """Pick one city per mention: hyphen prefix, then the item's other evidence, then default."""
    evidence: set[str] = {source_city} if source_city else set()
    for m in mentions:
        cities = m.phrase.cities
        if m.ok and len(cities) == 1 and not m.phrase.entries[0].weak:
            evidence.add(cities[0])
    previous: _Mention | None = None
    for m in mentions:
        if m.ok:
            m.city = _choose_city(words, m, previous, evidence)
        previous = m


def _choose_city(
    words: _Words, m: _Mention, previous: _Mention | None, evidence: set[str]
) -> str | None:
    entries = m.phrase.entries
    cities = m.phrase.cities
    hyphen_prefix = (
        previous is not None
        and previous.city is not None
        and previous.last == m.first - 1
        and words.hyphen_before(m.first)
    )
    if hyphen_prefix and previous is not None and previous.city in cities:
        combined = _surface(words, previous.first, m.last)  # "Leipzig-Plagwitz": one why
        previous.surface = m.surface = combined
        return previous.city
    evidenced = [c for c in cities if c in evidence]
    if evidenced:
        return evidenced[0]
    return None if entries[0].weak else entries[0].city
