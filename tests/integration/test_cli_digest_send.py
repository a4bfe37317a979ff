"""`aggregator digest send` and `aggregator newsletter list | purge` as an operator runs them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from aggregator.cli import main
from aggregator.digest import draft_digest
from aggregator.mail.newsletter import Newsletter
from aggregator.model import Item, Source
from aggregator.runtime import open_store
from aggregator.settings import Settings
from aggregator.store.digests import Digests
from aggregator.store.repository import Store
from tests.mailserver import MailServer

WEEK = "2026-W48"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
BASE = "https://n.example/"
SECRET = "c" * 40
SOURCES_YAML = (
    "sources:\n  - id: leipzig\n    name: Stadtforum Leipzig\n    city: Leipzig\n"
    "    homepage: https://l.example/\n    feed: https://l.example/f\n"
)


def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp_port: int) -> Store:
    config = tmp_path / "sources.yaml"
    config.write_text(SOURCES_YAML, encoding="utf-8")
    env = {
        "AGGREGATOR_CONFIG": str(config),
        "AGGREGATOR_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite'}",
        "AGGREGATOR_OUTPUT_DIR": str(tmp_path / "public"),
        "AGGREGATOR_BASE_URL": BASE,
        "AGGREGATOR_SMTP_PORT": str(smtp_port),
        "AGGREGATOR_MAIL_SECRET": SECRET,
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    store = open_store(Settings.from_env())
    store.sync_sources(
        [Source("leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "x")]
    )
    store.upsert_items(
        [
            Item(
                "leipzig",
                "g1",
                "https://l.example/1",
                "https://l.example/1",
                "Hauptbahnhof wird umgebaut",
                "",
                "Umbau beginnt",
                MONDAY,
            )
        ],
        now=MONDAY,
    )
    return store


def subscribe(store: Store, email: str, when: datetime, *, confirm: bool) -> None:
    newsletter = Newsletter(store.engine, base_url=BASE, secret=SECRET)
    result = newsletter.subscribe(email, when)
    assert result.confirm_url is not None
    if confirm:
        assert newsletter.confirm(result.confirm_url.rsplit("/", 1)[1], when)


def test_send_releases_an_approved_digest_once_and_refuses_a_draft(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with MailServer() as server:
        store = setup(tmp_path, monkeypatch, server.port)
        now = datetime.now(UTC)
        subscribe(store, "leserin@example.org", now, confirm=True)
        draft_digest(Digests(store.engine), WEEK, now)

        assert main(["digest", "send", "--week", WEEK]) == 1
        assert capsys.readouterr().err == (
            f"error: digest {WEEK} is a draft: approve it before it is sent\n"
        )
        assert server.messages == []

        Digests(store.engine).approve(WEEK, "Anna", now)
        assert main(["digest", "send", "--week", WEEK]) == 0
        out = capsys.readouterr().out
        assert (
            f"digest {WEEK}: site published (1 stories); mail sent to 1, already sent to 0" in out
        )
        assert server.recipients() == ["leserin@example.org"]
        assert (tmp_path / "public" / "digest" / f"{WEEK}.html").is_file()

        assert main(["digest", "send", "--week", WEEK]) == 0  # resumable: nothing twice
        assert "mail sent to 0, already sent to 1" in capsys.readouterr().out
        assert len(server.messages) == 1

        assert main(["digest", "send", "--week", "2026-W99"]) == 2
        assert "--week" in capsys.readouterr().err


def test_newsletter_list_and_purge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = setup(tmp_path, monkeypatch, 25)
    now = datetime.now(UTC)
    subscribe(store, "b@example.org", now - timedelta(days=2), confirm=True)
    subscribe(store, "a@example.org", now - timedelta(days=1), confirm=True)
    subscribe(store, "alt@example.org", now - timedelta(days=8), confirm=False)
    subscribe(store, "neu@example.org", now - timedelta(hours=1), confirm=False)

    assert main(["newsletter", "list"]) == 0
    assert capsys.readouterr().out == (
        "2 confirmed, 2 pending, 0 bounced\nb@example.org\na@example.org\n"
    )
    assert main(["newsletter", "purge"]) == 0
    assert capsys.readouterr().out == "deleted 1 sign-ups left unconfirmed for 7 days\n"
    assert main(["newsletter", "list"]) == 0
    assert capsys.readouterr().out.startswith("2 confirmed, 1 pending, 0 bounced\n")
