from pathlib import Path

import pytest

from aggregator.errors import ConfigError
from aggregator.settings import Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.config == Path("sources.yaml")
    assert s.database_url == "sqlite:///data/aggregator.db"
    assert s.output_dir == Path("public")
    assert (s.host, s.port) == ("127.0.0.1", 8000)


def test_environment_then_flags() -> None:
    env = {
        "AGGREGATOR_CONFIG": "other.yaml",
        "AGGREGATOR_PORT": "9000",
        "AGGREGATOR_BASE_URL": "https://nachrichten.example.org",
        "AGGREGATOR_OUTPUT_DIR": "/srv/site",
    }
    s = Settings.from_env(env)
    assert s.config == Path("other.yaml")
    assert s.port == 9000
    assert s.base_url == "https://nachrichten.example.org/"  # a trailing slash is added
    assert s.output_dir == Path("/srv/site")
    s = s.with_overrides(port=9001, config=None)
    assert s.port == 9001
    assert s.config == Path("other.yaml")  # None = flag not given


def test_bad_values_name_the_variable() -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"AGGREGATOR_PORT": "achtzig", "AGGREGATOR_TIMEOUT": "-1"})
    assert caught.value.problems == ("AGGREGATOR_PORT='achtzig': expected a whole number",)
    with pytest.raises(ConfigError, match="AGGREGATOR_BASE_URL"):
        Settings.from_env({"AGGREGATOR_BASE_URL": "nachrichten.example.org"})
    with pytest.raises(ConfigError, match="AGGREGATOR_TIMEOUT"):
        Settings.from_env({"AGGREGATOR_TIMEOUT": "0"})


def test_allow_private_urls_is_off_by_default_and_read_as_a_yes_or_no() -> None:
    assert Settings.from_env({}).allow_private_urls is False
    for word in ("1", "true", "Yes", "TRUE"):
        assert Settings.from_env({"AGGREGATOR_ALLOW_PRIVATE_URLS": word}).allow_private_urls
    for word in ("0", "false", "no"):
        assert not Settings.from_env({"AGGREGATOR_ALLOW_PRIVATE_URLS": word}).allow_private_urls
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({"AGGREGATOR_ALLOW_PRIVATE_URLS": "vielleicht"})
    assert caught.value.problems == (
        "AGGREGATOR_ALLOW_PRIVATE_URLS='vielleicht': expected 1, true or yes (on) "
        "or 0, false or no (off)",
    )


def test_base_url_needs_a_host() -> None:
    with pytest.raises(ConfigError, match="AGGREGATOR_BASE_URL"):
        Settings.from_env({"AGGREGATOR_BASE_URL": "https://"})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("AGGREGATOR_TIMEOUT", "1e308"),
        ("AGGREGATOR_TIMEOUT", "nan"),
        ("AGGREGATOR_CONNECT_TIMEOUT", "inf"),
        ("AGGREGATOR_CHECK_EVERY_S", "10000000000000000"),
        ("AGGREGATOR_CRAWL_LEASE_S", "1e20"),
        ("AGGREGATOR_CONCURRENCY", "99999999999"),
        ("AGGREGATOR_MAX_BYTES", "99999999999999"),
        ("AGGREGATOR_PARSE_WORKERS", "-7"),
    ],
)
def test_absurd_numbers_are_one_clear_error_not_an_overflow_later(name: str, value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Settings.from_env({name: value})
    (problem,) = caught.value.problems
    assert problem.startswith(f"{name}=") and "must be between" in problem


def test_trusted_proxies_are_addresses_or_networks() -> None:
    settings = Settings.from_env({"AGGREGATOR_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8, ::1"})
    assert settings.trusted_proxies == "127.0.0.1, 10.0.0.0/8, ::1"
    with pytest.raises(ConfigError, match="'nginx' is not an IP address or network"):
        Settings.from_env({"AGGREGATOR_TRUSTED_PROXIES": "127.0.0.1,nginx"})
