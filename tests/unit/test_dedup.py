"""Near-duplicate clustering (issue 12, point 1): one story once, different stories apart."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aggregator.dedup import DedupDoc, DuplicateIndex, cluster, same_story, stem

T0 = datetime(2023, 10, 2, 9, 0, tzinfo=UTC)


def doc(
    id: str,
    title: str,
    text: str = "",
    *,
    source: str | None = None,
    url: str | None = None,
    guid: str | None = None,
    days: float = 0,
    published: datetime | None = None,
    own_site: bool = False,
) -> DedupDoc:
    return DedupDoc(
        id=id,
        source_id=source or f"src-{id}",
        title=title,
        text=text,
        url=url if url is not None else f"https://{id}.example.org/news/{id}",
        guid=guid,
        first_seen=T0 + timedelta(days=days),
        published=published,
        own_site=own_site,
    )


PRESS_RELEASE = (
    "Das NETZWERK Stadtforen Mitteldeutschland fordert den Freistaat Sachsen auf, den Abriss "
    "des Gründerzeitviertels an der Zwickauer Straße in Chemnitz zu stoppen. Die 14 "
    "stadtbildprägenden Häuser stehen seit Jahren leer, sind aber nach Einschätzung von "
    "Fachleuten sanierungsfähig. Wir appellieren an die Stadt, gemeinsam mit Eigentümern und "
    "Initiativen eine Notsicherung zu ermöglichen, bevor weitere historische Bausubstanz "
    "unwiederbringlich verloren geht."
)

LEIPZIG_FOOTER = (
    "Das Stadtforum Leipzig ist ein Zusammenschluss engagierter Bürgerinnen und Bürger, die sich "
    "seit 2003 ehrenamtlich für eine behutsame Entwicklung ihrer Stadt einsetzen. Weitere "
    "Informationen unter www.stadtforum-leipzig.de. Eintritt frei."
)


def test_press_release_copied_by_two_forums_is_one_story() -> None:
    chemnitz = doc("a", "Abriss an der Zwickauer Straße stoppen!", PRESS_RELEASE, source="chemnitz")
    dresden = doc(
        "b",
        "Pressemitteilung: Abriss an der Zwickauer Straße stoppen",
        "Wir dokumentieren die Pressemitteilung des Netzwerks: " + PRESS_RELEASE,
        source="dresden",
        days=1,
    )
    assert same_story(chemnitz, dresden)
    assert cluster([dresden, chemnitz]) == {"a": "a", "b": "a"}


def test_reworded_event_announcement_is_one_story() -> None:
    leipzig = doc(
        "leipzig",
        "Vortrag: Die Zukunft des Bayerischen Bahnhofs",
        "Das Stadtforum Leipzig lädt am Dienstag, 17. Oktober 2023, um 19 Uhr zu einem Vortrag "
        "über die Zukunft des Bayerischen Bahnhofs ein. Referent ist der Bauhistoriker Thomas "
        "Müller. Ort: Haus des Buches, Gerichtsweg 28.",
        source="leipzig",
    )
    halle = doc(
        "halle",
        "Bayerischer Bahnhof: Zukunft des ältesten Kopfbahnhofs",
        "Zukunft des Bayerischen Bahnhofs – Vortrag von Bauhistoriker Thomas Müller am "
        "17.10.2023 um 19:00 Uhr im Haus des Buches (Gerichtsweg 28) in Leipzig. Veranstalter: "
        "Stadtforum Leipzig.",
        source="halle",
        days=2,
    )
    assert same_story(leipzig, halle)


def test_shortened_copy_is_one_story() -> None:
    full = doc(
        "full",
        "Rettet das Wächterhaus in der Georg-Schwarz-Straße",
        "Das Wächterhaus in der Georg-Schwarz-Straße in Leutzsch soll nach dem Willen des "
        "Eigentümers abgerissen werden. Der Verein HausHalten hat das Gründerzeithaus vor zehn "
        "Jahren vor dem Verfall gerettet, seither beleben Ateliers, ein Café und eine "
        "Fahrradwerkstatt das Erdgeschoss. Die Denkmalschutzbehörde prüft den Abrissantrag, "
        "eine Entscheidung wird im Frühjahr erwartet. Wir bitten alle Unterstützer, die "
        "Petition zu unterzeichnen und am Bürgerforum im Stadtteilladen teilzunehmen.",
        source="leipzig",
    )
    teaser = doc(
        "teaser",
        "Rettet das Wächterhaus in der Georg-Schwarz-Straße",
        "Das Wächterhaus in der Georg-Schwarz-Straße in Leutzsch soll nach dem Willen des "
        "Eigentümers abgerissen werden. Der Verein HausHalten hat das Gründerzeithaus vor zehn "
        "Jahren vor dem Verfall gerettet …",
        source="netzwerk",
        days=3,
    )
    assert same_story(full, teaser)


SERIES = (
    "Das {n}. Vernetzungstreffen des NETZWERKs Stadtforen Mitteldeutschland findet am "
    "{date} in {place} statt. Gastgeber ist das örtliche Stadtforum. Auf dem Programm stehen "
    "ein Stadtrundgang, Berichte aus den Mitgliedsinitiativen und die Arbeit am Magazin BAUSTEIN."
)


def test_series_events_with_other_date_and_place_are_different_stories() -> None:
    fifth = doc(
        "fifth",
        "5. Vernetzungstreffen des Netzwerks",
        SERIES.format(n=5, date="12. April 2014", place="Görlitz"),
        source="goerlitz",
    )
    sixth = doc(
        "sixth",
        "6. Vernetzungstreffen des Netzwerks",
        SERIES.format(n=6, date="18. Oktober 2014", place="Zittau"),
        source="zittau",
        days=5,
    )
    assert not same_story(fifth, sixth)
    assert cluster([fifth, sixth]) == {"fifth": "fifth", "sixth": "sixth"}


def test_series_events_on_other_date_only_or_other_place_only_are_different_stories() -> None:
    base = SERIES.format(n=5, date="12. April 2014", place="Görlitz")
    other_date = SERIES.format(n=6, date="13. September 2014", place="Görlitz")
    other_place = SERIES.format(n=6, date="", place="Zittau").replace("am  in", "2014 in")
    base_no_date = SERIES.format(n=5, date="", place="Görlitz").replace("am  in", "2014 in")
    title5, title6 = "5. Vernetzungstreffen des Netzwerks", "6. Vernetzungstreffen des Netzwerks"
    assert not same_story(doc("a", title5, base), doc("b", title6, other_date, days=1))
    assert not same_story(doc("a", title5, base_no_date), doc("b", title6, other_place, days=1))


def test_same_meeting_numbered_differently_is_one_story() -> None:
    goerlitz = doc(
        "goerlitz",
        "6. Vernetzungstreffen in Görlitz",
        SERIES.format(n=6, date="12. April 2014", place="Görlitz"),
        source="goerlitz",
    )
    network = doc(
        "network",
        "8. Vernetzungstreffen in Görlitz",
        SERIES.format(n=8, date="12. April 2014", place="Görlitz"),
        source="netzwerk",
        days=1,
    )
    assert same_story(goerlitz, network)
    # Year and place but no date: still the same meeting.
    year_only = SERIES.format(n=6, date="", place="Görlitz").replace("am  in", "2014 in")
    year_only_8 = year_only.replace("6.", "8.")
    assert same_story(
        doc("x", "6. Vernetzungstreffen in Görlitz", year_only),
        doc("y", "8. Vernetzungstreffen in Görlitz", year_only_8, days=1),
    )


def test_same_ordinal_text_without_year_or_date_is_not_merged_on_numbers_alone() -> None:
    text = "Das {n}. Vernetzungstreffen des Netzwerks war ein Erfolg, danke an alle Gastgeber."
    assert not same_story(
        doc("a", "Rückblick Vernetzungstreffen", text.format(n=5)),
        doc("b", "Rückblick Vernetzungstreffen", text.format(n=6), days=1),
    )


def test_items_sharing_only_the_forum_footer_are_different_stories() -> None:
    talk = doc(
        "talk",
        "Vortrag über den Wilhelm-Leuschner-Platz",
        "Die Stadtplanerin Anna Schmidt stellt die Entwürfe für die Bebauung des "
        "Wilhelm-Leuschner-Platzes vor und diskutiert sie mit dem Publikum. " + LEIPZIG_FOOTER,
        source="leipzig",
    )
    tour = doc(
        "tour",
        "Rundgang durch Lindenau",
        "Wir erkunden die Fabrikgebäude am Karl-Heine-Kanal und die Gründerzeithäuser der "
        "Josephstraße mit dem Ortschronisten Peter Lange. " + LEIPZIG_FOOTER,
        source="leipzig",
        days=2,
    )
    assert not same_story(talk, tour)
    other_forum = replace(tour, id="tour2", source_id="halle", url="https://halle.example/t")
    assert not same_story(talk, other_forum)


def test_short_titles_with_different_texts_are_different_stories() -> None:
    first = doc(
        "a",
        "Einladung",
        "Zur Mitgliederversammlung am Donnerstag im Stadtteilladen Gohlis laden wir ein.",
        source="leipzig",
    )
    second = doc(
        "b",
        "Einladung",
        "Führung durch die Stadtmauer von Bautzen mit dem Architekten Jens Richter.",
        source="bautzen",
        days=1,
    )
    assert not same_story(first, second)
    assert not same_story(
        doc("c", "Pressemitteilung", "", source="x"), doc("d", "Pressemitteilung", "", days=1)
    )


def test_near_duplicates_more_than_the_window_apart_are_different_stories() -> None:
    first = doc("a", "Rettet die Brauerei Reichenbrand", PRESS_RELEASE, source="chemnitz")
    later = replace(first, id="b", source_id="dresden", url="https://dresden.example/b", guid=None)
    reworded = replace(later, text=PRESS_RELEASE.replace("Wir appellieren", "Das Netzwerk bittet"))
    assert same_story(first, replace(reworded, first_seen=T0 + timedelta(days=10)))
    assert not same_story(first, replace(reworded, first_seen=T0 + timedelta(days=30)))
    assert cluster([first, replace(reworded, first_seen=T0 + timedelta(days=30))]) == {
        "a": "a",
        "b": "b",
    }


def test_exact_matches_join_whatever_the_distance_in_time() -> None:
    first = doc("a", "Rettet die Brauerei", "Kurz.", source="chemnitz", url="https://x.de/1")
    same_url = doc("b", "Ganz anders", "Anderer Text.", source="dresden", url="https://x.de/1")
    same_guid = doc("c", "Titel neu", "Neu.", source="chemnitz", guid="post-17", days=90)
    guid_first = doc("d", "Titel alt", "Alt.", source="chemnitz", guid="post-17", days=1)
    other_source_guid = doc("e", "Titel", "Text.", source="halle", guid="post-17", days=2)
    same_text = doc("f", "Rettet die Brauerei Reichenbrand", PRESS_RELEASE, source="chemnitz")
    same_text_late = doc(
        "g", "Rettet die Brauerei Reichenbrand!", PRESS_RELEASE, source="zittau", days=200
    )
    assert same_story(first, replace(same_url, first_seen=T0 + timedelta(days=400)))
    assert same_story(same_text, same_text_late)
    assert cluster([first, same_url, same_guid, guid_first, other_source_guid]) == {
        "a": "a",
        "b": "a",
        "d": "d",
        "e": "e",
        "c": "d",
    }
    index = DuplicateIndex()
    assert index.add(same_text) == "f"
    for day in range(1, 200, 7):  # moves the window far past "f"
        index.add(doc(f"n{day}", f"Nachricht {day}", f"Text {day} über Dinge", days=day))
    assert index.add(same_text_late) == "f"


def test_representative_is_earliest_then_published_then_own_site_then_id() -> None:
    text = PRESS_RELEASE
    early = doc("z", "Abriss stoppen", text, source="a", days=0)
    late = doc("a", "Abriss stoppen", text, source="b", days=1)
    assert cluster([late, early]) == {"a": "z", "z": "z"}
    published_early = doc("y", "Abriss stoppen", text, source="a", published=T0 - timedelta(1))
    published_late = doc("b", "Abriss stoppen", text, source="b", published=T0)
    assert cluster([published_late, published_early]) == {"b": "y", "y": "y"}
    foreign = doc("c", "Abriss stoppen", text, source="a")
    own = doc("x", "Abriss stoppen", text, source="b", own_site=True)
    assert cluster([foreign, own]) == {"c": "x", "x": "x"}
    tie_one = doc("m", "Abriss stoppen", text, source="a")
    tie_two = doc("k", "Abriss stoppen", text, source="b")
    assert cluster([tie_one, tie_two]) == {"k": "k", "m": "k"}


def test_incremental_adding_keeps_the_representative() -> None:
    index = DuplicateIndex()
    first = doc("first", "Abriss an der Zwickauer Straße stoppen", PRESS_RELEASE, source="a")
    assert index.add(first) == "first"
    other = doc("other", "Sommerfest im Kaßberg", "Musik, Kuchen und Führungen.", source="a")
    assert index.add(other) == "other"
    # A later item that would sort before "first" (smaller id, own site) joins; it does not lead.
    joiner = doc(
        "aaa", "Abriss an der Zwickauer Straße stoppen", PRESS_RELEASE, source="b", own_site=True
    )
    assert index.add(joiner) == "first"
    assert index.add(joiner) == "first"  # adding twice changes nothing
    assert index.cluster_of("aaa") == "first"
    assert index.clusters() == {"first": ["first", "aaa"], "other": ["other"]}


def test_same_source_needs_a_near_identical_repost() -> None:
    text = (
        "Am Sonnabend führt der Ortschronist durch das Paulusviertel. Treffpunkt ist die "
        "Pauluskirche, die Führung dauert etwa zwei Stunden."
    )
    post = doc("a", "Führung durch das Paulusviertel", text, source="halle")
    repost = doc("b", "Führung durch das Paulusviertel", text + " Bitte festes Schuhwerk.", days=1)
    assert same_story(post, replace(repost, source_id="halle"))


def test_huge_and_empty_texts_are_handled() -> None:
    huge_text = ("Der Abriss der Brauerei ist ein Verlust für die Stadt. " * 200_000)[:11_000_000]
    huge = doc("huge", "Brauerei abgerissen", huge_text, source="a")
    huge_copy = doc("copy", "Brauerei abgerissen", huge_text, source="b", days=1)
    empty = doc("empty", "", "", source="c")
    empty_too = doc("empty2", "", "", source="d")
    assert same_story(huge, huge_copy)
    assert not same_story(empty, empty_too)
    assert cluster([huge, huge_copy, empty, empty_too]) == {
        "huge": "huge",
        "copy": "huge",
        "empty": "empty",
        "empty2": "empty2",
    }


ANNOUNCEMENT = (
    "Das Stadtforum lädt am {date} um {time} zu einer Führung durch die Spinnerei ein. "
    "Treffpunkt ist das Tor an der Spinnereistraße, die Führung übernimmt Katrin Lehmann."
)


def test_same_wording_with_other_date_or_time_is_another_event() -> None:
    title = "Führung durch die Spinnerei"
    first = doc("a", title, ANNOUNCEMENT.format(date="Samstag, 4. November 2023", time="14 Uhr"))
    same = doc("b", title, ANNOUNCEMENT.format(date="4.11.2023", time="14:00 Uhr"), days=1)
    other_day = doc("c", title, ANNOUNCEMENT.format(date="11. November 2023", time="14 Uhr"))
    other_time = doc("d", title, ANNOUNCEMENT.format(date="4. November 2023", time="16 Uhr"))
    assert same_story(first, same)
    assert not same_story(first, other_day)
    assert not same_story(first, other_time)


def test_same_text_for_another_city_named_in_the_title_is_another_story() -> None:
    text = (
        "Der Denkmalstammtisch spricht über leerstehende Gründerzeithäuser, Notsicherung und "
        "Wächterhäuser. Gäste sind Vertreter der Stadtverwaltung und der Wohnungsgesellschaft."
    )
    leipzig = doc("a", "Denkmalstammtisch in Leipzig", text + " Ort: Stadtbibliothek Leipzig.")
    dresden = doc("b", "Denkmalstammtisch in Dresden", text + " Ort: Zentralbibliothek.", days=1)
    assert not same_story(leipzig, dresden)


def test_teaser_of_a_few_words_under_the_same_title_and_date_is_one_story() -> None:
    title = "Tag des offenen Denkmals im Kraftwerk Mitte"
    full = doc(
        "full",
        title,
        "Am 10. September 2023 öffnet das Kraftwerk Mitte seine Türen. Führungen durch das "
        "Maschinenhaus und die Schaltwarte beginnen stündlich, der Förderverein zeigt Fotos aus "
        "hundert Jahren Industriegeschichte und berichtet über die geplante Umnutzung.",
    )
    teaser = doc("teaser", title, "Am 10. September 2023 öffnet das Kraftwerk Mitte …", days=1)
    other_year = doc("late", title, "Am 8. September 2024 öffnet das Kraftwerk Mitte …", days=2)
    assert same_story(full, teaser)
    assert not same_story(full, other_year)


def test_index_forgets_old_items_but_keeps_clustering_new_ones() -> None:
    index = DuplicateIndex(window=timedelta(days=14))
    for week in range(12):  # dated announcements: their date keys leave the index too
        text = ANNOUNCEMENT.format(date=f"{week + 1}. März 2024", time="18 Uhr")
        assert index.add(doc(f"w{week}", "Führung durch die Spinnerei", text, days=7 * week)) == (
            f"w{week}"
        )
        copy = doc(f"c{week}", "Führung durch die Spinnerei", text, days=7 * week + 1)
        assert index.add(replace(copy, text=copy.text + " Anmeldung erbeten.")) == f"w{week}"
    assert index.clusters()["w11"] == ["w11", "c11"]
    assert len(index.clusters()) == 12


# --- stories retold by another forum (issue 12: rewritten duplicates) ------------------------

# Other news of the months before: they make common words common, so that rarity can tell the
# words that name one story (a building, a street, a district) from those every item uses.
BACKGROUND_TOPICS = (
    "Gründerzeithaus in der Südvorstadt",
    "Stadtbad an der Ringstraße",
    "Bahnhofsgebäude in Cotta",
    "Konsumgebäude am Lindenplatz",
    "Spinnerei an der Mulde",
    "Brauereigelände im Norden",
    "Villa am Stadtpark",
    "Viadukt über das Flusstal",
)


def background(n: int = 40) -> list[DedupDoc]:
    """Items about other buildings, months earlier, in the words every forum uses."""
    topics = [BACKGROUND_TOPICS[k % len(BACKGROUND_TOPICS)] for k in range(n)]
    return [
        doc(
            f"bg{k}",
            f"Stadtforum fordert Erhalt: {topic}",
            f"Das Stadtforum fordert den Erhalt: {topic}. Der Stadtrat berät über den Abriss, "
            "die Petition läuft, die Stadt prüft ein Gutachten. Wir sammeln Unterschriften und "
            f"schreiben einen Offenen Brief (Nr. {k}).",
            source=f"bg-forum-{k % 5}",
            days=-200 + 4 * k,
        )
        for k, topic in enumerate(topics)
    ]


WATER_TOWER = doc(
    "tower-a",
    "Wasserturm Connewitz: Bürgerverein startet Spendenaufruf",
    "Der Bürgerverein Connewitz sammelt Geld für die Sicherung des Wasserturms an der "
    "Kohrener Straße. Der Klinkerbau von 1912 hat seit dem Sturm ein offenes Dach, der "
    "Eigentümer reagiert nicht. Spenden nimmt der Verein im Stadtteilladen entgegen.",
    source="leipzig",
)
WATER_TOWER_RETOLD = doc(
    "tower-b",
    "Connewitzer Wasserturm braucht Hilfe",
    "In Connewitz steht der Wasserturm an der Kohrener Straße mit offenem Dach da. Der "
    "Bürgerverein bittet um Spenden, damit der Klinkerbau gesichert werden kann.",
    source="netzwerk",
    days=3,
)


def test_story_retold_by_another_forum_is_one_story() -> None:
    assert cluster([*background(), WATER_TOWER, WATER_TOWER_RETOLD])["tower-b"] == "tower-a"
    assert same_story(WATER_TOWER, WATER_TOWER_RETOLD)  # without other items: every word counts 1


def test_word_forms_are_folded_before_comparing() -> None:
    assert stem("wasserturms") == stem("wasserturm")
    assert stem("connewitzer") == stem("connewitz")
    assert stem("roten") == stem("rote")
    assert stem("haus") == "haus"  # too short to fold


def test_retold_story_more_than_a_few_days_later_is_another_story() -> None:
    late = replace(WATER_TOWER_RETOLD, first_seen=T0 + timedelta(days=12))
    assert cluster([*background(), WATER_TOWER, late])["tower-b"] == "tower-b"


def test_retold_story_about_another_house_number_is_another_story() -> None:
    tower_3 = replace(WATER_TOWER, text=WATER_TOWER.text.replace("Straße.", "Straße 3 am Park."))
    tower_9 = replace(
        WATER_TOWER_RETOLD,
        text=WATER_TOWER_RETOLD.text.replace("Straße mit", "Straße 9 am Park mit"),
    )
    assert cluster([*background(), tower_3, tower_9])["tower-b"] == "tower-b"
    also_3 = replace(tower_9, text=tower_9.text.replace("Straße 9", "Straße 3"))
    assert cluster([*background(), tower_3, also_3])["tower-b"] == "tower-a"


def test_retold_stories_sharing_only_common_words_stay_apart() -> None:
    one = doc(
        "one",
        "Stadtforum fordert Erhalt der Gießerei",
        "Das Stadtforum fordert den Erhalt der Gießerei am Kanal. Der Stadtrat berät über den "
        "Abriss, wir sammeln Unterschriften für eine Petition.",
        source="leipzig",
    )
    other = doc(
        "other",
        "Petition für das Kesselhaus",
        "Der Heimatverein sammelt Unterschriften: Das Kesselhaus am Güterbahnhof soll nicht "
        "abgerissen werden. Der Stadtrat berät im Mai über den Abriss.",
        source="halle",
        days=2,
    )
    assert cluster([*background(), one, other])["other"] == "other"


def test_meeting_announced_with_other_ordinals_and_words_is_one_story() -> None:
    network = doc(
        "net",
        "11. Vernetzungstreffen in Naumburg",
        "Am 7. Juni 2025 lädt die Bürgerinitiative Domstadt zum Vernetzungstreffen nach "
        "Naumburg ein. Nach einer Führung über den Domplatz sprechen wir über das leere "
        "Stadtbad am Bürgergarten.",
        source="netzwerk",
    )
    host = doc(
        "host",
        "Stadtforen zu Gast in Naumburg",
        "Am 7. Juni 2025 sind wir Gastgeber des 13. Vernetzungstreffens. Wir zeigen den "
        "Domplatz und das leerstehende Stadtbad am Bürgergarten.",
        source="naumburg",
        days=2,
    )
    assert cluster([*background(), network, host])["host"] == "net"


def test_misspelt_place_in_the_title_does_not_split_a_meeting() -> None:
    right = doc(
        "right",
        "Treffen der Stadtforen in Naumburg",
        "Am 7. Juni 2025 treffen sich die Stadtforen am Domplatz. Thema ist das leere Stadtbad "
        "am Bürgergarten und die Führung über den Domplatz.",
        source="netzwerk",
    )
    misspelt = replace(right, id="misspelt", source_id="naumburg", title="Treffen in Naumberg")
    other_town = replace(right, id="other", source_id="merseburg", title="Treffen in Merseburg")
    assert same_story(right, replace(misspelt, url="https://n.example/1"))
    assert not same_story(right, replace(other_town, url="https://m.example/1"))


def test_counts_that_differ_do_not_split_a_retold_report() -> None:
    ours = doc(
        "ours",
        "Rückblick: Tag am Wasserturm Connewitz",
        "Am Sonntag kamen 40 Gäste zum Wasserturm an der Kohrener Straße; der Bürgerverein "
        "zeigte den Klinkerbau und das offene Dach.",
        source="leipzig",
    )
    theirs = doc(
        "theirs",
        "Connewitz: Wasserturm lockt Besucher",
        "Über 300 Besucher sahen den Klinkerbau an der Kohrener Straße. Der Bürgerverein "
        "sammelt weiter für das offene Dach des Wasserturms.",
        source="netzwerk",
        days=1,
    )
    assert cluster([*background(), ours, theirs])["theirs"] == "ours"


def test_invitation_and_report_of_one_event_are_two_stories() -> None:
    invitation = doc(
        "invite",
        "Führung durch den Wasserturm Connewitz",
        "Am Sonntag, 15. Oktober 2023, führt der Bürgerverein um 11 Uhr durch den Wasserturm "
        "an der Kohrener Straße. Treffpunkt ist das Tor.",
        source="leipzig",
        published=datetime(2023, 10, 2, tzinfo=UTC),
    )
    report = doc(
        "report",
        "Rückblick: Führung durch den Wasserturm Connewitz",
        "Am 15. Oktober führte der Bürgerverein durch den Wasserturm an der Kohrener Straße, "
        "über 100 Besucher kamen zum Tor.",
        source="netzwerk",
        days=13,
        published=datetime(2023, 10, 15, tzinfo=UTC) + timedelta(days=2),
    )
    assert not same_story(invitation, report)
    assert cluster([*background(), invitation, report])["report"] == "report"


def test_reused_address_for_another_event_is_another_story() -> None:
    url = "https://forum.example/2023/10/einladung/"
    talk = doc(
        "talk",
        "Einladung",
        "Am Dienstag, 17. Oktober 2023, um 19 Uhr spricht ein Bauhistoriker über Fachwerk.",
        source="forum",
        url=url,
    )
    walk = doc(
        "walk",
        "Einladung",
        "Samstag, 21. Oktober 2023, 14 Uhr: Rundgang zu den Scheunen am Stadtrand.",
        source="forum",
        url=url,
        days=7,
    )
    corrected = replace(talk, id="fixed", text=talk.text.replace("17. Oktober", "18. Oktober"))
    assert not same_story(talk, walk)
    assert same_story(talk, corrected)
    assert cluster([talk, walk, replace(corrected, first_seen=T0 + timedelta(days=1))]) == {
        "talk": "talk",
        "fixed": "talk",
        "walk": "walk",
    }


def test_a_flood_of_look_alike_items_costs_linear_work() -> None:
    """3,000 items of one template and one vocabulary (a flood, a CMS relaunch): the index
    skips keys that many items share, so the verified pairs grow with the items, not their
    square. Counted, not timed."""
    import random

    import aggregator.dedup as dedup

    words = ["Stadtforum", "Denkmal", "Abriss", "Quartier", "Stadtrat", "Petition", "Brache"]
    rng = random.Random(3)
    start = datetime(2026, 11, 1, tzinfo=UTC)
    docs = [
        DedupDoc(
            id=str(n),
            source_id=f"s{n % 50}",
            title=f"Meldung {n}: " + " ".join(rng.choice(words) for _ in range(6)),
            text=" ".join(rng.choice(words) for _ in range(60)),
            url=f"https://f{n % 50}.example/{n}",
            guid=str(n),
            first_seen=start,
        )
        for n in range(3000)
    ]
    calls = 0
    original = dedup._similarity

    def counting(*args: object) -> float:
        nonlocal calls
        calls += 1
        return original(*args)  # type: ignore[arg-type]

    dedup._similarity = counting  # type: ignore[assignment]
    try:
        cluster(docs)
    finally:
        dedup._similarity = original
    assert calls <= 3000 * dedup.MAX_CANDIDATES
    assert calls < 3000 * 300  # far below the 4.5 million pairs


def test_items_each_naming_their_own_number_are_different_even_sharing_another() -> None:
    text = (
        "Der Arbeitskreis lädt zur Begehung der Brache an der Kanalstraße ein. Wir sprechen "
        "über die Zukunft des Geländes, die Pläne der Eigentümer und den Bebauungsplan."
    )
    five = doc("five", "Rundbrief 5 von Forum 3: Brache an der Kanalstraße", text, source="a")
    seven = doc("seven", "Rundbrief 7 von Forum 3: Brache an der Kanalstraße", text, source="b")
    assert not same_story(five, seven)  # both name forum 3; each its own issue number
    fewer = doc("fewer", "Rundbrief: Brache an der Kanalstraße", text, source="b")
    assert same_story(five, fewer)  # a copy that leaves the numbers out
