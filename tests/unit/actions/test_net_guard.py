"""SSRF guard decisions: which URLs, hosts and addresses std.http may call."""
from __future__ import annotations

import ipaddress

import pytest

from chalicelib.actions import net_guard
from chalicelib.actions.errors import ActionInputError, ForbiddenTarget, HttpConnectionError

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.255.0.9", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("::ffff:7f00:1", "loopback"),
    ("2002:7f00:1::", "loopback"),  # 6to4 wrapping 127.0.0.1
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("169.254.169.254", "link-local"),
    ("::ffff:169.254.169.254", "link-local"),
    ("fe80::1", "link-local"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("::ffff:10.1.2.3", "private"),
    ("2002:a00:1::", "private"),  # 6to4 wrapping 10.0.0.1
    ("fc00::1", "private"),
    ("fd00:ec2::254", "private"),  # the IPv6 instance metadata address
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "private"),
    ("255.255.255.255", "private"),
    ("100.64.0.1", "non-global"),
    ("192.0.2.10", "private"),
    ("2001:db8::1", "private"),
]
ALLOWED = ["93.184.216.34", "8.8.8.8", "172.32.0.1", "2606:4700:4700::1111",
           "::ffff:8.8.8.8", "2002:808:808::"]


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused_addresses(text: str, reason: str) -> None:
    assert net_guard.address_problem(ipaddress.ip_address(text)) == reason


@pytest.mark.parametrize("text", ALLOWED)
def test_public_addresses_are_allowed(text: str) -> None:
    assert net_guard.address_problem(ipaddress.ip_address(text)) is None


@pytest.mark.parametrize("text", ["127.0.0.1", "::1", "::ffff:127.0.0.1"])
def test_loopback_only_when_allowed(text: str) -> None:
    assert net_guard.address_problem(ipaddress.ip_address(text), allow_loopback=True) is None


@pytest.mark.parametrize("text", ["10.0.0.1", "169.254.169.254", "0.0.0.0", "fd00::1"])
def test_allowing_loopback_allows_nothing_else(text: str) -> None:
    assert net_guard.address_problem(ipaddress.ip_address(text), allow_loopback=True)


@pytest.mark.parametrize(("host", "address"), [
    ("2130706433", "127.0.0.1"),
    ("0177.0.0.1", "127.0.0.1"),
    ("0x7f.0.0.1", "127.0.0.1"),
    ("0x7f000001", "127.0.0.1"),
    ("127.1", "127.0.0.1"),
    ("0", "0.0.0.0"),
    ("017700000001", "127.0.0.1"),
    ("169.254.43518", "169.254.169.254"),
    ("0xa9fea9fe", "169.254.169.254"),
    ("10.1", "10.0.0.1"),
])
def test_legacy_numeric_hosts_read_like_the_c_resolver(host: str, address: str) -> None:
    assert net_guard.literal_address(host) == ipaddress.ip_address(address)


@pytest.mark.parametrize("host", ["1.2.3.4.5", "256.1.1.1", "1.2.65536", "08.1.1.1"])
def test_numeric_hosts_that_are_no_address_are_refused(host: str) -> None:
    with pytest.raises(ActionInputError, match="neither a valid address"):
        net_guard.literal_address(host)


def test_names_are_not_numeric() -> None:
    assert net_guard.literal_address("example.com") is None
    assert net_guard.literal_address("1e100.net") is None


def _never(host: str) -> list[str]:
    raise AssertionError(f"resolver called for {host}")


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost/", "http://LOCALHOST./x", "http://0.0.0.0:8080/",
    "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://2130706433/", "http://0177.0.0.1/",
    "http://0x7f.1/", "http://169.254.169.254/latest/meta-data/", "http://[fd00:ec2::254]/",
    "https://10.0.0.8/", "http://192.168.0.1:80/", "http://user:pw@127.0.0.1/",
])
def test_urls_to_internal_addresses_are_refused(url: str) -> None:
    endpoint = net_guard.parse_url(url)
    with pytest.raises(ForbiddenTarget):
        net_guard.resolve(endpoint.host)


def test_host_names_are_judged_by_every_address_they_resolve_to() -> None:
    def resolver(host: str) -> list[str]:
        return {"mixed.test": ["93.184.216.34", "10.0.0.1"],
                "metadata.test": ["169.254.169.254"],
                "public.test": ["2606:4700:4700::1111", "93.184.216.34"]}[host]

    with pytest.raises(ForbiddenTarget, match=r"resolves to 10\.0\.0\.1.*private"):
        net_guard.resolve("mixed.test", resolver=resolver)
    with pytest.raises(ForbiddenTarget, match="link-local"):
        net_guard.resolve("metadata.test", resolver=resolver)
    assert net_guard.resolve("public.test", resolver=resolver) == "2606:4700:4700::1111"


def test_literal_addresses_skip_the_resolver() -> None:
    assert net_guard.resolve("8.8.8.8", resolver=_never) == "8.8.8.8"
    assert net_guard.resolve("127.0.0.1", allow_loopback=True, resolver=_never) == "127.0.0.1"
    assert net_guard.resolve("2130706433", allow_loopback=True, resolver=_never) == "127.0.0.1"


def test_unresolvable_hosts_are_connection_errors() -> None:
    def resolver(host: str) -> list[str]:
        raise OSError("no such host")

    with pytest.raises(HttpConnectionError, match="cannot resolve host 'nowhere.test'"):
        net_guard.resolve("nowhere.test", resolver=resolver)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/", "gopher://x/",
                                 "javascript:alert(1)", "//example.com/", "example.com"])
def test_only_http_and_https_schemes(url: str) -> None:
    with pytest.raises(ForbiddenTarget, match="scheme"):
        net_guard.parse_url(url)


@pytest.mark.parametrize("url", ["", None, 42, "http://", "http://[::1/"])
def test_malformed_urls(url: object) -> None:
    with pytest.raises(ActionInputError):
        net_guard.parse_url(url)


def test_parse_url_gives_host_and_default_ports() -> None:
    assert net_guard.parse_url("HTTPS://Example.COM./a") == net_guard.Endpoint(
        "https", "example.com", 443)
    assert net_guard.parse_url("http://[::1]:8080/").port == 8080


def test_safe_url_drops_credentials_and_query() -> None:
    shown = net_guard.safe_url("https://bob:hunter2@api.test:8443/v1/x?token=s3cret#frag")
    assert shown == "https://api.test:8443/v1/x"
