"""The editor's digest pages through the real editor routes (Starlette's TestClient) on a real
store (SQLite and PostgreSQL): drafting, every edit, stale versions, CSRF, corrections of the
stories, previews, the test mail and approval."""

from __future__ import annotations

import html
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware import Middleware

from aggregator.digest import draft_digest
from aggregator.editors import add_editor
from aggregator.model import Digest, Item, Source, Tag
from aggregator.settings import Settings
from aggregator.store import Store
from aggregator.store.digests import Digests
from aggregator.store.editors import Editors
from aggregator.web.app import ResponseHeaders
from aggregator.web.context import WebContext
from aggregator.web.digest_editor import STALE
from aggregator.web.editor import editor_routes
from tests.mailserver import MailServer, free_port

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2, which we do not ship
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday of KW 49: the digest is of KW 48
WEEK = "2026-W48"
MONDAY = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
PAGE = f"/redaktion/wochenschau/{WEEK}"
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"
LEIPZIG = Source(
    "leipzig", "Stadtforum Leipzig", "Leipzig", "https://l.example/", "https://l.example/f"
)
DRESDEN = Source(
    "dresden", "Stadtforum Dresden", "Dresden", "https://d.example/", "https://d.example/f"
)
HALLE = Source(
    "halle", "Arbeitskreis Halle", "Halle (Saale)", "https://h.example/", "https://h.example/f"
)


def item(source: Source, key: str, title: str, **extra: object) -> Item:
    values: dict[str, object] = dict(
        source_id=source.id,
        guid=key,
        url=f"https://{source.id}.example/{key}",
        canonical_url=f"https://news.example/{key}",  # the same key: the same story
        title=title,
        content_html="",
        excerpt=f"Kurztext {title}",
        published=MONDAY,
        cities=(source.city,) if source.city else (),
    )
    values.update(extra)
    return Item(**values)  # type: ignore[arg-type]


@dataclass
class Desk:
    engine: Engine
    client: TestClient
    approved: list[str] = field(default_factory=list)

    @property
    def digests(self) -> Digests:
        return Digests(self.engine)

    def digest(self) -> Digest:
        found = self.digests.get(WEEK)
        assert found is not None
        return found

    def page(self, path: str = PAGE) -> str:
        response = self.client.get(path)
        assert response.status_code == 200, response.text
        return response.text

    def token(self) -> str:
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.page("/redaktion/"))
        assert found is not None
        return found.group(1)

    def post(self, path: str, version: int | None = None, **data: str) -> httpx.Response:
        form = {"csrf_token": self.token(), **data}
        if version is not None:
            form["version"] = str(version)
        return self.client.post(path, data=form)

    def entry_ids(self) -> dict[str, int]:
        """Headline → entry id."""
        return {e.headline: e.id for e in self.digest().entries if e.id is not None}


@pytest.fixture
def desk(engine: Engine) -> Iterator[Desk]:
    opened = open_desk(engine, smtp_port=free_port())  # nobody listens there
    yield opened
    opened.client.close()


def open_desk(engine: Engine, smtp_port: int) -> Desk:
    """The sample week in the store, the editor anna signed in."""
    store = Store(engine)
    store.sync_sources([LEIPZIG, DRESDEN, HALLE])
    verkehr = (Tag("topic", "mobilitaet", "text"),)
    store.upsert_items([item(LEIPZIG, "bahnhof", "Bahnhof wird saniert", tags=verkehr)], MONDAY)
    store.upsert_items(
        [item(DRESDEN, "bahnhof", "Sanierung des Bahnhofs", tags=verkehr)],
        MONDAY + timedelta(hours=2),
    )
    store.upsert_items([item(DRESDEN, "kirche", "Kirche öffnet wieder")], MONDAY + timedelta(1))
    store.upsert_items([item(HALLE, "park", "Neuer Park am Saaleufer")], MONDAY + timedelta(2))
    editors = Editors(engine)
    add_editor(editors, "anna", PASSWORD, NOW, FAST)
    approved: list[str] = []
    settings = Settings(
        database_url=str(engine.url),
        base_url="https://stadtforen.example/",
        smtp_host="127.0.0.1",
        smtp_port=smtp_port,
        mail_from="Netzwerk Stadtforen <wochenschau@stadtforen.example>",
    )
    context = WebContext(settings, engine, lambda: NOW, on_digest_approved=approved.append)
    app = Starlette(routes=editor_routes(context, FAST), middleware=[Middleware(ResponseHeaders)])
    client = TestClient(app, base_url="https://testserver", follow_redirects=False)
    login = client.get("/redaktion/anmelden")
    login_token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert login_token is not None
    signed_in = client.post(
        "/redaktion/anmelden",
        data={"name": "anna", "password": PASSWORD, "csrf_token": login_token.group(1)},
    )
    assert signed_in.status_code == 303
    return Desk(engine, client, approved)


