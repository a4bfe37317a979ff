"""German wording of the public site: city slugs, dates in Berlin time, source status lines."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest

from aggregator.model import FetchState, Source
from aggregator.publish.german import (
    error_phrase,
    german_date,
    german_datetime,
    iso_berlin,
    slugify,
    status_text,
)


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Leipzig", "leipzig"),
        ("Halle (Saale)", "halle-saale"),
        ("Weißenfels", "weissenfels"),
        ("Görlitz", "goerlitz"),
        ("Zittau", "zittau"),
        ("Bad Düben", "bad-dueben"),
        ("Frankfurt (Oder)", "frankfurt-oder"),
        ("  Über–Ort  ", "ueber-ort"),
        ("Česká Lípa", "ceska-lipa"),
    ],
)
def test_city_slugs_are_ascii_lower_case_with_umlauts_spelled_out(name: str, slug: str) -> None:
    assert slugify(name) == slug


def test_dates_are_german_and_in_berlin_time() -> None:
    # 23:30 UTC in winter is already the next day in Berlin (UTC+1) …
    assert german_date(datetime(2026, 11, 24, 23, 30, tzinfo=UTC)) == "25. November 2026"
    # … and 22:30 UTC in summer too (UTC+2).
    assert german_date(datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == "1. Juli 2026"
    assert german_date(datetime(2026, 3, 3, 12, 0, tzinfo=UTC)) == "3. März 2026"
    assert german_datetime(datetime(2026, 11, 24, 13, 5, tzinfo=UTC)) == (
        "24. November 2026, 14:05 Uhr"
    )
    assert iso_berlin(datetime(2026, 11, 24, 9, 0, tzinfo=UTC)) == "2026-11-24T10:00:00+01:00"


def test_a_naive_date_is_taken_as_utc() -> None:
    assert iso_berlin(datetime(2026, 7, 1, 12, 0)) == "2026-07-01T14:00:00+02:00"


SOURCE = Source(
    "s", "Stadtforum Leipzig", "Leipzig", "https://a.example/", "https://a.example/feed/"
)


@pytest.mark.parametrize(
    ("state", "kind", "text"),
    [
        (None, "none", "noch nicht abgerufen"),
        (FetchState("s", last_status="ok"), "ok", "in Ordnung"),
        (FetchState("s", last_status="not_modified"), "ok", "unverändert"),
        (
            FetchState("s", last_status="failed", last_error="timeout", consecutive_failures=1),
            "error",
            "Fehler: Zeitüberschreitung, der Server hat nicht rechtzeitig geantwortet",
        ),
        (
            FetchState("s", last_status="failed", last_error="http_404", consecutive_failures=4),
            "error",
            "Fehler: Seite nicht gefunden (HTTP 404) (4-mal in Folge)",
        ),
        (
            FetchState("s", last_status="ok", moved_to="https://b.example/feed/"),
            "warn",
            "in Ordnung; Adresse umgezogen nach https://b.example/feed/",
        ),
    ],
)
def test_status_of_a_source_in_german(state: FetchState | None, kind: str, text: str) -> None:
    assert status_text(SOURCE, state) == (kind, text)


def test_a_paused_source_says_so() -> None:
    paused = Source("s", "X", None, "https://a.example/", None, enabled=False)
    assert status_text(paused, FetchState("s", last_status="ok")) == ("none", "pausiert")


@pytest.mark.parametrize(
    ("reason", "phrase"),
    [
        ("dns", "Adresse nicht gefunden (DNS)"),
        ("not_a_feed", "unter der Adresse steht kein Feed"),
        ("malformed", "der Feed ist fehlerhaft und nicht lesbar"),
        ("too_large", "die Antwort ist zu groß"),
        ("http_503", "Serverfehler (HTTP 503)"),
        ("http_418", "Anfrage abgelehnt (HTTP 418)"),
        ("quantum_flux", "unbekannte Ursache (quantum_flux)"),
        (None, "unbekannte Ursache"),
    ],
)
def test_every_reason_code_gets_a_german_phrase(reason: str | None, phrase: str) -> None:
    assert error_phrase(reason) == phrase


def test_publishing_does_not_load_the_network_or_database_stack() -> None:
    code = (
        "import sys, aggregator.publish; "
        "bad = [m for m in ('httpx', 'sqlalchemy', 'apscheduler') if m in sys.modules]; "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
