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


def _child_execution(details: dict) -> str | None:
    """The ARN of the execution a sub-workflow task started (Step Functions' own task)."""
    if details.get("resourceType") != "states":
        return None
    try:
        return json.loads(details.get("output") or "{}").get("ExecutionArn")
    except (ValueError, AttributeError):
        return None


def _failure(error: Any, cause: Any) -> str | None:
    """"Error: message": a Lambda's cause is JSON whose ``errorMessage`` says what failed."""
    if isinstance(cause, str) and cause.startswith("{"):
        try:
            cause = json.loads(cause).get("errorMessage", cause)
        except (ValueError, AttributeError):
            pass
    parts = [str(part) for part in (error, cause) if part]
    return ": ".join(parts)[:1000] or None


def _recorded_error(text: str | None) -> str | None:
    try:
        error = json.loads(text or "null").get("__error") or {}
    except (ValueError, AttributeError):
        return None
    return _failure(error.get("Error"), error.get("Cause"))


def tasks(events: list[dict], states: dict[str, list[str]], *, final_status: str,
          attempt: int = 0) -> list[dict[str, Any]]:
    """The tasks that ran, in the order they first started; each run records the
    execution's `attempt` it belongs to, and a sub-workflow task's run the ARN of the child
    execution it started (``child_arn``)."""
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
            run = {"id": len(runs.get(task, ())) + 1, "attempt": attempt, "state": "running",
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
        elif kind == "TaskSubmitted":
            child = _child_execution(event.get("taskSubmittedEventDetails") or {})
            name = _entered_state(by_id, event)
            if child and name in open_runs:
                open_runs[name]["child_arn"] = child
        elif kind in _FAILURES:
            name = _entered_state(by_id, event)
            run = open_runs.get(name) if name else None
            if run is not None:
                details = next((v for k, v in event.items() if k.endswith("EventDetails")), {})
                run["state"] = "failed"
                run["error"] = _failure(details.get("error"), details.get("cause"))
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


def outcomes(events: list[dict], names: set[str]) -> dict[str, dict[str, Any]]:
    """What tasks `names` gave in the execution, as the compiled machine recorded it in the
    doc that flows between states: ``{"result": ..., "published": {...}}`` for a task that
    succeeded, ``{"error": {"Error", "Cause"}, "published": {...}}`` for one that failed.
    The latest record of each task wins; a task with none is left out."""
    found: dict[str, dict[str, Any]] = {}
    for event in reversed(events):
        details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails")
        text = details and (details.get("input") or details.get("output"))
        if not text or '"tasks"' not in text:
            continue
        try:
            recorded = json.loads(text).get("tasks")
        except (ValueError, AttributeError):
            continue
        if not isinstance(recorded, dict):
            continue
        for name in names - found.keys():
            entry = recorded.get(name)
            if not isinstance(entry, dict) or entry.get("state") not in ("SUCCESS", "ERROR"):
                continue
            key = "result" if entry["state"] == "SUCCESS" else "error"
            found[name] = {key: entry.get("result"), "published": entry.get("published") or {}}
        if len(found) == len(names):
            break
    return found


def merge(earlier: list[dict[str, Any]], latest: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The tasks of an execution after another attempt: a task that ran again takes its new
    state, and its new runs come first (numbered after the earlier ones); tasks that did not
    run again keep what the earlier attempts gave them."""
    merged = {task["name"]: task for task in earlier}
    for task in latest:
        before = merged.get(task["name"])
        if before is None:
            merged[task["name"]] = task
            continue
        offset = len(before.get("runs") or [])
        runs = [{**run, "id": run["id"] + offset} for run in task["runs"]]
        merged[task["name"]] = {**task, "runs": runs + list(before.get("runs") or []),
                                "executions": list(task.get("executions") or [])
                                + list(before.get("executions") or [])}
    return list(merged.values())
