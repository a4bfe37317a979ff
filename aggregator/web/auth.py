"""Signing editors in and out, and the guard every page of /redaktion/ stands behind.

    auth = EditorAuth(context)                  one per application (see editor.editor_routes)
    auth.routes()                               /redaktion/anmelden (GET, POST), /redaktion/abmelden
    auth.route(path, endpoint, methods)         a Route whose endpoint only signed-in editors reach
    auth.render(request, template, session, …)  an editor page (csrf_token filled in, no-store)

An endpoint behind the guard is `async def page(request, session: EditorSession) -> Response`.
GET/HEAD without a session redirect to the login page (and back afterwards); every other method
needs a session AND the session's CSRF token, as the form field `csrf_token` or the header
`X-CSRF-Token`, or gets 403. A template puts the token into each form with
`{% include "_csrf.html" %}`.

The session cookie is HttpOnly, SameSite=Lax, Path=/redaktion, Secure when the site's base URL
is https. The login form has its own CSRF token (a cookie and a hidden field that must match),
so no other site can sign a browser in to an account of its choosing. Failed logins count per
account and per client address (`context.login_throttle`); the message for a wrong name and a
wrong password is the same.
"""

from __future__ import annotations

import math
import secrets
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from argon2 import PasswordHasher
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from aggregator.editors import (
    HASHER,
    EditorError,
    SessionPolicy,
    authenticate,
    close_session,
    normalize_name,
    open_session,
    same_token,
    session_for,
)
from aggregator.store.editors import Editors, EditorSession
from aggregator.templating import environment
from aggregator.web.context import WebContext

AREA = "/redaktion"
START_PATH = "/redaktion/"
LOGIN_PATH = "/redaktion/anmelden"
LOGOUT_PATH = "/redaktion/abmelden"
SESSION_COOKIE = "redaktion_sitzung"
LOGIN_COOKIE = "redaktion_anmeldung"  # the login form's CSRF token (double submit)
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
NO_STORE = "no-store"
SAFE_METHODS = frozenset({"GET", "HEAD"})
MAX_FIELD = 1024  # longer names or passwords are not even looked at

WRONG_LOGIN = "Name oder Passwort ist falsch."
LOGIN_EXPIRED = "Das Formular war abgelaufen. Bitte melden Sie sich noch einmal an."
LOGGED_OUT = "Sie haben sich abgemeldet."

EditorEndpoint = Callable[[Request, EditorSession], Awaitable[Response]]


def too_many_attempts(seconds: float) -> str:
    """The German message for a throttled login, in whole minutes (at least one)."""
    minutes = max(1, math.ceil(seconds / 60))
    unit = "Minute" if minutes == 1 else "Minuten"
    return f"Zu viele Versuche, bitte in {minutes} {unit} erneut versuchen."


def safe_next(target: str | None) -> str:
    """Where to go after login: a path inside the editor area, nothing else (no open
    redirect to another host, no `//host`, no backslashes)."""
    if not target or len(target) > 2000 or "\\" in target or "//" in target:
        return START_PATH
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith(START_PATH):
        return START_PATH
    if {".", ".."} & set(parts.path.split("/")):  # /redaktion/../ leaves the area
        return START_PATH
    return target


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


