"""The editor's health page /redaktion/zustand (German, no script).

    health_routes(context, auth) -> list[Route]        appended by `editor.editor_routes`

    GET  /redaktion/zustand                           every source: last success, last error,
                                                      failures, items per month, feed or news
                                                      page, time since the newest item, flags;
                                                      the items held back per source
    POST /redaktion/zustand/{source_id}/freigeben     release a source's held items

Released items appear with the next publish (the publisher sees the number of shown items
change, see `Stories.latest_change`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from aggregator.errors import ConfigError
from aggregator.health import (
    SourceHealth,
    assess,
    error_text,
    flag_text,
    german_age,
    german_moment,
)
from aggregator.mail.newsletter import mail_secret
from aggregator.mail.tokens import source_status_path
from aggregator.model import Source
from aggregator.store.editors import EditorSession
from aggregator.store.health import HeldItem, SourceHealthStore
from aggregator.web.auth import EditorAuth
from aggregator.web.context import WebContext

PATH = "/redaktion/zustand"
HELD_SHOWN = 20  # held items listed per source (the release covers all of them)
CONFIG_BROKEN = (
    "sources.yaml ist gerade nicht lesbar; gezeigt werden nur die registrierten Quellen. "
    "Fehler: {error}"
)


@dataclass(frozen=True, slots=True)
class Row:
    """One source as the table shows it (German texts ready)."""

    health: SourceHealth
    kind: str
    last_success: str
    last_error: str | None
    hint: str | None
    per_month: str
    newest: str
    flags: tuple[tuple[str, str], ...]  # (label, what to do)
    status_path: str  # the forum's private status page, for the editor to forward


@dataclass(frozen=True, slots=True)
class Held:
    source_id: str
    name: str
    count: int
    items: tuple[HeldItem, ...]
    action: str


def health_routes(context: WebContext, auth: EditorAuth) -> list[Route]:
    pages = HealthPages(context, auth)
    return [
        auth.route(PATH, pages.show, ["GET", "HEAD"]),
        auth.route(PATH + "/{source_id}/freigeben", pages.release, ["POST"]),
    ]


class HealthPages:
    def __init__(self, context: WebContext, auth: EditorAuth) -> None:
        self.context = context
        self.auth = auth
        self.store = SourceHealthStore(context.engine)

    async def show(self, request: Request, session: EditorSession) -> Response:
        now = self.context.clock()
        sources, problem = await run_in_threadpool(self._sources)
        stats = await run_in_threadpool(self.store.stats, sources, now)
        after = timedelta(hours=self.context.settings.alert_after_h)
        healths = [assess(s, now, failing_after=after) for s in stats]
        healths.sort(key=lambda h: (-len(h.flags), h.stats.name.casefold()))
        held = []
        for health in healths:
            if health.stats.held:
                items = await run_in_threadpool(
                    self.store.held_items, health.stats.source_id, HELD_SHOWN
                )
                held.append(
                    Held(
                        health.stats.source_id,
                        health.stats.name,
                        health.stats.held,
                        tuple(items),
                        f"{PATH}/{health.stats.source_id}/freigeben",
                    )
                )
        notice = _release_notice(request, {s.id: s.name for s in sources})
        secret = await run_in_threadpool(
            mail_secret, self.context.settings, self.context.engine, now
        )
        return self.auth.render(
            request,
            "editor_health.html",
            session,
            page_title="Zustand der Quellen",
            rows=[_row(h, source_status_path(secret, h.stats.source_id)) for h in healths],
            flagged=sum(1 for h in healths if h.flags),
            held=held,
            notice=notice,
            error=CONFIG_BROKEN.format(error=problem) if problem else None,
            german_moment=german_moment,
        )

    async def release(self, request: Request, session: EditorSession) -> Response:
        source_id = request.path_params["source_id"]
        sources, _problem = await run_in_threadpool(self._sources)
        if source_id not in {s.id for s in sources}:
            return self.auth.render(
                request,
                "editor_health_missing.html",
                session,
                404,
                page_title="Quelle nicht gefunden",
            )
        count = await run_in_threadpool(self.store.release_held, source_id)
        query = urlencode({"freigegeben": count, "quelle": source_id})
        return RedirectResponse(f"{PATH}?{query}", status_code=303)

    def _sources(self) -> tuple[list[Source], str | None]:
        """Every source as the crawl reads it; when sources.yaml is broken, the registered
        ones (and the reason, for the page)."""
        from aggregator.runtime import load_sources, registered_sources
        from aggregator.store.repository import Store

        store = Store(self.context.engine)
        try:
            return list(load_sources(self.context.settings, store).sources), None
        except ConfigError as exc:
            return registered_sources(self.context.settings, store), "; ".join(exc.problems)


def _row(health: SourceHealth, status_path: str) -> Row:
    s = health.stats
    error = hint = None
    if s.last_status == "failed":
        error, hint = error_text(s.last_error)
    return Row(
        health=health,
        kind="Nachrichtenseite" if s.kind == "page" else "Feed",
        last_success=german_moment(s.last_success_at),
        last_error=error,
        hint=hint,
        per_month=f"{s.items_per_month:.1f}".replace(".", ","),
        newest=german_age(health.since_newest),
        flags=tuple(flag_text(flag) for flag in health.flags),
        status_path=status_path,
    )


def _release_notice(request: Request, names: dict[str, str]) -> str | None:
    count = request.query_params.get("freigegeben", "")
    source_id = request.query_params.get("quelle", "")
    if not count.isdigit() or source_id not in names:
        return None
    number = int(count)
    what = "1 Beitrag" if number == 1 else f"{number} Beiträge"
    return (
        f"{what} von „{names[source_id]}“ freigegeben. Sie erscheinen mit der nächsten "
        "Veröffentlichung auf der Nachrichtenseite."
    )


__all__ = ["PATH", "health_routes"]
