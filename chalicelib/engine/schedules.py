"""EventBridge Scheduler calls for workflow schedules: put (create or update) and delete.

One schedule per scheduled workflow, named ``PREFIX-wf<ID>`` in the schedule group
`config.resolve_scheduler_group()`. It invokes the app's `scheduled_run` function
(`config.resolve_scheduled_run_function()`) with the role `config.resolve_scheduler_role_arn()`
and the input ``{"workflow_id": ID, "scheduled_time": "<aws.scheduler.scheduled-time>"}``;
the flexible time window is off, so runs start at their minute.

Takes: workflow ids, expressions and IANA time zone names. Gives: nothing, or raises
`SchedulerUnavailable` when EventBridge Scheduler refuses or cannot be reached. The schedule
group is created the first time a schedule is put into it when it does not exist yet (the AWS
template makes it; tests and local mode may not have).
"""
from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from chalicelib import config
from chalicelib.actions import clients
from chalicelib.errors import StepwiseError

NOT_FOUND = "ResourceNotFoundException"
CONFLICT = "ConflictException"


class SchedulerUnavailable(StepwiseError):
    """EventBridge Scheduler did not take a change of a workflow's schedule."""

    status = 503
    code = "schedule_unavailable"


def schedule_name(workflow_id: int) -> str:
    return f"{config.resolve_table_prefix()}-wf{workflow_id}"


def _function_arn() -> str:
    name = config.resolve_scheduled_run_function()
    if name.startswith("arn:"):
        return name
    return (f"arn:aws:lambda:{config.resolve_region()}:{config.resolve_account_id()}:"
            f"function:{name}")


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _request(workflow_id: int, expression: str, time_zone: str) -> dict[str, Any]:
    payload = {"workflow_id": workflow_id, "scheduled_time": "<aws.scheduler.scheduled-time>"}
    return {
        "Name": schedule_name(workflow_id), "GroupName": config.resolve_scheduler_group(),
        "ScheduleExpression": expression, "ScheduleExpressionTimezone": time_zone,
        "FlexibleTimeWindow": {"Mode": "OFF"}, "State": "ENABLED",
        "Description": f"Scheduled runs of workflow {workflow_id}",
        "Target": _target(json.dumps(payload)),
    }


def _target(payload: str) -> dict[str, Any]:
    """The scheduled-run function, with the deployment's dead-letter queue (if any) for the
    firings Scheduler could not deliver."""
    target: dict[str, Any] = {"Arn": _function_arn(),
                              "RoleArn": config.resolve_scheduler_role_arn(), "Input": payload}
    queue = config.resolve_scheduler_dlq_arn()
    if queue:
        target["DeadLetterConfig"] = {"Arn": queue}
    return target


def _ensure_group(scheduler: Any, group: str) -> None:
    try:
        scheduler.get_schedule_group(Name=group)
    except ClientError as error:
        if _code(error) != NOT_FOUND:
            raise
        try:
            scheduler.create_schedule_group(Name=group)
        except ClientError as created:
            if _code(created) != CONFLICT:
                raise


def put(workflow_id: int, expression: str, time_zone: str) -> None:
    """Makes the workflow's schedule run `expression` in `time_zone` (created if missing)."""
    scheduler = clients.client("scheduler")
    request = _request(workflow_id, expression, time_zone)
    try:
        try:
            scheduler.update_schedule(**request)
        except ClientError as error:
            if _code(error) != NOT_FOUND:
                raise
            _ensure_group(scheduler, request["GroupName"])
            try:
                scheduler.create_schedule(**request)
            except ClientError as created:  # made by a concurrent request meanwhile
                if _code(created) != CONFLICT:
                    raise
                scheduler.update_schedule(**request)
    except (ClientError, BotoCoreError) as error:
        raise SchedulerUnavailable(
            f"EventBridge Scheduler did not take the schedule of workflow {workflow_id}: "
            f"{error}") from error


def delete(workflow_id: int) -> None:
    """Removes the workflow's schedule (nothing to do when there is none)."""
    scheduler = clients.client("scheduler")
    try:
        scheduler.delete_schedule(Name=schedule_name(workflow_id),
                                  GroupName=config.resolve_scheduler_group())
    except ClientError as error:
        if _code(error) != NOT_FOUND:
            raise SchedulerUnavailable(
                f"EventBridge Scheduler did not delete the schedule of workflow "
                f"{workflow_id}: {error}") from error
    except BotoCoreError as error:
        raise SchedulerUnavailable(
            f"EventBridge Scheduler could not be reached to delete the schedule of workflow "
            f"{workflow_id}: {error}") from error
