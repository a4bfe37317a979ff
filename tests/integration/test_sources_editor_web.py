"""The editor's sources page (/redaktion/quellen/) through the real web app on SQLite and
PostgreSQL, with the demo network on the fixture server and a real SMTP server: pending requests
with their preview, reject with a reason, edit before approving, change requests, and the
registered sources' switches, URL and interval (sources.yaml's are listed, never changed)."""

from __future__ import annotations

import html
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine

from aggregator.demo.network import DemoNetwork
from aggregator.mail.tokens import source_status_path
from aggregator.model import Source
from aggregator.onboarding_text import URL_INSIDE, URL_SCHEME
from aggregator.registry import source_entry
from aggregator.store.registrations import Registrations
from aggregator.store.registry import Registry
from tests.integration.test_registration_web import (
    BASE_URL,
    KNOWN_SITE,
    SECRET,
    Site,
    form,
    known_entry,
    make_site,
    sealed_request,
    text_of,
)
from tests.mailserver import MailServer

DESK = "/redaktion/quellen/"


@pytest.fixture(scope="module")
def net() -> Iterator[DemoNetwork]:
    with DemoNetwork(slow_delay_s=0.0) as network:
        yield network


@pytest.fixture
def site(engine: Engine, tmp_path: Path, net: DemoNetwork) -> Iterator[Site]:
    with MailServer() as mail:
        opened = make_site(engine, tmp_path, net, mail)
        with opened.client:
            opened.sign_in()
            yield opened


def pending_request(site: Site, **changes: str) -> int:
    """A forum's request as the form makes it, confirmed: its id."""
    preview = site.client.post("/mitmachen", data=form(site.net, **changes))
    assert preview.status_code == 200, text_of(preview.text)
    sent = site.client.post("/mitmachen/absenden", data={"antrag": sealed_request(preview.text)})
    assert sent.status_code == 200
    (request,) = Registrations(site.engine).listing(("unconfirmed",))
    token_mail = site.mail.messages[-1].get_body(("plain",))
    assert token_mail is not None
    link = token_mail.get_content().split("/mitmachen/bestaetigen/")[1].split()[0]
    assert site.client.post(f"/mitmachen/bestaetigen/{link}").status_code == 200
    return request.id


def registered(site: Site, source_id: str = "gotha-stadtforum") -> Source:
    """A source registered directly (as `aggregator sources add` does)."""
    source = Source(
        source_id,
        "Stadtforum Gotha",
        "Gotha",
        site.net.url("/gotha/"),
        site.net.feed_url("gotha-stadtforum"),
        origin="registry",
    )
    Registry(site.engine).add(source, now=site.now, contact_email="gotha@forum.example")
    return source


def test_the_page_lists_pending_requests_and_every_source(site: Site) -> None:
    request_id = pending_request(site)
    registered(site)
    page = site.client.get(DESK)
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    shown = text_of(page.text)
    assert "Leipzig – Stadt für alle (Leipzig)" in shown
    assert f'action="{DESK}anmeldung/{request_id}/freigeben"' in page.text
    assert "Ihre Seite hat keinen Feed; wir lesen die Nachrichtenseite" in shown
    assert "Kontakt kontakt@stadt-fuer-alle.example" in shown
    # sources.yaml's entry: listed, marked, no form
    known_row = page.text.split(f'<tr id="quelle-{KNOWN_SITE}">')[1].split("</tr>")[0]
    assert "aus sources.yaml" in known_row and "<form" not in known_row
    gotha_row = page.text.split('<tr id="quelle-gotha-stadtforum">')[1].split("</tr>")[0]
    assert f'action="{DESK}quelle/gotha-stadtforum/deaktivieren"' in gotha_row
    assert "Kontakt: gotha@forum.example" in gotha_row


def test_the_page_is_for_editors_only(site: Site) -> None:
    site.client.cookies.clear()
    answer = site.client.get(DESK)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/redaktion/anmelden")


