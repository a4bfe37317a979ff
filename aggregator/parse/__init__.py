"""Parsing: fetched bytes → `ParsedFeed` of untrusted `Entry` values. Pure: no fetching here.

    parse_feed(content, url=…, content_type=…)   RSS 0.9x/1.0/2.0, Atom 0.3/1.0, JSON Feed
    parse_json_feed(content)                       JSON Feed 1.0/1.1 only
    parse_date(text)                               feed dates; aware if a zone is named

Failures raise `aggregator.errors.ParseError` with a reason of "empty", "not_a_feed" or
"malformed"; a feed that is only partly readable is returned with `ParsedFeed.warning` set.
"""

from aggregator.parse.dates import parse_date
from aggregator.parse.feeds import parse_feed
from aggregator.parse.jsonfeed import parse_json_feed

__all__ = ["parse_date", "parse_feed", "parse_json_feed"]
