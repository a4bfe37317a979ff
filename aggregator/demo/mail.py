"""The demo's newsletter: a local SMTP sink and a complete sample digest.

    with MailSink(Path("data/demo/mail")) as sink:       # aiosmtpd on 127.0.0.1, a free port
        settings = settings.with_overrides(smtp_host=sink.host, smtp_port=sink.port)
        result = demo_digest(settings, store, now)        # draft, approve, subscribe, release
        result.files                                       # the .eml files the sink wrote

Nothing leaves the machine: the sink accepts every mail and writes it to a file instead of
delivering it. aiosmtpd comes with the dev extra (`make demo` installs it).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes, policy
from pathlib import Path
from types import TracebackType
from typing import Any

from aggregator.digest import draft_digest
from aggregator.mail.newsletter import Newsletter, mail_secret
from aggregator.model import Source
from aggregator.release import ReleaseReport, release_digest
from aggregator.settings import Settings
from aggregator.store.digests import Digests
from aggregator.store.repository import Store
from aggregator.weekly import week_of

DEMO_EDITOR = "Demo-Redaktion"
DEMO_SUBSCRIBER = "leserin@example.org"
DEMO_UNCONFIRMED = "unbestaetigt@example.org"  # signed up, never confirmed: gets nothing
DEMO_MAX_ENTRIES = 12  # the week's top stories: a digest one reads, not the whole network


class _Writer:
    """aiosmtpd handler: every accepted message becomes `<n>-<recipient>.eml`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.files: list[Path] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = bytes(envelope.content)
        for recipient in envelope.rcpt_tos:
            safe = "".join(c if c.isalnum() or c in "@.-_" else "_" for c in recipient)
            path = self.folder / f"{len(self.files) + 1:03d}-{safe}.eml"
            path.write_bytes(content)
            self.files.append(path)
        return "250 Message accepted (written to a file, not delivered)"


class MailSink:
    """A local SMTP server that writes each mail it gets to `folder` (emptied of old .eml
    files on start)."""

    host = "127.0.0.1"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.writer = _Writer(folder)
        self.port = 0
        self._controller: Any = None

    def __enter__(self) -> MailSink:
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.eml"):
            old.unlink()
        self._controller, self.port = start_smtp_server(self.writer, self.host)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def files(self) -> list[Path]:
        return list(self.writer.files)


def start_smtp_server(handler: object, host: str = "127.0.0.1", **options: Any) -> tuple[Any, int]:
    """aiosmtpd serving `handler` on a free port of `host`: the started controller and the port.
    `options` go to aiosmtpd's Controller (TLS, authentication). The tests' SMTP servers are
    started the same way."""
    from aiosmtpd.controller import Controller

    for _attempt in range(5):  # another process may take the free port first
        port = _free_port()
        controller = Controller(handler, hostname=host, port=port, **options)
        try:
            controller.start()
        except (OSError, RuntimeError):
            continue
        return controller, port
    raise RuntimeError(f"no free port on {host} for an SMTP server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class DemoDigest:
    week: str
    entries: int  # included in the approved digest
    report: ReleaseReport


def demo_digest(
    settings: Settings, store: Store, now: datetime, sources: list[Source] | None = None
) -> DemoDigest:
    """Draft this week's digest (the demo's stories were all first seen just now), approve it,
    sign up one confirmed and one unconfirmed reader, and release it to the SMTP server of
    `settings` (the sink)."""
    week = week_of(now)
    digests = Digests(store.engine)
    draft = draft_digest(digests, week, now, max_entries=DEMO_MAX_ENTRIES)
    digests.set_intro(
        week,
        "Beispielausgabe der Demo: die Meldungen der Beispielforen aus dieser Woche.",
        expected_version=draft.version,
        now=now,
    )
    approved = digests.approve(week, DEMO_EDITOR, now)
    newsletter = Newsletter(
        store.engine, base_url=settings.base_url, secret=mail_secret(settings, store.engine, now)
    )
    for address, confirm in ((DEMO_SUBSCRIBER, True), (DEMO_UNCONFIRMED, False)):
        signed_up = newsletter.subscribe(address, now)
        if confirm and signed_up.confirm_url is not None:
            newsletter.confirm(signed_up.confirm_url.rsplit("/", 1)[1], now)
    report = release_digest(settings, store, week, now, sources=sources)
    included = sum(1 for entry in approved.entries if entry.included)
    return DemoDigest(week=week, entries=included, report=report)


def read_mail(path: Path) -> Any:
    """A written .eml file as an `email.message.EmailMessage`."""
    return message_from_bytes(path.read_bytes(), policy=policy.default)


__all__ = ["DEMO_SUBSCRIBER", "DemoDigest", "MailSink", "demo_digest", "read_mail"]
