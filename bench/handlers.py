"""Lambda handlers for the benchmark, run in-process by the local Lambda adapter."""
from __future__ import annotations

from typing import Any

FAILING_ACTION = "bench.fail"


def ok(event: Any, context: Any) -> dict[str, Any]:
    """The actions function: succeeds at once (gives the task name and the action input),
    except for the action ``bench.fail``, which always raises."""
    event = event if isinstance(event, dict) else {}
    if event.get("action") == FAILING_ACTION:
        raise RuntimeError(f"task {event.get('task')!r} fails on purpose")
    return {"ok": True, "task": event.get("task"), "input": event.get("input")}
