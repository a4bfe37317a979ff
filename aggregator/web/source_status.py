"""A forum's private status page, reachable by the secret link in its mails (German, no script).

    source_status_routes(context) -> list[Route]        registered in `app.dynamic_routes`

    GET  /quelle/{source_id}/{key}   last fetch, its HTTP status, items found in the last 30 days,
                                     the last error in plain words with a hint, a form to propose
                                     a new feed or news-page address
    POST /quelle/{source_id}/{key}   the proposal: URL safety first, then one try of the address
                                     (`probe.try_url`), then a pending 'change' registration for
                                     the editor (/redaktion/quellen); nothing changes before the
                                     editor approves

The key is `mail.tokens.source_status_key` (an HMAC of the id, nothing stored). A wrong key, or
an unknown source, gets exactly the answer of any unknown page of the site (its 404.html), so
the page does not tell which sources exist.
"""

from __future__ import annotations

import logging
import math
from dataclasses import replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from aggregator.errors import ConfigError
from aggregator.health import (
    SourceStats,
    error_text,
    feed_is_html,
    german_moment,
)
from aggregator.mail.addresses import InvalidAddressError, normalize_address
from aggregator.mail.tokens import STATUS_PATH, is_source_status_key
from aggregator.model import ScrapeRules, Source
from aggregator.onboarding_text import url_refusal as typed_url_refusal
from aggregator.probe import TryReport
from aggregator.store.health import SourceHealthStore
from aggregator.store.registrations import Registration, Registrations
from aggregator.web.context import WebContext
from aggregator.web.public_page import public_page
from aggregator.web.static import PublishedSite

log = logging.getLogger(__name__)

HONEYPOT = "website"
MAX_FORM_BYTES = 4096
MAX_URL = 2000
MAX_EMAIL = 254
PREVIEW_ITEMS = 5
HEADERS = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex, nofollow"}

# Why an address typed into the form is not fetched (checked before any request).
URL_EMPTY = "Bitte geben Sie die neue Adresse ein."
URL_TOO_LONG = "Die Adresse ist zu lang."
URL_UNCHANGED = "Das ist schon die Adresse, die wir lesen."
NO_ITEMS = "Unter der Adresse finden wir keine Beiträge. Bitte prüfen Sie die Adresse."
NO_CONTACT = "Bitte geben Sie eine E-Mail-Adresse an, unter der wir Sie erreichen."
TOO_LONG = "Die Eingabe ist zu lang."


def url_refusal(url: str, *, allow_private: bool = False) -> str | None:
    """Why a typed address is refused before anything is fetched (German), or None: the
    registration form's rules (`onboarding_text.url_refusal`), after the form's own limits."""
    if not url:
        return URL_EMPTY
    if len(url) > MAX_URL:
        return URL_TOO_LONG
    return typed_url_refusal(url, allow_private=allow_private)


def source_status_routes(context: WebContext) -> list[BaseRoute]:
    pages = StatusPages(context)
    path = STATUS_PATH + "/{source_id}/{key}"
    return [
        Route(path, pages.show, methods=["GET", "HEAD"]),
        Route(path, pages.propose, methods=["POST"]),
    ]


