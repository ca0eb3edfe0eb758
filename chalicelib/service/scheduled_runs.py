"""Runs a workflow's schedule asks for: scheduled firings, backfills and their queue.

Every run is started through `executions.start`, the API's path, as the workflow's owner, and
recorded as one `ScheduleRun` per (workflow, scheduled time), so a time starts at most one
execution however often it is delivered or backfilled.

- `run_scheduled(workflow_id, scheduled_time)`: one firing of the workflow's EventBridge
  Scheduler schedule (the app's `scheduled_run` function). With `allow_concurrent_executions`
  false and an execution running, the run is not started and is recorded `skipped` with the
  reason. A firing for a workflow that no longer wants a schedule (unscheduled, archived or
  gone) starts nothing and deletes the schedule.
- `backfill(caller, workflow_id, body)`: the runs the schedule would have made in
  [start, end), at most `max_runs` (default 50, at most 500). A dry run lists them. Otherwise
  each time is queued `pending` and the request starts the first `START_NOW` (only the first
  when the workflow forbids concurrent executions, and only if it is free); `start_pending`
  (the sweeper, every minute) starts the rest: all of them for a workflow that allows
  concurrent executions, else the next one each time the workflow is free again.
- `list_runs(caller, workflow_id, limit, page_num)`: a page of the workflow's runs (read).
"""
from __future__ import annotations

import datetime
import itertools
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from chalicelib import clock
from chalicelib.engine import schedules as scheduler
from chalicelib.errors import BadRequest, StepwiseError
from chalicelib.schedules.civis import runs_between
from chalicelib.service import executions, schedules
from chalicelib.service import workflow_fields as fields
from chalicelib.service.auth import Caller, caller_from_snapshot
from chalicelib.service.workflows import get as get_workflow
from chalicelib.store import principals
from chalicelib.store import schedule_runs as store
from chalicelib.store import workflows as workflow_store
from chalicelib.store.executions import AlreadyRunning
from chalicelib.store.models import ScheduleRun, Workflow

BACKFILL_FIELDS = frozenset({"start", "end", "dry_run", "max_runs"})
DEFAULT_MAX_RUNS = 50
MAX_RUNS = 500
PENDING_READ = 1000  # pending runs read per sweep
START_NOW = 20  # backfill runs a request starts itself (a request must answer within 29 s)

logger = logging.getLogger(__name__)


def _owner(workflow: Workflow) -> Caller | None:
    user = principals.get_user(int(workflow.owner_id))
    return None if user is None else caller_from_snapshot(principals.principal_snapshot(user))


def _start(workflow: Workflow, run: ScheduleRun, *, queue_when_busy: bool) -> None:
    """Starts the run's execution as the owner and records the outcome. When the workflow
    runs already and forbids concurrent executions: back to `pending` with `queue_when_busy`,
    else `skipped`."""
    owner = _owner(workflow)
    if owner is None:
        store.settle(run, store.FAILED, reason="The workflow's owner no longer exists.")
        return
    try:
        shown = executions.start(owner, int(workflow.id), {})
    except AlreadyRunning as error:
        if queue_when_busy:
            store.settle(run, store.PENDING)
        else:
            store.settle(run, store.SKIPPED, reason=error.message)
        return
    except StepwiseError as error:
        store.settle(run, store.FAILED, reason=error.message)
        return
    except Exception as error:  # AWS failed: recorded, then raised for the logs and retries
        store.settle(run, store.FAILED, reason=f"Could not start: {error}")
        raise
    store.settle(run, store.STARTED, execution_id=int(shown.execution.id))


def _time_key(text: Any, field: str) -> datetime.datetime:
    if not isinstance(text, str):
        raise BadRequest(f"'{field}' must be an ISO 8601 time such as 2027-01-31T09:00:00Z.")
    try:
        moment = datetime.datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadRequest(f"'{field}' is not an ISO 8601 time: {text!r}.") from None
    if moment.tzinfo is None:
        raise BadRequest(f"'{field}' needs a UTC offset or Z, e.g. 2027-01-31T09:00:00Z.")
    return moment.astimezone(datetime.UTC)


