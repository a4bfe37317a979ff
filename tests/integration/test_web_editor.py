"""The editor area /redaktion/ through Starlette's TestClient on a real SQLite database:
login, throttling, sessions, CSRF, logout, cookie flags, and that nothing is open without login.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, func, select
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning
from starlette.middleware import Middleware
from starlette.routing import Route

from aggregator.editors import add_editor, disable_editor
from aggregator.settings import Settings
from aggregator.store.db import make_engine, upgrade
from aggregator.store.editors import Editors
from aggregator.store.schema import EditorSessionRow
from aggregator.web.app import ResponseHeaders, create_app
from aggregator.web.auth import safe_next, too_many_attempts
from aggregator.web.context import WebContext
from aggregator.web.editor import PUBLIC_PATHS, editor_routes

with warnings.catch_warnings():  # starlette 1.x would rather have httpx2, which we do not ship
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FAST = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
PASSWORD = "Elbwiesen-2026!"
WRONG = "Zwickau-falsch-1"


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Area:
    engine: Engine
    clock: Clock
    context: WebContext
    editors: Editors = field(init=False)

    def __post_init__(self) -> None:
        self.editors = Editors(self.engine)

    def app(self) -> Starlette:
        """The editor routes with a cheap hasher, behind the app's security headers."""
        return Starlette(
            routes=editor_routes(self.context, FAST), middleware=[Middleware(ResponseHeaders)]
        )

    def client(
        self, address: str = "198.51.100.7", base_url: str = "http://testserver"
    ) -> TestClient:
        return TestClient(
            self.app(), base_url=base_url, client=(address, 40000), follow_redirects=False
        )


def make_area(tmp_path: Path, base_url: str = "http://127.0.0.1:8000/") -> Area:
    engine = make_engine(f"sqlite:///{tmp_path / 'agg.db'}")
    upgrade(engine)
    clock = Clock()
    settings = Settings(database_url=str(engine.url), base_url=base_url)
    area = Area(engine, clock, WebContext(settings, engine, clock))
    add_editor(area.editors, "anna", PASSWORD, NOW, FAST)
    return area


@pytest.fixture
def area(tmp_path: Path) -> Iterator[Area]:
    area = make_area(tmp_path)
    yield area
    area.engine.dispose()


def login_token(client: TestClient) -> str:
    page = client.get("/redaktion/anmelden")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def log_in(
    client: TestClient, name: str = "anna", password: str = PASSWORD, **extra: str
) -> httpx.Response:
    token = login_token(client)
    return client.post(
        "/redaktion/anmelden",
        data={"name": name, "password": password, "csrf_token": token, **extra},
    )


def csrf_of(client: TestClient) -> str:
    page = client.get("/redaktion/")
    assert page.status_code == 200
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def test_login_leads_to_the_start_page(area: Area) -> None:
    client = area.client()
    response = log_in(client, name="Anna")

    assert response.status_code == 303
    assert response.headers["location"] == "/redaktion/"
    start = client.get("/redaktion/")
    assert start.status_code == 200
    assert "Angemeldet als <strong>anna</strong>" in start.text
    assert 'href="/redaktion/wochenschau/"' in start.text
    assert 'action="/redaktion/abmelden"' in start.text
    assert start.headers["cache-control"] == "no-store"
    assert "default-src 'self'" in start.headers["content-security-policy"]
    assert "<script" not in start.text and "style=" not in start.text


def test_login_page_is_german_labelled_and_not_cached(area: Area) -> None:
    page = area.client().get("/redaktion/anmelden")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert '<html lang="de">' in page.text
    assert '<label for="name">Name</label>' in page.text
    assert '<label for="password">Passwort</label>' in page.text
    assert 'href="#inhalt"' in page.text


@pytest.mark.parametrize(("name", "password"), [("anna", WRONG), ("niemand", PASSWORD)])
def test_wrong_name_or_password_gives_the_same_answer(area: Area, name: str, password: str) -> None:
    client = area.client()
    response = log_in(client, name=name, password=password)

    assert response.status_code == 401
    assert "Name oder Passwort ist falsch." in response.text
    assert "redaktion_sitzung" not in response.headers.get("set-cookie", "")
    assert client.get("/redaktion/").status_code == 303


