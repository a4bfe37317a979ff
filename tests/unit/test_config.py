"""sources.yaml validation: every problem is one line with file:line and the source id."""

from pathlib import Path

import pytest

from aggregator.config import load_sources, parse_sources
from aggregator.errors import ConfigError

GOOD = """\
sources:
  - id: leipzig-stadtforum
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://www.stadtforum-leipzig.de/
    feed: https://www.stadtforum-leipzig.de/feed/
    interval: 30
  - id: netzwerk
    name: NETZWERK Stadtforen
    homepage: https://www.netzwerk-stadtforen.de/
    feed: https://www.netzwerk-stadtforen.de/feed/
    enabled: false
    feed_verified: false
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_sources(text, "s.yaml")
    return list(caught.value.problems)


def test_good_file_gives_sources_with_defaults() -> None:
    leipzig, network = parse_sources(GOOD)
    assert leipzig.id == "leipzig-stadtforum"
    assert leipzig.city == "Leipzig"
    assert leipzig.interval_minutes == 30
    assert leipzig.enabled and leipzig.feed_verified
    assert network.city is None  # network-wide source
    assert network.interval_minutes == 60
    assert not network.enabled and not network.feed_verified


def test_shipped_sources_yaml_is_valid() -> None:
    sources = load_sources(Path(__file__).parents[2] / "sources.yaml")
    ids = {s.id for s in sources}
    assert {
        "leipzig-stadtforum",
        "chemnitz-stadtforum",
        "halle-aki",
        "goerlitz-aktionskreis",
        "altenburg-stadtforum",
        "netzwerk-stadtforen",
    } <= ids
    halle = next(s for s in sources if s.id == "halle-aki")
    assert halle.city == "Halle (Saale)"
    assert all(not s.feed_verified for s in sources)  # none of the real feeds was seen working


def test_bad_yaml_names_line_and_column() -> None:
    (line,) = problems("sources:\n  - id: a\n   name: x\n")
    assert line.startswith("s.yaml:3:")
    assert "invalid YAML" in line


def test_each_problem_is_one_line_with_line_number_and_id() -> None:
    text = """\
sources:
  - id: leipzig
    name: Stadtforum Leipzig
    homepage: https://www.stadtforum-leipzig.de/
    feed: ftp://example.org/feed
    fed: 1
  - id: leipzig
    name: Zweites Leipzig
    homepage: https://b.example/
    feed: https://b.example/feed
  - name: Ohne Id
    homepage: https://c.example/
    feed: https://c.example/feed
  - id: chemnitz
    name: Stadtforum Chemnitz
    homepage: not a url
    feed: https://c.example/feed
    interval: 5
    enabled: vielleicht