def test_a_post_without_the_csrf_token_changes_nothing(site: Site) -> None:
    request_id = pending_request(site)
    answer = site.client.post(f"{DESK}anmeldung/{request_id}/freigeben", data={})
    assert answer.status_code == 403
    assert Registry(site.engine).entries() == []
    assert [r.state for r in Registrations(site.engine).listing(("pending",))] == ["pending"]


def test_reject_needs_a_reason_and_mails_it(site: Site) -> None:
    request_id = pending_request(site)
    missing = site.editor_post(f"{DESK}anmeldung/{request_id}/ablehnen", grund="  ")
    assert missing.status_code == 409
    assert "Bitte nennen Sie einen Grund" in text_of(missing.text)
    reason = "Ihre Seite zeigt nur Veranstaltungen anderer Vereine.\nBitte melden Sie sich bei uns."
    answer = site.editor_post(f"{DESK}anmeldung/{request_id}/ablehnen", grund=reason)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{DESK}?erledigt=abgelehnt"
    decided = Registrations(site.engine).get(request_id)
    assert decided is not None
    assert (decided.state, decided.reason, decided.decided_by) == ("rejected", reason, "anna")
    assert Registry(site.engine).entries() == []
    mail = site.mail.messages[-1]
    assert mail["To"] == "kontakt@stadt-fuer-alle.example"
    assert mail["Subject"] == "Ihre Anmeldung von Leipzig – Stadt für alle beim Netzwerk Stadtforen"
    body = mail.get_body(("plain",))
    assert body is not None and reason in body.get_content().replace("\r\n", "\n")
    again = site.editor_post(f"{DESK}anmeldung/{request_id}/freigeben")
    assert again.status_code == 409
    assert "schon entschieden" in text_of(again.text)
    listing = site.client.get(f"{DESK}?erledigt=abgelehnt")
    assert "Die Anmeldung ist abgelehnt" in text_of(listing.text)


def test_edit_before_approving(site: Site) -> None:
    request_id = pending_request(site)
    taken = site.editor_post(
        f"{DESK}anmeldung/{request_id}/bearbeiten", source_id=KNOWN_SITE, name="X"
    )
    assert taken.status_code == 400
    assert f"Die Kennung „{KNOWN_SITE}“ ist schon vergeben." in text_of(taken.text)
    bad_city = site.editor_post(f"{DESK}anmeldung/{request_id}/bearbeiten", city="Atlantis")
    assert bad_city.status_code == 400
    assert "„Atlantis“ kennen wir nicht als Gemeinde" in text_of(bad_city.text)
    short = site.editor_post(f"{DESK}anmeldung/{request_id}/bearbeiten", interval="5")
    assert short.status_code == 400
    assert "zwischen 15 und 10080" in text_of(short.text)
    inside = site.editor_post(
        f"{DESK}anmeldung/{request_id}/bearbeiten", url="http://169.254.169.254/latest/"
    )
    assert inside.status_code == 400
    assert html.unescape(
        URL_INSIDE.format(where="auf eine lokale Netzwerkadresse (Link-Local)")
    ) in text_of(inside.text)

    edited = site.editor_post(
        f"{DESK}anmeldung/{request_id}/bearbeiten",
        name="Stadt für alle e. V.",
        city="Markkleeberg",
        source_id="stadt-fuer-alle",
        interval="120",
    )
    assert edited.status_code == 303, text_of(edited.text)
    request = Registrations(site.engine).get(request_id)
    assert request is not None
    assert (request.source_id, request.name, request.city) == (
        "stadt-fuer-alle",
        "Stadt für alle e. V.",
        "Markkleeberg",
    )
    assert request.definition["interval"] == 120
    approved = site.editor_post(f"{DESK}anmeldung/{request_id}/freigeben")
    assert approved.status_code == 303
    (entry,) = Registry(site.engine).entries()
    assert entry == {
        "id": "stadt-fuer-alle",
        "name": "Stadt für alle e. V.",
        "city": "Markkleeberg",
        "homepage": site.net.url("/stadtfueralle/"),
        "scrape": {"url": site.net.registered_url("leipzig-stadt-fuer-alle")},
        "interval": 120,
        "contact": "kontakt@stadt-fuer-alle.example",  # the registration's, from its column
    }
    assert site.added == ["stadt-fuer-alle"]
    mail = site.mail.messages[-1]
    body = mail.get_body(("plain",))
    status = BASE_URL.rstrip("/") + source_status_path(SECRET, "stadt-fuer-alle")
    assert body is not None and status in body.get_content()


