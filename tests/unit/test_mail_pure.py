"""The pure parts of the newsletter: addresses, tokens, messages, mail settings."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from aggregator.errors import ConfigError
from aggregator.mail.addresses import InvalidAddressError, normalize_address
from aggregator.mail.messages import build_message
from aggregator.mail.tokens import (
    looks_like_confirm_token,
    new_confirm_token,
    subscriber_of,
    token_hash,
    unsubscribe_token,
)
from aggregator.model import DigestMail
from aggregator.settings import Settings

SECRET = "k" * 32


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  Anna@Example.ORG ", "anna@example.org"),
        ("bernd+wochenschau@dresden.example", "bernd+wochenschau@dresden.example"),
        ("carla@bücher.de", "carla@xn--bcher-kva.de"),
    ],
)
def test_addresses_are_normalized(raw: str, stored: str) -> None:
    assert normalize_address(raw) == stored


@pytest.mark.parametrize(
    ("raw", "german"),
    [
        ("   ", "Bitte geben Sie Ihre E-Mail-Adresse ein."),
        ("anna", "Das ist keine gültige E-Mail-Adresse: Es fehlt das @-Zeichen."),
        (
            "anna@@example.org",
            "Das ist keine gültige E-Mail-Adresse. Bitte prüfen Sie die Schreibweise.",
        ),
        ("a\r\nBcc: x@y.de@example.org", "Das ist keine gültige E-Mail-Adresse."),
        ("x" * 250 + "@example.org", "Das ist keine gültige E-Mail-Adresse."),
        (
            "jörg@example.org",
            "Vor dem @ sind nur Buchstaben ohne Umlaute, Ziffern und . _ - + möglich.",
        ),
    ],
)
def test_invalid_addresses(raw: str, german: str) -> None:
    with pytest.raises(InvalidAddressError) as caught:
        normalize_address(raw)
    assert caught.value.german == german


def test_unsubscribe_tokens_need_the_secret() -> None:
    token = unsubscribe_token(SECRET, 42)
    assert token.startswith("42.") and len(token) == 3 + 43
    assert subscriber_of(SECRET, token) == 42
    assert subscriber_of("x" * 32, token) is None  # another secret
    assert subscriber_of(SECRET, "43." + token[3:]) is None  # another id, same MAC
    assert subscriber_of(SECRET, token[:-1]) is None
    assert subscriber_of(SECRET, "0." + token[3:]) is None
    assert subscriber_of(SECRET, "9" * 400 + "." + token[3:]) is None


def test_confirm_tokens_are_random_and_stored_hashed() -> None:
    first, second = new_confirm_token(), new_confirm_token()
    assert first != second
    assert looks_like_confirm_token(first)
    assert not looks_like_confirm_token(first + "x")
    assert token_hash(first) != first and len(token_hash(first)) == 64


def test_digest_message_headers_and_parts() -> None:
    mail = DigestMail("Stadtforen-Wochenschau KW 1/2027", "<p>Hallo Zittau</p>", "Hallo Zittau\n")
    message = build_message(
        mail,
        sender="Netzwerk Stadtforen <wochenschau@example.org>",
        recipient="anna@example.org",
        message_id="<1@example.org>",
        date=datetime(2027, 1, 4, 5, 0, tzinfo=UTC),
        unsubscribe_url="https://example.org/newsletter/abmelden/1.x",
    )
    assert message["Subject"] == "Stadtforen-Wochenschau KW 1/2027"
    assert message["Date"] == "Mon, 04 Jan 2027 05:00:00 +0000"
    assert message["List-Unsubscribe"] == "<https://example.org/newsletter/abmelden/1.x>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert [part.get_content_type() for part in message.iter_parts()] == [
        "text/plain",
        "text/html",
    ]
    assert b"Subject: Stadtforen-Wochenschau KW 1/2027" in message.as_bytes()


def test_mail_settings_are_checked() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(
            {
                "AGGREGATOR_SMTP_SECURITY": "ssl",
                "AGGREGATOR_MAIL_FROM": "kein Absender",
                "AGGREGATOR_MAIL_SECRET": "kurz",
                "AGGREGATOR_SMTP_TIMEOUT_S": "0",
            }
        )
    assert caught.value.problems == (
        "AGGREGATOR_SMTP_TIMEOUT_S=0.0: must be between 0.1 and 600",
        "AGGREGATOR_SMTP_SECURITY='ssl': must be one of none, starttls, tls",
        "AGGREGATOR_MAIL_FROM='kein Absender': must be an address, "
        "e.g. 'Netzwerk Stadtforen <wochenschau@example.org>'",
        "AGGREGATOR_MAIL_SECRET: must be at least 32 characters",
    )
    ok = Settings.from_env({"AGGREGATOR_SMTP_SECURITY": "starttls", "AGGREGATOR_SMTP_PORT": "587"})
    assert (ok.smtp_security, ok.smtp_port) == ("starttls", 587)


def test_a_long_unsubscribe_link_stays_a_plain_header_line() -> None:
    """Folded as an RFC 2047 encoded word, mail clients would not see the link at all."""
    url = "https://nachrichten.netzwerk-stadtforen.de/newsletter/abmelden/" + "7." + "a" * 90
    mail = DigestMail("Stadtforen-Wochenschau KW 1/2027", "<p>Hallo</p>", "Hallo\n")
    message = build_message(
        mail,
        sender="Netzwerk Stadtforen <wochenschau@example.org>",
        recipient="anna@example.org",
        message_id="<1@example.org>",
        date=datetime(2027, 1, 4, 5, 0, tzinfo=UTC),
        unsubscribe_url=url,
    )
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in raw
    assert b"=?utf-8?" not in raw


def test_every_mail_says_it_is_automatic_and_only_list_mails_have_unsubscribe_headers() -> None:
    """RFC 3834: no vacation replies to the aggregator's mails; a registration or health mail
    is no list mail, so it carries no List-Unsubscribe (RFC 2369) of a list that is not one."""
    mail = DigestMail("Bitte bestätigen", "<p>Hallo</p>", "Hallo\n")
    common = {
        "sender": "Netzwerk Stadtforen <redaktion@example.org>",
        "recipient": "forum@example.org",
        "message_id": "<2@example.org>",
        "date": datetime(2027, 1, 4, 5, 0, tzinfo=UTC),
    }
    single = build_message(mail, **common)  # type: ignore[arg-type]
    listed = build_message(mail, unsubscribe_url="https://x.example/abmelden/1.a", **common)  # type: ignore[arg-type]
    assert single.get_all("Auto-Submitted") == ["auto-generated"]
    assert listed.get_all("Auto-Submitted") == ["auto-generated"]
    assert single["List-Unsubscribe"] is None and single["List-Unsubscribe-Post"] is None
    assert listed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