"""
    found = problems(text)
    assert found == [
        "s.yaml:5: source 'leipzig': field 'feed': 'ftp://example.org/feed' must start with "
        "http:// or https://",
        "s.yaml:6: source 'leipzig': unknown key 'fed' (allowed: id, name, homepage, feed, scrape, "
        "city, interval, enabled, feed_verified, contact)",
        "s.yaml:7: source 'leipzig': duplicate id (first used on line 2)",
        "s.yaml:11: missing field 'id'",
        "s.yaml:16: source 'chemnitz': field 'homepage': 'not a url' contains spaces",
        "s.yaml:18: source 'chemnitz': field 'interval' is 5 minutes; the minimum is 15",
        "s.yaml:19: source 'chemnitz': field 'enabled' must be true or false",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "s.yaml:1: the file is empty"),
        ("- a\n", "expected a mapping with 'sources:'"),
        ("quellen: []\n", "unknown top-level key 'quellen'"),
        ("sources: 3\n", "'sources' must be a list"),
        ("sources:\n  - 3\n", "each source must be a mapping"),
        (
            "sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n",
            "s.yaml:2: source 'a': missing field 'feed'",
        ),
        (
            "sources:\n  - id: a\n    name: [A]\n    homepage: https://a.example/\n"
            "    feed: https://a.example/f\n",
            "field 'name' must be a single value",
        ),
        (
            "sources:\n  - id: a\n    name: A\n    homepage: https://a.example/\n"
            "    feed: http:///nohost\n",
            "has no host name",
        ),
    ],
)
def test_structural_problems(text: str, expected: str) -> None:
    assert any(expected in line for line in problems(text))


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_sources(tmp_path / "nope.yaml")
    assert caught.value.problems == (
        f"{tmp_path / 'nope.yaml'}: file not found (set --config or AGGREGATOR_CONFIG)",
    )


# --- strictness (issue 10, point 8) -----------------------------------------------------------


def entry(source_id: str, feed: str, **extra: str) -> str:
    lines = [
        f"  - id: {source_id}",
        f"    name: Forum {source_id}",
        f"    homepage: https://{source_id}.example/",
        f"    feed: {feed}",
    ]
    lines += [f"    {key}: {value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def test_a_duplicate_key_is_an_error_not_a_silent_override() -> None:
    text = (
        "sources:\n"
        "  - id: leipzig\n"
        "    name: Stadtforum Leipzig\n"
        "    homepage: https://leipzig.example/\n"
        "    feed: https://leipzig.example/feed/\n"
        "    feed: https://elsewhere.example/feed/\n"
    )
    assert problems(text) == ["s.yaml:6: source 'leipzig': duplicate key 'feed' (first on line 5)"]


def test_a_duplicate_top_level_key_is_an_error() -> None:
    text = "sources:\n" + entry("a", "https://a.example/feed") + "sources: []\n"
    assert problems(text) == ["s.yaml:6: duplicate key 'sources' (first on line 1)"]


def test_the_same_feed_under_two_ids_is_an_error_naming_both() -> None:
    text = (
        "sources:\n"
        + entry("leipzig", "https://forum.example/feed/")
        + entry("leipzig-alt", "HTTPS://Forum.Example:443/feed/?utm_source=x#top")
    )
    assert problems(text) == [
        "s.yaml:9: source 'leipzig-alt': feed HTTPS://Forum.Example:443/feed/?utm_source=x#top "
        "is already the feed of source 'leipzig' (line 5)"
    ]


@pytest.mark.parametrize(
    "url", ["https://user:geheim@forum.example/feed/", "https://token@forum.example/feed/"]
)
def test_credentials_in_a_url_are_an_error_that_does_not_repeat_them(url: str) -> None:
    (line,) = problems("sources:\n" + entry("a", url))
    assert line.startswith("s.yaml:5: source 'a': field 'feed': ")
    assert "user name or password" in line
    assert "geheim" not in line and "token" not in line


@pytest.mark.parametrize(
    ("field", "value", "shown"),
    [
        ("name", '"Stadtforum\\u0007 Leipzig"', "U+0007"),
        ("name", '"Stadt\\u202eforum"', "U+202E"),  # right-to-left override
        ("city", '"Leip\\nzig"', "U+000A"),
        ("city", '"Leipzig\\u2028"', "U+2028"),
    ],
)
def test_control_characters_in_names_are_an_error(field: str, value: str, shown: str) -> None:
    text = "sources:\n" + entry("a", "https://a.example/feed", **{field: value})
    (line,) = problems(text.replace("    name: Forum a\n", "") if field == "name" else text)
    assert line.startswith("s.yaml:")
    assert f"field '{field}' contains control characters" in line
    assert shown in line


def test_an_id_with_a_trailing_line_break_is_refused() -> None:
    text = 'sources:\n  - id: "leipzig\\n"\n    name: L\n    homepage: https://l.example/\n'
    text += "    feed: https://l.example/feed\n"
    assert any("must be lower-case letters" in line for line in problems(text))


def test_interval_has_a_maximum_of_one_week() -> None:
    text = "sources:\n" + entry("a", "https://a.example/feed", interval="10000000000000000")
    assert problems(text) == [
        "s.yaml:6: source 'a': field 'interval' is 10000000000000000 minutes; the maximum is "
        "10080 (one week)"
    ]
    (week,) = parse_sources("sources:\n" + entry("a", "https://a.example/feed", interval="10080"))
    assert week.interval_minutes == 10080


@pytest.mark.parametrize(
    "feed",
    [
        "http://127.0.0.1:8080/feed/",
        "http://0x7f.1/feed/",
        "http://2130706433/feed/",
        "http://[::1]/feed/",
        "http://[::ffff:127.0.0.1]/feed/",
        "http://localhost:8000/feed/",
        "http://10.0.0.1/feed/",
        "http://192.168.178.1/feed/",
    ],
)
def test_private_hosts_are_refused_unless_allowed(feed: str) -> None:
    (line,) = problems("sources:\n" + entry("a", feed))
    assert line.startswith("s.yaml:5: source 'a': field 'feed': host ")
    assert line.endswith("set AGGREGATOR_ALLOW_PRIVATE_URLS=1 to allow it")
    (allowed,) = parse_sources("sources:\n" + entry("a", feed), allow_private=True)
    assert allowed.feed == feed


def test_link_local_metadata_address_is_refused_even_when_private_is_allowed() -> None:
    text = "sources:\n" + entry("a", "http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ConfigError) as caught:
        parse_sources(text, "s.yaml", allow_private=True)
    assert caught.value.problems == (
        "s.yaml:5: source 'a': field 'feed': host '169.254.169.254' is a link-local address, "
        "which is never fetched",
    )


def test_load_sources_passes_allow_private_on(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("sources:\n" + entry("a", "http://127.0.0.1:9/feed"), encoding="utf-8")
    with pytest.raises(ConfigError, match="AGGREGATOR_ALLOW_PRIVATE_URLS"):
        load_sources(path)
    assert load_sources(path, allow_private=True)[0].feed == "http://127.0.0.1:9/feed"


SCRAPED = """\
sources:
  - id: leipzig-stadtforum
    name: Stadtforum Leipzig
    city: Leipzig
    homepage: https://www.stadtforum-leipzig.de/
    scrape:
      url: https://www.stadtforum-leipzig.de/
  - id: zittau
    name: Stadtforum Zittau
    city: Zittau
    homepage: http://stadtforum-zittau.de/
    scrape:
      url: http://stadtforum-zittau.de/index.php/aktuelles
      item: div.blog-item
      title: h2
      link: h2 a
      date: .published
      excerpt: p
      image: img
      date_format: "%d.%m.%Y"
      max_pages: 3
