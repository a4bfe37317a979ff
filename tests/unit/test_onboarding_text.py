"""The registration form's rules and German texts (pure): form checks, URL safety before any
fetch, the wording of probe problems, id proposals and the official city names."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from aggregator.model import Item
from aggregator.onboarding_text import (
    BLOCKED,
    URL_CREDENTIALS,
    URL_INSIDE,
    URL_NOT_HTTP,
    URL_SCHEME,
    check_form,
    city_suggestions,
    official_city,
    problem_text,
    propose_id,
    url_refusal,
)

CITIES = ["Halle (Saale)", "Leipzig", "Weißenfels", "Zittau", "Görlitz", "Thale"]
GOOD = {
    "name": "  FreiRaum Zittau ",
    "city": "zittau",
    "homepage": "https://freiraum-zittau.example/",
    "url": "",
    "email": "post@freiraum-zittau.example",
    "description": "Raum für Ideen\nin der Innenstadt",
    "consent": "ja",
}
LOOPBACK = URL_INSIDE.format(where="auf den Server selbst (Loopback)")
PRIVATE = URL_INSIDE.format(where="in ein privates Netz")
LINK_LOCAL = URL_INSIDE.format(where="auf eine lokale Netzwerkadresse (Link-Local)")
RESERVED = URL_INSIDE.format(where="auf eine reservierte oder nicht öffentliche Adresse")


def test_a_good_form_gives_clean_values() -> None:
    check = check_form(GOOD, cities=CITIES)
    assert check.errors == {}
    assert check.values is not None
    assert (check.values.name, check.values.city, check.values.url) == (
        "FreiRaum Zittau",
        "Zittau",
        None,
    )
    assert check.values.description == "Raum für Ideen\nin der Innenstadt"


@pytest.mark.parametrize(
    ("field", "value", "error"),
    [
        ("name", "", "Bitte geben Sie den Namen Ihres Forums an."),
        ("name", "AB", "Der Name ist zu kurz (mindestens 3 Zeichen)."),
        ("name", "x" * 121, "Bitte höchstens 120 Zeichen."),
        ("name", "Forum\x07Zittau", "Bitte nur normalen Text, ohne Steuerzeichen."),
        ("name", "Forum\nZittau", "Bitte nur normalen Text, ohne Steuerzeichen."),
        ("city", "", "Bitte geben Sie die Stadt oder Gemeinde an, in der Ihr Forum aktiv ist."),
        ("city", "x" * 101, "Bitte höchstens 100 Zeichen."),
        ("homepage", "", "Bitte geben Sie die Adresse Ihrer Website an."),
        ("homepage", "https://a.example/" + "x" * 490, "Bitte höchstens 500 Zeichen."),
        ("url", "https://a.example/" + "x" * 490, "Bitte höchstens 500 Zeichen."),
        ("email", "", "Bitte geben Sie eine E-Mail-Adresse an, unter der wir Sie erreichen."),
        ("email", "a@" + "b" * 260, "Bitte höchstens 254 Zeichen."),
        ("description", "x" * 1001, "Bitte höchstens 1000 Zeichen."),
        ("consent", "", "Bitte stimmen Sie den Teilnahmebedingungen des Netzwerks zu."),
    ],
)
def test_each_field_gets_its_german_error(field: str, value: str, error: str) -> None:
    check = check_form({**GOOD, field: value}, cities=CITIES)
    assert check.values is None
    assert check.errors == {field: error}


def test_errors_of_several_fields_at_once_and_the_echo_is_cut_to_the_limits() -> None:
    fields = {**GOOD, "name": "", "homepage": "ftp://x.example/", "city": "Halle"}
    check = check_form(fields, cities=CITIES)
    assert check.errors == {
        "name": "Bitte geben Sie den Namen Ihres Forums an.",
        "homepage": URL_SCHEME,
        "city": "„Halle“ kennen wir nicht als Gemeinde in Mitteldeutschland. Meinten Sie: "
        "Halle (Saale)?",
    }
    long = check_form({**GOOD, "name": "y" * 5000}, cities=CITIES)
    assert long.echo["name"] == "y" * 120


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://127.0.0.1/", LOOPBACK),
        ("http://127.1/", LOOPBACK),
        ("http://[::1]/", LOOPBACK),
        ("http://[::ffff:127.0.0.1]/", LOOPBACK),
        ("http://0x7f.1/", LOOPBACK),
        ("http://2130706433/", LOOPBACK),
        ("http://017700000001/", LOOPBACK),
        ("http://localhost/", LOOPBACK),
        ("http://forum.localhost/", LOOPBACK),
        ("http://10.0.0.1/", PRIVATE),
        ("http://192.168.1.1/", PRIVATE),
        ("http://100.64.0.1/", PRIVATE),
        ("http://[fd00::1]/", PRIVATE),
        ("http://169.254.169.254/", LINK_LOCAL),
        ("http://[fe80::1]/", LINK_LOCAL),
        ("http://0.0.0.0/", RESERVED),
        ("http://240.0.0.1/", RESERVED),
        ("http://user:pw@forum.example/", URL_CREDENTIALS),
        ("https://anna@forum.example/", URL_CREDENTIALS),
        ("ftp://forum.example/", URL_SCHEME),
        ("file:///etc/passwd", URL_SCHEME),
        ("javascript:alert(1)", URL_NOT_HTTP),
        ("forum.example", URL_NOT_HTTP),
        ("http://", URL_NOT_HTTP),
        ("http://forum example/", URL_NOT_HTTP),
        ("http://[::1/", URL_NOT_HTTP),
    ],
)
def test_url_refusals_before_any_fetch(url: str, refusal: str) -> None:
    assert url_refusal(url) == refusal


def test_public_urls_pass_and_private_ones_only_when_allowed() -> None:
    assert url_refusal("https://forum.example/aktuelles/") is None
    assert url_refusal(" http://93.184.216.34/ ") is None
    assert url_refusal("http://127.0.0.1:8000/", allow_private=True) is None
    assert url_refusal("http://10.0.0.1/", allow_private=True) is None
    assert url_refusal("http://169.254.169.254/", allow_private=True) == LINK_LOCAL


@pytest.mark.parametrize(
    ("code", "english", "german"),
    [
        ("blocked_address", "x", BLOCKED.format(url="https://f.example/")),
        ("http_404", "", "Die Adresse https://f.example/ konnte nicht gelesen werden: Seite nicht "
         "gefunden (HTTP 404)."),
        ("http_503", "", "Die Adresse https://f.example/ konnte nicht gelesen werden: Serverfehler "
         "(HTTP 503)."),
        ("timeout", "", "Die Adresse https://f.example/ konnte nicht gelesen werden: "
         "Zeitüberschreitung, der Server hat nicht rechtzeitig geantwortet."),
        ("no_items", "", "Unter https://f.example/ haben wir keine Beiträge gefunden."),
        ("undated", "3 of 12 items have no date (shown as of when first seen)",
         "Keine Datumsangaben gefunden bei 3 Beiträgen: wir zeigen sie mit dem Tag, an dem wir sie "
         "zuerst gesehen haben. Ein Datum an jedem Beitrag hilft Ihren Leserinnen und Lesern."),
        ("something_new", "", "Die Adresse https://f.example/ konnte nicht gelesen werden: "
         "unbekannte Ursache (something_new)."),
    ],
)  # fmt: skip
def test_problems_in_plain_german(code: str, english: str, german: str) -> None:
    assert problem_text(code, url="https://f.example/", english=english) == german


def test_id_proposals_are_free_and_valid() -> None:
    assert propose_id("Stadtforum Zittau", "Zittau", set()) == "stadtforum-zittau"
    assert propose_id("FreiRaum", "Zittau", set()) == "freiraum-zittau"
    assert propose_id("Stadtforum Zittau", "Zittau", {"stadtforum-zittau"}) == (
        "stadtforum-zittau-2"
    )
    taken = {"stadtforum-zittau", "stadtforum-zittau-2"}
    assert propose_id("Stadtforum Zittau", "Zittau", taken) == "stadtforum-zittau-3"
    assert propose_id("Bürger für Weißenfels", "Weißenfels", ()) == "buerger-fuer-weissenfels"
    assert propose_id("AK Altstadt", "Halle (Saale)", ()) == "ak-altstadt-halle-saale"
    assert propose_id("!!!", "Halle (Saale)", ()) == "halle-saale"
    assert propose_id("!!!", None, ()) == "forum"
    long = propose_id("x" * 80, "Weißenfels", ())
    assert long == "x" * 36 + "-weissenfels" and len(long) == 48


def test_official_city_names() -> None:
    assert official_city("  halle  (saale) ", CITIES) == "Halle (Saale)"
    assert official_city("weissenfels", CITIES) == "Weißenfels"
    assert official_city("Goerlitz", CITIES) == "Görlitz"
    assert official_city("Halle", CITIES) is None
    assert official_city("", CITIES) is None
    assert city_suggestions("Halle", CITIES) == ["Halle (Saale)"]
    assert city_suggestions("Zitau", CITIES) == ["Zittau"]
    assert city_suggestions("Atlantis", CITIES) == []


def test_the_preview_item_shows_german_dates_cities_and_topics() -> None:
    from aggregator.onboarding import preview_item

    item = Item(
        source_id="s",
        guid="g",
        url="https://f.example/radweg",
        canonical_url="https://f.example/radweg",
        title="Neuer Radweg zwischen Leipzig und Halle",
        content_html="",
        excerpt="Der Stadtrat beschließt den Bau eines Radwegs in Halle (Saale).",
        published=datetime(2026, 11, 24, 23, 30, tzinfo=UTC),
    )
    shown = preview_item(item, "Leipzig")
    assert (shown.date, shown.date_iso) == ("25. November 2026", "2026-11-25T00:30:00+01:00")
    assert shown.cities == ("Leipzig", "Halle (Saale)")
    assert "Mobilität" in shown.topics
    undated = preview_item(replace(item, dated=False, title="Neuer Radweg"), None)
    assert (undated.date, undated.date_iso, undated.cities) == (
        "ohne Datum",
        None,
        ("Halle (Saale)",),
    )


def test_the_text_module_loads_no_io_library() -> None:
    code = textwrap.dedent(
        """
        import sys
        import aggregator.onboarding_text
        print(",".join(sorted(
            n for n in sys.modules if n.split(".")[0] in ("httpx", "sqlalchemy", "httpcore")
        )))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == ""