def test_edit_to_a_feed_url_makes_the_request_a_feed(site: Site) -> None:
    request_id = pending_request(site)
    feed = site.net.feed_url("leipzig-stadtforum")
    answer = site.editor_post(f"{DESK}anmeldung/{request_id}/bearbeiten", url=feed)
    assert answer.status_code == 303, text_of(answer.text)
    request = Registrations(site.engine).get(request_id)
    assert request is not None
    assert request.definition.get("feed") == feed and "scrape" not in request.definition


def test_a_registered_source_is_switched_off_and_on(site: Site) -> None:
    registered(site)
    off = site.editor_post(f"{DESK}quelle/gotha-stadtforum/deaktivieren")
    assert off.status_code == 303
    (entry,) = Registry(site.engine).entries()
    assert entry["enabled"] is False
    page = site.client.get(off.headers["location"])
    assert "Die Quelle ist abgeschaltet" in text_of(page.text)
    on = site.editor_post(f"{DESK}quelle/gotha-stadtforum/aktivieren")
    assert on.status_code == 303
    (entry,) = Registry(site.engine).entries()
    assert "enabled" not in entry


def test_a_sources_yaml_source_is_not_changed_here(site: Site) -> None:
    for action, data in (("deaktivieren", {}), ("aendern", {"interval": "240"})):
        answer = site.editor_post(f"{DESK}quelle/{KNOWN_SITE}/{action}", **data)
        assert answer.status_code in (400, 409)
        assert "Diese Quelle steht in sources.yaml und wird nur dort geändert." in text_of(
            answer.text
        )
    assert Registry(site.engine).entries() == []


def test_a_registered_source_gets_a_new_url_only_after_a_try(site: Site) -> None:
    source = registered(site)
    for url, message in (
        ("ftp://gotha.example/feed", URL_SCHEME),
        ("http://169.254.169.254/", "lokale Netzwerkadresse"),
    ):
        refused = site.editor_post(f"{DESK}quelle/gotha-stadtforum/aendern", url=url)
        assert refused.status_code == 400
        assert message in text_of(refused.text)
    unreadable = site.editor_post(
        f"{DESK}quelle/gotha-stadtforum/aendern", url=site.net.url("/gibt-es-nicht/feed/")
    )
    assert unreadable.status_code == 400
    assert "Unter der neuen Adresse konnten wir nichts lesen" in text_of(unreadable.text)
    assert "Seite nicht gefunden (HTTP 404)" in text_of(unreadable.text)
    (entry,) = Registry(site.engine).entries()
    assert entry == {**source_entry(source), "contact": "gotha@forum.example"}

    new_url = site.net.feed_url("pirna-kuratorium")
    changed = site.editor_post(f"{DESK}quelle/gotha-stadtforum/aendern", url=new_url, interval="90")
    assert changed.status_code == 303, text_of(changed.text)
    (entry,) = Registry(site.engine).entries()
    assert (entry["feed"], entry["interval"]) == (new_url, 90)


