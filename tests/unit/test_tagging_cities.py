"""City tags (TAXONOMY.md "cities" and "Traps"): exact tag sets, origins and matched words."""

from __future__ import annotations

import re

import pytest

from aggregator.model import Tag
from aggregator.tagging.cities import city_tags
from aggregator.tagging.gazetteer import (
    GazetteerEntry,
    load_gazetteer,
    name_keys,
    parse_gazetteer,
)


def tags(
    title: str, text: str = "", source_city: str | None = None
) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(t.value, t.origin, t.why) for t in city_tags(title, text, source_city=source_city)]


# --- the source's city is the prior ------------------------------------------------------


def test_source_city_is_always_a_tag_even_when_the_text_names_no_place() -> None:
    assert city_tags(
        "Mitgliederversammlung", "Wir treffen uns am Montag.", source_city="Zittau"
    ) == (Tag("city", "Zittau", "source", ()),)


def test_source_city_named_in_the_text_keeps_origin_source_and_the_words() -> None:
    assert tags("Abriss in Leipzig-Plagwitz", "Das Haus in Gohlis fällt.", "Leipzig") == [
        ("Leipzig", "source", ("Leipzig-Plagwitz", "Gohlis"))
    ]


def test_source_city_comes_first_then_text_cities_in_order_of_appearance() -> None:
    assert tags("Exkursion", "Fahrt nach Görlitz und weiter nach Zittau.", "Weißenfels") == [
        ("Weißenfels", "source", ()),
        ("Görlitz", "text", ("Görlitz",)),
        ("Zittau", "text", ("Zittau",)),
    ]


def test_network_wide_item_without_a_place_has_no_city() -> None:
    assert tags("BAUSTEIN erschienen", "Das neue Heft des Netzwerks ist da.") == []


# --- official names, spellings, genitives, adjectives ----------------------------------


def test_official_name_with_qualifier_in_its_written_forms() -> None:
    assert tags("Bahnhof Halle/Saale", "Der Bahnhof von Halle (Saale) wird umgebaut.") == [
        ("Halle (Saale)", "text", ("Halle/Saale", "Halle (Saale)"))
    ]


def test_genitive_forms() -> None:
    assert tags("Leipzigs Gründerzeit", "Dresdens Neumarkt und Weimars Altstadt.") == [
        ("Leipzig", "text", ("Leipzigs",)),
        ("Dresden", "text", ("Dresdens",)),
        ("Weimar", "text", ("Weimars",)),
    ]


def test_adjective_forms_before_a_noun() -> None:
    assert tags(
        "Chemnitzer Stadtrat stimmt zu",
        "Auch der Zittauer Oberbürgermeister, die Gothaer Initiative und das Pirnaer Kuratorium.",
    ) == [
        ("Chemnitz", "text", ("Chemnitzer",)),
        ("Zittau", "text", ("Zittauer",)),
        ("Gotha", "text", ("Gothaer",)),
        ("Pirna", "text", ("Pirnaer",)),
    ]


def test_halle_adjectives_and_residents() -> None:
    assert tags("Die hallesche Altstadt", "Hallenser sammeln Unterschriften.") == [
        ("Halle (Saale)", "text", ("hallesche", "Hallenser"))
    ]


def test_spellings_without_umlaut_or_eszett_and_capitals() -> None:
    assert tags("ABRISS IN GOHLIS", "Neues aus Weissenfels und Goerlitz.") == [
        ("Leipzig", "text", ("GOHLIS",)),
        ("Weißenfels", "text", ("Weissenfels",)),
        ("Görlitz", "text", ("Goerlitz",)),
    ]


def test_town_with_hyphenated_official_name() -> None:
    assert tags("Kirche in Annaberg-Buchholz", "Auch Zeulenroda-Triebes ist dabei.") == [
        ("Annaberg-Buchholz", "text", ("Annaberg-Buchholz",)),
        ("Zeulenroda-Triebes", "text", ("Zeulenroda-Triebes",)),
    ]


def test_neighbour_cities_by_official_local_name() -> None:
    assert tags("Exkursion nach Prag und Breslau", "Danach Zgorzelec.") == [
        ("Praha", "text", ("Prag",)),
        ("Wrocław", "text", ("Breslau",)),
        ("Zgorzelec", "text", ("Zgorzelec",)),
    ]


