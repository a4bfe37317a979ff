"""A forum's private status page /quelle/{id}/{key} through the real web app (create_app), a
real crawl of a real loopback server, SQLite and PostgreSQL: the link works only with its key,
the page tells the last fetch and its error in plain German, and a proposed address goes,
after URL safety and a try, to the editor as a pending 'change' request."""

from __future__ import annotations

import asyncio
import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from aggregator.crawl import crawl
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.fetch import FetchSettings
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.tokens import source_status_path
from aggregator.model import Source
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.registrations import Registration, Registrations
from aggregator.store.registry import Registry
from aggregator.web.app import create_app
from aggregator.web.context import WebContext

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)  # 12:00 in Görlitz
CONTACT = "vorstand@goerlitz.example"
NOT_FOUND_PAGE = "<!DOCTYPE html><title>Seite nicht gefunden</title><p>Gibt es nicht.</p>"


def rss(*titles: str) -> bytes:
    items = "".join(
        f"<item><guid>{title}</guid><title>{title}</title><link>https://goerlitz.example/{n}"
        f"</link><pubDate>{format_datetime(NOW - timedelta(days=n + 1))}</pubDate></item>"
        for n, title in enumerate(titles)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>https://goerlitz.example/</link><description>d</description>{items}"
        "</channel></rss>"
    ).encode()


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@dataclass
class Site:
    engine: Engine
    server: FixtureServer
    client: TestClient
    source: Source
    settings: Settings
    status_path: str

    def crawl(self, at: datetime = NOW) -> None:
        fetch = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=3)
        asyncio.run(crawl([self.source], Store(self.engine), fetch, clock=lambda: at, force=True))

    def propose(self, url: str, **extra: str) -> tuple[int, str]:
        response = self.client.post(self.status_path, data={"adresse": url, **extra})
        return response.status_code, text_of(response.text)

    def pending(self) -> list[Registration]:
        return list(Registrations(self.engine).listing(("pending",)))


def open_site(engine: Engine, tmp_path: Path, server: FixtureServer, *, private: bool) -> Site:
    config = tmp_path / "sources.yaml"
    config.write_text("sources: []\n", encoding="utf-8")
    public = tmp_path / "public"
    public.mkdir(exist_ok=True)
    (public / "404.html").write_text(NOT_FOUND_PAGE, encoding="utf-8")
    feed = server.url("/feed") if private else "https://goerlitz.example/feed/"
    source = Source(
        "goerlitz",
        "Görlitzer Forum",
        "Görlitz",
        "https://goerlitz.example/",
        feed,
        origin="registry",
    )
    registry = Registry(engine)
    if registry.record("goerlitz") is None:
        registry.add(source, now=NOW - timedelta(days=60), contact_email=CONTACT)
    settings = Settings(
        config=config,
        database_url=str(engine.url),
        output_dir=public,
        base_url="https://stadtforen.example/",
        allow_private_urls=private,
        host_spacing_s=0,
    )
    context = WebContext(settings, engine, lambda: NOW)
    client = TestClient(create_app(public, context), follow_redirects=False)
    path = source_status_path(mail_secret(settings, engine, NOW), "goerlitz")
    return Site(engine, server, client, source, settings, path)


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as running:
        running.routes["/feed"] = Response(
            200,
            rss("Neues vom Untermarkt", "Stadtrundgang"),
            {"Content-Type": "application/rss+xml"},
        )
        running.routes["/neu/feed"] = Response(
            200,
            rss("Neue Website, neuer Feed", "Tag des offenen Denkmals", "Lesung im Kaisertrutz"),
            {"Content-Type": "application/rss+xml"},
        )
        running.routes["/weg"] = Response(404, b"Nicht da", {"Content-Type": "text/plain"})
        yield running


@pytest.fixture
def site(engine: Engine, tmp_path: Path, server: FixtureServer) -> Iterator[Site]:
    opened = open_site(engine, tmp_path, server, private=True)
    yield opened
    opened.client.close()


