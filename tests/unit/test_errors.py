import pickle

from aggregator.errors import FetchError, ParseError


def test_source_errors_survive_pickling_between_processes() -> None:
    fetch = pickle.loads(pickle.dumps(FetchError("http_503", "HTTP 503 for x", retry_after=60.0)))
    assert (fetch.reason, fetch.message, fetch.retry_after) == ("http_503", "HTTP 503 for x", 60.0)
    parse = pickle.loads(pickle.dumps(ParseError("not_a_feed", "an HTML page")))
    assert type(parse) is ParseError
    assert (parse.reason, parse.message) == ("not_a_feed", "an HTML page")
