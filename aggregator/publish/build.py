"""`publish_site`: render the whole public site and swap it in atomically.

The service wrapper hands in every story (newest first, already deduplicated) and every member
with its fetch state; this module renders (`site`), writes into a fresh build folder and swaps
it in (`output`). The clock is `now`, passed in; nothing here reads the database.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from time import perf_counter

from aggregator.errors import PublishError
from aggregator.model import Digest, FetchState, Source, Story
from aggregator.publish.fairness import DEFAULT_PER_SOURCE_PER_DAY
from aggregator.publish.output import atomic_output
from aggregator.publish.site import ContentLoader, Output, Site
from aggregator.templating import site_templates

FEED_NAMES = frozenset({"feed.xml", "atom.xml", "feed.json", "quellen.opml"})


@dataclass(frozen=True, slots=True)
class PublishReport:
    """What one publish wrote."""

    pages: int  # HTML pages
    feeds: int  # feed files (RSS, Atom, JSON Feed, OPML)
    stories: int  # stories on the site
    out_dir: Path  # the folder readers open (a symlink to build_dir)
    build_dir: Path  # the build now live
    elapsed_s: float  # seconds spent rendering and writing


def publish_site(
    stories: Sequence[Story],
    sources: Sequence[tuple[Source, FetchState | None]],
    out_dir: Path,
    *,
    base_url: str,
    now: datetime,
    page_size: int = 50,
    feed_size: int = 50,
    load_content: ContentLoader | None = None,
    per_source_per_day: int = DEFAULT_PER_SOURCE_PER_DAY,
    topics: Sequence[tuple[str, str]] = (),
    digests: Sequence[Digest] = (),
) -> PublishReport:
    """Write the public site for `stories` to `out_dir`, replacing the previous one atomically.

    `out_dir` becomes a symlink to a build folder beside it (see `publish.output`); a reader
    never sees a half-written site, and a failure leaves the last good site in place. Raises
    `PublishError` when the folder cannot be written, `ValueError` for a bad `base_url` or size.
    `load_content`: for `stories` handed over without their content (the pages never show it),
    fetches it for the few stories the feeds carry. `per_source_per_day`: the fair share of the
    network pages and feeds, at most that many stories of one forum per day (`publish.fairness`);
    the city pages and feeds show every story. `topics`: (key, German label) of the taxonomy,
    in its order: a page and feeds per topic under `thema/`. `digests`: the weekly digests; the
    approved ones get a page each under `digest/`, an archive and an Atom feed (`publish.digest`).
    """
    started = perf_counter()
    out_dir = Path(out_dir)
    site = Site(
        stories,
        sources,
        base_url=base_url,
        now=now,
        page_size=page_size,
        feed_size=feed_size,
        load_content=load_content,
        per_source_per_day=per_source_per_day,
        topics=topics,
        digests=digests,
    )
    try:
        with atomic_output(out_dir, now) as build:
            pages, feed_files = write_files(build, site.render())
            copy_static(build)
    except OSError as exc:  # disk full, no permission …: the last good site stays
        raise PublishError(f"cannot write the site to {out_dir}: {exc.strerror or exc}") from exc
    return PublishReport(
        pages=pages,
        feeds=feed_files,
        stories=len(stories),
        out_dir=Path(os.path.abspath(out_dir)),
        build_dir=build,
        elapsed_s=perf_counter() - started,
    )


def write_files(folder: Path, files: Iterable[Output]) -> tuple[int, int]:
    """Write (relative path, content) pairs below `folder`; returns (HTML pages, feed files)."""
    made: set[str] = set()
    pages = feed_files = 0
    base = str(folder)
    for relative, content in files:
        parent, _, name = relative.rpartition("/")
        if parent and parent not in made:
            os.makedirs(os.path.join(base, parent), exist_ok=True)
            made.add(parent)
        path = os.path.join(base, relative)
        if isinstance(content, bytes):
            with open(path, "wb") as handle:
                handle.write(content)
        else:
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(content)
        if name.endswith(".html"):
            pages += 1
        elif name in FEED_NAMES:
            feed_files += 1
    return pages, feed_files


def copy_static(folder: Path) -> None:
    """The stylesheet and icon, copied from `templates/site/static/` to the site root."""
    for asset in sorted((site_templates() / "static").iterdir()):
        if asset.is_file():
            shutil.copyfile(asset, folder / asset.name)