def drafted(desk: Desk) -> Digest:
    return draft_digest(desk.digests, WEEK, NOW)


def story_cities(desk: Desk, key: str) -> tuple[str, ...]:
    """The cities of a story as the next draft would see them."""
    [found] = [c for c in desk.digests.candidates(WEEK) if c.cluster_key.endswith("/" + key)]
    return found.cities


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_list_drafts_the_previous_week(desk: Desk) -> None:
    listing = desk.page("/redaktion/wochenschau/")
    assert "Entwurf für KW 48/2026 erstellen" in listing
    assert "Noch keine Wochenschau." in listing

    response = desk.post("/redaktion/wochenschau/entwurf", week=WEEK)
    assert response.status_code == 303
    assert response.headers["location"] == PAGE
    digest = desk.digest()
    assert [e.headline for e in digest.entries] == [
        "Bahnhof wird saniert",
        "Neuer Park am Saaleufer",
        "Kirche öffnet wieder",
    ]
    assert digest.entries[0].sources == ("Stadtforum Dresden", "Stadtforum Leipzig")

    listing = text_of(desk.page("/redaktion/wochenschau/"))
    assert "Entwurf für KW 48/2026 aktualisieren" in listing
    assert "Wochenschau KW 48/2026 – Entwurf, 3 von 3 Meldungen ausgewählt" in listing
    assert desk.client.get("/redaktion/wochenschau/").headers["cache-control"] == "no-store"


def test_a_bad_week_is_refused(desk: Desk) -> None:
    response = desk.post("/redaktion/wochenschau/entwurf", week="2026-W99")
    assert response.status_code == 400
    assert "Bitte eine Kalenderwoche wie 2026-W48 angeben." in response.text
    assert desk.digests.all() == []
    assert desk.client.get("/redaktion/wochenschau/2026-W47").status_code == 404


def test_the_draft_page_shows_entries_with_their_facts(desk: Desk) -> None:
    digest = drafted(desk)
    page = desk.page()
    bahnhof = digest.entries[0]
    assert f'id="eintrag-{bahnhof.id}"' in page
    assert f'placeholder="{bahnhof.title}"' in page
    assert 'placeholder="Kurztext Bahnhof wird saniert"' in page
    assert 'href="https://leipzig.example/bahnhof"' in page
    text = text_of(page)
    assert "Foren Stadtforum Dresden, Stadtforum Leipzig" in text
    assert "Städte Dresden, Leipzig" in text
    assert "Themen Mobilität" in text
    assert page.count(f'name="version" value="{digest.version}"') == page.count("<form") - 2
    # every form but the logout and the test mail names the version


