"""Task states from a Step Functions execution history.

Takes: the history events (oldest first) and the entry machine's state names mapped to
(task, role). Gives: the tasks as the Civis API shows them: ``name``, ``mistral_state``
(success, error, running, cancelled), ``mistral_state_info``, and ``runs`` newest first with
``state`` (succeeded, failed, running, cancelled) and times. A run is one entry into the
state that runs the task's action; a failure is attributed to the state whose entry it
follows (through ``previousEventId``), or to the task whose error-handling state (role
``error``: the compiled machine records the failure there, with the error in ``__error`` of
its input) is entered after it.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib import clock

_FAILURES = ("TaskFailed", "TaskTimedOut", "LambdaFunctionFailed", "LambdaFunctionTimedOut",
             "ExecutionFailed", "MapStateFailed", "ParallelStateFailed")


def _time(value: Any) -> str:
    return clock.iso(value) if isinstance(value, datetime) else str(value)


def _entered_state(events_by_id: dict[int, dict], event: dict) -> str | None:
    seen = 0
    while event is not None and seen < 10_000:
        details = event.get("stateEnteredEventDetails")
        if details:
            return details["name"]
        event = events_by_id.get(event.get("previousEventId"))
        seen += 1
    return None


def _recorded_error(text: str | None) -> str | None:
    try:
        error = json.loads(text or "null").get("__error") or {}
    except (ValueError, AttributeError):
        return None
    parts = [str(error.get(k)) for k in ("Error", "Cause") if error.get(k)]
    return ": ".join(parts)[:1000] or None


def tasks(events: list[dict], states: dict[str, list[str]], *, final_status: str
          ) -> list[dict[str, Any]]:
    """The tasks that ran, in the order they first started."""
    by_id = {event["id"]: event for event in events}
    runs: dict[str, list[dict[str, Any]]] = {}
    open_runs: dict[str, dict[str, Any]] = {}  # state name -> its running run
    for event in events:
        kind = event["type"]
        entered = event.get("stateEnteredEventDetails")
        exited = event.get("stateExitedEventDetails")
        role = (states.get(entered["name"]) or [None, None])[1] if entered else None
        if role == "error":
            task_runs = runs.get(states[entered["name"]][0])
            if task_runs:
                task_runs[-1]["state"] = "failed"
                task_runs[-1]["error"] = _recorded_error(entered.get("input"))
                task_runs[-1]["finished_at"] = task_runs[-1]["finished_at"] or _time(
                    event["timestamp"])
        elif role == "task":
            task = states[entered["name"]][0]
            run = {"id": len(runs.get(task, ())) + 1, "state": "running",
                   "created_at": _time(event["timestamp"]),
                   "started_at": _time(event["timestamp"]), "finished_at": None,
                   "error": None}
            runs.setdefault(task, []).append(run)
            open_runs[entered["name"]] = run
        elif exited and exited["name"] in open_runs:
            run = open_runs.pop(exited["name"])
            if run["state"] == "running":
                run["state"] = "succeeded"
            run["finished_at"] = _time(event["timestamp"])
        elif kind in _FAILURES:
            name = _entered_state(by_id, event)
            run = open_runs.get(name) if name else None
            if run is not None:
                details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
                run["state"] = "failed"
                run["error"] = details.get("error")
                run["finished_at"] = _time(event["timestamp"])
    leftover = "cancelled" if final_status == "ABORTED" else "failed"
    for run in open_runs.values():
        if run["state"] == "running" and final_status != "RUNNING":
            run["state"] = leftover
    result = []
    for task, task_runs in runs.items():
        last = task_runs[-1]["state"]
        mistral = {"succeeded": "success", "failed": "error", "cancelled": "cancelled",
                   "running": "running"}[last]
        info = task_runs[-1]["error"] if last == "failed" else None
        result.append({"name": task, "mistral_state": mistral, "mistral_state_info": info,
                       "runs": [{k: v for k, v in run.items() if k != "error"}
                                for run in reversed(task_runs)],
                       "executions": []})
    return result
