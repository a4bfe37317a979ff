"""`aggregator digest draft | show | approve | list` as an operator runs them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.model import Item, Source
from aggregator.runtime import open_store
from aggregator.settings import Settings

MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_draft_show_approve_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AGGREGATOR_DATABASE_URL", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("AGGREGATOR_BASE_URL", "https://n.example/")
    store = open_store(Settings.from_env())
    leipzig = Source("leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "x")
    dresden = Source("dresden", "Stadtforum Dresden", "Dresden", "https://d.example/", "y")
    store.sync_sources([leipzig, dresden])
    store.upsert_items(
        [
            Item(
                "leipzig",
                "g1",
                "https://l.example/1",
                "https://news.example/a",
                "Hauptbahnhof",
                "",
                "Umbau beginnt",
                MONDAY,
            ),
            Item(
                "dresden",
                "g2",
                "https://d.example/2",
                "https://news.example/a",
                "Hbf",
                "",
                "Umbau",
                MONDAY,
            ),
            Item(
                "dresden",
                "g3",
                "https://d.example/3",
                "https://d.example/3",
                "Kirche",
                "",
                "Sanierung",
                MONDAY,
            ),
        ],
        now=MONDAY,
    )
    capsys.readouterr()

    assert main(["digest", "list"]) == 0
    assert "no digests yet" in capsys.readouterr().out
    assert main(["digest", "draft", "--week", "2026-W48"]) == 0
    out = capsys.readouterr().out
    assert "digest 2026-W48: draft version 1, 2 entries (2 included)" in out
    assert "    1. Hauptbahnhof  (2 forums)" in out and "    2. Kirche  (1 forums)" in out

    assert main(["digest", "show", "--week", "2026-W48"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Stadtforen-Wochenschau KW 48/2026 (draft, version 1)\n\n")
    assert "* Hauptbahnhof\n  Stadtforum Dresden, Stadtforum Leipzig\n  Umbau beginnt\n" in out
    assert "Wochenschau abbestellen: https://n.example/newsletter/abmelden/BEISPIEL" in out

    assert main(["digest", "approve", "--week", "2026-W48", "--editor", "Anna"]) == 0
    assert "digest 2026-W48 approved by Anna (2 entries)" in capsys.readouterr().out
    assert main(["digest", "list"]) == 0
    assert capsys.readouterr().out.split() == [
        "2026-W48",
        "approved",
        "by",
        "Anna",
        "2",
        "entries",
        "version",
        "2",
    ]

    assert main(["digest", "draft", "--week", "2026-W48"]) == 1
    assert "digest 2026-W48 is approved" in capsys.readouterr().err
    assert main(["digest", "draft", "--week", "2025-W53"]) == 2
    assert "error: --week: 2025 has no week 53" in capsys.readouterr().err
    assert main(["digest", "show", "--week", "2026-W47"]) == 1
    assert "no digest for 2026-W47" in capsys.readouterr().err