def run_scheduled(workflow_id: int, scheduled_time: str) -> ScheduleRun | None:
    """Handles one firing of the workflow's schedule; gives its run (None: nothing to run)."""
    moment = _time_key(scheduled_time, "scheduled_time")
    workflow = workflow_store.get(workflow_id)
    if workflow is None or not schedules.wanted(workflow):
        logger.warning("schedule of workflow %s fired at %s, but the workflow is not "
                       "scheduled: its schedule is deleted", workflow_id, scheduled_time)
        scheduler.delete(workflow_id)
        return None
    run, new = store.claim(workflow_id, clock.iso(moment), "schedule", store.STARTING)
    if new:
        _start(workflow, run, queue_when_busy=False)
    return run


def start_pending() -> int:
    """Starts pending runs, oldest first: every one read of a workflow that allows concurrent
    executions, the first of one that does not when it is free; gives how many started (the
    sweeper calls it)."""
    queues: dict[int, list[ScheduleRun]] = {}
    for run in store.pending(PENDING_READ):
        queues.setdefault(int(run.workflow_id), []).append(run)
    return sum(_start_queued(runs) for runs in queues.values())


def _start_queued(runs: list[ScheduleRun]) -> int:
    """Starts what it may of one workflow's pending runs (oldest first); gives how many."""
    if not runs:
        return 0
    workflow = workflow_store.get(int(runs[0].workflow_id))
    if workflow is None:
        for run in runs:
            store.settle(run, store.FAILED, reason="The workflow no longer exists.")
        return 0
    if not workflow.allow_concurrent_executions:
        if workflow.running_ids:
            return 0  # still busy: no need to try
        runs = runs[:1]
    started = 0
    for run in runs:
        if store.take(run):
            _start(workflow, run, queue_when_busy=True)
            started += int(run.state == store.STARTED)
    return started


@dataclass(frozen=True)
class Backfill:
    dry_run: bool
    runs: list[ScheduleRun]  # for a dry run: unsaved records of the runs it would make
    truncated: bool  # the window holds more runs than `max_runs`


def backfill(caller: Caller, workflow_id: int, body: Mapping[str, Any]) -> Backfill:
    """Runs (or with `dry_run` lists) the runs the schedule would have made in [start, end)."""
    fields.unknown_keys(body, BACKFILL_FIELDS, "the request")
    start = _time_key(body.get("start"), "start")
    end = _time_key(body.get("end"), "end")
    if end <= start:
        raise BadRequest("'end' must come after 'start'.")
    dry_run = fields.flag(body.get("dry_run", False), "dry_run")
    max_runs = body.get("max_runs", DEFAULT_MAX_RUNS)
    if not isinstance(max_runs, int) or isinstance(max_runs, bool) \
            or not 1 <= max_runs <= MAX_RUNS:
        raise BadRequest(f"'max_runs' must be a whole number from 1 to {MAX_RUNS}.")
    workflow = get_workflow(caller, workflow_id, "write").workflow
    schedule = workflow.schedule.as_dict()
    if not schedule.get("scheduled"):
        raise BadRequest("The workflow has no schedule to backfill; set 'schedule' first.")
    times = list(itertools.islice(runs_between(schedule, workflow.time_zone, start, end),
                                  max_runs + 1))
    truncated = len(times) > max_runs
    keys = [clock.iso(moment) for moment in times[:max_runs]]
    if dry_run:
        now = clock.now()
        return Backfill(True, [ScheduleRun(workflow_id, key, source="backfill", state="planned",
                                           created_at=now, updated_at=now) for key in keys],
                        truncated)
    runs = [store.claim(workflow_id, key, "backfill", store.PENDING)[0] for key in keys]
    # the first ones start now; the sweeper starts the rest within a minute
    _start_queued([run for run in runs if run.state == store.PENDING][:START_NOW])
    return Backfill(False, runs, truncated)


def list_runs(caller: Caller, workflow_id: int, *, limit: int, page_num: int
              ) -> tuple[list[ScheduleRun], int]:
    get_workflow(caller, workflow_id, "read")
    return store.page(workflow_id, limit=limit, page_num=page_num)
