"""Source health (pure): the flags of one source from its stored figures and the time.

    SourceStats          what the store knows of a source (store.health.SourceHealthStore)
    assess(stats, now)   -> SourceHealth: the stats and their flags
    alert_due(...)       whether the "fails for 24 hours" mail or the recovery mail is due
    error_text(reason)   -> (German phrase, German hint) for the forum's status page
    health_lines(...)    one English line per source for `aggregator sources health`

Flags name the failure patterns that aggregators usually suffer silently:

    failing            every fetch has failed for `failing_after` (24 h) or longer
    feed_became_html   the feed address answers with an HTML page
    moved_not_applied  the server redirects permanently, the source still names the old URL
    relaunch_held      items are held back: a fetch re-issued or re-dated many old items
    silent_90_days     no item newer than 90 days (or a working source without any item)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from aggregator.publish.german import error_phrase, german_datetime

Flag = Literal[
    "failing", "feed_became_html", "moved_not_applied", "relaunch_held", "silent_90_days"
]
FLAGS: tuple[Flag, ...] = (
    "failing",
    "feed_became_html",
    "moved_not_applied",
    "relaunch_held",
    "silent_90_days",
)
FAILING_AFTER = timedelta(hours=24)
SILENT_AFTER = timedelta(days=90)
MONTH_WINDOW_DAYS = 90  # items per month: over the last three months

# The editor's table: a short German label and what to do, per flag.
FLAG_TEXTS: dict[str, tuple[str, str]] = {
    "failing": (
        "Abruf schlägt fehl",
        "Seit mehr als 24 Stunden konnte die Quelle nicht gelesen werden; Forum und Redaktion "
        "wurden benachrichtigt.",
    ),
    "feed_became_html": (
        "Feed ist jetzt eine Webseite",
        "Unter der Feed-Adresse steht eine HTML-Seite. Neue Feed-Adresse erfragen oder die "
        "Nachrichtenseite lesen lassen.",
    ),
    "moved_not_applied": (
        "Dauerhaft umgezogen",
        "Der Server leitet dauerhaft auf eine neue Adresse um; bitte die Adresse der Quelle "
        "ändern.",
    ),
    "relaunch_held": (
        "Viele alte Beiträge neu ausgegeben",
        "Vermutlich eine neue Website (Relaunch): die Beiträge sind zurückgehalten, bis Sie sie "
        "freigeben.",
    ),
    "silent_90_days": (
        "Seit 90 Tagen nichts Neues",
        "Kein Beitrag aus den letzten 90 Tagen. Liest die Quelle noch die richtige Seite?",
    ),
}

# What a forum can do about each failure reason (the phrase comes from publish.german).
_HINTS: dict[str, str] = {
    "timeout": "Ist Ihre Website langsam oder überlastet? Wir versuchen es automatisch erneut.",
    "dns": "Ist Ihre Domain noch registriert und richtig eingerichtet? Prüfen Sie die Adresse.",
    "connect": "Ist Ihr Webserver erreichbar? Fragen Sie Ihren Hoster.",
    "refused": "Ist Ihr Webserver erreichbar? Fragen Sie Ihren Hoster.",
    "tls": "Das Zertifikat Ihrer Website ist abgelaufen oder passt nicht; Ihr Hoster kann es "
    "erneuern.",
    "not_a_feed": "Unter der Adresse steht kein Feed (mehr). Nennen Sie uns unten die neue "
    "Feed-Adresse oder die Adresse Ihrer Nachrichtenseite.",
    "malformed": "Ihr Feed enthält Fehler. Oft hilft ein Update des Redaktionssystems oder "
    "eines Plugins.",
    "too_large": "Die Seite ist sehr groß. Zeigt Ihr Feed nur die neuesten Beiträge?",
    "robots_disallowed": "Ihre robots.txt verbietet uns das Lesen. Erlauben Sie den Abruf "
    "dieser Seite.",
    "robots_unreachable": "Ihre robots.txt ist nicht erreichbar; wir versuchen es später erneut.",
    "no_items": "Wir finden keine Beiträge mehr. Hat sich der Aufbau Ihrer Seite geändert? "
    "Nennen Sie uns unten die richtige Adresse.",
    "empty_page": "Die Nachrichtenseite ist leer. Nennen Sie uns unten die richtige Adresse.",
    "login_wall": "Die Seite verlangt eine Anmeldung. Wir können nur öffentliche Seiten lesen.",
    "not_html": "Unter der Adresse steht keine Webseite. Nennen Sie uns unten die richtige "
    "Adresse.",
    "blocked_address": "Die Adresse zeigt in ein internes Netz; nur öffentliche Adressen sind "
    "möglich.",
    "invalid_url": "Die Adresse ist ungültig. Nennen Sie uns unten die richtige Adresse.",
    "empty": "Ihr Feed ist leer. Haben Sie schon Beiträge veröffentlicht?",
    "http_401": "Die Seite verlangt eine Anmeldung. Wir können nur öffentliche Seiten lesen.",
    "http_403": "Ihr Server verweigert uns den Zugriff. Vielleicht sperrt eine Firewall oder "
    "ein Sicherheits-Plugin Abrufe; bitte dort freigeben.",
    "http_404": "Die Adresse gibt es nicht mehr. Nennen Sie uns unten die neue Adresse.",
    "http_410": "Die Adresse gibt es nicht mehr. Nennen Sie uns unten die neue Adresse.",
    "http_429": "Ihr Server meldet zu viele Anfragen; wir fragen seltener.",
}
_SERVER_ERROR_HINT = "Ihr Server meldet einen Fehler. Meist hilft Ihr Hoster weiter."
_DEFAULT_HINT = "Wir versuchen es automatisch erneut. Hält der Fehler an, schreiben Sie uns."


@dataclass(frozen=True, slots=True)
class SourceStats:
    """One source's figures as stored: definition, fetch state, item counts."""

    source_id: str
    name: str
    kind: str  # "feed" | "page"
    url: str | None  # what the crawl fetches
    enabled: bool = True
    origin: str = "config"
    last_fetched_at: datetime | None = None
    last_success_at: datetime | None = None
    last_status: str | None = None  # "ok" | "not_modified" | "failed"
    last_error: str | None = None  # reason code
    last_error_message: str | None = None
    consecutive_failures: int = 0
    moved_to: str | None = None
    failing_since: datetime | None = None
    alert_sent_at: datetime | None = None
    contact_email: str | None = None
    items: int = 0  # stored items (held ones too)
    held: int = 0  # items held back (relaunch)
    newest_published: datetime | None = None  # of the items not held
    found_30_days: int = 0  # items first seen in the last 30 days
    published_90_days: int = 0  # items dated within the last 90 days

    @property
    def http_status(self) -> int | None:
        """The HTTP status of the last fetch as far as it is known: 200, 304 or the error's."""
        if self.last_status == "ok":
            return 200
        if self.last_status == "not_modified":
            return 304
        code = self.last_error or ""
        if code.startswith("http_") and code[5:].isdigit():
            return int(code[5:])
        return None

    @property
    def items_per_month(self) -> float:
        return self.published_90_days * 30 / MONTH_WINDOW_DAYS