# --- districts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "city", "why"),
    [
        ("Das Eckhaus in Leutzsch steht leer.", "Leipzig", "Leutzsch"),
        ("Die Reudnitzer Brauerei? Nein: das Kino in Reudnitz.", "Leipzig", "Reudnitz"),
        ("Im Waldstraßenviertel fehlen Bäume.", "Leipzig", "Waldstraßenviertel"),
        ("Villen in Loschwitz und am Weißen Hirsch.", "Dresden", "Loschwitz"),
        ("Rettet die Villa auf dem Kaßberg!", "Chemnitz", "Kaßberg"),
        ("Gründerzeit im Paulusviertel.", "Halle (Saale)", "Paulusviertel"),
        ("Plattenbauten in Königshufen werden abgerissen.", "Görlitz", "Königshufen"),
        ("Das Schloss Pillnitz wird saniert.", "Dresden", "Pillnitz"),
    ],
)
def test_districts_map_to_their_city(sentence: str, city: str, why: str) -> None:
    assert tags("Meldung", sentence)[0][:2] == (city, "text")
    assert why in tags("Meldung", sentence)[0][2]


def test_hyphenated_city_and_district_is_one_mention() -> None:
    assert tags("Abriss in Leipzig-Connewitz", "") == [("Leipzig", "text", ("Leipzig-Connewitz",))]
    assert tags("Plattenbau in Halle-Neustadt", "") == [
        ("Halle (Saale)", "text", ("Halle-Neustadt",))
    ]


def test_district_name_shared_with_a_town_follows_the_hyphen() -> None:
    assert tags("Villa in Dresden-Plauen gerettet", "") == [
        ("Dresden", "text", ("Dresden-Plauen",))
    ]
    assert tags("Spitzenstadt Plauen", "Die Plauener Spitze? Nein: das Rathaus in Plauen.") == [
        ("Plauen", "text", ("Plauen",))
    ]


def test_dresden_districts_named_after_other_cities() -> None:
    assert tags("Leipziger Vorstadt", "Neubau an der Radeberger Vorstadt.") == [
        ("Dresden", "text", ("Leipziger Vorstadt", "Radeberger Vorstadt"))
    ]


def test_bare_halle_before_a_district_after_a_hyphen() -> None:
    assert tags("Abriss in Halle-Silberhöhe", "") == [
        ("Halle (Saale)", "text", ("Halle-Silberhöhe",))
    ]


def test_ambiguous_neustadt_without_evidence_is_not_tagged() -> None:
    assert tags("Die Neustadt verliert ein Haus", "Ein Denkmal wird abgerissen.") == []


def test_ambiguous_neustadt_goes_to_the_source_city() -> None:
    assert tags("Die Neustadt verliert ein Haus", "", "Halle (Saale)") == [
        ("Halle (Saale)", "source", ("Neustadt",))
    ]


def test_ambiguous_neustadt_goes_to_the_city_named_in_the_text() -> None:
    assert tags("Dresdner Neustadt", "Die Neustadt wächst.", "Leipzig") == [
        ("Leipzig", "source", ()),
        ("Dresden", "text", ("Dresdner", "Neustadt")),
    ]


def test_town_neustadt_in_sachsen_is_its_own_municipality() -> None:
    assert tags("Markt in Neustadt in Sachsen", "") == [
        ("Neustadt in Sachsen", "text", ("Neustadt in Sachsen",))
    ]


def test_leipzig_district_moeckern_with_leipzig_source_else_the_town() -> None:
    assert tags("Abriss in Möckern", "", "Leipzig") == [("Leipzig", "source", ("Möckern",))]
    assert tags("Abriss in Möckern", "", None) == [("Möckern", "text", ("Möckern",))]


# --- traps: Halle as a hall --------------------------------------------------------------


def test_halle_as_a_hall_is_not_the_city() -> None:
    text = (
        "Die Ausstellung ist in der Halle der Technischen Messe zu sehen, danach in Halle 2 "
        "und in der Stadthalle; die Hallen 1 bis 6 bleiben zu."
    )
    assert tags("Ausstellung", text) == []


def test_bare_halle_needs_place_context() -> None:
    assert tags("Halle bleibt", "Halle wird gebaut.") == []
    assert tags("Protest", "Die Sporthalle in Halle wird saniert.") == [
        ("Halle (Saale)", "text", ("Halle",))
    ]
    assert tags("Rundgang", "Die Stadt Halle lädt ein.") == [("Halle (Saale)", "text", ("Halle",))]


def test_bare_halle_in_a_list_of_places_counts() -> None:
    assert tags("Abrisse", "Abrisse in Leipzig, Halle und Dresden nehmen zu.") == [
        ("Leipzig", "text", ("Leipzig",)),
        ("Halle (Saale)", "text", ("Halle",)),
        ("Dresden", "text", ("Dresden",)),
    ]


# --- traps: adjectives inside names --------------------------------------------------------


def test_street_named_after_another_city() -> None:
    assert tags("Abriss", "Das Haus an der Zwickauer Straße wird abgerissen.", "Chemnitz") == [
        ("Chemnitz", "source", ())
    ]
    assert tags("LEIPZIGER STRASSE", "Sanierung der Leipziger Str. 12.", "Halle (Saale)") == [
        ("Halle (Saale)", "source", ())
    ]


