"""The editor's digest pages under /redaktion/wochenschau/ (German, plain forms, no script).

    digest_routes(context, auth) -> list[Route]      appended by `editor.editor_routes`

    GET  /redaktion/wochenschau/                     the digests; a form to (re-)draft a week
    POST /redaktion/wochenschau/entwurf              draft_digest for the chosen week
    GET  /redaktion/wochenschau/{week}               the draft (read-only once approved)
    POST /redaktion/wochenschau/{week}/{action}      einleitung, gliederung, manuell, freigeben,
                                                     testmail
    POST /redaktion/wochenschau/{week}/eintrag/{id}/{action}
                                                     aufnehmen, verschieben, text, schlagwort,
                                                     abtrennen, zusammenfuehren
    GET  /redaktion/wochenschau/{week}/vorschau      the page as it will be published
    GET  /redaktion/wochenschau/{week}/vorschau/mail.html | mail.txt

Every edit form carries the digest's `version`; an edit naming an older one gets 409 and changes
nothing. After an edit the browser is sent (303) back to the entry's anchor. Tag and cluster
corrections (`store.curation.Curation`) change the stories for good; the draft is then
re-drafted from them at once, so the entry shows what the next crawl will keep.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import parseaddr
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from aggregator.digest import draft_digest
from aggregator.digest_mail import render_digest_mail
from aggregator.errors import StoreError
from aggregator.mail.messages import build_message, new_message_id
from aggregator.mail.smtp import MailError, SmtpConfig, SmtpConnection
from aggregator.model import Digest, DigestEntry
from aggregator.publish.digest import render_digest_pages
from aggregator.publish.german import german_datetime
from aggregator.store.curation import Curation
from aggregator.store.db import transaction
from aggregator.store.digests import MAX_BLURB, MAX_HEADLINE, DigestError, Digests, StaleDigest
from aggregator.store.editors import EditorSession
from aggregator.store.schema import ItemRow, SourceRow
from aggregator.tagging.topics import default_taxonomy
from aggregator.templating import area_templates
from aggregator.web.auth import EditorAuth
from aggregator.web.context import WebContext
from aggregator.weekly import draft_entries, parse_week, previous_week, week_label

log = logging.getLogger(__name__)

BASE = "/redaktion/wochenschau/"
MAX_CITY = 100
MAX_MEMBERS = 50  # items of one story listed for splitting
# The mail preview shows the mail's own inline styles, nothing else; never a script.
MAIL_PREVIEW_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'; sandbox allow-popups"
)

STALE = (
    "Jemand anderes hat diesen Entwurf inzwischen geändert – bitte neu laden; "
    "Ihre Änderung wurde nicht gespeichert."
)
APPROVED = "Diese Wochenschau ist freigegeben und kann nicht mehr geändert werden."
REASONS = {
    "not_found": "Diesen Eintrag gibt es nicht (mehr).",
    "approved": APPROVED,
    "too_long": "Der Text ist zu lang.",
    "empty": "Die Überschrift darf nicht leer sein.",
    "bad_url": "Die Adresse muss eine vollständige http(s)-Adresse sein.",
    "bad_grouping": "Bitte nach Thema oder nach Stadt gliedern.",
    "exists": "Diesen Entwurf gibt es schon.",
}
BAD_WEEK = "Bitte eine Kalenderwoche wie 2026-W48 angeben."
BAD_VERSION = "Das Formular war unvollständig. Bitte laden Sie die Seite neu."
TESTMAIL_SENT = "Die Testmail an {address} wurde gesendet."
TESTMAIL_FAILED = "Die Testmail konnte nicht gesendet werden. Der Mailserver meldet: {error}"
TESTMAIL_BAD_ADDRESS = "Bitte eine gültige E-Mail-Adresse angeben."
TESTMAIL_THROTTLED = "Zu viele Testmails. Bitte später noch einmal versuchen."

Endpoint = Callable[[Request, EditorSession], Awaitable[Response]]


class EditRefused(Exception):  # noqa: N818 (not an error of the program)
    """An edit that is not made: the German message and the status the page is shown with."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True, slots=True)
class Member:
    """An item of an entry's story, for splitting it off."""

    story_id: str  # "source_id:guid", as Curation names items
    title: str
    forum: str


def week_path(week: str) -> str:
    return f"{BASE}{week}"


