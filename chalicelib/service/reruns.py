"""Running a finished execution again from where it matters: retry and rerun.

- `retry` (Civis): a failed execution runs its failed tasks again (or the one named), and
  what follows them.
- `rerun` (from a chosen task): any finished execution runs that task again, and what follows
  it.

Either way the execution keeps its id and begins its next attempt: a new Step Functions
execution of the same definition version, named ``wf<W>-x<E>-a<N>``. The tasks that are not
run again give what they gave before without running: results and published values of tasks
that succeeded, errors of tasks that failed (read from the earlier attempt's history and
handed to the machine in the execution input; see `compiler.plan`). New runs are added to
the task detail in front of the earlier ones.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import clock, language
from chalicelib.compiler import graph, plan as plans
from chalicelib.engine import history, runs
from chalicelib.errors import BadRequest
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller
from chalicelib.service.executions import (
    BEGIN_ATTEMPTS,
    ShownExecution,
    check_task,
    finish,
    machine_for,
    shown_execution,
    skipped,
)
from chalicelib.store import executions as store
from chalicelib.store import workflows as workflow_store
from chalicelib.store.models import Execution, Workflow, plain


def retry(caller: Caller, workflow_id: int, execution_id: int,
          body: Mapping[str, Any]) -> ShownExecution:
    """Runs the failed tasks of a failed execution again (only `task_name` when given)."""
    fields.unknown_keys(body, {"task_name"}, "the request")
    workflow, execution, level = shown_execution(caller, workflow_id, execution_id, "write")
    if execution.state != "failed":
        raise BadRequest(f"Only a failed execution can be retried; this one is "
                         f"{execution.state}.")
    failed = [task["name"] for task in plain(execution.tasks)
              if task.get("mistral_state") == "error"]
    task_name = body.get("task_name")
    if task_name not in (None, ""):
        if not isinstance(task_name, str) or task_name not in failed:
            raise BadRequest(f"'task_name' must name a failed task of the execution: "
                             f"{', '.join(failed) or 'none failed'}.")
        failed = [task_name]
    return _next_attempt(workflow, execution, level, failed)


def rerun(caller: Caller, workflow_id: int, execution_id: int,
          body: Mapping[str, Any]) -> ShownExecution:
    """Runs a finished execution again from task `from_task` on."""
    fields.unknown_keys(body, {"from_task"}, "the request")
    workflow, execution, level = shown_execution(caller, workflow_id, execution_id, "write")
    if not store.is_final(execution):
        raise BadRequest(f"Only a finished execution can be rerun; this one is "
                         f"{execution.state}.")
    from_task = body.get("from_task")
    if not isinstance(from_task, str) or not from_task:
        raise BadRequest("'from_task' must name the task to rerun from.")
    return _next_attempt(workflow, execution, level, [from_task], check_name=True)


def _next_attempt(workflow: Workflow, execution: Execution, level: str, rerun_tasks: list[str],
                  check_name: bool = False) -> ShownExecution:
    version = workflow_store.version(int(workflow.id), int(execution.definition_version))
    if version is None or version.version_arn is None:
        raise BadRequest("The definition this execution ran with is no longer available.")
    main = language.load(version.definition).main
    if check_name:
        check_task(main, rerun_tasks[0], "'from_task' names")
    direct = main if main.type != "reverse" else graph.reverse_to_direct(
        main, [execution.target_task] if execution.target_task else None)
    earlier = {task["name"]: plans.EarlierTask(task.get("mistral_state"), _last_runs(task))
               for task in plain(execution.tasks)}
    plan = plans.choose(direct, earlier, rerun_tasks)
    outcomes = history.outcomes(runs.history(execution.execution_arn),
                                set(plan.reuse | plan.replay_errors)) \
        if plan and execution.execution_arn else {}
    missing = (plan.reuse | plan.replay_errors) - outcomes.keys()
    if missing:  # no record of what they gave: they run again, with what follows them
        plan = plans.choose(direct, earlier, [*rerun_tasks, *sorted(missing)])
        outcomes = {name: outcomes[name] for name in plan.reuse | plan.replay_errors}
    skip = skipped(main, list(execution.included_tasks or [])).skip
    plan = plans.Plan(plan.reuse, plan.replay_errors, skip)
    machine_arn, machine_key = machine_for(workflow, version, execution.target_task, plan)
    now = clock.now()
    _restart(workflow, execution, {
        "state": "running", "mistral_state": "running",
        "mistral_state_info": "Execution is running", "machine_key": machine_key,
        # no ARN until the new attempt has started: the sweeper must not settle the new
        # attempt with the earlier one's outcome
        "execution_arn": None, "finished_at": None, "updated_at": now})
    name = runs.execution_name(int(workflow.id), int(execution.id), int(execution.attempt))
    payload = {**plain(execution.input), plans.REUSE_INPUT: outcomes}
    try:
        arn = runs.start(machine_arn, name, payload)
    except Exception as error:
        finish(workflow, execution, "failed", "error", f"Could not start: {error}"[:1000],
               plain(execution.tasks))
        raise
    execution.update(actions=[Execution.execution_arn.set(arn)])
    return ShownExecution(execution, version.definition, level)


def _last_runs(task: dict[str, Any]) -> int:
    """How many times the task ran in the last attempt that ran it (runs newest first)."""
    task_runs = task.get("runs") or []
    if not task_runs:
        return 0
    last = task_runs[0].get("attempt", 0)
    return sum(1 for run in task_runs if run.get("attempt", 0) == last)


def _restart(workflow: Workflow, execution: Execution, changes: dict[str, Any]) -> None:
    principals = workflow_store.principals_of(workflow)
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            return store.restart(workflow, execution, principals, changes)
        except store.Busy:
            if attempt == BEGIN_ATTEMPTS - 1:
                raise
            workflow.refresh(consistent_read=True)
