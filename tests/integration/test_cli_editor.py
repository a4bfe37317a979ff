"""`aggregator editor add | passwd | list | disable` on a real SQLite database."""

from __future__ import annotations

import getpass
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from aggregator.cli import main
from aggregator.editors import authenticate
from aggregator.store.db import make_engine, upgrade
from aggregator.store.editors import Editors

PASSWORD = "Elbwiesen-2026!"


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'agg.db'}"


@pytest.fixture
def engine(db: str) -> Iterator[Engine]:
    engine = make_engine(db)
    upgrade(engine)
    yield engine
    engine.dispose()


def run(db: str, *args: str, stdin: str | None = None) -> int:
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        return main(["--database-url", db, "editor", *args])
    finally:
        sys.stdin = sys.__stdin__


def test_add_with_password_from_stdin_then_list(
    db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, "add", "Anna", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert "editor anna added; they sign in at http://127.0.0.1:8000/redaktion/" in (
        capsys.readouterr().out
    )
    editor = authenticate(Editors(engine), "anna", PASSWORD)
    assert editor is not None and editor.name == "anna"

    assert run(db, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].split()[:2] == ["anna", "active"]


def test_add_asks_twice_at_a_hidden_prompt(
    db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers = iter([PASSWORD, PASSWORD + "x"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(answers))
    assert run(db, "add", "anna") == 1
    assert "the two passwords differ; nothing changed" in capsys.readouterr().err
    assert Editors(engine).all() == []

    answers = iter([PASSWORD, PASSWORD])
    assert run(db, "add", "anna") == 0
    assert Editors(engine).get("anna") is not None


def test_short_password_and_taken_name_are_refused(
    db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db, "add", "anna", "--password-stdin", stdin="kurz-123\n") == 1
    assert "at least 12 characters" in capsys.readouterr().err
    assert run(db, "add", "anna", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert run(db, "add", "ANNA", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "an editor named 'anna' exists already" in capsys.readouterr().err
    assert run(db, "add", "anna krause", "--password-stdin", stdin=PASSWORD + "\n") == 1


def test_passwd_and_disable(db: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db, "add", "anna", "--password-stdin", stdin=PASSWORD + "\n") == 0
    assert run(db, "passwd", "anna", "--password-stdin", stdin="Neues-Passwort-1\n") == 0
    editors = Editors(engine)
    assert authenticate(editors, "anna", PASSWORD) is None
    assert authenticate(editors, "anna", "Neues-Passwort-1") is not None

    assert run(db, "passwd", "niemand", "--password-stdin", stdin=PASSWORD + "\n") == 1
    assert "no editor named 'niemand'" in capsys.readouterr().err

    assert run(db, "disable", "anna") == 0
    assert authenticate(editors, "anna", "Neues-Passwort-1") is None
    capsys.readouterr()
    assert run(db, "list") == 0
    assert capsys.readouterr().out.split()[:2] == ["anna", "disabled"]
