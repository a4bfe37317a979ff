"""The editor area in a real browser (Debian's chromium through playwright), over loopback:
signing in and out with the keyboard alone, and axe-core on the login and start pages."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest
from argon2 import PasswordHasher

from aggregator.editors import add_editor
from aggregator.settings import Settings
from aggregator.store.db import make_engine, upgrade
from aggregator.store.editors import Editors
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.server import WebServer

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PASSWORD = "Elbwiesen-2026!"
SERIOUS = ("serious", "critical")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium",
    ),
]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("editor")
    engine = make_engine(f"sqlite:///{folder / 'agg.db'}")
    upgrade(engine)
    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)  # upgraded on login
    add_editor(Editors(engine), "anna", PASSWORD, NOW, cheap)
    (folder / "public").mkdir()
    context = WebContext(Settings(database_url=str(engine.url)), engine, lambda: datetime.now(UTC))
    server = WebServer(create_app(folder / "public", context), "127.0.0.1", 0).start()
    try:
        yield server.url
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


def open_page(browser: object, url: str) -> tuple[object, list[str]]:
    """A fresh browser context on url; returns the page and the problems seen while using it."""
    from playwright.sync_api import Browser, ConsoleMessage

    assert isinstance(browser, Browser)
    problems: list[str] = []
    own = urlsplit(url).netloc
    context = browser.new_context(viewport={"width": 1024, "height": 800}, locale="de-DE")
    page = context.new_page()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    def response(r: object) -> None:
        from playwright.sync_api import Response

        assert isinstance(r, Response)
        if urlsplit(r.url).netloc != own:
            problems.append(f"request to another host: {r.url}")
        elif r.status >= 400:
            problems.append(f"HTTP {r.status}: {r.url}")

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("response", response)
    page.goto(url)
    page.wait_for_load_state("load")
    return page, problems


def tab_to(page: object, selector: str, limit: int = 12) -> None:
    """Press Tab until the element matching selector has the focus (and show its focus ring)."""
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("e => e === document.activeElement"):
            outline = target.evaluate("e => getComputedStyle(e).outlineStyle")
            assert outline != "none", f"{selector} has no visible focus"
            return
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def serious_violations(page: object) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran under the page's CSP
    return [
        f"{v['id']} ({v['impact']}): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in SERIOUS
    ]


def test_keyboard_only_login_start_page_and_logout(browser: object, app_url: str) -> None:
    from playwright.sync_api import Page

    page, problems = open_page(browser, app_url + "redaktion/")
    assert isinstance(page, Page)
    assert page.url.endswith("/redaktion/anmelden?weiter=/redaktion/")
    assert page.locator("h1").inner_text() == "Anmelden"

    page.keyboard.press("Tab")
    assert page.locator("a.skip-link").evaluate("e => e === document.activeElement")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"

    tab_to(page, "#name")
    page.keyboard.type("anna")
    tab_to(page, "#password", limit=1)
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/redaktion/")

    assert page.locator("h1").inner_text() == "Redaktion"
    assert "Angemeldet als anna" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Wochenschau: Entwurf prüfen und freigeben").is_visible()

    tab_to(page, "form[action='/redaktion/abmelden'] button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/redaktion/anmelden?abgemeldet=1")
    assert page.get_by_role("status").inner_text() == "Sie haben sich abgemeldet."

    page.goto(app_url + "redaktion/")  # signed out for real: back to the login
    assert "/redaktion/anmelden" in page.url
    assert problems == []
    page.context.close()


def test_wrong_password_is_announced(browser: object, app_url: str) -> None:
    from playwright.sync_api import Page

    page, _ = open_page(browser, app_url + "redaktion/anmelden")
    assert isinstance(page, Page)
    page.fill("#name", "anna")
    page.fill("#password", "Falsches-Passwort-1")
    page.keyboard.press("Enter")
    page.wait_for_load_state("load")
    assert page.get_by_role("alert").inner_text() == "Name oder Passwort ist falsch."
    assert page.locator("#name").get_attribute("aria-describedby") == "login-fehler"
    page.context.close()


def test_axe_finds_no_serious_problems_on_login_and_start_page(
    browser: object, app_url: str
) -> None:
    from playwright.sync_api import Page

    page, problems = open_page(browser, app_url + "redaktion/anmelden")
    assert isinstance(page, Page)
    assert serious_violations(page) == []

    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/redaktion/")
    assert serious_violations(page) == []
    assert problems == []
    page.context.close()


def test_session_cookie_is_http_only_and_limited_to_the_area(browser: object, app_url: str) -> None:
    from playwright.sync_api import Page

    page, _ = open_page(browser, app_url + "redaktion/anmelden")
    assert isinstance(page, Page)
    page.fill("#name", "anna")
    page.fill("#password", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/redaktion/")
    cookies = {c["name"]: c for c in page.context.cookies()}
    session = cookies["redaktion_sitzung"]
    assert session["httpOnly"] is True
    assert session["path"] == "/redaktion"
    assert session["sameSite"] == "Lax"
    assert page.evaluate("document.cookie") == ""  # nothing readable by a script
    page.context.close()


def test_no_stylesheet_or_script_breaks_the_csp(browser: object, app_url: str) -> None:
    """The pages load their stylesheet (no inline styles): the login form is styled."""
    from playwright.sync_api import Page

    page, problems = open_page(browser, app_url + "redaktion/anmelden")
    assert isinstance(page, Page)
    border = page.locator("#name").evaluate("e => getComputedStyle(e).borderTopWidth")
    assert border == "2px"
    assert problems == []
    page.context.close()
