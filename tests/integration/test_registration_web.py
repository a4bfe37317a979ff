"""A forum registers itself through the real web app (/mitmachen), against the demo network on
the real fixture server, a real SMTP server and real SQLite and PostgreSQL: the preview (nothing
stored), the sealed request, the confirmation mail and link, the editor's approval, and the
source's items on the published front page. Also every refused URL form, the honeypot, the limit
per address, field limits, tampering and expiry."""

from __future__ import annotations

import asyncio
import html
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.exceptions import StarletteDeprecationWarning

from aggregator.demo.httpserver import FixtureServer, Response
from aggregator.demo.network import DemoNetwork
from aggregator.demo.scraped import WORDPRESS, expected_scraped_items
from aggregator.editors import add_editor
from aggregator.fetch import FetchSettings
from aggregator.mail.tokens import source_status_path
from aggregator.onboarding import Onboarding, RegistrationRefused, purge_unconfirmed
from aggregator.onboarding_text import BLOCKED, URL_CREDENTIALS, URL_INSIDE, URL_SCHEME
from aggregator.publish.german import german_date
from aggregator.runtime import crawl_once, publish_once
from aggregator.settings import Settings
from aggregator.store.editors import Editors
from aggregator.store.registrations import Registrations
from aggregator.store.registry import Registry
from aggregator.store.repository import Store
from aggregator.web.app import create_app
from aggregator.web.context import WebContext
from aggregator.web.throttle import Throttle
from tests.mailserver import MailServer

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2, which we do not ship
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

SECRET = "geheim-" * 6
BASE_URL = "https://stadtforen.example.org/"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"
KNOWN_SITE = "halle-aki"  # the one sources.yaml entry of these tests
CONTACT = "kontakt@stadt-fuer-alle.example"
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(scope="module")
def net() -> Iterator[DemoNetwork]:
    with DemoNetwork(slow_delay_s=0.0) as network:
        yield network


