"""Step Functions calls for one execution: start, stop, describe, history.

Execution names derive from our ids (``wf<WORKFLOW>-x<EXECUTION>``, then ``-a<N>`` for the
N-th retry or rerun), so a repeated start of the same attempt is answered by Step Functions
with the execution already running, and a status event names the execution and attempt it
is about without any lookup.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from chalicelib.actions import clients

# Step Functions execution status -> (our state, Mistral's state, phase: 1 running, 2 final)
STATUSES = {
    "RUNNING": ("running", "running", 1),
    "SUCCEEDED": ("succeeded", "success", 2),
    "FAILED": ("failed", "error", 2),
    "TIMED_OUT": ("failed", "error", 2),
    "ABORTED": ("cancelled", "cancelled", 2),
}

_NAME = re.compile(r"^wf(\d+)-x(\d+)(?:-a([1-9]\d*))?$")


def execution_name(workflow_id: int, execution_id: int, attempt: int = 0) -> str:
    name = f"wf{workflow_id}-x{execution_id}"
    return f"{name}-a{attempt}" if attempt else name


@dataclass(frozen=True)
class RunName:
    workflow_id: int
    execution_id: int
    attempt: int


def parse_name(name: str) -> RunName | None:
    """The ids in a name `execution_name` made, else None."""
    match = _NAME.match(name or "")
    if match is None:
        return None
    return RunName(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))


def start(version_arn: str, name: str, payload: dict[str, Any]) -> str:
    """Starts the execution; gives its ARN (the same ARN when it was started already)."""
    sfn = clients.client("stepfunctions")
    started = sfn.start_execution(stateMachineArn=version_arn, name=name,
                                  input=json.dumps(payload, separators=(",", ":")))
    return started["executionArn"]


def stop(execution_arn: str, cause: str) -> None:
    sfn = clients.client("stepfunctions")
    try:
        sfn.stop_execution(executionArn=execution_arn, cause=cause[:32768])
    except sfn.exceptions.ExecutionDoesNotExist:
        pass


def send_success(token: str) -> None:
    """Lets a task waiting on `token` go on (a task no longer waiting is left alone)."""
    sfn = clients.client("stepfunctions")
    try:
        sfn.send_task_success(taskToken=token, output="{}")
    except (sfn.exceptions.TaskDoesNotExist, sfn.exceptions.TaskTimedOut,
            sfn.exceptions.InvalidToken):
        pass


@dataclass(frozen=True)
class Described:
    status: str  # RUNNING | SUCCEEDED | FAILED | TIMED_OUT | ABORTED | PENDING_REDRIVE
    error: str | None
    cause: str | None
    started: Any = None  # datetime
    stopped: Any = None
    input: str = "{}"


def describe(execution_arn: str) -> Described:
    found = clients.client("stepfunctions").describe_execution(executionArn=execution_arn)
    return Described(found["status"], found.get("error"), found.get("cause"),
                     found.get("startDate"), found.get("stopDate"), found.get("input") or "{}")


def history(execution_arn: str) -> list[dict[str, Any]]:
    """Every event of the execution, oldest first; none when Step Functions no longer has
    the execution (its history is kept 90 days)."""
    sfn = clients.client("stepfunctions")
    events: list[dict[str, Any]] = []
    token = None
    while True:
        kwargs = {"executionArn": execution_arn, "maxResults": 1000}
        if token:
            kwargs["nextToken"] = token
        try:
            page = sfn.get_execution_history(**kwargs)
        except sfn.exceptions.ExecutionDoesNotExist:
            return events
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events
