"""The local AWS host: moto's HTTP server running inside this process.

`LocalAWS` starts a `ThreadedMotoServer` on 127.0.0.1 (a free port), turns on Step Functions
execution and the Docker-free Lambda backend, installs the local adapters
(`infra.local.adapters`) and hands out boto3 clients pointed at it.

Takes: an optional region. Gives: `.endpoint_url`, `.region`, `.port`, `.client(service)`,
`.reset()`, `.stop()`; also usable as a context manager.

moto keeps its resources in process-wide backends, so two LocalAWS objects in one process would
share them (and the process-wide `MOTO_PORT`): start one per process. Never import this from
`chalicelib/` (deployed code); it is for tests and local mode.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from types import TracebackType
from typing import Any

import boto3
from botocore.config import Config

from infra.local.adapters import install_adapters

DEFAULT_REGION = "us-east-1"

# moto's configuration for local mode; it survives POST /moto-api/reset.
MOTO_CONFIG: dict[str, Any] = {
    "stepfunctions": {"execute_state_machine": True},
    "lambda": {"use_docker": False},
}

_DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": DEFAULT_REGION,
}

_QUIET_LOGGERS = ("moto.stepfunctions", "moto.awslambda", "werkzeug")


def _silence_moto_logging() -> None:
    """Raise the level of moto's chattiest loggers so failures in tests stay readable."""
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


def _post_json(url: str, body: dict[str, Any] | None) -> int:
    """POST `body` as JSON to `url`; gives the HTTP status code."""
    data = json.dumps(body or {}).encode("utf-8")
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return int(response.status)


class LocalAWS:
    """moto served over HTTP from a thread of this process, with the local adapters installed.

    `set_endpoint_env=True` also exports `AWS_ENDPOINT_URL` so code that builds its own boto3
    clients (application code, in-process Lambda handlers) reaches this server.
    """

    def __init__(self, region: str = DEFAULT_REGION, *, set_endpoint_env: bool = False) -> None:
        self.region = region
        self._set_endpoint_env = set_endpoint_env
        self._server: Any = None
        self._port: int | None = None
        self._previous_env: dict[str, str | None] = {}
        self._clients: dict[str, Any] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "LocalAWS":
        """Start the server (idempotent); gives self."""
        if self._server is not None:
            return self
        install_adapters()
        _silence_moto_logging()
        for key, value in {**_DUMMY_ENV, "AWS_DEFAULT_REGION": self.region}.items():
            if not os.environ.get(key):
                self._remember_env(key)
                os.environ[key] = value

        from moto.server import ThreadedMotoServer

        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        _, port = server.get_host_and_port()
        self._server = server
        self._port = int(port)
        # moto's Step Functions interpreter calls other services at localhost:$MOTO_PORT.
        self._remember_env("MOTO_PORT")
        os.environ["MOTO_PORT"] = str(self._port)
        if self._set_endpoint_env:
            self._remember_env("AWS_ENDPOINT_URL")
            os.environ["AWS_ENDPOINT_URL"] = self.endpoint_url
        status = _post_json(f"{self.endpoint_url}/moto-api/config", MOTO_CONFIG)
        if status not in (200, 201):
            raise RuntimeError(f"moto rejected the local configuration (HTTP {status})")
        return self

    def stop(self) -> None:
        """Stop the server and restore the environment variables this host changed."""
        if self._server is None:
            return
        self._server.stop()
        self._server = None
        self._port = None
        self._clients.clear()
        for key, value in self._previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._previous_env.clear()

    def reset(self) -> None:
        """Forget every resource moto holds (the configuration survives)."""
        status = _post_json(f"{self.endpoint_url}/moto-api/reset", None)
        if status not in (200, 201):
            raise RuntimeError(f"moto reset failed (HTTP {status})")

    def __enter__(self) -> "LocalAWS":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- access ------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("LocalAWS is not started")
        return self._port

    @property
    def endpoint_url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    def client(self, service: str) -> Any:
        """A boto3 client for `service` (dummy credentials) pointed at this server; cached."""
        cached = self._clients.get(service)
        if cached is not None:
            return cached
        created = boto3.client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint_url,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            config=Config(retries={"total_max_attempts": 1}),
        )
        self._clients[service] = created
        return created

    def _remember_env(self, key: str) -> None:
        if key not in self._previous_env:
            self._previous_env[key] = os.environ.get(key)
