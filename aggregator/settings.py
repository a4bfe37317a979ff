"""Runtime settings: every one is an environment variable `AGGREGATOR_*`, most also a CLI flag.

Flags win over the environment, the environment wins over the defaults below.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from email.headerregistry import Address
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from aggregator.errors import ConfigError
from aggregator.urls import url_problem

DEFAULT_DATABASE_URL = "sqlite:///data/aggregator.db"
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class Settings:
    config: Path = Path("sources.yaml")
    database_url: str = DEFAULT_DATABASE_URL
    output_dir: Path = Path("public")
    base_url: str = DEFAULT_BASE_URL
    host: str = "127.0.0.1"
    port: int = 8000
    concurrency: int = 16  # global limit of simultaneous fetches
    connect_timeout: float = 10.0
    timeout: float = 30.0  # total seconds for one fetch, body included
    max_bytes: int = 10 * 1024 * 1024
    check_every_s: int = 60  # how often `run` asks the database what is due
    crawl_lease_s: float = 120.0  # a crawler's claim on a source, renewed while it works
    # Parser processes of a crawl: -1 automatic (see crawl._Parsers), 0 parse in the crawler.
    parse_workers: int = -1
    # Fetch loopback and private addresses too (tests, the demo, an intranet); off: a feed or
    # its redirect cannot reach inside the network the crawler runs in.
    allow_private_urls: bool = False
    # Scraped news sites: seconds between two requests to one host (robots.txt's Crawl-delay
    # may ask for more), and article pages read per source and crawl (the rest next crawl).
    host_spacing_s: float = 2.0
    articles_per_run: int = 20
    # Weekly digest: the mail's subject ({week} and {year} are filled in: "KW 48/2026"), and the
    # most stories a draft takes in.
    digest_subject: str = "Stadtforen-Wochenschau KW {week}/{year}"
    digest_max_entries: int = 200
    # When `run` drafts the previous week's digest: "<day> HH:MM" in Europe/Berlin, day one of
    # mon tue wed thu fri sat sun; "off": never (drafts by hand or in the editor area).
    digest_schedule: str = "mon 06:00"
    # Approve the weekly draft as it is and release it (publish and mail) right away: for a
    # network without editors. Off: an editor approves in /redaktion/wochenschau/.
    digest_auto_approve: bool = False

    # Mail (newsletter): the SMTP server that delivers, and the sender. `smtp_security` is
    # "none", "starttls" or "tls" (implicit TLS, usually port 465). `mail_secret` keys the
    # unsubscribe links (HMAC), at least 32 characters; empty: a key the database keeps.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_security: str = "none"
    smtp_user: str = ""
    smtp_password: str = ""
    mail_from: str = "Netzwerk Stadtforen <wochenschau@localhost>"
    smtp_timeout_s: float = 30.0
    # A CA bundle (PEM) to check the SMTP server's certificate with, for a server whose
    # certificate the system does not trust (an internal CA); empty: the system's CAs.
    smtp_ca_file: str = ""
    # Reverse proxies in front of the web app whose X-Forwarded-For / -Proto are believed
    # (comma-separated addresses or networks, e.g. "127.0.0.1" for nginx on the same machine).
    # Empty: none; the limits per client address then count the connecting address.
    trusted_proxies: str = ""
    mail_secret: str = ""
    # Editor area (issue 13): a session unused this long ends; and this long after signing in,
    # used or not.
    editor_session_idle_s: int = 12 * 3600
    editor_session_max_s: int = 7 * 86_400
    # Source health (issue 14): where the "a source fails for a day" mails go besides the
    # forum's contact (empty: the forums' contacts only), and after how many hours of failure.
    editor_email: str = ""
    alert_after_h: int = 24

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read `AGGREGATOR_<FIELD>` for every field; a bad value is a ConfigError naming it."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        problems = []
        for f in fields(cls):
            name = f"AGGREGATOR_{f.name.upper()}"
            raw = env.get(name)
            if raw is None or raw == "":
                continue
            try:
                values[f.name] = _convert(f.type, raw)
            except ValueError:
                problems.append(f"{name}={raw!r}: expected {_describe(f.type)}")
        if problems:
            raise ConfigError(problems)
        return _checked(cls(**values))

    def with_overrides(self, **overrides: Any) -> Settings:
        """Apply CLI flags (None means "not given")."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return _checked(replace(self, **given)) if given else self


_TRUE = frozenset({"1", "true", "yes"})
_FALSE = frozenset({"0", "false", "no"})


