"""The public newsletter pages: sign-up, confirmation, unsubscribe (German).

    GET  /newsletter                      the form
    POST /newsletter                      sign up: honeypot, a limit per client address, the
                                          same answer whether or not the address was known
    GET  /newsletter/bestaetigen/{token}  a button that confirms (link scanners only GET)
    POST /newsletter/bestaetigen/{token}  confirm
    GET  /newsletter/abmelden/{token}     a button that unsubscribes
    POST /newsletter/abmelden/{token}     unsubscribe: the button, or a mail client's one-click
                                          POST with `List-Unsubscribe=One-Click` (RFC 8058)

The confirmation mail goes out after the answer (a background task), so that the answer's
timing does not tell whether a mail was sent. No script and no inline style on these pages.
"""

from __future__ import annotations

import logging
import math
from typing import Any

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.errors import AggregatorError
from aggregator.mail.addresses import InvalidAddressError
from aggregator.mail.delivery import send_confirmation
from aggregator.mail.newsletter import Newsletter, mail_secret
from aggregator.mail.smtp import SmtpConfig
from aggregator.web.context import WebContext
from aggregator.web.public_page import public_page

log = logging.getLogger(__name__)

HONEYPOT = "website"  # a field people do not see (hidden) and bots fill in
MAX_FORM_BYTES = 4096
NO_STORE = {"Cache-Control": "no-store"}


def newsletter_routes(context: WebContext) -> list[BaseRoute]:
    pages = NewsletterPages(context)
    return [
        Route("/newsletter", pages.form, methods=["GET", "HEAD"]),
        Route("/newsletter", pages.sign_up, methods=["POST"]),
        Route("/newsletter/bestaetigen/{token}", pages.confirm_page, methods=["GET", "HEAD"]),
        Route("/newsletter/bestaetigen/{token}", pages.confirm, methods=["POST"]),
        Route("/newsletter/abmelden/{token}", pages.unsubscribe_page, methods=["GET", "HEAD"]),
        Route("/newsletter/abmelden/{token}", pages.unsubscribe, methods=["POST"]),
    ]


class NewsletterPages:
    def __init__(self, context: WebContext) -> None:
        self.context = context
        self.newsletter = Newsletter(
            context.engine,
            base_url=context.settings.base_url,
            secret=mail_secret(context.settings, context.engine, context.clock()),
        )
        self.smtp = SmtpConfig.from_settings(context.settings)

    def _page(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return public_page(
            name,
            now=self.context.clock(),
            section="newsletter",
            description="Die Stadtforen-Wochenschau: jede Woche die Nachrichten der "
            "Stadtforen per E-Mail.",
            status=status,
            **values,
        )

    async def form(self, request: Request) -> Response:
        return self._page("newsletter.html", email="", error=None)

    async def sign_up(self, request: Request) -> Response:
        now = self.context.clock()
        client = request.client.host if request.client else "unknown"
        key = f"newsletter:{client}"
        throttle = self.context.form_throttle
        if throttle.blocked(key, now):
            minutes = max(1, math.ceil(throttle.retry_after(key, now) / 60))
            return self._page("newsletter_throttled.html", status=429, minutes=minutes)
        throttle.hit(key, now)
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return self._page(
                "newsletter.html", status=413, email="", error="Die Eingabe ist zu lang."
            )
        form = await request.form(max_files=0, max_fields=10)
        raw = form.get("email")
        address = raw if isinstance(raw, str) else ""
        if form.get(HONEYPOT):
            return self._page("newsletter_sent.html")  # a bot: the same answer, nothing done
        try:
            result = await run_in_threadpool(self.newsletter.subscribe, address, now)
        except InvalidAddressError as exc:
            return self._page("newsletter.html", status=400, email=address[:254], error=exc.german)
        task = None
        if result.confirm_url is not None:
            task = BackgroundTask(self._send_confirmation, result.email, result.confirm_url)
        response = self._page("newsletter_sent.html")
        response.background = task
        return response

    def _send_confirmation(self, email: str, confirm_url: str) -> None:
        try:
            send_confirmation(self.smtp, email, confirm_url, self.context.clock())
        except AggregatorError as exc:
            log.warning("confirmation mail not sent: %s", exc)

    async def confirm_page(self, request: Request) -> Response:
        return self._page("newsletter_confirm.html", action=request.url.path)

    async def confirm(self, request: Request) -> Response:
        token = request.path_params["token"]
        done = await run_in_threadpool(self.newsletter.confirm, token, self.context.clock())
        if not done:
            return self._page("newsletter_invalid.html", status=404, what="confirm")
        return self._page("newsletter_confirmed.html")

    async def unsubscribe_page(self, request: Request) -> Response:
        if not self.newsletter.token_is_genuine(request.path_params["token"]):
            return self._page("newsletter_invalid.html", status=404, what="unsubscribe")
        return self._page("newsletter_unsubscribe.html", action=request.url.path)

    async def unsubscribe(self, request: Request) -> Response:
        """The button and the one-click POST (RFC 8058) alike: the token is the authority, and
        a second click says the same as the first."""
        token = request.path_params["token"]
        if not self.newsletter.token_is_genuine(token):
            return self._page("newsletter_invalid.html", status=404, what="unsubscribe")
        await run_in_threadpool(self.newsletter.unsubscribe, token)
        return self._page("newsletter_unsubscribed.html")