class StatusPages:
    def __init__(self, context: WebContext) -> None:
        self.context = context
        self.health = SourceHealthStore(context.engine)
        self.registrations = Registrations(context.engine)
        self.site = PublishedSite(context.settings.output_dir)
        self._secret: str | None = None

    # -- the page --------------------------------------------------------------------------

    async def show(self, request: Request) -> Response:
        source = await self._source(request)
        if source is None:
            return await self._not_found(request)
        return await self._status_page(request, source)

    async def propose(self, request: Request) -> Response:
        source = await self._source(request)
        if source is None:
            return await self._not_found(request)
        now = self.context.clock()
        key = f"quelle:{request.client.host if request.client else 'unknown'}"
        throttle = self.context.form_throttle
        if throttle.blocked(key, now):
            minutes = max(1, math.ceil(throttle.retry_after(key, now) / 60))
            return await self._status_page(
                request,
                source,
                status=429,
                error=f"Zu viele Vorschläge. Bitte in {minutes} Minuten erneut versuchen.",
            )
        throttle.hit(key, now)
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            return await self._status_page(request, source, status=413, error=TOO_LONG)
        form = await request.form(max_files=0, max_fields=10)
        values = {k: v.strip() for k, v in form.items() if isinstance(v, str)}
        url, contact = values.get("adresse", ""), values.get("kontakt", "")
        if values.get(HONEYPOT):
            return self._render("quelle_danke.html", source=source, contact="")  # a bot
        error = url_refusal(url, allow_private=self.context.settings.allow_private_urls)
        if error is None and url == source.url:
            error = URL_UNCHANGED
        if error is None and len(contact) > MAX_EMAIL:
            error = TOO_LONG
        if error:
            return await self._status_page(
                request, source, status=400, error=error, url=url[:MAX_URL], contact=contact[:254]
            )
        stats = (await run_in_threadpool(self.health.stats, [source], now))[0]
        try:
            reply_to = normalize_address(contact) if contact else stats.contact_email
        except InvalidAddressError as exc:
            return await self._status_page(
                request, source, status=400, error=exc.german, url=url, contact=contact
            )
        if not reply_to:
            return await self._status_page(
                request, source, status=400, error=NO_CONTACT, url=url, contact=contact
            )
        report = await self._try(url)
        refusal = _try_refusal(report)
        if refusal:
            return await self._status_page(
                request, source, status=422, error=refusal, url=url, contact=contact
            )
        await run_in_threadpool(self._create, source, report, url, reply_to)
        return self._render("quelle_danke.html", source=source, contact=reply_to)

    # -- parts -----------------------------------------------------------------------------

    async def _source(self, request: Request) -> Source | None:
        """The source the link names, when the key is genuine."""
        source_id = request.path_params["source_id"]
        key = request.path_params["key"]
        secret = await run_in_threadpool(self._mail_secret)
        if not is_source_status_key(secret, source_id, key):
            return None
        sources = await run_in_threadpool(self._sources)
        return next((s for s in sources if s.id == source_id), None)

    def _mail_secret(self) -> str:
        if self._secret is None:
            from aggregator.mail.newsletter import mail_secret

            self._secret = mail_secret(
                self.context.settings, self.context.engine, self.context.clock()
            )
        return self._secret

    def _sources(self) -> list[Source]:
        from aggregator.runtime import load_sources, registered_sources
        from aggregator.store.repository import Store

        store = Store(self.context.engine)
        try:
            return list(load_sources(self.context.settings, store).sources)
        except ConfigError:  # sources.yaml broken just now: the registered ones still answer
            return registered_sources(self.context.settings, store)

    async def _not_found(self, request: Request) -> Response:
        """What any unknown path of the site answers: the published 404 page."""
        try:
            return await self.site.get_response(request.url.path.lstrip("/"), request.scope)
        except HTTPException as exc:
            return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    async def _status_page(
        self,
        request: Request,
        source: Source,
        *,
        status: int = 200,
        error: str | None = None,
        url: str = "",
        contact: str = "",
    ) -> Response:
        now = self.context.clock()
        stats = (await run_in_threadpool(self.health.stats, [source], now))[0]
        proposals = await run_in_threadpool(self.registrations.pending_for, source.id)
        return self._render(
            "quelle.html",
            status=status,
            source=source,
            stats=stats,
            result=_result(stats),
            problem=error_text(stats.last_error) if stats.last_status == "failed" else None,
            failing_since=german_moment(stats.failing_since) if stats.failing_since else None,
            feed_is_html=source.kind == "feed"
            and feed_is_html(stats.last_error, stats.last_error_message),
            moved_to=stats.moved_to if stats.moved_to and stats.moved_to != source.url else None,
            last_fetch=german_moment(stats.last_fetched_at),
            last_success=german_moment(stats.last_success_at),
            newest=german_moment(stats.newest_published) if stats.newest_published else None,
            proposals=[_proposal(p) for p in proposals if p.kind == "change"],
            action=request.url.path,
            error=error,
            url=url,
            contact=contact,
        )

    def _render(self, name: str, status: int = 200, **values: Any) -> HTMLResponse:
        return public_page(
            name,
            now=self.context.clock(),
            section="quelle",
            description="Statusseite einer Quelle des Netzwerks Stadtforen.",
            status=status,
            headers=HEADERS,
            **values,
        )

    async def _try(self, url: str) -> TryReport:
        from aggregator.probe import try_url
        from aggregator.runtime import fetch_settings, scrape_settings

        settings = self.context.settings
        return await try_url(
            url,
            fetch_settings(settings),
            now=self.context.clock(),
            scrape=scrape_settings(settings),
            articles=PREVIEW_ITEMS,
        )

    def _create(self, source: Source, report: TryReport, url: str, contact: str) -> None:
        from aggregator.registry import source_entry

        changed = _with_url(source, url, report.kind)
        now = self.context.clock()
        for open_request in self.registrations.pending_for(source.id):
            if open_request.kind == "change" and open_request.definition == source_entry(changed):
                return  # proposed before and still waiting: once is enough
        self.registrations.create(
            kind="change",
            source_id=source.id,
            name=source.name,
            city=source.city,
            homepage=source.homepage,
            definition=source_entry(changed),
            contact_email=contact,
            description=None,
            preview=preview_of(report),
            confirm_hash=None,
            now=now,
            state="pending",
        )
        log.info("source %s: a new address was proposed on its status page", source.id)


