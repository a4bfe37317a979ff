"""Managing the registry of sources: register one (after discovery and a try), enable or
disable it, list and export every source. Used by `aggregator sources add|list|enable|disable|
export|remove` and by the editor's approval of a forum's registration, so that a source added
either way is checked the same way.

Every source id and URL is unique across sources.yaml and the registry: `register` refuses a
clash with either (`SourceExistsError`), including a sources.yaml entry no crawl has stored yet.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime
from urllib.parse import urlsplit

from aggregator.config import load_config
from aggregator.errors import ConfigError
from aggregator.model import DEFAULT_INTERVAL_MINUTES, ScrapeRules, Source
from aggregator.probe import Discovery, TryReport, discover, try_url
from aggregator.publish.german import slugify
from aggregator.registry import entry_source, source_entry
from aggregator.runtime import fetch_settings, load_sources, scrape_settings
from aggregator.settings import Settings
from aggregator.store.registry import NotRegisteredError, Registry, SourceExistsError
from aggregator.store.repository import Store
from aggregator.urls import canonical_url, has_credentials, host_problem, url_problem

MAX_ID = 64


@dataclass(frozen=True, slots=True)
class Candidate:
    """What discovery found for a URL: the way to read it (None: nothing readable)."""

    report: TryReport | None  # the best try: a feed, or a news page to scrape
    discovery: Discovery
    site_name: str | None

    @property
    def problems(self) -> list[str]:
        lines = [p.text for p in self.discovery.problems]
        if self.report is not None:
            lines += [p.text for p in self.report.problems]
        return lines


def url_refusal(url: str, *, allow_private: bool) -> str | None:
    """Why a URL a person typed is not fetched at all (checked before any request; the names a
    host resolves to are checked again on every fetch and redirect hop), or None."""
    problem = url_problem(url)
    if problem is None and has_credentials(url):
        problem = "a user name or password in the URL is not accepted"
    if problem is None:
        problem = host_problem(url, allow_private=allow_private)
    return problem


def find_candidate(url: str, settings: Settings, now: datetime) -> Candidate:
    """How to read the site at `url`: when `url` is a feed, that feed; else discovery from it as
    a homepage (the feed it names, a common feed path, or a news page to scrape).
    ConfigError when `url` is refused before any fetch (`url_refusal`)."""
    refusal = url_refusal(url, allow_private=settings.allow_private_urls)
    if refusal is not None:
        raise ConfigError([f"{url[:200]}: {refusal}"])
    fetching, scraping = fetch_settings(settings), scrape_settings(settings)
    direct = asyncio.run(try_url(url, fetching, now=now, scrape=scraping))
    if direct.kind == "feed" and not direct.failed and direct.items:
        parts = urlsplit(direct.url)
        homepage = f"{parts.scheme}://{parts.netloc}/"
        report = replace(direct, source=replace(direct.source, homepage=homepage))
        return Candidate(report, Discovery(url, (report,), report), None)
    found = asyncio.run(discover(url, fetching, now=now, scrape=scraping))
    return Candidate(found.best, found, found.site_name)


def candidate_source(
    candidate: Candidate,
    *,
    source_id: str | None,
    name: str | None,
    city: str | None,
    interval: int = DEFAULT_INTERVAL_MINUTES,
    allow_private: bool = False,
) -> Source:
    """The registry entry for a candidate, validated by the rules of sources.yaml
    (ConfigError naming the field)."""
    report = candidate.report
    if report is None:
        raise ConfigError([f"{candidate.discovery.homepage}: no feed and no readable news page"])
    homepage = report.source.homepage
    title = name or candidate.site_name or urlsplit(homepage).hostname or "Quelle"
    source = Source(
        id=source_id or propose_id(title, city),
        name=title,
        city=city,
        homepage=homepage,
        feed=report.url if report.kind == "feed" else None,
        scrape=ScrapeRules(url=report.url) if report.kind == "page" else None,
        interval_minutes=interval,
        origin="registry",
    )
    return entry_source(source_entry(source), allow_private=allow_private, where="the new source")


def propose_id(name: str, city: str | None) -> str:
    """A readable id: the name's slug, with the city's when the name lacks it."""
    slug = slugify(name)
    if city and slugify(city) not in slug:
        slug = f"{slugify(city)}-{slug}"
    return (slug[:MAX_ID].rstrip("-") or "quelle").lstrip("-")


def register(
    settings: Settings,
    store: Store,
    source: Source,
    *,
    now: datetime,
    contact_email: str | None = None,
    description: str | None = None,
) -> Source:
    """Add `source` to the registry; `SourceExistsError` when its id or URL is sources.yaml's
    or another registered source's (nothing is overwritten)."""
    source = replace(source, origin="registry")
    declared = load_config(settings.config, allow_private=settings.allow_private_urls).sources
    for other in declared:
        if other.id == source.id:
            raise SourceExistsError(f"a source with the id '{source.id}' is in sources.yaml")
        if other.url and source.url and canonical_url(other.url) == canonical_url(source.url):
            raise SourceExistsError(f"{source.url} is already read as source '{other.id}'")
    Registry(store.engine).add(
        source, now=now, contact_email=contact_email, description=description
    )
    return source


def set_enabled(settings: Settings, store: Store, source_id: str, enabled: bool) -> Source:
    """Enable or disable a registered source (sources.yaml's: `enabled:` in the file)."""
    source = registered_source(settings, store, source_id)
    changed = replace(source, enabled=enabled)
    Registry(store.engine).change(changed)
    return changed


def registered_source(settings: Settings, store: Store, source_id: str) -> Source:
    """A registered source by id; NotRegisteredError for an unknown id or one of sources.yaml's."""
    for source in load_sources(settings, store).sources:
        if source.id == source_id:
            if source.origin != "registry":
                raise NotRegisteredError(
                    f"source '{source_id}' is declared in {settings.config}: change it there"
                )
            return source
    raise NotRegisteredError(f"no source '{source_id}' in {settings.config} or the registry")
