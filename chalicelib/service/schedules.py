"""Keeping each workflow's EventBridge Scheduler schedule in step with the stored workflow.

- `wanted(workflow)`: the cron expressions the workflow's schedule needs (none when it is not
  scheduled or is archived).
- `sync(workflow)`: after a workflow write succeeded, creates or updates its schedule, or
  deletes it when none is wanted (idempotent). If EventBridge Scheduler fails, raises
  `SchedulerUnavailable` (HTTP 503) with a message saying the workflow was saved but its
  schedule was not changed: the request fails loudly instead of leaving DynamoDB and
  Scheduler silently different, and sending it again brings them back in step. A firing for
  a workflow that no longer wants a schedule starts nothing and deletes the schedule
  (`scheduled_runs.run_scheduled`).
- `resync_all(workflows)`: `sync` for each given workflow that wants a schedule (local mode
  re-creates them after a restart, since moto does not keep schedules); gives how many.
- `next_execution_at(workflow, now)`: the workflow's next run as the API shows it, or None.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable

from chalicelib import clock
from chalicelib.engine import schedules as scheduler
from chalicelib.engine.schedules import SchedulerUnavailable
from chalicelib.schedules.civis import civis_to_cron
from chalicelib.schedules.civis import next_execution_at as next_run
from chalicelib.store import workflows as store
from chalicelib.store.models import Workflow


def wanted(workflow: Workflow) -> list[str]:
    if workflow.archived:
        return []
    return civis_to_cron(workflow.schedule.as_dict())


def sync(workflow: Workflow) -> None:
    """Makes the workflow's schedule in EventBridge Scheduler match the stored workflow (read
    again, so that of two concurrent writes the later sync pushes the latest version)."""
    workflow = store.get(int(workflow.id)) or workflow
    expressions = wanted(workflow)
    try:
        if expressions:
            # Every cron field takes a list, so a Civis schedule is always one expression.
            (expression,) = expressions
            scheduler.put(int(workflow.id), expression, workflow.time_zone)
        else:
            scheduler.delete(int(workflow.id))
    except SchedulerUnavailable as error:
        raise SchedulerUnavailable(
            f"Workflow {int(workflow.id)} was saved, but its schedule could not be updated "
            f"in EventBridge Scheduler, so scheduled runs may not follow it yet; send the "
            f"request again. ({error.message})") from error


def resync_all(workflows: Iterable[Workflow]) -> int:
    """Re-creates the schedule of every workflow given that wants one; gives how many."""
    count = 0
    for workflow in workflows:
        if wanted(workflow):
            sync(workflow)
            count += 1
    return count


def next_execution_at(workflow: Workflow, now: datetime.datetime | None = None) -> str | None:
    """When the workflow's schedule runs next (the API's time format), or None."""
    if not wanted(workflow):
        return None
    moment = next_run(workflow.schedule.as_dict(), workflow.time_zone,
                      now or datetime.datetime.now(datetime.UTC))
    return None if moment is None else clock.iso(moment)
