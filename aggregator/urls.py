"""URL rules in one place: what counts as an http(s) URL, its canonical form, and which hosts
and addresses may be fetched. Pure: no network, no DNS, no httpx.

Used by config (sources.yaml), settings (base URL), normalize (links of entries), publishing
(what a page may link to) and the fetcher (every redirect hop, every resolved address).

Address policy (`address_problem`): a fetch may only reach a public unicast address. Refused
always: unspecified (0.0.0.0, ::), link-local (169.254/16 with the cloud metadata address
169.254.169.254, fe80::/10), multicast, broadcast, reserved and documentation ranges, site-local
fec0::/10, and anything else Python does not call `is_global`. Refused unless private addresses
are allowed (AGGREGATOR_ALLOW_PRIVATE_URLS=1): loopback (127/8, ::1), private networks
(10/8, 172.16/12, 192.168/16, fc00::/7) and CGNAT (100.64/10). IPv6 forms that carry an IPv4
address (IPv4-mapped ::ffff:a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the IPv4
address inside; IPv4-compatible (::a.b.c.d), local-use NAT64 and Teredo are refused.

Literal hosts are read the way inet_aton/getaddrinfo read them (`host_address`): "0x7f.1",
"2130706433", "017700000001" and "127.1" are all 127.0.0.1, so that no spelling slips past.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import unquote, unquote_plus, urljoin, urlsplit, urlunsplit

__all__ = [
    "TRACKING_PARAMETERS",
    "TRACKING_PREFIXES",
    "IPAddress",
    "absolute_http_url",
    "address_problem",
    "canonical_url",
    "control_characters",
    "has_credentials",
    "host_address",
    "host_problem",
    "is_http_url",
    "is_localhost_name",
    "url_problem",
    "without_tracking",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_SCHEMES = ("http", "https")
_URL_NOISE = dict.fromkeys(map(ord, "\t\r\n"))  # browsers drop these inside URLs
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_HOST_PORT = re.compile(r"^(\[[^\]]*\]|[^:]*)(?::(\d*))?$")
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "twclid",
        "ttclid", "li_fat_id", "mc_cid", "mc_eid", "_hsenc", "_hsmi", "__hssc", "__hstc",
        "__hsfp", "hsctatracking", "igshid", "igsh", "yclid", "_openstat", "wt_mc", "wt.mc_id",
        "wt_zmc", "ref_src", "ref_url", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
        "vero_conv", "s_cid", "_ga", "_gl",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")  # Google Analytics, Matomo/Piwik


# --- what an http(s) URL is -------------------------------------------------------------------


def url_problem(value: object) -> str | None:
    """Why `value` is not an absolute http(s) URL with a host, or None when it is one.

    The one check for URLs that people give (sources.yaml, settings) and that pages link to.
    """
    if not isinstance(value, str) or not value.strip():
        return "must be an absolute http(s) URL"
    if " " in value or not value.isprintable():  # both in C: this runs for every link published
        if value != value.strip() or any(c.isspace() for c in value):
            return f"'{value}' contains spaces"
        return f"{value!r} contains control characters"
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        return f"'{value}' is not a valid URL"
    if parts.scheme.lower() not in _SCHEMES:
        return f"'{value}' must start with http:// or https://"
    if not parts.hostname:
        return f"'{value}' has no host name"
    return None


def is_http_url(value: str | None) -> bool:
    """True for an absolute http(s) URL with a host (`url_problem` finds nothing)."""
    return value is not None and url_problem(value) is None


def absolute_http_url(value: str | None, *, base: str | None = None) -> str | None:
    """A URL from a feed made usable: tabs and line breaks dropped (as browsers do), resolved
    against `base`, spaces encoded; None unless the result passes `url_problem`."""
    if not value:
        return None
    value = value.strip().translate(_URL_NOISE)
    if not value:
        return None
    try:
        if base:
            value = urljoin(base.strip(), value)
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    value = value.replace(" ", "%20")
    return value if url_problem(value) is None else None


def has_credentials(url: str) -> bool:
    """True when the URL carries a user name or password ("https://user:pw@host/")."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "@" in url
    return "@" in parts.netloc


