"""A real SMTP server for tests: aiosmtpd on 127.0.0.1 on a free port, recording what it got.

    with MailServer() as server: ... server.port, server.messages (email.message.Message)

Scripted replies: `rcpt_replies[address]` is a list of replies given (and used up) before the
address is accepted, e.g. ["451 4.7.1 Bitte später"] or ["550 5.1.1 Unbekannt"] * 9;
`drop_at_message` closes the connection instead of accepting the Nth DATA (1-based), once.
"""

from __future__ import annotations

import email
import email.policy
import socket
from email.message import EmailMessage
from types import TracebackType
from typing import Any

from aiosmtpd.controller import Controller

from aggregator.demo.mail import start_smtp_server


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Recorder:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.rcpt_replies: dict[str, list[str]] = {}
        self.drop_at_message: int | None = None
        self.data_commands = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        replies = self.rcpt_replies.get(address)
        if replies:
            return replies.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_commands += 1
        if self.drop_at_message == self.data_commands:
            self.drop_at_message = None
            server.transport.close()
            return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


class MailServer:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.controller: Controller | None = None
        self.port = 0

    def __enter__(self) -> MailServer:
        self.controller, self.port = start_smtp_server(self.recorder)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.controller is not None:
            self.controller.stop()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.recorder.messages

    def recipients(self) -> list[str]:
        return [str(m["To"]) for m in self.messages]
