"""Where the site templates are, and the one Jinja2 environment that renders them.

An installed wheel carries them as `aggregator/templates/site/` (pyproject maps the top-level
`templates/` there); a source checkout has them at `<repo>/templates/site/`. The package copy wins.
Autoescaping is on for every template; nothing is marked safe in the site templates.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

import aggregator
from aggregator.errors import AggregatorError


def template_root() -> Path:
    """The `templates/` folder: the package's copy first, then the source checkout's."""
    package = Path(aggregator.__file__).resolve().parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "site").is_dir():
            return candidate
    raise AggregatorError(
        f"site templates not found in {package / 'templates'} or {package.parent / 'templates'}; "
        "reinstall the package"
    )


def site_templates() -> Path:
    """The folder of the public site's templates (`templates/site/`)."""
    return template_root() / "site"


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The site's Jinja2 environment, built once per process (templates compile once)."""
    return Environment(
        loader=FileSystemLoader(str(site_templates())),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
