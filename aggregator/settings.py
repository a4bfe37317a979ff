"""Runtime settings: every one is an environment variable `AGGREGATOR_*`, most also a CLI flag.

Flags win over the environment, the environment wins over the defaults below.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from aggregator.errors import ConfigError
from aggregator.urls import url_problem

DEFAULT_DATABASE_URL = "sqlite:///data/aggregator.db"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Settings:
    config: Path = Path("sources.yaml")
    database_url: str = DEFAULT_DATABASE_URL
    output_dir: Path = Path("public")
    base_url: str = DEFAULT_BASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    concurrency: int = 16  # global limit of simultaneous fetches
    connect_timeout: float = 10.0
    timeout: float = 30.0  # total seconds for one fetch, body included
    max_bytes: int = 10 * 1024 * 1024
    check_every_s: int = 60  # how often `run` asks the database what is due
    crawl_lease_s: float = 120.0  # a crawler's claim on a source, renewed while it works
    # Parser processes of a crawl: -1 automatic (see crawl._Parsers), 0 parse in the crawler.
    parse_workers: int = -1
    # Fetch loopback and private addresses too (tests, the demo, an intranet); off: a feed or
    # its redirect cannot reach inside the network the crawler runs in.
    allow_private_urls: bool = False
    # Scraped news sites: seconds between two requests to one host (robots.txt's Crawl-delay
    # may ask for more), and article pages read per source and crawl (the rest next crawl).
    host_spacing_s: float = 2.0
    articles_per_run: int = 20
    # Editor area (issue 13): a session unused this long ends; and this long after signing in,
    # used or not.
    editor_session_idle_s: int = 12 * 3600
    editor_session_max_s: int = 7 * 86_400

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `AGGREGATOR_<FIELD>` for every field; a bad value is a ConfigError naming it."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems = []
        for f in fields(cls):
            name = f"AGGREGATOR_{f.name.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError:
                problems.append(f"{name}={raw!r}: expected {_describe(f.type)}")
        if problems:
            raise ConfigError(problems)
        return _checked(cls(**values))

    def with_overrides(self, **overrides: Any) -> Settings:
        """Apply CLI flags (None means "not given")."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return _checked(replace(self, **given)) if given else self


_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no"})


def _convert(kind: Any, raw: str) -> Any:
    kind = str(kind)
    if kind == "bool":
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError(raw)
        return word in _TRUE
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw


def _describe(kind: Any) -> str:
    return {
        "int": "a whole number",
        "float": "a number",
        "bool": "1, true or yes (on) or 0, false or no (off)",
    }.get(str(kind), "a value")


# Each number's sane range: an absurd value is a clear error here, not an overflow in a timer.
_RANGES: dict[str, tuple[float, float]] = {
    "concurrency": (1, 1024),
    "max_bytes": (1, 1024**3),
    "check_every_s": (1, 86_400),
    "connect_timeout": (0.001, 3_600),
    "timeout": (0.001, 3_600),
    "crawl_lease_s": (1, 86_400),
    "parse_workers": (-1, 64),
    "host_spacing_s": (0, 600),
    "articles_per_run": (0, 1_000),
    # editor area
    "editor_session_idle_s": (60, 7 * 86_400),
    "editor_session_max_s": (60, 90 * 86_400),
}


def _checked(settings: Settings) -> Settings:
    problems = []
    if url_problem(settings.base_url):
        problems.append(
            f"AGGREGATOR_BASE_URL={settings.base_url!r}: must be an absolute http(s) URL"
        )
    if not 0 < settings.port < 65536:
        problems.append(f"AGGREGATOR_PORT={settings.port}: must be between 1 and 65535")
    for name, (low, high) in _RANGES.items():
        value = getattr(settings, name)
        if not low <= value <= high:  # NaN fails both comparisons, so it is caught too
            problems.append(
                f"AGGREGATOR_{name.upper()}={value}: must be between {low:g} and {high:g}"
            )
    if problems:
        raise ConfigError(problems)
    if not settings.base_url.endswith("/"):
        settings = replace(settings, base_url=settings.base_url + "/")
    return settings
