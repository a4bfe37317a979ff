"""Forums join the network: the registration service behind /mitmachen and /redaktion/quellen.

    forum                                         editor
    ─────                                         ──────
    preview(form)     check, URL safety, discovery or a try of the given URL: nothing stored;
                      the proposal travels to the next step sealed (HMAC, expiry)
    submit(sealed)    'unconfirmed' registration + a token for the confirmation mail
    confirm(token)    'pending': the editor sees it
                                                  approve(id)  Registry.add / .change + decided
                                                  reject(id, reason)
                                                  edit(id, …)  name, city, id, URL, interval
                                                  set_enabled / change_source (registered ones)
    purge_unconfirmed(engine, now)  the housekeeping job: requests nobody confirmed in 7 days
    propose(…) + add_now(source)    `aggregator sources add`: the same reading and checks,
                                    registered at once

A registration never overwrites anything: a URL or homepage that some source (sources.yaml's or
registered) already reads is refused, and ids are made unique. Mails are the web layer's job
(`mail.forum_mails`); this module returns what they need.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select

from aggregator.config import ID_PATTERN, MAX_INTERVAL_MINUTES
from aggregator.errors import AggregatorError, ConfigError
from aggregator.fetch import FetchSettings
from aggregator.fetch.politeness import ScrapeSettings
from aggregator.mail.addresses import InvalidAddressError, normalize_address
from aggregator.mail.tokens import new_confirm_token, source_status_path, token_hash
from aggregator.model import MIN_INTERVAL_MINUTES, Item, ScrapeRules, Source
from aggregator.onboarding_text import (
    ALREADY_KNOWN,
    ALREADY_REQUESTED,
    FEED_FOUND,
    LIMITS,
    NO_FEED_SCRAPE,
    NOTHING_FOUND,
    FormCheck,
    FormValues,
    check_form,
    official_city,
    problem_text,
    propose_id,
    unknown_city_text,
    url_refusal,
)
from aggregator.probe import PREVIEW_ITEMS, TryReport, discover, try_url
from aggregator.publish.german import german_date, iso_berlin
from aggregator.registry import entry_source, source_entry
from aggregator.settings import Settings
from aggregator.store.db import transaction
from aggregator.store.registrations import AlreadyDecidedError, Registration, Registrations
from aggregator.store.registry import NotRegisteredError, Registry, SourceExistsError
from aggregator.store.schema import SourceRow
from aggregator.tagging import tag_text
from aggregator.tagging.gazetteer import load_gazetteer
from aggregator.tagging.topics import default_taxonomy
from aggregator.urls import canonical_url

CONFIRM_VALID = timedelta(days=7)  # the confirmation link; unconfirmed requests go after it
SEAL_VALID = timedelta(hours=2)  # from the preview to "Anmeldung absenden"
# An unconfirmed request holds its site this long: a lost mail can be asked for again after it,
# a replayed form cannot mail the contact more often.
RESEND_AFTER = timedelta(minutes=10)
MAX_SEALED = 60_000  # characters of the sealed proposal a form may send back
MAX_REASON = 2000

NOT_PENDING = "Diese Anmeldung ist schon entschieden oder zurückgezogen."
NOT_FOUND = "Diese Anmeldung gibt es nicht."
SEAL_BROKEN = (
    "Das Formular war unvollständig oder verändert. Bitte füllen Sie die Anmeldung noch einmal aus."
)
SEAL_EXPIRED = "Die Vorschau ist abgelaufen. Bitte füllen Sie die Anmeldung noch einmal aus."
ID_TAKEN = "Die Kennung „{id}“ ist schon vergeben."
TAKEN = (
    "Die Kennung „{id}“ oder die Adresse {url} hat schon eine andere Quelle. Bitte bearbeiten "
    "Sie die Anmeldung vor dem Freigeben."
)
BAD_ID = "Die Kennung darf nur Kleinbuchstaben, Ziffern und Bindestriche enthalten (höchstens 48)."
BAD_INTERVAL = "Das Abrufintervall muss eine ganze Zahl von Minuten zwischen {low} und {high} sein."
CONFIG_SOURCE = "Diese Quelle steht in sources.yaml und wird nur dort geändert."
UNREADABLE = "Unter der neuen Adresse konnten wir nichts lesen: {problems}"
REASON_REQUIRED = "Bitte nennen Sie einen Grund; er geht an das Forum."


class RegistrationRefused(AggregatorError):  # noqa: N818 (not an error of the program)
    """A step that is not taken; `german` says why, for the page."""

    def __init__(self, german: str) -> None:
        super().__init__(german)
        self.german = german


@dataclass(frozen=True, slots=True)
class PreviewItem:
    title: str
    url: str
    date: str  # "24. November 2026", or "ohne Datum"
    date_iso: str | None
    cities: tuple[str, ...]
    topics: tuple[str, ...]  # German labels


@dataclass(frozen=True, slots=True)
class Preview:
    """What reading the forum's site gave: the five newest items, and every problem."""

    kind: str | None  # 'feed' | 'page'; None: nothing readable found
    url: str | None
    items: tuple[PreviewItem, ...] = ()
    notes: tuple[str, ...] = ()  # what we found, German
    problems: tuple[str, ...] = ()  # German

    @property
    def readable(self) -> bool:
        return self.kind is not None and bool(self.items)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Preview:
        if not isinstance(data, Mapping):
            return cls(None, None)
        try:
            items = tuple(
                PreviewItem(
                    str(i["title"]),
                    str(i["url"]),
                    str(i["date"]),
                    i.get("date_iso"),
                    tuple(i.get("cities") or ()),
                    tuple(i.get("topics") or ()),
                )
                for i in data.get("items") or ()
            )
            return cls(
                data.get("kind"),
                data.get("url"),
                items,
                tuple(str(n) for n in data.get("notes") or ()),
                tuple(str(p) for p in data.get("problems") or ()),
            )
        except (KeyError, TypeError):
            return cls(None, None)