def entry_anchor(entry_id: int) -> str:
    return f"eintrag-{entry_id}"


def digest_routes(context: WebContext, auth: EditorAuth) -> list[Route]:
    """The routes of the digest pages, each behind the editor login."""
    pages = DigestPages(context, auth)
    get, post = ("GET", "HEAD"), ("POST",)
    entry = BASE + "{week}/eintrag/{entry}/"
    return [
        auth.route(BASE, pages.index, get),
        auth.route(BASE + "entwurf", pages.draft, post),
        auth.route(BASE + "style.css", pages.site_file("style.css", "text/css"), get),
        auth.route(BASE + "favicon.svg", pages.site_file("favicon.svg", "image/svg+xml"), get),
        auth.route(BASE + "{week}", pages.show, get),
        auth.route(BASE + "{week}/vorschau", pages.preview, get),
        auth.route(BASE + "{week}/vorschau/mail.html", pages.mail_html, get),
        auth.route(BASE + "{week}/vorschau/mail.txt", pages.mail_text, get),
        auth.route(BASE + "{week}/einleitung", pages.edit(pages.intro), post),
        auth.route(BASE + "{week}/gliederung", pages.edit(pages.grouping), post),
        auth.route(BASE + "{week}/manuell", pages.edit(pages.manual), post),
        auth.route(BASE + "{week}/freigeben", pages.edit(pages.approve), post),
        auth.route(BASE + "{week}/testmail", pages.test_mail, post),
        auth.route(entry + "aufnehmen", pages.edit(pages.include), post),
        auth.route(entry + "verschieben", pages.edit(pages.move), post),
        auth.route(entry + "text", pages.edit(pages.texts), post),
        auth.route(entry + "schlagwort", pages.edit(pages.tag), post),
        auth.route(entry + "abtrennen", pages.edit(pages.split), post),
        auth.route(entry + "zusammenfuehren", pages.edit(pages.merge), post),
    ]


@dataclass(frozen=True, slots=True)
class Call:
    """One edit request: the digest as loaded, the version the form names, the form."""

    digest: Digest
    version: int
    form: Mapping[str, str]
    session: EditorSession
    now: datetime
    entry_id: str | None  # from the path, for the entry's actions

    @property
    def week(self) -> str:
        return self.digest.week

    @property
    def entry(self) -> DigestEntry:
        """The entry named in the path, which must belong to this digest."""
        for entry in self.digest.entries:
            if entry.id is not None and str(entry.id) == self.entry_id:
                return entry
        raise EditRefused(REASONS["not_found"], 404)


Edit = Callable[[Call], str]  # an edit; returns where to send the browser back to