@dataclass(frozen=True, slots=True)
class SourceHealth:
    stats: SourceStats
    flags: tuple[Flag, ...]
    since_newest: timedelta | None  # time since the newest item

    @property
    def healthy(self) -> bool:
        return not self.flags


def assess(
    stats: SourceStats,
    now: datetime,
    *,
    failing_after: timedelta = FAILING_AFTER,
    silent_after: timedelta = SILENT_AFTER,
) -> SourceHealth:
    """The flags of one source at `now`, in the order of FLAGS."""
    found: set[Flag] = set()
    if is_failing(stats, now, failing_after):
        found.add("failing")
    if stats.kind == "feed" and feed_is_html(stats.last_error, stats.last_error_message):
        found.add("feed_became_html")
    if stats.moved_to and stats.moved_to != stats.url:
        found.add("moved_not_applied")
    if stats.held > 0:
        found.add("relaunch_held")
    since = None if stats.newest_published is None else now - stats.newest_published
    if since is not None and since > silent_after:
        found.add("silent_90_days")
    if since is None and stats.last_success_at is not None:
        found.add("silent_90_days")  # read without error, and never an item in it
    return SourceHealth(stats, tuple(f for f in FLAGS if f in found), since)


def is_failing(stats: SourceStats, now: datetime, after: timedelta = FAILING_AFTER) -> bool:
    return (
        stats.consecutive_failures > 0
        and stats.failing_since is not None
        and now - stats.failing_since >= after
    )