class EditorAuth:
    """Login, logout and the guard of the editor area, for one application."""

    def __init__(self, context: WebContext, hasher: PasswordHasher = HASHER) -> None:
        self.context = context
        self.editors = Editors(context.engine)
        self.hasher = hasher
        settings = context.settings
        self.policy = SessionPolicy(
            idle=timedelta(seconds=settings.editor_session_idle_s),
            max_age=timedelta(seconds=settings.editor_session_max_s),
        )
        self.secure = urlsplit(settings.base_url).scheme == "https"
        self.templates = environment("web")

    # --- the guard ------------------------------------------------------------------------------

    async def current(self, request: Request) -> EditorSession | None:
        """The signed-in editor of this request, or None."""
        token = request.cookies.get(SESSION_COOKIE)
        if not token:
            return None
        now = self.context.clock()
        return await run_in_threadpool(session_for, self.editors, token, now, self.policy)

    def require(self, endpoint: EditorEndpoint) -> Callable[[Request], Awaitable[Response]]:
        """Wrap an editor endpoint: a session for every method, the CSRF token for the unsafe."""

        async def guarded(request: Request) -> Response:
            session = await self.current(request)
            if request.method in SAFE_METHODS:
                if session is None:
                    target = quote(request.url.path, safe="/")
                    return self._redirect(f"{LOGIN_PATH}?weiter={target}")
            elif session is None or not await self._csrf_ok(request, session):
                return self._forbidden(request)
            request.state.editor = session
            response = await endpoint(request, session)
            response.headers["Cache-Control"] = NO_STORE
            return response

        return guarded

    def route(
        self, path: str, endpoint: EditorEndpoint, methods: Sequence[str] = ("GET",)
    ) -> Route:
        """A route of the editor area behind the guard (path under /redaktion/)."""
        if not path.startswith(START_PATH):
            raise ValueError(f"editor routes live under {START_PATH}: {path!r}")
        return Route(path, self.require(endpoint), methods=list(methods))

    async def _csrf_ok(self, request: Request, session: EditorSession) -> bool:
        given = request.headers.get(CSRF_HEADER)
        if given is None:
            form = await request.form()  # Starlette keeps it: the endpoint reads it again
            field = form.get(CSRF_FIELD)
            given = field if isinstance(field, str) else None
        return same_token(given, session.csrf_token)

    # --- pages ----------------------------------------------------------------------------------

    def render(
        self,
        request: Request,
        template: str,
        session: EditorSession | None,
        status_code: int = 200,
        **values: Any,
    ) -> HTMLResponse:
        """An editor page from templates/web/: `session`, `editor_name` and `csrf_token` are
        filled in; never cached."""
        html = self.templates.get_template(template).render(
            session=session,
            editor_name=session.editor_name if session else None,
            csrf_token=session.csrf_token if session else "",
            **values,
        )
        return HTMLResponse(html, status_code, headers={"Cache-Control": NO_STORE})

    def _redirect(self, target: str) -> RedirectResponse:
        return RedirectResponse(target, status_code=303, headers={"Cache-Control": NO_STORE})

    def _forbidden(self, request: Request) -> HTMLResponse:
        return self.render(request, "editor_forbidden.html", None, 403, page_title="Nicht erlaubt")

    # --- login and logout -----------------------------------------------------------------------

    def routes(self) -> list[Route]:
        return [
            Route(LOGIN_PATH, self.login_form, methods=["GET"]),
            Route(LOGIN_PATH, self.login, methods=["POST"]),
            Route(LOGOUT_PATH, self.require(self.logout), methods=["POST"]),
        ]

    async def login_form(self, request: Request) -> Response:
        if await self.current(request) is not None:
            return self._redirect(safe_next(request.query_params.get("weiter")))
        notice = LOGGED_OUT if "abgemeldet" in request.query_params else None
        return self._login_page(request, notice=notice, target=request.query_params.get("weiter"))

    def _login_page(
        self,
        request: Request,
        *,
        status_code: int = 200,
        error: str | None = None,
        notice: str | None = None,
        name: str = "",
        target: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Response:
        token = secrets.token_urlsafe(32)
        response = self.render(
            request,
            "editor_login.html",
            None,
            status_code,
            page_title="Anmelden",
            login_token=token,
            error=error,
            notice=notice,
            name=name[:64],
            target=safe_next(target),
        )
        response.headers.update(headers or {})
        response.set_cookie(
            LOGIN_COOKIE,
            token,
            max_age=3600,
            path=AREA,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
        return response

    async def login(self, request: Request) -> Response:
        form = await request.form()
        name, password, token, target = (
            _text(form.get(key)) for key in ("name", "password", CSRF_FIELD, "weiter")
        )
        if not same_token(token, request.cookies.get(LOGIN_COOKIE, "")):
            return self._login_page(request, status_code=403, error=LOGIN_EXPIRED, name=name)
        now = self.context.clock()
        throttle = self.context.login_throttle
        keys = (f"account:{_account_key(name)}", f"address:{client_address(request)}")
        wait = max(throttle.retry_after(key, now) for key in keys)
        if wait > 0:
            return self._login_page(
                request,
                status_code=429,
                error=too_many_attempts(wait),
                name=name,
                target=target,
                headers={"Retry-After": str(math.ceil(wait))},
            )
        editor = None
        if len(name) <= MAX_FIELD and len(password) <= MAX_FIELD:
            editor = await run_in_threadpool(
                authenticate, self.editors, name, password, self.hasher
            )
        if editor is None:
            for key in keys:
                throttle.hit(key, now)
            return self._login_page(
                request, status_code=401, error=WRONG_LOGIN, name=name, target=target
            )
        throttle.reset(keys[0])
        old = request.cookies.get(SESSION_COOKIE)
        if old:  # a new token on every login: a planted cookie is worth nothing
            await run_in_threadpool(close_session, self.editors, old)
        await run_in_threadpool(self.editors.purge_sessions, now, self.policy.idle)  # old rows
        new, _ = await run_in_threadpool(open_session, self.editors, editor, now, self.policy)
        response = self._redirect(safe_next(target))
        response.set_cookie(
            SESSION_COOKIE,
            new,
            max_age=int(self.policy.max_age.total_seconds()),
            path=AREA,
            secure=self.secure,
            httponly=True,
            samesite="lax",
        )
        response.delete_cookie(LOGIN_COOKIE, path=AREA, secure=self.secure, httponly=True)
        return response

    async def logout(self, request: Request, session: EditorSession) -> Response:
        token = request.cookies.get(SESSION_COOKIE, "")
        await run_in_threadpool(close_session, self.editors, token)
        response = self._redirect(f"{LOGIN_PATH}?abgemeldet=1")
        response.delete_cookie(
            SESSION_COOKIE, path=AREA, secure=self.secure, httponly=True, samesite="lax"
        )
        return response


def _text(value: object) -> str:
    """A form field as text; an uploaded file or a missing field is ''."""
    return value if isinstance(value, str) else ""


def _account_key(name: str) -> str:
    try:
        return normalize_name(name)
    except EditorError:
        return name.strip().casefold()[:64]
