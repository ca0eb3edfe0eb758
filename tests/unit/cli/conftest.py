"""`stub_api`: a canned HTTP API on loopback (standard library server, one per test).

Tests register answers with ``stub_api.answer(method, path, body, status=200, headers={})``
(path with its query string, exactly as requested; bytes are sent as they are, anything else
as JSON) or ``stub_api.answer_in_turn(method, path, bodies)`` (each in turn, the last one
repeatedly), and read what came in ``stub_api.requests`` as `Seen`. Unregistered
requests get a 404 in the API's error format. ``stub_api.url`` is the base URL, also in
STEPWISE_URL (with STEPWISE_API_KEY ``sw_test-key``).
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: object


@dataclass
class StubApi:
    url: str = ""
    answers: dict[tuple[str, str], list[tuple[int, object, dict]]] = field(default_factory=dict)
    requests: list[Seen] = field(default_factory=list)

    def answer(self, method: str, path: str, body: object, status: int = 200,
               headers: dict[str, str] | None = None) -> None:
        self.answers[(method, path)] = [(status, body, headers or {})]

    def answer_in_turn(self, method: str, path: str, bodies: list[object]) -> None:
        self.answers[(method, path)] = [(200, b, {}) for b in bodies]

    def next_answer(self, method: str, path: str) -> tuple[int, object, dict]:
        queue = self.answers.get((method, path))
        if not queue:
            return 404, {"error": "not_found", "code": 404,
                         "errorDescription": "The requested resource could not be found."}, {}
        return queue.pop(0) if len(queue) > 1 else queue[0]


def _handler(stub: StubApi):
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            stub.requests.append(Seen(self.command, self.path, dict(self.headers.items()),
                                      json.loads(raw) if raw else None))
            status, body, headers = stub.next_answer(self.command, self.path)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = _serve

        def log_message(self, *args) -> None:  # keep the test's stderr for the command
            pass

    return Handler


@pytest.fixture
def stub_api(monkeypatch, tmp_path) -> Iterator[StubApi]:
    """Also the settings' places made empty: no config file of this machine is read."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("STEPWISE_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    stub = StubApi()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(stub))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    stub.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("STEPWISE_URL", stub.url)
    monkeypatch.setenv("STEPWISE_API_KEY", "sw_test-key")
    yield stub
    server.shutdown()
    server.server_close()
