"""Releasing an approved digest: publish the site with it, then mail it to the subscribers.

    report = release_digest(settings, store, "2026-W48", utc_now())

Used by the editor area (after "Freigeben", in the background: `service.py`), the weekly job
with auto-approve (`scheduler.py`), `aggregator digest send` and the demo. It is resumable: the
delivery keeps a send log per (week, subscriber), so calling it again publishes again (cheap,
atomic) and mails only those not yet served (new confirmations, earlier failures). The site is
published first: every mail links to the digest's web page, which must exist when it arrives.

One release at a time per process (a lock): two callers for the same week would otherwise both
start copies for the same subscribers.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from aggregator.digest_mail import render_digest_mail
from aggregator.mail.delivery import RETRY_DELAYS_S, DeliveryReport, deliver
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.smtp import SmtpConfig
from aggregator.model import Digest, DigestMail, Source
from aggregator.runtime import load_sources, publish_once
from aggregator.settings import Settings
from aggregator.store.digests import DigestError, Digests
from aggregator.store.repository import Store
from aggregator.tagging.topics import default_taxonomy

if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

log = logging.getLogger(__name__)

_RELEASING = threading.Lock()
# Stands for the subscriber's unsubscribe link while the mail is rendered once for everyone.
_PLACEHOLDER = "https://abmelden.invalid/PLATZHALTER-4f1c9a"
# A URL made of these reads the same in the HTML (no character to escape) and the text.
_PLAIN_URL = re.compile(r"[A-Za-z0-9._~:/?#@!$()*+,;=%-]+")


@dataclass(frozen=True, slots=True)
class ReleaseReport:
    week: str
    stories: int  # stories on the published site
    delivery: DeliveryReport

    def summary(self) -> str:
        d = self.delivery
        return (
            f"digest {self.week}: site published ({self.stories} stories); mail sent to {d.sent}, "
            f"already sent to {d.already_sent}, failed {d.failed}, bounced {d.bounced}"
        )


def release_digest(
    settings: Settings,
    store: Store,
    week: str,
    now: datetime,
    *,
    smtp: SmtpConfig | None = None,
    sources: Sequence[Source] | None = None,
    taxonomy: Taxonomy | None = None,
    retry_delays: Sequence[float] = RETRY_DELAYS_S,
    sleep: Callable[[float], None] = time.sleep,
) -> ReleaseReport:
    """Publish the site with the approved digest of `week`, then deliver it to every confirmed
    subscriber not yet served. `sources` and `taxonomy` go together (default: sources.yaml);
    `smtp` defaults to the settings' server.

    Raises DigestError ("not_found", "not_approved") before doing anything for a digest that
    is missing or still a draft; MailError when the SMTP server cannot be used (the site is
    published by then; call again to send)."""
    digests = Digests(store.engine)
    with _RELEASING:
        digest = digests.get(week)
        if digest is None:
            raise DigestError("not_found", f"no digest for {week}")
        if digest.status != "approved":
            raise DigestError(
                "not_approved", f"digest {week} is a draft: approve it before it is sent"
            )
        if sources is None:
            config = load_sources(settings, store)
            sources, taxonomy = config.sources, config.taxonomy
        published, _seconds = publish_once(settings, store, sources, taxonomy)
        labels = {t.key: t.label for t in (taxonomy or default_taxonomy()).topics}
        delivery = deliver(
            store.engine,
            smtp or SmtpConfig.from_settings(settings),
            week,
            digest_renderer(digest, settings, labels),
            now,
            base_url=settings.base_url,
            secret=mail_secret(settings, store.engine, now),
            retry_delays=retry_delays,
            sleep=sleep,
        )
    report = ReleaseReport(week=week, stories=published.stories, delivery=delivery)
    log.info("%s", report.summary())
    return report


def digest_renderer(
    digest: Digest, settings: Settings, topic_labels: Mapping[str, str]
) -> Callable[[str], DigestMail]:
    """`render(unsubscribe_url)` for the delivery: the mail is rendered (and its CSS inlined)
    once; each copy only gets its own link put in, exactly as a render of its own would (a
    link with a character HTML escapes gets a render of its own)."""

    def render_with(unsubscribe_url: str) -> DigestMail:
        return render_digest_mail(
            digest,
            settings.base_url,
            unsubscribe_url,
            subject_template=settings.digest_subject,
            topic_labels=topic_labels,
        )

    template = render_with(_PLACEHOLDER)

    def render(unsubscribe_url: str) -> DigestMail:
        if not _PLAIN_URL.fullmatch(unsubscribe_url):
            return render_with(unsubscribe_url)
        return DigestMail(
            subject=template.subject,
            html=template.html.replace(_PLACEHOLDER, unsubscribe_url),
            text=template.text.replace(_PLACEHOLDER, unsubscribe_url),
        )

    return render


__all__ = ["ReleaseReport", "digest_renderer", "release_digest"]
