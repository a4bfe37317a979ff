"""The registration form /mitmachen in a real browser (Debian's chromium through playwright) over
loopback, against the demo network: filled in by its labels, the preview, the request sent; and
axe-core on the form, the form with errors and the preview. No console error, nothing from
another host, no failed request."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from argon2 import PasswordHasher

from aggregator.demo.network import DemoNetwork
from aggregator.demo.scraped import WORDPRESS
from aggregator.editors import add_editor
from aggregator.model import Source
from aggregator.publish import publish_site
from aggregator.settings import Settings
from aggregator.store.db import make_engine, upgrade
from aggregator.store.editors import Editors
from aggregator.store.registrations import Registrations
from aggregator.store.registry import Registry
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer
from tests.e2e.test_editor_browser import (
    ARGS,
    CHROMIUM,
    PASSWORD,
    open_page,
    serious_violations,
)
from tests.mailserver import MailServer

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium",
    ),
]


class App:
    def __init__(self, url: str, net: DemoNetwork, folder: Path, database: str) -> None:
        self.url = url
        self.net = net
        self.folder = folder
        self.database = database


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    folder = tmp_path_factory.mktemp("mitmachen")
    database = f"sqlite:///{folder / 'agg.db'}"
    engine = make_engine(database)
    upgrade(engine)
    now = datetime.now(UTC)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    add_editor(Editors(engine), "anna", PASSWORD, now, cheap)
    publish_site([], [], folder / "public", base_url="https://stadtforen.example.org/", now=now)
    (folder / "sources.yaml").write_text(yaml.safe_dump({"sources": []}), encoding="utf-8")
    with DemoNetwork(slow_delay_s=0.0) as net, MailServer() as mail:
        settings = Settings(
            config=folder / "sources.yaml",
            database_url=database,
            base_url="http://stadtforen.example.org/",  # the session cookie is sent over http
            mail_secret="geheim-" * 6,
            smtp_port=mail.port,
            smtp_timeout_s=5,
            allow_private_urls=True,
            host_spacing_s=0.0,
        )
        context = WebContext(settings, engine, lambda: datetime.now(UTC))
        server = WebServer(create_app(folder / "public", context), "127.0.0.1", 0).start()
        try:
            yield App(server.url, net, folder, database)
        finally:
            server.stop()
            engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def fill_in(page: object, app: App, name: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    page.get_by_label("Name Ihres Forums").fill(name)
    page.get_by_label("Stadt oder Gemeinde").fill("Leipzig")
    page.get_by_label("Adresse Ihrer Website").fill(app.net.url(WORDPRESS.prefix))
    page.get_by_label("E-Mail-Adresse für Rückfragen").fill("kontakt@stadt-fuer-alle.example")
    page.get_by_label("Kurze Beschreibung Ihres Forums").fill("Wohnen und offene Räume.")
    page.get_by_label("Ich stimme den Teilnahmebedingungen").check()


def test_the_form_the_preview_and_the_request_in_a_browser(browser: object, app: App) -> None:
    from playwright.sync_api import Page

    page, problems = open_page(browser, app.url + "mitmachen")
    assert isinstance(page, Page)
    assert page.locator("h1").inner_text() == "Mitmachen: Ihr Forum im Nachrichtenportal"
    assert serious_violations(page) == []

    fill_in(page, app, WORDPRESS.name)
    page.get_by_role("button", name="Vorschau anzeigen").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Vorschau Ihrer Anmeldung"
    assert page.locator("ol.preview-items > li").count() == 5
    assert "Ihre Seite hat keinen Feed" in page.locator("main").inner_text()
    assert serious_violations(page) == []

    page.get_by_role("button", name="Anmeldung absenden").click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == "Fast geschafft"
    engine = make_engine(app.database)
    try:
        (request,) = Registrations(engine).listing(("unconfirmed",))
    finally:
        engine.dispose()
    assert request.source_id == "leipzig-stadt-fuer-alle"
    assert problems == []
    page.context.close()


def test_errors_are_announced_and_tied_to_their_fields(browser: object, app: App) -> None:
    from playwright.sync_api import Page

    page, problems = open_page(browser, app.url + "mitmachen")
    assert isinstance(page, Page)
    fill_in(page, app, "AB")
    page.get_by_label("Stadt oder Gemeinde").fill("Halle")
    page.get_by_role("button", name="Vorschau anzeigen").click()
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").inner_text() == "Bitte prüfen Sie die markierten Angaben."
    name = page.get_by_label("Name Ihres Forums")
    assert name.get_attribute("aria-invalid") == "true"
    assert name.get_attribute("aria-describedby") == "fehler-name"
    assert page.locator("#fehler-city").inner_text().endswith("Meinten Sie: Halle (Saale)?")
    assert page.get_by_label("Stadt oder Gemeinde").input_value() == "Halle"  # kept as typed
    assert serious_violations(page) == []
    # 400 is the page's own answer to the mistakes (the browser logs it); nothing else failed
    assert sorted(problems) == [
        f"HTTP 400: {app.url}mitmachen",
        "console error: Failed to load resource: the server responded with a status of 400 "
        "(Bad Request)",
    ]
    page.context.close()


def test_the_editors_sources_page_in_a_browser(browser: object, app: App) -> None:
    from playwright.sync_api import Page

    engine = make_engine(app.database)
    try:
        now = datetime.now(UTC)
        gotha = Source(
            "gotha-stadtforum",
            "Stadtforum Gotha",
            "Gotha",
            app.net.url("/gotha/"),
            app.net.feed_url("gotha-stadtforum"),
        )
        Registry(engine).add(gotha, now=now, contact_email="gotha@forum.example")
        Registrations(engine).create(
            kind="new",
            source_id="freiraum-zittau",
            name="FreiRaum Zittau",
            city="Zittau",
            homepage=app.net.url("/freiraum/"),
            definition={
                "id": "freiraum-zittau",
                "name": "FreiRaum Zittau",
                "city": "Zittau",
                "homepage": app.net.url("/freiraum/"),
                "scrape": {"url": app.net.url("/freiraum/blog/")},
            },
            contact_email="post@freiraum.example",
            description="Raum für Ideen",
            preview={
                "kind": "page",
                "url": app.net.url("/freiraum/blog/"),
                "items": [
                    {
                        "title": "Sommerfest im Hof",
                        "url": app.net.url("/freiraum/blog/sommerfest/"),
                        "date": "24. November 2026",
                        "date_iso": "2026-11-24T00:00:00+01:00",
                        "cities": ["Zittau"],
                        "topics": [],
                    }
                ],
                "notes": ["Ihre Seite hat keinen Feed; wir lesen die Nachrichtenseite …"],
                "problems": [],
            },
            confirm_hash=None,
            now=now,
            state="pending",
        )
    finally:
        engine.dispose()

    page, problems = open_page(browser, app.url + "redaktion/anmelden?weiter=/redaktion/quellen/")
    assert isinstance(page, Page)
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(app.url + "redaktion/quellen/")
    assert page.locator("h1").inner_text() == "Quellen"
    assert page.get_by_role("heading", name="FreiRaum Zittau (Zittau)").is_visible()
    assert serious_violations(page) == []
    page.get_by_text("Vor dem Freigeben bearbeiten").click()
    page.get_by_label("Abrufintervall in Minuten").fill("120")
    page.get_by_role("button", name="Änderungen speichern").click()
    page.wait_for_url(app.url + "redaktion/quellen/?erledigt=gespeichert")
    assert page.get_by_role("status").inner_text() == "Die Anmeldung ist geändert."
    assert serious_violations(page) == []
    assert problems == []
    engine = make_engine(app.database)
    try:
        (edited,) = Registrations(engine).listing(("pending",))
    finally:
        engine.dispose()
    assert (edited.source_id, edited.definition["interval"]) == ("freiraum-zittau", 120)
    page.context.close()
