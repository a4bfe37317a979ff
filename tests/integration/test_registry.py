"""The database as the registry of sources: registered sources beside sources.yaml's, on SQLite
and PostgreSQL, crawled by `crawl_once` without the YAML file knowing them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aggregator.config import parse_config
from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.errors import ConfigError, StoreError
from aggregator.model import ScrapeRules, Source
from aggregator.registry import entry_source, export_yaml, merge, source_entry
from aggregator.runtime import crawl_once, load_sources
from aggregator.settings import Settings
from aggregator.store.registry import NotRegisteredError, Registry, SourceExistsError
from aggregator.store.repository import Store

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
RSS = (
    '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Forum</title>'
    "<link>http://forum.example/</link><description>d</description>"
    "<item><guid>a1</guid><title>Abriss am Brühl verhindert</title>"
    "<link>http://forum.example/a1</link><pubDate>Tue, 01 Dec 2026 10:00:00 +0000</pubDate>"
    "</item></channel></rss>"
).encode()


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as s:
        s.routes["/feed.xml"] = Response(200, RSS, {"Content-Type": "application/rss+xml"})
        yield s


def yaml_source(server: FixtureServer, tmp_path: Path) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(
        "sources:\n"
        "  - id: leipzig-yaml\n"
        "    name: Stadtforum Leipzig\n"
        "    city: Leipzig\n"
        "    homepage: http://forum.example/\n"
        f"    feed: {server.url('/leipzig.xml')}\n",
        encoding="utf-8",
    )
    return path


def registered(server: FixtureServer, sid: str = "halle-registriert") -> Source:
    return Source(
        sid,
        "Stadtforum Halle",
        "Halle (Saale)",
        "http://forum.example/",
        server.url("/feed.xml"),
        origin="registry",
    )


def settings_for(config: Path, database_url: str) -> Settings:
    return Settings(config=config, database_url=database_url, allow_private_urls=True)


def test_a_registered_source_is_crawled_beside_the_yaml_ones(
    engine: Engine, database_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    server.routes["/leipzig.xml"] = Response(200, RSS.replace(b"a1", b"l1"), {})
    settings = settings_for(yaml_source(server, tmp_path), database_url)
    store = Store(engine)
    Registry(engine).add(registered(server), now=NOW, contact_email="kontakt@forum.example")

    sources = load_sources(settings, store).sources
    assert [(s.id, s.origin) for s in sources] == [
        ("leipzig-yaml", "config"),
        ("halle-registriert", "registry"),
    ]
    report = crawl_once(settings, store)  # reads sources.yaml and the registry itself

    assert {o.source_id: o.status for o in report.outcomes} == {
        "leipzig-yaml": "ok",
        "halle-registriert": "ok",
    }
    assert {s.source_id for s in store.stories()} == {"leipzig-yaml", "halle-registriert"}
    record = Registry(engine).record("halle-registriert")
    assert record is not None and record.origin == "registry"
    assert record.contact_email == "kontakt@forum.example"
    # the crawl's sync of sources.yaml leaves the registered source alone
    assert Registry(engine).record("halle-registriert") == record


def test_ids_and_urls_are_unique_across_both_origins(
    engine: Engine, database_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    settings = settings_for(yaml_source(server, tmp_path), database_url)
    store = Store(engine)
    crawl_once(settings, store)  # leipzig-yaml is now a stored source
    registry = Registry(engine)

    with pytest.raises(SourceExistsError, match="the id 'leipzig-yaml' exists already"):
        registry.add(
            Source("leipzig-yaml", "X", None, "http://x.example/", server.url("/other.xml")),
            now=NOW,
        )
    with pytest.raises(SourceExistsError, match="already read as source 'leipzig-yaml'"):
        registry.add(
            Source("neu", "X", None, "http://x.example/", server.url("/leipzig.xml")), now=NOW
        )
    registry.add(registered(server), now=NOW)
    with pytest.raises(SourceExistsError):
        registry.add(registered(server), now=NOW)  # a second registration never overwrites

    # sources.yaml now declaring the registered id: a clear error, nothing taken over
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        "sources:\n  - id: halle-registriert\n    name: Y\n    homepage: http://y.example/\n"
        f"    feed: {server.url('/y.xml')}\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as raised:
        load_sources(settings_for(clash, database_url), store)
    assert list(raised.value.problems) == [
        f"{clash}: source 'halle-registriert' is also a registered source (stored in the "
        "database): rename the sources.yaml entry, or remove the registered one with "
        "`aggregator sources remove halle-registriert` to declare it in sources.yaml"
    ]
    with pytest.raises(StoreError, match=r"sources\.yaml cannot redefine it"):
        store.sync_sources(parse_config(clash.read_text(), str(clash), allow_private=True).sources)


def test_yaml_sources_are_changed_only_in_the_yaml(
    engine: Engine, database_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    settings = settings_for(yaml_source(server, tmp_path), database_url)
    crawl_once(settings, Store(engine))
    registry = Registry(engine)
    yaml_one = load_sources(settings, Store(engine)).sources[0]
    with pytest.raises(NotRegisteredError, match=r"declared in sources\.yaml: change it there"):
        registry.change(yaml_one)
    with pytest.raises(NotRegisteredError, match="no source 'unbekannt'"):
        registry.remove("unbekannt")


def test_a_changed_url_forgets_the_old_validators_and_remove_stops_the_crawl(
    engine: Engine, database_url: str, server: FixtureServer, tmp_path: Path
) -> None:
    server.routes["/leipzig.xml"] = Response(200, RSS.replace(b"a1", b"l1"), {})
    server.routes["/feed.xml"] = Response(
        200, RSS, {"Content-Type": "application/rss+xml", "ETag": '"v1"'}
    )
    settings = settings_for(yaml_source(server, tmp_path), database_url)
    store = Store(engine)
    registry = Registry(engine)
    source = registered(server)
    registry.add(source, now=NOW)
    crawl_once(settings, store)
    assert store.fetch_states()["halle-registriert"].etag == '"v1"'

    server.routes["/neu.xml"] = Response(200, RSS.replace(b"a1", b"n1"), {})
    moved = Source(
        source.id, source.name, source.city, source.homepage, server.url("/neu.xml"), 240
    )
    registry.change(moved)
    state = store.fetch_states()["halle-registriert"]
    assert (state.url, state.etag) == (server.url("/neu.xml"), None)
    loaded = {s.id: s for s in load_sources(settings, store).sources}
    assert loaded["halle-registriert"].interval_minutes == 240

    registry.remove("halle-registriert")
    assert [s.id for s in load_sources(settings, store).sources] == ["leipzig-yaml"]
    assert any(s.source_id == "halle-registriert" for s in store.stories())  # items stay


def test_entries_round_trip_and_export_is_a_valid_sources_yaml() -> None:
    scraped = Source(
        "zittau",
        "Stadtforum Zittau",
        "Zittau",
        "https://zittau.example/",
        None,
        interval_minutes=120,
        enabled=False,
        scrape=ScrapeRules(url="https://zittau.example/aktuelles/", item="article", max_pages=3),
        origin="registry",
    )
    fed = Source("netz", "Netzwerk", None, "https://netz.example/", "https://netz.example/feed/")
    assert entry_source(source_entry(scraped)) == scraped
    assert source_entry(fed) == {
        "id": "netz",
        "name": "Netzwerk",
        "homepage": "https://netz.example/",
        "feed": "https://netz.example/feed/",
    }
    exported = export_yaml([fed, scraped])
    assert "  # registered\n  - id: zittau" in exported
    reread = parse_config(exported, "export.yaml").sources
    assert [s.id for s in reread] == ["netz", "zittau"]
    assert reread[1].scrape == scraped.scrape and not reread[1].enabled


def test_a_stored_entry_is_validated_like_sources_yaml() -> None:
    with pytest.raises(ConfigError) as raised:
        entry_source({"id": "x", "name": "X", "homepage": "https://x.example/", "feed": "ftp://x"})
    assert "the database registry" in raised.value.problems[0]
    with pytest.raises(ConfigError, match="private"):
        entry_source(
            {"id": "x", "name": "X", "homepage": "https://x.example/", "feed": "http://10.0.0.1/"}
        )


def test_merge_refuses_one_url_under_two_ids() -> None:
    yaml_one = Source("a", "A", None, "https://a.example/", "https://a.example/feed/")
    twin = Source(
        "b", "B", None, "https://b.example/", "https://A.example/feed/", origin="registry"
    )
    with pytest.raises(ConfigError, match="already read as source 'a'"):
        merge([yaml_one], [twin], config_name="sources.yaml")
