"""The digest pages in a real browser (Debian's chromium through playwright), over loopback:
an editor drafts the week, excludes a story, reorders two, edits a text and approves, with the
keyboard; the approval releases it as `aggregator run` does (site published, newsletter sent in
the background): the published digest page shows exactly that, and the local SMTP server received
it for the confirmed subscriber and not for the unconfirmed one. axe-core on the draft page, the
preview and the published page finds nothing serious."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from aggregator.editors import add_editor
from aggregator.mail.newsletter import Newsletter
from aggregator.model import Item, Source
from aggregator.release import release_digest
from aggregator.service import BackgroundReleases
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.db import make_engine, upgrade
from aggregator.store.digests import Digests
from aggregator.store.editors import Editors
from aggregator.tagging.topics import default_taxonomy
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer
from tests.e2e.test_editor_browser import ARGS, CHROMIUM, open_page, serious_violations
from tests.e2e.test_editor_browser import pytestmark as browser_marks
from tests.mailserver import MailServer

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the Monday after KW 48
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
WEEK = "2026-W48"
PASSWORD = "Elbwiesen-2026!"
BASE = "https://stadtforen.example.org/"
SECRET = "s" * 40
READER, UNCONFIRMED = "leserin@example.org", "unbestaetigt@example.org"
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
DRESDEN = Source(
    "dresden", "Stadtforum Dresden", "Dresden", "https://d.example/", "https://d.example/f"
)
HALLE = Source(
    "halle", "Arbeitskreis Halle", "Halle (Saale)", "https://h.example/", "https://h.example/f"
)

pytestmark = browser_marks


def item(source: Source, key: str, title: str) -> Item:
    return Item(
        source_id=source.id,
        guid=key,
        url=f"https://{source.id}.example/{key}",
        canonical_url=f"https://news.example/{key}",
        title=title,
        content_html="",
        excerpt=f"Kurztext {title}",
        published=MONDAY,
        cities=(source.city,) if source.city else (),
    )


@dataclass
class Running:
    url: str
    engine: Engine
    folder: Path
    mail: MailServer
    releases: BackgroundReleases


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    folder = tmp_path_factory.mktemp("digest")
    engine = make_engine(f"sqlite:///{folder / 'agg.db'}")
    upgrade(engine)
    store = Store(engine)
    store.sync_sources([LEIPZIG, DRESDEN, HALLE])
    store.upsert_items([item(LEIPZIG, "bahnhof", "Bahnhof wird saniert")], MONDAY)
    store.upsert_items([item(DRESDEN, "bahnhof", "Sanierung des Bahnhofs")], MONDAY)
    store.upsert_items([item(DRESDEN, "kirche", "Kirche öffnet wieder")], MONDAY + timedelta(1))
    store.upsert_items([item(HALLE, "park", "Neuer Park am Saaleufer")], MONDAY + timedelta(2))
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    add_editor(Editors(engine), "anna", PASSWORD, NOW, cheap)
    newsletter = Newsletter(engine, base_url=BASE, secret=SECRET)
    for address in (READER, UNCONFIRMED):
        link = newsletter.subscribe(address, NOW - timedelta(days=1)).confirm_url
        assert link is not None
        if address == READER:
            assert newsletter.confirm(link.rsplit("/", 1)[1], NOW)
    with MailServer() as mail:
        settings = Settings(
            database_url=str(engine.url),
            output_dir=folder / "public",
            base_url=BASE,
            smtp_port=mail.port,
            smtp_timeout_s=5,
            mail_secret=SECRET,
        )
        releases = BackgroundReleases(  # what `aggregator run` hands the web app
            lambda week: release_digest(
                settings, store, week, NOW, sources=[LEIPZIG, DRESDEN, HALLE],
                taxonomy=default_taxonomy(),
            )
        )  # fmt: skip
        context = WebContext(settings, engine, lambda: NOW, on_digest_approved=releases.submit)
        server = WebServer(create_app(folder / "public", context), "127.0.0.1", 0).start()
        try:
            yield Running(server.url, engine, folder, mail, releases)
        finally:
            server.stop()
            releases.shutdown()
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


def press(page: object, name: str) -> None:
    """Focus the button with this accessible name and press Enter (no mouse), then wait."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    button = page.get_by_role("button", name=name, exact=True)
    button.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


