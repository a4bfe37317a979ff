"""One page of the public forms (newsletter, registration, a forum's status page): a template
of templates/web/ that extends the site's base.html, with what the frame needs filled in."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.responses import HTMLResponse

from aggregator import CONTACT_URL, NETWORK_NAME
from aggregator.publish.german import german_datetime, iso_berlin
from aggregator.templating import environment

NO_STORE = {"Cache-Control": "no-store"}


def public_page(
    template: str,
    *,
    now: datetime,
    section: str,
    description: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """The page, never cached (it answers one reader's form)."""
    html = (
        environment("web")
        .get_template(template)
        .render(
            root="/",
            alternates=[],
            description=description,
            network=NETWORK_NAME,
            network_url=CONTACT_URL,
            section=section,
            current="page",
            built_iso=iso_berlin(now),
            built_text=german_datetime(now),
            **values,
        )
    )
    return HTMLResponse(html, status_code=status, headers=headers or NO_STORE)
