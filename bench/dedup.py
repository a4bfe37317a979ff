"""Benchmark of tagging and near-duplicate clustering (issue 12, point 7), on one core.

Generates synthetic German news items of the member forums, spread over two years of
first_seen, with a known truth: original stories, their near-duplicates (a press release copied
by another forum, a reworded announcement of the same event, a shortened teaser), and the hard
negatives (events of one series with other numbers, dates and places; the same forum footer
under different stories). Tags them (`aggregator.tagging.tag_text`, each forum's town as the
prior), clusters them with `aggregator.dedup.cluster`, and prints one JSON line per size: seconds
of both and of each, peak memory (tracemalloc in a further, traced run; ru_maxrss of the
process), clusters found, and pair precision / recall against the truth; then the ratios of the
largest size to the smallest. With `--repeat N` the fastest of N runs counts.

    python bench/dedup.py [--sizes 10000 100000] [--seed 12] [--days 730] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from aggregator.dedup import DedupDoc, cluster
from aggregator.tagging import tag_text

_T = TypeVar("_T")

START = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)
ITEMS_PER_SOURCE = 250


def words(text: str) -> list[str]:
    return text.split()


PLACES = words(
    "Leipzig Dresden Chemnitz Zwickau Plauen Görlitz Zittau Bautzen Pirna Meißen Freiberg "
    "Weimar Erfurt Gera Jena Altenburg Naumburg Weißenfels Dessau Magdeburg Halberstadt "
    "Quedlinburg Wernigerode Eisleben Merseburg Torgau Döbeln Grimma Riesa Glauchau"
)
DISTRICTS = words(
    "Plagwitz Connewitz Leutzsch Gohlis Lindenau Reudnitz Kaßberg Sonnenberg Loschwitz "
    "Pieschen Blasewitz Striesen Paulusviertel Giebichenstein Glaucha Südvorstadt Altstadt "
    "Neustadt Bahnhofsvorstadt Schloßchemnitz Kappel Hilbersdorf Friedrichstadt Cotta"
)
BUILDINGS = words(
    "Brauerei Mälzerei Gründerzeithaus Villa Fabrikantenvilla Kaufhaus Bahnhofsgebäude Viadukt "
    "Wasserturm Stadtmauer Spinnerei Ziegelei Lokschuppen Gasthof Ballhaus Kino Schule Kirche "
    "Mühle Konsumgebäude Stadtbad Gewandhaus Wächterhaus Fachwerkhaus Umgebindehaus Stellwerk "
    "Straßenbahndepot Postamt Rittergut Bürgerhaus"
)
SURNAMES = words(
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter "
    "Klein Wolf Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner "
    "Krause Lehmann Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang Scholz "
    "Möller Weiß Jung Hahn Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck Lorenz"
)
FIRST_NAMES = words(
    "Anna Thomas Peter Claudia Jens Katrin Uwe Sabine Frank Heike Matthias Petra Stefan Ute "
    "Andreas Birgit Michael Kerstin Ralf Susanne Holger Anke Torsten Silke Dirk Ines"
)
NOUNS = words(
    "Fassade Dach Keller Hof Garten Treppe Saal Turm Halle Speicher Tor Brunnen Platz Allee "
    "Ufer Brücke Gleis Markt Ring Park Wiese Werk Laden Stube Kammer Flur Giebel Erker Portal "
    "Stuck Fenster Balkon Säule Bogen Mauer Zaun Pforte Kuppel Gewölbe Ornament Relief"
)
PREFIXES = words(
    "Stadt Bürger Kultur Industrie Wohn Denkmal Bau Kirchen Schul Markt Bahn Wasser Stein "
    "Holz Glas Licht Eisen Kupfer Sand Wald Feld Berg Tal Fluss"
)
ACTIONS = words(
    "abgerissen saniert verkauft entkernt gesichert umgebaut versteigert zwangsverwaltet "
    "aufgestockt wiederbelebt"
)
ORGS = words(
    "Stadtforum Bürgerinitiative Heimatverein Denkmalnetz Architektenkammer Geschichtsverein "
    "Stadtratsfraktion Eigentümergemeinschaft Wohnungsgenossenschaft Landesamt"
)
SERIES = words(
    "Vernetzungstreffen Stadtspaziergang Baukulturgespräch Denkmalstammtisch Werkstattgespräch "
    "Architekturführung Bürgerdialog Planungswerkstatt"
)
MONTHS = words("Januar Februar März April Mai Juni Juli August September Oktober November Dezember")

SENTENCES = (
    "Das {org} {place} fordert den Erhalt der {building} in der {street}.",
    "Der Eigentümer will die {building} bis zum Herbst {action} lassen.",
    "Nach Auskunft von {person} ist die {noun} in einem bedenklichen Zustand.",
    "Die {compound} prägt seit über hundert Jahren das Bild von {district}.",
    "Das {org} hat dazu eine Stellungnahme an den Stadtrat geschickt.",
    "{person} vom {org} sieht in dem Vorhaben einen schweren Verlust für {district}.",
    "Eine Petition für die {compound} haben bereits {count} Menschen unterschrieben.",
    "Die Denkmalschutzbehörde prüft derzeit, ob die {noun} erhalten werden kann.",
    "Im Bebauungsplan ist an dieser Stelle ein {compound} vorgesehen.",
    "Anwohner berichten von Leerstand und Verfall rund um die {street}.",
    "Der Stadtrat befasst sich in seiner nächsten Sitzung mit der {building}.",
    "Fachleute halten eine Sanierung der {compound} für wirtschaftlich machbar.",
    "Die Wohnungsgesellschaft plant an der {street} {count} neue Wohnungen.",
    "{person} erinnert an die Geschichte der {building} als {compound}.",
    "Bei einem Rundgang zeigte {person} die {noun} und die erhaltene {compound}.",
    "Seit dem Auszug der letzten Mieter verfällt das Haus an der {street} zusehends.",
    "Ein Investor aus {place} hat das Grundstück im Frühjahr erworben.",
    "Die Initiative sammelt Spenden für ein Notdach über der {noun}.",
    "Im Ortschaftsrat {district} gab es dazu eine lebhafte Aussprache.",
    "Historiker {person} hat alte Baupläne der {building} im Stadtarchiv gefunden.",
    "Der Oberbürgermeister kündigte ein Gutachten zur {compound} an.",
    "Mehrere Fraktionen unterstützen einen Antrag zur Sicherung der {noun}.",
    "Die Straßenbahnlinie zur {street} soll verlängert werden.",
    "Im Erdgeschoss eröffnet ein Café, oben entstehen Ateliers.",
    "Das Landesamt für Denkmalpflege sieht die {building} als Kulturdenkmal.",
    "Kritiker bemängeln, dass die Bürger zu spät beteiligt wurden.",
    "Auf der Brache an der {street} wachsen inzwischen Birken.",
    "Der Förderverein will die {compound} als Treffpunkt für {district} wiederbeleben.",
    "Die Baugenehmigung für den Neubau wurde inzwischen erteilt.",
    "Ein Wettbewerb soll klären, wie der Platz vor der {building} gestaltet wird.",
    "Schüler des Gymnasiums haben die Geschichte der {noun} erforscht.",
    "Die Sanierungskosten werden auf {count}000 Euro geschätzt.",
    "Der Freistaat stellt Mittel aus der Städtebauförderung in Aussicht.",
    "Nachbarn haben ein Transparent an die {noun} gehängt.",
    "Ein Gutachter bescheinigt dem Dachstuhl erhebliche Schäden durch Nässe.",
    "Die Gleise der ehemaligen Werkbahn sollen als Radweg genutzt werden.",
    "Zum Tag des offenen Denkmals öffnet die {building} ihre Türen.",
    "Eine Ausstellung im {compound} zeigt Fotografien von {person}.",
    "Der Architekt {person} stellte seinen Entwurf für die {compound} vor.",
    "Die Wohnungsgenossenschaft lehnt eine Sanierung der {building} ab.",
)
LEAD = (
    "{person} vom {org} {place} berichtet über die {building} an der {street} in {district}, "
    "über {compound} und {second}."
)
EVENTS = (
    "Das {org} {place} lädt am {date} um {hour} Uhr zu einem Vortrag über die {building} in "
    "{district} ein. Es spricht {person}.",
    "Am {date} führt {person} ab {hour} Uhr durch {district}. Treffpunkt ist die {building} an "
    "der {street}.",
    "{person} zeigt am {date}, {hour} Uhr, Lichtbilder der {compound} im Saal des {org}.",
    "Podiumsgespräch zur Zukunft der {building}: am {date} um {hour} Uhr diskutieren Stadträte "
    "mit {person}.",
    "Die Ausstellung über die {compound} in {district} wird am {date} um {hour} Uhr eröffnet.",
    "Zum Sommerfest an der {street} am {date} ab {hour} Uhr gibt es Musik und Führungen.",
)
SERIES_TEXTS = (
    "Das {ordinal}. {series} findet am {date} in {place} statt. Gastgeber ist das {org} "
    "{place}. Auf dem Programm stehen ein Rundgang, Berichte aus den Initiativen und ein "
    "Austausch über die Arbeit vor Ort.",
    "Zum {ordinal}. {series} treffen wir uns am {date} in {place}, diesmal im {compound}.",
    "Am {date} lädt das {org} zum {ordinal}. {series} nach {place} ein; Thema ist die {noun}.",
    "{ordinal}. {series}: {person} führt am {date} durch {place} und zeigt die {building}.",
)
FOOTER = (
    "Das {org} {place} ist ein Zusammenschluss engagierter Bürgerinnen und Bürger, die sich "
    "ehrenamtlich für ihre Stadt einsetzen. Weitere Informationen unter www.{slug}.de. "
    "Eintritt frei."
)
SYNONYMS = {
    "fordert": "verlangt",
    "Erhalt": "Rettung",
    "Eigentümer": "Besitzer",
    "bedenklichen": "schlechten",
    "Zustand": "Zustand",
    "prägt": "bestimmt",
    "Vorhaben": "Projekt",
    "Verlust": "Schaden",
    "unterschrieben": "gezeichnet",
    "prüft": "untersucht",
    "Anwohner": "Nachbarn",
    "Fachleute": "Experten",
    "plant": "will",
    "Vortrag": "Abend",
    "lädt": "bittet",
    "spricht": "referiert",
}


@dataclass(frozen=True, slots=True)
class Story:
    title: str
    text: str
    event_date: datetime | None


SYLLABLES = words(
    "ber gen stein wald haus hof feld bach burg dorf tal berg brück mühl kirch markt schul "
    "lind eich tann rosen sonnen garten wiesen linden kreuz sand stadt neu alt ober unter "
    "mittel hoch tief lang kurz breit schmal grün rot weiß blau gold silber eisen kupfer"
)


def specifics(rng: random.Random, count: int) -> str:
    """Words only this story uses (names of houses, firms, fields: real texts are specific)."""
    made = (
        "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        for _ in range(count)
    )
    return ", ".join(made)


def rand_street(rng: random.Random) -> str:
    return f"{rng.choice(SURNAMES)}{rng.choice(('straße', 'gasse', 'weg', 'ring', 'platz'))}"


def slots(rng: random.Random) -> dict[str, str]:
    return {
        "org": rng.choice(ORGS),
        "place": rng.choice(PLACES),
        "district": rng.choice(DISTRICTS),
        "building": rng.choice(BUILDINGS),
        "street": rand_street(rng),
        "person": f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}",
        "noun": rng.choice(NOUNS),
        "compound": rng.choice(PREFIXES) + rng.choice(NOUNS).lower(),
        "action": rng.choice(ACTIONS),
        "count": str(rng.randint(12, 4000)),
        "series": rng.choice(SERIES),
    }


def german_date(day: datetime, rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def news_story(rng: random.Random) -> Story:
    filled = slots(rng)
    sentences = rng.sample(SENTENCES, rng.randint(3, 6))
    lead = LEAD.format(second=rng.choice(NOUNS), **filled)
    rest = " ".join(s.format(**slots(rng) if rng.random() < 0.3 else filled) for s in sentences)
    text = f"{lead} {rest} Stichworte: {specifics(rng, rng.randint(4, 8))}."
    title = rng.choice(
        (
            "{building} in der {street} {action}?",
            "Rettet die {building} an der {street}!",
            "{org} {place}: Sorge um die {compound}",
            "Neues zur {building} an der {street}",
        )
    ).format(**filled)
    return Story(title, text, None)


def event_story(rng: random.Random, seen: datetime) -> Story:
    filled = slots(rng)
    day = seen + timedelta(days=rng.randint(5, 40))
    hour = rng.choice((10, 14, 17, 18, 19, 20))
    event = rng.choice(EVENTS).format(date=german_date(day, rng), hour=hour, **filled)
    more = " ".join(s.format(**filled) for s in rng.sample(SENTENCES, rng.randint(1, 3)))
    title = rng.choice(
        (
            "Vortrag: Die {building} in {district}",
            "Führung durch {district} mit {person}",
            "Ausstellung zur {compound}",
            "Einladung: {compound} an der {street}",
        )
    ).format(**filled)
    return Story(title, f"{event} {more} Mit dabei: {specifics(rng, rng.randint(3, 6))}.", day)


def series_story(rng: random.Random, seen: datetime, base: dict[str, str], n: int) -> Story:
    """The next event of a series: the series' own text, another number, date and place."""
    filled = dict(base, place=rng.choice(PLACES))
    day = seen + timedelta(days=rng.randint(10, 30))
    if "last_day" in base:  # each event of a series on a later day than the one before
        day = max(day, datetime.fromisoformat(base["last_day"]) + timedelta(days=7))
    base["last_day"] = day.isoformat()
    text = base["template"].format(ordinal=n, date=german_date(day, rng), **filled)
    return Story(f"{n}. {filled['series']} in {filled['place']}", f"{text} {base['about']}", day)


