"""Every scraping pattern of the demo network, crawled through its real fixture server: each
item's title, link and date as the site shows them, and a second crawl adds nothing. Also
discovery (`sources discover`) and `sources try` against the same sites."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from aggregator.config import load_sources
from aggregator.crawl import CrawlReport, crawl
from aggregator.demo.network import DemoNetwork
from aggregator.demo.scraped import DISCOVERABLE_SITE, SCRAPED_SITES, expected_scraped_items
from aggregator.fetch import FetchSettings
from aggregator.fetch.politeness import ScrapeSettings
from aggregator.model import Source
from aggregator.probe import discover, try_source, try_url
from aggregator.store import Store

NOW = datetime(2026, 11, 24, 13, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")
FETCH = FetchSettings(allow_private_addresses=True, connect_timeout=2, total_timeout=10)
POLITE_ENOUGH = ScrapeSettings(host_spacing_s=0.0, articles_per_run=50)


@pytest.fixture(scope="module")
def net() -> DemoNetwork:
    with DemoNetwork(NOW, slow_delay_s=0.05) as network:
        yield network  # type: ignore[misc]


def scraped_sources(net: DemoNetwork, tmp_path: Path) -> list[Source]:
    sources = load_sources(net.write_sources(tmp_path / "sources.yaml"), allow_private=True)
    return [s for s in sources if s.kind == "page"]


def run(sources: list[Source], store: Store) -> CrawlReport:
    return asyncio.run(
        crawl(sources, store, FETCH, clock=lambda: NOW, force=True, parse_workers=0,
              scrape=POLITE_ENOUGH)
    )  # fmt: skip


def test_the_demo_has_a_scraped_site_of_each_pattern(net: DemoNetwork, tmp_path: Path) -> None:
    sources = scraped_sources(net, tmp_path)
    assert {s.id for s in sources} == {site.id for site in SCRAPED_SITES}
    assert len(sources) == 6


@pytest.mark.parametrize("site_id", [site.id for site in SCRAPED_SITES])
def test_each_pattern_gives_every_item_with_its_title_link_and_date(
    site_id: str, net: DemoNetwork, engine: Engine, tmp_path: Path
) -> None:
    (source,) = [s for s in scraped_sources(net, tmp_path) if s.id == site_id]
    store = Store(engine)
    first = run([source], store)
    (outcome,) = first.outcomes
    assert (outcome.status, outcome.reason, outcome.message) == ("ok", None, None)
    expected = expected_scraped_items(NOW, net.base_url)[site_id]
    stories = store.stories()
    got = sorted((s.title, s.url.split("#")[0], s.published) for s in stories)
    want = sorted(
        (
            e.title,
            e.link,
            e.published.replace(tzinfo=BERLIN).astimezone(UTC) if e.published else NOW,
        )
        for e in expected
    )
    assert got == want
    assert outcome.new == len(expected)
    # a second crawl: the same page again adds nothing and fetches no article page again
    articles_before = len(net.requests)
    second = run([source], store)
    assert [(o.status, o.new, o.updated) for o in second.outcomes] in (
        [("ok", 0, 0)],
        [("not_modified", 0, 0)],
    )
    again = {r.path for r in net.requests[articles_before:]}
    list_page = source.url.split("?")[0].removeprefix(net.base_url)
    article_pages = {e.link.split("?")[0].removeprefix(net.base_url) for e in expected} - {
        list_page
    }
    assert list_page in again
    assert not again & article_pages  # every article page was read once, by the first crawl
    assert len(store.stories()) == len(expected)


def test_discovery_finds_the_feed_named_only_on_the_homepage(net: DemoNetwork) -> None:
    homepage = net.url(DISCOVERABLE_SITE.prefix)
    found = asyncio.run(discover(homepage, FETCH, now=NOW, scrape=POLITE_ENOUGH))
    assert found.best is not None
    assert found.best.kind == "feed"
    assert found.best.url == net.registered_url(DISCOVERABLE_SITE.id)
    tried = [t.url for t in found.tried]
    assert not any("kommentare" in url for url in tried)  # the comment feed is skipped
    assert len(found.best.preview()) == 5
    assert found.best.problems == ()


def test_discovery_falls_back_to_scraping_the_news_page(net: DemoNetwork) -> None:
    site = next(s for s in SCRAPED_SITES if s.id == "leipzig-stadt-fuer-alle")
    found = asyncio.run(discover(net.url(site.prefix), FETCH, now=NOW, scrape=POLITE_ENOUGH))
    assert found.best is not None and found.best.kind == "page"
    assert found.best.pattern == "wordpress"
    assert found.best.url == net.registered_url(site.id)
    assert [t.kind for t in found.tried if t.kind == "feed"]  # feeds were tried first, failed
    assert all(t.failed or not t.items for t in found.tried if t.kind == "feed")


def test_try_names_what_would_be_stored_without_storing(net: DemoNetwork, tmp_path: Path) -> None:
    source = next(s for s in scraped_sources(net, tmp_path) if s.id == "freiberg-stadtforum")
    report = asyncio.run(try_source(source, FETCH, now=NOW, scrape=POLITE_ENOUGH))
    assert not report.failed and report.pattern == "dated-blocks"
    expected = expected_scraped_items(NOW, net.base_url)["freiberg-stadtforum"]
    assert len(report.items) == len(expected)
    assert (
        report.preview()[0].title
        == max(
            (e for e in expected if e.published), key=lambda e: e.published or datetime.min
        ).title
    )


def test_try_a_url_reads_an_html_page_as_a_news_page(net: DemoNetwork) -> None:
    site = next(s for s in SCRAPED_SITES if s.id == "dresden-entwicklungsforum")
    report = asyncio.run(try_url(net.registered_url(site.id), FETCH, now=NOW))
    assert report.kind == "page" and report.pattern == "typo3" and not report.failed


def test_cli_discover_prints_the_best_way_and_a_sources_yaml_entry(
    net: DemoNetwork, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aggregator.cli import main

    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")
    monkeypatch.setenv("AGGREGATOR_HOST_SPACING_S", "0")
    site = next(s for s in SCRAPED_SITES if s.id == "zittau-freiraum")
    assert main(["sources", "discover", net.url(site.prefix)]) == 0
    out = capsys.readouterr().out
    assert f"news page {net.registered_url(site.id)} (items found as: jimdo)" in out
    assert "for sources.yaml (check id, name and city):" in out
    entry = out.split("for sources.yaml (check id, name and city):")[1]
    assert "scrape:" in entry and f"url: {net.registered_url(site.id)}" in entry
    # the entry is valid sources.yaml once pasted under `sources:`
    from aggregator.config import parse_sources

    (parsed,) = parse_sources("sources:\n" + entry.strip("\n") + "\n", allow_private=True)
    assert parsed.kind == "page" and parsed.url == net.registered_url(site.id)


def test_cli_try_names_problems_and_exits_1_when_nothing_is_readable(
    net: DemoNetwork, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from aggregator.cli import main

    monkeypatch.setenv("AGGREGATOR_ALLOW_PRIVATE_URLS", "1")
    assert main(["sources", "try", net.url("/gotha/feed/")]) == 1
    out = capsys.readouterr().out
    assert "problem (http_500): HTTP 500 Internal Server Error" in out
    assert main(["sources", "try", net.registered_url(DISCOVERABLE_SITE.id)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"feed {net.registered_url(DISCOVERABLE_SITE.id)}\n")
    assert "items would be stored" in out
