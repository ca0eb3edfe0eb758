"""Sharing, ownership transfer and dependencies of workflows.

- Shares give users or groups read, write or manage; changing them needs manage. The owner
  always has manage and cannot be un-shared (transfer the workflow instead).
- Transfer gives the workflow to another user; the previous owner keeps manage through a user
  share. With `include_dependencies`, workflows this one runs (``civis.workflows.execute``
  with a literal ``workflow_id``) that the caller manages are shared with the new owner.
- Dependencies are those workflows, with a given user's level on each. Only those the caller
  may read are shown: a caller without a level may not learn that a workflow exists.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chalicelib import language
from chalicelib.errors import BadRequest, InvalidDefinition
from chalicelib.service import mail, permissions
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller, caller_from_snapshot
from chalicelib.service.workflows import Shown, get, modify
from chalicelib.store import principals
from chalicelib.store import workflows as store
from chalicelib.store.models import Workflow

SHARE_FIELDS = {"users": frozenset({"user_ids", "permission_level", "share_email_body",
                                     "send_shared_email"}),
                "groups": frozenset({"group_ids", "permission_level", "share_email_body",
                                     "send_shared_email"})}
TRANSFER_FIELDS = frozenset({"user_id", "include_dependencies", "email_body", "send_email"})


def _level(value: Any) -> str:
    if value not in permissions.RANK:
        raise BadRequest("'permission_level' must be one of read, write, manage.")
    return value


def _ids(value: Any, field: str) -> list[int]:
    if not isinstance(value, list) or not value or not all(
            isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in value):
        raise BadRequest(f"{field!r} must be a non-empty list of ids.")
    return sorted(set(value))


def _records(wanted, known: Mapping[int, Any] | None, fetch) -> dict[int, Any]:
    """The records of `wanted` ids: those in `known`, the others read by `fetch`."""
    known = known or {}
    return {**fetch([i for i in wanted if i not in known]),
            **{i: known[i] for i in wanted if i in known}}


def shares_view(workflow: Workflow, known_users: Mapping[int, Any] | None = None,
                known_groups: Mapping[int, Any] | None = None) -> dict[str, Any]:
    """The shares object: readers, writers and owners, each with users and groups.

    Users and groups in `known_users` / `known_groups` (records just read) are not read again.
    """
    users = {int(u): level for u, level in workflow.user_shares.as_dict().items()}
    users[int(workflow.owner_id)] = "manage"
    groups = {int(g): level for g, level in workflow.group_shares.as_dict().items()}
    user_records = _records(users, known_users, principals.get_users)
    group_records = _records(groups, known_groups, principals.get_groups)
    buckets = {level: {"users": [], "groups": []} for level in permissions.LEVELS}
    for user_id in sorted(users):
        record = user_records.get(user_id)
        buckets[users[user_id]]["users"].append(
            {"id": user_id, "name": record.name if record else None})
    for group_id in sorted(groups):
        record = group_records.get(group_id)
        buckets[groups[group_id]]["groups"].append(
            {"id": group_id, "name": record.name if record else None})
    return {"readers": buckets["read"], "writers": buckets["write"],
            "owners": buckets["manage"], "totalUserShares": len(users),
            "totalGroupShares": len(groups)}


def list_shares(caller: Caller, workflow_id: int) -> list[dict[str, Any]]:
    return [shares_view(get(caller, workflow_id, "read").workflow)]


def put_shares(caller: Caller, workflow_id: int, kind: str,
               body: Mapping[str, Any]) -> dict[str, Any]:
    """Sets `kind` ("users" or "groups") shares to one level; gives the shares object."""
    fields.unknown_keys(body, SHARE_FIELDS[kind], "the request")
    wanted = _ids(body.get(f"{kind[:-1]}_ids"), f"{kind[:-1]}_ids")
    level = _level(body.get("permission_level"))
    send = fields.flag(body.get("send_shared_email", False), "send_shared_email")
    note = fields.text(body.get("share_email_body"), "share_email_body", limit=5000)
    # One read of the workflow (the write starts from it) and one of the users or groups: those
    # asked for and those the shares object shows (permissions are checked by `modify`).
    current = store.get(workflow_id)
    shown_ids: set[int] = set()
    if current is not None and kind == "users":
        shown_ids = {int(current.owner_id)} | {int(u) for u in current.user_shares.as_dict()}
    elif current is not None:
        shown_ids = {int(g) for g in current.group_shares.as_dict()}
    fetch = principals.get_users if kind == "users" else principals.get_groups
    records = fetch(set(wanted) | shown_ids)
    found = {i: records[i] for i in wanted if i in records}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise BadRequest(f"No {kind[:-1]} with id {missing[0]}.")

    def change(workflow: Workflow) -> bool:
        shares = (workflow.user_shares if kind == "users" else workflow.group_shares).as_dict()
        for principal_id in wanted:
            if kind == "users" and principal_id == int(workflow.owner_id):
                continue  # the owner keeps manage
            shares[str(principal_id)] = level
        if kind == "users":
            workflow.user_shares = shares
        else:
            workflow.group_shares = shares
        return False

    shown = modify(caller, workflow_id, "manage", change, first=current)
    if send:
        recipients = ([u.email for u in found.values()] if kind == "users" else
                      [u.email for u in principals.get_users(
                          {m for g in found.values() for m in (g.member_ids or ())}).values()])
        mail.send(recipients, f"{caller.name} shared the workflow {shown.workflow.name!r} "
                  f"with you", note or f"You now have {level} permission on workflow "
                  f"{shown.workflow.id}.")
    if kind == "users":
        return shares_view(shown.workflow, known_users=records)
    return shares_view(shown.workflow, known_groups=records)


def delete_share(caller: Caller, workflow_id: int, kind: str, principal_id: int) -> None:
    def change(workflow: Workflow) -> bool:
        if kind == "users":
            if principal_id == int(workflow.owner_id):
                raise BadRequest("The owner's permission cannot be revoked; transfer the "
                                 "workflow to another user first.")
            shares = workflow.user_shares.as_dict()
            shares.pop(str(principal_id), None)
            workflow.user_shares = shares
        else:
            shares = workflow.group_shares.as_dict()
            shares.pop(str(principal_id), None)
            workflow.group_shares = shares
        return False

    modify(caller, workflow_id, "manage", change)


# -- dependencies and transfer --------------------------------------------------------------------


def _dependency_ids(definition: str) -> list[int]:
    """Ids of the workflows a definition runs by ``civis.workflows.execute`` (literal ids)."""
    try:
        document = language.load(definition)
    except InvalidDefinition:  # an invalid definition depends on nothing we can name
        return []
    found = set()
    for workflow in document.workflows.values():
        for task in workflow.tasks.values():
            value = task.input.get("workflow_id")
            if task.action == "civis.workflows.execute" and isinstance(value, int) \
                    and not isinstance(value, bool):
                found.add(value)
    return sorted(found)


def _dependency(workflow: Workflow, level: str | None, last_key: str,
                last_value: Any) -> dict[str, Any]:
    return {"objectType": "Workflow", "fcoType": "workflows", "id": int(workflow.id),
            "name": workflow.name, "permissionLevel": level,
            "description": workflow.description, last_key: last_value}


def list_dependencies(caller: Caller, workflow_id: int,
                      user_id: int | None) -> list[dict[str, Any]]:
    parent = get(caller, workflow_id, "read").workflow
    target = None
    if user_id is not None:
        record = principals.get_user(user_id)
        if record is None:
            raise BadRequest(f"No user with id {user_id}.")
        target = caller_from_snapshot(principals.principal_snapshot(record))
    result = []
    for _, dependency in sorted(store.get_many(_dependency_ids(parent.definition)).items()):
        caller_level = permissions.level_on(dependency, caller)
        if caller_level is None:
            continue  # as if it did not exist
        level = permissions.level_on(dependency, target) if target else None
        result.append(_dependency(dependency, level, "shareable", caller_level == "manage"))
    return result


def transfer(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
    fields.unknown_keys(body, TRANSFER_FIELDS, "the request")
    if not isinstance(body.get("user_id"), int) or isinstance(body.get("user_id"), bool):
        raise BadRequest("'user_id' is required: the id of the new owner.")
    include = fields.flag(body.get("include_dependencies"), "include_dependencies")
    send = fields.flag(body.get("send_email", False), "send_email")
    note = fields.text(body.get("email_body"), "email_body", limit=5000)
    new_owner = principals.get_user(body["user_id"])
    if new_owner is None:
        raise BadRequest(f"No user with id {body['user_id']}.")

    def change(workflow: Workflow) -> bool:
        shares = workflow.user_shares.as_dict()
        previous = int(workflow.owner_id)
        if previous != int(new_owner.id):
            shares[str(previous)] = "manage"
            shares.pop(str(int(new_owner.id)), None)
        workflow.user_shares = shares
        workflow.owner_id = int(new_owner.id)
        workflow.author = {"id": int(new_owner.id), "name": new_owner.name,
                           "username": new_owner.username, "initials": new_owner.initials}
        return False

    shown: Shown = modify(caller, workflow_id, "manage", change)
    dependencies = []
    if include:
        found = store.get_many(_dependency_ids(shown.workflow.definition))
        for _, dependency in sorted(found.items()):  # by id: BatchGetItem has no order
            caller_level = permissions.level_on(dependency, caller)
            if caller_level is None:
                continue  # as if it did not exist
            shared = caller_level == "manage"
            if shared:
                _share_with(caller, dependency, int(new_owner.id))
            dependencies.append(_dependency(dependency, "manage" if shared else None, "shared",
                                            shared))
    if send:
        mail.send([new_owner.email], f"{caller.name} transferred the workflow "
                  f"{shown.workflow.name!r} to you",
                  note or f"You now own workflow {shown.workflow.id}.")
    return {"dependencies": dependencies}


def _share_with(caller: Caller, dependency: Workflow, user_id: int) -> None:
    """Gives `user_id` manage on `dependency` (as just read by the caller)."""

    def change(workflow: Workflow) -> bool:
        if user_id != int(workflow.owner_id):
            shares = workflow.user_shares.as_dict()
            shares[str(user_id)] = "manage"
            workflow.user_shares = shares
        return False

    modify(caller, int(dependency.id), "manage", change, first=dependency)
