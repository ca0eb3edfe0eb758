"""Child executions: the sub-workflows that tasks of an execution ran.

A task that calls a sub-workflow starts a Step Functions execution of the sub-workflow's
machine. When the parent execution settles, each such run becomes an execution record of its
own (same workflow, `parent_id` set, tasks read from its history, its own children in turn)
and the task lists it in ``executions`` (newest first, as Civis lists them), so
``GET /workflows/{id}/executions/{child id}`` shows it. Child records are not listed among the
workflow's executions and do not move the workflow's state.
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from chalicelib import clock
from chalicelib.engine import history, machines, runs
from chalicelib.store import executions as store
from chalicelib.store import ids
from chalicelib.store.models import Execution, WorkflowVersion

MAX_DEPTH = 5  # sub-workflows calling sub-workflows: deeper children are not recorded



def _time(value: Any) -> str | None:
    return clock.iso(value) if isinstance(value, datetime) else None


def collect(parent: Execution, tasks: list[dict[str, Any]], version: WorkflowVersion | None,
            depth: int = 0) -> list[Execution]:
    """Turns the child runs of `tasks` (a run's ``child_arn``) into `executions` entries of
    their task, and gives the child records to store (with their own children)."""
    subs = version.sub_states.as_dict() if version is not None and version.sub_states else {}
    records: list[Execution] = []
    for task in tasks:
        for run in task.get("runs") or []:
            arn = run.pop("child_arn", None)
            if arn is None or depth >= MAX_DEPTH:
                continue
            child, descendants = _record(parent, arn, subs, version, depth)
            records += [child, *descendants]
            task.setdefault("executions", []).append({
                "id": int(child.id), "workflow_id": int(parent.workflow_id),
                "state": child.state, "created_at": child.created_at,
                "started_at": child.started_at, "finished_at": child.finished_at})
        task["executions"] = sorted(task.get("executions") or [], key=lambda e: -e["id"])
    return records


def _record(parent: Execution, arn: str, subs: dict, version: WorkflowVersion | None,
            depth: int) -> tuple[Execution, list[Execution]]:
    found = runs.describe(arn)
    machine = arn.split(":execution:", 1)[-1].rsplit(":", 1)[0]
    sub = machines.sub_workflow_of(int(parent.workflow_id), machine, list(subs))
    state, mistral, _ = runs.STATUSES.get(found.status, ("failed", "error", 2))
    detail = history.tasks(runs.history(arn), subs.get(sub) or {}, final_status=found.status)
    try:
        given = json.loads(found.input)
    except ValueError:
        given = {}
    now = clock.now()
    child = Execution(
        int(parent.workflow_id), ids.allocate("execution"), parent_id=int(parent.id),
        execution_arn=arn, state=state, mistral_state=mistral,
        mistral_state_info=": ".join(p for p in (found.error, found.cause) if p)[:1000] or None,
        rank=store.rank(0, store.FINAL), user_id=int(parent.user_id), user=parent.user,
        definition_version=int(parent.definition_version),
        input={k: v for k, v in (given if isinstance(given, dict) else {}).items()
               if not k.startswith("__")},
        started_at=_time(found.started), finished_at=_time(found.stopped),
        created_at=_time(found.started) or now, updated_at=now)
    descendants = collect(child, detail, version, depth + 1)
    child.tasks = detail
    return child, descendants


def save(records: list[Execution]) -> None:
    with Execution.batch_write() as batch:
        for record in records:
            batch.save(record)
