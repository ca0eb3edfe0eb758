"""Rendering stored records as the Civis API shows them (camelCase, every field present)."""
from __future__ import annotations

from typing import Any

from chalicelib.api.casing import camel_keys
from chalicelib.service import schedules
from chalicelib.service.workflow_fields import NOTIFICATION_DEFAULTS
from chalicelib.service.workflows import Shown
from chalicelib.store.models import ApiKey, Group, Project, User, Workflow


def user_summary(author: dict[str, Any]) -> dict[str, Any]:
    return {"id": int(author["id"]), "name": author.get("name"),
            "username": author.get("username"), "initials": author.get("initials"),
            "online": False}


def workflow_summary(workflow: Workflow) -> dict[str, Any]:
    return {
        "id": int(workflow.id), "name": workflow.name, "description": workflow.description,
        "valid": bool(workflow.valid), "fileId": None,
        "user": user_summary(workflow.author.as_dict()), "state": workflow.state,
        "schedule": camel_keys(workflow.schedule.as_dict()),
        "allowConcurrentExecutions": bool(workflow.allow_concurrent_executions),
        "timeZone": workflow.time_zone, "nextExecutionAt": schedules.next_execution_at(workflow),
        "archived": bool(workflow.archived), "createdAt": workflow.created_at,
        "updatedAt": workflow.updated_at,
    }


def workflow_detail(shown: Shown) -> dict[str, Any]:
    workflow = shown.workflow
    body = workflow_summary(workflow)
    body.update({
        "definition": workflow.definition, "validationErrors": workflow.validation_errors,
        "lastExecutionId": None if workflow.last_execution_id is None
        else int(workflow.last_execution_id),
        "notifications": camel_keys({**NOTIFICATION_DEFAULTS,
                                     **workflow.notifications.as_dict()}),
        "hidden": bool(workflow.hidden), "myPermissionLevel": shown.level,
    })
    return body


def user(record: User, *, full: bool) -> dict[str, Any]:
    body = {"id": int(record.id), "name": record.name, "username": record.username,
            "initials": record.initials, "online": False}
    if full:
        body.update({"email": record.email, "admin": bool(record.admin),
                     "groups": [], "createdAt": record.created_at})
    return body


def group(record: Group, members: list[User]) -> dict[str, Any]:
    return {"id": int(record.id), "name": record.name, "description": record.description,
            "members": [{"id": int(m.id), "name": m.name, "username": m.username}
                        for m in members],
            "createdAt": record.created_at, "updatedAt": record.updated_at}


def api_key(record: ApiKey, now: str, token: str | None = None) -> dict[str, Any]:
    expired = record.expires_at <= now
    body = {"id": int(record.id), "name": record.name, "expiresAt": record.expires_at,
            "createdAt": record.created_at, "revokedAt": record.revoked_at,
            "lastUsedAt": None, "expired": expired,
            "active": not expired and not record.revoked_at}
    if token is not None:
        body["token"] = token
    return body


def project(record: Project) -> dict[str, Any]:
    return {"id": int(record.id), "author": user_summary(record.author.as_dict()),
            "name": record.name, "description": record.description,
            "users": [{"id": int(u)} for u in sorted(record.user_ids or ())],
            "autoShare": False, "createdAt": record.created_at,
            "updatedAt": record.updated_at, "archived": bool(record.archived)}


def execution_summary(record) -> dict[str, Any]:
    return {"id": int(record.id), "state": record.state, "mistralState": record.mistral_state,
            "mistralStateInfo": record.mistral_state_info,
            "user": user_summary(record.user.as_dict()) if record.user else None,
            "startedAt": record.started_at, "finishedAt": record.finished_at,
            "createdAt": record.created_at, "updatedAt": record.updated_at}


def _run(run: dict[str, Any], level: str) -> dict[str, Any]:
    return {"id": run["id"], "jobId": None, "myPermissionLevel": level, "state": run["state"],
            "createdAt": run["created_at"], "startedAt": run["started_at"],
            "finishedAt": run["finished_at"]}


def execution_task(task: dict[str, Any], level: str) -> dict[str, Any]:
    return {"name": task["name"], "mistralState": task["mistral_state"],
            "mistralStateInfo": task.get("mistral_state_info"),
            "runs": [_run(run, level) for run in task.get("runs", [])],
            "executions": [_child(child, level) for child in task.get("executions", [])]}


def _child(child: dict[str, Any], level: str) -> dict[str, Any]:
    return {"id": child["id"], "workflowId": child["workflow_id"], "myPermissionLevel": level,
            "state": child["state"], "createdAt": child["created_at"],
            "startedAt": child.get("started_at"), "finishedAt": child.get("finished_at")}


def execution_detail(shown) -> dict[str, Any]:
    record = shown.execution
    body = execution_summary(record)
    body.update({"definition": shown.definition, "input": record.input.as_dict(),
                 "includedTasks": list(record.included_tasks or []),
                 "tasks": [execution_task(t, shown.level) for t in shown.tasks]})
    return body




def schedule_run(record) -> dict[str, Any]:
    return {"workflowId": int(record.workflow_id), "scheduledTime": record.scheduled_time,
            "source": record.source, "state": record.state,
            "executionId": None if record.execution_id is None else int(record.execution_id),
            "reason": record.reason, "createdAt": record.created_at,
            "updatedAt": record.updated_at}


def backfill(result) -> dict[str, Any]:
    return {"dryRun": result.dry_run, "truncated": result.truncated,
            "runs": [schedule_run(run) for run in result.runs]}