def test_every_edit_is_saved_and_leads_back_to_the_entry(desk: Desk) -> None:
    digest = drafted(desk)
    ids = desk.entry_ids()
    park, kirche = ids["Neuer Park am Saaleufer"], ids["Kirche öffnet wieder"]

    response = desk.post(f"{PAGE}/eintrag/{park}/aufnehmen", 1, included="0")
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}#eintrag-{park}"
    response = desk.post(f"{PAGE}/eintrag/{kirche}/verschieben", 2, richtung="hoch")
    assert response.headers["location"] == f"{PAGE}#eintrag-{kirche}"
    response = desk.post(
        f"{PAGE}/eintrag/{kirche}/text", 3, headline="Die Kreuzkirche öffnet", blurb="Endlich."
    )
    assert response.headers["location"] == f"{PAGE}#eintrag-{kirche}"
    assert desk.post(f"{PAGE}/einleitung", 5, intro="Liebe Leserinnen,\n\nviel Neues.").is_redirect
    assert desk.post(f"{PAGE}/gliederung", 6, grouping="city").is_redirect
    response = desk.post(
        f"{PAGE}/manuell",
        7,
        title="Netzwerktreffen in Weimar",
        url="https://netzwerk.example/treffen",
        text="Alle sind eingeladen.",
    )
    assert response.status_code == 303

    digest = desk.digest()
    assert digest.version == 8
    assert digest.intro == "Liebe Leserinnen,\n\nviel Neues."
    assert digest.grouping == "city"
    got = [(e.headline, e.text, e.included, e.manual) for e in digest.entries]
    assert got == [
        ("Bahnhof wird saniert", "Kurztext Bahnhof wird saniert", True, False),
        ("Die Kreuzkirche öffnet", "Endlich.", True, False),
        ("Neuer Park am Saaleufer", "Kurztext Neuer Park am Saaleufer", False, False),
        ("Netzwerktreffen in Weimar", "Alle sind eingeladen.", True, True),
    ]
    manual = digest.entries[3]
    assert response.headers["location"] == f"{PAGE}#eintrag-{manual.id}"

    # an empty field restores the story's own text; the headline stays
    desk.post(f"{PAGE}/eintrag/{kirche}/text", 8, headline="Die Kreuzkirche öffnet", blurb="")
    entry = next(e for e in desk.digest().entries if e.id == kirche)
    assert (entry.headline, entry.text, entry.blurb_override) == (
        "Die Kreuzkirche öffnet",
        "Kurztext Kirche öffnet wieder",
        None,
    )
    assert desk.digest().version == 9
    desk.post(f"{PAGE}/eintrag/{park}/aufnehmen", 9, included="1")
    assert all(e.included for e in desk.digest().entries)
    assert "Wieder aufnehmen" not in desk.page()


def test_bad_input_is_refused_in_german_without_change(desk: Desk) -> None:
    drafted(desk)
    park = desk.entry_ids()["Neuer Park am Saaleufer"]
    response = desk.post(f"{PAGE}/manuell", 1, title="Aufruf", url="javascript:alert(1)", text="")
    assert response.status_code == 400
    assert "Die Adresse muss eine vollständige http(s)-Adresse sein." in response.text
    response = desk.post(f"{PAGE}/eintrag/{park}/text", 1, headline="x" * 301, blurb="")
    assert response.status_code == 400
    assert "Der Text ist zu lang" in response.text
    assert desk.post(f"{PAGE}/eintrag/999999/aufnehmen", 1, included="0").status_code == 404
    assert desk.post(f"{PAGE}/eintrag/{park}/aufnehmen", None, included="0").status_code == 400
    assert desk.digest().version == 1
    assert len(desk.digest().entries) == 3


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("aufnehmen", {"included": "0"}),
        ("verschieben", {"richtung": "hoch"}),
        ("text", {"headline": "Überholt", "blurb": ""}),
        ("schlagwort", {"kind": "city", "value": "Halle (Saale)", "aktion": "entfernen"}),
    ],
)
def test_a_stale_version_is_409_and_changes_nothing(
    desk: Desk, action: str, data: dict[str, str]
) -> None:
    drafted(desk)
    park = desk.entry_ids()["Neuer Park am Saaleufer"]
    desk.digests.set_intro(WEEK, "Von Bernd.", expected_version=1, now=NOW)  # someone else
    before = desk.digest()

    response = desk.post(f"{PAGE}/eintrag/{park}/{action}", 1, **data)
    assert response.status_code == 409
    assert STALE in html.unescape(response.text)
    assert 'role="alert"' in response.text
    assert desk.digest() == before
    assert story_cities(desk, "park") == ("Halle (Saale)",)  # the story untouched as well


def test_edits_need_the_csrf_token(desk: Desk) -> None:
    drafted(desk)
    park = desk.entry_ids()["Neuer Park am Saaleufer"]
    for path, data in [
        (f"{PAGE}/eintrag/{park}/aufnehmen", {"version": "1", "included": "0"}),
        (f"{PAGE}/freigeben", {"version": "1"}),
        (f"{PAGE}/testmail", {"address": "anna@example.org"}),
        ("/redaktion/wochenschau/entwurf", {"week": "2026-W47"}),
    ]:
        assert desk.client.post(path, data=data).status_code == 403, path
        forged = {**data, "csrf_token": "gefaelscht"}
        assert desk.client.post(path, data=forged).status_code == 403, path
    assert desk.digest().version == 1
    assert [d.week for d in desk.digests.all()] == [WEEK]


def test_the_pages_need_a_login(desk: Desk) -> None:
    drafted(desk)
    desk.client.cookies.clear()
    for path in ["/redaktion/wochenschau/", PAGE, f"{PAGE}/vorschau", f"{PAGE}/vorschau/mail.txt"]:
        response = desk.client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/redaktion/anmelden?weiter=")