def _with_url(source: Source, url: str, kind: str) -> Source:
    """The source reading `url`: as a feed, or as a news page (the page's items are found
    automatically: selectors written for the old page would not fit a new one)."""
    if kind == "feed":
        return replace(source, feed=url, scrape=None, feed_verified=True)
    return replace(source, feed=None, scrape=ScrapeRules(url=url))


def preview_of(report: TryReport) -> dict[str, Any]:
    """What the try found, as stored with the request (JSON) for the editor."""
    return {
        "kind": report.kind,
        "url": report.url,
        "items": [
            {
                "title": item.title,
                "url": item.url,
                "published": item.published.isoformat(),
                "dated": item.dated,
            }
            for item in report.preview(PREVIEW_ITEMS)
        ],
        "problems": [
            {"code": p.code, "text": p.text, "german": error_text(p.code)[0]}
            for p in report.problems
        ],
    }


def _try_refusal(report: TryReport) -> str | None:
    """Why a tried address cannot be proposed (German), or None."""
    if report.failed:
        code = report.problems[0].code if report.problems else None
        phrase, hint = error_text(code)
        return f"Diese Adresse konnten wir nicht lesen: {phrase}. {hint}"
    if not report.items:
        return NO_ITEMS
    return None


def _result(stats: SourceStats) -> str:
    code = stats.http_status
    http = f" (HTTP {code})" if code else ""
    if stats.last_status == "ok":
        return f"erfolgreich gelesen{http}"
    if stats.last_status == "not_modified":
        return f"erfolgreich, seit dem letzten Abruf unverändert{http}"
    if stats.last_status == "failed":
        return f"fehlgeschlagen{http}"
    return "noch nicht abgerufen"


def _proposal(registration: Registration) -> tuple[str, str]:
    definition = registration.definition
    scrape = definition.get("scrape")
    url = definition.get("feed") or (scrape.get("url") if isinstance(scrape, dict) else "") or ""
    return str(url), german_moment(registration.created_at)


__all__ = ["preview_of", "source_status_routes", "url_refusal"]
