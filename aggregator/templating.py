"""Where the templates are, and one Jinja2 environment per area that renders them.

Areas, each a folder of `templates/`:

    site     the published static site (pages of stories, cities, topics, sources)
    digest   the weekly digest as a web page (published with the site)
    web      the dynamic pages of the web app (editor area, newsletter form)
    email    mails: the digest, confirmations, notices (HTML and plain text)

An installed wheel carries them as `aggregator/templates/` (pyproject maps the top-level
`templates/` there); a source checkout has them at `<repo>/templates/`. The package copy wins.
Autoescaping is on for every HTML template; the plain-text mails (`templates/email/*.txt`) are
rendered without HTML escaping, which would put `&amp;` into a text mail.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

import aggregator
from aggregator.errors import AggregatorError

Area = Literal["site", "digest", "web", "email"]
AREAS: tuple[Area, ...] = ("site", "digest", "web", "email")


def template_root() -> Path:
    """The `templates/` folder: the package's copy first, then the source checkout's."""
    package = Path(aggregator.__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "site").is_dir():
            return candidate
    raise AggregatorError(
        f"templates not found in {package / 'templates'} or {package.parent / 'templates'}; "
        "reinstall the package"
    )


def area_templates(area: Area) -> Path:
    """The folder of one area's templates (`templates/<area>/`)."""
    if area not in AREAS:
        raise ValueError(f"unknown template area {area!r}")
    return template_root() / area


def site_templates() -> Path:
    """The folder of the public site's templates (`templates/site/`)."""
    return area_templates("site")


def _loader(area: Area) -> ChoiceLoader:
    """The area's own folder first; then the site's, so that the digest and the web pages can
    extend the site's `base.html` (one look for the whole network)."""
    folders = [area_templates(area)]
    if area in ("digest", "web"):
        folders.append(site_templates())
    return ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders])


_MAIL_ESCAPING = select_autoescape(("html", "xml"), default_for_string=True, default=False)


@lru_cache(maxsize=len(AREAS))
def environment(area: Area = "site") -> Environment:
    """The Jinja2 environment of `area`, built once per process (templates compile once)."""
    return Environment(
        loader=_loader(area),
        # every template of the site, digest and web areas; of the mails the HTML ones only
        autoescape=_MAIL_ESCAPING if area == "email" else True,  # noqa: S701 (html only)
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
