"""Execution records and the workflow fields that follow them.

- `begin` stores a new execution and marks its workflow running in one transaction, on
  condition that the workflow allows concurrent executions or has none running: two racing
  starts of a workflow that forbids it cannot both pass.
- `advance` moves an execution forward only: its rank is 3 × attempt + phase (queued 0,
  running 1, final 2), so status events that arrive twice, late, out of order or from an
  earlier attempt change nothing.
- `restart` begins the next attempt of a final execution (retry, rerun), on the same
  conditions as `begin`.
- `release` takes a final execution off its workflow's running set and sets the workflow's
  state, unless another execution started meanwhile.
"""
from __future__ import annotations

from typing import Any

from pynamodb.exceptions import TransactWriteError, UpdateError

from chalicelib.errors import Conflict
from chalicelib.store.models import Counter, Execution, Workflow, WorkflowAccess, transaction

PHASES = 3
RUNNING, FINAL = 1, 2
FINAL_RANK = FINAL  # the rank of the first attempt once final


def rank(attempt: int, phase: int) -> int:
    return PHASES * attempt + phase


def is_final(execution: Execution) -> bool:
    return int(execution.rank) % PHASES == FINAL


class AlreadyRunning(Conflict):
    code = "already_running"

    def __init__(self) -> None:
        super().__init__("The workflow cannot be executed because it is already running "
                         "and does not allow concurrent executions.")


class KeyTaken(Conflict):
    """An idempotency key was claimed by a concurrent start of the same request."""

    def __init__(self) -> None:
        super().__init__("A request with the same Idempotency-Key is being processed.")


class Busy(Conflict):
    """DynamoDB refused the transaction because another one held its items: try again."""

    def __init__(self) -> None:
        super().__init__("The workflow is busy; start the execution again.")


def find_claim(scope: str, now: int) -> Counter | None:
    """The live claim of an idempotency key (`scope` names caller, workflow and key)."""
    try:
        claim = Counter.get(scope, consistent_read=True)
    except Counter.DoesNotExist:
        return None
    return claim if claim.expires is None or claim.expires > now else None


def new_claim(scope: str, digest: str, execution_id: int, expires: int) -> Counter:
    return Counter(scope, owner=execution_id, digest=digest, expires=expires)


def _access_updates(writes, workflow: Workflow, principals, state: str) -> None:
    for principal in principals:
        writes.update(WorkflowAccess(principal, int(workflow.id)),
                      actions=[WorkflowAccess.state.set(state)],
                      condition=WorkflowAccess.principal.exists())


def _may_run_another():
    """Condition: the workflow allows concurrent executions or none runs."""
    return ((Workflow.allow_concurrent_executions == True)  # a DynamoDB condition, not a test
            | Workflow.running_ids.does_not_exist())


def begin(workflow: Workflow, execution: Execution, principals,
          claim: Counter | None = None, now: int = 0) -> None:
    """Stores `execution` (running) and marks the workflow running; raises AlreadyRunning.
    With `claim`, also claims an idempotency key (raises KeyTaken if a live claim exists)."""
    concurrency = _may_run_another()
    try:
        with transaction() as writes:
            writes.save(execution, condition=Execution.id.does_not_exist())
            # the workflow as read: PynamoDB then adds 1 to its version (a fresh instance
            # would set the version to 1 and break optimistic locking)
            writes.update(workflow, actions=[
                Workflow.running_ids.add({int(execution.id)}),
                Workflow.last_execution_id.set(int(execution.id)),
                Workflow.state.set("running")],
                condition=Workflow.id.exists() & concurrency, add_version_condition=False)
            if claim is not None:
                writes.save(claim, condition=Counter.name.does_not_exist()
                            | (Counter.expires <= now))
            _access_updates(writes, workflow, principals, "running")
    except TransactWriteError as error:
        # PynamoDB sends puts before updates: [execution, claim?, workflow, access...]
        reasons = [reason.code if reason else None
                   for reason in (error.cancellation_reasons or [])]
        workflow_index = 1 if claim is None else 2
        if claim is not None and reasons[1:2] == ["ConditionalCheckFailed"]:
            raise KeyTaken() from None
        if reasons[workflow_index:workflow_index + 1] == ["ConditionalCheckFailed"]:
            raise AlreadyRunning() from None
        if "TransactionConflict" in reasons:
            raise Busy() from None
        if "ConditionalCheckFailed" in reasons:
            raise Conflict("The workflow changed while the execution was being started; "
                           "start it again.") from None
        raise


