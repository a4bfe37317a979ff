"""Weeks (Europe/Berlin, ISO numbering, year boundaries, W53), ranking and re-drafting."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from aggregator.model import Digest, DigestEntry
from aggregator.publish.german import BERLIN
from aggregator.weekly import (
    Candidate,
    draft_entries,
    parse_week,
    previous_week,
    rank,
    sections,
    week_label,
    week_of,
)


def test_parse_week_gives_monday_midnight_in_berlin_and_the_next_monday() -> None:
    start, end = parse_week("2026-W48")
    assert start == datetime(2026, 11, 23, tzinfo=BERLIN)
    assert end == datetime(2026, 11, 30, tzinfo=BERLIN)
    assert start.astimezone(UTC) == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)


def test_week_one_can_start_in_the_previous_year() -> None:
    start, end = parse_week("2026-W01")
    assert start == datetime(2025, 12, 29, tzinfo=BERLIN)
    assert end == datetime(2026, 1, 5, tzinfo=BERLIN)


def test_week_53_exists_only_in_long_years() -> None:
    start, end = parse_week("2026-W53")  # 2026 starts on a Thursday: 53 weeks
    assert start == datetime(2026, 12, 28, tzinfo=BERLIN)
    assert end == datetime(2027, 1, 4, tzinfo=BERLIN)
    with pytest.raises(ValueError, match="2025 has no week 53"):
        parse_week("2025-W53")


@pytest.mark.parametrize(
    "text", ["2026-48", "2026-W0", "2026-W00", "2026-W54", "26-W48", " 2026-W48"]
)
def test_parse_week_refuses_what_is_no_iso_week(text: str) -> None:
    with pytest.raises(ValueError):
        parse_week(text)


def test_week_of_uses_berlin_time_at_the_year_boundary() -> None:
    # Sunday 3 January 2027, 23:30 UTC is Monday 4 January 00:30 in Berlin: week 1 of 2027.
    assert week_of(datetime(2027, 1, 3, 23, 30, tzinfo=UTC)) == "2027-W01"
    assert week_of(datetime(2027, 1, 3, 22, 30, tzinfo=UTC)) == "2026-W53"
    # 1 January 2027 (Friday) still belongs to week 53 of 2026
    assert week_of(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
    # 29 December 2025 is in week 1 of 2026
    assert week_of(datetime(2025, 12, 29, 9, tzinfo=UTC)) == "2026-W01"


def test_week_of_refuses_naive_time() -> None:
    with pytest.raises(ValueError):
        week_of(datetime(2026, 11, 25, 12))


def test_previous_week_across_the_year_boundary() -> None:
    assert previous_week(datetime(2027, 1, 4, 6, tzinfo=BERLIN)) == "2026-W53"
    assert previous_week(datetime(2026, 1, 1, 6, tzinfo=BERLIN)) == "2025-W52"
    assert previous_week(datetime(2026, 11, 30, 0, 0, tzinfo=BERLIN)) == "2026-W48"


def test_a_week_over_the_dst_switch_has_169_hours() -> None:
    start, end = parse_week("2026-W43")  # CEST ends on Sunday 25 October 2026
    assert end.astimezone(UTC) - start.astimezone(UTC) == timedelta(hours=169)
    assert start.astimezone(UTC) == datetime(2026, 10, 18, 22, tzinfo=UTC)
    assert end.astimezone(UTC) == datetime(2026, 10, 25, 23, tzinfo=UTC)


def test_the_zone_is_the_publishers() -> None:
    from aggregator import weekly

    assert weekly.BERLIN is BERLIN


def test_week_label() -> None:
    assert week_label("2026-W08") == (8, 2026)


def _candidate(key: str, forums: int, seen_hour: int, **fields: object) -> Candidate:
    seen = datetime(2026, 11, 24, seen_hour, tzinfo=UTC)
    base = Candidate(
        cluster_key=key,
        item_id=hash(key) % 1000,
        title=f"Titel {key}",
        blurb=f"Text {key}",
        url=f"https://forum.example/{key}",
        sources=tuple(f"Forum {i}" for i in range(forums)),
        cities=(),
        topics=(),
        first_seen=seen,
        last_seen=seen,
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_rank_by_forums_then_recency_then_key() -> None:
    ranked = rank(
        [
            _candidate("a", 1, 10),
            _candidate("b", 3, 8),
            _candidate("c", 1, 12),
            _candidate("d", 3, 9),
            _candidate("e", 1, 12),
        ]
    )
    assert [c.cluster_key for c in ranked] == ["d", "b", "c", "e", "a"]


def test_first_draft_is_the_ranking_up_to_the_limit() -> None:
    entries = draft_entries(
        [], [_candidate("a", 1, 10), _candidate("b", 2, 8), _candidate("c", 1, 11)], max_entries=2
    )
    assert [(e.cluster_key, e.position, e.title) for e in entries] == [
        ("b", 0, "Titel b"),
        ("c", 1, "Titel c"),
    ]
    assert all(e.included and not e.manual and e.id is None for e in entries)


def test_redraft_keeps_the_editors_edits_and_appends_new_stories() -> None:
    first = draft_entries([], [_candidate("a", 2, 10), _candidate("b", 1, 9)])
    stored = [replace(e, id=i + 1) for i, e in enumerate(first)]
    a, b = stored
    manual = DigestEntry(
        id=9,
        position=0,
        cluster_key=None,
        item_id=None,
        title="Aufruf",
        blurb="Kommt alle",
        url="https://netzwerk.example/aufruf",
        manual=True,
    )
    edited = [
        replace(b, position=1, included=False),
        replace(a, position=2, headline_override="Neue Zeile", blurb_override="Kurz"),
        manual,
    ]
    later = [
        _candidate("a", 3, 10, title="Titel a (aktualisiert)"),
        _candidate("b", 1, 9),
        _candidate("new2", 1, 15),
        _candidate("new1", 2, 14),
    ]
    entries = draft_entries(edited, later)
    assert [(e.id, e.cluster_key, e.position) for e in entries] == [
        (9, None, 0),
        (2, "b", 1),
        (1, "a", 2),
        (None, "new1", 3),
        (None, "new2", 4),
    ]
    by_key = {e.cluster_key: e for e in entries}
    assert by_key["b"].included is False
    assert by_key["a"].headline == "Neue Zeile" and by_key["a"].text == "Kurz"
    assert by_key["a"].title == "Titel a (aktualisiert)"
    assert len(by_key["a"].sources) == 3
    assert entries[0].manual and entries[0].headline == "Aufruf"


def test_redraft_keeps_an_entry_whose_story_is_gone() -> None:
    kept = replace(draft_entries([], [_candidate("x", 1, 10)])[0], id=4)
    assert draft_entries([kept], []) == [kept]


def _entry(
    position: int, topics: tuple[str, ...] = (), cities: tuple[str, ...] = (), **kw: object
) -> DigestEntry:
    return DigestEntry(
        id=position,
        position=position,
        cluster_key=f"k{position}",
        item_id=position,
        title=f"T{position}",
        blurb="",
        url="https://x.example/",
        topics=topics,
        cities=cities,
        **kw,  # type: ignore[arg-type]
    )


def _digest(grouping: str, entries: list[DigestEntry]) -> Digest:
    now = datetime(2026, 11, 30, tzinfo=UTC)
    return Digest(
        id=1,
        week="2026-W48",
        status="draft",
        grouping=grouping,
        intro="",  # type: ignore[arg-type]
        version=1,
        created_at=now,
        updated_at=now,
        entries=tuple(entries),
    )


def test_sections_by_first_topic_in_taxonomy_order_with_weiteres_last() -> None:
    labels = {"denkmalpflege": "Denkmalpflege", "verkehr": "Verkehr", "gruen": "Stadtgrün"}
    digest = _digest(
        "topic",
        [
            _entry(0, ("verkehr",)),
            _entry(1, ()),
            _entry(2, ("gruen", "denkmalpflege")),
            _entry(3, ("verkehr",), included=False),
            _entry(4, ("unbekannt",)),
            _entry(5, ("gruen",)),
        ],
    )
    got = [(s.heading, [e.position for e in s.entries]) for s in sections(digest, labels)]
    assert got == [
        ("Denkmalpflege", [2]),
        ("Verkehr", [0]),
        ("Stadtgrün", [5]),
        ("Weiteres", [1, 4]),
    ]
    with_excluded = sections(digest, labels, include_excluded=True)
    assert [e.position for e in with_excluded[1].entries] == [0, 3]


def test_sections_by_city_in_german_order() -> None:
    digest = _digest(
        "city",
        [
            _entry(0, cities=("Zittau",)),
            _entry(1, cities=("Görlitz", "Zittau")),
            _entry(2),
            _entry(3, cities=("Halle (Saale)",)),
        ],
    )
    got = [(s.heading, [e.position for e in s.entries]) for s in sections(digest, {})]
    assert got == [("Görlitz", [1]), ("Halle (Saale)", [3]), ("Zittau", [0]), ("Weiteres", [2])]
