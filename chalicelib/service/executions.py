"""Execution use cases: start, read, list and cancel executions; record their status.

- `start` needs write on the workflow and a valid definition. It deploys the definition
  version once (its published state machine version is kept on the version item), stores the
  execution and marks the workflow running in one transaction (refused with 409
  ``already_running`` when the workflow forbids concurrent executions and one runs), then
  starts the Step Functions execution named after our ids.
- `record_status` takes a Step Functions "Execution Status Change" event. Events may come
  twice, late or out of order: the execution's state only moves forward. Once final, the task
  detail is read from the execution history and stored, so reads never call Step Functions.
- `reconcile` settles executions whose final event never came (the sweeper calls it).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib import clock, language
from chalicelib.actions.tokens import token_store
from chalicelib.compiler import Plan
from chalicelib.engine import history, machines, runs
from chalicelib.errors import BadRequest, Conflict, NotFound
from chalicelib.language.model import Workflow as WorkflowModel
from chalicelib.service import children, notifications
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller
from chalicelib.service.workflows import get as get_workflow
from chalicelib.store import executions as store
from chalicelib.store import ids
from chalicelib.store import workflows as workflow_store
from chalicelib.store.models import Execution, Workflow, WorkflowVersion, plain

START_FIELDS = frozenset({"target_task", "input", "included_tasks"})
IDEMPOTENCY_SECONDS = 24 * 3600
BEGIN_ATTEMPTS = 5
MAX_KEY = 255
STATUSES = runs.STATUSES


@dataclass(frozen=True)
class ShownExecution:
    execution: Execution
    definition: str
    level: str
    live_tasks: list | None = None  # read from the history while the execution runs

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return self.live_tasks if self.live_tasks is not None else plain(self.execution.tasks)


def _check_input(main: WorkflowModel, given: Any) -> dict[str, Any]:
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise BadRequest("'input' must be an object of workflow parameters.")
    known = {p.name: p for p in main.input}
    fields.unknown_keys(given, known, f"the input of workflow '{main.name}'")
    missing = [name for name, p in known.items() if not p.has_default and name not in given]
    if missing:
        raise BadRequest(f"The workflow needs the input parameter {missing[0]!r}.")
    return given


def _deployed(workflow: Workflow) -> WorkflowVersion:
    version = workflow_store.version(int(workflow.id), int(workflow.definition_version))
    if version is None:
        raise NotFound("The workflow's definition version could not be found.")
    if version.version_arn is None:
        deployment = machines.deploy(int(workflow.id), int(version.version), version.definition)
        version.update(actions=[WorkflowVersion.version_arn.set(deployment.version_arn),
                                WorkflowVersion.states.set(deployment.states),
                                WorkflowVersion.sub_states.set(deployment.sub_states)])
    return version


def machine_for(workflow: Workflow, version: WorkflowVersion, target_task: str | None,
                plan: Plan | None = None) -> tuple[str, str | None]:
    """(version ARN, key) of the machine an execution starts: the definition version's own
    (key None), or a variant for a reverse workflow's target task and a run plan, deployed
    the first time it runs on this definition version (its key names it on the version)."""
    if target_task is None and not plan:
        return version.version_arn, None
    key = f"p:{machines.plan_digest(target_task, plan)}" if plan else target_task
    known = version.targets.as_dict() if version.targets else {}
    if key not in known:
        deployment = machines.deploy_variant(int(workflow.id), int(version.version),
                                             version.definition, target_task, plan)
        known[key] = {"version_arn": deployment.version_arn, "states": deployment.states}
        # a concurrent first run of another variant may be lost here: it is deployed again
        version.update(actions=[WorkflowVersion.targets.set(known)])
    return known[key]["version_arn"], key


def states_of(version: WorkflowVersion, execution: Execution) -> dict:
    """State names -> [task, role] of the machine an execution's attempt ran (never
    deploys)."""
    key = execution.machine_key or execution.target_task
    if key is None:
        return version.states.as_dict() if version.states else {}
    known = version.targets.as_dict() if version.targets else {}
    return known.get(key, {}).get("states", {})


def check_task(main: WorkflowModel, name: str, what: str) -> None:
    if name in main.tasks:
        return
    close = difflib.get_close_matches(name, list(main.tasks), n=1)
    hint = f" Did you mean {close[0]!r}?" if close else \
        f" Its tasks: {', '.join(list(main.tasks)[:20])}."
    raise BadRequest(f"{what} {name!r}, which is not a task of workflow '{main.name}'.{hint}")


def _included(main: WorkflowModel, value: Any) -> list[str]:
    if value in (None, []):
        return []
    if not isinstance(value, list) or not all(isinstance(name, str) for name in value):
        raise BadRequest("'included_tasks' must be a list of task names.")
    for name in value:
        check_task(main, name, "'included_tasks' names")
    return list(dict.fromkeys(value))


def skipped(main: WorkflowModel, included: list[str]) -> Plan:
    """The plan of a run of `included` tasks only (all tasks when empty)."""
    if not included:
        return Plan()
    return Plan(skip=frozenset(main.tasks) - frozenset(included))


def _target_task(main: WorkflowModel, value: Any) -> str | None:
    if value in (None, ""):
        return None
    if main.type != "reverse":
        raise BadRequest(f"'target_task' applies to reverse workflows; '{main.name}' is "
                         f"{main.type}.")
    if not isinstance(value, str):
        raise BadRequest("'target_task' must be a task name.")
    check_task(main, value, "'target_task' names")
    return value


def _idempotency(caller: Caller, workflow_id: int, key: str | None,
                 body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(scope, request digest) for an Idempotency-Key header, or None without one."""
    if key is None:
        return None
    if not key or len(key) > MAX_KEY or not key.isprintable():
        raise BadRequest(f"'Idempotency-Key' must be 1 to {MAX_KEY} printable characters.")
    hashed = hashlib.sha256(key.encode()).hexdigest()
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"idem#{caller.id}#{workflow_id}#{hashed}", digest


