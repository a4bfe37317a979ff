"""The editor area /redaktion/: its routes, behind the login of `auth.py`.

    editor_routes(context, hasher=HASHER) -> list[BaseRoute]

Public: the login page, the area's stylesheet and the bare /redaktion redirect. Everything else
is added with `auth.route(...)` below, which lets only signed-in editors through (a test walks
every route of this list and checks it).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.editors import HASHER
from aggregator.store.editors import EditorSession
from aggregator.templating import area_templates
from aggregator.web.auth import AREA, START_PATH, EditorAuth
from aggregator.web.context import WebContext

STYLESHEET_PATH = "/redaktion/redaktion.css"
DIGEST_PATH = "/redaktion/wochenschau/"  # the digest pages (added by the digest's web routes)
PUBLIC_PATHS = frozenset({AREA, STYLESHEET_PATH, "/redaktion/anmelden"})


def editor_routes(context: WebContext, hasher: PasswordHasher = HASHER) -> list[BaseRoute]:
    """Every route of the editor area (tests pass a cheap `hasher`). Pages added later go at
    the end, each as `auth.route(path, endpoint, methods)`, e.g. the digest draft pages under
    DIGEST_PATH."""
    auth = EditorAuth(context, hasher)
    stylesheet = (area_templates("web") / "static" / "redaktion.css").read_bytes()

    async def start(request: Request, session: EditorSession) -> Response:
        return auth.render(
            request, "editor_start.html", session, page_title="Redaktion", digest_path=DIGEST_PATH
        )

    async def css(request: Request) -> Response:
        return Response(
            stylesheet,
            media_type="text/css; charset=utf-8",
            headers={"Cache-Control": "public, max-age=3600"},
        )

    async def to_start(request: Request) -> Response:
        return RedirectResponse(START_PATH, status_code=308)

    return [
        Route(AREA, to_start, methods=["GET", "HEAD"]),
        Route(STYLESHEET_PATH, css, methods=["GET", "HEAD"]),
        *auth.routes(),
        auth.route(START_PATH, start, methods=["GET", "HEAD"]),
    ]