def new_series(rng: random.Random) -> dict[str, str]:
    base = slots(rng)
    base["about"] = " ".join(s.format(**base) for s in rng.sample(SENTENCES, 3))
    base["template"] = rng.choice(SERIES_TEXTS)
    themes = ", ".join(rng.choice(PREFIXES) + rng.choice(NOUNS).lower() for _ in range(4))
    base["about"] += f" Leitthemen der Reihe: {themes}, {specifics(rng, 4)}."
    return base


def reworded(story: Story, rng: random.Random) -> Story:
    words = story.text.split()
    out = []
    for n, word in enumerate(words):
        near_number = any(c.isdigit() for c in " ".join(words[max(0, n - 4) : n + 5]))
        if word in SYNONYMS and rng.random() < 0.8:
            out.append(SYNONYMS[word])
        elif rng.random() < 0.08 and not near_number:  # a dropped word, never around a number
            continue
        else:
            out.append(word)
    sentences = re.split(r"(?<=[a-zäöüß])\. ", " ".join(out))
    if len(sentences) > 3:
        sentences.pop(rng.randrange(1, len(sentences)))
    text = ". ".join(sentences)
    title_words = story.title.split()
    title = " ".join(title_words[1:] if len(title_words) > 3 else title_words) + " – Hinweis"
    return Story(title, text, story.event_date)


