"""One exception tree for the whole package, translated into messages at the edges (CLI, web).

AggregatorError
 ├── ConfigError        sources.yaml or settings are wrong (one entry per problem)
 ├── SourceError        one source could not be read; never stops the others
 │    ├── FetchError    network, HTTP status, size cap, redirects
 │    └── ParseError    not a feed, unreadable feed
 ├── StoreError         the database refused or is unreachable
 └── PublishError       the site could not be written (output folder unusable)
"""

from __future__ import annotations

from collections.abc import Sequence


class AggregatorError(Exception):
    """Root of every error the aggregator raises on purpose."""


class ConfigError(AggregatorError):
    """The configuration is invalid; `problems` holds one line per problem."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__("\n".join(self.problems))


class SourceError(AggregatorError):
    """A source could not be read. `reason` is a short stable code (e.g. "timeout", "http_404")."""

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        self.message = message
        super().__init__(f"{reason}: {message}")

    def __reduce__(self) -> tuple[type[SourceError], tuple[str, str]]:
        """Pickle with the real arguments: parsing errors cross from worker processes."""
        return (type(self), (self.reason, self.message))


class FetchError(SourceError):
    """Fetching failed. `retry_after` (seconds) is set when the server asked us to wait."""

    def __init__(self, reason: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(reason, message)
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[type[FetchError], tuple[str, str, float | None]]:  # type: ignore[override]
        return (type(self), (self.reason, self.message, self.retry_after))


class ParseError(SourceError):
    """The body was fetched but holds no readable feed."""


class StoreError(AggregatorError):
    """The database could not be read or written."""


class PublishError(AggregatorError):
    """The site could not be written (output folder unusable); the last good site stays."""