@dataclass
class Site:
    """The web app with its context, on one database, a mail server and the demo network."""

    client: TestClient
    engine: Engine
    mail: MailServer
    net: DemoNetwork
    settings: Settings
    clock: list[datetime]
    added: list[str] = field(default_factory=list)

    @property
    def now(self) -> datetime:
        return self.clock[0]

    def registrations(self, *states: str) -> list[Any]:
        chosen = states or ("unconfirmed", "pending", "approved", "rejected")
        return Registrations(self.engine).listing(chosen)  # type: ignore[arg-type]

    def sign_in(self) -> None:
        login = self.client.get("/redaktion/anmelden")
        token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
        assert token is not None
        answer = self.client.post(
            "/redaktion/anmelden",
            data={"name": "anna", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert answer.status_code == 303

    def editor_post(self, path: str, **data: str) -> httpx.Response:
        page = self.client.get("/redaktion/quellen/")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token is not None
        return self.client.post(path, data={"csrf_token": token.group(1), **data})


def known_entry(net: DemoNetwork) -> dict[str, object]:
    (entry,) = [e for e in net.sources() if e["id"] == KNOWN_SITE]
    return entry


def make_site(
    engine: Engine,
    tmp_path: Path,
    net: DemoNetwork,
    mail: MailServer,
    *,
    allow_private: bool = True,
    throttle: Throttle | None = None,
) -> Site:
    config = tmp_path / "sources.yaml"
    config.write_text(
        yaml.safe_dump({"sources": [known_entry(net)]}, allow_unicode=True), encoding="utf-8"
    )
    settings = Settings(
        config=config,
        database_url=str(engine.url),
        output_dir=tmp_path / "public",
        base_url=BASE_URL,
        mail_secret=SECRET,
        smtp_port=mail.port,
        smtp_timeout_s=5,
        mail_from="Netzwerk Stadtforen <redaktion@stadtforen.example.org>",
        allow_private_urls=allow_private,
        host_spacing_s=0.0,
        articles_per_run=50,
        parse_workers=0,
    )
    clock = [datetime.now(UTC).replace(microsecond=0)]
    add_editor(Editors(engine), "anna", PASSWORD, clock[0], FAST)
    added: list[str] = []
    context = WebContext(
        settings,
        engine,
        lambda: clock[0],
        form_throttle=throttle or Throttle(limit=50, per_s=3600),
        on_source_added=added.append,
    )
    client = TestClient(
        create_app(tmp_path / "public", context),
        base_url="https://testserver",
        follow_redirects=False,
    )
    return Site(client, engine, mail, net, settings, clock, added)


@pytest.fixture
def site(engine: Engine, tmp_path: Path, net: DemoNetwork) -> Iterator[Site]:
    with MailServer() as mail:
        opened = make_site(engine, tmp_path, net, mail)
        with opened.client:
            yield opened


def form(net: DemoNetwork, **changes: str) -> dict[str, str]:
    values = {
        "name": WORDPRESS.name,
        "city": "leipzig",  # as typed; the official name is "Leipzig"
        "homepage": net.url(WORDPRESS.prefix),
        "url": "",
        "email": "Kontakt@Stadt-fuer-alle.example",
        "description": "Wir streiten für bezahlbaren Wohnraum und offene Räume in Leipzig.",
        "consent": "ja",
        "website": "",
    }
    values.update(changes)
    return values


def sealed_request(page: str) -> str:
    found = re.search(r'name="antrag" value="([^"]+)"', page)
    assert found is not None, page
    return html.unescape(found.group(1))


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def confirm_path(mail: MailServer, index: int = 0) -> str:
    body = mail.messages[index].get_body(("plain",))
    assert body is not None
    found = re.search(
        r"https://stadtforen\.example\.org(/mitmachen/bestaetigen/\S+)", body.get_content()
    )
    assert found is not None
    return found.group(1)


def newest_five(net: DemoNetwork) -> list[Any]:
    expected = expected_scraped_items(net.now, net.base_url)[WORDPRESS.id]
    dated = sorted((e for e in expected if e.published), key=lambda e: e.published, reverse=True)
    return dated[:5]


# -- the whole way ---------------------------------------------------------------------------


def test_a_feedless_forum_registers_and_its_items_reach_the_front_page(site: Site) -> None:
    net = site.net
    page = site.client.get("/mitmachen")
    assert page.status_code == 200
    assert '<label for="city">Stadt oder Gemeinde</label>' in page.text
    assert '<option value="Halle (Saale)"></option>' in page.text  # the gazetteer's names

    preview = site.client.post("/mitmachen", data=form(net))
    assert preview.status_code == 200, text_of(preview.text)
    shown = text_of(preview.text)
    news_page = net.registered_url(WORDPRESS.id)
    assert (
        f"Ihre Seite hat keinen Feed; wir lesen die Nachrichtenseite {news_page} und holen neue "
        "Beiträge von dort." in shown
    )
    titles = re.findall(r'<li>\s*<p><a href="[^"]+">([^<]+)</a></p>', preview.text)
    assert [html.unescape(t) for t in titles] == [e.title for e in newest_five(net)]
    listing = preview.text.split('<ol class="preview-items">')[1].split("</ol>")[0]
    dates = re.findall(r'<time datetime="[^"]+">([^<]+)</time>', listing)
    assert dates == [german_date(e.published.replace(tzinfo=BERLIN)) for e in newest_five(net)]
    items = re.findall(r"<li>(.*?)</li>", listing, flags=re.S)
    assert len(items) == 5 and all("Orte: Leipzig" in text_of(i) for i in items)
    assert "Kennung im Portal leipzig-stadt-fuer-alle" in shown
    assert "Kontakt kontakt@stadt-fuer-alle.example" in shown
    assert site.registrations() == []  # nothing stored before the forum confirms
    assert Registry(site.engine).entries() == []

    sent = site.client.post("/mitmachen/absenden", data={"antrag": sealed_request(preview.text)})
    assert sent.status_code == 200
    assert "<h1>Fast geschafft</h1>" in sent.text
    (request,) = site.registrations()
    assert (request.state, request.kind, request.source_id) == (
        "unconfirmed",
        "new",
        "leipzig-stadt-fuer-alle",
    )
    assert request.contact_email == CONTACT
    assert request.city == "Leipzig"
    assert request.definition == {
        "id": "leipzig-stadt-fuer-alle",
        "name": WORDPRESS.name,
        "city": "Leipzig",
        "homepage": net.url(WORDPRESS.prefix),
        "scrape": {"url": news_page},
    }
    assert request.preview is not None and len(request.preview["items"]) == 5
    (mail,) = site.mail.messages
    assert mail["To"] == CONTACT
    assert mail["Subject"] == (
        f"Bitte bestätigen: Anmeldung von {WORDPRESS.name} beim Netzwerk Stadtforen"
    )
    link = confirm_path(site.mail)

    button = site.client.get(link)  # a link scanner's GET confirms nothing
    assert button.status_code == 200
    assert f'<form method="post" action="{link}">' in button.text
    assert site.registrations("pending") == []
    confirmed = site.client.post(link)
    assert confirmed.status_code == 200
    assert "<h1>Anmeldung bestätigt</h1>" in confirmed.text
    (pending,) = site.registrations("pending")
    assert pending.id == request.id

    site.sign_in()
    desk = site.client.get("/redaktion/quellen/")
    assert desk.status_code == 200
    assert newest_five(net)[0].title in html.unescape(desk.text)
    approved = site.editor_post(f"/redaktion/quellen/anmeldung/{request.id}/freigeben")
    assert approved.status_code == 303
    assert approved.headers["location"] == "/redaktion/quellen/?erledigt=freigegeben"
    assert site.added == ["leipzig-stadt-fuer-alle"]
    record = Registry(site.engine).records()["leipzig-stadt-fuer-alle"]
    assert (record.origin, record.contact_email) == ("registry", CONTACT)
    assert site.registrations("approved")[0].decided_by == "anna"
    (_, welcome) = site.mail.messages
    assert welcome["To"] == CONTACT
    status_url = BASE_URL.rstrip("/") + source_status_path(SECRET, "leipzig-stadt-fuer-alle")
    body = welcome.get_body(("plain",))
    assert body is not None and status_url in body.get_content()

    store = Store(site.engine)
    report = crawl_once(site.settings, store, only=["leipzig-stadt-fuer-alle"], force=True)
    assert [(o.source_id, o.status) for o in report.outcomes] == [("leipzig-stadt-fuer-alle", "ok")]
    publish_once(site.settings, store)
    front = html.unescape((site.settings.output_dir / "index.html").read_text(encoding="utf-8"))
    for item in newest_five(net):
        assert item.title in front
    assert WORDPRESS.name in front


def test_a_given_feed_url_is_tried_instead_of_discovery(site: Site) -> None:
    net = site.net
    feed = net.feed_url("goerlitz-aktionskreis")
    homepage = net.url("/goerlitz/")
    values = form(net, name="Aktionskreis Görlitz", city="Görlitz", homepage=homepage, url=feed)
    preview = site.client.post("/mitmachen", data=values)
    assert preview.status_code == 200, text_of(preview.text)
    shown = text_of(preview.text)
    assert f"Wir lesen {feed} (Feed)" in shown
    assert "keinen Feed" not in shown
    assert len(re.findall(r'<li>\s*<p><a href="', preview.text)) == 5


# -- what is refused -------------------------------------------------------------------------

INSIDE = {
    "loopback": URL_INSIDE.format(where="auf den Server selbst (Loopback)"),
    "private": URL_INSIDE.format(where="in ein privates Netz"),
    "link-local": URL_INSIDE.format(where="auf eine lokale Netzwerkadresse (Link-Local)"),
}


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/", INSIDE["loopback"]),
        ("http://[::1]/", INSIDE["loopback"]),
        ("http://[::ffff:127.0.0.1]/", INSIDE["loopback"]),
        ("http://0x7f.1/", INSIDE["loopback"]),
        ("http://2130706433/", INSIDE["loopback"]),
        ("http://localhost:8080/", INSIDE["loopback"]),
        ("http://10.0.0.1/", INSIDE["private"]),
        ("http://100.64.0.1/", INSIDE["private"]),
        ("http://169.254.169.254/", INSIDE["link-local"]),
        ("http://user:pw@forum.example/", URL_CREDENTIALS),
        ("ftp://forum.example/", URL_SCHEME),
    ],
)
def test_every_refused_url_form_is_named_in_german_before_any_fetch(
    url: str, message: str, engine: Engine, tmp_path: Path, net: DemoNetwork
) -> None:
    with MailServer() as mail:
        site = make_site(engine, tmp_path, net, mail, allow_private=False)
        before = len(net.requests)
        for key in ("homepage", "url"):
            values = form(net, **{"homepage": "https://stadt-fuer-alle.example/", key: url})
            answer = site.client.post("/mitmachen", data=values)
            assert answer.status_code == 400
            assert f'<span class="form-error" id="fehler-{key}">{html.escape(message)}</span>' in (
                answer.text
            )
            assert f'id="{key}" name="{key}" value="{html.escape(url)}"' in answer.text
        assert len(net.requests) == before
        assert site.registrations() == []