def test_disabled_editor_cannot_log_in(area: Area) -> None:
    disable_editor(area.editors, "anna")
    response = log_in(area.client())
    assert response.status_code == 401
    assert "Name oder Passwort ist falsch." in response.text


def test_login_without_the_forms_token_is_refused(area: Area) -> None:
    client = area.client()
    login_token(client)  # the cookie is set, but the field is missing or wrong
    for token in ("", "gefälscht"):
        response = client.post(
            "/redaktion/anmelden", data={"name": "anna", "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 403
        assert "Das Formular war abgelaufen" in response.text
    fresh = area.client()  # a cross-site form: no login cookie at all
    response = fresh.post(
        "/redaktion/anmelden", data={"name": "anna", "password": PASSWORD, "csrf_token": "x" * 43}
    )
    assert response.status_code == 403
    assert "redaktion_sitzung" not in response.headers.get("set-cookie", "")


def test_five_failures_per_account_lock_that_account_from_every_address(area: Area) -> None:
    for attempt in range(5):
        response = log_in(area.client(address=f"203.0.113.{attempt}"), password=WRONG)
        assert response.status_code == 401

    blocked = log_in(area.client(address="203.0.113.99"))  # the right password, a new address
    assert blocked.status_code == 429
    assert "Zu viele Versuche, bitte in 15 Minuten erneut versuchen." in blocked.text
    assert blocked.headers["retry-after"] == "900"

    area.clock.advance(minutes=10)
    later = log_in(area.client(address="203.0.113.99"))
    assert "Zu viele Versuche, bitte in 5 Minuten erneut versuchen." in later.text

    area.clock.advance(minutes=5)
    assert log_in(area.client(address="203.0.113.99")).status_code == 303


def test_five_failures_per_address_lock_that_address_for_every_account(area: Area) -> None:
    add_editor(area.editors, "bernd", PASSWORD, NOW, FAST)
    client = area.client(address="192.0.2.50")
    for name in ("carla", "dieter", "emil", "frida", "gustav"):
        assert log_in(client, name=name, password=WRONG).status_code == 401

    blocked = log_in(client, name="bernd")
    assert blocked.status_code == 429
    assert "Zu viele Versuche" in blocked.text
    assert log_in(area.client(address="192.0.2.51"), name="bernd").status_code == 303


def test_a_successful_login_resets_the_accounts_count(area: Area) -> None:
    for _ in range(4):
        assert log_in(area.client(address="192.0.2.1"), password=WRONG).status_code == 401
    assert log_in(area.client(address="192.0.2.2")).status_code == 303
    for _ in range(4):
        assert log_in(area.client(address="192.0.2.3"), password=WRONG).status_code == 401
    assert log_in(area.client(address="192.0.2.4")).status_code == 303


def test_pages_redirect_to_login_and_back(area: Area) -> None:
    client = area.client()
    response = client.get("/redaktion/")
    assert response.status_code == 303
    assert response.headers["location"] == "/redaktion/anmelden?weiter=/redaktion/"

    after = log_in(client, weiter="/redaktion/wochenschau/2026-W48")
    assert after.headers["location"] == "/redaktion/wochenschau/2026-W48"


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/redaktion/", "/redaktion/\\\\evil", "/"]
)
def test_login_never_redirects_out_of_the_area(area: Area, target: str) -> None:
    response = log_in(area.client(), weiter=target)
    assert response.status_code == 303
    assert response.headers["location"] == "/redaktion/"


def test_session_cookie_flags(area: Area) -> None:
    response = log_in(area.client())
    session = next(c for c in response.headers.get_list("set-cookie") if "redaktion_sitzung=" in c)
    assert "HttpOnly" in session
    assert "SameSite=lax" in session
    assert "Path=/redaktion" in session
    assert "Secure" not in session
    assert "Max-Age=604800" in session


def test_session_cookie_is_secure_with_an_https_base_url(tmp_path: Path) -> None:
    area = make_area(tmp_path, base_url="https://nachrichten.netzwerk-stadtforen.de/")
    try:
        client = area.client(base_url="https://testserver")
        response = log_in(client)
        cookies = response.headers.get_list("set-cookie")
        session = next(c for c in cookies if "redaktion_sitzung=" in c)
        assert "Secure" in session and "HttpOnly" in session
        assert all("Secure" in c for c in cookies)
    finally:
        area.engine.dispose()


def test_session_expires_when_idle(area: Area) -> None:
    client = area.client()
    log_in(client)
    area.clock.advance(hours=11)
    assert client.get("/redaktion/").status_code == 200
    area.clock.advance(hours=11, minutes=59)
    assert client.get("/redaktion/").status_code == 200
    area.clock.advance(hours=12, seconds=1)
    response = client.get("/redaktion/")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/redaktion/anmelden")


def test_session_expires_after_seven_days_even_when_used(area: Area) -> None:
    client = area.client()
    log_in(client)
    for _ in range(16):  # 160 hours, used every 10
        area.clock.advance(hours=10)
        assert client.get("/redaktion/").status_code == 200
    area.clock.advance(hours=8)  # 168 hours after login
    assert client.get("/redaktion/").status_code == 303
    assert log_in(area.client()).status_code == 303  # a login clears the dead session away
    with area.engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(EditorSessionRow)).scalar() == 1


