"""Delivery of a digest to a real SMTP server (aiosmtpd on 127.0.0.1): the received messages,
crash and resume, transient and permanent failures, unconfirmed addresses."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import Engine

from aggregator.mail.delivery import DeliveryReport, deliver, send_confirmation
from aggregator.mail.newsletter import Newsletter
from aggregator.mail.smtp import SmtpConfig, TransientMailError
from aggregator.model import DigestMail
from aggregator.store.subscribers import SendLog, Subscribers
from tests.mailserver import MailServer

NOW = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
BASE = "https://stadtforen.example.org/"
SECRET = "s" * 40
WEEK = "2026-W48"
SUBJECT = "Stadtforen-Wochenschau KW 48/2026"


@pytest.fixture
def server() -> Iterator[MailServer]:
    with MailServer() as running:
        yield running


def smtp_of(server: MailServer) -> SmtpConfig:
    return SmtpConfig(
        host="127.0.0.1",
        port=server.port,
        security="none",
        user="",
        password="",
        sender="Netzwerk Stadtforen <wochenschau@stadtforen.example.org>",
        timeout_s=5,
    )


def render(unsubscribe_url: str) -> DigestMail:
    return DigestMail(
        subject=SUBJECT,
        html=f'<p>Neues aus Görlitz</p><p><a href="{unsubscribe_url}">Abmelden</a></p>',
        text=f"Neues aus Görlitz\n\nAbmelden: {unsubscribe_url}\n",
    )


def subscribe(engine: Engine, *emails: str, confirm: bool = True) -> None:
    newsletter = Newsletter(engine, base_url=BASE, secret=SECRET)
    for address in emails:
        result = newsletter.subscribe(address, NOW - timedelta(days=1))
        assert result.confirm_url is not None
        if confirm:
            token = result.confirm_url.rsplit("/", 1)[1]
            assert newsletter.confirm(token, NOW - timedelta(days=1))


def run(
    engine: Engine, server: MailServer, render: Callable[[str], DigestMail] = render
) -> DeliveryReport:
    return deliver(
        engine,
        smtp_of(server),
        WEEK,
        render,
        NOW,
        base_url=BASE,
        secret=SECRET,
        retry_delays=(0.0, 0.0),
        sleep=lambda _s: None,
    )


def unsubscribe_url(engine: Engine, address: str) -> str:
    found = Subscribers(engine).find(address)
    assert found is not None
    return Newsletter(engine, base_url=BASE, secret=SECRET).unsubscribe_url(found.id)


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return (
        str(text.get_content()).replace("\r\n", "\n"),
        str(html.get_content()).replace("\r\n", "\n"),
    )


def test_confirmed_subscribers_receive_one_multipart_copy_each(
    engine: Engine, server: MailServer
) -> None:
    subscribe(engine, "anna@leipzig.example", "bernd@dresden.example")
    subscribe(engine, "carla@halle.example", confirm=False)

    report = deliver(engine, smtp_of(server), WEEK, render, NOW, base_url=BASE, secret=SECRET)

    assert (report.sent, report.already_sent, report.failed, report.bounced) == (2, 0, 0, 0)
    assert server.recipients() == ["anna@leipzig.example", "bernd@dresden.example"]
    assert [env[1] for env in server.recorder.envelopes] == [
        ["anna@leipzig.example"],
        ["bernd@dresden.example"],
    ]
    message = server.messages[0]
    link = unsubscribe_url(engine, "anna@leipzig.example")
    assert link.startswith(BASE + "newsletter/abmelden/")
    assert message["Subject"] == SUBJECT
    assert message["From"] == "Netzwerk Stadtforen <wochenschau@stadtforen.example.org>"
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@stadtforen.example.org>")
    assert message["Date"].datetime == NOW
    assert message.get_content_type() == "multipart/alternative"
    text, html = text_and_html(message)
    assert text == f"Neues aus Görlitz\n\nAbmelden: {link}\n"
    assert f'<a href="{link}">Abmelden</a>' in html
    # each subscriber gets their own link
    other = server.messages[1]
    assert other["List-Unsubscribe"] == f"<{unsubscribe_url(engine, 'bernd@dresden.example')}>"
    assert other["List-Unsubscribe"] != message["List-Unsubscribe"]


def test_a_second_delivery_sends_nothing_again(engine: Engine, server: MailServer) -> None:
    subscribe(engine, "anna@leipzig.example", "bernd@dresden.example")
    run(engine, server)
    report = run(engine, server)
    assert (report.sent, report.already_sent) == (0, 2)
    assert len(server.messages) == 2


def test_crash_in_render_then_resume_sends_each_exactly_once(
    engine: Engine, server: MailServer
) -> None:
    people = [f"person{i}@zittau.example" for i in range(5)]
    subscribe(engine, *people)
    calls = 0

    def crashing(url: str) -> DigestMail:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise RuntimeError("Absturz beim Rendern")
        return render(url)

    with pytest.raises(RuntimeError):
        run(engine, server, render=crashing)
    assert server.recipients() == people[:2]

    report = run(engine, server)
    assert (report.sent, report.already_sent) == (3, 2)
    assert sorted(server.recipients()) == sorted(people)  # nobody twice, nobody missing


def test_connection_dropped_mid_send_is_retried_and_nobody_gets_two(
    engine: Engine, server: MailServer
) -> None:
    people = [f"person{i}@weimar.example" for i in range(4)]
    subscribe(engine, *people)
    server.recorder.drop_at_message = 3  # the third DATA: connection closed, nothing stored

    report = run(engine, server)

    assert (report.sent, report.retries, report.failed) == (4, 1, 0)
    assert server.recipients() == people
    assert server.recorder.data_commands == 5


def test_a_crash_left_sending_is_resent_with_the_same_message_id(
    engine: Engine, server: MailServer
) -> None:
    subscribe(engine, "anna@leipzig.example")
    found = Subscribers(engine).find("anna@leipzig.example")
    assert found is not None
    # a crash after "sending" was written (before the server's 250): the row stays "sending"
    SendLog(engine).start(WEEK, found.id, "<vorher@stadtforen.example.org>", NOW)

    report = run(engine, server)

    assert report.sent == 1
    assert server.messages[0]["Message-ID"] == "<vorher@stadtforen.example.org>"
    state = SendLog(engine).states(WEEK)[found.id]
    assert (state.status, state.attempts) == ("sent", 2)


def test_transient_451_is_retried_then_sent(engine: Engine, server: MailServer) -> None:
    subscribe(engine, "anna@leipzig.example", "bernd@dresden.example")
    server.recorder.rcpt_replies["anna@leipzig.example"] = ["451 4.7.1 Bitte später erneut"]
    delays: list[float] = []

    report = deliver(
        engine,
        smtp_of(server),
        WEEK,
        render,
        NOW,
        base_url=BASE,
        secret=SECRET,
        retry_delays=(2.0, 8.0),
        sleep=delays.append,
    )

    assert (report.sent, report.retries, report.failed) == (2, 1, 0)
    assert delays == [2.0]
    assert server.recipients() == ["anna@leipzig.example", "bernd@dresden.example"]


def test_transient_failures_until_retries_run_out_fail_and_are_tried_next_time(
    engine: Engine, server: MailServer
) -> None:
    subscribe(engine, "anna@leipzig.example", "bernd@dresden.example")
    server.recorder.rcpt_replies["anna@leipzig.example"] = ["452 4.2.2 Postfach voll"] * 3
    delays: list[float] = []

    report = deliver(
        engine,
        smtp_of(server),
        WEEK,
        render,
        NOW,
        base_url=BASE,
        secret=SECRET,
        retry_delays=(2.0, 8.0),
        sleep=delays.append,
    )

    assert (report.sent, report.failed, report.retries) == (1, 1, 2)
    assert delays == [2.0, 8.0]
    assert server.recipients() == ["bernd@dresden.example"]
    anna = Subscribers(engine).find("anna@leipzig.example")
    assert anna is not None and anna.status == "confirmed"
    state = SendLog(engine).states(WEEK)[anna.id]
    assert state.status == "failed"
    assert state.error is not None and state.error.startswith("452 4.2.2 Postfach voll")

    again = run(engine, server)
    assert (again.sent, again.already_sent) == (1, 1)
    assert server.recipients() == ["bernd@dresden.example", "anna@leipzig.example"]


def test_permanent_550_marks_the_address_bounced(engine: Engine, server: MailServer) -> None:
    subscribe(engine, "weg@goerlitz.example", "anna@leipzig.example")
    server.recorder.rcpt_replies["weg@goerlitz.example"] = ["550 5.1.1 Unbekannter Empfänger"]

    report = run(engine, server)

    assert (report.sent, report.bounced, report.retries) == (1, 1, 0)
    assert server.recipients() == ["anna@leipzig.example"]
    gone = Subscribers(engine).find("weg@goerlitz.example")
    assert gone is not None and gone.status == "bounced"
    assert Subscribers(engine).confirmed() == [(gone.id + 1, "anna@leipzig.example")]
    # the next digest does not go to the bounced address
    report = deliver(engine, smtp_of(server), "2026-W49", render, NOW, base_url=BASE, secret=SECRET)
    assert report.sent == 1
    assert server.recipients() == ["anna@leipzig.example", "anna@leipzig.example"]


def test_unconfirmed_and_unsubscribed_receive_nothing(engine: Engine, server: MailServer) -> None:
    subscribe(engine, "offen@chemnitz.example", confirm=False)
    subscribe(engine, "weg@halle.example")
    link = unsubscribe_url(engine, "weg@halle.example")
    assert Newsletter(engine, base_url=BASE, secret=SECRET).unsubscribe(link.rsplit("/", 1)[1])

    report = run(engine, server)

    assert report.sent == 0
    assert server.messages == []


def test_an_unreachable_server_stops_the_delivery(engine: Engine) -> None:
    subscribe(engine, "anna@leipzig.example", "bernd@dresden.example")
    with MailServer() as gone:
        config = smtp_of(gone)
    with pytest.raises(TransientMailError, match="cannot connect"):
        deliver(
            engine,
            config,
            WEEK,
            render,
            NOW,
            base_url=BASE,
            secret=SECRET,
            retry_delays=(0.0,),
            sleep=lambda _s: None,
        )
    states = SendLog(engine).states(WEEK)
    assert [s.status for s in states.values()] == ["failed"]  # the second was not even tried


def test_confirmation_mail(engine: Engine, server: MailServer) -> None:
    url = BASE + "newsletter/bestaetigen/" + "A" * 43
    send_confirmation(smtp_of(server), "anna@leipzig.example", url, NOW)

    (message,) = server.messages
    assert message["Subject"] == "Bitte bestätigen: Stadtforen-Wochenschau abonnieren"
    assert message["To"] == "anna@leipzig.example"
    assert message["List-Unsubscribe"] is None
    text, html = text_and_html(message)
    assert f"\n{url}\n" in text
    assert "Der Link gilt 7 Tage." in text
    assert f'href="{url}"' in html
    assert "<style" not in html and 'style="' in html  # CSS inlined for mail clients