class DigestPages:
    def __init__(self, context: WebContext, auth: EditorAuth) -> None:
        self.context = context
        self.auth = auth
        self.digests = Digests(context.engine)
        self.curation = Curation(context.engine)
        self.topic_labels = {t.key: t.label for t in default_taxonomy().topics}

    # -- reading pages ---------------------------------------------------------------------------

    async def index(self, request: Request, session: EditorSession) -> Response:
        return await self._index_page(request, session)

    async def _index_page(
        self, request: Request, session: EditorSession, error: str | None = None, status: int = 200
    ) -> Response:
        digests = await run_in_threadpool(self.digests.all)
        suggested = previous_week(self.context.clock())
        return self.auth.render(
            request,
            "digest_list.html",
            session,
            status,
            page_title="Wochenschau",
            digests=[(d, _label(d.week), _moment(d.approved_at)) for d in digests],
            suggested=suggested,
            suggested_label=_label(suggested),
            suggested_exists=any(d.week == suggested for d in digests),
            error=error,
            base=BASE,
        )

    async def show(self, request: Request, session: EditorSession) -> Response:
        return await self._draft_page(request, session, request.path_params["week"])

    async def _draft_page(
        self,
        request: Request,
        session: EditorSession,
        week: str,
        *,
        error: str | None = None,
        notice: str | None = None,
        status: int = 200,
        address: str = "",
    ) -> Response:
        digest = await run_in_threadpool(self.digests.get, week)
        if digest is None:
            return self._not_found(request, session)
        members = await run_in_threadpool(self._members, digest)
        if notice is None and request.query_params.get("testmail") == "gesendet":
            notice = TESTMAIL_SENT.format(address=request.query_params.get("an", "")[:254])
        return self.auth.render(
            request,
            "digest_draft.html",
            session,
            status,
            page_title=f"Wochenschau {_label(week)}",
            digest=digest,
            label=_label(week),
            path=week_path(week),
            approved_text=_moment(digest.approved_at),
            entries=digest.entries,
            others=[e for e in digest.entries if not e.manual],
            members=members,
            topic_labels=self.topic_labels,
            error=error,
            notice=notice,
            address=address,
            anchor=entry_anchor,
        )

    async def preview(self, request: Request, session: EditorSession) -> Response:
        digest = await self._digest_or_none(request)
        if digest is None:
            return self._not_found(request, session)
        now = self.context.clock()
        shown = replace(digest, status="approved", approved_at=digest.approved_at or now)
        pages = render_digest_pages(
            [shown],
            base_url=self.context.settings.base_url,
            now=now,
            topic_labels=self.topic_labels,
            common=_common(now),
        )
        _, html = next(pages)  # the issue page comes first
        text = html if isinstance(html, str) else html.decode()
        return Response(text, media_type="text/html; charset=utf-8")

    async def mail_html(self, request: Request, session: EditorSession) -> Response:
        digest = await self._digest_or_none(request)
        if digest is None:
            return self._not_found(request, session)
        mail = self._mail(digest)
        headers = {"Content-Security-Policy": MAIL_PREVIEW_CSP}
        return Response(mail.html, media_type="text/html; charset=utf-8", headers=headers)

    async def mail_text(self, request: Request, session: EditorSession) -> Response:
        digest = await self._digest_or_none(request)
        if digest is None:
            return self._not_found(request, session)
        return PlainTextResponse(self._mail(digest).text)

    def site_file(self, name: str, media_type: str) -> Endpoint:
        """The public site's stylesheet and icon, for the preview (its links are relative)."""
        body = (area_templates("site") / "static" / name).read_bytes()
        if media_type.startswith("text/"):
            media_type += "; charset=utf-8"

        async def send(request: Request, session: EditorSession) -> Response:
            return Response(body, media_type=media_type)

        return send

    # -- drafting --------------------------------------------------------------------------------

    async def draft(self, request: Request, session: EditorSession) -> Response:
        form = await _form(request)
        week = form.get("week", "").strip() or previous_week(self.context.clock())
        try:
            parse_week(week)
        except ValueError:
            return await self._index_page(request, session, BAD_WEEK, 400)
        now = self.context.clock()
        limit = self.context.settings.digest_max_entries
        try:
            await run_in_threadpool(
                lambda: draft_digest(self.digests, week, now, max_entries=limit)
            )
        except StaleDigest:
            return await self._index_page(request, session, STALE, 409)
        except DigestError as exc:
            return await self._index_page(request, session, _german(exc), 409)
        return _see(week_path(week))

    # -- edits -----------------------------------------------------------------------------------

    def edit(self, action: Edit) -> Endpoint:
        """An edit endpoint: the digest and the form's version are read, the action runs in a
        thread; a refusal shows the draft page with the message (409 for stale or approved)."""

        async def endpoint(request: Request, session: EditorSession) -> Response:
            week = request.path_params["week"]
            form = await _form(request)
            digest = await run_in_threadpool(self.digests.get, week)
            if digest is None:
                return self._not_found(request, session)
            try:
                version = int(form.get("version", ""))
            except ValueError:
                return await self._draft_page(request, session, week, error=BAD_VERSION, status=400)
            now = self.context.clock()
            try:
                call = Call(digest, version, form, session, now, request.path_params.get("entry"))
                target = await run_in_threadpool(action, call)
            except EditRefused as exc:
                return await self._draft_page(
                    request, session, week, error=exc.message, status=exc.status
                )
            except StaleDigest:
                return await self._draft_page(request, session, week, error=STALE, status=409)
            except DigestError as exc:
                status = 409 if exc.reason == "approved" else 400
                if exc.reason == "not_found":
                    status = 404
                return await self._draft_page(
                    request, session, week, error=_german(exc), status=status
                )
            return _see(target)

        return endpoint

    def intro(self, c: Call) -> str:
        self.digests.set_intro(
            c.week, c.form.get("intro", ""), expected_version=c.version, now=c.now
        )
        return week_path(c.week) + "#einleitung"

    def grouping(self, c: Call) -> str:
        self.digests.set_grouping(
            c.week, c.form.get("grouping", ""), expected_version=c.version, now=c.now
        )
        return week_path(c.week) + "#einleitung"

    def manual(self, c: Call) -> str:
        entry_id = self.digests.add_manual(
            c.week,
            c.form.get("title", ""),
            c.form.get("url", ""),
            c.form.get("text", ""),
            expected_version=c.version,
            now=c.now,
        )
        return _entry_target(c.week, entry_id)

    def approve(self, c: Call) -> str:
        self.digests.approve(c.week, c.session.editor_name, c.now, expected_version=c.version)
        hook = self.context.on_digest_approved
        if hook is not None:
            try:
                hook(c.week)
            except Exception:  # the approval stands; the run composition logs its own failures
                log.exception("after approving digest %s", c.week)
        return week_path(c.week)

    def include(self, c: Call) -> str:
        entry_id = _id(c.entry)
        included = c.form.get("included") == "1"
        self.digests.set_included(entry_id, included, expected_version=c.version, now=c.now)
        return _entry_target(c.week, entry_id)

    def move(self, c: Call) -> str:
        entry = c.entry
        step = {"hoch": -1, "runter": 1}.get(c.form.get("richtung", ""))
        if step is None:
            raise EditRefused("Bitte nach oben oder unten verschieben.", 400)
        index = c.digest.entries.index(entry)
        self.digests.move(_id(entry), index + step, expected_version=c.version, now=c.now)
        return _entry_target(c.week, entry.id)

    def texts(self, c: Call) -> str:
        """Headline and text; an empty field restores the story's own. Both are checked before
        either is saved; an unchanged field is not saved."""
        entry = c.entry
        headline = c.form.get("headline", "").strip() or None
        blurb = c.form.get("blurb", "").strip() or None
        if len(headline or "") > MAX_HEADLINE or len(blurb or "") > MAX_BLURB:
            raise EditRefused(
                f"Der Text ist zu lang: höchstens {MAX_HEADLINE} Zeichen für die Überschrift, "
                f"{MAX_BLURB} für den Text.",
                400,
            )
        self._check_version(c.digest, c.version)
        version = c.version
        changes = [
            (self.digests.set_headline, headline, entry.headline_override),
            (self.digests.set_blurb, blurb, entry.blurb_override),
        ]
        for setter, new, old in changes:
            if new != old:
                setter(_id(entry), new, expected_version=version, now=c.now)
                version += 1
        return _entry_target(c.week, entry.id)

    # -- corrections of the story (issue 12), then a re-draft -----------------------------------

    def tag(self, c: Call) -> str:
        entry = c.entry
        kind, value = c.form.get("kind", ""), c.form.get("value", "").strip()
        remove = c.form.get("aktion") == "entfernen"
        if kind not in ("topic", "city"):
            raise EditRefused("Nur Städte und Themen lassen sich korrigieren.", 400)
        if kind == "topic" and value not in self.topic_labels:
            raise EditRefused("Dieses Thema gibt es nicht.", 400)
        if kind == "city" and not 0 < len(value) <= MAX_CITY:
            raise EditRefused("Bitte einen Ortsnamen angeben (höchstens 100 Zeichen).", 400)
        self._check_version(c.digest, c.version)
        story = self._story_of(entry)
        self.curation.set_tag(story, "topic" if kind == "topic" else "city", value, removed=remove)
        self._redraft(c.week, c.version, c.now)
        return _entry_target(c.week, entry.id)

    def split(self, c: Call) -> str:
        entry = c.entry
        story = c.form.get("item", "")
        members = {m.story_id for m in self._members_of(entry)}
        if story not in members:
            raise EditRefused("Diese Meldung gehört nicht zu diesem Eintrag.", 400)
        if len(members) < 2:
            raise EditRefused("Diese Meldung steht schon allein.", 400)
        self._check_version(c.digest, c.version)
        self.curation.split(story)
        self._redraft(c.week, c.version, c.now)
        return _entry_target(c.week, entry.id)

    def merge(self, c: Call) -> str:
        """This entry's story joins the chosen entry's story; this entry leaves the draft."""
        entry = c.entry
        target = _entry_numbered(c.digest.entries, c.form.get("target_no"))
        if target is None or target.id == entry.id or target.manual or entry.manual:
            raise EditRefused("Bitte einen anderen Eintrag zum Zusammenführen wählen.", 400)
        self._check_version(c.digest, c.version)
        self.curation.merge(self._story_of(entry), self._story_of(target))
        self._redraft(c.week, c.version, c.now, drop=entry.id)
        return _entry_target(c.week, target.id)

    def _redraft(self, week: str, version: int, now: datetime, drop: int | None = None) -> None:
        """Draft `week` again from the corrected stories, keeping the editor's edits (as
        `draft_digest` does), without the entry `drop` (merged into another)."""
        current = self.digests.get(week)
        if current is None:
            raise DigestError("not_found", f"no digest for week {week}")
        kept = [e for e in current.entries if e.id != drop]
        entries = draft_entries(
            kept,
            self.digests.candidates(week),
            max_entries=self.context.settings.digest_max_entries,
        )
        self.digests.save_draft(week, entries, now, expected_version=version)

    def _check_version(self, digest: Digest, version: int) -> None:
        if digest.status == "approved":
            raise EditRefused(APPROVED, 409)
        if digest.version != version:
            raise StaleDigest(digest.week, version, digest.version)

    def _story_of(self, entry: DigestEntry) -> str:
        """The "source_id:guid" of the entry's item, as `Curation` names it."""
        with transaction(self.context.engine) as conn:
            row = conn.execute(
                select(ItemRow.source_id, ItemRow.guid).where(ItemRow.id == entry.item_id)
            ).first()
        if row is None:
            raise EditRefused("Die Meldung dieses Eintrags ist nicht mehr im Bestand.", 409)
        return f"{row.source_id}:{row.guid}"

    def _members(self, digest: Digest) -> dict[int, list[Member]]:
        """Each entry's items, read in one query for the whole draft (not one per entry)."""
        if digest.status == "approved":
            return {}
        stories = [e for e in digest.entries if not e.manual and e.cluster_key is not None]
        found = members_of_stories(self.context.engine, [str(e.cluster_key) for e in stories])
        return {_id(e): found.get(str(e.cluster_key), []) for e in stories}

    def _members_of(self, entry: DigestEntry) -> list[Member]:
        if entry.cluster_key is None:
            return []
        return cluster_members(self.context.engine, entry.cluster_key)

    # -- test mail -------------------------------------------------------------------------------

    async def test_mail(self, request: Request, session: EditorSession) -> Response:
        week = request.path_params["week"]
        form = await _form(request)
        address = form.get("address", "").strip()
        digest = await run_in_threadpool(self.digests.get, week)
        if digest is None:
            return self._not_found(request, session)
        if not _plausible_address(address):
            return await self._draft_page(
                request, session, week, error=TESTMAIL_BAD_ADDRESS, status=400, address=address
            )
        now = self.context.clock()
        throttle, key = self.context.form_throttle, f"testmail:{session.editor_name}"
        if throttle.blocked(key, now):
            return await self._draft_page(
                request, session, week, error=TESTMAIL_THROTTLED, status=429, address=address
            )
        throttle.hit(key, now)
        try:
            await run_in_threadpool(self._send_test, digest, address, now)
        except MailError as exc:
            error = TESTMAIL_FAILED.format(error=str(exc))
            return await self._draft_page(
                request, session, week, error=error, status=502, address=address
            )
        return _see(f"{week_path(week)}?testmail=gesendet&an={quote(address)}#testmail")

    def _send_test(self, digest: Digest, address: str, now: datetime) -> None:
        config = SmtpConfig.from_settings(self.context.settings)
        mail = self._mail(digest)
        mail = replace(mail, subject=f"[Testmail] {mail.subject}")
        message = build_message(
            mail,
            sender=config.sender,
            recipient=address,
            message_id=new_message_id(config.sender),
            date=now,
        )
        with SmtpConnection(config) as smtp:
            smtp.send(message, address)

    # -- helpers ---------------------------------------------------------------------------------

    def _mail(self, digest: Digest) -> Any:
        base = self.context.settings.base_url
        return render_digest_mail(
            digest,
            base,
            base.rstrip("/") + "/newsletter/abmelden/VORSCHAU",
            subject_template=self.context.settings.digest_subject,
            topic_labels=self.topic_labels,
        )

    async def _digest_or_none(self, request: Request) -> Digest | None:
        return await run_in_threadpool(self.digests.get, request.path_params["week"])

    def _not_found(self, request: Request, session: EditorSession) -> Response:
        return self.auth.render(
            request, "digest_missing.html", session, 404, page_title="Nicht gefunden", base=BASE
        )


