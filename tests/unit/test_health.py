"""Source health flags, the alert decision and the texts, from plain values."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from aggregator.health import (
    SourceStats,
    alert_due,
    assess,
    error_text,
    german_age,
    health_lines,
)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
HEALTHY = SourceStats(
    source_id="leipzig",
    name="Stadtforum Leipzig",
    kind="feed",
    url="https://leipzig.example/feed/",
    last_fetched_at=NOW - timedelta(hours=1),
    last_success_at=NOW - timedelta(hours=1),
    last_status="ok",
    items=120,
    newest_published=NOW - timedelta(days=3),
    found_30_days=4,
    published_90_days=13,
)


def test_a_healthy_source_has_no_flag() -> None:
    health = assess(HEALTHY, NOW)
    assert health.flags == ()
    assert health.healthy
    assert health.since_newest == timedelta(days=3)
    assert HEALTHY.http_status == 200
    assert round(HEALTHY.items_per_month, 2) == 4.33


def test_failing_only_after_24_hours_of_failures() -> None:
    failing = replace(
        HEALTHY,
        last_status="failed",
        last_error="http_503",
        consecutive_failures=20,
        failing_since=NOW - timedelta(hours=23, minutes=59),
    )
    assert assess(failing, NOW).flags == ()
    assert assess(failing, NOW + timedelta(minutes=1)).flags == ("failing",)
    assert failing.http_status == 503


def test_a_feed_that_became_an_html_page() -> None:
    html = replace(
        HEALTHY,
        last_status="failed",
        last_error="not_a_feed",
        last_error_message="this is an HTML page, not a feed: give the feed's address",
        consecutive_failures=1,
        failing_since=NOW - timedelta(hours=1),
    )
    assert assess(html, NOW).flags == ("feed_became_html",)
    other_xml = replace(html, last_error_message="an XML document with root <html:x>")
    assert assess(other_xml, NOW).flags == ()
    assert assess(replace(html, kind="page"), NOW).flags == ()


def test_a_permanent_redirect_not_yet_applied() -> None:
    moved = replace(HEALTHY, moved_to="https://leipzig.example/neu/feed/")
    assert assess(moved, NOW).flags == ("moved_not_applied",)
    applied = replace(moved, url="https://leipzig.example/neu/feed/")
    assert assess(applied, NOW).flags == ()


def test_held_items_and_silence_and_every_flag_in_order() -> None:
    assert assess(replace(HEALTHY, held=40), NOW).flags == ("relaunch_held",)
    silent = replace(HEALTHY, newest_published=NOW - timedelta(days=90, minutes=1))
    assert assess(silent, NOW).flags == ("silent_90_days",)
    assert assess(replace(silent, newest_published=NOW - timedelta(days=89)), NOW).flags == ()
    empty = replace(HEALTHY, items=0, newest_published=None)
    assert assess(empty, NOW).flags == ("silent_90_days",)
    never_read = replace(empty, last_success_at=None, last_status=None)
    assert assess(never_read, NOW).flags == ()
    everything = replace(
        silent,
        held=2,
        moved_to="https://x.example/",
        last_status="failed",
        last_error="not_a_feed",
        last_error_message="this is an HTML page",
        consecutive_failures=99,
        failing_since=NOW - timedelta(days=2),
    )
    assert assess(everything, NOW).flags == (
        "failing",
        "feed_became_html",
        "moved_not_applied",
        "relaunch_held",
        "silent_90_days",
    )


def test_alert_once_per_failure_period_and_one_recovery() -> None:
    start = NOW - timedelta(hours=30)
    assert alert_due(None, None, NOW) is None
    assert alert_due(NOW - timedelta(hours=23), None, NOW) is None
    assert alert_due(NOW - timedelta(hours=24), None, NOW) == "alert"
    sent = start + timedelta(hours=24)
    assert alert_due(start, sent, NOW) is None  # alerted in this period: nothing more
    assert alert_due(None, sent, NOW) == "recovery"  # the period ended
    # recovered and failing again before the mail job ran: the recovery first, then a new alert
    assert alert_due(NOW - timedelta(hours=1), sent, NOW) == "recovery"
    assert alert_due(NOW - timedelta(hours=25), None, NOW) == "alert"


def test_error_texts_are_plain_german_with_a_hint() -> None:
    assert error_text("http_404") == (
        "Seite nicht gefunden (HTTP 404)",
        "Die Adresse gibt es nicht mehr. Nennen Sie uns unten die neue Adresse.",
    )
    assert error_text("http_502") == (
        "Serverfehler (HTTP 502)",
        "Ihr Server meldet einen Fehler. Meist hilft Ihr Hoster weiter.",
    )
    assert error_text("not_a_feed")[0] == "Unter der Adresse steht kein Feed"
    assert error_text("something_new")[0] == "Unbekannte Ursache (something_new)"
    assert german_age(timedelta(days=1, hours=3)) == "vor 1 Tag"
    assert german_age(timedelta(hours=5)) == "vor 5 Stunden"
    assert german_age(None) == "–"


def test_health_lines_one_per_source_by_id() -> None:
    dresden = replace(
        HEALTHY,
        source_id="dresden",
        kind="page",
        last_status="failed",
        last_error="timeout",
        consecutive_failures=3,
        failing_since=NOW - timedelta(days=2),
        held=5,
    )
    lines = health_lines([assess(HEALTHY, NOW), assess(dresden, NOW)])
    assert lines == [
        "dresden  page  failed (timeout)  last success 2026-12-01 11:00Z  failures 3  "
        "4.3 items/month  newest 3 d ago  held 5  flags: failing, relaunch_held",
        "leipzig  feed  ok  last success 2026-12-01 11:00Z  failures 0  4.3 items/month  "
        "newest 3 d ago  held 0  flags: -",
    ]