@dataclass(frozen=True, slots=True)
class Proposal:
    """A checked request with its preview, as the forum sees it before confirming."""

    values: FormValues
    source_id: str
    definition: dict[str, Any]  # the sources.yaml-style entry
    preview: Preview


@dataclass(frozen=True, slots=True)
class PreviewOutcome:
    check: FormCheck
    proposal: Proposal | None = None
    refusal: str | None = None  # the whole request is refused (already in the network …)
    preview: Preview | None = None  # also when nothing readable was found


@dataclass(frozen=True, slots=True)
class Proposed:
    """What `Onboarding.propose` found: the source to add (a free id), or why not."""

    source: Source | None  # None: refused, or nothing readable (see preview.problems)
    preview: Preview | None
    refusal: str | None = None  # German: already in the network, an unsafe URL …


@dataclass(frozen=True, slots=True)
class Submitted:
    registration_id: int
    token: str  # for the confirmation link; only its hash is stored
    email: str
    name: str


@dataclass(frozen=True, slots=True)
class Decided:
    """An editor's decision, with what the contact's mail needs."""

    registration: Registration
    source: Source | None = None  # approved: the source as added or changed
    status_path: str | None = None  # "/quelle/<id>/<key>"


@dataclass(frozen=True, slots=True)
class Known:
    """Every source the network has, and the open requests: what a new request must not
    duplicate."""

    sources: Sequence[Source]
    ids: frozenset[str]  # every row of the sources table too (removed sources keep theirs)
    open_requests: Sequence[Registration] = field(default=())


def municipalities() -> list[str]:
    """The official names the form accepts and suggests (the gazetteer's municipalities)."""
    return sorted(load_gazetteer().cities)


