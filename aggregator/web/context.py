"""What the dynamic part of the web app works with, handed in by the run composition.

The published site needs none of it (`create_app(output_dir)` serves the folder alone); the
editor area and the newsletter routes get a `WebContext`: the settings, the database engine
(each area opens the store classes of its domain on it) and the clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.engine import Engine

from aggregator.settings import Settings
from aggregator.web.throttle import Throttle


@dataclass(frozen=True)
class WebContext:
    settings: Settings
    engine: Engine
    clock: Callable[[], datetime]
    # Per-process attempt counters; one per purpose so that a flood of one kind cannot lock
    # out another. Keys are e.g. "account:anna" or "address:203.0.113.9".
    login_throttle: Throttle = field(default_factory=lambda: Throttle(limit=5, per_s=15 * 60))
    form_throttle: Throttle = field(default_factory=lambda: Throttle(limit=5, per_s=60 * 60))
    # Called with the week ("2026-W48") after an editor approved that digest: the run
    # composition publishes it and sends the newsletter (in the background). None: nothing
    # happens beyond the approval (tests, a web process that does not send).
    on_digest_approved: Callable[[str], None] | None = None
    # Called with a source id after an editor approved a registration (the source is in the
    # registry already): the run composition crawls it at once and publishes. None: it is
    # crawled at the next tick of whatever crawler shares the database.
    on_source_added: Callable[[str], None] | None = None