def feed_is_html(reason: str | None, message: str | None) -> bool:
    """The last error says the feed address gave an HTML page (`parse.feeds`' not_a_feed)."""
    return reason == "not_a_feed" and "HTML" in (message or "")


AlertKind = Literal["alert", "recovery"]


def alert_due(
    failing_since: datetime | None,
    alert_sent_at: datetime | None,
    now: datetime,
    after: timedelta = FAILING_AFTER,
) -> AlertKind | None:
    """Which health mail a source is due, if any.

    A failure period starts at `failing_since` (set by the crawl at the first failure after a
    success, cleared by the next success). The alert goes out once per period, when it has
    lasted `after`; `alert_sent_at` then lies within the period. When the period has ended
    (cleared, or a new one begun after the alert), the recovery mail is due, once: sending it
    clears `alert_sent_at`."""
    alerted = (
        alert_sent_at is not None and failing_since is not None and alert_sent_at >= failing_since
    )
    if alert_sent_at is not None and not alerted:
        return "recovery"
    if failing_since is not None and not alerted and now - failing_since >= after:
        return "alert"
    return None


def error_text(reason: str | None) -> tuple[str, str]:
    """(what went wrong, what to do) in plain German for a failure reason code."""
    phrase = error_phrase(reason)
    phrase = phrase[:1].upper() + phrase[1:]
    if reason in _HINTS:
        return phrase, _HINTS[reason]
    if reason and reason.startswith("http_5"):
        return phrase, _SERVER_ERROR_HINT
    return phrase, _DEFAULT_HINT


def flag_text(flag: str) -> tuple[str, str]:
    return FLAG_TEXTS.get(flag, (flag, ""))


def german_moment(moment: datetime | None) -> str:
    return german_datetime(moment) if moment is not None else "noch nie"


def german_age(age: timedelta | None) -> str:
    """'vor 3 Tagen', 'vor 5 Stunden', 'gerade eben'; '–' when unknown."""
    if age is None:
        return "–"
    days = age.days
    if days >= 1:
        return "vor 1 Tag" if days == 1 else f"vor {days} Tagen"
    hours = int(age.total_seconds() // 3600)
    if hours >= 1:
        return "vor 1 Stunde" if hours == 1 else f"vor {hours} Stunden"
    return "gerade eben"


def health_lines(healths: Sequence[SourceHealth]) -> list[str]:
    """One English line per source, by id, for `aggregator sources health`:

    leipzig  feed  ok  last success 2026-12-01 09:00Z  failures 0  4.3 items/month
    newest 3 d ago  held 0  flags: -
    (one line; wrapped here)"""
    lines = []
    for health in sorted(healths, key=lambda h: h.stats.source_id):
        s = health.stats
        state = "disabled" if not s.enabled else (s.last_status or "never fetched")
        if s.last_status == "failed":
            state = f"failed ({s.last_error or 'unknown'})"
        newest = "never" if health.since_newest is None else f"{health.since_newest.days} d ago"
        lines.append(
            f"{s.source_id}  {s.kind}  {state}  last success {_utc(s.last_success_at)}  "
            f"failures {s.consecutive_failures}  {s.items_per_month:.1f} items/month  "
            f"newest {newest}  held {s.held}  flags: {', '.join(health.flags) or '-'}"
        )
    return lines


def _utc(moment: datetime | None) -> str:
    return "never" if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%MZ")