def restart(workflow: Workflow, execution: Execution, principals,
            changes: dict[str, Any]) -> None:
    """Begins the next attempt of `execution`, final as read: it shows running again and the
    workflow is marked running; raises AlreadyRunning as `begin` does, and Conflict when the
    execution changed since it was read (another retry began). `changes` to None remove."""
    attempt = int(execution.attempt or 0) + 1
    actions = [getattr(Execution, name).set(value) if value is not None
               else getattr(Execution, name).remove() for name, value in changes.items()]
    actions += [Execution.attempt.set(attempt), Execution.rank.set(rank(attempt, RUNNING)),
                Execution.active.set("1")]
    concurrency = _may_run_another()
    try:
        with transaction() as writes:
            writes.update(execution, actions=actions,
                          condition=Execution.rank == int(execution.rank))
            writes.update(workflow, actions=[
                Workflow.running_ids.add({int(execution.id)}),
                Workflow.state.set("running")],
                condition=Workflow.id.exists() & concurrency, add_version_condition=False)
            _access_updates(writes, workflow, principals, "running")
    except TransactWriteError as error:
        reasons = [reason.code if reason else None
                   for reason in (error.cancellation_reasons or [])]
        if reasons[1:2] == ["ConditionalCheckFailed"]:
            raise AlreadyRunning() from None
        if reasons[:1] == ["ConditionalCheckFailed"]:
            raise Conflict("The execution changed while it was being retried (another retry "
                           "began); read it again.") from None
        if "TransactionConflict" in reasons:
            raise Busy() from None
        raise
    execution.refresh(consistent_read=True)


def get(workflow_id: int, execution_id: int) -> Execution | None:
    try:
        return Execution.get(workflow_id, execution_id, consistent_read=True)
    except Execution.DoesNotExist:
        return None


def page(workflow_id: int, *, limit: int, page_num: int, newest_first: bool = True
         ) -> tuple[list[Execution], int]:
    """One page of a workflow's executions by id, and how many there are (child executions
    of sub-workflows left out)."""
    top_level = Execution.parent_id.does_not_exist()
    total = Execution.count(workflow_id, filter_condition=top_level)
    wanted = limit * page_num
    items = list(Execution.query(workflow_id, scan_index_forward=not newest_first,
                                 filter_condition=top_level, limit=wanted))
    return items[wanted - limit:wanted], total


def advance(execution: Execution, rank: int, changes: dict[str, Any]) -> bool:
    """Applies `changes` if the execution's rank is below `rank`; gives whether it did."""
    actions = [getattr(Execution, name).set(value) for name, value in changes.items()
               if value is not None]
    actions.append(Execution.rank.set(rank))
    if rank % PHASES == FINAL:
        actions.append(Execution.active.remove())
    try:
        execution.update(actions=actions, condition=Execution.rank < rank)
    except UpdateError as error:
        if "ConditionalCheckFailed" in str(error):
            return False
        raise
    return True


def release(workflow: Workflow, execution_id: int, state: str, principals) -> None:
    """Takes `execution_id` off the workflow's running set; sets the workflow's state to
    `state` when nothing else runs (an execution started meanwhile keeps it running)."""
    workflow.update(actions=[Workflow.running_ids.delete({execution_id})],
                    add_version_condition=False)
    if workflow.running_ids:
        return
    try:
        with transaction() as writes:
            writes.update(workflow, actions=[Workflow.state.set(state)],
                          condition=Workflow.running_ids.does_not_exist(),
                          add_version_condition=False)
            _access_updates(writes, workflow, principals, state)
    except TransactWriteError:
        return  # another execution began: the workflow is running


def active(limit: int) -> list[Execution]:
    """Executions not yet final, oldest first (a Query of the sparse `active` index)."""
    return list(Execution.by_activity.query("1", limit=limit))


def set_pause(execution: Execution, paused: bool, info: str) -> bool:
    """Marks a running execution paused (or a paused one running); gives whether it did."""
    state, before = ("paused", "running") if paused else ("running", "paused")
    try:
        execution.update(actions=[Execution.state.set(state),
                                  Execution.mistral_state.set(state),
                                  Execution.mistral_state_info.set(info)],
                         condition=Execution.state == before)
    except UpdateError as error:
        if "ConditionalCheckFailed" in str(error):
            return False
        raise
    return True


def flag_stall(execution: Execution, now: str) -> bool:
    """Marks a running execution as warned about a stall; gives whether this call did (an
    execution is warned once)."""
    try:
        execution.update(actions=[Execution.stall_warned_at.set(now)],
                         condition=Execution.stall_warned_at.does_not_exist()
                         & Execution.active.exists())
    except UpdateError as error:
        if "ConditionalCheckFailed" in str(error):
            return False
        raise
    return True
