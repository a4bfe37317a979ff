"""The registration form's rules and words (pure: values in, German text out).

    check_form(fields, cities=…, allow_private=…)  → FormCheck (clean values, or German errors)
    url_refusal(url, allow_private=…)              → why a typed URL is not fetched, or None
    problem_text(code, url)                        → a probe problem / fetch reason in German
    propose_id(name, city, taken)                  → a free source id ("stadtforum-zittau")
    official_city(text, cities), city_suggestions(text, cities)

Every URL a person types is judged by `url_refusal` BEFORE anything is fetched: not http(s),
a user name or password in it, a literal loopback / private / link-local / reserved address or
a localhost name. Host names that resolve inside are refused later by the fetcher's guard
(reason `blocked_address`, every redirect hop included), which `problem_text` words the same.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from aggregator.config import ID_PATTERN
from aggregator.publish.german import error_phrase, slugify
from aggregator.urls import has_credentials, host_problem, url_problem

# Longest accepted value of each field of the form (characters).
LIMITS: Mapping[str, int] = {
    "name": 120,
    "city": 100,
    "homepage": 500,
    "url": 500,
    "email": 254,
    "description": 1000,
}
MIN_NAME = 3
MAX_ID = 48
FIELDS = ("name", "city", "homepage", "url", "email", "description", "consent")

REQUIRED = {
    "name": "Bitte geben Sie den Namen Ihres Forums an.",
    "city": "Bitte geben Sie die Stadt oder Gemeinde an, in der Ihr Forum aktiv ist.",
    "homepage": "Bitte geben Sie die Adresse Ihrer Website an.",
    "email": "Bitte geben Sie eine E-Mail-Adresse an, unter der wir Sie erreichen.",
    "consent": "Bitte stimmen Sie den Teilnahmebedingungen des Netzwerks zu.",
}
TOO_LONG = "Bitte höchstens {limit} Zeichen."
NAME_TOO_SHORT = "Der Name ist zu kurz (mindestens 3 Zeichen)."
CONTROL_CHARACTERS = "Bitte nur normalen Text, ohne Steuerzeichen."
UNKNOWN_CITY = "„{city}“ kennen wir nicht als Gemeinde in Mitteldeutschland."
CITY_HINT = " Meinten Sie: {names}?"
CITY_LIST_HINT = " Bitte wählen Sie den amtlichen Namen aus der Liste."

URL_NOT_HTTP = (
    "Bitte geben Sie eine vollständige Adresse an, die mit http:// oder https:// beginnt "
    "(zum Beispiel https://stadtforum-beispiel.de/)."
)
URL_SCHEME = "Nur Adressen mit http:// oder https:// sind möglich."
URL_CREDENTIALS = (
    "Die Adresse darf keinen Benutzernamen und kein Passwort enthalten (nichts vor einem @)."
)
URL_INSIDE = (
    "Diese Adresse zeigt {where}. Solche Adressen rufen wir aus Sicherheitsgründen nicht ab; "
    "bitte geben Sie die öffentliche Adresse Ihrer Website an."
)
_WHERE = (
    ("loopback", "auf den Server selbst (Loopback)"),
    ("private", "in ein privates Netz"),
    ("link-local", "auf eine lokale Netzwerkadresse (Link-Local)"),
)
_WHERE_OTHER = "auf eine reservierte oder nicht öffentliche Adresse"

# Probe problems (`probe.Problem.code`) and the discovery outcomes, in plain German.
NO_FEED_SCRAPE = (
    "Ihre Seite hat keinen Feed; wir lesen die Nachrichtenseite {url} und holen neue Beiträge "
    "von dort."
)
FEED_FOUND = "Wir haben Ihren Feed gefunden: {url}."
NOTHING_FOUND = (
    "Auf Ihrer Website haben wir weder einen Feed noch eine Nachrichtenseite mit Beiträgen "
    "gefunden. Tragen Sie bitte die Adresse Ihres Feeds oder Ihrer Nachrichtenseite im Feld "
    "„Feed oder Nachrichtenseite“ ein."
)
FETCH_FAILED = "Die Adresse {url} konnte nicht gelesen werden: {phrase}."
BLOCKED = (
    "Die Adresse {url} rufen wir nicht ab: sie selbst oder eine Weiterleitung zeigt auf einen "
    "internen Rechner oder ein privates Netz."
)
PROBLEMS = {
    "no_items": "Unter {url} haben wir keine Beiträge gefunden.",
    "undated": (
        "Keine Datumsangaben gefunden bei {count} Beiträgen: wir zeigen sie mit dem Tag, an dem "
        "wir sie zuerst gesehen haben. Ein Datum an jedem Beitrag hilft Ihren Leserinnen und "
        "Lesern."
    ),
    "more_items": (
        "Weitere Beiträge lesen wir nach und nach bei den nächsten Abrufen ein; die Vorschau "
        "zeigt die neuesten."
    ),
    "warning": "Der Feed ist nicht ganz fehlerfrei, wir konnten ihn aber lesen.",
}
ALREADY_KNOWN = (
    "Diese Seite ist schon im Netzwerk (als „{name}“). Wenn sich an Ihrer Seite etwas geändert "
    "hat, schreiben Sie uns bitte über den Link auf Ihrer Statusseite."
)
ALREADY_REQUESTED = (
    "Diese Seite wurde schon angemeldet und wartet auf die Bestätigung oder die Freigabe durch "
    "die Redaktion. Bitte sehen Sie in Ihrem Postfach nach der Bestätigungs-E-Mail."
)

_COUNT = re.compile(r"^(\d+) of ")


@dataclass(frozen=True, slots=True)
class FormValues:
    """The form as checked: trimmed, the city by its official name, the email not yet
    normalized (`mail.addresses` does that in the service)."""

    name: str
    city: str
    homepage: str
    url: str | None
    email: str
    description: str | None


@dataclass(frozen=True, slots=True)
class FormCheck:
    values: FormValues | None  # None when there are errors
    errors: Mapping[str, str] = field(default_factory=dict)  # field → German message
    echo: Mapping[str, str] = field(default_factory=dict)  # what to show in the form again


def check_form(
    fields: Mapping[str, str], *, cities: Collection[str], allow_private: bool = False
) -> FormCheck:
    """Check the registration form; each field gets at most one German error."""
    echo = {key: (fields.get(key) or "")[: LIMITS.get(key, 10)] for key in FIELDS}
    raw = {key: (fields.get(key) or "").strip() for key in FIELDS}
    errors: dict[str, str] = {}
    for key, limit in LIMITS.items():
        if len(raw[key]) > limit:
            errors[key] = TOO_LONG.format(limit=limit)
        elif _has_control_characters(raw[key], allow_newlines=key == "description"):
            errors[key] = CONTROL_CHARACTERS
    for key, message in REQUIRED.items():
        if key not in errors and not raw[key]:
            errors[key] = message
    if "name" not in errors and len(raw["name"]) < MIN_NAME:
        errors["name"] = NAME_TOO_SHORT
    city = None
    if "city" not in errors:
        city = official_city(raw["city"], cities)
        if city is None:
            errors["city"] = unknown_city_text(raw["city"], cities)
    for key in ("homepage", "url"):
        if key not in errors and raw[key]:
            refusal = url_refusal(raw[key], allow_private=allow_private)
            if refusal is not None:
                errors[key] = refusal
    if errors or city is None:
        return FormCheck(None, errors, echo)
    values = FormValues(
        name=raw["name"],
        city=city,
        homepage=raw["homepage"],
        url=raw["url"] or None,
        email=raw["email"],
        description=raw["description"] or None,
    )
    return FormCheck(values, {}, echo)


def _has_control_characters(text: str, *, allow_newlines: bool) -> bool:
    allowed = "\n\r\t" if allow_newlines else ""
    return any((ord(c) < 32 or 0x7F <= ord(c) < 0xA0) and c not in allowed for c in text)


def url_refusal(url: str, *, allow_private: bool = False) -> str | None:
    """Why `url`, as a person typed it, is not fetched (German), or None when it may be."""
    text = url.strip()
    try:
        scheme = urlsplit(text).scheme.lower()
    except ValueError:
        return URL_NOT_HTTP
    if scheme and scheme not in ("http", "https") and "://" in text:
        return URL_SCHEME
    if url_problem(text) is not None:
        return URL_NOT_HTTP
    if has_credentials(text):
        return URL_CREDENTIALS
    problem = host_problem(text, allow_private=allow_private)
    if problem is not None:
        return URL_INSIDE.format(where=_where(problem))
    return None


def _where(problem: str) -> str:
    for word, where in _WHERE:
        if word in problem:
            return where
    return _WHERE_OTHER


def problem_text(code: str, *, url: str, english: str = "") -> str:
    """A probe problem (`probe.Problem`) or a fetch failure reason in plain German."""
    if code == "blocked_address":
        return BLOCKED.format(url=url)
    if code == "undated":
        match = _COUNT.match(english)
        count = match.group(1) if match else "einigen"
        return PROBLEMS["undated"].format(count=count)
    if code in PROBLEMS:
        return PROBLEMS[code].format(url=url)
    return FETCH_FAILED.format(url=url, phrase=error_phrase(code))


def official_city(text: str, cities: Collection[str]) -> str | None:
    """The official municipality name `text` means (case, spaces and umlaut spellings aside)."""
    wanted = _city_key(text)
    if not wanted:
        return None
    for city in cities:
        if _city_key(city) == wanted:
            return city
    return None


def city_suggestions(text: str, cities: Collection[str], count: int = 3) -> list[str]:
    """Official names close to what was typed ("Halle" → "Halle (Saale)")."""
    wanted = _city_key(text)
    if not wanted:
        return []
    by_key = {_city_key(city): city for city in cities}
    starting = sorted(city for key, city in by_key.items() if key.startswith(wanted))
    if starting:
        return starting[:count]
    return [by_key[key] for key in difflib.get_close_matches(wanted, list(by_key), n=count)]


def unknown_city_text(text: str, cities: Collection[str]) -> str:
    shown = text[: LIMITS["city"]]
    suggestions = city_suggestions(text, cities)
    hint = CITY_HINT.format(names=", ".join(suggestions)) if suggestions else CITY_LIST_HINT
    return UNKNOWN_CITY.format(city=shown) + hint


def _city_key(text: str) -> str:
    return slugify(" ".join(text.split()))


def propose_id(name: str, city: str | None, taken: Collection[str]) -> str:
    """A source id from the forum's name (and its city when the name does not say it), free of
    `taken`: "Stadtforum Zittau" → "stadtforum-zittau", a second one → "stadtforum-zittau-2"."""
    base = slugify(name)[:MAX_ID].strip("-")
    city_slug = slugify(city or "")
    if city_slug and city_slug not in base:
        base = f"{base[: MAX_ID - len(city_slug) - 1].strip('-')}-{city_slug}".strip("-")
    if not base or not base[0].isalnum():
        base = f"forum-{base}".strip("-") if base else "forum"
    base = base[:MAX_ID].strip("-")
    candidate, number = base, 2
    while candidate in taken or not ID_PATTERN.fullmatch(candidate):
        suffix = f"-{number}"
        candidate = base[: MAX_ID - len(suffix)].strip("-") + suffix
        number += 1
    return candidate
