"""Which URLs outbound HTTP from Stepwise may call: the guard against server-side request forgery.

A workflow author controls the URL of std.http, so the actions function must not become a way
into the deployment's network. Rules:
- only `http` and `https` URLs with a host;
- every address the host resolves to must be globally routable: loopback, link-local (with the
  instance metadata address 169.254.169.254), private (10/8, 172.16/12, 192.168/16,
  fc00::/7), carrier-grade NAT (100.64/10), unspecified, multicast, reserved and documentation
  ranges are refused; IPv6 forms that carry an IPv4 address (::ffff:a.b.c.d, 6to4, Teredo) are
  judged by that IPv4 address;
- hosts written as legacy numeric IPv4 (2130706433, 0177.0.0.1, 0x7f.1, 127.1) are read the way
  the C resolver reads them and judged like any address;
- loopback alone can be allowed, for local mode (`allow_loopback`).

Callers resolve once with `resolve` and connect to the address it gives, so DNS cannot answer
differently between the check and the connection.

Takes: URLs, host names, addresses, the loopback switch and optionally a resolver
(host -> address strings). Gives: the parsed `Endpoint`, the address to connect to, the reason an
address is refused (`address_problem`), a URL fit for error messages (`safe_url`); raises
`ForbiddenTarget`, `ActionInputError` or `HttpConnectionError`.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import SplitResult, urlsplit

from .errors import ActionInputError, ForbiddenTarget, HttpConnectionError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], list[str]]

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

_NUMERIC_LABEL = r"(?:0[xX][0-9a-fA-F]*|[0-9]+)"
_NUMERIC_HOST = re.compile(rf"^{_NUMERIC_LABEL}(?:\.{_NUMERIC_LABEL})*$")


@dataclass(frozen=True)
class Endpoint:
    """The scheme, host (no brackets, no trailing dot) and port a URL points at."""

    scheme: str
    host: str
    port: int


def safe_url(url: str) -> str:
    """Gives `url` without credentials, query or fragment, for error messages."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        return "<malformed URL>"
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port is not None else host
    return SplitResult(parts.scheme, netloc, parts.path, "", "").geturl()


def parse_url(url: object) -> Endpoint:
    """Takes a URL; gives its Endpoint, or raises for a non-http(s) scheme or a missing host."""
    if not isinstance(url, str) or not url.strip():
        raise ActionInputError("'url' is required and must be a non-empty string")
    try:
        parts = urlsplit(url.strip())
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise ActionInputError(f"'url' is not a valid URL: {safe_url(url)}") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "(none)"
        raise ForbiddenTarget(f"URL scheme '{shown}' is not allowed; use http or https")
    if not host:
        raise ActionInputError(f"'url' has no host: {safe_url(url)}")
    host = host.rstrip(".") if host != "." else host
    return Endpoint(scheme, host, port if port is not None else DEFAULT_PORTS[scheme])


def legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Reads 1-4 dot-separated decimal/octal/hex numbers as inet_aton does; None if not numeric.

    Raises ActionInputError for a numeric-looking host that is no valid address (e.g. 1.2.3.4.5).
    """
    if not _NUMERIC_HOST.match(host):
        return None
    labels = host.split(".")
    try:
        numbers = [_number(label) for label in labels]
    except ValueError:
        numbers = []
    if not 1 <= len(numbers) <= 4 or len(numbers) != len(labels):
        raise ActionInputError(f"host '{host}' is neither a valid address nor a host name")
    *leading, last = numbers
    last_bits = 8 * (4 - len(leading))
    if any(n > 255 for n in leading) or last >= 1 << last_bits:
        raise ActionInputError(f"host '{host}' is neither a valid address nor a host name")
    value = 0
    for number in leading:
        value = (value << 8) | number
    return ipaddress.IPv4Address((value << last_bits) | last)


def _number(label: str) -> int:
    if label[:2].lower() == "0x":
        return int(label[2:] or "0", 16)
    if len(label) > 1 and label.startswith("0"):
        return int(label, 8)
    return int(label, 10)


def literal_address(host: str) -> IPAddress | None:
    """Gives the address a host names literally (IPv4, IPv6, legacy numeric IPv4), else None."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return legacy_ipv4(host)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def address_problem(ip: IPAddress, allow_loopback: bool = False) -> str | None:
    """Gives why `ip` may not be called (e.g. "loopback", "private"), or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            problem = address_problem(embedded, allow_loopback)
            if problem is not None or ip.ipv4_mapped is not None:
                return problem
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    checks = (
        ("unspecified", ip.is_unspecified),
        ("link-local", ip.is_link_local),
        ("multicast", ip.is_multicast),
        ("private", ip.is_private),
        ("reserved", ip.is_reserved),
        ("non-global", not ip.is_global),
    )
    for reason, hit in checks:
        if hit:
            return reason
    return None


def system_resolver(host: str) -> list[str]:
    """Gives the addresses the system resolver finds for `host` (TCP), in its order."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def resolve(host: str, *, allow_loopback: bool = False,
            resolver: Resolver | None = None) -> str:
    """Gives the address to connect to for `host`, after checking every address it resolves to.

    Raises ForbiddenTarget if any is refused, HttpConnectionError if the host does not resolve.
    """
    literal = literal_address(host)
    if literal is not None:
        candidates: list[IPAddress] = [literal]
    else:
        try:
            found = (resolver or system_resolver)(host)
        except (OSError, UnicodeError):
            raise HttpConnectionError(f"cannot resolve host '{host}'") from None
        candidates = []
        for text in found:
            address = ipaddress.ip_address(text.split("%", 1)[0])
            if address not in candidates:
                candidates.append(address)
        if not candidates:
            raise HttpConnectionError(f"cannot resolve host '{host}'")
    for address in candidates:
        problem = address_problem(address, allow_loopback)
        if problem is not None:
            shown = "" if str(address) == host else f" (it resolves to {address})"
            raise ForbiddenTarget(
                f"refusing to call host '{host}'{shown}: {problem} addresses are not allowed"
            )
    return str(candidates[0])
