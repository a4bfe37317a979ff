"""Golden files of the feed parser and normalizer: run each input, compare or rewrite.

Each input here (`wordpress-rss2.xml`, `jsonfeed-1.1.json`, …) is listed in `cases.json` with the
URL and Content-Type it was served with and the source it belongs to. Its expected output,
`<name>.expected.json`, holds what `parse_feed` + `normalize_entry` make of it with the fixed
`now` of `cases.json`: the feed's metadata and the normalized items (null for an entry that
normalizing drops), or the `ParseError` it raises.

`tests/unit/test_parse_golden.py` compares every input with its expectation. After changing the
parser or the normalizer on purpose, rewrite the expectations and REVIEW THE DIFF before
committing — every changed line is a change users will see:

    .venv/bin/python tests/data/feeds/regenerate.py
    git diff tests/data/feeds/
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))  # run as a script from anywhere

from aggregator.errors import ParseError  # noqa: E402
from aggregator.model import Source  # noqa: E402
from aggregator.normalize import normalize_entry  # noqa: E402
from aggregator.parse import parse_feed  # noqa: E402


def load_cases() -> tuple[datetime, dict[str, dict[str, Any]]]:
    manifest = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    return datetime.fromisoformat(manifest["now"]), manifest["cases"]


def expected_path(name: str) -> Path:
    return HERE / (name.rsplit(".", 1)[0] + ".expected.json")


def run_case(name: str) -> dict[str, Any]:
    """What the parser and normalizer make of one input, as JSON-ready values."""
    now, cases = load_cases()
    case = cases[name]
    source = Source(feed=case["url"], **case["source"])
    try:
        parsed = parse_feed(
            (HERE / name).read_bytes(), url=case["url"], content_type=case["content_type"]
        )
    except ParseError as error:
        return {"error": {"reason": error.reason, "message": error.message}}
    items = [
        normalize_entry(entry, source=source, feed_url=case["url"], now=now)
        for entry in parsed.entries
    ]
    return {
        "feed": {
            "title": parsed.title,
            "link": parsed.link,
            "ttl_minutes": parsed.ttl_minutes,
            "warning": parsed.warning,
        },
        "items": [None if item is None else _jsonable(asdict(item)) for item in items],
    }


def dump(result: dict[str, Any]) -> str:
    return json.dumps(result, ensure_ascii=False, indent=2) + "\n"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def main() -> None:
    _, cases = load_cases()
    for name in cases:
        path = expected_path(name)
        text = dump(run_case(name))
        old = path.read_text(encoding="utf-8") if path.exists() else None
        if text != old:
            path.write_text(text, encoding="utf-8")
            print(f"rewrote {path.name}: review the diff")


if __name__ == "__main__":
    main()
