"""The command line of issue 12: classify, eval, and the editor's items commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.model import Item, Source, Tag
from aggregator.runtime import open_store
from aggregator.settings import Settings
from aggregator.store.curation import Curation

DEV = Path(__file__).resolve().parents[1] / "data" / "classify"
T0 = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SOURCES = """\
sources:
  - id: leipzig
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://l.example/
    feed: https://l.example/feed/
  - id: netz
    name: Netzwerk
    homepage: https://n.example/
    feed: https://n.example/feed/
"""


def test_classify_prints_cities_topics_and_cluster_for_each_item(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = [
        {"id": "a", "source_id": "netz", "title": "Abriss in Plagwitz verhindert",
         "summary": "Das Gründerzeithaus in der Karl-Heine-Straße bleibt stehen.",
         "published": "2025-03-01"},
        {"id": "b", "source_id": "leipzig", "title": "Einladung",
         "summary": "Wir laden am Dienstag, 17. Oktober 2023, um 19 Uhr zum Vortrag ein.",
         "published": "2023-10-01"},
    ]  # fmt: skip
    (tmp_path / "items.json").write_text(json.dumps(items), encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    assert main(["classify", str(tmp_path / "items.json"),
                 "--sources", str(tmp_path / "sources.yaml")]) == 0  # fmt: skip
    out = json.loads(capsys.readouterr().out)
    assert out[0] == {
        "id": "a",
        "cities": ["Leipzig"],
        "topics": ["denkmalpflege"],
        "cluster": "a",
    }
    assert out[1]["cities"] == ["Leipzig"] and "veranstaltung" in out[1]["topics"]
    assert out[1]["cluster"] == "b"


def test_classify_names_a_bad_item_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "items.json").write_text('[{"id": "a", "source_id": "x"}]', encoding="utf-8")
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    code = main(["classify", str(tmp_path / "items.json"),
                 "--sources", str(tmp_path / "sources.yaml")])  # fmt: skip
    assert code == 2
    err = capsys.readouterr().err.strip()
    assert err == f"error: {tmp_path / 'items.json'}[0]: field 'title' must be a non-empty string"


def test_eval_on_the_development_set_prints_every_table(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["eval", str(DEV / "dev.json"), "--sources", str(DEV / "sources.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Cities" in out and "Topics" in out and "Duplicates (pairs)" in out
    assert "micro avg" in out and "Merged different stories:" in out


def test_editor_commands_change_tags_and_stories_for_good(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    monkeypatch.setenv("AGGREGATOR_CONFIG", str(config))
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", url)
    store = open_store(Settings.from_env())
    leipzig = Source("leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "x")
    netz = Source("netz", "Netzwerk", None, "https://n.example/", "y")
    store.sync_sources([leipzig, netz])
    store.upsert_items(
        [
            Item("leipzig", "g1", "https://l.example/1", "https://l.example/1", "Leerstand",
                 "", "Leerstand in der Eisenbahnstraße", T0, cities=("Leipzig",),
                 tags=(Tag("topic", "wohnen", "text", ("Leerstand",)),)),
            Item("netz", "g2", "https://n.example/2", "https://n.example/2", "Leerstand (2)",
                 "", "Leerstand in Leipzig", T0),
        ],
        now=T0,
    )  # fmt: skip
    assert main(["items", "untag", "leipzig:g1", "topic", "wohnen"]) == 0
    assert main(["items", "tag", "leipzig:g1", "topic", "beteiligung"]) == 0
    assert main(["items", "tag", "leipzig:g1", "topic", "quatsch"]) == 2
    assert "unknown topic 'quatsch'" in capsys.readouterr().err
    assert main(["items", "merge", "netz:g2", "leipzig:g1"]) == 0
    assert main(["items", "retag"]) == 0
    assert "re-tagged 2 items; the editor's tags and removals are kept" in capsys.readouterr().out
    [story] = store.stories()
    assert story.id == "leipzig:g1" and story.also_at == ("Netzwerk",)
    assert story.topics == ("beteiligung",)  # wohnen stays removed, through the re-tagging
    assert main(["items", "tags", "leipzig:g1"]) == 0
    shown = capsys.readouterr().out
    assert "removed by the editor" in shown and "beteiligung" in shown
    assert main(["items", "split", "netz:g2"]) == 0
    assert len(store.stories()) == 2
    assert main(["items", "merge", "netz:nix", "leipzig:g1"]) == 1
    assert "no item 'netz:nix'" in capsys.readouterr().err
    tags = {t.value for t, removed in Curation(store.engine).tags_of("netz:g2") if not removed}
    assert "Leipzig" in tags  # the re-tagging found the city in the network's text
