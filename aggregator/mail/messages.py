"""The MIME messages the newsletter sends (pure: values in, an EmailMessage out).

Every message is multipart/alternative (plain text first, then HTML), with a Message-ID, a Date
and a German subject. A digest copy carries its subscriber's one-click unsubscribe link as
`List-Unsubscribe` and `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 2369, 8058).
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr

import css_inline

from aggregator.model import DigestMail
from aggregator.templating import environment

CONFIRM_SUBJECT = "Bitte bestätigen: Stadtforen-Wochenschau abonnieren"
ONE_CLICK = "List-Unsubscribe=One-Click"
# Header lines up to SMTP's limit of 998 characters: under the default 78 a long unsubscribe URL
# (it has no space to fold at) would be written as an RFC 2047 encoded word, which mail clients
# do not read as a List-Unsubscribe link, so they offer no one-click unsubscribe.
MAIL_POLICY = policy.default.clone(max_line_length=998)


def sender_domain(sender: str) -> str:
    return parseaddr(sender)[1].rpartition("@")[2] or "localhost"


def new_message_id(sender: str) -> str:
    """A fresh Message-ID in the sender's domain."""
    return make_msgid(domain=sender_domain(sender))


def build_message(
    mail: DigestMail,
    *,
    sender: str,
    recipient: str,
    message_id: str,
    date: datetime,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """One mail to one recipient. With `unsubscribe_url` (every digest copy) the list headers."""
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = mail.subject
    message["From"] = sender
    message["To"] = recipient
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a machine
    if unsubscribe_url is not None:
        message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = ONE_CLICK
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    return message


def confirmation_mail(confirm_url: str, *, days_valid: int) -> DigestMail:
    """The double opt-in mail (German): the link to confirm, how long it holds, what else."""
    env = environment("email")
    values = {"confirm_url": confirm_url, "days_valid": days_valid}
    html = env.get_template("confirm.html").render(**values)
    text = env.get_template("confirm.txt").render(**values)
    return DigestMail(subject=CONFIRM_SUBJECT, html=css_inline.inline(html), text=text)
