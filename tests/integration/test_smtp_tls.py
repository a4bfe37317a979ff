"""SMTP over TLS against a real local server (aiosmtpd with a certificate made for the test):
STARTTLS with login, implicit TLS, and the refusals an operator must see (an untrusted
certificate, a server that requires STARTTLS when it is off)."""

from __future__ import annotations

import ssl
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword

from aggregator.demo.mail import start_smtp_server
from aggregator.mail.messages import build_message
from aggregator.mail.smtp import MailError, SmtpConfig, SmtpConnection
from aggregator.model import DigestMail

USER, PASSWORD = "wochenschau", "ein geheimes Passwort"
SENDER = "Netzwerk Stadtforen <wochenschau@stadtforen.example.org>"


@dataclass
class Received:
    """What the server saw: each message with whether it came over TLS and who logged in."""

    mails: list[tuple[bytes, bool, str | None]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else None
        over_tls = server.transport.get_extra_info("ssl_object") is not None
        self.mails.append((bytes(envelope.content), over_tls, login))
        return "250 OK"


def authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, auth_data=data.login if ok else None)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def server_tls(certificate: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    return context


@pytest.fixture
def starttls_server(certificate: tuple[Path, Path]) -> Iterator[tuple[Received, int]]:
    received = Received()
    controller, port = start_smtp_server(
        received,
        tls_context=server_tls(certificate),
        require_starttls=True,
        authenticator=authenticate,
        auth_require_tls=True,
    )
    try:
        yield received, port
    finally:
        controller.stop()


def send(config: SmtpConfig) -> None:
    mail = DigestMail("Stadtforen-Wochenschau KW 48/2026", "<p>Hallo</p>", "Hallo\n")
    message = build_message(
        mail,
        sender=SENDER,
        recipient="leserin@example.org",
        message_id="<1@stadtforen.example.org>",
        date=datetime(2026, 11, 30, 6, 0, tzinfo=UTC),
    )
    with SmtpConnection(config) as connection:
        connection.send(message, "leserin@example.org")


def config(port: int, security: str, ca_file: str = "", user: str = USER) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1", port=port, security=security, user=user,
        password=PASSWORD if user else "", sender=SENDER, timeout_s=5, ca_file=ca_file,
    )  # fmt: skip


def test_starttls_with_login_delivers_over_tls(
    starttls_server: tuple[Received, int], certificate: tuple[Path, Path]
) -> None:
    received, port = starttls_server
    send(config(port, "starttls", ca_file=str(certificate[0])))
    [(content, over_tls, login)] = received.mails
    assert over_tls and login == USER
    assert b"Subject: Stadtforen-Wochenschau KW 48/2026" in content


def test_an_untrusted_certificate_is_refused_not_ignored(
    starttls_server: tuple[Received, int],
) -> None:
    received, port = starttls_server
    with pytest.raises(MailError, match=r"TLS with SMTP server 127\.0\.0\.1:\d+ failed"):
        send(config(port, "starttls"))  # the system's CAs do not know the test's certificate
    assert received.mails == []


def test_without_starttls_a_server_that_requires_it_gets_nothing(
    starttls_server: tuple[Received, int],
) -> None:
    received, port = starttls_server
    with pytest.raises(MailError):
        send(config(port, "none", user=""))
    assert received.mails == []


def test_implicit_tls_delivers(certificate: tuple[Path, Path]) -> None:
    received = Received()
    controller, port = start_smtp_server(received, ssl_context=server_tls(certificate))
    try:
        send(config(port, "tls", ca_file=str(certificate[0]), user=""))
    finally:
        controller.stop()
    [(_content, over_tls, _login)] = received.mails
    assert over_tls
