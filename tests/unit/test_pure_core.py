"""The pure core (parse, normalize, dedup, tagging, the rules of health and registration …)
loads no I/O library: STYLE.md item 2."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def test_pure_core_imports_neither_httpx_nor_sqlalchemy() -> None:
    code = textwrap.dedent(
        """
        import sys
        import aggregator.model, aggregator.normalize, aggregator.parse
        import aggregator.parse.dates, aggregator.parse.feeds, aggregator.parse.jsonfeed
        import aggregator.parse.article, aggregator.parse.pagedates, aggregator.parse.discover
        import aggregator.parse.scrape, aggregator.parse.list_items, aggregator.parse.html
        import aggregator.tagging.cities, aggregator.tagging.gazetteer
        import aggregator.tagging.topics
        import aggregator.pacing, aggregator.reading, aggregator.limits, aggregator.urls
        import aggregator.evaluation
        import aggregator.dedup
        import aggregator.mail.addresses, aggregator.mail.tokens, aggregator.mail.messages
        import aggregator.weekly
        import aggregator.health, aggregator.relaunch, aggregator.registry
        import aggregator.onboarding_text
        loaded = sorted(
            name for name in sys.modules
            if name.split(".")[0] in ("httpx", "sqlalchemy", "httpcore", "alembic")
        )
        print(",".join(loaded))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "", f"pure core loaded: {result.stdout.strip()}"