class Onboarding:
    """The registration service on one database. `fetch` / `scrape` default to the settings'
    (tests inject a resolver through `fetch`)."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        secret: str,
        fetch: FetchSettings | None = None,
        scrape: ScrapeSettings | None = None,
    ) -> None:
        from aggregator.runtime import fetch_settings, scrape_settings

        self.settings = settings
        self.engine = engine
        self.secret = secret
        self.fetch = fetch or fetch_settings(settings)
        self.scrape = scrape or scrape_settings(settings)
        self.registry = Registry(engine)
        self.registrations = Registrations(engine)
        self.cities = municipalities()

    @property
    def allow_private(self) -> bool:
        return self.settings.allow_private_urls

    # -- the forum's side ------------------------------------------------------------------------

    async def preview(self, fields: Mapping[str, str], now: datetime) -> PreviewOutcome:
        """Check the form and read the site as the crawl would; store nothing."""
        check = self.check(fields)
        if check.values is None:
            return PreviewOutcome(check)
        values = check.values
        proposed = await self.propose(
            name=values.name, city=values.city, homepage=values.homepage, url=values.url, now=now
        )
        if proposed.source is None:
            return PreviewOutcome(check, refusal=proposed.refusal, preview=proposed.preview)
        assert proposed.preview is not None
        proposal = Proposal(
            values, proposed.source.id, source_entry(proposed.source), proposed.preview
        )
        return PreviewOutcome(check, proposal=proposal, preview=proposed.preview)

    async def propose(
        self, *, name: str, city: str | None, homepage: str, url: str | None, now: datetime
    ) -> Proposed:
        """The source to add for a site: URL safety first, then discovery on `homepage` (or a
        try of `url`), a free id, and no duplicate of any source or open request. Stores
        nothing. Shared by the form's preview and `aggregator sources add`."""
        for typed in (homepage, url):
            refusal = url_refusal(typed, allow_private=self.allow_private) if typed else None
            if refusal is not None:
                return Proposed(None, None, refusal)
        known = await asyncio.to_thread(self.known, now)
        refusal = duplicate_refusal([homepage, url], known)
        if refusal is not None:
            return Proposed(None, None, refusal)
        report, preview = await self._read(homepage, url, city, now)
        if report is None or not preview.readable:
            return Proposed(None, preview)
        refusal = duplicate_refusal([report.url], known)
        if refusal is not None:
            return Proposed(None, preview, refusal)
        source_id = propose_id(name, city, known.ids | _requested_ids(known))
        source = _source_for(source_id, name, city, homepage, report)
        try:  # the rules of sources.yaml
            checked = entry_source(source_entry(source), allow_private=self.allow_private)
        except ConfigError as exc:
            return Proposed(None, preview, "; ".join(exc.problems))
        return Proposed(checked, preview)

    def add_now(
        self,
        source: Source,
        *,
        now: datetime,
        contact_email: str | None = None,
        description: str | None = None,
    ) -> None:
        """Register `source` at once, with the checks of an approval (`aggregator sources
        add`); RegistrationRefused when its id or URL is taken."""
        self._check_not_taken(source, new=True)
        try:
            self.registry.add(source, now=now, contact_email=contact_email, description=description)
        except SourceExistsError:
            raise RegistrationRefused(TAKEN.format(id=source.id, url=source.url)) from None

    def check(self, fields: Mapping[str, str]) -> FormCheck:
        """The form's rules (`onboarding_text.check_form`) and a usable email address,
        normalized; nothing is fetched."""
        check = check_form(fields, cities=self.cities, allow_private=self.allow_private)
        if "email" in check.errors:
            return check
        try:
            email = normalize_address(fields.get("email") or "")
        except InvalidAddressError as exc:
            return replace(check, values=None, errors={**check.errors, "email": exc.german})
        if check.values is None:
            return check
        return replace(check, values=replace(check.values, email=email))

    async def _read(
        self, homepage: str, url: str | None, city: str | None, now: datetime
    ) -> tuple[TryReport | None, Preview]:
        if url is not None:
            report = await try_url(url, self.fetch, now=now, scrape=self.scrape)
            return report, self._preview(report, city, found_by_discovery=False)
        found = await discover(homepage, self.fetch, now=now, scrape=self.scrape)
        if found.best is not None:
            return found.best, self._preview(found.best, city, found_by_discovery=True)
        problems = [problem_text(p.code, url=homepage, english=p.text) for p in found.problems]
        if not problems:
            problems.append(NOTHING_FOUND)
        return None, Preview(None, None, problems=tuple(problems))

    def _preview(self, report: TryReport, city: str | None, *, found_by_discovery: bool) -> Preview:
        problems = tuple(
            problem_text(p.code, url=report.url, english=p.text) for p in report.problems
        )
        if report.failed or not report.items:
            return Preview(None, report.url, problems=problems or (NOTHING_FOUND,))
        notes: list[str] = []
        if report.kind == "page":
            notes.append(NO_FEED_SCRAPE.format(url=report.url))
        elif found_by_discovery:
            notes.append(FEED_FOUND.format(url=report.url))
        items = tuple(preview_item(item, city) for item in report.preview(PREVIEW_ITEMS))
        return Preview(report.kind, report.url, items, tuple(notes), problems)

    def known(self, now: datetime | None = None) -> Known:
        """What a new request must not duplicate. With `now`, unconfirmed requests older than
        RESEND_AFTER no longer hold their site or id (the forum may ask for a new link; should
        both be confirmed, approving the second is refused)."""
        from aggregator.runtime import load_sources, registered_sources
        from aggregator.store.repository import Store

        store = Store(self.engine)
        try:
            sources = list(load_sources(self.settings, store).sources)
        except ConfigError:  # a clash the operator must fix: the registered ones still count
            sources = registered_sources(self.settings, store)
        with transaction(self.engine) as conn:
            ids = frozenset(str(row[0]) for row in conn.execute(select(SourceRow.id)))
        open_requests = [
            request
            for request in self.registrations.listing(("unconfirmed", "pending"), limit=10_000)
            if now is None or request.state == "pending" or request.created_at > now - RESEND_AFTER
        ]
        return Known(sources, ids | {s.id for s in sources}, open_requests)

    def seal(self, proposal: Proposal, now: datetime) -> str:
        """The proposal for the hidden field of the preview page: JSON, base64, an HMAC."""
        payload = {
            "values": asdict(proposal.values),
            "source_id": proposal.source_id,
            "definition": proposal.definition,
            "preview": proposal.preview.to_json(),
            "expires": (now + SEAL_VALID).timestamp(),
        }
        body = base64.urlsafe_b64encode(
            json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        ).decode()
        return f"{body}.{self._mac(body)}"

    def unseal(self, sealed: str, now: datetime) -> Proposal:
        """The proposal a preview page sent back; RegistrationRefused if it was changed, is
        malformed or has expired."""
        body, _, mac = sealed.strip().rpartition(".")
        if not body or len(sealed) > MAX_SEALED or not hmac.compare_digest(mac, self._mac(body)):
            raise RegistrationRefused(SEAL_BROKEN)
        try:
            payload = json.loads(base64.urlsafe_b64decode(body.encode()))
            values = FormValues(**payload["values"])
            proposal = Proposal(
                values,
                str(payload["source_id"]),
                dict(payload["definition"]),
                Preview.from_json(payload["preview"]),
            )
            expires = float(payload["expires"])
        except (ValueError, KeyError, TypeError):
            raise RegistrationRefused(SEAL_BROKEN) from None
        if now.timestamp() > expires:
            raise RegistrationRefused(SEAL_EXPIRED)
        return proposal

    def _mac(self, body: str) -> str:
        digest = hmac.new(
            self.secret.encode(), f"mitmachen:{body}".encode(), hashlib.sha256
        ).digest()
        return base64.urlsafe_b64encode(digest).decode().rstrip("=")

    def submit(self, sealed: str, now: datetime) -> Submitted:
        """The forum confirmed its preview: an 'unconfirmed' request and its mail token. Checks
        again that nothing took the site or the id in the meantime."""
        proposal = self.unseal(sealed, now)
        known = self.known(now)
        source = entry_source(proposal.definition, allow_private=self.allow_private)
        if any(r.source_id == source.id or _same_site(r, source) for r in known.open_requests):
            raise RegistrationRefused(ALREADY_REQUESTED)
        refusal = duplicate_refusal([proposal.values.homepage, source.url], known)
        if refusal is not None:
            raise RegistrationRefused(refusal)
        if source.id in known.ids:
            source = replace(source, id=propose_id(source.name, source.city, known.ids))
        token = new_confirm_token()
        values = proposal.values
        registration_id = self.registrations.create(
            kind="new",
            source_id=source.id,
            name=values.name,
            city=values.city,
            homepage=values.homepage,
            definition=source_entry(source),
            contact_email=values.email,
            description=values.description,
            preview=proposal.preview.to_json(),
            confirm_hash=token_hash(token),
            now=now,
        )
        return Submitted(registration_id, token, values.email, values.name)

    def confirm(self, token: str, now: datetime) -> Registration | None:
        """The contact followed the mailed link: the request waits for the editor."""
        if len(token) > 64:
            return None
        return self.registrations.confirm(token_hash(token), now, CONFIRM_VALID)

    # -- the editor's side -----------------------------------------------------------------------

    def pending(self) -> list[Registration]:
        return self.registrations.listing(("pending",))

    def approve(self, registration_id: int, *, editor: str, now: datetime) -> Decided:
        """'new': the source is added to the registry; 'change': the registered source takes
        the proposed definition. Then the request is decided; RegistrationRefused otherwise."""
        registration = self._pending(registration_id)
        try:
            source = entry_source(registration.definition, allow_private=self.allow_private)
        except ConfigError as exc:
            raise RegistrationRefused("; ".join(exc.problems)) from None
        self._check_not_taken(source, new=registration.kind == "new")
        try:
            if registration.kind == "change":
                self.registry.change(source)
            else:
                self.registry.add(
                    source,
                    now=now,
                    contact_email=registration.contact_email,
                    description=registration.description,
                )
        except SourceExistsError:
            raise RegistrationRefused(TAKEN.format(id=source.id, url=source.url)) from None
        except NotRegisteredError:
            raise RegistrationRefused(CONFIG_SOURCE) from None
        try:
            self.registrations.decide(registration_id, "approved", editor=editor, now=now)
        except AlreadyDecidedError:
            raise RegistrationRefused(NOT_PENDING) from None
        decided = self.registrations.get(registration_id) or registration
        return Decided(decided, source, self.status_path(source.id))

    def reject(self, registration_id: int, *, editor: str, reason: str, now: datetime) -> Decided:
        reason = reason.strip()
        if not reason:
            raise RegistrationRefused(REASON_REQUIRED)
        if len(reason) > MAX_REASON:
            raise RegistrationRefused(f"Der Grund ist zu lang (höchstens {MAX_REASON} Zeichen).")
        registration = self._pending(registration_id)
        try:
            self.registrations.decide(
                registration_id, "rejected", editor=editor, now=now, reason=reason
            )
        except AlreadyDecidedError:
            raise RegistrationRefused(NOT_PENDING) from None
        decided = self.registrations.get(registration_id) or registration
        path = self.status_path(decided.source_id) if decided.kind == "change" else None
        return Decided(decided, None, path)

    async def edit(
        self, registration_id: int, fields: Mapping[str, str], *, now: datetime
    ) -> Registration:
        """The editor's corrections of a pending request: name, city, id, URL, interval. A new
        URL is checked (URL safety) and tried; it decides whether the source is a feed or a
        page."""
        registration = await asyncio.to_thread(self._pending, registration_id)
        entry = dict(registration.definition)
        name = _field(fields, "name", LIMITS["name"]) or registration.name
        city_text = _field(fields, "city", LIMITS["city"])
        city = registration.city
        if city_text:
            city = official_city(city_text, self.cities)
            if city is None:
                raise RegistrationRefused(unknown_city_text(city_text, self.cities))
        new_id = _field(fields, "source_id", 64) or registration.source_id
        if new_id != registration.source_id:
            await asyncio.to_thread(self._check_free_id, new_id, registration.kind)
        entry.update(id=new_id, name=name)
        if city:
            entry["city"] = city
        entry = _with_interval(entry, _field(fields, "interval", 6))
        url = _field(fields, "url", LIMITS["url"])
        current = entry_source(registration.definition, allow_private=True)
        if url and url != current.url:
            report = await self._tried(url, now)
            entry = _with_url(entry, report)
        source = self._valid(entry)
        await asyncio.to_thread(
            self.registrations.edit,
            registration_id,
            source_id=source.id,
            name=source.name,
            city=source.city,
            homepage=source.homepage,
            definition=source_entry(source),
        )
        edited = await asyncio.to_thread(self.registrations.get, registration_id)
        assert edited is not None
        return edited

    def set_enabled(self, source_id: str, enabled: bool) -> Source:
        source = self._registered(source_id)
        changed = replace(source, enabled=enabled)
        self.registry.change(changed)
        return changed

    async def change_source(
        self, source_id: str, fields: Mapping[str, str], *, now: datetime
    ) -> Source:
        """A registered source's new URL (checked and tried first) or interval."""
        source = await asyncio.to_thread(self._registered, source_id)
        entry = _with_interval(source_entry(source), _field(fields, "interval", 6))
        url = _field(fields, "url", LIMITS["url"])
        if url and url != source.url:
            entry = _with_url(entry, await self._tried(url, now))
        changed = self._valid(entry)
        await asyncio.to_thread(self._check_not_taken, changed, new=False)
        try:
            await asyncio.to_thread(self.registry.change, changed)
        except SourceExistsError:
            raise RegistrationRefused(TAKEN.format(id=changed.id, url=changed.url)) from None
        return changed

    def status_path(self, source_id: str) -> str:
        return source_status_path(self.secret, source_id)

    async def _tried(self, url: str, now: datetime) -> TryReport:
        refusal = url_refusal(url, allow_private=self.allow_private)
        if refusal is not None:
            raise RegistrationRefused(refusal)
        report = await try_url(url, self.fetch, now=now, scrape=self.scrape)
        if report.failed or not report.items:
            said = " ".join(problem_text(p.code, url=url, english=p.text) for p in report.problems)
            raise RegistrationRefused(UNREADABLE.format(problems=said or NOTHING_FOUND))
        return report

    def _valid(self, entry: dict[str, Any]) -> Source:
        try:
            return entry_source(entry, allow_private=self.allow_private)
        except ConfigError as exc:
            raise RegistrationRefused("; ".join(exc.problems)) from None

    def _check_not_taken(self, source: Source, *, new: bool) -> None:
        """Refuse a source whose id (when `new`) or URL another source has, sources.yaml's
        included (a clash with sources.yaml would stop every crawl: `registry.merge`)."""
        for other in self.known().sources:
            if other.id == source.id:
                if new:
                    raise RegistrationRefused(TAKEN.format(id=source.id, url=source.url))
                continue
            if source.url and _site_key(other.url) == _site_key(source.url):
                raise RegistrationRefused(TAKEN.format(id=source.id, url=source.url))

    def _check_free_id(self, source_id: str, kind: str) -> None:
        if len(source_id) > 48 or not ID_PATTERN.fullmatch(source_id):
            raise RegistrationRefused(BAD_ID)
        if kind == "change":
            raise RegistrationRefused("Die Kennung einer bestehenden Quelle bleibt, wie sie ist.")
        known = self.known()
        if source_id in known.ids or source_id in _requested_ids(known):
            raise RegistrationRefused(ID_TAKEN.format(id=source_id))

    def _pending(self, registration_id: int) -> Registration:
        registration = self.registrations.get(registration_id)
        if registration is None:
            raise RegistrationRefused(NOT_FOUND)
        if registration.state != "pending":
            raise RegistrationRefused(NOT_PENDING)
        return registration

    def _registered(self, source_id: str) -> Source:
        for entry in self.registry.entries():
            if entry.get("id") == source_id:
                return self._valid(entry)
        raise RegistrationRefused(CONFIG_SOURCE)


