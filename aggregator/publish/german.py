"""German wording for the public site: dates, city slugs and source status lines. Pure.

Everything the public reads is German. Dates are shown in Europe/Berlin ("24. November 2026") via
Babel; a story's stored time is aware UTC. Slugs are the ASCII path names of the city pages
("Halle (Saale)" → "halle-saale", "Weißenfels" → "weissenfels").
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date

from aggregator.model import FetchState, Source

BERLIN = ZoneInfo("Europe/Berlin")
_DE = Locale.parse("de_DE")

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ẞ": "ss"})
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(name: str) -> str:
    """The ASCII path segment of a city: lower case, umlauts spelled out, dashes between words."""
    text = unicodedata.normalize("NFKD", name.lower().translate(_UMLAUTS))
    text = "".join(c for c in text if not unicodedata.combining(c))  # é → e
    return _NOT_SLUG.sub("-", text).strip("-")


def to_berlin(moment: datetime) -> datetime:
    """The moment in Europe/Berlin; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN)


def iso_berlin(moment: datetime) -> str:
    """Machine-readable time for <time datetime>, Berlin offset: 2026-11-24T10:00:00+01:00."""
    return to_berlin(moment).isoformat(timespec="seconds")


@lru_cache(maxsize=4096)
def _long_date(day: date) -> str:
    return str(format_date(day, format="long", locale=_DE))


def german_date(moment: datetime) -> str:
    """'24. November 2026' for the day the moment falls on in Berlin."""
    return _long_date(to_berlin(moment).date())


def german_datetime(moment: datetime) -> str:
    """'24. November 2026, 14:05 Uhr' in Berlin time."""
    local = to_berlin(moment)
    return f"{_long_date(local.date())}, {local:%H:%M} Uhr"


# Reason codes of SourceError / FetchState.last_error, as a reader of the sources page says them.
# Only the phrase is public, never the message (addresses, ports). Every internal target is
# "blocked_address" before any connection, so refused/timeout/tls only ever describe public
# hosts, which anyone can probe directly: the page is no port scanner for members.
ERROR_PHRASES = {
    "timeout": "Zeitüberschreitung, der Server hat nicht rechtzeitig geantwortet",
    "dns": "Adresse nicht gefunden (DNS)",
    "connect": "keine Verbindung zum Server",
    "connection": "keine Verbindung zum Server",
    "refused": "Verbindung vom Server abgelehnt",
    "tls": "Sicherheitszertifikat nicht gültig (TLS)",
    "ssl": "Sicherheitszertifikat nicht gültig (TLS)",
    "not_a_feed": "unter der Adresse steht kein Feed",
    "malformed": "der Feed ist fehlerhaft und nicht lesbar",
    "too_large": "die Antwort ist zu groß",
    "too_many_redirects": "zu viele Weiterleitungen",
    "redirect_loop": "die Weiterleitungen drehen sich im Kreis",
    "robots": "Abruf per robots.txt untersagt",
    "robots_disallowed": "Abruf per robots.txt untersagt",
    "robots_unreachable": "robots.txt der Website nicht erreichbar, Abruf zurückgestellt",
    "no_items": "keine Beiträge gefunden (Seitenaufbau geändert?)",
    "empty_page": "die Nachrichtenseite ist leer",
    "login_wall": "die Nachrichtenseite verlangt eine Anmeldung",
    "not_html": "unter der Adresse steht keine Nachrichtenseite",
    "parser_crashed": "die Seite ließ sich nicht verarbeiten",
    "parser_error": "die Seite ließ sich nicht verarbeiten",
    "blocked_address": "die Adresse darf nicht abgerufen werden",
    "unsafe_url": "die Adresse darf nicht abgerufen werden",
    "invalid_url": "die Adresse ist ungültig",
    "encoding": "unbekannte Zeichenkodierung",
    "empty": "keine Meldungen gefunden",
    "http_401": "Anmeldung verlangt (HTTP 401)",
    "http_403": "Zugriff verweigert (HTTP 403)",
    "http_404": "Seite nicht gefunden (HTTP 404)",
    "http_410": "Seite dauerhaft entfernt (HTTP 410)",
    "http_429": "zu viele Anfragen (HTTP 429)",
}
_HTTP = re.compile(r"http_(\d{3})")


def error_phrase(reason: str | None) -> str:
    """A German phrase for a failure reason code; unknown codes are named, not hidden."""
    if not reason:
        return "unbekannte Ursache"
    if reason in ERROR_PHRASES:
        return ERROR_PHRASES[reason]
    match = _HTTP.fullmatch(reason)
    if match:
        code = int(match.group(1))
        if code >= 500:
            return f"Serverfehler (HTTP {code})"
        return f"Anfrage abgelehnt (HTTP {code})"
    return f"unbekannte Ursache ({reason})"


def status_text(source: Source, state: FetchState | None) -> tuple[str, str]:
    """(css class, German status) of a member's feed for the sources page.

    The class is one of "ok", "warn", "error", "none" and only styles the line; the text carries
    the whole meaning.
    """
    if not source.enabled:
        return "none", "pausiert"
    if state is None or state.last_status is None:
        return "none", "noch nicht abgerufen"
    if state.last_status == "ok":
        text, kind = "in Ordnung", "ok"
    elif state.last_status == "not_modified":
        text, kind = "unverändert", "ok"
    elif state.last_status == "failed":
        text, kind = f"Fehler: {error_phrase(state.last_error)}", "error"
        if state.consecutive_failures > 1:
            text += f" ({state.consecutive_failures}-mal in Folge)"
    else:
        text, kind = state.last_status, "none"
    if state.moved_to:
        text += f"; Adresse umgezogen nach {state.moved_to}"
        if kind == "ok":
            kind = "warn"
    return kind, text