def test_berlin_places_named_after_other_cities() -> None:
    text = "Vom Görlitzer Park zum Halleschen Tor, dann ein Abstecher nach Halle (Westf.)."
    assert tags("Exkursion nach Berlin", text) == [("Berlin", "text", ("Berlin",))]


def test_am_leipziger_turm_is_in_halle() -> None:
    assert tags("Neubau Am Leipziger Turm", "") == [("Halle (Saale)", "text", ("Leipziger Turm",))]


def test_weimarer_republik_and_beer_are_not_places() -> None:
    assert tags("Vortrag", "Bauen in der Weimarer Republik.", "Pirna") == [("Pirna", "source", ())]
    assert tags(
        "Sommerfest", "Das Freiberger Brauhaus schenkt Freiberger Pils aus.", "Altenburg"
    ) == [("Altenburg", "source", ())]


def test_leipzig_charta_and_leipziger_messe_are_institutions() -> None:
    assert tags("Leipzig-Charta", "Die Leipzig-Charta zur europäischen Stadt.") == []
    assert tags("Leipziger Messe", "Die Leipziger Messe meldet einen Rekord.") == []


def test_guest_organisation_named_after_a_city() -> None:
    assert tags(
        "Vernetzungstreffen", "Als Gast war das Braunschweiger Forum dabei.", "Leipzig"
    ) == [("Leipzig", "source", ())]


def test_adjective_alone_or_as_a_surname_is_no_mention() -> None:
    assert tags("Vortrag", "Referent ist Thomas Meißner, er sprach mit den Leipzigern.") == []


# --- traps: origin, institutions, Landkreis, comparisons, inns ---------------------------------


def test_where_speakers_and_firms_come_from_is_not_tagged() -> None:
    text = "Mit Prof. Müller (TU Kaiserslautern), Architekten aus Erfurt und der TU Dresden."
    assert tags("Podium in Chemnitz", text) == [("Chemnitz", "text", ("Chemnitz",))]


def test_initiatives_from_several_cities_meeting_somewhere() -> None:
    assert tags("Treffen", "Initiativen aus Leipzig, Halle und Dresden trafen sich in Gotha.") == [
        ("Gotha", "text", ("Gotha",))
    ]


def test_university_with_two_cities() -> None:
    assert tags("Entwürfe", "Studenten der Hochschule Zittau/Görlitz zeichnen.", "Weimar") == [
        ("Weimar", "source", ())
    ]


def test_landkreis_is_not_the_city() -> None:
    assert tags("Kürzungen", "Der Landkreis Görlitz streicht die Mittel.") == []
    assert tags("Kürzungen", "Der Landkreis Görlitz streicht die Mittel für Görlitz.") == [
        ("Görlitz", "text", ("Görlitz",))
    ]


def test_city_named_only_as_a_model_or_comparison() -> None:
    text = (
        "Wie in Leipzig und Dresden soll es in Görlitz einen Gestaltungsbeirat geben, "
        "nach Chemnitzer Vorbild."
    )
    assert tags("Gestaltungsbeirat", text) == [("Görlitz", "text", ("Görlitz",))]


def test_inn_called_after_a_town_and_an_office_named_after_one() -> None:
    assert tags("Lesung", "Im Gasthof „Stadt Zittau“ in Oybin liest Frau Schulze.") == [
        ("Oybin", "text", ("Oybin",))
    ]
    assert tags("Lesung", "Lesung im Gasthof Stadt Zittau in Oybin.") == [
        ("Oybin", "text", ("Oybin",))
    ]
    assert tags("Haushalt", "Die Stadt Zittau spart.") == [("Zittau", "text", ("Zittau",))]
    assert tags("Stollen", "Das Bergamt Freiberg genehmigte den Stollen.", "Pirna") == [
        ("Pirna", "source", ())
    ]
    assert tags("Fest", "Die Brauerei Freyberg lädt ein.") == []


# --- Freiburg written for Freiberg ---------------------------------------------------------


def test_freiburg_in_a_network_text_is_freiberg() -> None:
    assert tags("Vernetzungstreffen", "Das 6. Treffen fand in Freiburg statt.") == [
        ("Freiberg", "text", ("Freiburg",))
    ]


def test_freiburg_im_breisgau_is_not_freiberg() -> None:
    assert tags("Vorbild", "Das Quartier Vauban in Freiburg im Breisgau.") == []
    assert tags("Exkursion", "Die Reise ging nach Freiburg in Baden.") == []


