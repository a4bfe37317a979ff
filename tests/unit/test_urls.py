"""The URL rules (aggregator.urls): http(s) check, credentials, canonical form, address policy."""

from __future__ import annotations

import ipaddress

import pytest

from aggregator.urls import (
    absolute_http_url,
    address_problem,
    canonical_url,
    control_characters,
    has_credentials,
    host_address,
    host_problem,
    is_http_url,
    url_problem,
    without_tracking,
)

# --- every spelling of an address -------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("127.1", "127.0.0.1"),
        ("0x7f.1", "127.0.0.1"),
        ("0x7F.0.0.1", "127.0.0.1"),
        ("2130706433", "127.0.0.1"),
        ("0x7f000001", "127.0.0.1"),
        ("017700000001", "127.0.0.1"),
        ("0177.0.0.01", "127.0.0.1"),
        ("127.0.0.1.", "127.0.0.1"),
        ("10.1.65535", "10.1.255.255"),
        ("0", "0.0.0.0"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1"),
        ("[0:0:0:0:0:ffff:7f00:1]", "::ffff:7f00:1"),
        ("[fe80::1%25eth0]", "fe80::1%eth0"),
        ("93.184.216.34", "93.184.216.34"),
    ],
)
def test_literal_hosts_are_read_as_getaddrinfo_reads_them(host: str, address: str) -> None:
    assert host_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize(
    "host", ["example.org", "08.1", "256.1.1.1.1", "1.2.3.4.5", "4294967296", "1_0", "+1", "[::1"]
)
def test_names_and_impossible_numbers_are_not_addresses(host: str) -> None:
    assert host_address(host) is None


@pytest.mark.parametrize(
    ("address", "what"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.0.0.1", "private"),
        ("172.16.5.4", "private"),
        ("192.168.1.1", "private"),
        ("fd12:3456::1", "private"),
        ("100.64.0.1", "CGNAT"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("255.255.255.255", "reserved"),
        ("240.0.0.1", "reserved"),
        ("192.0.2.1", "reserved"),  # documentation
        ("fec0::1", "site-local"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "reserved"),  # IPv4-compatible
        ("64:ff9b::7f00:1", "loopback"),  # NAT64 of 127.0.0.1
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:7f00:1::1", "loopback"),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", "link-local"),  # 6to4 of 169.254.169.254
        ("2001::1", "reserved"),  # Teredo
        ("64:ff9b:1::1", "reserved"),  # local-use NAT64
    ],
)
def test_non_public_addresses_are_refused(address: str, what: str) -> None:
    problem = address_problem(ipaddress.ip_address(address))
    assert problem is not None
    assert what in problem


@pytest.mark.parametrize(
    "address",
    [
        "93.184.216.34",
        "2606:4700::1",
        "::ffff:93.184.216.34",
        "64:ff9b::5db8:d822",
        "2002:5db8:d822::1",
    ],
)
def test_public_addresses_pass(address: str) -> None:
    assert address_problem(ipaddress.ip_address(address)) is None


def test_private_addresses_pass_only_when_allowed_and_link_local_never() -> None:
    allowed = ["127.0.0.1", "::1", "10.0.0.1", "192.168.1.1", "fd00::1", "::ffff:127.0.0.1"]
    for address in allowed:
        assert address_problem(ipaddress.ip_address(address), allow_private=True) is None
    never = ["169.254.169.254", "0.0.0.0", "224.0.0.1", "fe80::1", "::", "::127.0.0.1"]
    for address in never:
        assert address_problem(ipaddress.ip_address(address), allow_private=True) is not None


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://0x7f.1/",
        "http://2130706433/",
        "http://017700000001/",
        "http://127.1:8080/feed",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://localhost/",
        "http://LOCALHOST./",
        "http://forum.localhost/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_host_problem_catches_every_spelling_without_dns(url: str) -> None:
    assert host_problem(url) is not None


def test_host_problem_lets_names_and_public_addresses_through() -> None:
    assert host_problem("https://www.stadtforum-leipzig.de/feed/") is None
    assert host_problem("http://93.184.216.34/") is None
    assert host_problem("http://127.0.0.1:8000/", allow_private=True) is None
    assert host_problem("http://localhost/", allow_private=True) is None
    assert host_problem("http://169.254.169.254/", allow_private=True) is not None


# --- what an http(s) URL is -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://forum.example/feed/", None),
        ("HTTP://Forum.Example:8080/a?b=c", None),
        ("", "must be an absolute http(s) URL"),
        (None, "must be an absolute http(s) URL"),
        ("ftp://forum.example/", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("forum.example/feed", "must start with http:// or https://"),
        ("http://", "has no host name"),
        ("http://:80/", "has no host name"),
        ("https://forum.example/a b", "contains spaces"),
        (" https://forum.example/", "contains spaces"),
        ("https://forum.example/\x07", "contains control characters"),
        ("https://forum.example:99999/", "is not a valid URL"),
        ("http://[::1/", "is not a valid URL"),
    ],
)
def test_url_problem(value: object, expected: str | None) -> None:
    problem = url_problem(value)
    if expected is None:
        assert problem is None
    else:
        assert problem is not None and expected in problem
    assert is_http_url(value if isinstance(value, str) else None) == (expected is None)


def test_credentials_are_found() -> None:
    assert has_credentials("https://user:secret@forum.example/feed")
    assert has_credentials("https://user@forum.example/feed")
    assert not has_credentials("https://forum.example/feed?mail=a@b.example")
    assert not has_credentials("https://forum.example/@news")


def test_absolute_http_url_cleans_and_resolves_feed_links() -> None:
    assert (
        absolute_http_url("/a b", base="https://forum.example/x/") == "https://forum.example/a%20b"
    )
    assert absolute_http_url("https://forum.example/\n2024/") == "https://forum.example/2024/"
    assert absolute_http_url("javascript:alert(1)") is None
    assert absolute_http_url("mailto:a@b.example") is None
    assert absolute_http_url("relative/only") is None
    assert absolute_http_url("http://[::1/") is None
    assert absolute_http_url("") is None


def test_canonical_form_and_tracking_removal_live_here() -> None:
    assert (
        canonical_url("HTTPS://Forum.Example:443/a/?utm_source=x&b=2&a=1#top")
        == "https://forum.example/a/?a=1&b=2"
    )
    assert (
        without_tracking("https://forum.example/a/?p=1&fbclid=x") == "https://forum.example/a/?p=1"
    )


def test_control_characters_are_named() -> None:
    assert control_characters("Stadtforum\u0007 Leipzig\u200b\n\u2028") == [
        "U+0007",
        "U+200B",
        "U+000A",
        "U+2028",
    ]
    assert control_characters("Halle (Saale) – Weißenfels") == []
