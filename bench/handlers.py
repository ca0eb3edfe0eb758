"""Lambda handlers for the benchmark, run in-process by the local Lambda adapter."""
from __future__ import annotations

from typing import Any


def ok(event: Any, context: Any) -> dict[str, Any]:
    """Succeeds at once; gives back the task name and the action input."""
    event = event if isinstance(event, dict) else {}
    return {"ok": True, "task": event.get("task"), "input": event.get("input")}


def fail(event: Any, context: Any) -> None:
    """Always fails (for the error-handling reference workflows)."""
    raise RuntimeError(f"failing on purpose in {event.get('task') if isinstance(event, dict) else '?'}")
