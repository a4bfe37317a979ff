"""The editor's health page /redaktion/zustand through the real editor routes on a real store
(SQLite and PostgreSQL): every source with its figures and flags, held items and their release,
the login and CSRF guard."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware import Middleware

from aggregator.editors import add_editor
from aggregator.model import FetchState, Item, Source
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.editors import Editors
from aggregator.store.health import SourceHealthStore
from aggregator.store.registry import Registry
from aggregator.web.app import ResponseHeaders
from aggregator.web.context import WebContext
from aggregator.web.editor import editor_routes

with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"
PAGE = "/redaktion/zustand"
SOURCES_YAML = """
sources:
  - id: leipzig
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://leipzig.example/
    feed: https://leipzig.example/feed/
  - id: dresden
    name: Stadtforum Dresden
    city: Dresden
    homepage: https://dresden.example/
    feed: https://dresden.example/feed/
"""
LEIPZIG = Source(
    "leipzig",
    "Stadtforum Leipzig",
    "Leipzig",
    "https://leipzig.example/",
    "https://leipzig.example/feed/",
)
DRESDEN = Source(
    "dresden",
    "Stadtforum Dresden",
    "Dresden",
    "https://dresden.example/",
    "https://dresden.example/feed/",
)
ZITTAU = Source(
    "zittau", "Zittauer Stadtforum", "Zittau", "https://zittau.example/", None, origin="registry"
)


def post(source: Source, n: int, **changes: object) -> Item:
    values: dict[str, object] = dict(
        source_id=source.id,
        guid=f"{source.id}-{n}",
        url=f"https://{source.id}.example/{n}",
        canonical_url=f"https://{source.id}.example/{n}",
        title=f"Meldung {n} aus {source.city}",
        content_html="",
        excerpt="Text",
        published=NOW - timedelta(days=5 + n),
        cities=(source.city,),
    )
    values.update(changes)
    return Item(**values)  # type: ignore[arg-type]


@dataclass
class Desk:
    engine: Engine
    client: TestClient

    def page(self) -> str:
        response = self.client.get(PAGE)
        assert response.status_code == 200, response.text
        return response.text

    def token(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.page())
        assert found is not None
        return found.group(1)


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


@pytest.fixture
def desk(engine: Engine, tmp_path: Path) -> Iterator[Desk]:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES_YAML, encoding="utf-8")
    store = Store(engine)
    store.sync_sources([LEIPZIG, DRESDEN])
    Registry(engine).add(
        replace(ZITTAU, scrape=None, feed="https://zittau.example/feed/"),
        now=NOW,
        contact_email="info@zittau.example",
    )
    # Leipzig: healthy, then a relaunch re-issues 12 of its 20 posts under new guids
    store.upsert_items([post(LEIPZIG, n) for n in range(20)], NOW - timedelta(days=40))
    store.upsert_items(
        [
            post(
                LEIPZIG,
                n,
                guid=f"neu-{n}",
                url=f"https://leipzig.example/neu/{n}",
                canonical_url=f"https://leipzig.example/neu/{n}",
                published=NOW,
            )
            for n in range(12)
        ],
        NOW - timedelta(hours=2),
    )
    store.save_fetch_state(
        FetchState(
            "leipzig",
            url=LEIPZIG.feed,
            last_fetched_at=NOW - timedelta(hours=2),
            last_success_at=NOW - timedelta(hours=2),
            last_status="ok",
        )
    )
    # Dresden: its feed is an HTML page since two days, and it moved permanently
    store.upsert_items([post(DRESDEN, 1, published=NOW - timedelta(days=120))], NOW)
    store.save_fetch_state(
        FetchState(
            "dresden",
            url=DRESDEN.feed,
            last_fetched_at=NOW - timedelta(days=2),
            last_success_at=NOW - timedelta(days=3),
            last_status="ok",
        )
    )
    store.save_fetch_state(
        FetchState(
            "dresden",
            url=DRESDEN.feed,
            last_fetched_at=NOW - timedelta(hours=1),
            last_success_at=NOW - timedelta(days=3),
            consecutive_failures=30,
            last_status="failed",
            last_error="not_a_feed",
            last_error_message="this is an HTML page, not a feed: give the feed's address",
            moved_to="https://www.dresden.example/feed/",
        )
    )
    add_editor(Editors(engine), "anna", PASSWORD, NOW, FAST)
    settings = Settings(
        config=config, database_url=str(engine.url), base_url="https://stadtforen.example/"
    )
    context = WebContext(settings, engine, lambda: NOW)
    app = Starlette(routes=editor_routes(context, FAST), middleware=[Middleware(ResponseHeaders)])
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login = client.get("/redaktion/anmelden")
    login_token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert login_token is not None
    signed_in = client.post(
        "/redaktion/anmelden",
        data={"name": "anna", "password": PASSWORD, "csrf_token": login_token.group(1)},
    )
    assert signed_in.status_code == 303
    yield Desk(engine, client)
    client.close()


def rows(page: str) -> list[str]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [text_of(row).strip() for row in body.split("</tr>") if row.strip()]


def test_every_source_with_its_figures_and_flags(desk: Desk) -> None:
    page = desk.page()
    assert "3 Quellen, davon 2 mit Hinweisen (oben)." in text_of(page)
    dresden, leipzig, zittau = rows(page)
    assert dresden == (
        "Stadtforum Dresden dresden · Statusseite Feed 28. November 2026, 12:00 Uhr "
        "Unter der Adresse steht kein Feed 30 0,0 vor 120 Tagen "
        "Feed ist jetzt eine Webseite : Unter der Feed-Adresse steht eine HTML-Seite. Neue "
        "Feed-Adresse erfragen oder die Nachrichtenseite lesen lassen. "
        "Dauerhaft umgezogen : Der Server leitet dauerhaft auf eine neue Adresse um; bitte die "
        "Adresse der Quelle ändern. "
        "Seit 90 Tagen nichts Neues : Kein Beitrag aus den letzten 90 Tagen. Liest die Quelle "
        "noch die richtige Seite?"
    )
    assert leipzig.startswith(
        "Stadtforum Leipzig leipzig · Statusseite Feed 1. Dezember 2026, 10:00 Uhr – 0 6,7 "
        "vor 5 Tagen Viele alte Beiträge neu ausgegeben"
    )
    assert zittau == "Zittauer Stadtforum zittau · Statusseite Feed noch nie – 0 0,0 – –"  # new


def test_each_row_links_the_forums_private_status_page(desk: Desk) -> None:
    """For the editor to forward: sources.yaml's forums have no contact address to mail it to."""
    from aggregator.mail.newsletter import mail_secret
    from aggregator.mail.tokens import is_source_status_key, source_status_path

    secret = mail_secret(Settings(), desk.engine, NOW)  # the database's key, as the page's
    links = re.findall(r'<a href="(/quelle/[^"]+)">Statusseite</a>', desk.page())
    assert links == [
        source_status_path(secret, source_id) for source_id in ("dresden", "leipzig", "zittau")
    ]
    assert all(
        is_source_status_key(secret, link.split("/")[2], link.split("/")[3]) for link in links
    )


