"""What counts as one newsletter address (pure: no DNS lookup, no I/O)."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from aggregator.errors import AggregatorError

MAX_ADDRESS_LENGTH = 254  # RFC 5321 path limit


class InvalidAddressError(AggregatorError):
    """Not a usable address. `german` is the message for the sign-up form."""

    def __init__(self, german: str) -> None:
        self.german = german
        super().__init__("invalid email address")


def normalize_address(raw: str) -> str:
    """The address as stored and mailed: trimmed, domain in ASCII (IDNA), all lower case (so
    that "Anna@Example.org" and "anna@example.org" are one subscriber). Raises InvalidAddressError.

    Addresses that need SMTPUTF8 (non-ASCII before the @) are refused: few servers accept them.
    """
    text = raw.strip()
    if not text:
        raise InvalidAddressError("Bitte geben Sie Ihre E-Mail-Adresse ein.")
    if len(text) > MAX_ADDRESS_LENGTH or any(ord(c) < 32 for c in text):
        raise InvalidAddressError("Das ist keine gültige E-Mail-Adresse.")
    try:
        result = validate_email(text, check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        if "@" not in text:
            raise InvalidAddressError(
                "Das ist keine gültige E-Mail-Adresse: Es fehlt das @-Zeichen."
            ) from exc
        if any(ord(c) > 127 for c in text.partition("@")[0]):
            raise InvalidAddressError(
                "Vor dem @ sind nur Buchstaben ohne Umlaute, Ziffern und . _ - + möglich."
            ) from exc
        raise InvalidAddressError(
            "Das ist keine gültige E-Mail-Adresse. Bitte prüfen Sie die Schreibweise."
        ) from exc
    return str(result.ascii_email or result.normalized).lower()
