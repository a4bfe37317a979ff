"""sources.yaml → validated `Source` models, with one error line per problem (file:line).

Validation is complete before anything else happens, so a broken file changes nothing stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from aggregator.errors import ConfigError
from aggregator.model import DEFAULT_INTERVAL_MINUTES, MIN_INTERVAL_MINUTES, Source

REQUIRED_KEYS = ("id", "name", "homepage", "feed")
OPTIONAL_KEYS = ("city", "interval", "enabled", "feed_verified")
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
# libyaml's loader where PyYAML was built with it (the wheels are): several times faster
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Turns one composed (line-numbered) scalar node into its value, as safe_load would.
_CONSTRUCTOR = yaml.SafeLoader("")


@dataclass(frozen=True)
class _Problem:
    line: int
    source_id: str | None
    text: str


def load_sources(path: Path) -> list[Source]:
    """Read and validate `path`; raise ConfigError listing every problem found."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: file not found (set --config or AGGREGATOR_CONFIG)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"{path}: cannot read: {exc}"]) from None
    return parse_sources(text, str(path))


def parse_sources(text: str, filename: str = "sources.yaml") -> list[Source]:
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
    sources: list[Source] = []
    first_line: dict[str, int] = {}
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
        source = _source(node, problems)
        if source is not None:
            sources.append(source)
    if problems:
        raise ConfigError([_format(filename, p) for p in sorted(problems, key=lambda p: p.line)])
    return sources


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
    sources_node = None
    for key, value in root.value:
        if key.value == "sources":
            sources_node = value
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


def _id_of(node: yaml.MappingNode) -> str | None:
    for key, value in node.value:
        if key.value == "id" and isinstance(value, yaml.ScalarNode):
            return str(value.value)
    return None


def _source(node: yaml.MappingNode, problems: list[_Problem]) -> Source | None:
    fields: dict[str, yaml.Node] = {}
    for key, value in node.value:
        fields[str(key.value)] = value
    source_id = _id_of(node)
    start = len(problems)

    def problem(at: yaml.Node, text: str) -> None:
        problems.append(_Problem(at.start_mark.line + 1, source_id, text))

    allowed = REQUIRED_KEYS + OPTIONAL_KEYS
    for key, _value in node.value:
        if key.value not in allowed:
            problem(key, f"unknown key '{key.value}' (allowed: {', '.join(allowed)})")
    for key in REQUIRED_KEYS:
        if key not in fields:
            problem(node, f"missing field '{key}'")
    values: dict[str, object] = {}
    for key, value_node in fields.items():
        if key not in allowed:
            continue
        if not isinstance(value_node, yaml.ScalarNode):
            problem(value_node, f"field '{key}' must be a single value")
            continue
        values[key] = _CONSTRUCTOR.construct_object(value_node)

    if source_id is not None and not ID_PATTERN.match(str(source_id)):
        problem(fields["id"], f"id '{source_id}' must be lower-case letters, digits and dashes")
    for key in ("name",):
        if key in values and not _text(values[key]):
            problem(fields[key], f"field '{key}' must not be empty")
    if "city" in values and values["city"] is not None and not _text(values["city"]):
        problem(
            fields["city"], "field 'city' must be a name (or left out for network-wide sources)"
        )
    for key in ("homepage", "feed"):
        if key in values:
            error = url_problem(values[key])
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
    for key in ("enabled", "feed_verified"):
        if key in values and not isinstance(values[key], bool):
            problem(fields[key], f"field '{key}' must be true or false")
    if len(problems) > start:
        return None
    return Source(
        id=str(values["id"]),
        name=str(values["name"]).strip(),
        city=str(values["city"]).strip() if values.get("city") is not None else None,
        homepage=str(values["homepage"]),
        feed=str(values["feed"]),
        interval_minutes=interval if isinstance(interval, int) else DEFAULT_INTERVAL_MINUTES,
        enabled=bool(values.get("enabled", True)),
        feed_verified=bool(values.get("feed_verified", True)),
    )


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def url_problem(value: object) -> str | None:
    """Why `value` is not an absolute http(s) URL, or None when it is one."""
    if not isinstance(value, str) or not value.strip():
        return "must be an absolute http(s) URL"
    if value != value.strip() or any(c.isspace() for c in value):
        return f"'{value}' contains spaces"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"'{value}' is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return f"'{value}' must start with http:// or https://"
    if not parts.hostname:
        return f"'{value}' has no host name"
    return None
