"""The published site in a real browser (Debian's chromium through playwright), over loopback."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from aggregator.publish import publish_site
from aggregator.publish.sample import NOW, sample_members, sample_stories
from aggregator.web.app import SECURITY_HEADERS, create_app
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

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"{CHROMIUM} is missing: apt-get install -y chromium",
    ),
]


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("site") / "public"
    publish_site(
        sample_stories(120, hostile=True),
        sample_members(),
        out,
        base_url="https://nachrichten.netzwerk-stadtforen.de/",
        now=NOW,
    )
    server = WebServer(create_app(out), "127.0.0.1", 0).start()
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield instance
        finally:
            instance.close()


def visit(browser: object, url: str, width: int = 1280) -> tuple[object, list[str]]:
    """Open url; returns the page and a list of problems seen while loading it."""
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Route

    assert isinstance(browser, Browser)
    problems: list[str] = []
    own = urlsplit(url).netloc
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="de-DE")
    page = context.new_page()

    def route(r: Route) -> None:
        if urlsplit(r.request.url).netloc != own:
            problems.append(f"request to another host: {r.request.url}")
            r.abort()
        else:
            r.continue_()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            problems.append(f"console error: {message.text}")

    def dialog(d: Dialog) -> None:
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    page.route("**/*", route)
    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("dialog", dialog)
    page.on(
        "response",
        lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    page.goto(url)
    page.wait_for_load_state("load")
    return page, problems


@pytest.mark.parametrize(
    "path", ["", "seite/2.html", "stadt/index.html", "stadt/halle-saale/index.html", "quellen.html"]
)
def test_pages_load_cleanly_in_german_with_one_h1(
    browser: object, site_url: str, path: str
) -> None:
    from playwright.sync_api import Page

    page, problems = visit(browser, site_url + path)
    assert isinstance(page, Page)
    assert page.locator("html").get_attribute("lang") == "de"
    assert page.locator("h1").count() == 1
    assert page.locator("h1").inner_text().strip()
    assert "NETZWERK Stadtforen Mitteldeutschland" in page.title()
    assert page.locator("script").count() == 0
    # the stylesheet applied: the header band is coloured
    band = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert band == "rgb(31, 58, 95)"
    assert problems == []
    page.context.close()


def test_hostile_story_is_shown_as_text_and_never_runs(browser: object, site_url: str) -> None:
    from playwright.sync_api import Page

    page, problems = visit(browser, site_url)
    assert isinstance(page, Page)
    first = page.locator("article.story h2").first.inner_text()
    assert first.startswith("<script>alert(1)</script>")
    assert problems == []  # no dialog: the payloads stayed text
    page.context.close()


def test_readable_on_a_320_px_phone(browser: object, site_url: str) -> None:
    from playwright.sync_api import Page

    for path in ("", "quellen.html", "stadt/halle-saale/index.html"):
        page, problems = visit(browser, site_url + path, width=320)
        assert isinstance(page, Page)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, (path, width)
        assert problems == []
        page.context.close()


def test_keyboard_user_can_skip_to_the_news_and_page_on(browser: object, site_url: str) -> None:
    from playwright.sync_api import Page

    page, problems = visit(browser, site_url)
    assert isinstance(page, Page)
    page.keyboard.press("Tab")
    skip = page.locator("a.skip-link")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0  # visible when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "inhalt"
    page.get_by_role("link", name="Ältere Meldungen").click()
    page.wait_for_url("**/seite/2.html")
    assert "Seite 2 von 3" in page.locator("nav.pager").inner_text()
    page.get_by_role("link", name="Neuere Meldungen").click()
    page.wait_for_url("**/index.html")
    assert problems == []
    page.context.close()


def test_not_found_page_is_served_for_unknown_paths(browser: object, site_url: str) -> None:
    from playwright.sync_api import Page

    page, problems = visit(browser, site_url + "gibt/es/nicht.html")
    assert isinstance(page, Page)
    assert page.locator("h1").inner_text() == "Seite nicht gefunden"
    # the 404 answer itself is expected (chromium also logs it); nothing else may fail
    expected_404 = "the server responded with a status of 404"
    assert [p for p in problems if "nicht.html" not in p and expected_404 not in p] == []
    assert [p for p in problems if p.startswith("HTTP ")] == [f"HTTP 404: {page.url}"]
    band = page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert band == "rgb(31, 58, 95)"  # the stylesheet came from the site root
    page.context.close()


def test_feeds_are_served_with_feed_media_types(site_url: str) -> None:
    import urllib.request

    expected = {
        "feed.xml": "application/rss+xml",
        "atom.xml": "application/atom+xml",
        "feed.json": "application/feed+json",
        "quellen.opml": "text/x-opml",
        "index.html": "text/html",
        "style.css": "text/css",
        "favicon.svg": "image/svg+xml",
    }
    for name, media_type in expected.items():
        with urllib.request.urlopen(site_url + name, timeout=10) as response:
            assert response.headers["Content-Type"].startswith(media_type)


def test_pages_work_under_the_content_security_policy(browser: object, site_url: str) -> None:
    """The policy is in force (an injected inline script does not run) and nothing is refused."""
    from playwright.sync_api import Browser

    assert isinstance(browser, Browser)
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Security" in m.text else None)
    response = page.goto(site_url + "stadt/halle-saale/index.html")
    assert response is not None
    policy = SECURITY_HEADERS["Content-Security-Policy"]
    assert response.headers["content-security-policy"] == policy
    page.wait_for_load_state("load")
    assert violations == []  # the published page needs nothing the policy forbids
    ran = page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
        " document.head.appendChild(s); return window.ran === 1 }"
    )
    assert ran is False
    context.close()