def purge_unconfirmed(engine: Engine, now: datetime) -> int:
    """Forget registrations nobody confirmed within CONFIRM_VALID (the daily housekeeping)."""
    return Registrations(engine).purge_unconfirmed(now - CONFIRM_VALID)


def preview_item(item: Item, city: str | None) -> PreviewItem:
    """One item as the preview shows it: German date, the cities and topics it is tagged with."""
    tags = tag_text(item.title, item.excerpt, source_city=city)
    labels = {topic.key: topic.label for topic in default_taxonomy().topics}
    cities = tuple(dict.fromkeys(t.value for t in tags if t.kind == "city"))
    topics = tuple(labels.get(t.value, t.value) for t in tags if t.kind == "topic")
    return PreviewItem(
        title=item.title,
        url=item.url,
        date=german_date(item.published) if item.dated else "ohne Datum",
        date_iso=iso_berlin(item.published) if item.dated else None,
        cities=cities,
        topics=topics,
    )


def duplicate_refusal(urls: Sequence[str | None], known: Known) -> str | None:
    """ALREADY_KNOWN (German) when one of `urls` is some source's homepage, feed or news page,
    or ALREADY_REQUESTED when an open request names it."""
    wanted = {_site_key(url) for url in urls if url}
    for source in known.sources:
        if wanted & {_site_key(source.homepage), _site_key(source.url)}:
            return ALREADY_KNOWN.format(name=source.name)
    for request in known.open_requests:
        mine = {_site_key(request.homepage), _site_key(_definition_url(request.definition))}
        if wanted & mine:
            return ALREADY_REQUESTED
    return None


