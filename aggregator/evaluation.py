"""Score city tags, topic tags and duplicate clusters against a labeled development set.

Pure: takes the gold items (as read from `tests/data/classify/dev.json`) and the predictions,
returns numbers. No I/O.

Gold item: `id`, `cities: [...]`, `topics: [...]`, `dup_group: str | null` (items sharing a group
are one story) and optionally `not_dup_of: [ids]` (hard negatives: items that look alike but are
different stories). Predicted item: `id`, `cities`, `topics`, `cluster` (items with the same
cluster value are one story; a missing or null cluster is a story of its own).

Definitions:
- Tags are scored per label over items: a true positive is a label both in gold and predicted
  for the same item. Precision, recall and F1 are 0.0 where their denominator is 0.
- Micro averages sum true/false positives and negatives over all labels. Macro averages are the
  unweighted means over the labels that occur in gold (support > 0); a label only predicted
  is listed and counts in the micro average, but does not enter the macro mean.
- Duplicates are scored on PAIRS: a gold pair is two items in the same gold `dup_group`, a
  predicted pair two items in the same predicted cluster.
- "Merged different stories" counts the predicted pairs that are not gold pairs and where either
  both items have a gold `dup_group` (so they are known to be two different stories), or one item
  names the other in `not_dup_of` (a hard negative).
- An item of gold missing from the predictions counts as an empty prediction (no tags, its own
  cluster). A predicted id that is not in gold, or an id given twice, is a ValueError.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Counts:
    """Precision, recall and F1 of one label (or of a micro average, or of pairs)."""

    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        """How many gold positives there are (items with the label, or gold pairs)."""
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True, slots=True)
class Macro:
    """Unweighted means over the labels with support, and how many labels that were."""

    precision: float
    recall: float
    f1: float
    labels: int


@dataclass(frozen=True, slots=True)
class LabelScores:
    """Scores of one tag kind (cities or topics): per label (sorted by name), micro, macro."""

    per_label: tuple[tuple[str, Counts], ...]
    micro: Counts
    macro: Macro

    def of(self, label: str) -> Counts:
        """The counts of `label`; zeros when it was neither in gold nor predicted."""
        return dict(self.per_label).get(label, Counts(0, 0, 0))


@dataclass(frozen=True, slots=True)
class PairScores:
    """Duplicate detection scored on pairs of items."""

    pairs: Counts
    merged_different: int  # predicted pairs known to be different stories (see module docs)
    gold_pairs: int
    predicted_pairs: int


@dataclass(frozen=True, slots=True)
class Scores:
    items: int
    cities: LabelScores
    topics: LabelScores
    duplicates: PairScores


def score(
    gold: Sequence[Mapping[str, object]], predicted: Sequence[Mapping[str, object]]
) -> Scores:
    """Score `predicted` against `gold`; ValueError for an unknown or repeated id."""
    gold_by_id = _by_id(gold, "gold")
    predicted_by_id = _by_id(predicted, "predicted")
    unknown = [item_id for item_id in predicted_by_id if item_id not in gold_by_id]
    if unknown:
        raise ValueError(f"predicted item '{unknown[0]}' is not in the gold set")
    ids = list(gold_by_id)
    empty: Mapping[str, object] = {}
    pred = {item_id: predicted_by_id.get(item_id, empty) for item_id in ids}
    return Scores(
        items=len(ids),
        cities=_label_scores(ids, gold_by_id, pred, "cities"),
        topics=_label_scores(ids, gold_by_id, pred, "topics"),
        duplicates=_pair_scores(ids, gold_by_id, pred),
    )


def format_scores(scores: Scores) -> str:
    """A plain-text report: tables per city and per topic, averages, duplicate pairs."""
    lines = [f"Items: {scores.items}", ""]
    for title, part in (("Cities", scores.cities), ("Topics", scores.topics)):
        lines.extend(_label_table(title, part))
        lines.append("")
    dup = scores.duplicates
    lines.append("Duplicates (pairs)")
    lines.append(_row("", "precision", "recall", "F1", "gold", "predicted"))
    lines.append(
        _row(
            "pairs",
            f"{dup.pairs.precision:.3f}",
            f"{dup.pairs.recall:.3f}",
            f"{dup.pairs.f1:.3f}",
            str(dup.gold_pairs),
            str(dup.predicted_pairs),
        )
    )
    lines.append(f"Merged different stories: {dup.merged_different}")
    return "\n".join(lines) + "\n"


def _label_table(title: str, part: LabelScores) -> list[str]:
    lines = [title, _row("label", "precision", "recall", "F1", "support", "predicted")]
    for label, counts in part.per_label:
        lines.append(_counts_row(label, counts))
    lines.append(_counts_row("micro avg", part.micro))
    macro = part.macro
    lines.append(
        _row(
            "macro avg",
            f"{macro.precision:.3f}",
            f"{macro.recall:.3f}",
            f"{macro.f1:.3f}",
            f"{macro.labels} labels",
            "",
        )
    )
    return lines


def _counts_row(label: str, counts: Counts) -> str:
    return _row(
        label,
        f"{counts.precision:.3f}",
        f"{counts.recall:.3f}",
        f"{counts.f1:.3f}",
        str(counts.support),
        str(counts.tp + counts.fp),
    )


def _row(label: str, *cells: str) -> str:
    return f"{label:<22}" + "".join(f"{cell:>11}" for cell in cells).rstrip()


def _by_id(items: Sequence[Mapping[str, object]], what: str) -> dict[str, Mapping[str, object]]:
    found: dict[str, Mapping[str, object]] = {}
    for item in items:
        item_id = item.get("id")
        if not isinstance(item_id, str) or not item_id:
            raise ValueError(f"{what} item without an id: {dict(item)!r:.80}")
        if item_id in found:
            raise ValueError(f"{what} item '{item_id}' is given twice")
        found[item_id] = item
    return found


def _labels(item: Mapping[str, object], field: str) -> set[str]:
    value = item.get(field)
    if value is None:
        return set()
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValueError(f"item '{item.get('id')}': '{field}' must be a list of strings")
    return {str(label) for label in value}


def _label_scores(
    ids: list[str],
    gold: Mapping[str, Mapping[str, object]],
    predicted: Mapping[str, Mapping[str, object]],
    field: str,
) -> LabelScores:
    tp: dict[str, int] = defaultdict(int)
    fp: dict[str, int] = defaultdict(int)
    fn: dict[str, int] = defaultdict(int)
    for item_id in ids:
        expected = _labels(gold[item_id], field)
        got = _labels(predicted[item_id], field)
        for label in expected & got:
            tp[label] += 1
        for label in got - expected:
            fp[label] += 1
        for label in expected - got:
            fn[label] += 1
    labels = sorted(set(tp) | set(fp) | set(fn))
    per_label = tuple((label, Counts(tp[label], fp[label], fn[label])) for label in labels)
    micro = Counts(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    supported = [counts for _label, counts in per_label if counts.support > 0]
    return LabelScores(per_label=per_label, micro=micro, macro=_macro(supported))


def _macro(counts: list[Counts]) -> Macro:
    if not counts:
        return Macro(0.0, 0.0, 0.0, 0)
    n = len(counts)
    return Macro(
        precision=sum(c.precision for c in counts) / n,
        recall=sum(c.recall for c in counts) / n,
        f1=sum(c.f1 for c in counts) / n,
        labels=n,
    )


def _pair_scores(
    ids: list[str],
    gold: Mapping[str, Mapping[str, object]],
    predicted: Mapping[str, Mapping[str, object]],
) -> PairScores:
    gold_group = {i: _group(gold[i], "dup_group") for i in ids}
    gold_pairs = _pairs(gold_group)
    predicted_pairs = _pairs({i: _group(predicted[i], "cluster") for i in ids})
    hard_negatives = _hard_negatives(ids, gold)
    tp = len(gold_pairs & predicted_pairs)
    wrong = predicted_pairs - gold_pairs
    merged_different = sum(
        1
        for a, b in wrong
        if (gold_group[a] is not None and gold_group[b] is not None) or (a, b) in hard_negatives
    )
    return PairScores(
        pairs=Counts(tp, len(wrong), len(gold_pairs - predicted_pairs)),
        merged_different=merged_different,
        gold_pairs=len(gold_pairs),
        predicted_pairs=len(predicted_pairs),
    )


def _group(item: Mapping[str, object], field: str) -> str | None:
    value = item.get(field)
    return None if value is None or value == "" else str(value)


def _pairs(groups: Mapping[str, str | None]) -> set[Pair]:
    members: dict[str, list[str]] = defaultdict(list)
    for item_id, group in groups.items():
        if group is not None:
            members[group].append(item_id)
    return {_pair(a, b) for ids in members.values() for a, b in combinations(ids, 2)}


def _pair(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _hard_negatives(ids: list[str], gold: Mapping[str, Mapping[str, object]]) -> set[Pair]:
    known = set(ids)
    pairs = set()
    for item_id in ids:
        for other in _labels(gold[item_id], "not_dup_of"):
            if other not in known:
                raise ValueError(f"gold item '{item_id}': not_dup_of names unknown item '{other}'")
            pairs.add(_pair(item_id, other))
    return pairs


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0