def test_the_status_link_works_only_with_its_key(site: Site) -> None:
    site.crawl(NOW - timedelta(hours=1))
    response = site.client.get(site.status_path)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = text_of(response.text)
    assert "Statusseite: Görlitzer Forum" in page
    assert f"Adresse, die wir lesen {site.source.feed} (Feed)" in page
    assert "Letzter Abruf 1. Dezember 2026, 11:00 Uhr" in page
    assert "Ergebnis erfolgreich gelesen (HTTP 200)" in page
    assert "Neue Beiträge in den letzten 30 Tagen 2" in page
    assert "Neuester Beitrag 30. November 2026, 12:00 Uhr" in page
    assert "Was nicht klappt" not in page

    unknown = site.client.get("/quelle/gibt/es-nicht")
    assert (unknown.status_code, unknown.text) == (404, NOT_FOUND_PAGE)
    key = site.status_path.rsplit("/", 1)[1]
    wrong = key[:-1] + ("A" if key[-1] != "A" else "B")
    other_secret = source_status_path("x" * 40, "goerlitz")
    for path in (
        f"/quelle/goerlitz/{wrong}",
        f"/quelle/goerlitz/{key[:20]}",
        other_secret,
        f"/quelle/dresden/{key}",
        "/quelle/goerlitz/",
    ):
        answer = site.client.get(path)
        assert (answer.status_code, answer.text) == (404, NOT_FOUND_PAGE), path
        assert "Görlitzer" not in answer.text
    posted = site.client.post(f"/quelle/goerlitz/{wrong}", data={"adresse": "https://x.example/"})
    assert posted.status_code == site.client.post("/quelle/gibt/es-nicht").status_code
    assert site.pending() == []


def test_the_last_error_in_plain_german_with_a_hint(site: Site) -> None:
    site.crawl(NOW - timedelta(days=2))
    site.server.routes["/feed"] = Response(404, b"weg", {"Content-Type": "text/plain"})
    site.crawl(NOW - timedelta(hours=30))
    site.crawl(NOW - timedelta(hours=1))
    page = text_of(site.client.get(site.status_path).text)
    assert "Ergebnis fehlgeschlagen (HTTP 404)" in page
    assert "Zuletzt erfolgreich 29. November 2026, 12:00 Uhr" in page
    assert (
        "Was nicht klappt Seite nicht gefunden (HTTP 404) (seit 30. November 2026, 06:00 Uhr). "
        "Die Adresse gibt es nicht mehr. Nennen Sie uns unten die neue Adresse."
    ) in page


def test_a_proposed_address_goes_to_the_editor_as_a_pending_change(site: Site) -> None:
    site.crawl()
    new_feed = site.server.url("/neu/feed")
    status, page = site.propose(new_feed)
    assert status == 200
    assert "Danke, Ihr Vorschlag ist angekommen" in page
    assert f"Wir schreiben Ihnen an {CONTACT}, sobald das geschehen ist." in page
    [request] = Registrations(site.engine).listing(("pending",))
    assert (request.kind, request.state, request.source_id) == ("change", "pending", "goerlitz")
    assert request.contact_email == CONTACT
    assert request.definition == {
        "id": "goerlitz",
        "name": "Görlitzer Forum",
        "city": "Görlitz",
        "homepage": "https://goerlitz.example/",
        "feed": new_feed,
        "contact": "vorstand@goerlitz.example",  # the source's own, as registered
    }
    assert request.preview is not None
    assert request.preview["kind"] == "feed"
    assert [i["title"] for i in request.preview["items"]] == [
        "Neue Website, neuer Feed",
        "Tag des offenen Denkmals",
        "Lesung im Kaisertrutz",
    ]
    # nothing changes before the editor approves; the page says the proposal waits
    assert Registry(site.engine).entries()[0]["feed"] == site.source.feed
    page = text_of(site.client.get(site.status_path).text)
    assert (
        f"Ihr Vorschlag {new_feed} vom 1. Dezember 2026, 12:00 Uhr liegt der Redaktion vor." in page
    )
    # the same proposal again: still one request; another contact address is taken
    assert site.propose(new_feed)[0] == 200
    assert len(site.pending()) == 1


