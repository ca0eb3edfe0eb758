"""std.http against a real HTTP server on 127.0.0.1 (loopback allowed by config)."""
from __future__ import annotations

import datetime
import json
import ssl
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from chalicelib import config
from chalicelib.actions import http_action, std_actions
from chalicelib.actions.errors import ForbiddenTarget, HttpError, HttpTimeout

from .conftest import LocalHTTPServer, _Handler


def http(params: dict[str, Any]) -> Any:
    return std_actions.handler({"action": "std.http", "input": params, "task": "t",
                                "execution": "e"}, None)


@pytest.fixture
def loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.HTTP_ALLOW_LOOPBACK, "true")


def test_get_json(http_server: LocalHTTPServer, loopback: None) -> None:
    result = http({"url": f"{http_server.url}/json"})
    assert result["status"] == 200
    assert result["content"] == {"hello": "world", "n": [1, 2]}
    assert result["headers"]["X-Reply"] == "yes"
    assert "truncated" not in result


def test_post_body_params_and_headers(http_server: LocalHTTPServer, loopback: None) -> None:
    result = http({"url": f"{http_server.url}/echo?a=1", "method": "POST",
                   "params": {"b": ["x", "y"]}, "body": {"k": "v"},
                   "headers": {"X-Trace": "abc"}, "auth": "bob:pw"})
    echoed = result["content"]
    assert echoed["method"] == "POST"
    assert json.loads(echoed["body"]) == {"k": "v"}
    assert echoed["query"] == {"a": ["1"], "b": ["x", "y"]}
    assert echoed["headers"]["x-trace"] == "abc"
    assert echoed["headers"]["content-type"] == "application/json"
    assert echoed["headers"]["authorization"].startswith("Basic ")
    assert echoed["headers"]["host"] == http_server.url.removeprefix("http://")


def test_text_and_head(http_server: LocalHTTPServer, loopback: None) -> None:
    assert http({"url": f"{http_server.url}/text"})["content"] == "plain words"
    head = http({"url": f"{http_server.url}/json", "method": "HEAD"})
    assert (head["status"], head["content"]) == (200, "")


def test_404_fails_with_http_error(http_server: LocalHTTPServer, loopback: None) -> None:
    with pytest.raises(HttpError) as raised:
        http({"url": f"{http_server.url}/missing?token=s3cret"})
    assert raised.value.status_code == 404
    cause = json.loads(str(raised.value))
    assert cause["status"] == 404 and cause["content"] == {"error": "no such thing"}
    assert "s3cret" not in str(raised.value)


def test_timeout(http_server: LocalHTTPServer, loopback: None) -> None:
    started = time.monotonic()
    with pytest.raises(HttpTimeout, match="timed out after 0.3 s"):
        http({"url": f"{http_server.url}/slow", "timeout": 0.3})
    assert time.monotonic() - started < 1.2


def test_big_bodies_are_truncated(http_server: LocalHTTPServer, loopback: None) -> None:
    result = http({"url": f"{http_server.url}/big"})
    assert result["truncated"] is True
    assert len(result["content"]) == http_action.MAX_CONTENT_BYTES


def test_redirects(http_server: LocalHTTPServer, loopback: None) -> None:
    assert http({"url": f"{http_server.url}/redirect"})["content"]["hello"] == "world"
    kept = http({"url": f"{http_server.url}/redirect", "allow_redirects": False})
    assert kept["status"] == 302 and kept["headers"]["Location"] == "/json"
    moved = http({"url": f"{http_server.url}/redirect-other-host", "auth": "bob:pw",
                  "headers": {"X-Trace": "abc"}})
    assert moved["content"]["headers"]["host"].startswith("localhost:")
    assert "authorization" not in moved["content"]["headers"]
    assert moved["content"]["headers"]["x-trace"] == "abc"


def test_redirects_to_forbidden_targets_are_refused(http_server: LocalHTTPServer,
                                                     loopback: None) -> None:
    with pytest.raises(ForbiddenTarget, match="'file'"):
        http({"url": f"{http_server.url}/redirect-file"})
    with pytest.raises(ForbiddenTarget, match="link-local"):
        http({"url": f"{http_server.url}/redirect-metadata"})


def test_loopback_is_refused_unless_config_allows_it(http_server: LocalHTTPServer) -> None:
    before = http_server.hits
    for url in (f"{http_server.url}/json",
                f"http://localhost:{http_server.server_address[1]}/json",
                f"http://2130706433:{http_server.server_address[1]}/json"):
        with pytest.raises(ForbiddenTarget, match="loopback"):
            http({"url": url})
    assert http_server.hits == before


def _self_signed(directory: Path, host: str) -> tuple[Path, Path]:
    """A certificate for `host` and its key, as PEM files in `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_https_connects_to_the_checked_address_with_the_original_host(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    host = "api.stepwise.test"
    cert_file, key_file = _self_signed(tmp_path, host)
    server = LocalHTTPServer(("127.0.0.1", 0), _Handler)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(cert_file, key_file)
    names: list[str | None] = []
    server_tls.sni_callback = lambda sock, name, context: names.append(name)
    server.socket = server_tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(http_action, "_tls_context",
                        lambda: ssl.create_default_context(cafile=str(cert_file)))
    lookups: list[str] = []

    def resolver(name: str) -> list[str]:
        lookups.append(name)
        return ["127.0.0.1"]

    try:
        port = server.server_address[1]
        result = http_action.run({"url": f"https://{host}:{port}/echo"}, allow_loopback=True,
                                 resolver=resolver)
    finally:
        server.shutdown()
        server.server_close()
    assert result["content"]["headers"]["host"] == f"{host}:{port}"
    assert names == [host] and lookups == [host]


def test_http_resolves_once_and_dials_the_checked_address(http_server: LocalHTTPServer) -> None:
    lookups: list[str] = []

    def resolver(name: str) -> list[str]:  # "api.stepwise.test" is unknown to real DNS
        lookups.append(name)
        return ["127.0.0.1"]

    port = http_server.server_address[1]
    result = http_action.run({"url": f"http://api.stepwise.test:{port}/echo"},
                             allow_loopback=True, resolver=resolver)
    assert result["content"]["headers"]["host"] == f"api.stepwise.test:{port}"
    assert lookups == ["api.stepwise.test"]