def _replay(caller: Caller, workflow_id: int, scope: str, digest: str
            ) -> ShownExecution | None:
    claim = store.find_claim(scope, int(time.time()))
    if claim is None:
        return None
    if claim.digest != digest:
        raise Conflict("This Idempotency-Key was used with a different request in the last "
                       "24 hours; use a new key.")
    return get(caller, workflow_id, int(claim.owner))


def start(caller: Caller, workflow_id: int, body: Mapping[str, Any],
          idempotency_key: str | None = None) -> ShownExecution:
    """Starts an execution. With an idempotency key already used by this caller on this
    workflow in the last 24 hours, gives the execution that key started instead."""
    fields.unknown_keys(body, START_FIELDS, "the request")
    idempotency = _idempotency(caller, workflow_id, idempotency_key, body)
    shown = get_workflow(caller, workflow_id, "write")
    if idempotency is not None:
        replayed = _replay(caller, workflow_id, *idempotency)
        if replayed is not None:
            return replayed
    workflow = shown.workflow
    if not workflow.valid:
        raise BadRequest("The workflow's definition is invalid; fix it before running it: "
                         f"{(workflow.validation_errors or '').splitlines()[0]}")
    main = language.load(workflow.definition).main  # the entry workflow, parsed once
    target_task = _target_task(main, body.get("target_task"))
    included = _included(main, body.get("included_tasks"))
    given = _check_input(main, body.get("input"))
    version = _deployed(workflow)
    machine_arn, machine_key = machine_for(workflow, version, target_task,
                                           skipped(main, included))
    now = clock.now()
    execution = Execution(
        int(workflow.id), ids.allocate("execution"), state="running",
        mistral_state="running", mistral_state_info="Execution is running", rank=1,
        active="1", user_id=caller.id, user=caller.summary(),
        definition_version=int(version.version), input=given, included_tasks=included,
        target_task=target_task, machine_key=machine_key,
        started_at=now, created_at=now, updated_at=now)
    principals = workflow_store.principals_of(workflow)
    claim = None
    now_seconds = int(time.time())
    if idempotency is not None:
        claim = store.new_claim(idempotency[0], idempotency[1], int(execution.id),
                                now_seconds + IDEMPOTENCY_SECONDS)
    try:
        _begin(workflow, execution, principals, claim, now_seconds)
    except store.KeyTaken:
        replayed = _replay(caller, workflow_id, *idempotency)
        if replayed is None:
            raise
        return replayed
    name = runs.execution_name(int(workflow.id), int(execution.id))
    try:
        arn = runs.start(machine_arn, name, given)
    except Exception as error:
        finish(workflow, execution, "failed", "error", f"Could not start: {error}", None)
        raise
    execution.update(actions=[Execution.execution_arn.set(arn)])
    return ShownExecution(execution, version.definition, shown.level)


