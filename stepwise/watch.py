"""Following an execution until it ends (``--watch``).

`follow(client, workflow_id, execution_id, view, interval)` reads the execution every
`interval` seconds, shows each reading through `view` and gives the execution once its state
is final (succeeded, failed, cancelled). Ctrl-C raises KeyboardInterrupt out of it.
`view_for(stream)` gives the view that suits the stream:
- `Redrawn` on a terminal: the execution's line and its task table, redrawn in place;
- `Changes` elsewhere (pipes, files, CI logs): a line per task whose state, retries or error
  changed, then the execution's line whenever its state changes.
"""
from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Protocol, TextIO

from stepwise.api_client import Client
from stepwise.render import FINAL_STATES, execution_line, task_rows, task_table

NO_TASKS_YET = "(no task has reported yet)"


def _now() -> datetime:
    return datetime.now(timezone.utc)


class View(Protocol):
    def show(self, workflow_id: int, execution: dict) -> None: ...


class Redrawn:
    def __init__(self, stream: TextIO, width: int, now: Callable[[], datetime] = _now):
        self._stream = stream
        self._width = width
        self._now = now
        self._shown = 0  # lines written by the previous reading

    def show(self, workflow_id: int, execution: dict) -> None:
        lines = [execution_line(workflow_id, execution)]
        lines += task_table(execution, self._now()) if execution.get("tasks") else [NO_TASKS_YET]
        # a line as wide as the terminal or wider may wrap, and the cursor would then go up
        # too few lines
        lines = [line[:self._width - 1] for line in lines]
        if self._shown:
            self._stream.write(f"\x1b[{self._shown}F\x1b[J")  # up to the first line, clear
        self._stream.write("\n".join(lines) + "\n")
        self._stream.flush()
        self._shown = len(lines)


class Changes:
    def __init__(self, stream: TextIO, now: Callable[[], datetime] = _now):
        self._stream = stream
        self._now = now
        self._state: str | None = None
        # durations are left out: a running task's grows at every reading
        self._rows: dict[str, tuple[str, int, str]] = {}

    def show(self, workflow_id: int, execution: dict) -> None:
        for row in task_rows(execution, self._now()):
            seen = (row.state, row.retries, row.error)
            if self._rows.get(row.name) != seen:
                self._rows[row.name] = seen
                line = f"task {row.name}: {row.state}, {row.duration}, {row.retries} retries"
                self._stream.write(line + (f", error: {row.error}\n" if row.error else "\n"))
        if execution["state"] != self._state:
            self._state = execution["state"]
            self._stream.write(execution_line(workflow_id, execution) + "\n")
        self._stream.flush()


def view_for(stream: TextIO) -> View:
    if stream.isatty():
        return Redrawn(stream, shutil.get_terminal_size().columns)
    return Changes(stream)


def follow(client: Client, workflow_id: int, execution_id: int, view: View, interval: float,
           sleep: Callable[[float], None] = time.sleep) -> dict:
    while True:
        execution = client.execution(workflow_id, execution_id)
        view.show(workflow_id, execution)
        if execution["state"] in FINAL_STATES:
            return execution
        sleep(interval)
