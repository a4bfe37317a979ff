"""The weekly digest as a mail: subject, HTML (CSS inlined) and plain text. Pure.

Used by the delivery (`mail/`, one copy per subscriber, each with its own unsubscribe link) and by
the editor's preview. No tracking pixel, no redirecting links: every link is the story's own.
"""

from __future__ import annotations

from collections.abc import Mapping

import css_inline

from aggregator.model import Digest, DigestMail
from aggregator.publish.digest import FOLDER, issue_view
from aggregator.settings import Settings
from aggregator.tagging.topics import default_taxonomy
from aggregator.templating import environment
from aggregator.weekly import week_label

DEFAULT_SUBJECT = Settings.digest_subject

_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)


def digest_subject(week: str, template: str = DEFAULT_SUBJECT) -> str:
    """ "Stadtforen-Wochenschau KW 48/2026" for "2026-W48"."""
    number, year = week_label(week)
    return " ".join(template.format(week=number, year=year).split())


def render_digest_mail(
    digest: Digest,
    base_url: str,
    unsubscribe_url: str,
    *,
    subject_template: str = DEFAULT_SUBJECT,
    topic_labels: Mapping[str, str] | None = None,
) -> DigestMail:
    """One subscriber's mail of `digest`; `base_url` of the public site (ends with "/"),
    `topic_labels` key → German label in the taxonomy's order (default: the packaged one)."""
    if topic_labels is None:
        topic_labels = {topic.key: topic.label for topic in default_taxonomy().topics}
    issue = issue_view(digest, topic_labels)
    subject = digest_subject(digest.week, subject_template)
    values = {
        "issue": issue,
        "subject": subject,
        "web_url": base_url.rstrip("/") + "/" + FOLDER + issue.path,
        "archive_url": base_url.rstrip("/") + "/" + FOLDER + "index.html",
        "unsubscribe_url": unsubscribe_url,
    }
    env = environment("email")
    html = _INLINER.inline(env.get_template("digest.html").render(**values))
    text = env.get_template("digest.txt").render(**values)
    return DigestMail(subject=subject, html=html, text=text)


__all__ = ["DEFAULT_SUBJECT", "digest_subject", "render_digest_mail"]