def test_a_redirect_inside_is_refused_at_its_hop(site: Site) -> None:
    """The fixture server answers; its redirect to the metadata address is never followed."""
    with FixtureServer() as server:
        server.routes["/forum/"] = Response(302, b"", {"Location": "http://169.254.169.254/"})
        homepage = server.url("/forum/")
        answer = site.client.post("/mitmachen", data=form(site.net, homepage=homepage))
        assert [r.path for r in server.requests] == ["/forum/"]
    assert answer.status_code == 422
    assert BLOCKED.format(url=homepage) in text_of(answer.text)
    assert site.registrations() == []


def test_a_name_that_resolves_inside_is_refused_with_private_urls_off(
    engine: Engine, tmp_path: Path
) -> None:
    """A host name is judged by every address it resolves to (an injected resolver)."""
    asked: list[str] = []

    async def names(host: str, port: int) -> list[str]:
        asked.append(host)
        return {"forum.example": ["127.0.0.1"], "intern.example": ["93.184.216.34", "10.1.2.3"]}[
            host
        ]

    settings = Settings(config=tmp_path / "none.yaml", mail_secret=SECRET)
    (tmp_path / "none.yaml").write_text("sources: []\n", encoding="utf-8")
    onboarding = Onboarding(
        settings,
        engine,
        secret=SECRET,
        fetch=FetchSettings(resolver=names, connect_timeout=2, total_timeout=3),
    )
    now = datetime.now(UTC)
    for host in ("forum.example", "intern.example"):
        values = form_values(homepage=f"http://{host}/")
        outcome = asyncio.run(onboarding.preview(values, now))
        assert outcome.proposal is None
        assert outcome.preview is not None
        assert outcome.preview.problems == (BLOCKED.format(url=f"http://{host}/"),)
    assert asked == ["forum.example", "intern.example"]


