"""The demo network over real loopback HTTP: each sample site serves what it promises.

A crawler run against `make demo` shows one case per site (a slow server, a moved feed, HTML
instead of a feed, a news page to scrape …); these tests pin that each site really behaves that
way on the wire. tests/unit/test_demo_scraped_sites.py pins the scraped sites' pages in detail.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import feedparser
import httpx
import pytest
import yaml

from aggregator.demo import content
from aggregator.demo.network import DemoNetwork
from aggregator.demo.scraped import DISCOVERABLE_SITE, SCRAPED_SITES
from aggregator.demo.sites import (
    SHARED_STORY_PATH,
    SITES,
    SLOW_DELAY_S,
    build_routes,
    demo_sources,
    expected_scraped_items,
)

NOW = datetime(2026, 3, 15, 11, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def net() -> Iterator[DemoNetwork]:
    with DemoNetwork(NOW, slow_delay_s=0.05) as network:
        yield network


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10) as client:
        yield client


def _get(http: httpx.Client, url: str, **headers: str) -> httpx.Response:
    return http.get(url, headers=headers)


def _parse(response: httpx.Response) -> Any:
    return feedparser.parse(response.content)


def _canonical(url: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if not k.startswith("utm_")]
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, urlencode(query), ""))


WORKING_FEEDS = [
    ("leipzig-stadtforum", "rss20"),
    ("netzwerk-stadtforen", "rss20"),
    ("chemnitz-stadtforum", "rss20"),
    ("altenburg-stadtforum", "rss20"),
    ("goerlitz-aktionskreis", "atom10"),
    ("halle-aki", "rss10"),
    ("dresden-dresdens-erben", "rss20"),
    ("weissenfels-buerger", "rss20"),
]


def test_there_are_at_least_eight_sites_in_member_cities() -> None:
    cities = {site.city for site in SITES if site.city}
    assert len(SITES) >= 8
    assert {"Leipzig", "Chemnitz", "Dresden", "Halle (Saale)", "Weimar", "Görlitz"} <= cities


# the sites of sites.py, whose home pages list their posts as <article> blocks
POST_LISTING_SITES = [s for s in SITES if s not in SCRAPED_SITES and s is not DISCOVERABLE_SITE]


@pytest.mark.parametrize("site", SITES, ids=[s.id for s in SITES])
def test_home_page_is_german_html_marked_as_sample(
    net: DemoNetwork, http: httpx.Client, site: Any
) -> None:
    response = _get(http, net.url(site.prefix))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'<html lang="de[-"]', response.text)
    assert "Beispielinhalt der Demo" in response.text
    if site in POST_LISTING_SITES:
        assert response.text.count("<article>") >= 5


def test_every_scraped_item_link_answers_200_with_an_etag_and_then_304(
    net: DemoNetwork, http: httpx.Client
) -> None:
    expected = expected_scraped_items(NOW, net.base_url)
    assert set(expected) == {site.id for site in SCRAPED_SITES}
    for site in SCRAPED_SITES:
        page = http.get(net.registered_url(site.id))
        assert page.status_code == 200, site.id
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        for item in expected[site.id]:
            response = http.get(item.link)
            assert response.status_code == 200, item.link
            assert response.headers["content-type"] == "text/html; charset=utf-8"
            again = _get(http, item.link, **{"If-None-Match": response.headers["etag"]})
            assert again.status_code == 304, item.link
            assert again.content == b""


def test_wordpress_without_feed_has_a_second_list_page_and_its_feed_answers_404(
    net: DemoNetwork, http: httpx.Client
) -> None:
    first = http.get(net.registered_url("leipzig-stadt-fuer-alle")).text
    older = re.search(r'<div class="nav-previous"><a href="([^"]+)">Ältere Beiträge</a>', first)
    assert older
    assert older.group(1) == net.url("/stadtfueralle/aktuelles/page/2/")
    assert http.get(older.group(1)).text.count('<article id="post-') == 2
    assert http.get(net.url("/stadtfueralle/feed/")).status_code == 404


def test_discoverable_feed_is_found_only_through_the_home_page(
    net: DemoNetwork, http: httpx.Client
) -> None:
    home = http.get(net.url("/denkmalnetz/")).text
    feeds = re.findall(
        r'<link rel="alternate" type="application/rss\+xml" title="([^"]+)" '
        r'href="([^"]+)">',
        home,
    )
    assert [href for _title, href in feeds] == [
        net.url("/denkmalnetz/x/aktuelles/kommentare.rss"),
        net.feed_url("denkmalnetz-sachsen"),
    ]
    assert "Kommentar-Feed" in feeds[0][0]
    parsed = _parse(http.get(net.feed_url("denkmalnetz-sachsen")))
    assert parsed.version == "rss20"
    assert len(parsed.entries) == 5
    for guess in ("/denkmalnetz/feed/", "/denkmalnetz/rss.xml", "/denkmalnetz/atom.xml"):
        assert http.get(net.url(guess)).status_code == 404


@pytest.mark.parametrize(("site_id", "version"), WORKING_FEEDS)
def test_working_feed_parses_with_items_whose_links_open(
    net: DemoNetwork, http: httpx.Client, site_id: str, version: str
) -> None:
    response = http.get(net.feed_url(site_id), follow_redirects=True)
    assert response.status_code == 200
    parsed = _parse(response)
    assert parsed.version == version
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert 5 <= len(parsed.entries) <= 12
    for entry in parsed.entries:
        assert entry.title
        assert entry.link.startswith(net.base_url)
        page = http.get(entry.link)
        assert page.status_code == 200, entry.link
        assert "Beispielinhalt der Demo" in page.text


@pytest.mark.parametrize(("site_id", "version"), WORKING_FEEDS)
def test_items_are_spread_over_the_six_weeks_before_now(
    net: DemoNetwork, http: httpx.Client, site_id: str, version: str
) -> None:
    raw = http.get(net.feed_url(site_id), follow_redirects=True).text
    dates = [
        parsedate_to_datetime(d).replace(tzinfo=UTC)  # naive ones: close enough for the window
        for d in re.findall(r"<pubDate>([^<]+)</pubDate>", raw)
    ] + [
        datetime.fromisoformat(d.replace("Z", "+00:00"))
        for d in re.findall(r"<(?:published|dc:date)>([^<]+)</", raw)
    ]
    assert len(dates) >= 5
    assert all(NOW - timedelta(days=44) < d < NOW for d in dates)
    assert max(dates) > NOW - timedelta(days=6)  # fresh: something from the last days


def test_leipzig_is_a_wordpress_feed_with_content_to_clean(
    net: DemoNetwork, http: httpx.Client
) -> None:
    response = http.get(net.feed_url("leipzig-stadtforum"))
    raw = response.text
    parsed = _parse(response)
    assert "<content:encoded><![CDATA[" in raw
    assert "<dc:creator>" in raw
    assert {tag.term for e in parsed.entries for tag in e.tags} >= {"Denkmalpflege", "Netzwerk"}
    assert any(e.author == "Katrin Vogel" for e in parsed.entries)
    # unsafe markup a sanitizer must remove, relative URLs a normalizer must resolve
    assert "<script>" in raw
    assert 'onclick="' in raw
    assert 'href="/leipzig/' in raw
    image = re.search(r'<img src="(/leipzig/[^"]+\.png)"', raw)
    assert image
    picture = http.get(net.url(image.group(1)))
    assert picture.headers["content-type"] == "image/png"
    assert picture.content.startswith(b"\x89PNG")
    assert any("utm_source=" in e.link for e in parsed.entries)


def test_leipzig_feed_is_gzipped_cacheable_and_answers_304(
    net: DemoNetwork, http: httpx.Client
) -> None:
    url = net.feed_url("leipzig-stadtforum")
    first = http.get(url)
    assert first.headers["content-encoding"] == "gzip"
    assert first.headers["cache-control"] == "max-age=600"
    etag = first.headers["etag"]
    assert first.headers["last-modified"].endswith(" GMT")

    again = _get(http, url, **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag


def test_goerlitz_atom_answers_304_to_if_modified_since(
    net: DemoNetwork, http: httpx.Client
) -> None:
    url = net.feed_url("goerlitz-aktionskreis")
    first = http.get(url)
    assert first.headers["content-type"].startswith("application/atom+xml")
    assert "etag" not in first.headers
    again = _get(http, url, **{"If-Modified-Since": first.headers["last-modified"]})
    assert again.status_code == 304


def test_altenburg_announces_ttl_and_writes_dates_without_zone(
    net: DemoNetwork, http: httpx.Client
) -> None:
    response = http.get(net.feed_url("altenburg-stadtforum"))
    assert response.headers["content-type"].startswith("application/rss+xml")
    assert _parse(response).feed.ttl == "120"
    dates = re.findall(r"<pubDate>([^<]+)</pubDate>", response.text)
    assert dates
    assert all(re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d", d) for d in dates)
    # the same path without ?feed= is the HTML home page
    home = http.get(net.url("/altenburg/"))
    assert home.headers["content-type"].startswith("text/html")


def test_halle_serves_rss_1_0(net: DemoNetwork, http: httpx.Client) -> None:
    response = http.get(net.feed_url("halle-aki"))
    assert response.headers["content-type"].startswith("application/rdf+xml")
    assert "<rdf:RDF" in response.text


def test_weimar_serves_a_valid_json_feed_1_1(net: DemoNetwork, http: httpx.Client) -> None:
    url = net.feed_url("weimar-schiesshaus")
    response = http.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/feed+json")
    feed = json.loads(response.text)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["feed_url"] == url
    assert feed["home_page_url"] == net.url("/weimar/")
    assert 5 <= len(feed["items"]) <= 12
    ids = [item["id"] for item in feed["items"]]
    assert len(set(ids)) == len(ids)
    for item in feed["items"]:
        assert item["title"]
        assert item["url"].startswith(net.base_url)
        assert ("content_html" in item) or ("content_text" in item)
        assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
    assert any("content_text" in item for item in feed["items"])


def test_dresden_old_feed_url_moved_permanently(net: DemoNetwork, http: httpx.Client) -> None:
    old = net.feed_url("dresden-dresdens-erben")
    response = http.get(old)
    assert response.status_code == 301
    new = response.headers["location"]
    assert new == net.url("/dresden/feed.xml")
    assert new != old
    assert _parse(http.get(new)).version == "rss20"


def test_pirna_feed_is_cut_off_but_the_entries_before_the_cut_are_readable(
    net: DemoNetwork, http: httpx.Client
) -> None:
    response = http.get(net.feed_url("pirna-kuratorium"))
    assert response.status_code == 200
    assert not response.text.rstrip().endswith("</rss>")
    parsed = _parse(response)
    assert parsed.bozo
    expected = [post.title for post in content.pirna(content.Calendar(NOW))[:4]]
    assert [entry.title for entry in parsed.entries[:4]] == expected


def test_zittau_feed_url_serves_its_html_home_page(net: DemoNetwork, http: httpx.Client) -> None:
    response = http.get(net.feed_url("zittau-stadtforum"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith("<!DOCTYPE html>")
    assert "Stadtforum Zittau" in response.text
    parsed = _parse(response)
    assert parsed.bozo
    assert parsed.entries == []


def test_gotha_feed_fails_with_a_server_error(net: DemoNetwork, http: httpx.Client) -> None:
    response = http.get(net.feed_url("gotha-stadtforum"))
    assert response.status_code == 500


def test_chemnitz_is_slow_by_a_configurable_delay(net: DemoNetwork, http: httpx.Client) -> None:
    assert 2 <= SLOW_DELAY_S <= 3  # visible in the progress bar, far below a 10 s timeout
    routes = build_routes(NOW, "http://127.0.0.1:1")
    slow = routes["/chemnitz/feed/"]
    assert not callable(slow)
    assert slow.delay_s == SLOW_DELAY_S
    quick = build_routes(NOW, "http://127.0.0.1:1", slow_delay_s=0.05)["/chemnitz/feed/"]
    assert not callable(quick)
    assert quick.delay_s == 0.05
    assert DemoNetwork().slow_delay_s == SLOW_DELAY_S
    # the running network (started with 0.05 s) still answers with a readable feed
    assert len(_parse(http.get(net.feed_url("chemnitz-stadtforum"))).entries) >= 5
    assert any("0.05 s" in line for line in net.describe())


def test_one_story_is_carried_by_two_sites_under_one_canonical_url(
    net: DemoNetwork, http: httpx.Client
) -> None:
    def links(site_id: str) -> dict[str, str]:
        entries = _parse(http.get(net.feed_url(site_id))).entries
        return {_canonical(e.link): e.link for e in entries}

    leipzig = links("leipzig-stadtforum")
    netzwerk = links("netzwerk-stadtforen")
    shared = set(leipzig) & set(netzwerk)
    assert shared == {net.url(SHARED_STORY_PATH)}
    (url,) = shared
    assert "utm_source=" in leipzig[url]
    assert netzwerk[url] == url
    page = http.get(leipzig[url])
    assert page.status_code == 200
    assert "Vernetzungstreffen" in page.text


def test_written_sources_yaml_registers_every_site(
    net: DemoNetwork, http: httpx.Client, tmp_path: Path
) -> None:
    path = net.write_sources(tmp_path / "demo" / "sources.yaml")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#")
    data = yaml.safe_load(text)
    sources = data["sources"]
    ids = [source["id"] for source in sources]
    assert len(ids) == len(set(ids)) == len(SITES)
    common = {"id", "name", "city", "homepage", "enabled"}
    for source in sources:
        assert http.get(source["homepage"]).status_code == 200
        if "feed" in source:
            assert set(source) - {"interval"} == common | {"feed"}
            assert source["feed"].startswith(net.base_url)
            assert http.get(source["feed"]).status_code != 404
        else:
            assert set(source) - {"interval"} == common | {"scrape"}
            assert set(source["scrape"]) <= {"url", "max_pages"}
            assert source["scrape"]["url"].startswith(net.base_url)
            assert http.get(source["scrape"]["url"]).status_code == 200
    assert sum("scrape" in source for source in sources) == len(SCRAPED_SITES) == 6
    by_id = {source["id"]: source for source in sources}
    assert by_id["netzwerk-stadtforen"]["city"] is None
    assert by_id["halle-aki"]["city"] == "Halle (Saale)"
    assert by_id["weissenfels-buerger"]["enabled"] is False
    assert by_id["leipzig-stadtforum"]["interval"] == 30
    assert sources == demo_sources(net.base_url)


def test_describe_names_each_site_with_its_feed_or_news_page(net: DemoNetwork) -> None:
    lines = net.describe()
    assert len(lines) == len(SITES)
    for line, site in zip(lines, SITES, strict=True):
        assert site.name in line
        assert net.registered_url(site.id) in line
        assert ("liest Seite " in line) == (site.feed is None)
    with pytest.raises(ValueError, match="has no feed"):
        net.feed_url("freiberg-stadtforum")


def test_same_clock_serves_same_bytes_and_naive_clock_is_refused() -> None:
    first = build_routes(NOW, "http://127.0.0.1:1")
    second = build_routes(NOW, "http://127.0.0.1:1")
    assert first.keys() == second.keys()
    assert first["/netzwerk/feed/"] == second["/netzwerk/feed/"]
    later = build_routes(NOW + timedelta(days=30), "http://127.0.0.1:1")
    assert later["/netzwerk/feed/"] != first["/netzwerk/feed/"]
    with pytest.raises(ValueError, match="timezone-aware"):
        build_routes(datetime(2026, 3, 15, 12, 0), "http://127.0.0.1:1")
    with pytest.raises(ValueError, match="timezone-aware"):
        DemoNetwork(datetime(2026, 3, 15, 12, 0))


def test_config_loading_reads_the_written_sources_yaml(net: DemoNetwork, tmp_path: Path) -> None:
    from aggregator.config import load_sources

    written = net.write_sources(tmp_path / "sources.yaml")
    sources = load_sources(written, allow_private=True)
    assert [source.id for source in sources if source.feed] == [
        site.id for site in SITES if site.feed
    ]
    by_id = {source.id: source for source in sources}
    assert by_id["netzwerk-stadtforen"].city is None
    assert by_id["halle-aki"].interval_minutes == 240
    assert not by_id["weissenfels-buerger"].enabled
    assert by_id["dresden-dresdens-erben"].feed == net.url("/dresden/neues/rss.xml")


def test_config_loading_reads_the_scraped_sources_too(net: DemoNetwork, tmp_path: Path) -> None:
    from aggregator.config import load_sources

    sources = load_sources(net.write_sources(tmp_path / "sources.yaml"), allow_private=True)
    assert [source.id for source in sources] == [site.id for site in SITES]
    by_id = {source.id: source for source in sources}
    wordpress = by_id["leipzig-stadt-fuer-alle"]
    assert wordpress.feed is None
    assert wordpress.scrape is not None
    assert wordpress.scrape.url == net.url("/stadtfueralle/aktuelles/")
    assert wordpress.scrape.max_pages == 2
    assert by_id["weimar-schiesshaus-chronik"].url == net.url("/weimar-wiki/doku.php?id=chronik")