def headlines(page: object) -> list[str]:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    return [h.strip() for h in page.locator("ol.entries h3").all_inner_texts()]


def test_draft_edit_approve_and_publish(browser: object, running: Running) -> None:
    from playwright.sync_api import Page

    page, problems = open_page(browser, running.url + "redaktion/wochenschau/")
    assert isinstance(page, Page)
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == running.url + "redaktion/wochenschau/"

    press(page, "Entwurf für KW 48/2026 erstellen")
    assert page.url == running.url + f"redaktion/wochenschau/{WEEK}"
    assert headlines(page) == [
        "Bahnhof wird saniert",
        "Neuer Park am Saaleufer",
        "Kirche öffnet wieder",
    ]
    assert serious_violations(page) == []

    press(page, "Herausnehmen: Neuer Park am Saaleufer")
    assert "#eintrag-" in page.url
    assert page.locator("li.excluded h3").all_inner_texts() == ["Neuer Park am Saaleufer"]
    press(page, "Nach oben: Kirche öffnet wieder")
    press(page, "Nach oben: Kirche öffnet wieder")
    assert headlines(page) == [
        "Kirche öffnet wieder",
        "Bahnhof wird saniert",
        "Neuer Park am Saaleufer",
    ]

    blurb = page.get_by_role("textbox", name="Text").nth(1)  # the Bahnhof entry's text
    assert blurb.get_attribute("placeholder") == "Kurztext Bahnhof wird saniert"
    blurb.focus()
    page.keyboard.type("Die Sanierung beginnt im Frühjahr.")
    press(page, "Text speichern: Bahnhof wird saniert")
    assert page.get_by_role("textbox", name="Text").nth(1).input_value() == (
        "Die Sanierung beginnt im Frühjahr."
    )
    assert serious_violations(page) == []

    page.goto(running.url + f"redaktion/wochenschau/{WEEK}/vorschau")
    assert [h.strip() for h in page.locator("article h3").all_inner_texts()] == [
        "Kirche öffnet wieder",
        "Bahnhof wird saniert",
    ]
    position = page.locator("a.skip-link").evaluate("e => getComputedStyle(e).position")
    assert position == "absolute"  # the site's stylesheet loaded under the CSP
    assert serious_violations(page) == []
    page.goto(running.url + f"redaktion/wochenschau/{WEEK}")

    press(page, "Wochenschau freigeben")
    main = page.locator("main").inner_text()
    assert "Freigegeben am 30. November 2026, 10:00 Uhr von anna." in main
    assert page.get_by_role("button", name="Wochenschau freigeben").count() == 0
    assert problems == []
    page.context.close()

    running.releases.shutdown(drop_queued=False)  # the release the approval started is done
    assert [d.week for d in Digests(running.engine).approved()] == [WEEK]
    assert running.mail.recipients() == [READER]  # not the unconfirmed address
    [mail] = running.mail.messages
    assert mail["Subject"] == "Stadtforen-Wochenschau KW 48/2026"
    text = mail.get_body(("plain",))
    assert text is not None
    body = text.get_content()
    assert body.index("Kirche öffnet wieder") < body.index("Bahnhof wird saniert")
    assert "Die Sanierung beginnt im Frühjahr." in body and "Neuer Park" not in body
    published, published_problems = open_page(browser, running.url + f"digest/{WEEK}.html")
    assert isinstance(published, Page)
    stories = published.locator("article.story")
    assert [h.strip() for h in stories.locator("h3").all_inner_texts()] == [
        "Kirche öffnet wieder",
        "Bahnhof wird saniert",
    ]
    assert stories.nth(1).locator(".excerpt").inner_text() == "Die Sanierung beginnt im Frühjahr."
    assert stories.nth(0).locator(".excerpt").inner_text() == "Kurztext Kirche öffnet wieder"
    assert "Neuer Park am Saaleufer" not in published.locator("main").inner_text()
    assert published_problems == []
    assert serious_violations(published) == []
    published.context.close()