def _begin(workflow: Workflow, execution: Execution, principals, claim, now: int) -> None:
    """`store.begin`, tried again when DynamoDB reports a conflicting transaction."""
    for attempt in range(BEGIN_ATTEMPTS):
        try:
            return store.begin(workflow, execution, principals, claim, now)
        except store.Busy:
            if attempt == BEGIN_ATTEMPTS - 1:
                raise
            time.sleep(random.uniform(0.01, 0.05) * (attempt + 1))


def shown_execution(caller: Caller, workflow_id: int, execution_id: int, needed: str
           ) -> tuple[Workflow, Execution, str]:
    shown = get_workflow(caller, workflow_id, needed)
    execution = store.get(workflow_id, execution_id)
    if execution is None:
        raise NotFound()
    return shown.workflow, execution, shown.level


def get(caller: Caller, workflow_id: int, execution_id: int) -> ShownExecution:
    """The execution; while it runs, its tasks so far come from the Step Functions history
    (one call); once final, from what was stored when it ended."""
    _, execution, level = shown_execution(caller, workflow_id, execution_id, "read")
    version = workflow_store.version(workflow_id, int(execution.definition_version))
    live = None
    if not store.is_final(execution) and execution.execution_arn and version is not None:
        attempt = int(execution.attempt or 0)
        live = history.tasks(runs.history(execution.execution_arn),
                             states_of(version, execution), final_status="RUNNING",
                             attempt=attempt)
        if attempt:
            live = history.merge(plain(execution.tasks), live)
    return ShownExecution(execution, version.definition if version else "", level, live)


def list_executions(caller: Caller, workflow_id: int, *, limit: int, page_num: int,
                    newest_first: bool) -> tuple[list[Execution], int]:
    get_workflow(caller, workflow_id, "read")
    return store.page(workflow_id, limit=limit, page_num=page_num, newest_first=newest_first)


def cancel(caller: Caller, workflow_id: int, execution_id: int) -> ShownExecution:
    """Asks Step Functions to stop the execution; its state follows when it has stopped."""
    _, execution, level = shown_execution(caller, workflow_id, execution_id, "write")
    if not store.is_final(execution) and execution.execution_arn:
        runs.stop(execution.execution_arn, f"Cancelled by {caller.username}")
    version = workflow_store.version(workflow_id, int(execution.definition_version))
    return ShownExecution(execution, version.definition if version else "", level)


def mark_paused(execution_arn: str) -> bool:
    """A pause (engine command or pause-before) reached: the execution shows as paused."""
    parsed = runs.parse_name(execution_arn.rsplit(":", 1)[-1])
    execution = store.get(parsed.workflow_id, parsed.execution_id) if parsed else None
    return (execution is not None and int(execution.attempt or 0) == parsed.attempt
            and store.set_pause(execution, True, "Execution is paused"))


def resume(caller: Caller, workflow_id: int, execution_id: int) -> ShownExecution:
    """Lets a paused execution go on: sends the stored pause tokens."""
    _, execution, level = shown_execution(caller, workflow_id, execution_id, "write")
    if execution.state != "paused" or not execution.execution_arn:
        raise BadRequest(f"Only a paused execution can be resumed; this one is "
                         f"{execution.state}.")
    store_of_tokens = token_store()
    pauses = [t for t in store_of_tokens.of_execution(execution.execution_arn)
              if t.kind in ("pause", "pause_before")]
    if not pauses:
        raise Conflict("The execution is pausing; resume it again in a moment.")
    store.set_pause(execution, False, "Execution is running")
    for token in pauses:
        runs.send_success(token.token)
        store_of_tokens.delete(token.execution, token.task)
    version = workflow_store.version(workflow_id, int(execution.definition_version))
    return ShownExecution(execution, version.definition if version else "", level)


