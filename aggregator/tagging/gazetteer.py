"""The gazetteer: which municipality a word or phrase names (data in `data/gazetteer.tsv`).

Pure: parsing takes the file's text; `load_gazetteer` reads the packaged file once
(importlib.resources) and caches it. Lookup keys are lower-cased words; the German spellings
"ae/oe/ue" for umlauts and "ss" for ß are registered as variants of every name, so a key is
always `word.lower()` (length-preserving, which keeps text offsets valid).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

EntryKind = Literal["municipality", "alias", "district", "place", "adjective", "neighbour", "block"]
_KINDS: frozenset[str] = frozenset(
    ("municipality", "alias", "district", "place", "adjective", "neighbour", "block", "head")
)
_FLAGS: frozenset[str] = frozenset(("ctx", "weak", "freiburg"))
_STATES: frozenset[str] = frozenset(("", "SN", "ST", "TH", "BE", "BB", "NI", "BY", "PL", "CZ"))

WORD = re.compile(r"\w+")
_UMLAUT_SPELLING = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@dataclass(frozen=True, slots=True)
class GazetteerEntry:
    """One meaning of a name: the municipality it points to and how sure a bare mention is."""

    city: str  # official municipality name; "" for a block phrase
    kind: EntryKind
    ctx: bool = False  # the bare name needs place context ("in Halle")
    weak: bool = False  # counts only when the item is otherwise about `city`
    freiburg: bool = False  # "Freiburg" written for Freiberg: dropped in a Breisgau context


@dataclass(frozen=True, slots=True)
class Phrase:
    """A name as a sequence of lower-case word keys, with its meanings in preference order."""

    words: tuple[str, ...]
    entries: tuple[GazetteerEntry, ...]
    # worked out once here, not per mention: the cities of `entries`, each once, in their order;
    # whether one of them is "Freiburg" written for Freiberg
    cities: tuple[str, ...] = field(init=False, repr=False, compare=False)
    freiburg: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cities = tuple(dict.fromkeys(e.city for e in self.entries if e.city))
        object.__setattr__(self, "cities", cities)
        object.__setattr__(self, "freiburg", any(e.freiburg for e in self.entries))

    @property
    def is_block(self) -> bool:
        return self.entries[0].kind == "block"


@dataclass(frozen=True, slots=True)
class Gazetteer:
    """Names indexed by their first word; each list longest phrase first."""

    by_first_word: dict[str, tuple[Phrase, ...]]
    heads: frozenset[str]  # nouns after a city adjective that make a non-place name
    cities: frozenset[str]  # every official name the gazetteer can tag

    def phrases_at(self, word: str) -> tuple[Phrase, ...]:
        return self.by_first_word.get(word, ())


def name_keys(name: str) -> tuple[str, ...]:
    """The lookup keys of a name as written in the data file ("Halle (Saale)" -> halle, saale)."""
    return tuple(WORD.findall(name.lower()))


def _spelling_variants(keys: tuple[str, ...]) -> set[tuple[str, ...]]:
    plain = tuple(k.translate(_UMLAUT_SPELLING) for k in keys)
    ss_only = tuple(k.replace("ß", "ss") for k in keys)
    return {keys, plain, ss_only}


def _genitive(name: str) -> str | None:
    """ "Leipzigs", "Dresdens"; none after a sibilant ("Görlitz") or for names of several words."""
    if len(name_keys(name)) != 1 or not name.isalpha() or name[-1] in "sßzxSZX":
        return None
    return name + "s"


def _parse_entry(line: str, lineno: int) -> tuple[str, str, GazetteerEntry | None]:
    fields = line.split("\t")
    if len(fields) != 5:
        raise ValueError(f"gazetteer line {lineno}: expected 5 tab-separated fields")
    name, city, kind, flags_text, state = (f.strip() for f in fields)
    flags = {f for f in flags_text.split(",") if f}
    if not name or kind not in _KINDS or not flags <= _FLAGS or state not in _STATES:
        raise ValueError(f"gazetteer line {lineno}: bad name, kind, flags or state")
    if kind == "head":
        return name, kind, None
    if kind == "block":
        entry = GazetteerEntry(city="", kind="block")
    else:
        entry = GazetteerEntry(
            city=city or name,
            kind=kind,  # type: ignore[arg-type]  # checked against _KINDS above
            ctx="ctx" in flags,
            weak="weak" in flags,
            freiburg="freiburg" in flags,
        )
    return name, kind, entry


def parse_gazetteer(text: str) -> Gazetteer:
    """Read the TSV format described in the data file's header; ValueError names the line."""
    meanings: dict[tuple[str, ...], list[GazetteerEntry]] = {}
    heads: set[str] = set()

    def add(name: str, entry: GazetteerEntry) -> None:
        for keys in _spelling_variants(name_keys(name)):
            if keys:
                listed = meanings.setdefault(keys, [])
                if entry not in listed:
                    listed.append(entry)

    for lineno, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.startswith("#"):
            continue
        name, kind, entry = _parse_entry(raw, lineno)
        if entry is None:
            heads.update(k for keys in _spelling_variants(name_keys(name)) for k in keys)
            continue
        add(name, entry)
        genitive = _genitive(name) if kind in ("municipality", "alias", "neighbour") else None
        if genitive is not None:
            add(genitive, entry)

    by_first: dict[str, list[Phrase]] = {}
    for keys, entries in meanings.items():
        by_first.setdefault(keys[0], []).append(Phrase(keys, tuple(entries)))
    return Gazetteer(
        by_first_word={
            first: tuple(sorted(phrases, key=lambda p: -len(p.words)))
            for first, phrases in by_first.items()
        },
        heads=frozenset(heads),
        cities=frozenset(e.city for es in meanings.values() for e in es if e.city),
    )


@cache
def load_gazetteer() -> Gazetteer:
    """The packaged gazetteer (`aggregator/tagging/data/gazetteer.tsv`), read once."""
    data = resources.files("aggregator.tagging").joinpath("data", "gazetteer.tsv")
    return parse_gazetteer(data.read_text(encoding="utf-8"))
