"""The digest mail: subject, HTML with inlined CSS, plain text, the unsubscribe link in both."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from aggregator.digest_mail import digest_subject, render_digest_mail
from aggregator.errors import ConfigError
from aggregator.settings import Settings
from tests.unit.test_publish_digest import HOSTILE, W48

BASE = "https://nachrichten.netzwerk-stadtforen.de/"
UNSUBSCRIBE = "https://nachrichten.netzwerk-stadtforen.de/newsletter/abmelden/abc123"
LABELS = {"denkmalpflege": "Denkmalpflege", "verkehr": "Verkehr"}


class Elements(HTMLParser):
    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_subject_names_week_and_year() -> None:
    assert digest_subject("2026-W48") == "Stadtforen-Wochenschau KW 48/2026"
    assert (
        digest_subject("2027-W01", "Wochenschau {year}, Woche {week}")
        == "Wochenschau 2027, Woche 1"
    )


def test_html_mail_has_inlined_css_the_links_as_they_are_and_no_pixel() -> None:
    mail = render_digest_mail(W48, BASE, UNSUBSCRIBE, topic_labels=LABELS)
    assert mail.subject == "Stadtforen-Wochenschau KW 48/2026"
    tags = Elements(mail.html).tags
    assert not [t for t, _ in tags if t in ("style", "script", "img", "link")]
    hrefs = [a["href"] for t, a in tags if t == "a"]
    assert hrefs == [
        BASE + "digest/2026-W48.html",
        "https://leipzig.example/2",
        "https://leipzig.example/0",
        "https://leipzig.example/1",
        BASE + "digest/index.html",
        UNSUBSCRIBE,
    ]
    h1 = [a for t, a in tags if t == "h1"]
    assert h1 and "color: #1f3a5f" in (h1[0]["style"] or "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html and "<script" not in mail.html
    assert "Ausgeblendet" not in mail.html and "Eigene Überschrift" in mail.html
    assert (
        mail.html.index("Denkmalpflege") < mail.html.index("Verkehr") < mail.html.index("Weiteres")
    )


def test_text_mail_is_plain_with_every_link_and_the_unsubscribe_link() -> None:
    mail = render_digest_mail(W48, BASE, UNSUBSCRIBE, topic_labels=LABELS)
    text = mail.text
    assert text.startswith(
        "Stadtforen-Wochenschau KW 48/2026\n23. November 2026 bis 29. November 2026\n"
    )
    assert f"* {HOSTILE}\n" in text  # text is not HTML-escaped
    assert "&amp;" not in text and "&lt;" not in text
    assert (
        "* Eigene Überschrift\n  Stadtforum Leipzig · Leipzig\n  Eigener Text\n  https://leipzig.example/1\n"
        in text
    )
    assert "Verkehr\n=======\n" in text
    assert "javascript:" not in text and "* Aufruf\n  Kurztext 4\n" in text
    assert text.rstrip().endswith(f"Wochenschau abbestellen: {UNSUBSCRIBE}")
    assert "Ausgeblendet" not in text


@pytest.mark.parametrize("subject", ["KW {woche}", "KW {0}", "KW {week", "", "a\nb"])
def test_a_bad_subject_setting_is_refused(subject: str) -> None:
    with pytest.raises(ConfigError, match="AGGREGATOR_DIGEST_SUBJECT"):
        Settings.from_env({"AGGREGATOR_DIGEST_SUBJECT": subject} if subject else {}).with_overrides(
            digest_subject=subject
        )
