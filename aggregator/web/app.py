"""The ASGI application: the published site, the editor area and the public forms.

    create_app(output_dir, context=None)
        /redaktion/…   the editor area (`editor.editor_routes`)
        /newsletter…   sign-up, confirmation, unsubscribe (`newsletter.newsletter_routes`)
        /mitmachen…    a forum's registration (`registration.registration_routes`)
        /quelle/…      a forum's private status page (`source_status.source_status_routes`)
        /…             the published folder (static.PublishedSite)

Without a context (tests of the site, `aggregator serve`-like uses) only the folder is served.

Every response, errors included, carries the security headers below; anything compressible is
sent gzipped to clients that accept it.
"""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from aggregator.settings import proxy_entries
from aggregator.web.context import WebContext
from aggregator.web.static import NOT_COMPRESSED, PublishedSite

# The published pages use no inline script or style, no frames and nothing from other hosts
# (tests/e2e checks them in chromium under this policy).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",  # as the pages' <meta name="referrer">
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers without CSP level 2
}
GZIP_MIN_BYTES = 500  # smaller bodies gain nothing
GZIP_LEVEL = 6  # feeds are compressed on every full download: level 9 costs more, saves ~1 %


class ResponseHeaders:
    """Adds the security headers to every response; one `Vary` token of each kind.

    A route may set its own value of a header (the editor may need another CSP); it is kept.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                _merge_vary(headers)
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _merge_vary(headers: MutableHeaders) -> None:
    """`Vary: Accept-Encoding, Accept-Encoding` (set by the site and by GZip) → one token."""
    tokens: dict[str, str] = {}
    for value in headers.getlist("vary"):
        for token in value.split(","):
            if token.strip():
                tokens.setdefault(token.strip().lower(), token.strip())
    if tokens:
        headers["Vary"] = ", ".join(tokens.values())


async def _server_error(request: Request, exc: Exception) -> Response:
    """The last resort (Starlette still logs the traceback): a plain 500 with the same headers."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-store"}
    return PlainTextResponse("Interner Fehler", status_code=500, headers=headers)


def create_app(output_dir: Path, context: WebContext | None = None) -> Starlette:
    """The application serving the published folder `output_dir` (a symlink swapped by publish)
    and, given a `context`, the dynamic routes (before the site: its mount matches every path)."""
    routes: list[BaseRoute] = []
    if context is not None:
        routes += dynamic_routes(context)
    routes.append(Mount("/", app=PublishedSite(output_dir), name="site"))
    middleware = [
        Middleware(ResponseHeaders),
        Middleware(
            GZipMiddleware,
            minimum_size=GZIP_MIN_BYTES,
            compresslevel=GZIP_LEVEL,
            exclude_content_types=tuple(NOT_COMPRESSED),
        ),
    ]
    proxies = proxy_entries(context.settings.trusted_proxies) if context is not None else []
    if proxies:  # first: every limit per client address sees the reader, not the proxy
        middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=proxies))
    return Starlette(
        routes=routes, middleware=middleware, exception_handlers={Exception: _server_error}
    )


def dynamic_routes(context: WebContext) -> list[BaseRoute]:
    """The routes of the editor area and the public forms. Each area's module is imported here,
    so that serving the static site alone loads none of them."""
    from aggregator.web.editor import editor_routes
    from aggregator.web.newsletter import newsletter_routes
    from aggregator.web.registration import registration_routes
    from aggregator.web.source_status import source_status_routes

    routes: list[BaseRoute] = []
    routes += editor_routes(context)
    routes += newsletter_routes(context)
    routes += registration_routes(context)
    routes += source_status_routes(context)
    return routes
