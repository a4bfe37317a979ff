"""`aggregator demo` opens the web app to whoever runs it: an editor account that signs in, and
a status link that works."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from aggregator.demo.web import DEMO_ACCOUNT, demo_web
from aggregator.editors import authenticate
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.tokens import is_source_status_key
from aggregator.runtime import open_store
from aggregator.settings import Settings
from aggregator.store.editors import Editors

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_the_demo_editor_signs_in_and_the_status_link_is_genuine(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", port=8123)
    engine = open_store(settings).engine
    lines = demo_web(settings, engine, "leipzig-stadtforum", NOW)

    assert lines[0] == "web app: http://127.0.0.1:8123/mitmachen (a forum registers itself)"
    name, password = DEMO_ACCOUNT
    editor = authenticate(Editors(engine), name, password)
    assert editor is not None and editor.name == "demo"
    link = lines[3].rsplit("http://127.0.0.1:8123", 1)[1]
    _, quelle, source_id, key = link.split("/")
    assert (quelle, source_id) == ("quelle", "leipzig-stadtforum")
    assert is_source_status_key(mail_secret(settings, engine, NOW), source_id, key)
