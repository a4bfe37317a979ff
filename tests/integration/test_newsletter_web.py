"""The newsletter pages through a real uvicorn server: sign-up (honeypot, limit, no probing),
the confirmation mail at a real SMTP server, confirmation, one-click unsubscribe (RFC 8058)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from aggregator.mail.newsletter import Newsletter
from aggregator.settings import Settings
from aggregator.store.subscribers import Subscribers
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer
from aggregator.web.throttle import Throttle
from tests.mailserver import MailServer

SECRET = "geheim-" * 6
BASE = "https://stadtforen.example.org/"
START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@dataclass
class Site:
    client: httpx.Client
    mail: MailServer
    engine: Engine
    clock: list[datetime]

    def wait_for_mails(self, count: int) -> None:
        deadline = time.monotonic() + 10
        while len(self.mail.messages) < count and time.monotonic() < deadline:
            time.sleep(0.02)


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Iterator[Site]:
    clock = [START]
    with MailServer() as mail:
        settings = Settings(
            base_url=BASE, mail_secret=SECRET, smtp_port=mail.port, smtp_timeout_s=5
        )
        context = WebContext(
            settings, engine, lambda: clock[0], form_throttle=Throttle(limit=3, per_s=3600)
        )
        server = WebServer(create_app(tmp_path / "public", context), "127.0.0.1", 0).start()
        try:
            with httpx.Client(base_url=server.url, timeout=10) as client:
                yield Site(client, mail, engine, clock)
        finally:
            server.stop()


def confirm_link(site: Site, index: int = 0) -> str:
    body = site.mail.messages[index].get_body(("plain",))
    assert body is not None
    match = re.search(r"https://\S+/newsletter/bestaetigen/(\S+)", str(body.get_content()))
    assert match is not None
    return f"/newsletter/bestaetigen/{match.group(1)}"


def test_form_page(site: Site) -> None:
    page = site.client.get("/newsletter")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert '<label for="email">Ihre E-Mail-Adresse</label>' in page.text
    assert '<input type="text" id="website" name="website"' in page.text  # the honeypot
    assert "<script" not in page.text and "style=" not in page.text


def test_sign_up_confirm_unsubscribe(site: Site) -> None:
    answer = site.client.post("/newsletter", data={"email": " Anna@Leipzig.Example "})
    assert answer.status_code == 200
    assert "<h1>Fast geschafft</h1>" in answer.text
    site.wait_for_mails(1)
    (mail,) = site.mail.messages
    assert mail["To"] == "anna@leipzig.example"
    pending = Subscribers(site.engine).find("anna@leipzig.example")
    assert pending is not None and pending.status == "pending"

    link = confirm_link(site)
    button = site.client.get(link)  # a link scanner's GET confirms nothing
    assert button.status_code == 200
    assert f'<form method="post" action="{link}">' in button.text
    assert Subscribers(site.engine).confirmed() == []

    done = site.client.post(link)
    assert done.status_code == 200
    assert "<h1>Anmeldung bestätigt</h1>" in done.text
    assert Subscribers(site.engine).confirmed() == [(pending.id, "anna@leipzig.example")]
    again = site.client.post(link)  # used up
    assert again.status_code == 404
    assert "abgelaufen, wurde schon benutzt" in again.text

    newsletter = Newsletter(site.engine, base_url=BASE, secret=SECRET)
    path = newsletter.unsubscribe_url(pending.id).removeprefix(BASE.rstrip("/"))
    page = site.client.get(path)
    assert page.status_code == 200
    assert '<button type="submit">Abbestellen</button>' in page.text
    assert Subscribers(site.engine).find("anna@leipzig.example") is not None  # GET: nothing

    # the mail client's one-click POST (RFC 8058)
    gone = site.client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert gone.status_code == 200
    assert "<h1>Abbestellt</h1>" in gone.text
    assert Subscribers(site.engine).find("anna@leipzig.example") is None
    assert site.client.post(path).status_code == 200  # a second click: the same answer


def test_the_answer_does_not_tell_who_subscribes(site: Site) -> None:
    first = site.client.post("/newsletter", data={"email": "anna@leipzig.example"})
    site.wait_for_mails(1)
    second = site.client.post("/newsletter", data={"email": "anna@leipzig.example"})
    assert first.status_code == second.status_code == 200
    assert first.text == second.text
    pending = Subscribers(site.engine).find("anna@leipzig.example")
    assert pending is not None and pending.confirm_sent_at == START  # no new link: too soon
    site.clock[0] = START + timedelta(minutes=11)
    site.client.post("/newsletter", data={"email": "anna@leipzig.example"})
    site.wait_for_mails(2)
    assert len(site.mail.messages) == 2
    assert confirm_link(site, 0) != confirm_link(site, 1)
    rows = Subscribers(site.engine).counts()
    assert rows == {"pending": 1}  # the same address twice is one subscriber


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("", "Bitte geben Sie Ihre E-Mail-Adresse ein."),
        ("anna.leipzig.example", "Es fehlt das @-Zeichen."),
        ("anna@", "Bitte prüfen Sie die Schreibweise."),
        ("jürgen@leipzig.example", "Vor dem @ sind nur Buchstaben ohne Umlaute"),
    ],
)
def test_invalid_addresses_get_a_clear_german_message(site: Site, email: str, message: str) -> None:
    answer = site.client.post("/newsletter", data={"email": email})
    assert answer.status_code == 400
    assert message in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert Subscribers(site.engine).counts() == {}


def test_honeypot_gets_the_same_answer_and_nothing_is_stored(site: Site) -> None:
    answer = site.client.post(
        "/newsletter", data={"email": "bot@spam.example", "website": "http://spam.example"}
    )
    assert answer.status_code == 200
    assert "<h1>Fast geschafft</h1>" in answer.text
    assert Subscribers(site.engine).counts() == {}


def test_sign_ups_are_limited_per_client_address(site: Site) -> None:
    for n in range(3):
        assert site.client.post("/newsletter", data={"email": f"p{n}@halle.example"}).is_success
    blocked = site.client.post("/newsletter", data={"email": "p9@halle.example"})
    assert blocked.status_code == 429
    assert "Bitte versuchen Sie es in 60 Minuten erneut." in blocked.text
    assert Subscribers(site.engine).find("p9@halle.example") is None
    site.clock[0] = START + timedelta(minutes=61)
    assert site.client.post("/newsletter", data={"email": "p9@halle.example"}).is_success


def test_forged_and_expired_links(site: Site) -> None:
    assert site.client.get("/newsletter/abmelden/1.erfunden").status_code == 404
    forged = "/newsletter/abmelden/1." + "A" * 43
    assert site.client.post(forged).status_code == 404
    site.client.post("/newsletter", data={"email": "spaet@weimar.example"})
    site.wait_for_mails(1)
    site.clock[0] = START + timedelta(days=7, minutes=1)
    late = site.client.post(confirm_link(site))
    assert late.status_code == 404
    assert Subscribers(site.engine).confirmed() == []
