"""Tiny Lambda handlers run in-process by the local Lambda adapter during tests.

Each takes (event, context) like a Lambda handler and gives a JSON value or raises.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import Counter
from typing import Any

# Task tokens handed to `remember_token`, for the test to answer with SendTaskSuccess/Failure.
TOKENS: queue.Queue[dict[str, Any]] = queue.Queue()

_calls: Counter[str] = Counter()
_calls_lock = threading.Lock()


class MyError(Exception):
    """A custom error class whose name Step Functions Retry/Catch should match."""


def calls(key: str) -> int:
    """How many times `fail_then_succeed` / `always_fail` ran for `key`."""
    with _calls_lock:
        return _calls[key]


def _count(key: str) -> int:
    with _calls_lock:
        _calls[key] += 1
        return _calls[key]


def echo(event: Any, context: Any) -> dict[str, Any]:
    """Gives the event back with the function's name."""
    return {"event": event, "function": context.function_name}


def always_fail(event: dict[str, Any], context: Any) -> None:
    """Raises MyError every time."""
    _count(event.get("key", "always_fail"))
    raise MyError(f"always failing for {event.get('key')}")


def fail_then_succeed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Raises MyError until called `event["failures"]` times for `event["key"]`, then succeeds."""
    attempt = _count(event["key"])
    if attempt <= int(event["failures"]):
        raise MyError(f"attempt {attempt} failed")
    return {"attempt": attempt}


def value_error(event: Any, context: Any) -> None:
    """Raises a built-in error (matched only by States.TaskFailed / States.ALL)."""
    raise ValueError("bad value")


def remember_token(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Keeps the event (with its task token) for the test; gives an acknowledgement."""
    TOKENS.put(event)
    return {"accepted": True}


_active = 0
_peak: Counter[str] = Counter()


def peak(key: str) -> int:
    """Most `concurrency_probe` calls for `key` that ran at the same time."""
    with _calls_lock:
        return _peak[key]


def concurrency_probe(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleeps briefly while counting how many calls overlap; gives the item back doubled."""
    global _active
    key = event["key"]
    with _calls_lock:
        _active += 1
        _peak[key] = max(_peak[key], _active)
    try:
        time.sleep(0.05)
    finally:
        with _calls_lock:
            _active -= 1
    return {"item": event["item"], "double": event["item"] * 2}


# Events received by `record_event`, by the name of the function that received them.
_received: dict[str, list[Any]] = {}


def record_event(event: Any, context: Any) -> dict[str, Any]:
    """Keeps the event (an EventBridge delivery) under the receiving function's name."""
    with _calls_lock:
        _received.setdefault(context.function_name, []).append(event)
    return {"recorded": True}


def received(function_name: str) -> list[Any]:
    """The events `record_event` kept for `function_name`, oldest first."""
    with _calls_lock:
        return list(_received.get(function_name, []))