KEYS_PER_QUERY = 500  # bound parameters per IN list (SQLite allows 32,766, keep it small)


def cluster_members(engine: Engine, cluster_key: str) -> list[Member]:
    """The items of one story, oldest first (at most MAX_MEMBERS)."""
    query = (
        select(ItemRow.source_id, ItemRow.guid, ItemRow.title, SourceRow.name)
        .join(SourceRow, SourceRow.id == ItemRow.source_id)
        .where(ItemRow.cluster_key == cluster_key)
        .order_by(ItemRow.first_seen_at, ItemRow.id)
        .limit(MAX_MEMBERS)
    )
    try:
        with transaction(engine) as conn:
            rows = conn.execute(query).all()
    except StoreError:
        return []
    return [Member(f"{r.source_id}:{r.guid}", r.title, r.name) for r in rows]


def members_of_stories(engine: Engine, cluster_keys: Sequence[str]) -> dict[str, list[Member]]:
    """The items of each of the stories `cluster_keys`, oldest first (at most MAX_MEMBERS each)."""
    found: dict[str, list[Member]] = {}
    try:
        with transaction(engine) as conn:
            for start in range(0, len(cluster_keys), KEYS_PER_QUERY):
                query = (
                    select(
                        ItemRow.cluster_key, ItemRow.source_id, ItemRow.guid, ItemRow.title,
                        SourceRow.name,
                    )
                    .join(SourceRow, SourceRow.id == ItemRow.source_id)
                    .where(ItemRow.cluster_key.in_(cluster_keys[start : start + KEYS_PER_QUERY]))
                    .order_by(ItemRow.first_seen_at, ItemRow.id)
                )  # fmt: skip
                for row in conn.execute(query):
                    story = found.setdefault(row.cluster_key, [])
                    if len(story) < MAX_MEMBERS:
                        story.append(Member(f"{row.source_id}:{row.guid}", row.title, row.name))
    except StoreError:
        return {}
    return found


