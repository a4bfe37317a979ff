"""Readers with faults made to order, importable by the crawl's spawned parser processes."""

from __future__ import annotations

import os
from typing import Any

from aggregator.reading import SourceRead, read_feed

KILL_MARKER = b"KILL-THE-PARSER"
RAISE_MARKER = b"RAISE-IN-THE-PARSER"


def faulty_reader(content: bytes, **kwargs: Any) -> SourceRead:
    """read_feed, except that a marker in the body kills the process or raises."""
    if KILL_MARKER in content:
        os._exit(3)  # as a segfault or the OOM killer would end it: no exception, no cleanup
    if RAISE_MARKER in content:
        raise RuntimeError("the parser exploded")
    return read_feed(content, **kwargs)