def finish(workflow: Workflow, execution: Execution, state: str, mistral: str,
           info: str | None, task_detail: list | None) -> bool:
    """Makes the execution's current attempt final (once) and lets the workflow follow;
    gives whether it did (False: it was final already)."""
    now = clock.now()
    final = store.rank(int(execution.attempt or 0), store.FINAL)
    changed = store.advance(execution, final, {
        "state": state, "mistral_state": mistral, "mistral_state_info": info,
        "finished_at": now, "updated_at": now, "tasks": task_detail})
    if not changed:
        return False
    latest = state
    if workflow.last_execution_id is not None and \
            int(workflow.last_execution_id) != int(execution.id):
        last = store.get(int(workflow.id), int(workflow.last_execution_id))
        latest = last.state if last is not None and store.is_final(last) else state
    store.release(workflow, int(execution.id), latest, workflow_store.principals_of(workflow))
    notifications.execution_final(workflow, execution)
    return True


def record_status(detail: Mapping[str, Any]) -> bool:
    """Applies one status-change event; gives whether it changed anything."""
    parsed = runs.parse_name(detail.get("name", ""))
    status = STATUSES.get(detail.get("status", ""))
    if parsed is None or status is None:
        return False
    execution = store.get(parsed.workflow_id, parsed.execution_id)
    state, mistral, phase = status
    rank = store.rank(parsed.attempt, phase)
    if execution is None or int(execution.rank) >= rank \
            or int(execution.attempt or 0) != parsed.attempt:
        return False
    if phase < store.FINAL:
        return store.advance(execution, rank, {"state": state, "mistral_state": mistral,
                                               "updated_at": clock.now()})
    workflow = workflow_store.get(parsed.workflow_id)
    if workflow is None:
        return False
    return _settle(workflow, execution, detail.get("status"), detail.get("error"),
                   detail.get("cause"), detail.get("executionArn") or execution.execution_arn)


def _settle(workflow: Workflow, execution: Execution, status: str, error: str | None,
            cause: str | None, arn: str | None) -> bool:
    state, mistral, _ = STATUSES[status]
    version = workflow_store.version(int(workflow.id), int(execution.definition_version))
    states = states_of(version, execution) if version else {}
    attempt = int(execution.attempt or 0)
    detail = history.tasks(runs.history(arn), states, final_status=status,
                           attempt=attempt) if arn else []
    offspring = children.collect(execution, detail, version)
    if attempt:
        detail = history.merge(plain(execution.tasks), detail)
    info = {"succeeded": "Execution succeeded", "cancelled": "Execution was cancelled"}.get(
        state) or ": ".join(part for part in (error, cause) if part) or "Execution failed"
    if finish(workflow, execution, state, mistral, info[:1000], detail) and offspring:
        children.save(offspring)  # only by the settling that made the execution final
    return True


START_GRACE_SECONDS = 300


def _fail_if_never_started(execution: Execution) -> int:
    since = clock.parse(execution.updated_at)
    if (datetime.now(UTC) - since).total_seconds() < START_GRACE_SECONDS:
        return 0
    workflow = workflow_store.get(int(execution.workflow_id))
    if workflow is None:
        return 0
    return int(finish(workflow, execution, "failed", "error",
                      "The execution was stored but never started; start it again.",
                      plain(execution.tasks)))


def reconcile(limit: int = 50) -> int:
    """Settles active executions that Step Functions reports final, and fails those that
    never started (no execution ARN `START_GRACE_SECONDS` after they were stored or last
    retried: the process that stored them died before starting them); gives how many."""
    settled = 0
    for execution in store.active(limit):
        if not execution.execution_arn:
            settled += _fail_if_never_started(execution)
            continue
        found = runs.describe(execution.execution_arn)
        if found.status in STATUSES and STATUSES[found.status][2] == store.FINAL:
            workflow = workflow_store.get(int(execution.workflow_id))
            if workflow is not None and _settle(workflow, execution, found.status,
                                                found.error, found.cause,
                                                execution.execution_arn):
                settled += 1
    return settled

