"""The health mails of a source (German): "we cannot read your site since …" and "we can read
it again". One to the forum's contact (with its status link), one to the editor address (with
the link to /redaktion/zustand); `alerts.send_health_alerts` decides when.

    health_mail(kind, audience, …) -> DigestMail      pure: values in, subject and bodies out
    send_health_mail(smtp, recipient, mail, now)      one message (raises MailError)
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

import css_inline

from aggregator.mail.forum_mails import send_forum_mail
from aggregator.mail.smtp import SmtpConfig
from aggregator.model import DigestMail
from aggregator.templating import environment

Audience = Literal["forum", "editor"]
MailKind = Literal["alert", "recovery"]

_SUBJECTS = {
    ("alert", "forum"): "Wir können Ihre Seite nicht mehr lesen: {name}",
    ("alert", "editor"): "Quelle fällt aus: {name}",
    ("recovery", "forum"): "Ihre Seite ist wieder lesbar: {name}",
    ("recovery", "editor"): "Quelle wieder lesbar: {name}",
}
_TEMPLATES = {"alert": "health_alert", "recovery": "health_recovered"}


def health_mail(
    kind: MailKind,
    audience: Audience,
    *,
    source_id: str,
    name: str,
    url: str,
    since: str,  # German date and time, e.g. "30. November 2026, 08:00 Uhr"
    status_url: str,
    problem: str = "",
    hint: str = "",
) -> DigestMail:
    subject = _SUBJECTS[(kind, audience)].format(name=" ".join(name.split()))
    values = {
        "subject": subject,
        "audience": audience,
        "source_id": source_id,
        "name": name,
        "url": url,
        "since": since,
        "status_url": status_url,
        "problem": problem,
        "hint": hint,
    }
    env = environment("email")
    html = env.get_template(f"{_TEMPLATES[kind]}.html").render(**values)
    text = env.get_template(f"{_TEMPLATES[kind]}.txt").render(**values)
    return DigestMail(subject=subject, html=css_inline.inline(html), text=text)


def send_health_mail(smtp: SmtpConfig, recipient: str, mail: DigestMail, now: datetime) -> None:
    """One message, sent as every mail to a forum is (`forum_mails.send_forum_mail`)."""
    send_forum_mail(smtp, recipient, mail, now)
