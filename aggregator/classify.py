"""Items as JSON → their cities, topics and story cluster: what `aggregator classify` prints and
`aggregator eval` scores. Pure: the same taggers and the same clustering as the crawl, over
plain dictionaries, so that a labeled set measures exactly what the crawl does.

Input items: `{"id", "source_id", "title", "summary", "published" (ISO date, optional), "url"
(optional)}`; `source_id` names a source of sources.yaml, whose city is the prior.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from aggregator.dedup import DedupDoc, cluster
from aggregator.model import Source
from aggregator.tagging import tag_text
from aggregator.tagging.topics import Taxonomy

REQUIRED = ("id", "source_id", "title")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InputItem:
    id: str
    source_id: str
    title: str
    summary: str
    published: datetime | None
    url: str | None


def parse_items(data: Any, *, where: str = "items") -> list[InputItem]:
    """Validate the JSON list; ValueError with one line naming the item and field."""
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a JSON list of items")
    items: list[InputItem] = []
    seen: set[str] = set()
    for index, raw in enumerate(data):
        at = f"{where}[{index}]"
        if not isinstance(raw, dict):
            raise ValueError(f"{at}: expected an object")
        for key in REQUIRED:
            if not isinstance(raw.get(key), str) or not raw[key].strip():
                raise ValueError(f"{at}: field '{key}' must be a non-empty string")
        if raw["id"] in seen:
            raise ValueError(f"{at}: duplicate id {raw['id']!r}")
        seen.add(raw["id"])
        summary = raw.get("summary") or ""
        if not isinstance(summary, str):
            raise ValueError(f"{at}: field 'summary' must be a string")
        url = raw.get("url")
        if url is not None and not isinstance(url, str):
            raise ValueError(f"{at}: field 'url' must be a string")
        items.append(
            InputItem(
                raw["id"], raw["source_id"], raw["title"], summary, _date(raw, at), url or None
            )
        )
    return items


def classify(
    items: Sequence[InputItem],
    sources: Mapping[str, Source],
    *,
    taxonomy: Taxonomy | None = None,
) -> list[dict[str, Any]]:
    """For each item: `{"id", "cities", "topics", "cluster"}` (the cluster's representative id)."""
    unknown = sorted({i.source_id for i in items} - set(sources))
    if unknown:
        raise ValueError(f"unknown source_id {unknown[0]!r} (not in the sources file)")
    docs = []
    results: list[dict[str, Any]] = []
    for item in items:
        source = sources[item.source_id]
        tags = tag_text(item.title, item.summary, source_city=source.city, taxonomy=taxonomy)
        results.append(
            {
                "id": item.id,
                "cities": sorted({t.value for t in tags if t.kind == "city"}),
                "topics": sorted({t.value for t in tags if t.kind == "topic"}),
            }
        )
        docs.append(
            DedupDoc(
                id=item.id,
                source_id=item.source_id,
                title=item.title,
                text=item.summary,
                url=item.url,
                guid=None,
                first_seen=item.published or _EPOCH,
                published=item.published,
                own_site=_own_site(item.url, source),
            )
        )
    clusters = cluster(docs)
    for result in results:
        result["cluster"] = clusters[result["id"]]
    return results


def _date(raw: Mapping[str, Any], at: str) -> datetime | None:
    value = raw.get("published")
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"{at}: field 'published' must be an ISO date")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{at}: field 'published' is not an ISO date: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _own_site(url: str | None, source: Source) -> bool:
    if not url:
        return False
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    return host == (urlsplit(source.homepage).hostname or "").removeprefix("www.")