def test_logout_invalidates_the_session_even_for_a_copied_cookie(area: Area) -> None:
    client = area.client()
    log_in(client)
    stolen = client.cookies.get("redaktion_sitzung")
    assert stolen
    replay = area.client(address="192.0.2.99")
    replay.cookies.set("redaktion_sitzung", stolen, domain="testserver.local", path="/redaktion")
    assert replay.get("/redaktion/").status_code == 200  # the copy works while signed in

    response = client.post("/redaktion/abmelden", data={"csrf_token": csrf_of(client)})

    assert response.status_code == 303
    assert response.headers["location"] == "/redaktion/anmelden?abgemeldet=1"
    assert 'redaktion_sitzung=""' in response.headers["set-cookie"]
    assert "Sie haben sich abgemeldet." in client.get("/redaktion/anmelden?abgemeldet=1").text
    assert replay.get("/redaktion/").status_code == 303


@pytest.mark.parametrize("token", [None, "", "falsch", "x" * 43])
def test_logout_without_the_right_csrf_token_is_403(area: Area, token: str | None) -> None:
    client = area.client()
    log_in(client)
    data = {} if token is None else {"csrf_token": token}
    response = client.post("/redaktion/abmelden", data=data)
    assert response.status_code == 403
    assert "Nicht erlaubt" in response.text
    assert client.get("/redaktion/").status_code == 200  # still signed in


def test_csrf_token_of_another_session_is_403(area: Area) -> None:
    add_editor(area.editors, "bernd", PASSWORD, NOW, FAST)
    anna, bernd = area.client(address="192.0.2.1"), area.client(address="192.0.2.2")
    log_in(anna)
    log_in(bernd, name="bernd")
    response = anna.post("/redaktion/abmelden", data={"csrf_token": csrf_of(bernd)})
    assert response.status_code == 403
    header = anna.post("/redaktion/abmelden", headers={"X-CSRF-Token": csrf_of(anna)})
    assert header.status_code == 303


