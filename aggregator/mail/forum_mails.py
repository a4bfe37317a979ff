"""The mails to a forum's contact about its registration (German, multipart, from
templates/email/forum_*.html + .txt):

    registration_confirm_mail   the link that confirms a registration (/mitmachen/bestaetigen/…)
    approved_mail               the source is in: the private status link
    rejected_mail               not approved, with the editor's reason
    change_approved_mail        a proposed new URL was taken over
    change_rejected_mail        it was not, with the reason
    status_link_mail            the private status link, sent by the operator (e.g. to a forum
                                of sources.yaml, which never registered)

`send_forum_mail(smtp, recipient, mail, now)` sends one of them (MailError when that fails).
Building is pure; sending opens one SMTP connection.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import css_inline

from aggregator.mail.messages import build_message, new_message_id
from aggregator.mail.smtp import SmtpConfig, SmtpConnection
from aggregator.model import DigestMail
from aggregator.templating import environment

CONFIRM_SUBJECT = "Bitte bestätigen: Anmeldung von {name} beim Netzwerk Stadtforen"
APPROVED_SUBJECT = "Freigegeben: {name} ist im Nachrichtenportal der Stadtforen"
REJECTED_SUBJECT = "Ihre Anmeldung von {name} beim Netzwerk Stadtforen"
CHANGE_APPROVED_SUBJECT = "Übernommen: neue Adresse für {name}"
CHANGE_REJECTED_SUBJECT = "Ihre Änderung für {name} beim Netzwerk Stadtforen"
STATUS_LINK_SUBJECT = "Ihre Statusseite im Nachrichtenportal der Stadtforen: {name}"


def _mail(template: str, subject: str, **values: Any) -> DigestMail:
    env = environment("email")
    html = env.get_template(f"{template}.html").render(subject=subject, **values)
    text = env.get_template(f"{template}.txt").render(**values)
    return DigestMail(subject=subject, html=css_inline.inline(html), text=text)


def _subject(pattern: str, name: str) -> str:
    return pattern.format(name=" ".join(name.split())[:120])  # no line breaks in a header


def registration_confirm_mail(name: str, confirm_url: str, *, days_valid: int) -> DigestMail:
    return _mail(
        "forum_confirm",
        _subject(CONFIRM_SUBJECT, name),
        name=name,
        confirm_url=confirm_url,
        days_valid=days_valid,
    )


def approved_mail(name: str, url: str, status_url: str) -> DigestMail:
    return _mail(
        "forum_approved",
        _subject(APPROVED_SUBJECT, name),
        name=name,
        url=url,
        status_url=status_url,
    )


def rejected_mail(name: str, reason: str) -> DigestMail:
    return _mail("forum_rejected", _subject(REJECTED_SUBJECT, name), name=name, reason=reason)


def change_approved_mail(name: str, url: str, status_url: str) -> DigestMail:
    return _mail(
        "forum_change_approved",
        _subject(CHANGE_APPROVED_SUBJECT, name),
        name=name,
        url=url,
        status_url=status_url,
    )


def change_rejected_mail(name: str, reason: str, status_url: str) -> DigestMail:
    return _mail(
        "forum_change_rejected",
        _subject(CHANGE_REJECTED_SUBJECT, name),
        name=name,
        reason=reason,
        status_url=status_url,
    )


def status_link_mail(name: str, url: str, status_url: str) -> DigestMail:
    return _mail(
        "forum_status_link",
        _subject(STATUS_LINK_SUBJECT, name),
        name=name,
        url=url,
        status_url=status_url,
    )


def send_forum_mail(smtp: SmtpConfig, recipient: str, mail: DigestMail, now: datetime) -> None:
    """Send one mail to a forum's contact (raises MailError when that fails)."""
    message = build_message(
        mail,
        sender=smtp.sender,
        recipient=recipient,
        message_id=new_message_id(smtp.sender),
        date=now,
    )
    with SmtpConnection(smtp) as connection:
        connection.send(message, recipient)
