"""Text the remote commands print, made from the API's JSON (camelCase dicts).

- `table(headers, rows)`: lines of left-aligned columns;
- `task_rows(execution, now)` / `task_table(...)`: one row per task (name, state, duration,
  retries = runs - 1, error of a failed task);
- `execution_line(workflow_id, execution)`: ``workflow 3 execution 5: succeeded``;
- `executions_table(executions)`: id, state, started, finished, duration;
- `log_lines(execution)`: the execution's events in time order: its start, each task run,
  each task error, each child sub-workflow execution and its end.
Times are the API's ISO-8601 UTC strings; durations read like ``850ms``, ``12.4s``,
``3m05s``, ``2h07m``.
"""
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

FINAL_STATES = ("succeeded", "failed", "cancelled")
NOTHING = "-"  # a time or duration that is not known (yet)
_EARLIEST = datetime.min.replace(tzinfo=timezone.utc)


def parse_time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def seconds_between(start: str | None, end: str | datetime | None) -> float | None:
    begun = parse_time(start)
    ended = parse_time(end) if isinstance(end, str) or end is None else end
    if begun is None or ended is None:
        return None
    return max(0.0, (ended - begun).total_seconds())


def format_duration(seconds: float | None) -> str:
    if seconds is None:
        return NOTHING
    if seconds < 1:
        return f"{round(seconds * 1000)}ms"
    if seconds < 60:
        return f"{seconds:.1f}s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


def format_time(text: str | None) -> str:
    """``2024-05-01 12:00:01`` (UTC, to the second) for tables."""
    moment = parse_time(text)
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else NOTHING


def one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows)]
    return [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip()
        for row in (headers, *rows)
    ]


@dataclass(frozen=True)
class TaskRow:
    name: str
    state: str
    duration: str
    retries: int
    error: str

    def cells(self) -> tuple[str, ...]:
        return self.name, self.state, self.duration, str(self.retries), self.error


TASK_HEADERS = ("TASK", "STATE", "DURATION", "RETRIES", "ERROR")


def _task_seconds(task: dict, until: str | datetime) -> float | None:
    """The time spent in the task's runs; a run not finished counts up to `until`."""
    spans = [seconds_between(run.get("startedAt") or run.get("createdAt"),
                             run.get("finishedAt") or until) for run in task.get("runs") or []]
    known = [span for span in spans if span is not None]
    return sum(known) if known else None


def task_rows(execution: dict, now: datetime) -> list[TaskRow]:
    until = execution.get("finishedAt") or now
    return [TaskRow(name=task["name"], state=task.get("mistralState") or NOTHING,
                    duration=format_duration(_task_seconds(task, until)),
                    retries=max(0, len(task.get("runs") or []) - 1),
                    error=one_line(task.get("mistralStateInfo"))
                    if task.get("mistralState") == "error" else "")
            for task in execution.get("tasks") or []]


def task_table(execution: dict, now: datetime) -> list[str]:
    return table(TASK_HEADERS, [row.cells() for row in task_rows(execution, now)])


def shortened(text: str, limit: int = 200) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def execution_line(workflow_id: int, execution: dict) -> str:
    """The execution's state; why it failed or stopped, shortened (`log_lines` has it all)."""
    line = f"workflow {workflow_id} execution {execution['id']}: {execution['state']}"
    if execution["state"] in ("failed", "cancelled") and execution.get("mistralStateInfo"):
        line += f" ({shortened(one_line(execution['mistralStateInfo']))})"
    return line


def executions_table(executions: Sequence[dict]) -> list[str]:
    rows = [(str(e["id"]), e["state"], format_time(e.get("startedAt")),
             format_time(e.get("finishedAt")),
             format_duration(seconds_between(e.get("startedAt"), e.get("finishedAt"))))
            for e in executions]
    return table(("ID", "STATE", "STARTED (UTC)", "FINISHED (UTC)", "DURATION"), rows)


def _run_event(task: dict, run: dict) -> tuple[str | None, str]:
    started = run.get("startedAt") or run.get("createdAt")
    finished = run.get("finishedAt")
    text = f"task {task['name']!r} run {run['id']}: {run['state']}"
    if finished:
        text += f", finished {finished} after " \
                f"{format_duration(seconds_between(started, finished))}"
    return started, text


def _child_event(task: dict, child: dict) -> tuple[str | None, str]:
    started = child.get("startedAt") or child.get("createdAt")
    text = (f"task {task['name']!r} sub-workflow: execution {child['id']} of workflow "
            f"{child['workflowId']}: {child['state']}")
    if child.get("finishedAt"):
        text += f", finished {child['finishedAt']} after " \
                f"{format_duration(seconds_between(started, child['finishedAt']))}"
    return started, text


def _task_events(task: dict) -> list[tuple[str | None, str]]:
    runs = list(reversed(task.get("runs") or []))  # the API lists the newest first
    events = [_run_event(task, run) for run in runs]
    events += [_child_event(task, child) for child in task.get("executions") or []]
    if task.get("mistralState") == "error":
        when = runs[-1].get("finishedAt") if runs else None
        events.append((when, f"task {task['name']!r} error: "
                             f"{one_line(task.get('mistralStateInfo')) or 'no details'}"))
    return events


def log_lines(execution: dict) -> list[str]:
    started = execution.get("startedAt") or execution.get("createdAt")
    opening = f"execution {execution['id']} started"
    if execution.get("input"):
        opening += f" with input {json.dumps(execution['input'], ensure_ascii=False)}"
    if execution.get("includedTasks"):
        opening += f", only tasks {', '.join(execution['includedTasks'])}"
    events = [(started, opening)]
    for task in execution.get("tasks") or []:
        events += _task_events(task)
    state = execution["state"]
    if state in FINAL_STATES:
        closing = (f"execution {execution['id']} {state} after "
                   f"{format_duration(seconds_between(started, execution.get('finishedAt')))}")
        if state != "succeeded" and execution.get("mistralStateInfo"):
            closing += f": {one_line(execution['mistralStateInfo'])}"
        events.append((execution.get("finishedAt"), closing))
    else:
        events.append((None, f"execution {execution['id']} is {state}"))
    # untimed events (the line of an execution still running) go last, in the order listed
    ordered = sorted(events, key=lambda event: (event[0] is None,
                                                parse_time(event[0]) or _EARLIEST))
    return [f"{when or NOTHING:<24}  {text}" for when, text in ordered]
