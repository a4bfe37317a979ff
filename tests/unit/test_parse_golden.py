"""Golden files: each feed in tests/data/feeds/ parsed and normalized, against its expectation.

A failure shows the JSON difference. If the change is intended, rewrite the expectations with
`tests/data/feeds/regenerate.py` and review the diff before committing.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

FEEDS = Path(__file__).resolve().parents[1] / "data" / "feeds"


def _load_golden_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("feeds_golden", FEEDS / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


golden = _load_golden_module()
_, CASES = golden.load_cases()


@pytest.mark.parametrize("name", sorted(CASES))
def test_feed_matches_its_golden_file(name: str) -> None:
    expected_path = golden.expected_path(name)
    assert expected_path.exists(), f"no {expected_path.name}: run tests/data/feeds/regenerate.py"
    expected = json.loads(expected_path.read_text(encoding="utf-8"))

    actual = json.loads(golden.dump(golden.run_case(name)))

    assert actual == expected


def test_every_input_file_has_a_case() -> None:
    inputs = {
        path.name
        for path in FEEDS.iterdir()
        if path.suffix in (".xml", ".json", ".html")
        and not path.name.endswith(".expected.json")
        and path.name != "cases.json"
    }
    assert inputs == set(CASES)


def test_golden_items_are_clean() -> None:
    """Across all golden outputs: no script, handler or javascript: URL survives normalizing."""
    forbidden = re.compile(
        r"<(script|style|iframe|object|embed|form|svg|math)\b|\son\w+\s*=|\sstyle\s*=|"
        r"(href|src)\s*=\s*\"(?!https?://|mailto:)",
        re.IGNORECASE,
    )
    for name in CASES:
        result = golden.run_case(name)
        for item in result.get("items", []):
            if item is None:
                continue
            assert forbidden.search(item["content_html"]) is None, name
            assert item["url"].startswith(("http://", "https://")), name
            assert item["published"].endswith("+00:00"), name
