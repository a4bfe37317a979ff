"""The health mails: when a source has failed for a day (AGGREGATOR_ALERT_AFTER_H), one mail to
the editor address (AGGREGATOR_EDITOR_EMAIL) and one to the forum's contact; when it can be read
again, one recovery mail to each. Not one per failed crawl: the crawl keeps the failure period
in `sources.failing_since`, and `alert_sent_at` records the alert of the period
(`health.alert_due` decides).

    send_health_alerts(settings, engine, smtp, now, sources=None) -> AlertReport

Called after each crawl tick. Each mail is claimed in the database before it is sent (one
conditional UPDATE), so two processes running this at once send it once; a claimed mail that
reached nobody is given back and tried at the next call.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urljoin

from sqlalchemy import Engine

from aggregator.health import SourceStats, alert_due, error_text, german_moment
from aggregator.mail.health_mails import Audience, MailKind, health_mail, send_health_mail
from aggregator.mail.smtp import MailError, SmtpConfig
from aggregator.mail.tokens import source_status_url
from aggregator.model import Source
from aggregator.settings import Settings
from aggregator.store.health import SourceHealthStore

log = logging.getLogger(__name__)

HEALTH_PAGE = "redaktion/zustand"


@dataclass(frozen=True, slots=True)
class AlertReport:
    alerts: tuple[str, ...] = ()  # source ids whose failure mail went out
    recoveries: tuple[str, ...] = ()  # … whose recovery mail went out
    failed: tuple[str, ...] = ()  # … whose mail could not be sent (tried again next time)


def send_health_alerts(
    settings: Settings,
    engine: Engine,
    smtp: SmtpConfig,
    now: datetime,
    sources: Sequence[Source] | None = None,
) -> AlertReport:
    """Send the failure and recovery mails that are due at `now`. `sources`: every source
    (default: sources.yaml's and the registered ones, as the crawl reads them)."""
    if sources is None:
        sources = _all_sources(settings, engine)
    store = SourceHealthStore(engine)
    after = timedelta(hours=settings.alert_after_h)
    alerts: list[str] = []
    recoveries: list[str] = []
    failed: list[str] = []
    secret: str | None = None
    for stats in store.stats([s for s in sources if s.enabled], now):
        due = alert_due(stats.failing_since, stats.alert_sent_at, now, after)
        if due is None:
            continue
        if due == "alert":
            assert stats.failing_since is not None
            if not store.claim_alert(stats.source_id, stats.failing_since, now):
                continue  # another process sends it
        else:
            assert stats.alert_sent_at is not None
            if not store.claim_recovery(stats.source_id, stats.alert_sent_at):
                continue
        if secret is None and stats.contact_email:
            from aggregator.mail.newsletter import mail_secret

            secret = mail_secret(settings, engine, now)
        sent = _send(settings, smtp, stats, due, now, secret)
        if sent:
            (alerts if due == "alert" else recoveries).append(stats.source_id)
            continue
        failed.append(stats.source_id)
        if due == "alert":
            store.undo_alert(stats.source_id, now, stats.alert_sent_at)
        else:
            assert stats.alert_sent_at is not None
            store.undo_recovery(stats.source_id, stats.alert_sent_at)
    return AlertReport(tuple(alerts), tuple(recoveries), tuple(failed))


def _send(
    settings: Settings,
    smtp: SmtpConfig,
    stats: SourceStats,
    kind: MailKind,
    now: datetime,
    secret: str | None,
) -> bool:
    """Mail the editor and the contact; True when at least one got it (or there is nobody to
    tell: then nothing is tried again)."""
    recipients: list[tuple[Audience, str]] = []
    if settings.editor_email:
        recipients.append(("editor", settings.editor_email))
    if stats.contact_email and stats.contact_email != settings.editor_email:
        recipients.append(("forum", stats.contact_email))
    if not recipients:
        log.info("%s: %s due, but no editor address and no contact", stats.source_id, kind)
        return True
    problem, hint = error_text(stats.last_error)
    since = stats.failing_since if kind == "alert" else (stats.last_success_at or now)
    delivered = 0
    for audience, address in recipients:
        if audience == "forum" and secret is not None:
            link = source_status_url(settings.base_url, secret, stats.source_id)
        else:
            link = urljoin(settings.base_url, HEALTH_PAGE)
        mail = health_mail(
            kind,
            audience,
            source_id=stats.source_id,
            name=stats.name,
            url=stats.url or "",
            since=german_moment(since),
            status_url=link,
            problem=problem,
            hint=hint,
        )
        try:
            send_health_mail(smtp, address, mail, now)
            delivered += 1
        except MailError as exc:
            log.warning("%s: the %s mail to %s failed: %s", stats.source_id, kind, audience, exc)
    return delivered > 0


def _all_sources(settings: Settings, engine: Engine) -> list[Source]:
    from aggregator.runtime import load_sources
    from aggregator.store.repository import Store

    return list(load_sources(settings, Store(engine)).sources)