def test_a_change_request_is_approved_into_the_registered_source(site: Site) -> None:
    source = registered(site)
    new_url = site.net.feed_url("pirna-kuratorium")
    definition = {**source_entry(source), "feed": new_url}
    request_id = Registrations(site.engine).create(
        kind="change",
        source_id=source.id,
        name=source.name,
        city=source.city,
        homepage=source.homepage,
        definition=definition,
        contact_email="gotha@forum.example",
        description=None,
        preview=None,
        confirm_hash=None,
        now=site.now,
        state="pending",
    )
    page = site.client.get(DESK)
    assert "Änderung: Stadtforum Gotha (Gotha)" in text_of(page.text)
    approved = site.editor_post(f"{DESK}anmeldung/{request_id}/freigeben")
    assert approved.status_code == 303
    assert approved.headers["location"] == f"{DESK}?erledigt=uebernommen"
    (entry,) = Registry(site.engine).entries()
    assert entry["feed"] == new_url
    assert site.added == []  # the source was there already
    mail = site.mail.messages[-1]
    assert mail["To"] == "gotha@forum.example"
    assert mail["Subject"] == "Übernommen: neue Adresse für Stadtforum Gotha"
    body = mail.get_body(("plain",))
    status = BASE_URL.rstrip("/") + source_status_path(SECRET, "gotha-stadtforum")
    assert body is not None and new_url in body.get_content() and status in body.get_content()


def test_a_rejected_change_keeps_the_source_and_mails_the_reason(site: Site) -> None:
    source = registered(site)
    request_id = Registrations(site.engine).create(
        kind="change",
        source_id=source.id,
        name=source.name,
        city=source.city,
        homepage=source.homepage,
        definition={**source_entry(source), "feed": "https://gotha.example/neu.xml"},
        contact_email="gotha@forum.example",
        description=None,
        preview=None,
        confirm_hash=None,
        now=site.now + timedelta(minutes=1),
        state="pending",
    )
    answer = site.editor_post(
        f"{DESK}anmeldung/{request_id}/ablehnen", grund="Die neue Adresse ist leer."
    )
    assert answer.status_code == 303
    (entry,) = Registry(site.engine).entries()
    assert entry == {**source_entry(source), "contact": "gotha@forum.example"}
    mail = site.mail.messages[-1]
    assert mail["Subject"] == "Ihre Änderung für Stadtforum Gotha beim Netzwerk Stadtforen"
    body = mail.get_body(("plain",))
    assert body is not None and "Die neue Adresse ist leer." in body.get_content()


def test_the_start_page_links_here(site: Site) -> None:
    start = site.client.get("/redaktion/")
    assert f'<a href="{DESK}">Quellen: Anmeldungen freigeben, Quellen verwalten</a>' in start.text


def test_approval_is_refused_when_the_id_or_url_was_taken_meanwhile(site: Site) -> None:
    request_id = pending_request(site)
    site.settings.config.write_text(
        yaml.safe_dump(
            {
                "sources": [
                    known_entry(site.net),
                    {
                        "id": "leipzig-stadt-fuer-alle",
                        "name": "Doppelt",
                        "city": "Leipzig",
                        "homepage": "https://anders.example/",
                        "feed": "https://anders.example/feed/",
                    },
                ]
            },
            allow_unicode=True,
        ),
        encoding="utf-8",
    )  # the operator declared the id in sources.yaml; no crawl has synced it yet
    answer = site.editor_post(f"{DESK}anmeldung/{request_id}/freigeben")
    assert answer.status_code == 409
    assert "Die Kennung „leipzig-stadt-fuer-alle“ oder die Adresse" in text_of(answer.text)
    assert Registry(site.engine).entries() == []
    request = Registrations(site.engine).get(request_id)
    assert request is not None and request.state == "pending"
    assert site.added == []
    renamed = site.editor_post(
        f"{DESK}anmeldung/{request_id}/bearbeiten", source_id="stadt-fuer-alle-leipzig"
    )
    assert renamed.status_code == 303
    assert site.editor_post(f"{DESK}anmeldung/{request_id}/freigeben").status_code == 303
    assert [e["id"] for e in Registry(site.engine).entries()] == ["stadt-fuer-alle-leipzig"]