def test_an_address_that_cannot_be_read_is_refused_after_its_try(site: Site) -> None:
    status, page = site.propose(site.server.url("/weg"))
    assert status == 422
    assert (
        "Diese Adresse konnten wir nicht lesen: Seite nicht gefunden (HTTP 404). Die Adresse "
        "gibt es nicht mehr. Nennen Sie uns unten die neue Adresse."
    ) in page
    assert site.propose(site.source.feed or "")[1].count("Das ist schon die Adresse") == 1
    status, page = site.propose(site.server.url("/neu/feed"), kontakt="kein-at-zeichen")
    assert status == 400
    assert "Das ist keine gültige E-Mail-Adresse: Es fehlt das @-Zeichen." in page
    assert site.pending() == []


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://10.0.0.1/",
        "http://169.254.169.254/",
        "http://100.64.0.1/",
        "http://localhost:8080/feed",
    ],
)
def test_internal_addresses_are_refused_before_any_fetch(
    engine: Engine, tmp_path: Path, server: FixtureServer, url: str
) -> None:
    site = open_site(engine, tmp_path, server, private=False)
    status, page = site.propose(url)
    assert status == 400
    assert "Solche Adressen rufen wir aus Sicherheitsgründen nicht ab" in page
    assert site.pending() == []
    assert server.requests == []


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://user:pw@forum.example/", "Die Adresse darf keinen Benutzernamen und kein"),
        ("ftp://forum.example/", "Nur Adressen mit http:// oder https:// sind möglich."),
        ("forum.example/feed", "Bitte geben Sie eine vollständige Adresse an, die mit http://"),
        ("", "Bitte geben Sie die neue Adresse ein."),
        ("https://forum.example/" + "a" * 2000, "Die Adresse ist zu lang."),
    ],
)
def test_other_unsafe_addresses_are_refused_with_a_plain_message(
    engine: Engine, tmp_path: Path, server: FixtureServer, url: str, message: str
) -> None:
    site = open_site(engine, tmp_path, server, private=False)
    status, page = site.propose(url)
    assert (status, message in page) == (400, True)
    assert site.pending() == []
    assert server.requests == []


def test_the_private_addresses_of_the_fixture_server_are_refused_with_private_urls_off(
    engine: Engine, tmp_path: Path, server: FixtureServer
) -> None:
    site = open_site(engine, tmp_path, server, private=False)
    status, page = site.propose(server.url("/neu/feed"))
    assert status == 400
    assert "zeigt auf den Server selbst (Loopback)" in page
    assert server.requests == []


def test_honeypot_and_the_limit_per_address(site: Site) -> None:
    new_feed = site.server.url("/neu/feed")
    status, page = site.propose(new_feed, website="http://spam.example/")
    assert status == 200 and "Danke" in page
    assert site.pending() == []
    for _ in range(4):
        site.propose("ftp://x.example/")
    status, page = site.propose(new_feed)
    assert status == 429
    assert "Zu viele Vorschläge. Bitte in 60 Minuten erneut versuchen." in page
    assert site.pending() == []


def test_a_news_page_is_proposed_as_a_page_to_read(site: Site, engine: Engine) -> None:
    page = (
        "<!DOCTYPE html><html lang='de'><head><title>Aktuelles</title></head><body><main>"
        + "".join(
            f"<article><h2><a href='/beitrag-{n}'>Bürgerversammlung Nummer {n}</a></h2>"
            f"<time datetime='2026-11-{20 + n:02d}'>{20 + n}.11.2026</time>"
            "<p>Wir laden ein in den Ratssaal.</p></article>"
            for n in range(3)
        )
        + "</main></body></html>"
    ).encode()
    site.server.routes["/aktuelles"] = Response(200, page, {"Content-Type": "text/html"})
    for n in range(3):
        site.server.routes[f"/beitrag-{n}"] = Response(
            200,
            (
                f"<html><head><title>Bürgerversammlung Nummer {n}</title></head><body><article>"
                f"<h1>Bürgerversammlung Nummer {n}</h1><p>Text</p></article></body></html>"
            ).encode(),
            {"Content-Type": "text/html"},
        )
    status, text = site.propose(site.server.url("/aktuelles"))
    assert status == 200, text
    [request] = site.pending()
    assert request.definition["scrape"] == {"url": site.server.url("/aktuelles")}
    assert "feed" not in request.definition
    assert request.preview is not None
    assert request.preview["kind"] == "page"
