"""The public registration of a forum: /mitmachen (German, no script, no inline style).

    GET  /mitmachen                       the form
    POST /mitmachen                       check, read the site, show the preview (nothing stored);
                                          the proposal goes into a sealed hidden field
    POST /mitmachen/aendern               back to the form, filled in as it was
    POST /mitmachen/absenden              the forum confirms its preview: the request is stored
                                          'unconfirmed', a mail with the confirmation link goes out
    GET  /mitmachen/bestaetigen/{token}   a button (link scanners only GET)
    POST /mitmachen/bestaetigen/{token}   confirm: the request waits for the editor

Reading a site and sending a mail count against `context.form_throttle` per client address;
a filled honeypot gets the answer a person would, and nothing is done.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.errors import AggregatorError
from aggregator.mail.forum_mails import registration_confirm_mail, send_forum_mail
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.smtp import SmtpConfig
from aggregator.onboarding import CONFIRM_VALID, Onboarding, RegistrationRefused
from aggregator.onboarding_text import FIELDS, LIMITS
from aggregator.web.context import WebContext
from aggregator.web.public_page import public_page

log = logging.getLogger(__name__)

BASE = "/mitmachen"
CONFIRM_PATH = "/mitmachen/bestaetigen/"
HONEYPOT = "website"
MAX_FORM_BYTES = 32 * 1024
MAX_SEALED_BYTES = 256 * 1024
MAX_FIELDS = 20
URLENCODED = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store"}
TOO_LONG = "Die Eingabe ist zu lang."
NOT_READABLE = (
    "Wir konnten auf Ihrer Website nichts lesen, was wir übernehmen könnten. Die Gründe stehen "
    "unten; bitte prüfen Sie die Adressen."
)


def registration_routes(context: WebContext) -> list[BaseRoute]:
    pages = RegistrationPages(context)
    return [
        Route(BASE, pages.form, methods=["GET", "HEAD"]),
        Route(BASE, pages.preview, methods=["POST"]),
        Route(BASE + "/aendern", pages.change, methods=["POST"]),
        Route(BASE + "/absenden", pages.submit, methods=["POST"]),
        Route(CONFIRM_PATH + "{token}", pages.confirm_page, methods=["GET", "HEAD"]),
        Route(CONFIRM_PATH + "{token}", pages.confirm, methods=["POST"]),
    ]


class RegistrationPages:
    def __init__(self, context: WebContext) -> None:
        self.context = context
        secret = mail_secret(context.settings, context.engine, context.clock())
        self.onboarding = Onboarding(context.settings, context.engine, secret=secret)
        self.smtp = SmtpConfig.from_settings(context.settings)
        base = context.settings.base_url
        self.base_url = base.rstrip("/")

    def _page(self, template: str, status: int = 200, **values: Any) -> HTMLResponse:
        return public_page(
            template,
            now=self.context.clock(),
            section="mitmachen",
            description="Stadtforen und Bürgerinitiativen melden ihre Website beim "
            "Nachrichtenportal des Netzwerks an.",
            status=status,
            limits=LIMITS,
            **values,
        )

    def _form_page(
        self,
        status: int = 200,
        *,
        values: Mapping[str, str] | None = None,
        errors: Mapping[str, str] | None = None,
        error: str | None = None,
        problems: tuple[str, ...] = (),
    ) -> HTMLResponse:
        shown = {key: (values or {}).get(key, "")[: LIMITS.get(key, 10)] for key in FIELDS}
        return self._page(
            "mitmachen.html",
            status,
            values=shown,
            errors=errors or {},
            error=error,
            problems=problems,
            cities=self.onboarding.cities,
        )

    def _throttled(self, request: Request) -> HTMLResponse | None:
        """The answer when this address asked too often; otherwise counts this request."""
        now = self.context.clock()
        key = f"mitmachen:{request.client.host if request.client else 'unknown'}"
        throttle = self.context.form_throttle
        if throttle.blocked(key, now):
            minutes = max(1, math.ceil(throttle.retry_after(key, now) / 60))
            return self._page("mitmachen_throttled.html", status=429, minutes=minutes)
        throttle.hit(key, now)
        return None

    async def form(self, request: Request) -> Response:
        return self._form_page()

    async def change(self, request: Request) -> Response:
        form = await read_small_form(request, MAX_FORM_BYTES)
        if form is None:
            return self._form_page(413, error=TOO_LONG)
        return self._form_page(values=_fields(form))

    async def preview(self, request: Request) -> Response:
        form = await read_small_form(request, MAX_FORM_BYTES)
        if form is None:
            return self._form_page(413, error=TOO_LONG)
        fields = _fields(form)
        if form.get(HONEYPOT):
            return self._page("mitmachen_sent.html", email="")  # a bot: nothing is read
        check = self.onboarding.check(fields)
        if check.errors:  # cheap mistakes do not count against the limit
            return self._form_page(400, values=fields, errors=check.errors)
        throttled = self._throttled(request)
        if throttled is not None:
            return throttled
        outcome = await self.onboarding.preview(fields, self.context.clock())
        if outcome.check.errors:
            return self._form_page(400, values=fields, errors=outcome.check.errors)
        if outcome.refusal is not None:
            return self._form_page(409, values=fields, error=outcome.refusal)
        if outcome.proposal is None:
            problems = outcome.preview.problems if outcome.preview else ()
            return self._form_page(422, values=fields, error=NOT_READABLE, problems=problems)
        proposal = outcome.proposal
        return self._page(
            "mitmachen_preview.html",
            proposal=proposal,
            preview=proposal.preview,
            sealed=self.onboarding.seal(proposal, self.context.clock()),
            values=fields,
        )

    async def submit(self, request: Request) -> Response:
        form = await read_small_form(request, MAX_SEALED_BYTES)
        if form is None:
            return self._form_page(413, error=TOO_LONG)
        if form.get(HONEYPOT):
            return self._page("mitmachen_sent.html", email="")
        throttled = self._throttled(request)
        if throttled is not None:
            return throttled
        now = self.context.clock()
        try:
            submitted = await run_in_threadpool(self.onboarding.submit, form.get("antrag", ""), now)
        except RegistrationRefused as exc:
            return self._form_page(409, values=_fields(form), error=exc.german)
        url = f"{self.base_url}{CONFIRM_PATH}{submitted.token}"
        response = self._page("mitmachen_sent.html", email=submitted.email)
        response.background = BackgroundTask(
            self._send_confirmation, submitted.email, submitted.name, url
        )
        return response

    def _send_confirmation(self, email: str, name: str, url: str) -> None:
        mail = registration_confirm_mail(name, url, days_valid=CONFIRM_VALID.days)
        try:
            send_forum_mail(self.smtp, email, mail, self.context.clock())
        except AggregatorError as exc:
            log.warning("registration confirmation mail not sent: %s", exc)

    async def confirm_page(self, request: Request) -> Response:
        return self._page("mitmachen_confirm.html", action=request.url.path)

    async def confirm(self, request: Request) -> Response:
        token = request.path_params["token"]
        done = await run_in_threadpool(self.onboarding.confirm, token, self.context.clock())
        if done is None:
            return self._page("mitmachen_invalid.html", status=404)
        return self._page("mitmachen_confirmed.html", name=done.name)


async def read_small_form(request: Request, limit: int) -> dict[str, str] | None:
    """The posted urlencoded form as text fields, or None when its body is larger than `limit`
    bytes (read no further than that, whatever Content-Length says) or has too many fields."""
    if int(request.headers.get("content-length") or 0) > limit:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    if request.headers.get("content-type", "").split(";")[0].strip() != URLENCODED:
        return {}
    try:
        pairs = parse_qsl(
            body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=MAX_FIELDS
        )
    except ValueError:
        return None
    return dict(pairs)


def _fields(form: Mapping[str, str]) -> dict[str, str]:
    """The form's known fields (cut to a little over their limits)."""
    return {key: form.get(key, "")[: LIMITS.get(key, 10) + 1] for key in FIELDS}
