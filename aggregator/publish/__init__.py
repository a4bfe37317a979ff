"""The public static site: HTML pages, RSS/Atom/JSON feeds, OPML, written with an atomic swap.

build.py      publish_site(): render + write + swap, returns a PublishReport
site.py       the pages and feeds as (path, content) pairs (pure)
fairness.py   the fair share rule of the network pages and feeds (pure)
feeds.py      RSS 2.0 / Atom 1.0 (feedgen), JSON Feed 1.1, OPML 2.0 (pure)
german.py     German dates (Babel, Europe/Berlin), city slugs, status wording (pure)
templates.py  finds templates/site/ and builds the Jinja2 environment (autoescape on)
output.py     build folder + symlink swap, keeps the previous build, prunes older ones
"""

from aggregator.errors import PublishError
from aggregator.publish.build import PublishReport, publish_site

__all__ = ["PublishError", "PublishReport", "publish_site"]
