"""Digests on SQLite and PostgreSQL: drafting a week, re-drafting, edits with versions, approval."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine

from aggregator.digest import draft_digest
from aggregator.model import Item, Source, Tag
from aggregator.store import Store
from aggregator.store.curation import Curation
from aggregator.store.digests import DigestError, Digests, StaleDigest

WEEK = "2026-W48"  # Monday 23 November 2026 00:00 Berlin = 22 November 23:00 UTC
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
DRESDEN = Source(
    "dresden", "Stadtforum Dresden", "Dresden", "https://d.example/", "https://d.example/f"
)
HALLE = Source(
    "halle", "Arbeitskreis Halle", "Halle (Saale)", "https://h.example/", "https://h.example/f"
)


def item(source: Source, key: str, **extra: object) -> Item:
    values: dict[str, object] = dict(
        source_id=source.id,
        guid=key,
        url=f"https://{source.id}.example/{key}",
        canonical_url=f"https://news.example/{key}",  # the same key: the same story
        title=f"Meldung {key}",
        content_html="",
        excerpt=f"Kurztext {key}",
        published=MONDAY - timedelta(days=30),  # the feed's date does not matter
        cities=(source.city,) if source.city else (),
    )
    values.update(extra)
    return Item(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(engine: Engine) -> Store:
    s = Store(engine)
    s.sync_sources([LEIPZIG, DRESDEN, HALLE])
    return s


def test_draft_holds_the_stories_first_seen_in_the_week_ranked(store: Store) -> None:
    digests = Digests(store.engine)
    # Sunday 22:30 UTC is Sunday 23:30 in Berlin: the week before
    store.upsert_items([item(LEIPZIG, "vorwoche")], now=datetime(2026, 11, 22, 22, 30, tzinfo=UTC))
    store.upsert_items(
        [item(LEIPZIG, "bahnhof", tags=(Tag("topic", "verkehr", "text"),))], now=MONDAY
    )
    store.upsert_items(
        [item(DRESDEN, "bahnhof"), item(DRESDEN, "kirche")], now=MONDAY + timedelta(days=1)
    )
    store.upsert_items([item(HALLE, "park")], now=MONDAY + timedelta(days=2))
    # seen again later in the week before: the story "vorwoche" is not this week's
    store.upsert_items([item(HALLE, "vorwoche")], now=MONDAY + timedelta(days=3))
    # Monday of the next week, 00:30 Berlin
    store.upsert_items([item(HALLE, "danach")], now=datetime(2026, 11, 29, 23, 30, tzinfo=UTC))

    digest = draft_digest(digests, WEEK, MONDAY + timedelta(days=7))
    assert digest.status == "draft" and digest.version == 1 and digest.grouping == "topic"
    got = [(e.position, e.title, e.sources, e.cities, e.topics) for e in digest.entries]
    assert got == [
        (
            0,
            "Meldung bahnhof",
            ("Stadtforum Dresden", "Stadtforum Leipzig"),
            ("Dresden", "Leipzig"),
            ("verkehr",),
        ),
        (1, "Meldung park", ("Arbeitskreis Halle",), ("Halle (Saale)",), ()),
        (2, "Meldung kirche", ("Stadtforum Dresden",), ("Dresden",), ()),
    ]
    bahnhof = digest.entries[0]
    assert bahnhof.url == "https://leipzig.example/bahnhof" and bahnhof.blurb == "Kurztext bahnhof"
    assert bahnhof.first_seen == MONDAY
    assert digests.get(WEEK) == digest


def test_a_tag_the_editor_removed_is_not_in_the_digest(store: Store) -> None:
    store.upsert_items([item(LEIPZIG, "a", tags=(Tag("topic", "wohnen", "text"),))], now=MONDAY)
    Curation(store.engine).set_tag("leipzig:a", "topic", "wohnen", removed=True)
    [entry] = draft_digest(Digests(store.engine), WEEK, MONDAY).entries
    assert entry.topics == ()


def test_redraft_keeps_edits_and_adds_new_stories(store: Store) -> None:
    digests = Digests(store.engine)
    store.upsert_items([item(LEIPZIG, "a"), item(LEIPZIG, "b")], now=MONDAY)
    first = draft_digest(digests, WEEK, MONDAY)
    a, b = sorted(first.entries, key=lambda e: e.title)
    now = MONDAY + timedelta(hours=1)
    digests.set_included(a.id, False, expected_version=1, now=now)  # type: ignore[arg-type]
    digests.set_headline(b.id, "Eigene Zeile", expected_version=2, now=now)  # type: ignore[arg-type]
    digests.move(b.id, 0, expected_version=3, now=now)  # type: ignore[arg-type]
    manual = digests.add_manual(
        WEEK,
        "Aufruf zur Tagung",
        "https://netzwerk.example/tagung",
        "Alle sind eingeladen.",
        expected_version=4,
        now=now,
    )
    digests.set_intro(WEEK, "Liebe Leserinnen und Leser,", expected_version=5, now=now)
    digests.set_grouping(WEEK, "city", expected_version=6, now=now)
    store.upsert_items([item(DRESDEN, "a"), item(DRESDEN, "c")], now=MONDAY + timedelta(days=1))

    again = draft_digest(digests, WEEK, MONDAY + timedelta(days=2))
    assert again.version == 8
    assert again.intro == "Liebe Leserinnen und Leser," and again.grouping == "city"
    got = [
        (e.id, e.position, e.headline, e.included, e.manual, len(e.sources)) for e in again.entries
    ]
    c_id = again.entries[3].id
    assert got == [
        (b.id, 0, "Eigene Zeile", True, False, 1),
        (a.id, 1, "Meldung a", False, False, 2),
        (manual, 2, "Aufruf zur Tagung", True, True, 0),
        (c_id, 3, "Meldung c", True, False, 1),
    ]
    digests.set_headline(b.id, None, expected_version=8, now=now)  # type: ignore[arg-type]
    assert digests.get(WEEK).entries[0].headline == "Meldung b"  # type: ignore[union-attr]


def test_an_edit_with_an_old_version_is_refused(store: Store) -> None:
    digests = Digests(store.engine)
    store.upsert_items([item(LEIPZIG, "a")], now=MONDAY)
    [entry] = draft_digest(digests, WEEK, MONDAY).entries
    assert entry.id is not None
    digests.set_blurb(entry.id, "Text der einen", expected_version=1, now=MONDAY)
    with pytest.raises(StaleDigest) as caught:
        digests.set_blurb(entry.id, "Text der anderen", expected_version=1, now=MONDAY)
    assert (caught.value.expected, caught.value.current) == (1, 2)
    stored = digests.get(WEEK)
    assert stored is not None and stored.version == 2
    assert stored.entries[0].text == "Text der einen"


def test_approved_digest_is_frozen_and_archived(store: Store) -> None:
    digests = Digests(store.engine)
    store.upsert_items([item(LEIPZIG, "a")], now=MONDAY)
    draft_digest(digests, WEEK, MONDAY)
    assert digests.latest_approved() is None and digests.approved() == []
    approved = digests.approve(WEEK, "Anna Redakteurin", MONDAY + timedelta(days=7))
    assert approved.status == "approved" and approved.approved_by == "Anna Redakteurin"
    assert approved.approved_at == MONDAY + timedelta(days=7) and approved.version == 2
    with pytest.raises(DigestError) as caught:
        draft_digest(digests, WEEK, MONDAY + timedelta(days=8))
    assert caught.value.reason == "approved"
    with pytest.raises(DigestError) as caught:
        digests.set_intro(WEEK, "zu spät", expected_version=2, now=MONDAY)
    assert caught.value.reason == "approved"
    store.upsert_items([item(LEIPZIG, "b")], now=MONDAY + timedelta(days=7))
    draft_digest(digests, "2026-W49", MONDAY + timedelta(days=8))
    assert [d.week for d in digests.approved()] == [WEEK]
    assert [d.week for d in digests.all()] == ["2026-W49", WEEK]
    assert digests.latest_approved() == approved


def test_edits_are_validated(store: Store) -> None:
    digests = Digests(store.engine)
    store.upsert_items([item(LEIPZIG, "a")], now=MONDAY)
    [entry] = draft_digest(digests, WEEK, MONDAY).entries
    assert entry.id is not None
    cases = [
        (
            lambda: digests.set_headline(entry.id, "x" * 301, expected_version=1, now=MONDAY),
            "too_long",
        ),  # type: ignore[arg-type]
        (lambda: digests.set_headline(entry.id, "  ", expected_version=1, now=MONDAY), "empty"),  # type: ignore[arg-type]
        (
            lambda: digests.set_blurb(entry.id, "x" * 2001, expected_version=1, now=MONDAY),
            "too_long",
        ),  # type: ignore[arg-type]
        (lambda: digests.set_intro(WEEK, "x" * 5001, expected_version=1, now=MONDAY), "too_long"),
        (
            lambda: digests.set_grouping(WEEK, "source", expected_version=1, now=MONDAY),
            "bad_grouping",
        ),
        (
            lambda: digests.add_manual(
                WEEK, "T", "javascript:alert(1)", "", expected_version=1, now=MONDAY
            ),
            "bad_url",
        ),
        (
            lambda: digests.add_manual(WEEK, "T", "/relativ", "", expected_version=1, now=MONDAY),
            "bad_url",
        ),
        (lambda: digests.move(99999, 0, expected_version=1, now=MONDAY), "not_found"),
        (lambda: digests.set_intro("2026-W47", "", expected_version=1, now=MONDAY), "not_found"),
    ]
    for edit, reason in cases:
        with pytest.raises(DigestError) as caught:
            edit()
        assert caught.value.reason == reason
    assert digests.get(WEEK).version == 1  # type: ignore[union-attr]
    digests.set_blurb(entry.id, "x" * 2000, expected_version=1, now=MONDAY)
    assert digests.get(WEEK).entries[0].text == "x" * 2000  # type: ignore[union-attr]


def test_draft_is_capped(store: Store) -> None:
    store.upsert_items([item(LEIPZIG, f"m{n}") for n in range(5)], now=MONDAY)
    digest = draft_digest(Digests(store.engine), WEEK, MONDAY, max_entries=3)
    assert len(digest.entries) == 3


def test_purging_an_item_keeps_the_snapshot(store: Store) -> None:
    digests = Digests(store.engine)
    store.upsert_items([item(LEIPZIG, "a")], now=MONDAY)
    draft_digest(digests, WEEK, MONDAY)
    digests.approve(WEEK, "Anna", MONDAY)
    store.purge_source("leipzig")
    [entry] = digests.get(WEEK).entries  # type: ignore[union-attr]
    assert entry.item_id is None and entry.title == "Meldung a"