def form_values(**changes: str) -> dict[str, str]:
    values = {
        "name": "Stadtforum Beispiel",
        "city": "Zittau",
        "homepage": "https://stadtforum-beispiel.example/",
        "url": "",
        "email": "post@stadtforum-beispiel.example",
        "description": "",
        "consent": "ja",
    }
    values.update(changes)
    return values


def test_a_site_already_in_the_network_is_refused_and_nothing_changes(site: Site) -> None:
    entry = known_entry(site.net)
    values = form(
        site.net, name="Noch ein Forum", city="Halle (Saale)", homepage=str(entry["homepage"])
    )
    answer = site.client.post("/mitmachen", data=values)
    assert answer.status_code == 409
    assert f"Diese Seite ist schon im Netzwerk (als „{entry['name']}“)." in text_of(answer.text)
    same_feed = form(site.net, homepage="https://anders.example/", url=str(entry["feed"]))
    assert site.client.post("/mitmachen", data=same_feed).status_code == 409
    assert site.registrations() == [] and Registry(site.engine).entries() == []


def test_a_second_submission_of_the_same_site_is_refused(site: Site) -> None:
    preview = site.client.post("/mitmachen", data=form(site.net))
    sealed = sealed_request(preview.text)
    assert site.client.post("/mitmachen/absenden", data={"antrag": sealed}).status_code == 200
    again = site.client.post("/mitmachen/absenden", data={"antrag": sealed})
    assert again.status_code == 409
    assert "wurde schon angemeldet und wartet" in text_of(again.text)
    assert len(site.registrations()) == 1
    assert len(site.mail.messages) == 1
    anew = site.client.post("/mitmachen", data=form(site.net, name="Anderer Name"))
    assert anew.status_code == 409
    assert "wurde schon angemeldet und wartet" in text_of(anew.text)

    # the mail got lost: after ten minutes the forum may ask again, and gets a new link
    site.clock[0] += timedelta(minutes=10, seconds=1)
    retry = site.client.post("/mitmachen", data=form(site.net))
    assert retry.status_code == 200
    resent = site.client.post("/mitmachen/absenden", data={"antrag": sealed_request(retry.text)})
    assert resent.status_code == 200
    assert len(site.mail.messages) == 2
    assert site.client.post(confirm_path(site.mail, 1)).status_code == 200
    assert sorted(r.state for r in site.registrations()) == ["pending", "unconfirmed"]
    assert {r.source_id for r in site.registrations()} == {"leipzig-stadt-fuer-alle"}
    late = site.client.post("/mitmachen", data=form(site.net))  # pending: held for good
    assert late.status_code == 409