def _id(entry: DigestEntry) -> int:
    if entry.id is None:  # entries loaded from the store always have one
        raise EditRefused(REASONS["not_found"], 404)
    return entry.id


def _entry_numbered(entries: Sequence[DigestEntry], number: object) -> DigestEntry | None:
    """The entry shown as number `number` (1, 2, …) on the draft page: a number, not a list of
    every other entry under each entry, keeps the page linear in the entries (200 entries: a
    choice list per entry made it 3.4 MB and 0.5 s)."""
    text = str(number or "").strip()
    if not text.isdigit() or not 1 <= int(text) <= len(entries):
        return None
    return entries[int(text) - 1]


def _entry_target(week: str, entry_id: int | None) -> str:
    return f"{week_path(week)}#{entry_anchor(entry_id or 0)}"


def _see(target: str) -> Response:
    return RedirectResponse(target, status_code=303)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _german(exc: DigestError) -> str:
    return REASONS.get(exc.reason, "Die Änderung wurde nicht gespeichert.")


def _label(week: str) -> str:
    number, year = week_label(week)
    return f"KW {number}/{year}"


def _moment(moment: datetime | None) -> str | None:
    return german_datetime(moment) if moment is not None else None


def _common(now: datetime) -> dict[str, object]:
    from aggregator import CONTACT_URL, NETWORK_NAME
    from aggregator.publish.german import iso_berlin

    return {
        "network": NETWORK_NAME,
        "network_url": CONTACT_URL,
        "built_iso": iso_berlin(now),
        "built_text": german_datetime(now),
        "latest_digest": None,
    }


def _plausible_address(address: str) -> bool:
    if not address or len(address) > 254 or any(c in address for c in "\r\n<>,; "):
        return False
    _, parsed = parseaddr(address)
    local, at, domain = parsed.partition("@")
    return parsed == address and bool(local) and bool(at) and "." in domain


__all__ = ["BASE", "STALE", "digest_routes"]