"""


def test_a_news_page_source_has_kind_page_and_its_rules() -> None:
    leipzig, zittau = parse_sources(SCRAPED)
    assert leipzig.kind == "page" and leipzig.feed is None
    assert leipzig.url == "https://www.stadtforum-leipzig.de/"
    assert leipzig.scrape is not None and leipzig.scrape.item is None
    assert leipzig.scrape.max_pages == 1
    rules = zittau.scrape
    assert rules is not None
    assert (rules.item, rules.title, rules.link, rules.date, rules.excerpt, rules.image) == (
        "div.blog-item",
        "h2",
        "h2 a",
        ".published",
        "p",
        "img",
    )
    assert rules.date_format == "%d.%m.%Y" and rules.max_pages == 3
    assert parse_sources(GOOD)[0].kind == "feed"


def test_scrape_block_problems_are_each_one_line() -> None:
    text = """\
sources:
  - id: a
    name: A
    homepage: https://a.example/
    scrape:
      url: ftp://a.example/news
      item: "div.news >> p"
      date_format: "%d"
      max_pages: 500
      selector: x
  - id: b
    name: B
    homepage: https://b.example/
    feed: https://b.example/feed/
    scrape:
      url: https://b.example/news/
  - id: c
    name: C
    homepage: https://c.example/
  - id: d
    name: D
    homepage: https://d.example/
    scrape: https://d.example/news/
  - id: e
    name: E
    homepage: https://e.example/
    scrape:
      item: article
"""
    assert problems(text) == [
        "s.yaml:6: source 'a': field 'scrape.url': 'ftp://a.example/news' must start with "
        "http:// or https://",
        "s.yaml:7: source 'a': field 'scrape.item': 'div.news >> p' is not a valid CSS selector",
        "s.yaml:8: source 'a': field 'scrape.date_format': '%d' has no month, year "
        "(e.g. '%d.%m.%Y')",
        "s.yaml:9: source 'a': field 'scrape.max_pages' must be a whole number from 1 to 20",
        "s.yaml:10: source 'a': unknown key 'scrape.selector' (allowed: url, item, title, link, "
        "date, excerpt, image, date_format, max_pages)",
        "s.yaml:15: source 'b': give either 'feed' or 'scrape', not both",
        "s.yaml:17: source 'c': missing field 'feed' (or 'scrape' with the news page to read "
        "instead)",
        "s.yaml:23: source 'd': field 'scrape' must be a mapping with at least 'url: <news page>'",
        "s.yaml:28: source 'e': missing field 'scrape.url' (the news page to read)",
    ]


def test_a_news_page_read_by_two_sources_is_an_error() -> None:
    text = (
        SCRAPED
        + """\
  - id: leipzig-zwei
    name: Stadtforum Leipzig (Archiv)
    homepage: https://www.stadtforum-leipzig.de/archiv/
    scrape:
      url: https://WWW.stadtforum-leipzig.de/#start
"""
    )
    assert problems(text) == [
        "s.yaml:25: source 'leipzig-zwei': news page https://WWW.stadtforum-leipzig.de/#start is "
        "already the news page of source 'leipzig-stadtforum' (line 6)"
    ]


def test_a_private_news_page_is_refused_unless_allowed() -> None:
    text = """\
sources:
  - id: intern
    name: Intern
    homepage: https://forum.example/
    scrape:
      url: http://127.0.0.1:8080/news
"""
    found = problems(text)
    assert len(found) == 1 and found[0].startswith("s.yaml:6: source 'intern': field 'scrape.url'")
    assert "AGGREGATOR_ALLOW_PRIVATE_URLS=1" in found[0]
    assert parse_sources(text, allow_private=True)[0].url == "http://127.0.0.1:8080/news"


def test_topics_in_sources_yaml_replace_the_packaged_taxonomy() -> None:
    from aggregator.config import parse_config

    text = (
        GOOD
        + """\
topics:
  denkmalpflege:
    label: Denkmalpflege
    signals: [Denkmal*, Abriss, abreißen, Gründerzeithaus]
    weak: [Sanierung]
  wohnen:
    label: Wohnen
    signals: [Leerstand]
"""
    )
    config = parse_config(text)
    assert config.taxonomy is not None
    assert [(t.key, t.label) for t in config.taxonomy.topics] == [
        ("denkmalpflege", "Denkmalpflege"),
        ("wohnen", "Wohnen"),
    ]
    assert parse_config(GOOD).taxonomy is None  # the packaged one


def test_a_bad_topics_block_is_one_line_with_its_line_number() -> None:
    text = (
        GOOD
        + """\
topics:
  denkmalpflege:
    label: Denkmalpflege
    signals: keine Liste
"""
    )
    found = problems(text)
    assert found == ["s.yaml:17: topics.denkmalpflege.signals: must be a list of words"]