def test_a_changed_or_expired_request_is_refused(site: Site) -> None:
    preview = site.client.post("/mitmachen", data=form(site.net))
    sealed = sealed_request(preview.text)
    body, _, mac = sealed.rpartition(".")
    tampered = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB") + "." + mac
    answer = site.client.post("/mitmachen/absenden", data={"antrag": tampered})
    assert answer.status_code == 409
    assert "Das Formular war unvollständig oder verändert." in text_of(answer.text)
    site.clock[0] += timedelta(hours=2, minutes=1)
    late = site.client.post("/mitmachen/absenden", data={"antrag": sealed})
    assert late.status_code == 409
    assert "Die Vorschau ist abgelaufen." in text_of(late.text)
    assert site.registrations() == [] and site.mail.messages == []


def test_the_honeypot_gets_the_same_answer_and_nothing_happens(site: Site) -> None:
    before = len(site.net.requests)
    answer = site.client.post("/mitmachen", data=form(site.net, website="https://spam.example/"))
    assert answer.status_code == 200
    assert "<h1>Fast geschafft</h1>" in answer.text
    assert len(site.net.requests) == before
    assert site.registrations() == [] and site.mail.messages == []


def test_reading_sites_is_limited_per_address(
    engine: Engine, tmp_path: Path, net: DemoNetwork
) -> None:
    with MailServer() as mail:
        site = make_site(engine, tmp_path, net, mail, throttle=Throttle(limit=2, per_s=3600))
        bad = site.client.post("/mitmachen", data=form(net, email="keine-adresse"))
        assert bad.status_code == 400  # a mistake in the form does not count
        for _ in range(2):
            assert site.client.post("/mitmachen", data=form(net)).status_code == 200
        before = len(net.requests)
        third = site.client.post("/mitmachen", data=form(net))
        assert third.status_code == 429
        assert "Bitte versuchen Sie es in 60 Minuten erneut." in text_of(third.text)
        assert len(net.requests) == before


@pytest.mark.parametrize(
    ("key", "limit"),
    [("name", 120), ("city", 100), ("homepage", 500), ("email", 254), ("description", 1000)],
)
def test_every_field_has_a_length_limit(site: Site, key: str, limit: int) -> None:
    before = len(site.net.requests)
    answer = site.client.post("/mitmachen", data=form(site.net, **{key: "x" * (limit + 1)}))
    assert answer.status_code == 400
    assert (
        f'<span class="form-error" id="fehler-{key}">Bitte höchstens {limit} Zeichen.</span>'
        in (answer.text)
    )
    assert f'maxlength="{limit}"' in site.client.get("/mitmachen").text
    assert len(site.net.requests) == before