def _convert(kind: Any, raw: str) -> Any:
    kind = str(kind)
    if kind == "bool":
        word = raw.strip().lower()
        if word not in _TRUE | _FALSE:
            raise ValueError(raw)
        return word in _TRUE
    if kind == "Path":
        return Path(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    return raw


def _describe(kind: Any) -> str:
    return {
        "int": "a whole number",
        "float": "a number",
        "bool": "1, true or yes (on) or 0, false or no (off)",
    }.get(str(kind), "a value")


# Each number's sane range: an absurd value is a clear error here, not an overflow in a timer.
_RANGES: dict[str, tuple[float, float]] = {
    "concurrency": (1, 1024),
    "max_bytes": (1, 1024**3),
    "check_every_s": (1, 86_400),
    "connect_timeout": (0.001, 3_600),
    "timeout": (0.001, 3_600),
    "crawl_lease_s": (1, 86_400),
    "parse_workers": (-1, 64),
    "host_spacing_s": (0, 600),
    "articles_per_run": (0, 1_000),
    # mail
    "smtp_port": (1, 65_535),
    "smtp_timeout_s": (0.1, 600),
    "digest_max_entries": (1, 1_000),
    # editor area
    "editor_session_idle_s": (60, 7 * 86_400),
    "editor_session_max_s": (60, 90 * 86_400),
    # source health
    "alert_after_h": (1, 24 * 30),
}
SMTP_SECURITY = ("none", "starttls", "tls")
MIN_MAIL_SECRET = 32


def digest_subject_problem(template: str) -> str | None:
    """Why `template` is no usable digest subject (it may name {week} and {year}), or None."""
    try:
        text = template.format(week=48, year=2026)
    except (KeyError, IndexError, ValueError, AttributeError) as exc:
        return f"only {{week}} and {{year}} may be named ({type(exc).__name__}: {exc})"
    if not text.strip() or "\r" in text or "\n" in text:
        return "must be one non-empty line"
    return None


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SCHEDULE = re.compile(r"([a-z]{3})\s+([0-9]{1,2}):([0-9]{2})")


def parse_digest_schedule(text: str) -> tuple[str, int, int] | None:
    """("mon", 6, 0) for "mon 06:00" (case and spacing free); None for "off".
    Raises ValueError saying what is wrong."""
    cleaned = " ".join(text.split()).lower()
    if cleaned == "off":
        return None
    match = _SCHEDULE.fullmatch(cleaned)
    if match is None:
        raise ValueError('expected "<day> HH:MM" like "mon 06:00", or "off"')
    day, hour, minute = match.group(1), int(match.group(2)), int(match.group(3))
    if day not in DAYS:
        raise ValueError(f"the day must be one of {' '.join(DAYS)}")
    if hour > 23 or minute > 59:
        raise ValueError("the time must be between 00:00 and 23:59")
    return day, hour, minute


def proxy_entries(text: str) -> list[str]:
    """The addresses and networks of AGGREGATOR_TRUSTED_PROXIES."""
    return [entry.strip() for entry in text.split(",") if entry.strip()]


def _checked(settings: Settings) -> Settings:
    problems = []
    try:
        parse_digest_schedule(settings.digest_schedule)
    except ValueError as exc:
        problems.append(f"AGGREGATOR_DIGEST_SCHEDULE={settings.digest_schedule!r}: {exc}")
    if url_problem(settings.base_url):
        problems.append(
            f"AGGREGATOR_BASE_URL={settings.base_url!r}: must be an absolute http(s) URL"
        )
    subject = digest_subject_problem(settings.digest_subject)
    if subject:
        problems.append(f"AGGREGATOR_DIGEST_SUBJECT={settings.digest_subject!r}: {subject}")
    if not 0 < settings.port < 65536:
        problems.append(f"AGGREGATOR_PORT={settings.port}: must be between 1 and 65535")
    for name, (low, high) in _RANGES.items():
        value = getattr(settings, name)
        if not low <= value <= high:  # NaN fails both comparisons, so it is caught too
            problems.append(
                f"AGGREGATOR_{name.upper()}={value}: must be between {low:g} and {high:g}"
            )
    problems += _mail_problems(settings)
    problems += _health_problems(settings)
    if problems:
        raise ConfigError(problems)
    if not settings.base_url.endswith("/"):
        settings = replace(settings, base_url=settings.base_url + "/")
    return settings


def _mail_problems(settings: Settings) -> list[str]:
    problems = []
    for entry in proxy_entries(settings.trusted_proxies):
        try:
            ipaddress.ip_network(entry, strict=False)
        except ValueError:
            problems.append(
                f"AGGREGATOR_TRUSTED_PROXIES: {entry!r} is not an IP address or network"
            )
    if settings.smtp_ca_file and not Path(settings.smtp_ca_file).is_file():
        problems.append(f"AGGREGATOR_SMTP_CA_FILE={settings.smtp_ca_file!r}: no such file")
    if settings.smtp_security not in SMTP_SECURITY:
        problems.append(
            f"AGGREGATOR_SMTP_SECURITY={settings.smtp_security!r}: must be one of "
            + ", ".join(SMTP_SECURITY)
        )
    _name, address = parseaddr(settings.mail_from)
    try:
        valid = "@" in address and bool(Address(addr_spec=address).domain)
    except (ValueError, IndexError):
        valid = False
    if not valid or any(c in settings.mail_from for c in "\r\n"):
        problems.append(
            f"AGGREGATOR_MAIL_FROM={settings.mail_from!r}: must be an address, "
            "e.g. 'Netzwerk Stadtforen <wochenschau@example.org>'"
        )
    if settings.mail_secret and len(settings.mail_secret) < MIN_MAIL_SECRET:
        problems.append(f"AGGREGATOR_MAIL_SECRET: must be at least {MIN_MAIL_SECRET} characters")
    return problems


def _health_problems(settings: Settings) -> list[str]:
    address = settings.editor_email
    if address and (
        "@" not in address or len(address) > 254 or any(c in address for c in "\r\n<>,; ")
    ):
        return [
            f"AGGREGATOR_EDITOR_EMAIL={address!r}: must be one address, e.g. redaktion@example.org"
        ]
    return []