def _same_site(request: Registration, source: Source) -> bool:
    theirs = {_site_key(request.homepage), _site_key(_definition_url(request.definition))}
    ours = {_site_key(source.homepage), _site_key(source.url)}
    return bool((theirs & ours) - {""})


def _site_key(url: str | None) -> str:
    """URLs compared as the registry compares them, a trailing slash aside."""
    if not url:
        return ""
    try:
        return canonical_url(url).rstrip("/")
    except ValueError:
        return url


def _definition_url(definition: Mapping[str, Any]) -> str | None:
    scrape = definition.get("scrape")
    if isinstance(scrape, Mapping):
        return str(scrape.get("url") or "") or None
    feed = definition.get("feed")
    return str(feed) if feed else None


def _requested_ids(known: Known) -> set[str]:
    return {request.source_id for request in known.open_requests}


def _source_for(
    source_id: str, name: str, city: str | None, homepage: str, report: TryReport
) -> Source:
    if report.kind == "page":
        return Source(source_id, name, city, homepage, None, scrape=ScrapeRules(url=report.url))
    return Source(source_id, name, city, homepage, report.url)


def _with_url(entry: dict[str, Any], report: TryReport) -> dict[str, Any]:
    """The entry reading `report`'s URL as what it turned out to be (feed or news page)."""
    entry = {key: value for key, value in entry.items() if key not in ("feed", "scrape")}
    entry.pop("feed_verified", None)
    if report.kind == "page":
        entry["scrape"] = {"url": report.url}
    else:
        entry["feed"] = report.url
    return entry


def _with_interval(entry: dict[str, Any], text: str) -> dict[str, Any]:
    if not text:
        return entry
    if not text.isdigit() or not MIN_INTERVAL_MINUTES <= int(text) <= MAX_INTERVAL_MINUTES:
        raise RegistrationRefused(
            BAD_INTERVAL.format(low=MIN_INTERVAL_MINUTES, high=MAX_INTERVAL_MINUTES)
        )
    return {**entry, "interval": int(text)}


def _field(fields: Mapping[str, str], key: str, limit: int) -> str:
    value = (fields.get(key) or "").strip()
    if len(value) > limit:
        raise RegistrationRefused(f"Bitte höchstens {limit} Zeichen.")
    return value


__all__ = [
    "CONFIRM_VALID",
    "Decided",
    "Onboarding",
    "Preview",
    "PreviewItem",
    "PreviewOutcome",
    "Proposal",
    "Proposed",
    "RegistrationRefused",
    "Submitted",
    "duplicate_refusal",
    "municipalities",
    "preview_item",
    "purge_unconfirmed",
]
