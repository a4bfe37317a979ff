"""Feed discovery: announced feeds, common feed paths, the way to the news page."""

from __future__ import annotations

from pathlib import Path

import pytest

from aggregator.errors import ParseError
from aggregator.parse.discover import FeedLink, common_feed_urls, feed_links, news_page_links

DATA = Path(__file__).parent.parent / "data" / "discover"


def test_wordpress_homepage_feed_and_comment_feed_without_rest_or_oembed_links() -> None:
    content = (DATA / "wordpress-home.html").read_bytes()
    assert feed_links(content, url="https://www.stadtforum-leipzig.de/") == (
        FeedLink(
            "https://www.stadtforum-leipzig.de/feed/", "Stadtforum Leipzig » Feed", "rss", False
        ),
        FeedLink(
            "https://www.stadtforum-leipzig.de/comments/feed/",
            "Stadtforum Leipzig » Kommentar-Feed",
            "rss",
            True,
        ),
    )  # the LVZ and Feedburner links in the footer are other sites' <a>, not announced feeds


def test_relative_feed_urls_resolve_and_duplicates_and_javascript_are_dropped() -> None:
    content = (DATA / "relative-feeds.html").read_bytes()
    assert feed_links(content, url="http://dresdens-erben.de/verein/start.htm") == (
        FeedLink(
            "http://dresdens-erben.de/verein/index.php?type=100",
            "Neues von Dresdens Erben",
            "rss",
            False,
        ),
        FeedLink("http://dresdens-erben.de/verein/neues/atom.xml", "Atom", "atom", False),
        FeedLink("http://dresdens-erben.de/feed.json", "JSON Feed", "json", False),
        FeedLink(
            "http://dresdens-erben.de/verein/neues/elbhang/comments.xml",
            "Kommentare zu: Elbhang",
            "rss",
            True,
        ),
        FeedLink("http://dresdens-erben.de/verein/neues/rss.xml", "RSS", "rss", False),
    )


def test_a_page_without_feeds_has_none_but_names_its_news_page() -> None:
    content = (DATA / "aktuelles-menu.html").read_bytes()
    url = "http://www.kuratorium-altstadt-pirna.de/"
    assert feed_links(content, url=url) == ()
    assert news_page_links(content, url=url) == (
        "http://www.kuratorium-altstadt-pirna.de/termine-aktuelles/",
        "https://blog.kuratorium-altstadt-pirna.de/",
        "http://www.kuratorium-altstadt-pirna.de/presse/",
        "http://www.kuratorium-altstadt-pirna.de/category/allgemein/aktuelles/page/2/",
    )  # not the newsletter, the PDF, the newspaper, the homepage


def test_news_page_of_a_wordpress_homepage() -> None:
    content = (DATA / "wordpress-home.html").read_bytes()
    assert news_page_links(content, url="https://www.stadtforum-leipzig.de/") == (
        "https://www.stadtforum-leipzig.de/category/aktuelles/",
    )


def test_news_page_links_are_at_most_five_exact_words_first() -> None:
    words = ["Presse", "Blog", "Nachrichten", "News", "Neuigkeiten", "Aktuelles", "Meldungen"]
    body = "".join(f'<a href="/{word.lower()}/">{word}</a>' for word in words)
    content = f"<html><body>{body}</body></html>".encode()
    assert news_page_links(content, url="https://stadtforum-zittau.de/") == (
        "https://stadtforum-zittau.de/neuigkeiten/",
        "https://stadtforum-zittau.de/aktuelles/",
        "https://stadtforum-zittau.de/nachrichten/",
        "https://stadtforum-zittau.de/news/",
        "https://stadtforum-zittau.de/meldungen/",
    )


def test_common_feed_urls_at_the_root() -> None:
    assert common_feed_urls("https://www.stadtforum-gotha.de") == (
        "https://www.stadtforum-gotha.de/feed/",
        "https://www.stadtforum-gotha.de/?feed=rss2",
        "https://www.stadtforum-gotha.de/rss.xml",
        "https://www.stadtforum-gotha.de/atom.xml",
        "https://www.stadtforum-gotha.de/feed.xml",
        "https://www.stadtforum-gotha.de/index.xml",
        "https://www.stadtforum-gotha.de/index.php?type=100",
        "https://www.stadtforum-gotha.de/?format=feed&type=rss",
        "https://www.stadtforum-gotha.de/rss/blog",
        "https://www.stadtforum-gotha.de/feed.php",
        "https://www.stadtforum-gotha.de/feed.json",
        "https://www.stadtforum-gotha.de/rss/",
    )


def test_common_feed_urls_of_a_site_in_a_subfolder_come_first_then_the_root() -> None:
    urls = common_feed_urls("http://example.de/stadtforum/index.html?seite=1#oben")
    assert len(urls) == 24
    assert urls[:2] == (
        "http://example.de/stadtforum/feed/",
        "http://example.de/stadtforum/?feed=rss2",
    )
    assert urls[12:14] == ("http://example.de/feed/", "http://example.de/?feed=rss2")
    assert len(set(urls)) == 24


@pytest.mark.parametrize("homepage", ["", "javascript:alert(1)", "ftp://example.de/", "/relativ"])
def test_common_feed_urls_of_no_http_url(homepage: str) -> None:
    assert common_feed_urls(homepage) == ()


def test_a_feed_instead_of_a_homepage_is_not_html() -> None:
    with pytest.raises(ParseError) as raised:
        feed_links(b'<?xml version="1.0"?><rss version="2.0"></rss>', url="https://x.de/")
    assert raised.value.reason == "not_html"
