"""Benchmark of city and topic tagging (issue 12): first-call cost and throughput, on one core.

First call: a fresh interpreter imports the tagger and tags one item (what every crawl parser
process pays once), for topics with the packaged form table, topics with simplemma's whole
dictionary (as before the table), and cities; seconds and the process's peak RSS (VmHWM).
Throughput: synthetic German items of the member forums (titles and summaries with places,
districts, people, dates, signal words, and plain news without any), tagged by `city_tags`,
`topic_tags` and both, per size; items per second. Prints one JSON object.

    python bench/tagging.py [--sizes 10000 100000] [--seed 12]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from aggregator.tagging.cities import city_tags
from aggregator.tagging.topics import topic_tags

PLACES = [
    "Leipzig",
    "Dresden",
    "Chemnitz",
    "Zwickau",
    "Plauen",
    "Görlitz",
    "Zittau",
    "Bautzen",
    "Pirna",
    "Meißen",
    "Freiberg",
    "Weimar",
    "Erfurt",
    "Gera",
    "Jena",
    "Altenburg",
    "Naumburg",
    "Weißenfels",
    "Dessau",
    "Magdeburg",
    "Halberstadt",
    "Quedlinburg",
    "Wernigerode",
    "Eisleben",
    "Merseburg",
    "Torgau",
    "Döbeln",
    "Grimma",
    "Riesa",
    "Glauchau",
    "Gotha",
]
PLACES += ["Halle (Saale)", "Halle an der Saale", "Frankfurt (Oder)"]
DISTRICTS = [
    "Plagwitz",
    "Connewitz",
    "Leutzsch",
    "Gohlis",
    "Lindenau",
    "Reudnitz",
    "Kaßberg",
    "Sonnenberg",
    "Loschwitz",
    "Pieschen",
    "Blasewitz",
    "Striesen",
    "Paulusviertel",
    "Giebichenstein",
    "Glaucha",
    "Südvorstadt",
    "Altstadt",
]
BUILDINGS = [
    "Brauerei",
    "Mälzerei",
    "Gründerzeithaus",
    "Villa",
    "Fabrikantenvilla",
    "Kaufhaus",
    "Bahnhofsgebäude",
    "Viadukt",
    "Wasserturm",
    "Stadtmauer",
    "Spinnerei",
    "Ziegelei",
    "Lokschuppen",
    "Gasthof",
    "Ballhaus",
    "Kino",
    "Schule",
    "Kirche",
    "Mühle",
    "Stadtbad",
    "Wächterhaus",
    "Fachwerkhaus",
    "Umgebindehaus",
    "Stellwerk",
    "Straßenbahndepot",
    "Postamt",
]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Werner",
    "Krause",
]
FIRST_NAMES = [
    "Anna",
    "Thomas",
    "Peter",
    "Claudia",
    "Jens",
    "Katrin",
    "Uwe",
    "Sabine",
    "Frank",
    "Heike",
    "Matthias",
    "Petra",
]
STREETS = ("Karl-Liebknecht-Straße", "Eisenbahnstraße", "Lindenauer Markt", "Bautzner Straße")
MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember"

SENTENCES = (
    "Das Stadtforum {place} fordert den Erhalt der {building} in {district}.",
    "Der Eigentümer will die denkmalgeschützte {building} bis zum Herbst abreißen lassen.",
    "Nach Auskunft von {person} sind die Denkmäler in einem bedenklichen Zustand.",
    "Eine Petition für die {building} haben bereits {count} Menschen unterschrieben.",
    "Die Denkmalschutzbehörde prüft derzeit, ob die {building} erhalten werden kann.",
    "Im Bebauungsplan ist an dieser Stelle ein Einkaufszentrum vorgesehen.",
    "Anwohner berichten von Leerstand und Verfall rund um die {street}.",
    "Die Wohnungsgesellschaft plant in {place} {count} neue Wohnungen.",
    "Wir laden am {day}. {month} um {hour} Uhr zum Stadtspaziergang durch {district} ein.",
    "Der Stadtrat hat die Bürgerbeteiligung zum Radverkehrskonzept verlängert.",
    "Auf dem Marktplatz sollen Bäume gepflanzt und neue Bänke aufgestellt werden.",
    "Die Straßenbahnlinie {count} fährt wegen Bauarbeiten nur bis {district}.",
    "Ein Architekturwettbewerb für den Neubau an der {street} ist entschieden.",
    "Das Netzwerk der Stadtforen trifft sich zum Vernetzungstreffen in {place}.",
    "{person} aus {place} berichtete von der Sanierung der Fassade.",
    "Das Wetter bleibt sonnig, die Temperaturen steigen auf {count} Grad.",
    "Der Verein dankt allen Helferinnen und Helfern für ihren Einsatz.",
    "Die Ausstellung im Rathaus zeigt Fotografien aus {count} Jahren.",
)
TITLES = (
    "{building} in {place} vor dem Abriss",
    "Offener Brief zur {building}",
    "Stadtspaziergang in {district}",
    "Neue Wohnungen in {place}",
    "Einladung zum Vernetzungstreffen",
    "Bürgerbeteiligung verlängert",
    "{person} im Gespräch",
    "Nachrichten aus {place}",
    "Jahresbericht {year}",
)


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        place=rng.choice(PLACES),
        district=rng.choice(DISTRICTS),
        building=rng.choice(BUILDINGS),
        person=f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
        street=f"{rng.choice(STREETS)} {rng.randint(1, 180)}",
        count=rng.randint(2, 4000),
        day=rng.randint(1, 28),
        month=rng.choice(MONTHS.split()),
        hour=rng.randint(9, 20),
        year=rng.randint(1990, 2025),
    )


def synthetic_items(count: int, seed: int) -> list[tuple[str, str]]:
    """(title, summary) pairs: a title and two to five sentences each."""
    rng = random.Random(seed)
    return [
        (
            _fill(rng.choice(TITLES), rng),
            " ".join(_fill(rng.choice(SENTENCES), rng) for _ in range(rng.randint(2, 5))),
        )
        for _ in range(count)
    ]


def _tag_cities(title: str, text: str) -> None:
    city_tags(title, text, source_city=None)


def _tag_topics(title: str, text: str) -> None:
    topic_tags(title, text)


def _tag_both(title: str, text: str) -> None:
    city_tags(title, text, source_city=None)
    topic_tags(title, text)


def items_per_second(tag: Callable[[str, str], None], items: Sequence[tuple[str, str]]) -> float:
    started = time.perf_counter()
    for title, text in items:
        tag(title, text)
    return round(len(items) / (time.perf_counter() - started), 1)


_FIRST_CALL = """
import sys, time
started = time.perf_counter()
{setup}
{call}
seconds = time.perf_counter() - started
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(seconds, hwm / 1024, "simplemma" in sys.modules)
"""
_ITEM = "('Abriss droht', 'Das Gründerzeithaus in Leipzig-Plagwitz steht leer.')"
FIRST_CALLS = {
    "topics": ("from aggregator.tagging.topics import topic_tags", f"topic_tags(*{_ITEM})"),
    "topics_with_simplemma": (
        "from aggregator.tagging import topics\n"
        "topics._lemma_source = lambda units: topics.simplemma_lemma_of()\n"
        "from aggregator.tagging.topics import topic_tags",
        f"topic_tags(*{_ITEM})",
    ),
    "cities": (
        "from aggregator.tagging.cities import city_tags",
        f"city_tags(*{_ITEM}, source_city=None)",
    ),
    "python_only": ("pass", "pass"),
}


def first_call(setup: str, call: str) -> dict[str, object]:
    """Import and first call in a fresh interpreter: seconds, peak RSS, simplemma loaded."""
    code = _FIRST_CALL.format(setup=setup, call=call)
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    ).stdout.split()
    return {
        "seconds": round(float(out[0]), 3),
        "peak_rss_mb": round(float(out[1]), 1),
        "simplemma_loaded": out[2] == "True",
    }


def peak_rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args(argv)
    report: dict[str, object] = {
        "first_call": {name: first_call(*parts) for name, parts in FIRST_CALLS.items()}
    }
    _tag_both("Warm", "up")  # loads the gazetteer and the taxonomy once, outside the timing
    runs = []
    for size in args.sizes:
        items = synthetic_items(size, args.seed)
        runs.append(
            {
                "items": size,
                "cities_per_s": items_per_second(_tag_cities, items),
                "topics_per_s": items_per_second(_tag_topics, items),
                "both_per_s": items_per_second(_tag_both, items),
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    report["throughput"] = runs
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
