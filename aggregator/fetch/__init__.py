"""Fetching over HTTP: the polite, bounded client of the crawler (see `client`)."""

from aggregator.fetch.client import Fetcher, FetchResult, FetchSettings

__all__ = ["FetchResult", "FetchSettings", "Fetcher"]
