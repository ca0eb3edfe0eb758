"""Fixtures for the action functions on the local AWS and against a local HTTP server."""
from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from chalicelib import config
from chalicelib.actions import clients
from infra.local.host import LocalAWS


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no Stepwise settings in the environment."""
    for name in (config.ACTION_REGISTRY, config.HTTP_ALLOW_LOOPBACK, config.EMAIL_SENDER,
                 config.TOKENS_TABLE):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def local_aws() -> Iterator[LocalAWS]:
    """The local AWS, with AWS_ENDPOINT_URL exported so the actions' own clients reach it."""
    with LocalAWS(set_endpoint_env=True) as host:
        clients.reset_clients()
        yield host
    clients.reset_clients()


class _Handler(BaseHTTPRequestHandler):
    """Routes of the test server; every request is counted in `server.hits`."""

    server: "LocalHTTPServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes, content_type: str = "application/json",
              extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, status: int, value: Any, extra: dict[str, str] | None = None) -> None:
        self._send(status, json.dumps(value).encode(), extra=extra)

    def _route(self) -> None:
        self.server.hits += 1
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode() if length else ""
        port = self.server.server_address[1]
        if parts.path == "/json":
            self._json(200, {"hello": "world", "n": [1, 2]}, {"X-Reply": "yes"})
        elif parts.path == "/echo":
            self._json(200, {"method": self.command, "body": body, "query": parse_qs(parts.query),
                             "headers": {k.lower(): v for k, v in self.headers.items()}})
        elif parts.path == "/text":
            self._send(200, "plain words".encode(), "text/plain; charset=utf-8")
        elif parts.path == "/missing":
            self._json(404, {"error": "no such thing"})
        elif parts.path == "/slow":
            time.sleep(1.5)
            self._json(200, {"late": True})
        elif parts.path == "/big":
            self._send(200, b"x" * (300 * 1024), "text/plain")
        elif parts.path == "/redirect":
            self._send(302, b"", extra={"Location": "/json"})
        elif parts.path == "/redirect-other-host":
            self._send(302, b"", extra={"Location": f"http://localhost:{port}/echo"})
        elif parts.path == "/redirect-file":
            self._send(302, b"", extra={"Location": "file:///etc/passwd"})
        elif parts.path == "/redirect-metadata":
            self._send(302, b"", extra={"Location": "http://169.254.169.254/latest/meta-data/"})
        else:
            self._json(500, {"error": "unknown route"})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _route


class LocalHTTPServer(ThreadingHTTPServer):
    """A threaded HTTP server on 127.0.0.1 that counts requests."""

    daemon_threads = True
    hits = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that gave up (timeouts) are expected; keep test output quiet."""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture(scope="session")
def http_server() -> Iterator[LocalHTTPServer]:
    """The test HTTP server, serving from a background thread."""
    server = LocalHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
