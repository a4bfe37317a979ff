"""The health pages in a real browser (Debian's chromium through playwright), over loopback:
axe-core on the editor's /redaktion/zustand (flags, held items) and on a forum's status page
with an error and a refused proposal; both work under the CSP without any script."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher

from aggregator.editors import add_editor
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.tokens import source_status_path
from aggregator.model import FetchState, Item, Source
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.db import make_engine, upgrade
from aggregator.store.editors import Editors
from aggregator.store.registry import Registry
from aggregator.templating import area_templates
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer
from tests.e2e.test_editor_browser import CHROMIUM, PASSWORD, open_page, serious_violations

NOW = datetime(2026, 12, 1, 11, 0, tzinfo=UTC)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium",
    ),
]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(the app's URL, the status page's path)"""
    folder = tmp_path_factory.mktemp("health")
    engine = make_engine(f"sqlite:///{folder / 'agg.db'}")
    upgrade(engine)
    add_editor(
        Editors(engine),
        "anna",
        PASSWORD,
        NOW,
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
    )
    source = Source(
        "zittau",
        "Zittauer Stadtforum",
        "Zittau",
        "https://zittau.example/",
        "https://zittau.example/feed/",
        origin="registry",
    )
    Registry(engine).add(source, now=NOW - timedelta(days=90), contact_email="info@zittau.example")
    store = Store(engine)
    old = [
        Item(
            "zittau",
            f"a{n}",
            f"https://zittau.example/{n}",
            f"https://zittau.example/{n}",
            f"Beitrag {n}",
            "",
            "Text",
            NOW - timedelta(days=40 + n),
            cities=("Zittau",),
        )
        for n in range(8)
    ]
    store.upsert_items(old, NOW - timedelta(days=30))
    reissued = [
        Item(
            "zittau",
            f"n{n}",
            f"https://zittau.example/neu/{n}",
            f"https://zittau.example/neu/{n}",
            f"Beitrag {n}",
            "",
            "Text",
            NOW,
            cities=("Zittau",),
        )
        for n in range(8)
    ]
    store.upsert_items(reissued, NOW - timedelta(hours=3))
    store.save_fetch_state(
        FetchState(
            "zittau",
            url=source.feed,
            last_fetched_at=NOW - timedelta(days=2),
            last_success_at=NOW - timedelta(days=2),
            last_status="ok",
        )
    )
    store.save_fetch_state(
        FetchState(
            "zittau",
            url=source.feed,
            last_fetched_at=NOW - timedelta(hours=1),
            last_success_at=NOW - timedelta(days=2),
            consecutive_failures=12,
            last_status="failed",
            last_error="http_404",
            last_error_message="404",
        )
    )
    public = folder / "public"
    public.mkdir()
    for name in ("style.css", "favicon.svg"):
        shutil.copy(area_templates("site") / "static" / name, public / name)
    (folder / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    settings = Settings(config=folder / "sources.yaml", database_url=str(engine.url))
    context = WebContext(settings, engine, lambda: NOW)
    server = WebServer(create_app(public, context), "127.0.0.1", 0).start()
    try:
        yield server.url, source_status_path(mail_secret(settings, engine, NOW), "zittau")
    finally:
        server.stop()
        engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
        try:
            yield instance
        finally:
            instance.close()


def test_axe_on_the_health_page(browser: object, app: tuple[str, str]) -> None:
    from playwright.sync_api import Page

    url, _ = app
    page, problems = open_page(browser, url + "redaktion/zustand")
    assert isinstance(page, Page)
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(url + "redaktion/zustand")
    assert page.locator("h1").inner_text() == "Zustand der Quellen"
    assert "Viele alte Beiträge neu ausgegeben" in page.locator("table").inner_text()
    assert serious_violations(page) == []
    page.get_by_role("button", name="Alle 8 Beiträge von „Zittauer Stadtforum“ freigeben").click()
    page.wait_for_load_state("load")
    assert (
        "8 Beiträge von „Zittauer Stadtforum“ freigegeben"
        in page.get_by_role("status").inner_text()
    )
    assert serious_violations(page) == []
    assert problems == []
    page.context.close()


def test_axe_on_the_status_page_and_its_refusal(browser: object, app: tuple[str, str]) -> None:
    from playwright.sync_api import Page

    url, path = app
    page, problems = open_page(browser, url + path.lstrip("/"))
    assert isinstance(page, Page)
    assert page.locator("h1").inner_text() == "Statusseite: Zittauer Stadtforum"
    assert "Seite nicht gefunden (HTTP 404)" in page.locator("main").inner_text()
    assert serious_violations(page) == []
    page.fill("#adresse", "http://10.0.0.1/feed")
    page.get_by_role("button", name="Vorschlag an die Redaktion senden").click()
    page.wait_for_load_state("load")
    assert "zeigt in ein privates Netz" in page.get_by_role("alert").inner_text()
    assert page.locator("#adresse").get_attribute("aria-invalid") == "true"
    assert serious_violations(page) == []
    assert [p for p in problems if "400" not in p] == []  # the refusal is a 400, on purpose
    page.context.close()
