"""Dates in German running text: every form read, each classified, nothing guessed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from aggregator.parse.pagedates import TextDate, dates_in_text, publication_date


@pytest.mark.parametrize(
    ("text", "value", "matched"),
    [
        ("Leipzig, 24.11.2025", datetime(2025, 11, 24), "24.11.2025"),
        ("Leipzig, 24.11.25", datetime(2025, 11, 24), "24.11.25"),
        ("Leipzig, 24. November 2025", datetime(2025, 11, 24), "24. November 2025"),
        ("Leipzig, 24. Nov. 2025", datetime(2025, 11, 24), "24. Nov. 2025"),
        ("Montag, 24. November 2025", datetime(2025, 11, 24), "Montag, 24. November 2025"),
        ("21. DEZEMBER 2015 // Titel", datetime(2015, 12, 21), "21. DEZEMBER 2015"),
        ("2025-11-24 Bericht", datetime(2025, 11, 24), "2025-11-24"),
        ("3. Febr. 2025", datetime(2025, 2, 3), "3. Febr. 2025"),
        ("24.11.2025, 18:30", datetime(2025, 11, 24, 18, 30), "24.11.2025, 18:30"),
        (
            "Montag, 24. November 2025 um 18:30",
            datetime(2025, 11, 24, 18, 30),
            "Montag, 24. November 2025 um 18:30",
        ),
        ("24.11.2025 18:30 Uhr", datetime(2025, 11, 24, 18, 30), "24.11.2025 18:30 Uhr"),
    ],
)
def test_every_common_form_is_read_as_the_publication_date_in_byline_position(
    text: str, value: datetime, matched: str
) -> None:
    found = dates_in_text(text)
    assert found == (TextDate(value, "published", matched),)
    assert publication_date(text) == value


def test_an_iso_date_with_an_offset_is_aware() -> None:
    found = dates_in_text("Stand: 2025-11-24T10:00:00+01:00")
    assert found == (
        TextDate(
            datetime(2025, 11, 24, 10, tzinfo=timezone(timedelta(hours=1))),
            "updated",
            "2025-11-24T10:00:00+01:00",
        ),
    )


@pytest.mark.parametrize(
    "prefix",
    ["Veröffentlicht am ", "erstellt am ", "Datum: ", "geschrieben am ", "Pressemitteilung vom "],
)
def test_words_marking_publication(prefix: str) -> None:
    text = f"Der Stadtrat tagt. {prefix}24.11.2025 im Archiv."
    assert dates_in_text(text) == (TextDate(datetime(2025, 11, 24), "published", "24.11.2025"),)
    assert publication_date(text) == datetime(2025, 11, 24)


def test_a_byline_with_the_author() -> None:
    text = "Abriss droht\nVon Anna Schmidt am 24. Nov. 2025\nDer Eigentümer hat beantragt …"
    assert publication_date(text) == datetime(2025, 11, 24)


@pytest.mark.parametrize(
    "prefix", ["Stand: ", "aktualisiert am ", "Zuletzt geändert: ", "geändert am ", "Update: "]
)
def test_update_dates_are_no_publication_dates(prefix: str) -> None:
    text = f"{prefix}01.12.2025"
    assert dates_in_text(text) == (TextDate(datetime(2025, 12, 1), "updated", "01.12.2025"),)
    assert publication_date(text) is None


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        (
            "Das Netzwerk lädt am Samstag, 6. Dezember 2025, um 10 Uhr nach Weimar ein.",
            "Samstag, 6. Dezember 2025, um 10 Uhr",
        ),
        ("Termin: 06.12.2025", "06.12.2025"),
        ("Treffen am 06.12.2025 im Rathaus", "06.12.2025"),
        ("Die Sitzung findet 06.12.2025 im Rathaus statt.", "06.12.2025"),
        ("Anmeldung bis zum 06.12.2025", "06.12.2025"),
        ("Die Ausstellung ist ab dem 06.12.2025 geöffnet.", "06.12.2025"),
        ("06.12.2025 um 10 Uhr: Vernetzungstreffen im Rathaus", "06.12.2025 um 10 Uhr"),
    ],
)
def test_event_dates_are_no_publication_dates(text: str, matched: str) -> None:
    found = dates_in_text(text)
    assert [(d.kind, d.text) for d in found] == [("event", matched)]
    assert publication_date(text) is None


def test_a_range_is_an_event_even_after_vom() -> None:
    found = dates_in_text("Ausstellung vom 01.12.2025 bis 03.12.2025")
    assert [(d.value, d.kind) for d in found] == [
        (datetime(2025, 12, 1), "event"),
        (datetime(2025, 12, 3), "event"),
    ]


def test_the_stated_date_wins_over_the_byline_and_events_are_skipped() -> None:
    text = (
        "Leipzig, 20.11.2025\nAm 15. Dezember laden wir zum Rundgang ein, "
        "am 3. Dezember 2025 tagt der Stadtrat.\nVeröffentlicht am 24.11.2025"
    )
    assert [(d.value.day, d.kind) for d in dates_in_text(text)] == [
        (20, "published"),
        (3, "event"),
        (24, "published"),
    ]
    assert publication_date(text) == datetime(2025, 11, 24)


def test_dates_without_a_year_are_never_found() -> None:
    assert dates_in_text("Am 15. Dezember laden wir ein. 24.11. Treffen") == ()
    assert publication_date("15. Dezember\nDas Stadtforum lädt ein") is None


def test_a_date_deep_in_a_sentence_is_unknown_and_not_the_publication_date() -> None:
    text = "Der Bebauungsplan wurde 2019 aufgestellt und 12.03.2020 im Amtsblatt bekannt gemacht."
    assert dates_in_text(text) == (TextDate(datetime(2020, 3, 12), "unknown", "12.03.2020"),)
    assert publication_date(text) is None


def test_history_before_1990_is_no_publication_date() -> None:
    assert publication_date("Leipzig, 30.03.1911\nDie Brauerei wird eröffnet.") is None


@pytest.mark.parametrize(
    "text",
    [
        "Tel. 0341 1234567",
        "Mobil: +49 351 12.34.56",
        "Fax 0341 12.11.25",
        "Karl-Heine-Straße 12, 04229 Leipzig",
        "seit 2015",
        "Version 2.1.12",
        "1.2.3.4",
        "1.000 Besucher, Eintritt 12.50 €",
        "erstellt am 31.02.2025",
        "Stand: 2025-13-45",
        "IP 10.10.2025",
    ],
)
def test_things_that_are_not_dates(text: str) -> None:
    assert dates_in_text(text) == ()
    assert publication_date(text) is None


def test_work_on_a_huge_text_is_capped() -> None:
    text = "Leipzig, 24.11.2025\n" + "Termin: 06.12.2025. " * 20_000 + "Veröffentlicht am 1.1.2026"
    found = dates_in_text(text)
    assert len(found) == 50
    assert found[0] == TextDate(datetime(2025, 11, 24), "published", "24.11.2025")
    assert publication_date(text) == datetime(2025, 11, 24)
    assert len(dates_in_text(text, limit=3)) == 3


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Mo. 24.11.2025", [(datetime(2025, 11, 24), "published", "Mo. 24.11.2025")]),
        (
            "Sonnabend, den 3. Mai 2025, 18 Uhr",
            [(datetime(2025, 5, 3, 18), "published", "Sonnabend, den 3. Mai 2025, 18 Uhr")],
        ),
        (
            "SONNTAG,\n\n   den   4. Mai 2025",
            [(datetime(2025, 5, 4), "published", "SONNTAG,\n\n   den   4. Mai 2025")],
        ),
        (
            "Am Montag, 24.11.2025 um 18 Uhr lädt das Stadtforum ein.",
            [(datetime(2025, 11, 24, 18), "event", "Montag, 24.11.2025 um 18 Uhr")],
        ),
        (
            "Der Stadtrat tagt. Veröffentlicht am Dienstag, 25.11.2025",
            [(datetime(2025, 11, 25), "published", "Dienstag, 25.11.2025")],
        ),
        # the weekday belongs to the date: not a byline place before it, a phone number's word
        ("mo. 24.11.2025", [(datetime(2025, 11, 24), "unknown", "24.11.2025")]),
        ("Tel. Mo 24.11.2025", []),
        (
            "Pfingstsonntag, 8. Juni 2025",
            [(datetime(2025, 6, 8), "unknown", "sonntag, 8. Juni 2025")],
        ),
        # a weekday not right before a date, none at all, none between "," and the date
        (
            "Wir treffen uns Montag und am 24.11.2025 im Rathaus.",
            [(datetime(2025, 11, 24), "event", "24.11.2025")],
        ),
        ("Montag", []),
        ("Mo,24.11.2025", []),
        ("24.11.2025 Bericht", [(datetime(2025, 11, 24), "published", "24.11.2025")]),
        # a weekday right after the date before it
        (
            "24.11.2025, 18:30Mo. 25.11.2025",
            [
                (datetime(2025, 11, 24, 18, 30), "published", "24.11.2025, 18:30"),
                (datetime(2025, 11, 25), "unknown", "Mo. 25.11.2025"),
            ],
        ),
    ],
)
def test_a_weekday_before_a_date_is_part_of_it(
    text: str, found: list[tuple[datetime, str, str]]
) -> None:
    assert [(d.value, d.kind, d.text) for d in dates_in_text(text)] == found
