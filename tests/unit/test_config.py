"""sources.yaml validation: every problem is one line with file:line and the source id."""

from pathlib import Path

import pytest

from aggregator.config import load_sources, parse_sources
from aggregator.errors import ConfigError

GOOD = """\
sources:
  - id: leipzig-stadtforum
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://www.stadtforum-leipzig.de/
    feed: https://www.stadtforum-leipzig.de/feed/
    interval: 30
  - id: netzwerk
    name: NETZWERK Stadtforen
    homepage: https://www.netzwerk-stadtforen.de/
    feed: https://www.netzwerk-stadtforen.de/feed/
    enabled: false
    feed_verified: false
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_sources(text, "s.yaml")
    return list(caught.value.problems)


def test_good_file_gives_sources_with_defaults() -> None:
    leipzig, network = parse_sources(GOOD)
    assert leipzig.id == "leipzig-stadtforum"
    assert leipzig.city == "Leipzig"
    assert leipzig.interval_minutes == 30
    assert leipzig.enabled and leipzig.feed_verified
    assert network.city is None  # network-wide source
    assert network.interval_minutes == 60
    assert not network.enabled and not network.feed_verified


def test_shipped_sources_yaml_is_valid() -> None:
    sources = load_sources(Path(__file__).parents[2] / "sources.yaml")
    ids = {s.id for s in sources}
    assert {
        "leipzig-stadtforum",
        "chemnitz-stadtforum",
        "halle-aki",
        "goerlitz-aktionskreis",
        "altenburg-stadtforum",
        "netzwerk-stadtforen",
    } <= ids
    halle = next(s for s in sources if s.id == "halle-aki")
    assert halle.city == "Halle (Saale)"
    assert all(not s.feed_verified for s in sources)  # none of the real feeds was seen working


def test_bad_yaml_names_line_and_column() -> None:
    (line,) = problems("sources:\n  - id: a\n   name: x\n")
    assert line.startswith("s.yaml:3:")
    assert "invalid YAML" in line


def test_each_problem_is_one_line_with_line_number_and_id() -> None:
    text = """\
sources:
  - id: leipzig
    name: Stadtforum Leipzig
    homepage: https://www.stadtforum-leipzig.de/
    feed: ftp://example.org/feed
    fed: 1
  - id: leipzig
    name: Zweites Leipzig
    homepage: https://b.example/
    feed: https://b.example/feed
  - name: Ohne Id
    homepage: https://c.example/
    feed: https://c.example/feed
  - id: chemnitz
    name: Stadtforum Chemnitz
    homepage: not a url
    feed: https://c.example/feed
    interval: 5
    enabled: vielleicht
"""
    found = problems(text)
    assert found == [
        "s.yaml:5: source 'leipzig': field 'feed': 'ftp://example.org/feed' must start with "
        "http:// or https://",
        "s.yaml:6: source 'leipzig': unknown key 'fed' (allowed: id, name, homepage, feed, city, "
        "interval, enabled, feed_verified)",
        "s.yaml:7: source 'leipzig': duplicate id (first used on line 2)",
        "s.yaml:11: missing field 'id'",
        "s.yaml:16: source 'chemnitz': field 'homepage': 'not a url' contains spaces",
        "s.yaml:18: source 'chemnitz': field 'interval' is 5 minutes; the minimum is 15",
        "s.yaml:19: source 'chemnitz': field 'enabled' must be true or false",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "s.yaml:1: the file is empty"),
        ("- a\n", "expected a mapping with 'sources:'"),
        ("quellen: []\n", "unknown top-level key 'quellen'"),
        ("sources: 3\n", "'sources' must be a list"),
        ("sources:\n  - 3\n", "each source must be a mapping"),
        (
            "sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n",
            "s.yaml:2: source 'a': missing field 'feed'",
        ),
        (
            "sources:\n  - id: a\n    name: [A]\n    homepage: https://a.example/\n"
            "    feed: https://a.example/f\n",
            "field 'name' must be a single value",
        ),
        (
            "sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n"
            "    feed: http:///nohost\n",
            "has no host name",
        ),
    ],
)
def test_structural_problems(text: str, expected: str) -> None:
    assert any(expected in line for line in problems(text))


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path / "nope.yaml")
    assert caught.value.problems == (
        f"{tmp_path / 'nope.yaml'}: file not found (set --config or AGGREGATOR_CONFIG)",
    )