def test_approval_freezes_the_digest_and_calls_the_hook(desk: Desk) -> None:
    drafted(desk)
    park = desk.entry_ids()["Neuer Park am Saaleufer"]
    response = desk.post(f"{PAGE}/freigeben", 1)
    assert response.status_code == 303 and response.headers["location"] == PAGE
    digest = desk.digest()
    assert (digest.status, digest.approved_by, digest.approved_at) == ("approved", "anna", NOW)
    assert desk.approved == [WEEK]

    page = desk.page()
    assert "Freigegeben am 30. November 2026, 10:00 Uhr von anna." in text_of(page)
    assert 'name="version"' not in page  # no edit form left
    assert "Herausnehmen" not in page and "Wochenschau freigeben" not in page

    response = desk.post(f"{PAGE}/eintrag/{park}/aufnehmen", 2, included="0")
    assert response.status_code == 409
    assert "Diese Wochenschau ist freigegeben und kann nicht mehr geändert werden." in (
        response.text
    )
    response = desk.post(f"{PAGE}/eintrag/{park}/schlagwort", 2, kind="topic", value="mobilitaet")
    assert response.status_code == 409
    assert desk.digest() == digest
    assert desk.post("/redaktion/wochenschau/entwurf", week=WEEK).status_code == 409
    assert desk.approved == [WEEK]


def test_a_stale_approval_is_refused(desk: Desk) -> None:
    drafted(desk)
    desk.digests.set_intro(WEEK, "Neu.", expected_version=1, now=NOW)
    response = desk.post(f"{PAGE}/freigeben", 1)
    assert response.status_code == 409
    assert desk.digest().status == "draft" and desk.approved == []


def test_tag_corrections_change_the_story_and_the_draft(desk: Desk) -> None:
    drafted(desk)
    bahnhof = desk.entry_ids()["Bahnhof wird saniert"]
    response = desk.post(
        f"{PAGE}/eintrag/{bahnhof}/schlagwort", 1, kind="city", value="Dresden", aktion="entfernen"
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}#eintrag-{bahnhof}"
    desk.post(f"{PAGE}/eintrag/{bahnhof}/schlagwort", 2, kind="topic", value="wohnen")
    desk.post(f"{PAGE}/eintrag/{bahnhof}/schlagwort", 3, kind="city", value="Markkleeberg")
    desk.post(
        f"{PAGE}/eintrag/{bahnhof}/schlagwort",
        4,
        kind="topic",
        value="mobilitaet",
        aktion="entfernen",
    )
    entry = next(e for e in desk.digest().entries if e.id == bahnhof)
    assert (entry.cities, entry.topics) == (("Leipzig", "Markkleeberg"), ("wohnen",))
    assert desk.digest().version == 5
    # the correction holds for the story: a new draft of the week sees it too
    assert story_cities(desk, "bahnhof") == ("Leipzig", "Markkleeberg")
    response = desk.post(f"{PAGE}/eintrag/{bahnhof}/schlagwort", 5, kind="topic", value="quatsch")
    assert response.status_code == 400 and "Dieses Thema gibt es nicht." in response.text


def test_split_and_merge_change_the_stories_and_the_draft(desk: Desk) -> None:
    drafted(desk)
    ids = desk.entry_ids()
    bahnhof, kirche = ids["Bahnhof wird saniert"], ids["Kirche öffnet wieder"]
    page = desk.page()
    assert "Als eigene Meldung abtrennen" in page and 'value="dresden:bahnhof"' in page
    response = desk.post(f"{PAGE}/eintrag/{kirche}/abtrennen", 1, item="dresden:bahnhof")
    assert response.status_code == 400  # not a member of that entry
    assert "Diese Meldung gehört nicht zu diesem Eintrag." in response.text
    response = desk.post(f"{PAGE}/eintrag/{kirche}/abtrennen", 1, item="dresden:kirche")
    assert response.status_code == 400 and "Diese Meldung steht schon allein." in response.text
    assert desk.digest().version == 1

    response = desk.post(f"{PAGE}/eintrag/{bahnhof}/abtrennen", 1, item="dresden:bahnhof")
    assert response.status_code == 303
    got = [(e.headline, e.sources) for e in desk.digest().entries]
    assert got == [
        ("Bahnhof wird saniert", ("Stadtforum Leipzig",)),
        ("Neuer Park am Saaleufer", ("Arbeitskreis Halle",)),
        ("Kirche öffnet wieder", ("Stadtforum Dresden",)),
        ("Sanierung des Bahnhofs", ("Stadtforum Dresden",)),
    ]
    sanierung = desk.entry_ids()["Sanierung des Bahnhofs"]

    merge = f"{PAGE}/eintrag/{sanierung}/zusammenfuehren"
    for wrong in ("0", "5", "x", "4"):  # no such number; itself (number 4)
        response = desk.post(merge, 2, target_no=wrong)
        assert response.status_code == 400, wrong
    response = desk.post(merge, 2, target_no="1")  # "Bahnhof wird saniert", number 1 on the page
    assert response.status_code == 303
    assert response.headers["location"] == f"{PAGE}#eintrag-{bahnhof}"
    got = [(e.headline, e.sources) for e in desk.digest().entries]
    assert got == [
        ("Bahnhof wird saniert", ("Stadtforum Dresden", "Stadtforum Leipzig")),
        ("Neuer Park am Saaleufer", ("Arbeitskreis Halle",)),
        ("Kirche öffnet wieder", ("Stadtforum Dresden",)),
    ]
    assert desk.digest().version == 3


