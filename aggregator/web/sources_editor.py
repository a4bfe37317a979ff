"""The editor's sources page /redaktion/quellen/ (German, plain forms, no script).

    sources_routes(context, auth) -> list[Route]     appended by `editor.editor_routes`

    GET  /redaktion/quellen/                                  pending requests, every source
    POST /redaktion/quellen/anmeldung/{id}/freigeben          approve: the source is added (or
                                                              changed), the contact is mailed,
                                                              `context.on_source_added(id)`
    POST /redaktion/quellen/anmeldung/{id}/ablehnen           reject with a reason (mailed)
    POST /redaktion/quellen/anmeldung/{id}/bearbeiten         name, city, id, URL, interval
    POST /redaktion/quellen/quelle/{source_id}/aktivieren     registered sources only
    POST /redaktion/quellen/quelle/{source_id}/deaktivieren
    POST /redaktion/quellen/quelle/{source_id}/aendern        URL (checked and tried), interval

sources.yaml's sources are listed "aus sources.yaml" and offer no form: they change there.
After a change the browser is sent (303) back to the list with a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from starlette.background import BackgroundTasks
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from aggregator.errors import AggregatorError, ConfigError
from aggregator.mail.forum_mails import (
    approved_mail,
    change_approved_mail,
    change_rejected_mail,
    rejected_mail,
    send_forum_mail,
)
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.smtp import SmtpConfig
from aggregator.model import DigestMail, Source
from aggregator.onboarding import Decided, Onboarding, Preview, RegistrationRefused
from aggregator.onboarding_text import LIMITS
from aggregator.store.editors import EditorSession
from aggregator.store.registrations import Registration
from aggregator.store.registry import Registry, SourceRecord
from aggregator.web.auth import EditorAuth
from aggregator.web.context import WebContext

log = logging.getLogger(__name__)

BASE = "/redaktion/quellen/"
MAX_FORM_BYTES = 16 * 1024
NOTICES = {
    "freigegeben": "Die Anmeldung ist freigegeben; die Quelle wird jetzt gelesen.",
    "uebernommen": "Die Änderung ist übernommen.",
    "abgelehnt": "Die Anmeldung ist abgelehnt; das Forum bekommt eine E-Mail mit dem Grund.",
    "gespeichert": "Die Anmeldung ist geändert.",
    "aktiviert": "Die Quelle ist wieder aktiv.",
    "deaktiviert": "Die Quelle ist abgeschaltet; sie wird nicht mehr gelesen.",
    "geaendert": "Die Quelle ist geändert.",
}
TOO_LONG = "Die Eingabe ist zu lang."


def sources_routes(context: WebContext, auth: EditorAuth) -> list[Route]:
    """The routes of the sources page, each behind the editor login."""
    pages = SourcesPages(context, auth)
    post = ("POST",)
    request = BASE + "anmeldung/{registration}/"
    source = BASE + "quelle/{source_id}/"
    return [
        auth.route(BASE, pages.index, ("GET", "HEAD")),
        auth.route(request + "freigeben", pages.approve, post),
        auth.route(request + "ablehnen", pages.reject, post),
        auth.route(request + "bearbeiten", pages.edit, post),
        auth.route(source + "aktivieren", pages.enable, post),
        auth.route(source + "deaktivieren", pages.disable, post),
        auth.route(source + "aendern", pages.change, post),
    ]


class SourcesPages:
    def __init__(self, context: WebContext, auth: EditorAuth) -> None:
        self.context = context
        self.auth = auth
        secret = mail_secret(context.settings, context.engine, context.clock())
        self.onboarding = Onboarding(context.settings, context.engine, secret=secret)
        self.smtp = SmtpConfig.from_settings(context.settings)
        self.base_url = context.settings.base_url.rstrip("/")

    # -- the page --------------------------------------------------------------------------------

    async def index(self, request: Request, session: EditorSession) -> Response:
        notice = NOTICES.get(request.query_params.get("erledigt", ""))
        return await self._index(request, session, notice=notice)

    async def _index(
        self,
        request: Request,
        session: EditorSession,
        *,
        notice: str | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        pending, sources, records, problem = await run_in_threadpool(self._listing)
        return self.auth.render(
            request,
            "editor_sources.html",
            session,
            status,
            page_title="Quellen",
            base=BASE,
            pending=[(r, Preview.from_json(r.preview)) for r in pending],
            sources=sources,
            records=records,
            notice=notice,
            error=error,
            config_problem=problem,
            limits=LIMITS,
            cities=self.onboarding.cities,
        )

    def _listing(
        self,
    ) -> tuple[list[Registration], list[Source], Mapping[str, SourceRecord], str | None]:
        from aggregator.runtime import load_sources, registered_sources
        from aggregator.store.repository import Store

        store = Store(self.context.engine)
        problem = None
        try:
            sources = list(load_sources(self.context.settings, store).sources)
        except ConfigError as exc:
            problem = "; ".join(exc.problems)
            sources = registered_sources(self.context.settings, store)
        return self.onboarding.pending(), sources, Registry(self.context.engine).records(), problem

    # -- decisions on requests -------------------------------------------------------------------

    async def approve(self, request: Request, session: EditorSession) -> Response:
        registration_id = _registration_id(request)
        try:
            decided = await run_in_threadpool(
                lambda: self.onboarding.approve(
                    registration_id, editor=session.editor_name, now=self.context.clock()
                )
            )
        except RegistrationRefused as exc:
            return await self._index(request, session, error=exc.german, status=409)
        tasks = BackgroundTasks()
        mail = self._decision_mail(decided)
        if mail is not None:
            tasks.add_task(self._send, decided.registration.contact_email, mail)
        kind = decided.registration.kind
        if kind == "new" and decided.source is not None and self.context.on_source_added:
            tasks.add_task(self.context.on_source_added, decided.source.id)
        return self._done("freigegeben" if kind == "new" else "uebernommen", tasks)

    async def reject(self, request: Request, session: EditorSession) -> Response:
        registration_id = _registration_id(request)
        form = await _form(request)
        if form is None:
            return await self._index(request, session, error=TOO_LONG, status=413)
        try:
            decided = await run_in_threadpool(
                lambda: self.onboarding.reject(
                    registration_id,
                    editor=session.editor_name,
                    reason=form.get("grund", ""),
                    now=self.context.clock(),
                )
            )
        except RegistrationRefused as exc:
            return await self._index(request, session, error=exc.german, status=409)
        tasks = BackgroundTasks()
        mail = self._decision_mail(decided)
        if mail is not None:
            tasks.add_task(self._send, decided.registration.contact_email, mail)
        return self._done("abgelehnt", tasks)

    async def edit(self, request: Request, session: EditorSession) -> Response:
        form = await _form(request)
        if form is None:
            return await self._index(request, session, error=TOO_LONG, status=413)
        try:
            await self.onboarding.edit(_registration_id(request), form, now=self.context.clock())
        except RegistrationRefused as exc:
            return await self._index(request, session, error=exc.german, status=400)
        return self._done("gespeichert")

    # -- registered sources ----------------------------------------------------------------------

    async def enable(self, request: Request, session: EditorSession) -> Response:
        return await self._switch(request, session, True)

    async def disable(self, request: Request, session: EditorSession) -> Response:
        return await self._switch(request, session, False)

    async def _switch(self, request: Request, session: EditorSession, enabled: bool) -> Response:
        source_id = request.path_params["source_id"]
        try:
            await run_in_threadpool(self.onboarding.set_enabled, source_id, enabled)
        except RegistrationRefused as exc:
            return await self._index(request, session, error=exc.german, status=409)
        return self._done("aktiviert" if enabled else "deaktiviert")

    async def change(self, request: Request, session: EditorSession) -> Response:
        form = await _form(request)
        if form is None:
            return await self._index(request, session, error=TOO_LONG, status=413)
        source_id = request.path_params["source_id"]
        try:
            await self.onboarding.change_source(source_id, form, now=self.context.clock())
        except RegistrationRefused as exc:
            return await self._index(request, session, error=exc.german, status=400)
        return self._done("geaendert")

    # -- helpers ---------------------------------------------------------------------------------

    def _done(self, notice: str, tasks: BackgroundTasks | None = None) -> Response:
        return RedirectResponse(f"{BASE}?erledigt={notice}", status_code=303, background=tasks)

    def _decision_mail(self, decided: Decided) -> DigestMail | None:
        registration = decided.registration
        status_url = self.base_url + decided.status_path if decided.status_path else ""
        if registration.state == "approved" and decided.source is not None:
            url = decided.source.url or decided.source.homepage
            if registration.kind == "change":
                return change_approved_mail(registration.name, url, status_url)
            return approved_mail(registration.name, url, status_url)
        if registration.state == "rejected":
            reason = registration.reason or ""
            if registration.kind == "change":
                return change_rejected_mail(registration.name, reason, status_url)
            return rejected_mail(registration.name, reason)
        return None

    def _send(self, recipient: str, mail: DigestMail) -> None:
        try:
            send_forum_mail(self.smtp, recipient, mail, self.context.clock())
        except AggregatorError as exc:
            log.warning("mail to a forum's contact not sent: %s", exc)


def _registration_id(request: Request) -> int:
    text = request.path_params["registration"]
    return int(text) if text.isdigit() and len(text) < 18 else 0


async def _form(request: Request) -> dict[str, str] | None:
    """The posted form as text fields (already read by the guard's CSRF check), or None when
    it is too large."""
    if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
        return None
    form = await request.form(max_files=0, max_fields=20)
    return {key: value for key, value in form.items() if isinstance(value, str)}