def test_held_items_are_listed_and_released(desk: Desk) -> None:
    store = Store(desk.engine)
    assert len(store.stories()) == 21
    page = desk.page()
    held = text_of(page.split('id="zurueckgehalten"', 1)[1])
    assert "Stadtforum Leipzig: 12 Beiträge" in held
    assert "Meldung 0 aus Leipzig (1. Dezember 2026, 12:00 Uhr)" in held
    assert "Alle 12 Beiträge von „Stadtforum Leipzig“ freigeben" in held

    refused = desk.client.post(f"{PAGE}/leipzig/freigeben", data={"csrf_token": "falsch"})
    assert refused.status_code == 403
    assert SourceHealthStore(desk.engine).held_items("leipzig") != []

    response = desk.client.post(f"{PAGE}/leipzig/freigeben", data={"csrf_token": desk.token()})
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}?freigegeben=12&quelle=leipzig"
    after = desk.client.get(response.headers["location"])
    assert (
        "12 Beiträge von „Stadtforum Leipzig“ freigegeben. Sie erscheinen mit der nächsten "
        "Veröffentlichung auf der Nachrichtenseite."
    ) in text_of(after.text)
    assert 'id="zurueckgehalten"' not in after.text
    assert len(store.stories()) == 33
    assert "Viele alte Beiträge" not in text_of(after.text)


def test_an_unknown_source_is_404_and_the_page_needs_a_login(desk: Desk) -> None:
    response = desk.client.post(f"{PAGE}/nirgendwo/freigeben", data={"csrf_token": desk.token()})
    assert response.status_code == 404
    assert "Diese Quelle gibt es nicht." in text_of(response.text)
    anonymous = TestClient(desk.client.app, base_url="https://testserver", follow_redirects=False)
    answer = anonymous.get(PAGE)
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/redaktion/anmelden")
    assert anonymous.post(f"{PAGE}/leipzig/freigeben").status_code == 403
    assert len(SourceHealthStore(desk.engine).held_items("leipzig")) == 12


def test_the_start_page_links_here(desk: Desk) -> None:
    start = desk.client.get("/redaktion/")
    assert f'href="{PAGE}"' in start.text


def test_a_source_failing_for_a_day_is_flagged(desk: Desk) -> None:
    store = Store(desk.engine)
    for hours, failures in ((30, 1), (1, 25)):
        store.save_fetch_state(
            FetchState(
                "zittau",
                url="https://zittau.example/feed/",
                last_fetched_at=NOW - timedelta(hours=hours),
                consecutive_failures=failures,
                last_status="failed",
                last_error="http_404",
            )
        )
    zittau = next(row for row in rows(desk.page()) if row.startswith("Zittauer"))
    assert zittau == (
        "Zittauer Stadtforum zittau · Statusseite Feed noch nie Seite nicht gefunden (HTTP 404) "
        "25 0,0 – "
        "Abruf schlägt fehl : Seit mehr als 24 Stunden konnte die Quelle nicht gelesen werden; "
        "Forum und Redaktion wurden benachrichtigt."
    )
