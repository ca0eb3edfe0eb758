"""The resources the AWS template creates, made on the local AWS (tests and local mode).

`provision(host)` creates, idempotently:
- the service's DynamoDB tables and the joins table;
- the bundle's Lambda functions that state machines and rules invoke, run in-process by the
  local Lambda adapter from their Handler strings: ``PREFIX-actions``, ``PREFIX-callbacks``
  ``PREFIX-on-execution-event`` (the app's status-change handler) and the scheduled-run
  function (``PREFIX-scheduled-run``, the app's `scheduled_run`, which workflow schedules
  invoke);
- the EventBridge Scheduler schedule group of the workflows' schedules;
- the EventBridge rule that sends "Step Functions Execution Status Change" events of the
  service's state machines to that handler.
Gives: the names it made, for messages.

`clear_state_machines(host)` undoes what runs left between tests: it stops the executions
still running, waits until their status events reached the app, and deletes every state
machine.
"""
from __future__ import annotations

import json
import time
from typing import Any

from chalicelib import config
from chalicelib.store.tables import create_tables, reset_connections
from infra.local.sfn import deploy_lambda
from infra.local.status_events import wait_for_events
from infra.local.tables import create_joins_table


def status_change_pattern() -> dict[str, Any]:
    """Status changes of the service's state machines only (as the AWS template filters)."""
    prefix = (f"arn:aws:states:{config.resolve_region()}:{config.resolve_account_id()}:"
              f"stateMachine:{config.resolve_table_prefix()}-")
    return {"source": ["aws.states"],
            "detail-type": ["Step Functions Execution Status Change"],
            "detail": {"stateMachineArn": [{"prefix": prefix}]}}


def _schedule_group(host: Any, name: str) -> None:
    """Creates the workflows' schedule group unless it exists (moto's CreateScheduleGroup
    would replace an existing group, and the schedules in it)."""
    scheduler = host.client("scheduler")
    try:
        scheduler.get_schedule_group(Name=name)
    except scheduler.exceptions.ResourceNotFoundException:
        scheduler.create_schedule_group(Name=name)


def provision(host: Any) -> dict[str, str]:
    prefix = config.resolve_table_prefix()
    reset_connections()
    create_tables()
    create_joins_table(host, config.resolve_joins_table())
    functions = {
        config.resolve_actions_function(): "chalicelib.actions.actions_handler",
        config.resolve_callbacks_function(): "chalicelib.actions.callbacks_handler",
        f"{prefix}-on-execution-event": "app.on_execution_event",
        config.resolve_scheduled_run_function(): "app.scheduled_run",
    }
    arns = {name: deploy_lambda(host, name, handler) for name, handler in functions.items()}
    _schedule_group(host, config.resolve_scheduler_group())
    events = host.client("events")
    rule = f"{prefix}-execution-status"
    events.put_rule(Name=rule, EventPattern=json.dumps(status_change_pattern()),
                    State="ENABLED")
    events.put_targets(Rule=rule, Targets=[
        {"Id": "on-execution-event", "Arn": arns[f"{prefix}-on-execution-event"]}])
    return {"rule": rule, **{name: arn for name, arn in arns.items()}}


def clear_state_machines(host: Any, timeout: float = 10.0) -> None:
    """Deletes every state machine, stopping first the executions still running and waiting
    until their status events have reached the app (tests call it between tests: emptied
    tables give the same ids again, hence the same machine and execution names, so a late
    event or a machine left behind would land on the next test's workflows)."""
    sfn = host.client("stepfunctions")
    machines = [machine["stateMachineArn"]
                for page in sfn.get_paginator("list_state_machines").paginate()
                for machine in page["stateMachines"]]
    running = [execution["executionArn"] for arn in machines
               for page in sfn.get_paginator("list_executions").paginate(
                   stateMachineArn=arn, statusFilter="RUNNING")
               for execution in page["executions"]]
    for arn in running:
        sfn.stop_execution(executionArn=arn, cause="cleared between tests")
    deadline = time.monotonic() + timeout
    for arn in running:
        while sfn.describe_execution(executionArn=arn)["status"] == "RUNNING":
            if time.monotonic() > deadline:
                raise TimeoutError(f"{arn} still running {timeout}s after it was stopped")
            time.sleep(0.02)
    wait_for_events(max(0.1, deadline - time.monotonic()))
    for arn in machines:
        sfn.delete_state_machine(stateMachineArn=arn)
