"""The registry of sources: sources.yaml's entries and the registered ones, as one list.

Two origins, one list (`Source.origin`):
- 'config': declared in sources.yaml by the operator, read on every crawl as before, changed only
  there;
- 'registry': registered by a forum (the web form, approved by the editor) or by
  `aggregator sources add`, stored in the database as a sources.yaml-style entry, so that every
  crawler process sharing the database sees a change at once.

An id is unique across both: a sources.yaml entry with the id of a registered source is an error
(never a silent override). Entries are validated by the same rules as sources.yaml
(`config.parse_config`), so a registered source can be exported into a sources.yaml as is.

Pure: values in, values out (the database side is `store.registry`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import yaml

from aggregator.config import parse_config
from aggregator.errors import ConfigError
from aggregator.model import DEFAULT_INTERVAL_MINUTES, DEFAULT_MAX_PAGES, Source
from aggregator.urls import canonical_url

REGISTRY_NAME = "the database registry"  # where an error in a stored entry is reported
SCRAPE_FIELDS = ("url", "item", "title", "link", "date", "excerpt", "image", "date_format")


def source_entry(source: Source) -> dict[str, Any]:
    """`source` as a sources.yaml entry (defaults left out), the inverse of `entry_source`."""
    entry: dict[str, Any] = {"id": source.id, "name": source.name}
    if source.city is not None:
        entry["city"] = source.city
    entry["homepage"] = source.homepage
    if source.scrape is not None:
        rules = source.scrape
        scrape: dict[str, Any] = {
            key: getattr(rules, key) for key in SCRAPE_FIELDS if getattr(rules, key) is not None
        }
        if rules.max_pages != DEFAULT_MAX_PAGES:
            scrape["max_pages"] = rules.max_pages
        entry["scrape"] = scrape
    else:
        entry["feed"] = source.feed
    if source.interval_minutes != DEFAULT_INTERVAL_MINUTES:
        entry["interval"] = source.interval_minutes
    if not source.enabled:
        entry["enabled"] = False
    if not source.feed_verified:
        entry["feed_verified"] = False
    if source.contact is not None:
        entry["contact"] = source.contact
    return entry


def entry_source(
    entry: Mapping[str, Any], *, allow_private: bool = False, where: str = REGISTRY_NAME
) -> Source:
    """A stored entry → a registered `Source`, checked by the rules of sources.yaml.

    Raises ConfigError naming `where` and the field."""
    text = json.dumps({"sources": [dict(entry)]}, ensure_ascii=False)  # JSON is YAML
    sources = parse_config(text, where, allow_private=allow_private).sources
    return replace(sources[0], origin="registry")


def merge(
    config: Sequence[Source], registered: Iterable[Source], *, config_name: str
) -> list[Source]:
    """sources.yaml's sources, then the registered ones; raise ConfigError on an id or feed URL
    declared in both."""
    by_id = {source.id: source for source in config}
    by_url = {canonical_url(s.url): s.id for s in config if s.url is not None}
    problems: list[str] = []
    merged = list(config)
    for source in registered:
        if source.id in by_id:
            problems.append(
                f"{config_name}: source '{source.id}' is also a registered source (stored in the "
                "database): rename the sources.yaml entry, or remove the registered one with "
                f"`aggregator sources remove {source.id}` to declare it in sources.yaml"
            )
            continue
        if source.url is not None and canonical_url(source.url) in by_url:
            problems.append(
                f"{config_name}: {source.url} of the registered source '{source.id}' is already "
                f"read as source '{by_url[canonical_url(source.url)]}'"
            )
            continue
        by_id[source.id] = source
        if source.url is not None:
            by_url[canonical_url(source.url)] = source.id
        merged.append(source)
    if problems:
        raise ConfigError(problems)
    return merged


def export_yaml(sources: Sequence[Source]) -> str:
    """Every source as a sources.yaml document (registered ones marked by a comment)."""
    lines = [
        "# Every source of the aggregator, as `aggregator sources export` wrote it.",
        "# Entries registered through the web form or `sources add` are marked `# registered`;",
        "# to declare one of them here instead, remove it from the registry first",
        "# (`aggregator sources remove ID`: its items stay).",
        "",
        "sources:",
    ]
    for source in sources:
        block = yaml.safe_dump(
            [source_entry(source)], allow_unicode=True, sort_keys=False, width=100
        ).rstrip("\n")
        if source.origin == "registry":
            lines.append("  # registered")
        lines += [f"  {line}" for line in block.splitlines()]
        lines.append("")
    return "\n".join(lines)