def test_a_new_login_replaces_the_session_the_browser_had(area: Area) -> None:
    first_client = area.client()
    log_in(first_client)
    first = first_client.cookies.get("redaktion_sitzung")
    assert first
    client = area.client()
    token = login_token(client)
    client.cookies.set("redaktion_sitzung", first, domain="testserver.local", path="/redaktion")
    response = client.post(
        "/redaktion/anmelden", data={"name": "anna", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    second = client.cookies.get("redaktion_sitzung")
    assert second and second != first
    assert client.get("/redaktion/").status_code == 200
    assert first_client.get("/redaktion/").status_code == 303


def test_nothing_under_redaktion_is_reachable_without_login(tmp_path: Path) -> None:
    """Every route of the real application under /redaktion/, except the public ones: a page
    redirects to the login, any other method is 403 – also with a valid CSRF-looking token."""
    area = make_area(tmp_path)
    site = tmp_path / "public"
    site.mkdir()
    app = create_app(site, area.context)
    client = TestClient(app, follow_redirects=False)
    guarded = [
        route
        for route in app.routes
        if isinstance(route, Route)
        and route.path.startswith("/redaktion")
        and route.path not in PUBLIC_PATHS
    ]
    assert {r.path for r in guarded} >= {"/redaktion/", "/redaktion/abmelden"}
    try:
        for route in guarded:
            path = re.sub(r"\{[^}]+\}", "x", route.path)
            for method in sorted(route.methods or ()):
                response = client.request(method, path, data={"csrf_token": "x" * 43})
                if method in ("GET", "HEAD"):
                    assert response.status_code == 303, (method, path)
                    assert response.headers["location"].startswith("/redaktion/anmelden")
                else:
                    assert response.status_code == 403, (method, path)
                    assert "redaktion_sitzung" not in response.text
    finally:
        area.engine.dispose()


def test_the_real_app_signs_in_with_the_default_hasher(tmp_path: Path) -> None:
    """create_app wires the area in; a hash with cheap parameters is upgraded on login."""
    area = make_area(tmp_path)
    site = tmp_path / "public"
    site.mkdir()
    try:
        client = TestClient(create_app(site, area.context), follow_redirects=False)
        assert log_in(client).status_code == 303
        assert client.get("/redaktion/").status_code == 200
        found = area.editors.credentials("anna")
        assert found is not None and "m=65536,t=3,p=4" in found[1]
        css = client.get("/redaktion/redaktion.css")
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        assert client.get("/redaktion").headers["location"] == "/redaktion/"
    finally:
        area.engine.dispose()


def test_throttle_message_counts_whole_minutes() -> None:
    assert too_many_attempts(0.5) == "Zu viele Versuche, bitte in 1 Minute erneut versuchen."
    assert too_many_attempts(61) == "Zu viele Versuche, bitte in 2 Minuten erneut versuchen."
    assert too_many_attempts(900) == "Zu viele Versuche, bitte in 15 Minuten erneut versuchen."


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/redaktion/wochenschau/2026-W48?x=1", "/redaktion/wochenschau/2026-W48?x=1"),
        ("/redaktionell/", "/redaktion/"),
        ("/redaktion/../index.html", "/redaktion/"),
        ("https://evil.example/redaktion/", "/redaktion/"),
        ("javascript:alert(1)", "/redaktion/"),
        (None, "/redaktion/"),
    ],
)
def test_safe_next_stays_on_this_host(target: str | None, expected: str) -> None:
    assert safe_next(target) == expected


@pytest.mark.parametrize("trusted", ["127.0.0.1", ""])
def test_behind_a_trusted_proxy_the_limits_count_the_forwarded_address(
    tmp_path: Path, trusted: str
) -> None:
    """nginx on the same machine forwards every reader from 127.0.0.1: with the proxy trusted
    (AGGREGATOR_TRUSTED_PROXIES) the limit per address counts each reader's own address;
    without, the forwarded header is not believed and all share the proxy's."""
    area = make_area(tmp_path)
    settings = replace(area.context.settings, trusted_proxies=trusted)
    app = create_app(tmp_path / "public", replace(area.context, settings=settings))

    def through(client: str, reader: str) -> TestClient:
        headers = {"X-Forwarded-For": reader}
        return TestClient(app, client=(client, 40000), headers=headers, follow_redirects=False)

    reader = through("127.0.0.1", "203.0.113.5")
    for name in ("carla", "dieter", "emil", "frida", "gustav"):  # unknown names, one reader
        assert log_in(reader, name=name).status_code == 401
    assert log_in(reader).status_code == 429
    other_reader = log_in(through("127.0.0.1", "203.0.113.6"))
    assert other_reader.status_code == (303 if trusted else 429)
    # a client that is not the proxy cannot pick an address by sending the header itself
    assert log_in(through("198.51.100.9", "203.0.113.5")).status_code == 303
    area.engine.dispose()
