"""sources.yaml → validated `Source` models, with one error line per problem (file:line).

Validation is complete before anything else happens, so a broken file changes nothing stored.
Strict on purpose: a duplicate key (YAML would let the second `feed:` win silently), one feed
URL under two ids, a user name or password in a URL, control characters in a name, an interval
beyond a week, and (unless private addresses are allowed) a host that is a loopback, private or
otherwise non-public address or a localhost name are each an error. No DNS lookup happens here:
names are checked again, resolved, on every fetch (`aggregator.fetch.guard`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from aggregator.errors import ConfigError
from aggregator.model import (
    DEFAULT_INTERVAL_MINUTES,
    DEFAULT_MAX_PAGES,
    MAX_MAX_PAGES,
    MIN_INTERVAL_MINUTES,
    ScrapeRules,
    Source,
)
from aggregator.urls import (
    canonical_url,
    control_characters,
    has_credentials,
    host_problem,
    url_problem,
)

REQUIRED_KEYS = ("id", "name", "homepage")
KIND_KEYS = ("feed", "scrape")  # exactly one of them: a feed, or a news page to scrape
OPTIONAL_KEYS = ("city", "interval", "enabled", "feed_verified", "contact")
SCRAPE_SELECTORS = ("item", "title", "link", "date", "excerpt", "image")
SCRAPE_KEYS = ("url", *SCRAPE_SELECTORS, "date_format", "max_pages")
MAX_SELECTOR_LENGTH = 500
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_INTERVAL_MINUTES = 7 * 24 * 60  # one week; a huge value used to overflow the date arithmetic
PRIVATE_HINT = "set AGGREGATOR_ALLOW_PRIVATE_URLS=1 to allow it"
if TYPE_CHECKING:
    from aggregator.tagging.topics import Taxonomy

# libyaml's loader where PyYAML was built with it (the wheels are): several times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Turns one composed (line-numbered) scalar node into its value, as safe_load would.
_CONSTRUCTOR = yaml.SafeLoader("")


@dataclass(frozen=True)
class _Problem:
    line: int
    source_id: str | None
    text: str


@dataclass(frozen=True)
class Config:
    """Everything sources.yaml declares: the sources, and the topic taxonomy when it overrides
    the packaged one (`topics:`; None: the default)."""

    sources: list[Source]
    taxonomy: Taxonomy | None = None


def load_sources(path: Path, *, allow_private: bool = False) -> list[Source]:
    """Read and validate `path`; raise ConfigError listing every problem found.

    `allow_private` (AGGREGATOR_ALLOW_PRIVATE_URLS) admits loopback and private hosts.
    """
    return load_config(path, allow_private=allow_private).sources


def load_config(path: Path, *, allow_private: bool = False) -> Config:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (set --config or AGGREGATOR_CONFIG)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_config(text, str(path), allow_private=allow_private)


def parse_sources(
    text: str, filename: str = "sources.yaml", *, allow_private: bool = False
) -> list[Source]:
    return parse_config(text, filename, allow_private=allow_private).sources


def parse_config(
    text: str, filename: str = "sources.yaml", *, allow_private: bool = False
) -> Config:
    try:
        root = yaml.compose(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else filename
        raise ConfigError([f"{where}: invalid YAML: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([f"{filename}: invalid YAML: {exc}"]) from None

    problems: list[_Problem] = []
    entries = _source_nodes(root, problems)
    taxonomy = _taxonomy(root, problems)
    sources: list[Source] = []
    first_line: dict[str, int] = {}
    feed_owner: dict[str, tuple[str, int, str]] = {}  # canonical URL → (id, line, feed/page)
    for node in entries:
        source_id = _id_of(node)
        line = node.start_mark.line + 1
        if source_id is not None and source_id in first_line:
            problems.append(
                _Problem(
                    line, source_id, f"duplicate id (first used on line {first_line[source_id]})"
                )
            )
        elif source_id is not None:
            first_line[source_id] = line
        source = _source(node, problems, allow_private)
        if source is None:
            continue
        sources.append(source)
        if source.url is not None:
            key = canonical_url(source.url)
            what = "feed" if source.kind == "feed" else "news page"
            url_line = _line_of(node, "feed" if source.kind == "feed" else "scrape")
            if key in feed_owner:
                owner, owner_line, owner_what = feed_owner[key]
                problems.append(
                    _Problem(
                        url_line,
                        source.id,
                        f"{what} {source.url} is already the {owner_what} of source "
                        f"'{owner}' (line {owner_line})",
                    )
                )
            else:
                feed_owner[key] = (source.id, url_line, what)
    if problems:
        raise ConfigError([_format(filename, p) for p in sorted(problems, key=lambda p: p.line)])
    return Config(sources, taxonomy)


def _taxonomy(root: yaml.Node | None, problems: list[_Problem]) -> Taxonomy | None:
    """The `topics:` mapping, when the file overrides the packaged taxonomy."""
    if not isinstance(root, yaml.MappingNode):
        return None
    node = next((value for key, value in root.value if key.value == "topics"), None)
    if node is None:
        return None
    from aggregator.tagging.topics import taxonomy_from_mapping  # only for a file with topics

    try:
        return taxonomy_from_mapping(_CONSTRUCTOR.construct_document(node), where="topics")
    except ValueError as exc:
        problems.append(_Problem(_line_of_field(node, str(exc)), None, str(exc)))
        return None


def _line_of_field(node: yaml.Node, message: str) -> int:
    """The line of the field an error names ("topics.denkmalpflege.signals[2]: …")."""
    path = message.split(":", 1)[0].replace("[", ".").replace("]", "").split(".")[1:]
    for part in path:
        if isinstance(node, yaml.MappingNode):
            found = next((v for k, v in node.value if str(k.value) == part), None)
        elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
            found = node.value[int(part)]
        else:
            found = None
        if found is None:
            break
        node = found
    return int(node.start_mark.line) + 1


def _format(filename: str, problem: _Problem) -> str:
    who = f" source '{problem.source_id}':" if problem.source_id else ""
    return f"{filename}:{problem.line}:{who} {problem.text}"


def _source_nodes(root: yaml.Node | None, problems: list[_Problem]) -> list[yaml.MappingNode]:
    if root is None:
        problems.append(_Problem(1, None, "the file is empty; expected 'sources:' with a list"))
        return []
    if not isinstance(root, yaml.MappingNode):
        problems.append(
            _Problem(root.start_mark.line + 1, None, "expected a mapping with 'sources:'")
        )
        return []
    problems.extend(_duplicate_keys(root, None))
    sources_node = None
    for key, value in root.value:
        if key.value == "sources" and sources_node is not None:
            continue  # reported as a duplicate key
        if key.value == "sources":
            sources_node = value
        elif key.value == "topics":
            continue  # the taxonomy: read by _taxonomy
        else:
            problems.append(
                _Problem(key.start_mark.line + 1, None, f"unknown top-level key '{key.value}'")
            )
    if sources_node is None:
        problems.append(_Problem(1, None, "missing top-level key 'sources'"))
        return []
    if not isinstance(sources_node, yaml.SequenceNode):
        problems.append(
            _Problem(sources_node.start_mark.line + 1, None, "'sources' must be a list of entries")
        )
        return []
    nodes = []
    for item in sources_node.value:
        if isinstance(item, yaml.MappingNode):
            nodes.append(item)
        else:
            problems.append(
                _Problem(item.start_mark.line + 1, None, "each source must be a mapping")
            )
    return nodes


def _duplicate_keys(node: yaml.MappingNode, source_id: str | None) -> list[_Problem]:
    """A key given twice in one mapping: YAML would let the second win without a word."""
    first: dict[str, int] = {}
    found = []
    for key, _value in node.value:
        name, line = str(key.value), key.start_mark.line + 1
        if name in first:
            found.append(
                _Problem(line, source_id, f"duplicate key '{name}' (first on line {first[name]})")
            )
        else:
            first[name] = line
    return found


def _line_of(node: yaml.MappingNode, name: str) -> int:
    for key, _value in node.value:
        if key.value == name:
            return int(key.start_mark.line) + 1
    return int(node.start_mark.line) + 1


def _id_of(node: yaml.MappingNode) -> str | None:
    for key, value in node.value:
        if key.value == "id" and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return None


def _source(node: yaml.MappingNode, problems: list[_Problem], allow_private: bool) -> Source | None:
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        fields.setdefault(str(key.value), value)  # the first; a second one is an error below
    source_id = _id_of(node)
    start = len(problems)
    problems.extend(_duplicate_keys(node, source_id))

    def problem(at: yaml.Node, text: str) -> None:
        problems.append(_Problem(at.start_mark.line + 1, source_id, text))

    allowed = REQUIRED_KEYS + KIND_KEYS + OPTIONAL_KEYS
    for key, _value in node.value:
        if key.value not in allowed:
            problem(key, f"unknown key '{key.value}' (allowed: {', '.join(allowed)})")
    for key in REQUIRED_KEYS:
        if key not in fields:
            problem(node, f"missing field '{key}'")
    if "feed" in fields and "scrape" in fields:
        problems.append(
            _Problem(
                _line_of(node, "scrape"), source_id, "give either 'feed' or 'scrape', not both"
            )
        )
    elif "feed" not in fields and "scrape" not in fields:
        problem(node, "missing field 'feed' (or 'scrape' with the news page to read instead)")
    scrape: ScrapeRules | None = None
    if "scrape" in fields:
        scrape = _scrape_rules(fields["scrape"], problems, source_id, allow_private)
    values: dict[str, object] = {}
    for key, value_node in fields.items():
        if key not in allowed or key == "scrape":
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            problem(value_node, f"field '{key}' must be a single value")
            continue
        values[key] = _CONSTRUCTOR.construct_object(value_node)

    if source_id is not None and not ID_PATTERN.fullmatch(str(source_id)):
        shown = str(source_id) if str(source_id).isprintable() else repr(str(source_id))[1:-1]
        problem(fields["id"], f"id '{shown}' must be lower-case letters, digits and dashes")
    for key in ("name", "city"):
        if isinstance(values.get(key), str):
            found = control_characters(str(values[key]))
            if found:
                problem(
                    fields[key],
                    f"field '{key}' contains control characters or line breaks "
                    f"({', '.join(dict.fromkeys(found))})",
                )
    for key in ("name",):
        if key in values and not _text(values[key]):
            problem(fields[key], f"field '{key}' must not be empty")
    if "city" in values and values["city"] is not None and not _text(values["city"]):
        problem(
            fields["city"], "field 'city' must be a name (or left out for network-wide sources)"
        )
    for key in ("homepage", "feed"):
        if key in values:
            error = _url_field_problem(values[key], allow_private)
            if error:
                problem(fields[key], f"field '{key}': {error}")
    interval = values.get("interval", DEFAULT_INTERVAL_MINUTES)
    if not isinstance(interval, int) or isinstance(interval, bool):
        problem(fields["interval"], "field 'interval' must be a whole number of minutes")
    elif interval < MIN_INTERVAL_MINUTES:
        problem(
            fields["interval"],
            f"field 'interval' is {interval} minutes; the minimum is {MIN_INTERVAL_MINUTES}",
        )
    elif interval > MAX_INTERVAL_MINUTES:
        problem(
            fields["interval"],
            f"field 'interval' is {interval} minutes; the maximum is {MAX_INTERVAL_MINUTES} "
            "(one week)",
        )
    for key in ("enabled", "feed_verified"):
        if key in values and not isinstance(values[key], bool):
            problem(fields[key], f"field '{key}' must be true or false")
    contact = None
    if values.get("contact") is not None:
        # imported here: email-validator costs 30 ms of start-up, and most entries have no contact
        from aggregator.mail.addresses import InvalidAddressError, normalize_address

        try:
            contact = normalize_address(str(values["contact"]))
        except InvalidAddressError:
            problem(fields["contact"], "field 'contact' must be one email address")
    if len(problems) > start:
        return None
    return Source(
        id=str(values["id"]),
        name=str(values["name"]).strip(),
        city=str(values["city"]).strip() if values.get("city") is not None else None,
        homepage=str(values["homepage"]),
        feed=str(values["feed"]) if "feed" in values else None,
        interval_minutes=interval if isinstance(interval, int) else DEFAULT_INTERVAL_MINUTES,
        enabled=bool(values.get("enabled", True)),
        feed_verified=bool(values.get("feed_verified", True)),
        scrape=scrape,
        contact=contact,
    )


def _scrape_rules(
    node: yaml.Node, problems: list[_Problem], source_id: str | None, allow_private: bool
) -> ScrapeRules | None:
    """The `scrape:` block: the news page's URL, optional CSS selectors, a date format and how
    many list pages to follow. None (with problems reported) when anything is wrong."""
    start = len(problems)

    def problem(at: yaml.Node, text: str) -> None:
        problems.append(_Problem(at.start_mark.line + 1, source_id, text))

    if not isinstance(node, yaml.MappingNode):
        problem(node, "field 'scrape' must be a mapping with at least 'url: <news page>'")
        return None
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        name = str(key.value)
        if name in fields:
            problem(key, f"duplicate key 'scrape.{name}'")
            continue
        fields[name] = value
        if name not in SCRAPE_KEYS:
            problem(key, f"unknown key 'scrape.{name}' (allowed: {', '.join(SCRAPE_KEYS)})")
    values: dict[str, object] = {}
    for name, value_node in fields.items():
        if name not in SCRAPE_KEYS:
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            problem(value_node, f"field 'scrape.{name}' must be a single value")
            continue
        values[name] = _CONSTRUCTOR.construct_object(value_node)
    if "url" not in fields:
        problem(node, "missing field 'scrape.url' (the news page to read)")
    elif "url" in values:
        error = _url_field_problem(values["url"], allow_private)
        if error:
            problem(fields["url"], f"field 'scrape.url': {error}")
    for name in SCRAPE_SELECTORS:
        if name in values:
            error = _selector_problem(values[name])
            if error:
                problem(fields[name], f"field 'scrape.{name}': {error}")
    if "date_format" in values:
        error = _date_format_problem(values["date_format"])
        if error:
            problem(fields["date_format"], f"field 'scrape.date_format': {error}")
    max_pages = values.get("max_pages", DEFAULT_MAX_PAGES)
    if "max_pages" in values and (
        not isinstance(max_pages, int)
        or isinstance(max_pages, bool)
        or not 1 <= max_pages <= MAX_MAX_PAGES
    ):
        problem(
            fields["max_pages"],
            f"field 'scrape.max_pages' must be a whole number from 1 to {MAX_MAX_PAGES}",
        )
    if len(problems) > start:
        return None

    def text(name: str) -> str | None:
        value = values.get(name)
        return str(value).strip() if value is not None else None

    return ScrapeRules(
        url=str(values["url"]),
        item=text("item"),
        title=text("title"),
        link=text("link"),
        date=text("date"),
        excerpt=text("excerpt"),
        image=text("image"),
        date_format=text("date_format"),
        max_pages=max_pages if isinstance(max_pages, int) else DEFAULT_MAX_PAGES,
    )


def _selector_problem(value: object) -> str | None:
    """Why a CSS selector is refused: not text, too long, or not CSS the scraper can use."""
    if not isinstance(value, str) or not value.strip():
        return "must be a CSS selector"
    if len(value) > MAX_SELECTOR_LENGTH:
        return f"the selector is longer than {MAX_SELECTOR_LENGTH} characters"
    if control_characters(value):
        return "the selector contains control characters or line breaks"
    from selectolax.lexbor import LexborHTMLParser  # only when a file has selectors

    try:
        LexborHTMLParser("<p></p>").css(value)
    except Exception:
        return f"'{value}' is not a valid CSS selector"
    return None


def _date_format_problem(value: object) -> str | None:
    """A strptime format must name at least a day, a month and a year."""
    if not isinstance(value, str) or not value.strip():
        return "must be a date format such as '%d.%m.%Y'"
    if len(value) > 100 or control_characters(value):
        return "the format is too long or contains control characters"
    missing = [part for part, codes in _DATE_PARTS.items() if not any(c in value for c in codes)]
    if missing:
        return f"'{value}' has no {', '.join(missing)} (e.g. '%d.%m.%Y')"
    try:
        sample = datetime(2025, 11, 24, 18, 30)
        datetime.strptime(sample.strftime(value), value)
    except ValueError as exc:
        return f"'{value}' is not a usable date format: {exc}"
    return None


_DATE_PARTS = {"day": ("%d", "%-d", "%j"), "month": ("%m", "%b", "%B", "%-m"), "year": ("%Y", "%y")}


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _url_field_problem(value: object, allow_private: bool) -> str | None:
    """Why a homepage or feed URL is refused: not http(s), credentials, a non-public host."""
    error = url_problem(value)
    if error or not isinstance(value, str):
        return error
    if has_credentials(value):
        return "the URL contains a user name or password; remove them (none are ever sent)"
    hosted = host_problem(value, allow_private=allow_private)
    if hosted and host_problem(value, allow_private=True) is None:
        return f"{hosted}; {PRIVATE_HINT}"
    return f"{hosted}, which is never fetched" if hosted else None
