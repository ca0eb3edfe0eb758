"""Workflow records: the item, its definition versions and its access entries, written together.

Every write of a workflow is one DynamoDB transaction holding:
- the workflow item, conditioned on the version read (optimistic locking: a concurrent
  writer makes the transaction fail with `Conflict`);
- a new `WorkflowVersion` item when the definition changed;
- one `WorkflowAccess` item per principal that may read it (owner, shared users, shared
  groups), carrying the fields lists filter and sort on, and deletes for principals that lost
  access.
A transaction holds at most 100 items, hence `MAX_PRINCIPALS`.
"""
from __future__ import annotations

from collections.abc import Iterable

from pynamodb.exceptions import TransactWriteError

from chalicelib.errors import BadRequest, Conflict
from chalicelib.store.models import Workflow, WorkflowAccess, WorkflowVersion, transaction

MAX_PRINCIPALS = 97  # + the workflow item + a version item + one delete margin <= 100


def user_principal(user_id: int) -> str:
    return f"u#{user_id}"


def group_principal(group_id: int) -> str:
    return f"g#{group_id}"


def principals_of(workflow: Workflow) -> dict[str, str]:
    """Gives principal -> level for everyone the workflow is shared with, owner included."""
    levels = {group_principal(int(g)): level for g, level in workflow.group_shares.as_dict().items()}
    levels.update(
        (user_principal(int(u)), level) for u, level in workflow.user_shares.as_dict().items())
    levels[user_principal(workflow.owner_id)] = "manage"
    return levels


def get(workflow_id: int) -> Workflow | None:
    try:
        return Workflow.get(workflow_id, consistent_read=True)
    except Workflow.DoesNotExist:
        return None


def get_many(workflow_ids: Iterable[int]) -> dict[int, Workflow]:
    """Gives the workflows that exist among `workflow_ids`, by id (BatchGetItem)."""
    ids = sorted(set(workflow_ids))
    if not ids:
        return {}
    return {int(item.id): item for item in Workflow.batch_get(ids)}


def version(workflow_id: int, number: int) -> WorkflowVersion | None:
    try:
        return WorkflowVersion.get(workflow_id, number)
    except WorkflowVersion.DoesNotExist:
        return None


def access_entries(principal: str) -> list[WorkflowAccess]:
    """Every access entry of one principal (a Query of its partition)."""
    return list(WorkflowAccess.query(principal))


def _access_item(workflow: Workflow, principal: str, level: str) -> WorkflowAccess:
    return WorkflowAccess(
        principal, int(workflow.id), level=level, name=workflow.name,
        created_at=workflow.created_at, updated_at=workflow.updated_at, state=workflow.state,
        archived=bool(workflow.archived), hidden=bool(workflow.hidden),
        owner_id=int(workflow.owner_id), scheduled=bool(workflow.schedule.as_dict().get(
            "scheduled")))


def save(workflow: Workflow, *, before: dict[str, str] | None, new_definition: bool,
         author_id: int) -> None:
    """Writes `workflow` (created when `before` is None) with its version and access items.

    `before` is `principals_of` the workflow as read; raises `Conflict` when someone else
    wrote the workflow since it was read.
    """
    after = principals_of(workflow)
    if len(after) > MAX_PRINCIPALS:
        raise BadRequest(f"A workflow can be shared with at most {MAX_PRINCIPALS - 1} users "
                         "and groups.")
    try:
        with transaction() as writes:
            condition = Workflow.id.does_not_exist() if before is None else None
            writes.save(workflow, condition=condition)
            if new_definition:
                writes.save(WorkflowVersion(
                    int(workflow.id), int(workflow.definition_version),
                    definition=workflow.definition, author_id=author_id,
                    created_at=workflow.updated_at))
            for principal, level in after.items():
                writes.save(_access_item(workflow, principal, level))
            for principal in set(before or ()) - set(after):
                writes.delete(WorkflowAccess(principal, int(workflow.id)))
    except TransactWriteError as error:
        if "ConditionalCheckFailed" in str(error.cause_response_message or error):
            raise Conflict("The workflow was changed by another request; read it again and "
                           "retry.") from None
        raise
