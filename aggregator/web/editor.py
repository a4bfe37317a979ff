"""The editor area /redaktion/: its routes, behind the login of `auth.py`.

    editor_routes(context, hasher=HASHER) -> list[BaseRoute]

Public: the login page, the area's stylesheet and the bare /redaktion redirect. Everything else
is added with `auth.route(...)` below, which lets only signed-in editors through (a test walks
every route of this list and checks it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from argon2 import PasswordHasher
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.editors import HASHER
from aggregator.store.editors import EditorSession
from aggregator.templating import area_templates
from aggregator.web.auth import AREA, START_PATH, EditorAuth
from aggregator.web.context import WebContext
from aggregator.web.digest_editor import digest_routes
from aggregator.web.health_editor import health_routes
from aggregator.web.sources_editor import sources_routes

STYLESHEET_PATH = "/redaktion/redaktion.css"
ICON_PATH = "/redaktion/favicon.svg"  # the site's icon, so that the area needs no published site
DIGEST_PATH = "/redaktion/wochenschau/"  # the digest pages (added by the digest's web routes)
PUBLIC_PATHS = frozenset({AREA, STYLESHEET_PATH, ICON_PATH, "/redaktion/anmelden"})


def editor_routes(context: WebContext, hasher: PasswordHasher = HASHER) -> list[BaseRoute]:
    """Every route of the editor area (tests pass a cheap `hasher`). Pages added later go at
    the end, each as `auth.route(path, endpoint, methods)`, e.g. the digest draft pages under
    DIGEST_PATH."""
    auth = EditorAuth(context, hasher)
    stylesheet = _static_file(area_templates("web") / "static" / "redaktion.css", "text/css")
    icon = _static_file(area_templates("site") / "static" / "favicon.svg", "image/svg+xml")

    async def start(request: Request, session: EditorSession) -> Response:
        return auth.render(
            request, "editor_start.html", session, page_title="Redaktion", digest_path=DIGEST_PATH
        )

    async def to_start(request: Request) -> Response:
        return RedirectResponse(START_PATH, status_code=308)

    return [
        Route(AREA, to_start, methods=["GET", "HEAD"]),
        Route(STYLESHEET_PATH, stylesheet, methods=["GET", "HEAD"]),
        Route(ICON_PATH, icon, methods=["GET", "HEAD"]),
        *auth.routes(),
        auth.route(START_PATH, start, methods=["GET", "HEAD"]),
        *digest_routes(context, auth),
        *sources_routes(context, auth),
        *health_routes(context, auth),
    ]


def _static_file(path: Path, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint sending one file read at start-up (a few kB), cached for an hour."""
    body = path.read_bytes()
    if media_type.startswith("text/"):
        media_type += "; charset=utf-8"

    async def send(request: Request) -> Response:
        headers = {"Cache-Control": "public, max-age=3600"}
        return Response(body, media_type=media_type, headers=headers)

    return send
