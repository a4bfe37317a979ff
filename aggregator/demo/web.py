"""The demo's way into the web app: an editor account on the demo's own database (fresh on
every run, served on 127.0.0.1 only) and the addresses to open, printed by `aggregator demo`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from aggregator.editors import add_editor
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.tokens import source_status_path
from aggregator.settings import Settings
from aggregator.store.editors import Editors

DEMO_ACCOUNT = ("demo", "Stadtforen-Demo-2026")


def demo_web(settings: Settings, engine: Engine, source_id: str, now: datetime) -> list[str]:
    """Add the demo editor; the lines that say where to look (registration form, the editor's
    sources and health pages, `source_id`'s private status page)."""
    name, password = DEMO_ACCOUNT
    add_editor(Editors(engine), name, password, now)
    base = f"http://{settings.host}:{settings.port}"
    status = source_status_path(mail_secret(settings, engine, now), source_id)
    return [
        f"web app: {base}/mitmachen (a forum registers itself)",
        f"  editors: {base}/redaktion/ as {name!r}, password {password!r}:",
        f"  {base}/redaktion/quellen/ (registrations, sources), {base}/redaktion/zustand (health)",
        f"  a forum's private status page: {base}{status}",
    ]