def test_a_whole_item_as_a_member_writes_it() -> None:
    title = "21. DEZEMBER 2015 // ABRISS DER HÄUSER IN DER GEORG-SCHWARZ-STRASSE"
    text = (
        "+++ Die Stadt Leipzig hat den Abriss zweier Gründerzeithäuser in Leutzsch genehmigt. "
        "Wie in Dresden soll nun ein Gestaltungsbeirat helfen. Architekten aus Halle und der "
        "Leipziger Denkmalbeirat kritisieren die Entscheidung; die Stadtratssitzung findet in "
        "der Halle 12 der Leipziger Messe statt. +++"
    )
    assert city_tags(title, text, source_city="Leipzig") == (
        Tag("city", "Leipzig", "source", ("Leipzig", "Leutzsch", "Leipziger")),
    )


# --- the gazetteer --------------------------------------------------------------------------


def test_every_tag_value_is_an_official_name_listed_as_municipality_or_neighbour() -> None:
    gaz = load_gazetteer()
    official = {
        e.city
        for phrases in gaz.by_first_word.values()
        for p in phrases
        for e in p.entries
        if e.kind in ("municipality", "neighbour")
    }
    assert gaz.cities == official
    assert {"Leipzig", "Halle (Saale)", "Weißenfels", "Görlitz", "Zittau"} <= official
    assert len(official) > 400


def test_gazetteer_lists_the_member_cities_and_the_towns_of_three_states() -> None:
    gaz = load_gazetteer()
    for name in ("Altenburg", "Gotha", "Pirna", "Freiberg", "Weimar", "Naumburg (Saale)", "Kahla"):
        keys = name_keys(name)
        assert any(
            p.words == keys and p.entries[0].city == name for p in gaz.phrases_at(keys[0])
        ), name


def test_parse_gazetteer_rejects_a_bad_line_naming_it() -> None:
    with pytest.raises(ValueError, match="gazetteer line 2"):
        parse_gazetteer("# comment\nLeipzig\t\ttown\t\tSN\n")
    with pytest.raises(ValueError, match="gazetteer line 1"):
        parse_gazetteer("Leipzig\tSN\n")


def test_parse_gazetteer_registers_spelling_variants_and_genitive() -> None:
    gaz = parse_gazetteer("Görlitz\t\tmunicipality\t\tSN\nWeißenfels\t\tmunicipality\t\tST\n")
    entry = GazetteerEntry(city="Weißenfels", kind="municipality")
    assert gaz.phrases_at("weissenfels")[0].entries == (entry,)
    assert gaz.phrases_at("weißenfels")[0].entries == (entry,)
    assert gaz.phrases_at("weißenfelss") == ()  # no genitive after a sibilant
    assert [p.words for p in gaz.phrases_at("goerlitz")] == [("goerlitz",)]
    assert tags("Görlitz'", "") == [("Görlitz", "text", ("Görlitz",))]


def test_custom_gazetteer_is_used() -> None:
    gaz = parse_gazetteer("Musterstadt\t\tmunicipality\t\tSN\n")
    assert city_tags("Neues aus Leipzig", "in Musterstadt", source_city=None, gazetteer=gaz) == (
        Tag("city", "Musterstadt", "text", ("Musterstadt",)),
    )


def test_hostile_input_does_not_crash() -> None:
    text = "Halle " * 20_000 + "((((" * 1000 + "İstanbul Leipzig"
    assert tags("x" * 10_000, text) == [("Leipzig", "text", ("Leipzig",))]


# --- internals the tags rest on --------------------------------------------------------------


def test_word_spans_are_right_in_any_order() -> None:
    from aggregator.tagging.cities import _Words

    text = "„Halle (Saale)“ – Leipzig-Plagwitz, Straße   und\tGÖRLITZ.\nEnde"
    words = _Words(text)
    expected = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    order = [3, 0, 5, 5, 1, 7, 2, 6, 4, 0, 7]
    assert sorted(set(order)) == list(range(len(expected)))
    assert [words.span(i) for i in order] == [expected[i] for i in order]


def test_a_phrase_knows_its_cities_and_the_freiburg_reading() -> None:
    gaz = parse_gazetteer(
        "Freiburg\tFreiberg\talias\tfreiburg,weak\tSN\n"
        "Neustadt\tDresden\tdistrict\tctx\tSN\n"
        "Neustadt\tHalle (Saale)\tdistrict\tctx\tST\n"
        "Neustadt\tDresden\tplace\t\tSN\n"
    )
    (freiburg,) = gaz.phrases_at("freiburg")
    (neustadt,) = gaz.phrases_at("neustadt")
    assert (freiburg.cities, freiburg.freiburg) == (("Freiberg",), True)
    assert (neustadt.cities, neustadt.freiburg) == (("Dresden", "Halle (Saale)"), False)