def shortened(story: Story, rng: random.Random) -> Story:
    words = story.text.split()
    keep = max(12, int(len(words) * rng.uniform(0.35, 0.6)))
    return Story(story.title, " ".join(words[:keep]) + " …", story.event_date)


def copied(story: Story, rng: random.Random) -> Story:
    intro = rng.choice(("", "Wir dokumentieren eine Mitteilung: ", "Aus dem Netzwerk: "))
    return Story(rng.choice(("", "Pressemitteilung: ")) + story.title, intro + story.text, None)


def generate(size: int, seed: int, days: int) -> tuple[list[DedupDoc], dict[str, int]]:
    """`size` items and the truth: item id -> story number."""
    rng = random.Random(seed)
    # A forum posts a few items a week: the number of forums grows with the items (250 each
    # over two years), so one forum's items (and its footer) stay as dense as in reality.
    sources = [f"forum-{n:03d}" for n in range(max(2, size // ITEMS_PER_SOURCE))]
    footers = {
        s: FOOTER.format(org=rng.choice(ORGS), place=rng.choice(PLACES), slug=s) for s in sources
    }
    docs: list[DedupDoc] = []
    truth: dict[str, int] = {}
    series_state: list[tuple[dict[str, str], int, datetime]] = []
    story_no = 0

    def emit(story: Story, number: int, seen: datetime, source: str) -> None:
        item_id = f"i{len(docs):07d}"
        text = story.text
        if rng.random() < 0.4:
            text = f"{text} {footers[source]}"
        docs.append(
            DedupDoc(
                id=item_id,
                source_id=source,
                title=story.title,
                text=text,
                url=f"https://{source}.example.org/{item_id}",
                guid=f"{source}-{item_id}",
                first_seen=seen,
                published=seen - timedelta(hours=rng.randint(0, 48)),
                own_site=rng.random() < 0.8,
            )
        )
        truth[item_id] = number

    while len(docs) < size:
        seen = START + timedelta(seconds=rng.randint(0, days * 86_400))
        kind = rng.random()
        if kind < 0.6:
            story = news_story(rng)
        elif kind < 0.85:
            story = event_story(rng, seen)
        else:
            if not series_state or rng.random() < 0.3:
                series_state.append((new_series(rng), rng.randint(1, 9), seen))
            index = rng.randrange(len(series_state))
            base, n, last = series_state[index]
            seen = max(seen, last + timedelta(days=rng.randint(1, 20)))  # often inside the window
            series_state[index] = (base, n + 1, seen)
            story = series_story(rng, seen, base, n + 1)
        story_no += 1
        source = rng.choice(sources)
        emit(story, story_no, seen, source)
        for _ in range(rng.choice((0, 0, 0, 1, 1, 2))):  # about 30 % of items are duplicates
            variant = rng.choice((copied, reworded, shortened))(story, rng)
            if "Vernetzungstreffen" in story.title and rng.random() < 0.5:
                n_old = story.title.split(".")[0]  # the network's numbers disagree
                n_new = str(int(n_old) + 2)
                variant = Story(
                    variant.title.replace(f"{n_old}.", f"{n_new}.", 1),
                    variant.text.replace(f"{n_old}.", f"{n_new}.", 1),
                    variant.event_date,
                )
            later = seen + timedelta(hours=rng.randint(1, 24 * 6))
            emit(variant, story_no, later, rng.choice([s for s in sources if s != source]))
    del docs[size:]
    return docs, {d.id: truth[d.id] for d in docs}


def pair_scores(predicted: dict[str, str], truth: dict[str, int]) -> tuple[float, float, int]:
    """Pair precision and recall of the clustering, and the true duplicate pairs."""

    def pairs(counter: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in counter.values())

    both = pairs(Counter((predicted[i], truth[i]) for i in predicted))
    found = pairs(Counter(predicted.values()))
    real = pairs(Counter(truth.values()))
    precision = both / found if found else 1.0
    recall = both / real if real else 1.0
    return precision, recall, real


def source_city(source_id: str) -> str:
    """Each synthetic forum's home town (the prior of its items' city tags)."""
    return PLACES[int(source_id.rsplit("-", 1)[1]) % len(PLACES)]


def tag_all(docs: list[DedupDoc]) -> int:
    """Tag every item as the crawl does (title and text, the forum's city as the prior)."""
    return sum(
        len(tag_text(doc.title, doc.text, source_city=source_city(doc.source_id))) for doc in docs
    )


def timed(work: Callable[[], _T]) -> tuple[_T, float, float]:
    started, cpu_started = time.perf_counter(), time.process_time()
    result = work()
    return result, time.perf_counter() - started, time.process_time() - cpu_started


def run(size: int, seed: int, days: int, repeat: int = 1) -> dict[str, object]:
    """Tag and cluster `size` items `repeat` times; the fastest run's seconds (the others
    differ only by what else the machine did), the peak memory of one traced run."""
    docs, truth = generate(size, seed, days)
    tag_text("Einladung", "zur Führung in Leipzig", source_city="Leipzig")  # loads the tables
    tag_runs = [timed(lambda: tag_all(docs)) for _ in range(repeat)]
    cluster_runs = [timed(lambda: cluster(docs)) for _ in range(repeat)]
    tags = tag_runs[0][0]
    predicted = cluster_runs[0][0]
    tag_s, tag_cpu = min(r[1] for r in tag_runs), min(r[2] for r in tag_runs)
    cluster_s, cluster_cpu = min(r[1] for r in cluster_runs), min(r[2] for r in cluster_runs)
    tracemalloc.start()
    tag_all(docs)
    cluster(docs)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    precision, recall, real_pairs = pair_scores(predicted, truth)
    return {
        "items": size,
        "seconds": round(tag_s + cluster_s, 3),  # tag and cluster
        "cpu_seconds": round(tag_cpu + cluster_cpu, 3),
        "tag_seconds": round(tag_s, 3),
        "cluster_seconds": round(cluster_s, 3),
        "items_per_second": round(size / (tag_s + cluster_s)),
        "runs": repeat,
        "peak_traced_mb": round(peak / 2**20, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "tags": tags,
        "clusters": len(set(predicted.values())),
        "true_stories": len(set(truth.values())),
        "true_duplicate_pairs": real_pairs,
        "pair_precision": round(precision, 4),
        "pair_recall": round(recall, 4),
    }


def ratio(small: dict[str, object], large: dict[str, object], field: str) -> float:
    return round(float(str(large[field])) / float(str(small[field])), 2)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--days", type=int, default=730, help="spread of first_seen")
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per size; the fastest counts (a busy machine)"
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    results = []
    for size in args.sizes:
        results.append(run(size, args.seed, args.days, args.repeat))
        print(json.dumps(results[-1]), flush=True)
    if len(results) >= 2:
        small, large = results[0], results[-1]
        figures = {
            "items_ratio": int(str(large["items"])) / int(str(small["items"])),
            "time_ratio": ratio(small, large, "seconds"),
            "cpu_ratio": ratio(small, large, "cpu_seconds"),
            "tag_ratio": ratio(small, large, "tag_seconds"),
            "cluster_ratio": ratio(small, large, "cluster_seconds"),
        }
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
