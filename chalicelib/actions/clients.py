"""AWS clients for the action functions, created on first use and kept for warm invocations.

Takes: a service name and optionally a region (default from `chalicelib.config`). Gives: a
boto3 client (`client`); `reset_clients` forgets them (tests switch endpoints between runs).
boto3 itself honours AWS_ENDPOINT_URL, which is how local mode points these clients at moto.
"""
from __future__ import annotations

import threading
from typing import Any

from chalicelib import config

_clients: dict[tuple[str, str], Any] = {}
_lock = threading.Lock()


def client(service: str, region: str | None = None) -> Any:
    """Gives the cached boto3 client for `service` in `region` (created lazily)."""
    key = (service, config.resolve_region(region))
    with _lock:
        cached = _clients.get(key)
        if cached is None:
            import boto3

            cached = boto3.client(service, region_name=key[1])
            _clients[key] = cached
        return cached


def reset_clients() -> None:
    """Forgets every cached client."""
    with _lock:
        _clients.clear()
