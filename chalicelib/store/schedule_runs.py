"""Schedule-run records: one item per (workflow, scheduled time), claimed once.

- `claim` stores a new run in a given state unless that time has one already (the scheduled
  time is the idempotency key of a firing or a backfilled run): gives (run, created?).
- `take` moves a pending run to `starting` unless another process took it first.
- `settle` records how a run ended up (started / skipped / failed, or pending again).
- `page` lists a workflow's runs, newest scheduled time first; `pending` lists pending runs of
  every workflow, oldest first (a Query of the sparse `pending` index); `get` reads one.
"""
from __future__ import annotations

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import clock
from chalicelib.store.models import ScheduleRun

PENDING, STARTING, STARTED, SKIPPED, FAILED = "pending", "starting", "started", "skipped", \
    "failed"


def _condition_failed(error: Exception) -> bool:
    return "ConditionalCheckFailed" in str(error)


def get(workflow_id: int, scheduled_time: str) -> ScheduleRun | None:
    try:
        return ScheduleRun.get(workflow_id, scheduled_time, consistent_read=True)
    except ScheduleRun.DoesNotExist:
        return None


def claim(workflow_id: int, scheduled_time: str, source: str, state: str
          ) -> tuple[ScheduleRun, bool]:
    """The run of that time: a new one in `state` (True), or the one stored before (False)."""
    now = clock.now()
    run = ScheduleRun(workflow_id, scheduled_time, source=source, state=state,
                      pending="1" if state == PENDING else None, created_at=now,
                      updated_at=now)
    try:
        run.save(condition=ScheduleRun.scheduled_time.does_not_exist())
    except PutError as error:
        if not _condition_failed(error):
            raise
        stored = get(workflow_id, scheduled_time)
        if stored is None:  # deleted in between: cannot happen, runs are never deleted
            raise
        return stored, False
    return run, True


def take(run: ScheduleRun) -> bool:
    """Pending -> starting; gives False if another process took the run first."""
    try:
        run.update(actions=[ScheduleRun.state.set(STARTING), ScheduleRun.pending.remove(),
                            ScheduleRun.updated_at.set(clock.now())],
                   condition=ScheduleRun.state == PENDING)
    except UpdateError as error:
        if _condition_failed(error):
            return False
        raise
    return True


def settle(run: ScheduleRun, state: str, *, execution_id: int | None = None,
           reason: str | None = None) -> None:
    """Records the run's state (`pending` puts it back in the queue)."""
    actions = [ScheduleRun.state.set(state), ScheduleRun.updated_at.set(clock.now())]
    actions.append(ScheduleRun.pending.set("1") if state == PENDING
                   else ScheduleRun.pending.remove())
    if execution_id is not None:
        actions.append(ScheduleRun.execution_id.set(execution_id))
    if reason is not None:
        actions.append(ScheduleRun.reason.set(reason[:1000]))
    run.update(actions=actions)


def page(workflow_id: int, *, limit: int, page_num: int) -> tuple[list[ScheduleRun], int]:
    """One page of the workflow's runs, newest scheduled time first, and how many there are."""
    total = ScheduleRun.count(workflow_id)
    wanted = limit * page_num
    items = list(ScheduleRun.query(workflow_id, scan_index_forward=False, limit=wanted))
    return items[wanted - limit:wanted], total


def pending(limit: int) -> list[ScheduleRun]:
    """Pending runs of every workflow, oldest scheduled time first."""
    return list(ScheduleRun.by_pending.query("1", limit=limit))