# --- canonical form ---------------------------------------------------------------------------


def canonical_url(url: str) -> str:
    """The URL as a dedup key: the same page linked in different ways gives the same string.

    Scheme and host lower-case (an internationalized host stays as written), default port,
    fragment and tracking parameters (utm_*, fbclid, …) removed, remaining query parameters
    sorted, an empty path written as "/".
    """
    url = url.strip().translate(_URL_NOISE)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    scheme = parts.scheme.lower()
    netloc = _canonical_netloc(parts.netloc, scheme)
    path = parts.path or ("/" if netloc else "")
    query = "&".join(
        sorted(pair for pair in parts.query.split("&") if pair and not _is_tracking(pair))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def without_tracking(url: str) -> str:
    """`url` without its tracking parameters; everything else stays as written."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if not parts.query:
        return url
    pairs = parts.query.split("&")
    kept = [pair for pair in pairs if pair and not _is_tracking(pair)]
    if len(kept) == len(pairs):
        return url
    return urlunsplit(parts._replace(query="&".join(kept)))


def _canonical_netloc(netloc: str, scheme: str) -> str:
    userinfo, at, host_port = netloc.rpartition("@")
    match = _HOST_PORT.match(host_port)
    if match is None:
        return userinfo + at + host_port.lower()
    host, port = match.group(1).lower(), match.group(2)
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]
    if port is not None and (not port or port.lstrip("0") == _DEFAULT_PORTS.get(scheme)):
        port = None
    return userinfo + at + host + (f":{port}" if port else "")


def _is_tracking(pair: str) -> bool:
    name = unquote_plus(pair.partition("=")[0]).lower()
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)


# --- which addresses may be fetched -----------------------------------------------------------

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network
_LOOPBACK_V4 = _V4("127.0.0.0/8")
_PRIVATE_V4 = (_V4("10.0.0.0/8"), _V4("172.16.0.0/12"), _V4("192.168.0.0/16"))
_CGNAT = _V4("100.64.0.0/10")
_THIS_NETWORK = _V4("0.0.0.0/8")
_LINK_LOCAL_V4 = _V4("169.254.0.0/16")
_MULTICAST_V4 = _V4("224.0.0.0/4")
_RESERVED_V4 = _V4("240.0.0.0/4")  # with the broadcast address 255.255.255.255
_UNIQUE_LOCAL = _V6("fc00::/7")
_LINK_LOCAL_V6 = _V6("fe80::/10")
_SITE_LOCAL = _V6("fec0::/10")
_MULTICAST_V6 = _V6("ff00::/8")
_NAT64 = _V6("64:ff9b::/96")  # RFC 6052 well-known prefix: the last 32 bits are IPv4
_NAT64_LOCAL = _V6("64:ff9b:1::/48")  # RFC 8215: local use
_COMPATIBLE = _V6("::/96")  # deprecated IPv4-compatible addresses
_SIX_TO_FOUR = _V6("2002::/16")
_TEREDO = _V6("2001::/32")
_HEX = re.compile(r"0[xX][0-9a-fA-F]*")
_OCTAL = re.compile(r"0[0-7]+")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def address_problem(address: IPAddress, *, allow_private: bool = False) -> str | None:
    """None when a fetch may connect to `address`; otherwise what the address is, e.g.
    "a loopback address". Loopback, private and CGNAT addresses pass with `allow_private`."""
    if isinstance(address, ipaddress.IPv6Address):
        return _v6_problem(address, allow_private)
    if address in _THIS_NETWORK:
        return "an unspecified address"
    if address in _LOOPBACK_V4:
        return None if allow_private else "a loopback address"
    if any(address in network for network in _PRIVATE_V4):
        return None if allow_private else "a private address"
    if address in _CGNAT:
        return None if allow_private else "a private (CGNAT) address"
    if address in _LINK_LOCAL_V4:
        return "a link-local address"
    if address in _MULTICAST_V4:
        return "a multicast address"
    if address in _RESERVED_V4 or not address.is_global:
        return "a reserved address"
    return None


def _v6_problem(address: ipaddress.IPv6Address, allow_private: bool) -> str | None:
    if address.scope_id:
        address = ipaddress.IPv6Address(address.packed)  # fe80::1%eth0 is judged as fe80::1
    if address.ipv4_mapped is not None:
        return address_problem(address.ipv4_mapped, allow_private=allow_private)
    embedded = None
    if address in _NAT64:
        embedded = ipaddress.IPv4Address(address.packed[-4:])
    elif address in _SIX_TO_FOUR:
        embedded = address.sixtofour
    if embedded is not None:
        problem = address_problem(embedded, allow_private=allow_private)
        return f"{problem} inside an IPv6 address" if problem else None
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return None if allow_private else "a loopback address"
    if address in _COMPATIBLE or address in _NAT64_LOCAL or address in _TEREDO:
        return "a reserved address"
    if address in _UNIQUE_LOCAL:
        return None if allow_private else "a private address"
    if address in _LINK_LOCAL_V6:
        return "a link-local address"
    if address in _SITE_LOCAL:
        return "a site-local address"
    if address in _MULTICAST_V6:
        return "a multicast address"
    if not address.is_global:
        return "a reserved address"
    return None


def host_address(host: str) -> IPAddress | None:
    """The address a literal host names, read as getaddrinfo/inet_aton would, else None.

    Accepts "[::1]" and "::1", IPv6 with a zone ("fe80::1%eth0", also "%25eth0"), and the old
    IPv4 forms: one to four parts, each decimal, octal (leading 0) or hex (0x), the last part
    filling the remaining bytes ("127.1", "0x7f.1", "2130706433", "017700000001"). A trailing
    dot is ignored.
    """
    host = host.strip()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if ":" in host:
        try:
            return ipaddress.IPv6Address(unquote(host))
        except ValueError:
            return None
    if host.endswith("."):
        host = host[:-1]
    parts = host.split(".")
    if not 1 <= len(parts) <= 4:
        return None
    numbers = [_inet_number(part) for part in parts]
    if None in numbers:
        return None
    *head, last = [n for n in numbers if n is not None]
    if any(n > 255 for n in head) or last >= 256 ** (4 - len(head)):
        return None
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _inet_number(part: str) -> int | None:
    """One part of an inet_aton address: 0x1f, 017 (octal), 31; None when it is none."""
    if _HEX.fullmatch(part):
        return int(part[2:] or "0", 16)
    if _OCTAL.fullmatch(part):
        return int(part, 8)
    if _DECIMAL.fullmatch(part):
        return int(part)
    return None  # "", "0xg", "08", "+1", "1_0"


def is_localhost_name(host: str) -> bool:
    """ "localhost" and every name under it (RFC 6761: they all resolve to loopback)."""
    name = host.strip().rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def host_problem(url: str, *, allow_private: bool = False) -> str | None:
    """What is wrong with the host of `url` without asking DNS: a literal address that
    `address_problem` refuses, or a localhost name (unless private addresses are allowed)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return None
    if is_localhost_name(host):
        return None if allow_private else f"host '{host}' is a loopback name"
    address = host_address(host)
    if address is None:
        return None
    problem = address_problem(address, allow_private=allow_private)
    return f"host '{host}' is {problem}" if problem else None


def control_characters(text: str) -> list[str]:
    """The control, format and line-break characters in `text`, as "U+0007" (for messages)."""
    return [f"U+{ord(c):04X}" for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
