"""Scoring of tags and duplicate clusters (aggregator.evaluation), and the shape of dev.json."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from aggregator.config import load_sources
from aggregator.evaluation import Counts, score

DATA = Path(__file__).resolve().parents[1] / "data" / "classify"
TOPIC_KEYS = {
    "stadtentwicklung",
    "denkmalpflege",
    "architektur",
    "mobilitaet",
    "oeffentlicher-raum",
    "wohnen",
    "beteiligung",
    "veranstaltung",
    "netzwerk",
}
ITEM_FIELDS = ("id", "source_id", "title", "summary", "published", "url")
GOLD_FIELDS = ("cities", "topics", "dup_group")

GOLD: list[dict[str, Any]] = [
    {
        "id": "a",
        "cities": ["Leipzig"],
        "topics": ["denkmalpflege", "beteiligung"],
        "dup_group": "g1",
    },
    {"id": "b", "cities": ["Leipzig", "Dresden"], "topics": ["denkmalpflege"], "dup_group": "g1"},
    {"id": "c", "cities": [], "topics": ["veranstaltung"], "dup_group": None},
]
PARTIAL: list[dict[str, Any]] = [
    {"id": "a", "cities": ["Leipzig"], "topics": ["denkmalpflege"], "cluster": "x"},
    {
        "id": "b",
        "cities": ["Leipzig", "Halle (Saale)"],
        "topics": ["denkmalpflege", "wohnen"],
        "cluster": "y",
    },
    {"id": "c", "cities": ["Dresden"], "topics": ["veranstaltung"], "cluster": "x"},
]


def _as_predicted(gold: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {"id": g["id"], "cities": g["cities"], "topics": g["topics"], "cluster": g["dup_group"]}
        for g in gold
    ]


def _prf(counts: Counts) -> tuple[float, float, float]:
    return (round(counts.precision, 4), round(counts.recall, 4), round(counts.f1, 4))


def test_perfect_prediction_scores_one_everywhere() -> None:
    scores = score(GOLD, _as_predicted(GOLD))
    assert scores.items == 3
    assert _prf(scores.cities.micro) == (1.0, 1.0, 1.0)
    assert _prf(scores.topics.micro) == (1.0, 1.0, 1.0)
    assert (scores.cities.macro.f1, scores.cities.macro.labels) == (1.0, 2)
    assert (scores.topics.macro.f1, scores.topics.macro.labels) == (1.0, 3)
    assert scores.duplicates.pairs == Counts(tp=1, fp=0, fn=0)
    assert scores.duplicates.merged_different == 0


def test_empty_prediction_counts_every_gold_label_as_missed() -> None:
    scores = score(GOLD, [])
    assert scores.cities.micro == Counts(tp=0, fp=0, fn=3)
    assert scores.topics.micro == Counts(tp=0, fp=0, fn=4)
    assert _prf(scores.cities.micro) == (0.0, 0.0, 0.0)
    assert scores.cities.of("Leipzig") == Counts(tp=0, fp=0, fn=2)
    assert scores.cities.of("Leipzig").support == 2
    assert scores.duplicates.pairs == Counts(tp=0, fp=0, fn=1)
    assert (scores.duplicates.gold_pairs, scores.duplicates.predicted_pairs) == (1, 0)


def test_partial_prediction_per_label_micro_and_macro() -> None:
    scores = score(GOLD, PARTIAL)
    cities = scores.cities
    assert [label for label, _ in cities.per_label] == ["Dresden", "Halle (Saale)", "Leipzig"]
    assert cities.of("Leipzig") == Counts(tp=2, fp=0, fn=0)
    assert cities.of("Dresden") == Counts(tp=0, fp=1, fn=1)
    assert cities.of("Halle (Saale)") == Counts(tp=0, fp=1, fn=0)
    assert cities.micro == Counts(tp=2, fp=2, fn=1)
    assert _prf(cities.micro) == (0.5, 0.6667, 0.5714)  # F1 = 4/7
    # macro over the labels with gold support only: Leipzig (1.0) and Dresden (0.0)
    assert (cities.macro.precision, cities.macro.recall, cities.macro.f1) == (0.5, 0.5, 0.5)
    assert cities.macro.labels == 2

    topics = scores.topics
    assert topics.of("beteiligung") == Counts(tp=0, fp=0, fn=1)
    assert topics.of("wohnen") == Counts(tp=0, fp=1, fn=0)
    assert topics.micro == Counts(tp=3, fp=1, fn=1)
    assert _prf(topics.micro) == (0.75, 0.75, 0.75)
    assert round(topics.macro.f1, 4) == 0.6667  # (1 + 0 + 1) / 3
    assert topics.macro.labels == 3

    # gold pair (a, b) missed; predicted pair (a, c) wrong, but c has no group: not "merged"
    assert scores.duplicates.pairs == Counts(tp=0, fp=1, fn=1)
    assert scores.duplicates.merged_different == 0


def test_hard_negative_merged_is_counted() -> None:
    gold = [dict(g) for g in GOLD]
    gold[2]["not_dup_of"] = ["a"]
    assert score(gold, PARTIAL).duplicates.merged_different == 1


def test_duplicate_pairs_and_merged_different_stories() -> None:
    gold: list[dict[str, Any]] = [
        {"id": "p1", "dup_group": "g1"},
        {"id": "p2", "dup_group": "g1"},
        {"id": "p3", "dup_group": "g1"},
        {"id": "q1", "dup_group": "g2"},
        {"id": "q2", "dup_group": "g2"},
        {"id": "r", "dup_group": None},
        {"id": "s", "dup_group": None, "not_dup_of": ["r"]},
        {"id": "t", "dup_group": None},
    ]
    predicted = [
        {"id": "p1", "cluster": "k1"},
        {"id": "p2", "cluster": "k1"},
        {"id": "q1", "cluster": "k1"},
        {"id": "p3", "cluster": "k2"},
        {"id": "q2", "cluster": None},
        {"id": "r", "cluster": "k4"},
        {"id": "s", "cluster": "k4"},
        {"id": "t", "cluster": "k4"},
    ]
    dup = score(gold, predicted).duplicates
    # gold: p1p2 p1p3 p2p3 q1q2; predicted: p1p2 p1q1 p2q1 rs rt st
    assert (dup.gold_pairs, dup.predicted_pairs) == (4, 6)
    assert dup.pairs == Counts(tp=1, fp=5, fn=3)
    assert _prf(dup.pairs) == (0.1667, 0.25, 0.2)
    # p1q1 and p2q1 join two gold groups; rs is a hard negative; rt and st are unknown
    assert dup.merged_different == 3


def test_unknown_predicted_id_is_an_error_naming_it() -> None:
    with pytest.raises(ValueError, match="'zz'"):
        score(GOLD, [{"id": "zz", "cities": [], "topics": []}])


def test_id_given_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="'a' is given twice"):
        score(GOLD, [{"id": "a"}, {"id": "a"}])


def test_format_scores_table() -> None:
    from aggregator.evaluation import format_scores

    text = format_scores(score(GOLD, PARTIAL))
    lines = text.splitlines()
    assert lines[0] == "Items: 3"
    rows = {line[:22].strip(): line[22:].split() for line in lines}
    assert rows["Leipzig"] == ["1.000", "1.000", "1.000", "2", "2"]
    assert rows["Halle (Saale)"] == ["0.000", "0.000", "0.000", "0", "1"]
    assert rows["wohnen"] == ["0.000", "0.000", "0.000", "0", "1"]
    assert rows["pairs"] == ["0.000", "0.000", "0.000", "1", "1"]
    assert "Cities" in lines and "Topics" in lines and "Duplicates (pairs)" in lines
    assert lines[-1] == "Merged different stories: 0"


# --- the development set itself -------------------------------------------------------------


@pytest.fixture(scope="module")
def dev() -> list[dict[str, Any]]:
    items = json.loads((DATA / "dev.json").read_text(encoding="utf-8"))
    assert isinstance(items, list)
    return items


def test_dev_items_have_every_field(dev: list[dict[str, Any]]) -> None:
    assert len(dev) >= 180
    for item in dev:
        for field in (*ITEM_FIELDS, *GOLD_FIELDS):
            assert field in item, (item.get("id"), field)
        for field in ITEM_FIELDS:
            assert isinstance(item[field], str) and item[field].strip(), (item["id"], field)
        date.fromisoformat(item["published"])
    assert len({item["id"] for item in dev}) == len(dev)


def test_dev_labels_are_well_formed(dev: list[dict[str, Any]]) -> None:
    for item in dev:
        assert set(item["topics"]) <= TOPIC_KEYS, item["id"]
        assert len(set(item["topics"])) == len(item["topics"]), item["id"]
        assert all(isinstance(c, str) and c.strip() == c and c for c in item["cities"]), item["id"]
        assert item["dup_group"] is None or isinstance(item["dup_group"], str)


def test_dev_sources_exist_and_urls_are_on_their_domain(dev: list[dict[str, Any]]) -> None:
    sources = {s.id: s for s in load_sources(DATA / "sources.yaml")}
    for item in dev:
        source = sources[item["source_id"]]
        assert urlsplit(item["url"]).hostname == urlsplit(source.homepage).hostname, item["id"]


def test_dev_duplicate_groups(dev: list[dict[str, Any]]) -> None:
    groups: dict[str, list[dict[str, Any]]] = {}
    for item in dev:
        if item["dup_group"] is not None:
            groups.setdefault(item["dup_group"], []).append(item)
    assert len(groups) >= 15
    for name, members in groups.items():
        assert len(members) >= 2, name
        days = sorted(date.fromisoformat(m["published"]) for m in members)
        assert (days[-1] - days[0]).days <= 14, name  # within the dedup window


def test_dev_hard_negatives(dev: list[dict[str, Any]]) -> None:
    by_id = {item["id"]: item for item in dev}
    pairs = set()
    for item in dev:
        for other in item.get("not_dup_of", []):
            assert other in by_id and other != item["id"], (item["id"], other)
            group = item["dup_group"]
            assert group is None or group != by_id[other]["dup_group"], (item["id"], other)
            pairs.add(frozenset((item["id"], other)))
    assert len(pairs) >= 10


def test_dev_gold_scores_perfectly_against_itself(dev: list[dict[str, Any]]) -> None:
    scores = score(dev, _as_predicted(dev))
    assert scores.cities.micro.f1 == 1.0
    assert scores.topics.micro.f1 == 1.0
    assert scores.duplicates.pairs.f1 == 1.0
    assert scores.topics.macro.labels == len(TOPIC_KEYS)
