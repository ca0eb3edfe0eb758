"""The `stepwise` remote commands against the real app served over HTTP on loopback.

Reuses the compat session (`served`: moto plus the Chalice app on 127.0.0.1; `tables`,
`runner`, `admin`: see tests/compat/conftest.py) and adds:
- `cli`: runs ``main(argv)`` pointed at the served app with the admin's key through
  STEPWISE_URL / STEPWISE_API_KEY, from an empty directory and home, so that no config file
  of this machine is read; gives `Ran` (exit code, stdout, stderr), with the server's
  request log kept out of that stderr;
- `api_get`: a GET on the served app with the admin's key, decoded, for checks that do not
  go through the command line.
"""
from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from stepwise.cli import main
from tests.compat.conftest import admin, runner, served, tables  # noqa: F401


@dataclass
class Ran:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


@pytest.fixture
def cli(served, admin, runner, monkeypatch, tmp_path, capsys) -> Callable[..., Ran]:  # noqa: F811
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("STEPWISE_CONFIG", raising=False)
    monkeypatch.setenv("STEPWISE_URL", served.url)
    monkeypatch.setenv("STEPWISE_API_KEY", admin.token)
    monkeypatch.chdir(tmp_path)
    # the server's thread logs each request to this process's stderr, the command's stderr
    from chalice.local import ChaliceRequestHandler
    monkeypatch.setattr(ChaliceRequestHandler, "log_message", lambda *args: None)

    def run(*argv: str | int) -> Ran:
        capsys.readouterr()
        code = main([str(arg) for arg in argv])
        captured = capsys.readouterr()
        return Ran(code, captured.out, captured.err)

    return run


@pytest.fixture
def api_get(served, admin) -> Callable[[str], object]:  # noqa: F811
    def get(path: str):
        request = urllib.request.Request(served.url.rstrip("/") + path,
                                         headers={"Authorization": f"Bearer {admin.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    return get


def write(directory: Path, name: str, text: str) -> str:
    path = directory / name
    path.write_text(text, encoding="utf-8")
    return str(path)