def test_a_huge_body_is_refused_unread(site: Site) -> None:
    answer = site.client.post("/mitmachen", data=form(site.net, description="x" * 40_000))
    assert answer.status_code == 413
    assert "Die Eingabe ist zu lang." in answer.text

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
        yield b"name=Forum&description="
        for _ in range(100):
            yield b"x" * 1000

    chunked = site.client.post(
        "/mitmachen",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert chunked.status_code == 413
    many = "&".join(f"f{n}=x" for n in range(30))
    crowded = site.client.post(
        "/mitmachen",
        content=many.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert crowded.status_code == 413
    assert site.registrations() == []


def test_the_form_names_each_missing_field_and_suggests_the_official_city(site: Site) -> None:
    answer = site.client.post(
        "/mitmachen", data={"name": "", "city": "Halle", "homepage": "", "email": "", "consent": ""}
    )
    assert answer.status_code == 400
    errors = dict(
        re.findall(r'<span class="form-error" id="fehler-(\w+)">([^<]+)</span>', answer.text)
    )
    assert {k: html.unescape(v) for k, v in errors.items()} == {
        "name": "Bitte geben Sie den Namen Ihres Forums an.",
        "city": "„Halle“ kennen wir nicht als Gemeinde in Mitteldeutschland. Meinten Sie: "
        "Halle (Saale)?",
        "homepage": "Bitte geben Sie die Adresse Ihrer Website an.",
        "email": "Bitte geben Sie eine E-Mail-Adresse an, unter der wir Sie erreichen.",
        "consent": "Bitte stimmen Sie den Teilnahmebedingungen des Netzwerks zu.",
    }


# -- confirmation --------------------------------------------------------------------------


def submitted(site: Site) -> str:
    preview = site.client.post("/mitmachen", data=form(site.net))
    sent = site.client.post("/mitmachen/absenden", data={"antrag": sealed_request(preview.text)})
    assert sent.status_code == 200
    return confirm_path(site.mail)


def test_a_wrong_or_late_confirmation_link_is_refused_and_old_requests_are_purged(
    site: Site,
) -> None:
    link = submitted(site)
    wrong = site.client.post(link[:-3] + "xyz")
    assert wrong.status_code == 404
    assert "Dieser Link gilt nicht (mehr)" in wrong.text
    site.clock[0] += timedelta(days=7, minutes=1)
    assert site.client.post(link).status_code == 404
    assert [r.state for r in site.registrations()] == ["unconfirmed"]
    assert purge_unconfirmed(site.engine, site.now - timedelta(days=1)) == 0
    assert purge_unconfirmed(site.engine, site.now) == 1
    assert site.registrations() == []


def test_a_confirmed_request_stays_pending_on_a_second_click(site: Site) -> None:
    link = submitted(site)
    assert site.client.post(link).status_code == 200
    assert site.client.post(link).status_code == 200
    assert [r.state for r in site.registrations()] == ["pending"]


def test_pages_carry_no_script_and_no_inline_style(site: Site) -> None:
    pages: list[Callable[[], httpx.Response]] = [
        lambda: site.client.get("/mitmachen"),
        lambda: site.client.post("/mitmachen", data=form(site.net)),
    ]
    for load in pages:
        page = load()
        assert page.headers["content-security-policy"].startswith("default-src 'self'")
        assert page.headers["cache-control"] == "no-store"
        assert "<script" not in page.text and "style=" not in page.text


def test_the_service_proposes_and_adds_a_source_as_the_cli_will(site: Site) -> None:
    """`Onboarding.propose` + `add_now`: what `aggregator sources add` is to call."""
    onboarding = Onboarding(site.settings, site.engine, secret=SECRET)
    homepage = site.net.url("/freiberg/")
    proposed = asyncio.run(
        onboarding.propose(
            name="Stadtforum Freiberg", city="Freiberg", homepage=homepage, url=None, now=site.now
        )
    )
    assert proposed.refusal is None and proposed.source is not None
    assert proposed.preview is not None and len(proposed.preview.items) == 5
    source = proposed.source
    assert (source.id, source.kind, source.url, source.origin) == (
        "stadtforum-freiberg",
        "page",
        site.net.registered_url("freiberg-stadtforum"),
        "registry",
    )
    onboarding.add_now(source, now=site.now, contact_email="post@freiberg.example")
    assert Registry(site.engine).records()["stadtforum-freiberg"].contact_email == (
        "post@freiberg.example"
    )
    with pytest.raises(RegistrationRefused) as refused:
        onboarding.add_now(source, now=site.now)
    assert "hat schon eine andere Quelle" in refused.value.german
    again = asyncio.run(
        onboarding.propose(
            name="Noch einmal", city="Freiberg", homepage=homepage, url=None, now=site.now
        )
    )
    assert again.source is None
    assert again.refusal == "Diese Seite ist schon im Netzwerk (als „Stadtforum Freiberg“). " + (
        "Wenn sich an Ihrer Seite etwas geändert hat, schreiben Sie uns bitte über den Link auf "
        "Ihrer Statusseite."
    )
    unsafe = asyncio.run(
        onboarding.propose(
            name="X Forum", city=None, homepage="http://169.254.169.254/", url=None, now=site.now
        )
    )
    assert unsafe.source is None and unsafe.refusal == INSIDE["link-local"]
