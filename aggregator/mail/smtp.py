"""One SMTP connection, and what an SMTP failure means for the delivery.

TransientMailError   4xx, a dropped or refused connection, a timeout: try again later
PermanentMailError   5xx for the recipient or the message: the address bounces
MailError            the server cannot be used at all (TLS, login, sender refused 5xx)
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import parseaddr
from types import TracebackType

from aggregator.errors import AggregatorError
from aggregator.settings import Settings


class MailError(AggregatorError):
    """The mail server cannot be used; `reply` holds the server's code and text, if any."""


class TransientMailError(MailError):
    """Worth trying again: a 4xx reply or a connection problem."""

    def __init__(self, message: str, *, connection: bool = False) -> None:
        super().__init__(message)
        self.connection = connection  # the connection failed, not one recipient


class PermanentMailError(MailError):
    """A 5xx reply for this recipient or message."""


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    security: str  # "none" | "starttls" | "tls"
    user: str
    password: str
    sender: str  # the From header, e.g. "Netzwerk Stadtforen <wochenschau@example.org>"
    timeout_s: float = 30.0
    ca_file: str = ""  # PEM bundle of the CAs to trust for TLS; "": the system's

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig:
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            security=settings.smtp_security,
            user=settings.smtp_user,
            password=settings.smtp_password,
            sender=settings.mail_from,
            timeout_s=settings.smtp_timeout_s,
            ca_file=settings.smtp_ca_file,
        )

    def tls(self) -> ssl.SSLContext:
        """TLS that checks the server's certificate and name (never unverified)."""
        return ssl.create_default_context(cafile=self.ca_file or None)

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender)[1]


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"[:500]


def _by_code(code: int, text: bytes | str) -> MailError:
    reply = _reply(code, text)
    if 400 <= code < 500:
        return TransientMailError(reply)
    return PermanentMailError(reply)


class SmtpConnection:
    """A lazily opened connection; `send` reconnects after a failure closed it."""

    def __init__(self, config: SmtpConfig) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _open(self) -> smtplib.SMTP:
        c = self.config
        where = f"{c.host}:{c.port}"
        try:
            smtp: smtplib.SMTP
            if c.security == "tls":
                smtp = smtplib.SMTP_SSL(c.host, c.port, timeout=c.timeout_s, context=c.tls())
            else:
                smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
            if c.security == "starttls":
                smtp.starttls(context=c.tls())
            if c.user:
                smtp.login(c.user, c.password)
        except smtplib.SMTPAuthenticationError as exc:
            reply = _reply(exc.smtp_code, exc.smtp_error)
            raise MailError(f"SMTP login at {where} refused: {reply}") from exc
        except smtplib.SMTPNotSupportedError as exc:
            raise MailError(f"SMTP server {where} does not support {c.security}: {exc}") from exc
        except ssl.SSLError as exc:
            raise MailError(f"TLS with SMTP server {where} failed: {exc}") from exc
        except smtplib.SMTPResponseException as exc:
            error = _by_code(exc.smtp_code, exc.smtp_error)
            raise TransientMailError(f"SMTP server {where}: {error}", connection=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientMailError(
                f"cannot connect to SMTP server {where}: {exc or type(exc).__name__}",
                connection=True,
            ) from exc
        return smtp

    def send(self, message: EmailMessage, recipient: str) -> None:
        """Send `message` to `recipient` only (the envelope, whatever the headers say)."""
        if self._smtp is None:
            self._smtp = self._open()
        try:
            refused = self._smtp.send_message(
                message, from_addr=self.config.envelope_sender, to_addrs=[recipient]
            )
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = exc.recipients.get(recipient, (550, b"recipient refused"))
            raise _by_code(code, text) from exc
        except smtplib.SMTPSenderRefused as exc:
            if 400 <= exc.smtp_code < 500:
                raise TransientMailError(_reply(exc.smtp_code, exc.smtp_error)) from exc
            raise MailError(
                f"SMTP server refused the sender {exc.sender!r}: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}"
            ) from exc
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise TransientMailError(f"SMTP connection lost: {exc}", connection=True) from exc
        except smtplib.SMTPResponseException as exc:  # SMTPDataError and others with a code
            if exc.smtp_code == 421:  # the server is closing the connection
                self.close()
            raise _by_code(exc.smtp_code, exc.smtp_error) from exc
        except (smtplib.SMTPException, OSError) as exc:
            self.close()
            raise TransientMailError(
                f"SMTP connection failed: {exc or type(exc).__name__}", connection=True
            ) from exc
        if refused:  # only with several recipients; kept for completeness
            code, text = next(iter(refused.values()))
            raise _by_code(code, text)

    def close(self) -> None:
        if self._smtp is None:
            return
        smtp, self._smtp = self._smtp, None
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()
