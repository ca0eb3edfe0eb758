"""The local stack started as a user starts it: `stepwise local` in a subprocess, real HTTP on
loopback.

`local_stack(data_dir)` gives a `Stack` (started, API answering); `Stack.stop()` sends SIGTERM
and checks the process ended cleanly. Each test uses its own data directory and port.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Stack:
    process: subprocess.Popen
    data_dir: Path
    port: int
    log: Path
    url: str = ""
    api_key: str = ""
    started_in: float = 0.0
    output: list[str] = field(default_factory=list)

    def request(self, method: str, path: str, body: object = None) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url + path, data=data, method=method,
            headers={"Authorization": f"Bearer {self.api_key}",
                     "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 30.0, signum: int = signal.SIGTERM) -> int:
        children = _children(self.process.pid)
        self.process.send_signal(signum)
        code = self.process.wait(timeout=timeout)
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()], \
            "the stack left processes behind"
        with pytest.raises(OSError):  # nothing listens on the port any more
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
        return code


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def start_stack(data_dir: Path, *extra: str) -> Stack:
    port = free_port()
    log = data_dir.parent / f"{data_dir.name}-{port}.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for name in ("AWS_ENDPOINT_URL", "CIVIS_API_ENDPOINT", "CIVIS_API_KEY"):
        env.pop(name, None)  # the stack makes its own local AWS
    started = time.monotonic()
    with open(log, "w", encoding="utf-8") as handle:
        process = subprocess.Popen(
            [sys.executable, "-m", "stepwise.cli", "local", "--port", str(port),
             "--data-dir", str(data_dir), *extra],
            cwd=PROJECT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    stack = Stack(process, data_dir, port, log)
    config = data_dir / "local.json"
    deadline = started + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"stepwise local exited {process.returncode}:\n{stack.text()}")
        if config.exists() and f":{port}" in config.read_text(encoding="utf-8"):
            settings = json.loads(config.read_text(encoding="utf-8"))
            stack.url, stack.api_key = settings["url"], settings["api_key"]
            status, _ = stack.request("GET", "/users/me")
            if status == 200:
                stack.started_in = time.monotonic() - started
                return stack
        time.sleep(0.1)
    process.kill()
    raise AssertionError(f"stepwise local did not answer in {START_TIMEOUT} s:\n{stack.text()}")


@pytest.fixture
def stacks() -> Iterator[list[Stack]]:
    """Stacks a test starts; any still running at the end is killed (and the test fails)."""
    started: list[Stack] = []
    yield started
    alive = [stack for stack in started if stack.process.poll() is None]
    for stack in alive:
        stack.process.kill()
        stack.process.wait(timeout=10)
    assert not alive, "a stack was left running"
