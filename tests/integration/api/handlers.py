"""Users' own Lambda functions for the execution tests, run in-process by the local Lambda
backend (their Handler strings point here).

`flaky` fails while its ``key`` is listed in `BROKEN` (a test "fixes the cause" by removing
it) and otherwise gives ``{"key", "n"}``; `counted` gives ``{"n": calls so far}``. Both count
their calls per key in `CALLS`.
"""
from __future__ import annotations

import threading
from collections import Counter
from typing import Any

CALLS: Counter = Counter()
BROKEN: set[str] = set()
_lock = threading.Lock()


class CauseNotFixed(Exception):
    """Raised by `flaky` while its key is broken."""


def _count(event: dict[str, Any]) -> tuple[str, int]:
    key = str(event.get("key", ""))
    with _lock:
        CALLS[key] += 1
        return key, CALLS[key]


def flaky(event: dict[str, Any], context: Any) -> dict[str, Any]:
    key, n = _count(event)
    if key in BROKEN:
        raise CauseNotFixed(f"{key} is broken (call {n})")
    return {"key": key, "n": n}


def counted(event: dict[str, Any], context: Any) -> dict[str, Any]:
    _, n = _count(event)
    return {"n": n}