def test_the_previews_show_what_will_be_published(desk: Desk) -> None:
    drafted(desk)
    park = desk.entry_ids()["Neuer Park am Saaleufer"]
    desk.post(f"{PAGE}/eintrag/{park}/aufnehmen", 1, included="0")
    desk.post(f"{PAGE}/einleitung", 2, intro="Eine ruhige Woche.")

    page = desk.page(f"{PAGE}/vorschau")
    assert "<h1>Stadtforen-Wochenschau KW 48/2026</h1>" in page
    assert "Eine ruhige Woche." in page
    assert "Bahnhof wird saniert" in page and "Kirche öffnet wieder" in page
    assert "Neuer Park am Saaleufer" not in page
    assert desk.client.get("/redaktion/wochenschau/style.css").status_code == 200

    response = desk.client.get(f"{PAGE}/vorschau/mail.html")
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src" not in csp and "sandbox" in csp
    assert "Bahnhof wird saniert" in response.text
    assert "Neuer Park am Saaleufer" not in response.text
    assert "https://stadtforen.example/newsletter/abmelden/VORSCHAU" in response.text

    response = desk.client.get(f"{PAGE}/vorschau/mail.txt")
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "Eine ruhige Woche." in response.text
    assert "https://leipzig.example/bahnhof" in response.text
    assert "Neuer Park am Saaleufer" not in response.text
    assert desk.digest().version == 3  # looking changes nothing


def test_a_test_mail_is_sent_and_throttled(engine: Engine) -> None:
    with MailServer() as server:
        desk = open_desk(engine, smtp_port=server.port)
        drafted(desk)
        response = desk.post(f"{PAGE}/testmail", address="anna@example.org")
        assert response.status_code == 303
        assert (
            response.headers["location"]
            == f"{PAGE}?testmail=gesendet&an=anna%40example.org#testmail"
        )
        assert "Die Testmail an anna@example.org wurde gesendet." in desk.page(
            response.headers["location"]
        )
        [message] = server.messages
        assert message["To"] == "anna@example.org"
        assert message["Subject"] == "[Testmail] Stadtforen-Wochenschau KW 48/2026"
        body = message.get_body(("plain",))
        assert body is not None and "Bahnhof wird saniert" in body.get_content()
        assert message["List-Unsubscribe"] is None
        for _ in range(4):
            assert desk.post(f"{PAGE}/testmail", address="anna@example.org").is_redirect
        response = desk.post(f"{PAGE}/testmail", address="anna@example.org")
        assert response.status_code == 429
        assert "Zu viele Testmails." in response.text
        assert len(server.messages) == 5
        desk.client.close()


def test_a_test_mail_failure_is_shown(desk: Desk) -> None:
    drafted(desk)
    response = desk.post(f"{PAGE}/testmail", address="anna@example.org")  # nobody listens
    assert response.status_code == 502
    text = text_of(response.text)
    assert "Die Testmail konnte nicht gesendet werden. Der Mailserver meldet: " in text
    assert "cannot connect to SMTP server 127.0.0.1:" in text
    response = desk.post(f"{PAGE}/testmail", address="keine adresse")
    assert response.status_code == 400
    assert "Bitte eine gültige E-Mail-Adresse angeben." in response.text
