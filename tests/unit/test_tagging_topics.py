"""Topic tags from German item text: TAXONOMY.md's meanings, signal words and traps."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from aggregator.model import Tag
from aggregator.tagging import build_forms
from aggregator.tagging.build_forms import german_dictionary
from aggregator.tagging.topics import (
    _TOKEN,
    FORMS_FILE,
    TOKEN_CACHE_LIMIT,
    Taxonomy,
    Topic,
    _Matcher,
    _matcher,
    _packaged_form_table,
    default_taxonomy,
    packaged_units,
    parse_form_table,
    simplemma_lemma_of,
    taxonomy_from_mapping,
    topic_tags,
    units_digest,
)

DEV_SET = Path(__file__).parents[1] / "data" / "classify" / "dev.json"


def tagged(title: str, text: str = "", taxonomy: Taxonomy | None = None) -> dict[str, tuple]:
    """topic key → why, for compact exact assertions."""
    tags = topic_tags(title, text, taxonomy)
    assert all(tag.kind == "topic" and tag.origin == "text" for tag in tags)
    return {tag.value: tag.why for tag in tags}


# --- the default taxonomy ----------------------------------------------------------------------


def test_default_taxonomy_has_the_nine_topics_with_labels() -> None:
    taxonomy = default_taxonomy()
    assert [topic.key for topic in taxonomy.topics] == [
        "stadtentwicklung",
        "denkmalpflege",
        "beteiligung",
        "veranstaltung",
        "netzwerk",
        "oeffentlicher-raum",
        "architektur",
        "wohnen",
        "mobilitaet",
    ]
    labels = {topic.key: topic.label for topic in taxonomy.topics}
    assert labels["oeffentlicher-raum"] == "Öffentlicher Raum"
    assert labels["mobilitaet"] == "Mobilität"
    assert all(topic.signals for topic in taxonomy.topics)
    assert [topic.key for topic in taxonomy.topics if topic.needs_date] == ["veranstaltung"]


def test_tags_are_model_tags_in_taxonomy_order() -> None:
    tags = topic_tags(
        "Petition gegen den Abriss der Carolabrücke",
        "Über 3.000 Unterschriften gegen den Abriss der Brücke wurden übergeben.",
    )
    assert tags == (
        Tag("topic", "denkmalpflege", "text", ("Abriss",)),
        Tag("topic", "beteiligung", "text", ("Petition", "Unterschriften")),
        Tag("topic", "mobilitaet", "text", ("Carolabrücke", "Brücke")),
    )


# --- one realistic item per topic --------------------------------------------------------------


def test_denkmalpflege_demolition_with_lemma_and_multiword_signals() -> None:
    assert tagged(
        "Gründerzeitvilla in Gohlis abgerissen",
        "Trotz Protesten wurde die stadtbildprägende Villa an der Menckestraße abgerissen. "
        "Das Landesamt für Denkmalpflege hatte den Abbruch nicht verhindert.",
    ) == {
        "denkmalpflege": (
            "abgerissen",
            "stadtbildprägende",
            "Landesamt für Denkmalpflege",
            "Abbruch",
        )
    }


def test_denkmalpflege_from_compound_parts() -> None:
    assert tagged(
        "Denkmalschutzbehörde genehmigt Abrissantrag",
        "Die Gründerzeithäuser in der Eisenbahnstraße sollen fallen.",
    ) == {"denkmalpflege": ("Denkmalschutzbehörde", "Abrissantrag", "Gründerzeithäuser")}


def test_tag_des_offenen_denkmals_is_one_phrase_in_why() -> None:
    assert tagged(
        "Tag des offenen Denkmals", "Am Tag des offenen Denkmals öffnet das Wächterhaus."
    ) == {"denkmalpflege": ("Tag des offenen Denkmals", "Wächterhaus")}


def test_beteiligung_objections_and_open_letter() -> None:
    assert tagged(
        "Einwendungen im Planfeststellungsverfahren",
        "Bis zum 30. Juni können Bürger Einwendungen gegen den Straßenausbau erheben.",
    ) == {
        "beteiligung": ("Einwendungen", "Planfeststellungsverfahren"),
        "mobilitaet": ("Straßenausbau",),
    }
    assert tagged(
        "Offener Brief an den Oberbürgermeister",
        "In einem offenen Brief fordern wir, die Fällung zu stoppen.",
    ) == {"beteiligung": ("Offener Brief", "offenen Brief")}


def test_wohnen_vacancy_and_housing_company() -> None:
    assert tagged(
        "Leerstand in Zittau",
        "Rund 20 Prozent der Wohnungen der WBG stehen leer; leerstehende Häuser verfallen.",
    ) == {
        "denkmalpflege": ("verfallen",),
        "wohnen": ("Leerstand", "Wohnungen", "WBG", "leerstehende"),
    }


def test_stadtentwicklung_plans_and_brownfields() -> None:
    assert tagged(
        "B-Plan für die Industriebrache",
        "Das Planungsamt legt den Bebauungsplan für die Brache an der Halleschen Straße aus.",
    ) == {"stadtentwicklung": ("B-Plan", "Industriebrache", "Bebauungsplan", "Brache")}


def test_architektur_competition_and_new_building() -> None:
    assert tagged(
        "Neubau am Brühl",
        "Der Siegerentwurf des Architekturwettbewerbs sieht einen Neubau mit Aufstockung vor.",
    ) == {
        "architektur": ("Neubau", "Siegerentwurf", "Architekturwettbewerbs", "Aufstockung"),
    }


def test_a_new_monument_is_architektur_not_denkmalpflege() -> None:
    assert tagged(
        "Freiheits- und Einheitsdenkmal",
        "Der Siegerentwurf für das Freiheits- und Einheitsdenkmal wurde vorgestellt. "
        "Ein neues Denkmal soll an 1989 erinnern.",
    ) == {"architektur": ("Einheitsdenkmal", "Siegerentwurf", "neues Denkmal")}


def test_mobilitaet_compound_heads_and_car_park_at_city_wall() -> None:
    assert tagged("Neue Straßenbahnlinie", "Die Straßenbahnlinien 3 und 7 fahren wieder.") == {
        "mobilitaet": ("Straßenbahnlinie", "Straßenbahnlinien")
    }
    assert tagged(
        "Parkhaus an der Stadtmauer", "Für das Parkhaus soll ein Teil der Stadtmauer weichen."
    ) == {"denkmalpflege": ("Stadtmauer",), "mobilitaet": ("Parkhaus",)}


def test_netzwerk_own_meetings_and_magazines() -> None:
    assert tagged(
        "NETZWERK Stadtforen",
        "Die neue Ausgabe von STADTFORUM ist erschienen, das Heft der Stadtforen.",
    ) == {"netzwerk": ("NETZWERK Stadtforen", "STADTFORUM", "Stadtforen")}
    assert tagged("BAUSTEIN Nr. 12", "Die neue Ausgabe ist da.") == {"netzwerk": ("BAUSTEIN",)}


def test_other_heritage_networks_are_not_netzwerk() -> None:
    assert (
        tagged(
            "Landesverein trifft sich",
            "Das Netzwerk Stadtteilarbeit und der Landesverein Sächsischer Heimatschutz "
            "vernetzen sich; ein Stadtforum Leipzig ist nicht dabei.",
        )
        == {}
    )


def test_baustein_as_a_common_word_is_not_the_magazine() -> None:
    assert tagged("Wichtiger Baustein", "Das ist ein Baustein der Innenstadtbelebung.") == {
        "stadtentwicklung": ("Innenstadtbelebung",)
    }


# --- weak signals and false compound hits --------------------------------------------------------


def test_weak_words_need_two_different_ones() -> None:
    assert tagged("Am Platz", "Das Café am Platz hat geöffnet.") == {}
    assert tagged(
        "Neugestaltung des Marktplatzes",
        "Der Marktplatz soll neu gestaltet werden; dafür müssen zwölf Bäume gefällt werden.",
    ) == {"oeffentlicher-raum": ("Marktplatzes", "Marktplatz", "Bäume")}


def test_one_weak_word_in_two_inflections_is_still_one() -> None:
    assert tagged("Der Platz", "Auf dem Platz und den Plätzen der Stadt.") == {}


@pytest.mark.parametrize(
    "text",
    [
        "Die neue Förderrichtlinie gilt in erster Linie für Vereine.",
        "Auf dem Arbeitsmarkt fehlen Fachkräfte, der Supermarkt am Platz schließt.",
        "Zwanzig Arbeitsplätze und Ausbildungsplätze sind beim Baumarkt entstanden.",
        "Die Leitlinie der Stadt: Platz machen für Neues.",
    ],
)
def test_false_compound_hits_tag_nothing(text: str) -> None:
    assert tagged("Meldung", text) == {}


def test_parkplatz_is_oeffentlicher_raum_and_parkhaus_mobilitaet() -> None:
    assert tagged("Parkplatz", "Der Parkplatz am Fluss wird bebaut.") == {
        "oeffentlicher-raum": ("Parkplatz",)
    }
    assert tagged("Parkhaus", "Das Parkhaus am Fluss wird bebaut.") == {"mobilitaet": ("Parkhaus",)}


def test_street_names_do_not_lend_their_first_part() -> None:
    assert tagged("Haus in der Eisenbahnstraße", "Die Straßenbahnstraße 3 wird verkauft.") == {}


def test_bus_and_linie_together_are_mobilitaet() -> None:
    assert tagged("Linie 11", "Die Linie 11 fährt wieder; der Bus ersetzt sie nicht mehr.") == {
        "mobilitaet": ("Linie", "Bus")
    }


# --- veranstaltung: a dated announcement -------------------------------------------------------


def test_invitation_with_date_and_time() -> None:
    assert tagged(
        "Vortrag: Leipzigs verlorene Bauten",
        "Das Stadtforum lädt am Dienstag, 17. Oktober 2023, um 19 Uhr herzlich zum Vortrag "
        "ein. Eintritt frei.",
    ) == {
        "veranstaltung": (
            "Vortrag",
            "lädt … ein",
            "Eintritt frei",
            "Dienstag, 17. Oktober 2023, um 19 Uhr",
        )
    }


def test_meeting_with_day_range_is_veranstaltung_and_netzwerk() -> None:
    assert tagged(
        "Vernetzungstreffen in Zittau",
        "Das 8. Vernetzungstreffen der Stadtforen findet am 12./13. April 2014 in Zittau statt.",
    ) == {
        "veranstaltung": ("Vernetzungstreffen", "12./13. April 2014"),
        "netzwerk": ("Vernetzungstreffen", "Stadtforen"),
    }


def test_time_alone_dates_an_announcement() -> None:
    assert tagged("Konzert in der Lutherkirche", "Beginn 18.30 Uhr, Eintritt frei!") == {
        "veranstaltung": ("Konzert", "Eintritt frei", "18.30 Uhr")
    }


def test_invitation_without_a_date_is_not_veranstaltung() -> None:
    assert tagged("Sommerfest", "Wir laden zum Sommerfest ein. Der Termin folgt.") == {}


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Rückblick: Führung", "Am 12. Mai 2024 führten wir 30 Gäste durch die Altstadt."),
        ("Vortrag", "Der Vortrag am 17. Oktober 2023 um 19 Uhr fand großen Anklang."),
        ("Ausstellung", "Die Ausstellung war am 3. März 2024 gut besucht."),
        ("Lesung", "Am 5. Mai 2024 kamen rund 80 Gäste zur Lesung."),
        ("Vortrag", "Das Stadtforum hatte am 4. April 2024 zum Vortrag eingeladen."),
    ],
)
def test_report_after_the_event_is_not_veranstaltung(title: str, text: str) -> None:
    assert "veranstaltung" not in tagged(title, text)


def test_publication_and_historic_dates_do_not_date_an_event() -> None:
    assert (
        tagged(
            "Vortrag verschoben",
            "veröffentlicht am 3. März 2024 – Der Vortrag über das 1890 am 1. Mai 1890 "
            "eröffnete Kaufhaus wird verschoben.",
        )
        == {}
    )


# --- untrusted input ---------------------------------------------------------------------------


def test_empty_and_huge_input() -> None:
    assert topic_tags("", "") == ()
    huge = "Abriss " + "x" * 2_000_000 + " Straßenbahn"
    assert tagged("", huge) == {"denkmalpflege": ("Abriss",)}


def test_why_is_bounded() -> None:
    text = " ".join(["Abriss", "Abbruch", "Denkmal", "Stadtmauer", "Welterbe", "Fachwerkhaus"] * 3)
    assert len(topic_tags("Abriss", text)[0].why) == 6


# --- override taxonomy -------------------------------------------------------------------------


def test_override_taxonomy_with_weak_exclude_veto_and_date() -> None:
    taxonomy = taxonomy_from_mapping(
        {
            "gruen": {
                "label": "Stadtgrün",
                "signals": ["Stadtbaum*", "*park"],
                "weak": ["Wiese", "Hecke"],
                "exclude": ["*technologiepark"],
            },
            "treffen": {
                "label": "Treffen",
                "signals": ["=treffen … uns"],
                "veto": ["abgesagt"],
                "needs_date": True,
            },
        },
        where="sources.yaml topics",
    )
    assert taxonomy.topics[0] == Topic(
        key="gruen",
        label="Stadtgrün",
        signals=("Stadtbaum*", "*park"),
        weak=("Wiese", "Hecke"),
        exclude=("*technologiepark",),
    )
    assert tagged("Stadtbaumpflege", "Im Bürgerpark.", taxonomy) == {
        "gruen": ("Stadtbaumpflege", "Bürgerpark")
    }
    assert tagged("Technologiepark", "Eine Wiese.", taxonomy) == {}
    assert tagged("Wiese", "Eine Hecke.", taxonomy) == {"gruen": ("Wiese", "Hecke")}
    assert tagged("Wir treffen uns am 3. Mai 2025", "", taxonomy) == {
        "treffen": ("treffen uns", "3. Mai 2025")
    }
    assert tagged("Wir treffen uns am 3. Mai 2025", "Abgesagt!", taxonomy) == {}


def _topic(**fields: Any) -> dict[str, Any]:
    return {"label": "Denkmalpflege", "signals": ["Denkmal"], **fields}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (["Denkmal"], "topics: must be a mapping of topic key to {label, signals}"),
        ({}, "topics: must name at least one topic"),
        (
            {"Denkmal": _topic()},
            "topics: topic key 'Denkmal' must be lower-case a-z, 0-9 and '-' (at most 40)",
        ),
        ({"denkmalpflege": "Denkmal"}, "topics.denkmalpflege: must be a mapping with label and"),
        ({"denkmalpflege": _topic(label="")}, "topics.denkmalpflege.label: must be a non-empty"),
        (
            {"denkmalpflege": _topic(signals="Denkmal")},
            "topics.denkmalpflege.signals: must be a list of words",
        ),
        (
            {"denkmalpflege": _topic(signals=[])},
            "topics.denkmalpflege.signals: must name at least one word",
        ),
        (
            {"denkmalpflege": _topic(weak=["Abriss", 3])},
            "topics.denkmalpflege.weak: must be a list of words",
        ),
        (
            {"denkmalpflege": _topic(signals=["Denkmal", "x" * 101])},
            "topics.denkmalpflege.signals[1]: at most 100 characters",
        ),
        (
            {"denkmalpflege": _topic(signals=["Rote* Liste"])},
            "topics.denkmalpflege.signals[0]: '*' marks a compound part of a single word only "
            "in 'Rote* Liste'",
        ),
        (
            {"denkmalpflege": _topic(signals=["*ab"])},
            "topics.denkmalpflege.signals[0]: a compound part needs at least 3 letters in '*ab'",
        ),
        (
            {"denkmalpflege": _topic(veto=["… statt"])},
            "topics.denkmalpflege.veto[0]: a gap '…' must stand between words in '… statt'",
        ),
        (
            {"denkmalpflege": _topic(signals=["  "])},
            "topics.denkmalpflege.signals[0]: no word in '  '",
        ),
        (
            {"denkmalpflege": _topic(needs_date="ja")},
            "topics.denkmalpflege.needs_date: must be true or false",
        ),
        (
            {"denkmalpflege": _topic(colour="rot")},
            "topics.denkmalpflege: unknown field 'colour' (known: label, signals, weak, exclude,",
        ),
        (
            {"denkmalpflege": _topic(signals=[f"Wort{n}" for n in range(501)])},
            "topics.denkmalpflege.signals: at most 500 entries, not 501",
        ),
        ({f"t{n}": _topic() for n in range(51)}, "topics: at most 50 topics, not 51"),
    ],
)
def test_override_errors_name_the_field(data: object, message: str) -> None:
    with pytest.raises(ValueError) as error:
        taxonomy_from_mapping(data)
    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_override_errors_use_the_given_place() -> None:
    with pytest.raises(ValueError, match=r"^sources\.yaml topics\.wohnen\.label: "):
        taxonomy_from_mapping({"wohnen": {"signals": ["Wohnung"]}}, where="sources.yaml topics")


# --- lemmas: the packaged form table, simplemma only for other words ---------------------------

_IN_A_FRESH_PROCESS = """
import json, sys
from aggregator.tagging.topics import taxonomy_from_mapping, topic_tags
items = json.loads(sys.argv[1])
override = json.loads(sys.argv[2])
taxonomy = taxonomy_from_mapping(override) if override else None
tags = [
    {tag.value: list(tag.why) for tag in topic_tags(title, text, taxonomy)}
    for title, text in items
]
print(json.dumps({
    "tags": tags,
    "simplemma": "simplemma" in sys.modules,
    # VmHWM: this process's peak (ru_maxrss would carry over pytest's own across exec)
    "rss_mb": next(
        int(line.split()[1]) / 1024
        for line in open("/proc/self/status") if line.startswith("VmHWM:")
    ),
}))
"""


def run_fresh(items: list[tuple[str, str]], override: dict[str, Any] | None) -> dict[str, Any]:
    """Tag `items` in a new interpreter: the tags, whether simplemma got loaded, peak RSS."""
    result = subprocess.run(
        [sys.executable, "-c", _IN_A_FRESH_PROCESS, json.dumps(items), json.dumps(override)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


def test_packaged_taxonomy_tags_lemmas_without_loading_simplemma() -> None:
    answer = run_fresh(
        [
            ("Denkmäler in Gefahr", "Die Abrisse der Gründerzeithäuser gehen weiter."),
            ("Neue Bäume", "Auf dem Platz stehen jetzt Bäume."),
            ("Plätze", "Der Platz und die Plätze der Stadt."),  # one weak word by its lemma
            ("Wetter", "Sonnig und warm."),
        ],
        None,
    )
    assert answer["tags"] == [
        {"denkmalpflege": ["Denkmäler", "Abrisse", "Gründerzeithäuser"]},
        {"oeffentlicher-raum": ["Bäume", "Platz"]},
        {},
        {},
    ]
    assert answer["simplemma"] is False
    assert answer["rss_mb"] < 60  # simplemma's German dictionary alone adds ~100 MB


def test_override_within_the_packaged_words_uses_the_table() -> None:
    override = {"planung": {"label": "Planung", "signals": ["Masterplan*", "Brache"]}}
    answer = run_fresh([("Brachen", "Der Masterplanentwurf liegt aus.")], override)
    assert answer["tags"] == [{"planung": ["Brachen", "Masterplanentwurf"]}]
    assert answer["simplemma"] is False


def test_override_with_words_of_its_own_falls_back_to_simplemma() -> None:
    # "Themen" is no inflection the matcher builds from "Thema": only its lemma finds it
    override = {"themen": {"label": "Themen", "signals": ["Thema"]}}
    answer = run_fresh([("Die Themen des Abends", ""), ("Der Abend", "")], override)
    assert answer["tags"] == [{"themen": ["Themen"]}, {}]
    assert answer["simplemma"] is True


def test_form_table_is_made_for_the_packaged_taxonomy() -> None:
    table = _packaged_form_table()
    assert table is not None
    assert table.units_digest == units_digest(packaged_units())
    assert table.lemmas["Denkmäler"] == "Denkmal"
    assert table.lemmas["Plätze"] == "Platz"
    assert "Themen" not in table.lemmas  # no word of the taxonomy


def test_form_table_look_up_follows_simplemma() -> None:
    table = parse_form_table(
        "# units-sha256: abc\n# simplemma: 2.0.0\nPlatz\nPlätze\tPlatz\nplatz\tplatzen\n"
    )
    assert (table.units_digest, table.simplemma_version) == ("abc", "2.0.0")
    assert table.lemma_of("Plätze") == "Platz"
    assert table.lemma_of("plätze") == "Platz"  # first letter's case turned
    assert table.lemma_of("platz") == "platzen"  # as written first
    assert table.lemma_of("Pla\u0308tze") == "Platz"  # NFC, as simplemma does
    assert table.lemma_of("Leipzig") == "Leipzig"  # not in the table: the token


def test_form_table_without_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="units-sha256"):
        parse_form_table("Platz\n")


def test_table_and_simplemma_analyse_tokens_alike() -> None:
    """Every token of the development set, and a sample of simplemma's German forms in several
    spellings, matches the same units with the same lemma either way."""
    dev = json.loads(DEV_SET.read_text("utf-8"))
    items = dev["items"] if isinstance(dev, dict) else dev
    tokens = {
        token
        for item in items
        for token in _TOKEN.findall(f"{item.get('title', '')}\n{item.get('summary', '')}")
    }
    for index, form in enumerate(german_dictionary()):
        if index % 53 == 0:
            tokens.update((form, form.lower(), form.capitalize(), f"Alt-{form}", f"{form}-Platz"))
    table = _packaged_form_table()
    assert table is not None
    with_table = _Matcher(default_taxonomy(), table.lemma_of)
    with_simplemma = _Matcher(default_taxonomy(), simplemma_lemma_of())
    differing = []
    matching = 0
    for token in sorted(tokens):
        one, other = with_table.token(token), with_simplemma.token(token)
        if one.units:
            matching += 1
        same_units = (one.units, one.singles, one.phrases) == (
            other.units,
            other.singles,
            other.phrases,
        )
        if not same_units or (one.units and one.lemma != other.lemma):
            differing.append(token)
    assert differing == []
    assert matching > 1_000  # the sample reaches the taxonomy's words, not only names


def test_shipped_form_table_is_what_build_forms_makes() -> None:
    table = _packaged_form_table()
    assert table is not None
    if table.simplemma_version != metadata.version("simplemma"):
        pytest.skip(f"form table made with simplemma {table.simplemma_version}")
    shipped = (Path(build_forms.__file__).parent / "data" / FORMS_FILE).read_text("utf-8")
    assert build_forms.build_table() == shipped


def test_token_cache_is_bounded() -> None:
    taxonomy = taxonomy_from_mapping({"abriss": {"label": "Abriss", "signals": ["Abriss"]}})
    for number in range(TOKEN_CACHE_LIMIT + 10):
        topic_tags(f"Wort{number}", "", taxonomy)
    assert topic_tags("Abriss", "", taxonomy)[0].why == ("Abriss",)
    assert len(_matcher(taxonomy).token_cache) <= TOKEN_CACHE_LIMIT
