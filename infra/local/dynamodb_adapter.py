"""DynamoDB writes that are atomic, as on AWS.

moto answers each request in a thread of its own and its DynamoDB handlers read an item,
compute the update and store it without a lock, so two concurrent UpdateItem calls on one
item can both see the same old item (for instance, two arrivals at a `join: N` task both
reading the same set of earlier arrivals). DynamoDB applies writes to one item one at a
time; `install()` serialises moto's item writes (PutItem, UpdateItem, DeleteItem, and the
batch and transaction forms) with one lock to give the same guarantee.

Takes: nothing at import. Gives: `install()` and `check()`.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable

from infra.local.moto_guard import require, require_module

_RESPONSES_MODULE = "moto.dynamodb.responses"
_WRITES = ("put_item", "update_item", "delete_item", "batch_write_item", "transact_write_items")
_lock = threading.RLock()


def _serialised(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def write(self: Any, *args: Any, **kwargs: Any) -> Any:
        with _lock:
            return original(self, *args, **kwargs)

    write.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return write


def check() -> None:
    """Raise MotoMismatchError if a handler this adapter wraps is missing."""
    for name in _WRITES:
        require(_RESPONSES_MODULE, f"DynamoHandler.{name}")


def install() -> None:
    """Wrap moto's DynamoDB item-write handlers in one lock (idempotent)."""
    check()
    handler = require_module(_RESPONSES_MODULE).DynamoHandler
    for name in _WRITES:
        original = getattr(handler, name)
        if not getattr(original, "__stepwise_patched__", False):
            setattr(handler, name, _serialised(original))
