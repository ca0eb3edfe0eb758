"""EventBridge Scheduler schedules that fire on the local AWS.

moto 5.2.5 stores schedules (CreateSchedule, UpdateSchedule, schedule groups, ...) but never
fires them. A `SchedulerTicker` does: each `tick(now)` reads every schedule in moto's scheduler
backends (all accounts and regions) and fires each ENABLED one whose expression is due in
(previous tick, now]. `start(host)` runs it on a daemon thread that ticks at each minute
boundary, as EventBridge Scheduler invokes with 60-second precision; tests build a ticker
without the thread and call `tick` with the times they choose.

When a schedule fires (expressions: `chalicelib.schedules.expressions`):
- cron(...) and at(...) are evaluated in `ScheduleExpressionTimezone` (IANA name, default
  UTC). Daylight saving time, as AWS documents it for EventBridge Scheduler
  (https://repost.aws/knowledge-center/eventbridge-scheduler-adjust-dst and
  https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html, "Daylight savings
  time"): when clocks go forward, a cron time that falls in the skipped hour does not run that
  day; when clocks go back, a cron time in the repeated hour runs only once (here: at its first
  occurrence) and does not repeat. rate(...) counts elapsed time (a day is 24 hours).
- rate(...) fires at StartDate, then every period; without StartDate it starts when the
  schedule was created (AWS: "starts invoking the target immediately"), so its first firing
  comes at the next tick.
- StartDate and EndDate bound recurring schedules (StartDate <= time < EndDate); AWS ignores
  both for at() schedules, and so does the ticker.
- `ActionAfterCompletion: DELETE` deletes an at() schedule once it has fired, and a recurring
  schedule once the tick reaches its EndDate.
- `FlexibleTimeWindow` FLEXIBLE may invoke anywhere in the window on AWS; here it fires on time,
  as OFF does, which is one of the times AWS may choose.
- Schedules due while the ticker was not running (local mode stopped, or its thread paused
  more than `MAX_CATCH_UP`, e.g. a suspended laptop) are not fired afterwards.

Targets, delivered off the ticking thread (one FIFO lane per schedule and target, shared code
in `infra.local.targets`), with the target's `Input` (default "{}") as payload after replacing
the context attributes `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`,
`<aws.scheduler.execution-id>` and `<aws.scheduler.attempt-number>`:
- Lambda function ARNs: the function runs through the local Lambda backend; the ticker waits
  for it on the lane's thread so a handler error is recorded (AWS invokes asynchronously and
  retries; there are no retries or dead-letter queues here);
- state machine ARNs: StartExecution with the payload as input;
- `arn:aws:scheduler:::aws-sdk:sfn:startExecution` (universal target): the payload holds
  StartExecution's parameters (`StateMachineArn`, optional `Input` text and `Name`);
- anything else is logged and recorded as a failed firing.

Takes: moto's scheduler backends in this process. Gives: `SchedulerTicker` (`tick(now)`,
`firings()`, `wait_for_firings(timeout)`, `invalid_schedules()`, `start()`, `stop()`,
`running`, context manager), `Firing`, `start(host) -> SchedulerTicker` (started), and `check()`.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import json
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.schedules.expressions import (
    AtExpression,
    RateExpression,
    ScheduleExpression,
    ScheduleExpressionError,
    parse_schedule_expression,
)
from infra.local import targets
from infra.local.moto_guard import MotoMismatchError, require
from infra.local.targets import (
    Lanes,
    LaneKey,
    invoke_lambda,
    is_lambda_target,
    is_state_machine_target,
    start_state_machine,
)

_MODULE = "moto.scheduler.models"
_EXCEPTIONS_MODULE = "moto.scheduler.exceptions"

UTC = datetime.UTC
TICK_SECONDS = 60.0
MAX_CATCH_UP = datetime.timedelta(minutes=5)
MAX_RECORDS = 1000
SFN_START_EXECUTION = "arn:aws:scheduler:::aws-sdk:sfn:startExecution"

# What the ticker reads from moto's Schedule objects (checked by `check()`).
_SCHEDULE_ATTRIBUTES = (
    "name", "group_name", "arn", "schedule_expression", "schedule_expression_timezone",
    "target", "state", "start_date", "end_date", "action_after_completion", "creation_date",
)

logger = logging.getLogger(__name__)


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(UTC)


@dataclass(frozen=True)
class Firing:
    """One invocation of a schedule's target. `ok` is None while the delivery is queued or
    running, then True, or False with `error` saying why."""

    schedule: str
    group: str
    schedule_arn: str
    scheduled_time: datetime.datetime
    target: str
    execution_id: str
    ok: bool | None = None
    error: str | None = None


# -- reading moto --------------------------------------------------------------------------------


def _stored_schedules() -> Iterator[tuple[Any, Any]]:
    """(backend, schedule) for every schedule moto holds, in every account and region."""
    backends = require(_MODULE, "scheduler_backends")
    # Copies: moto's request threads may add or remove entries while the ticker reads.
    for regions in list(backends.values()):
        for backend in list(regions.values()):
            for group in list(backend.schedule_groups.values()):
                for schedule in list(group.schedules.values()):
                    yield backend, schedule


def _instant(value: Any) -> datetime.datetime | None:
    """moto keeps StartDate/EndDate as the epoch seconds the client sent."""
    if value is None:
        return None
    return datetime.datetime.fromtimestamp(float(value), UTC)


@functools.lru_cache(maxsize=512)
def _parsed(expression: str) -> ScheduleExpression:
    return parse_schedule_expression(expression)


def _due_times(schedule: Any, expression: ScheduleExpression, zone: ZoneInfo,
               after: datetime.datetime, now: datetime.datetime) -> list[datetime.datetime]:
    """The times in (after, now] the schedule fires at."""
    if isinstance(expression, AtExpression):
        instant = expression.instant(zone)
        return [instant] if after < instant <= now else []
    start = _instant(schedule.start_date)
    end = _instant(schedule.end_date)
    if isinstance(expression, RateExpression):
        anchor = start or _instant(schedule.creation_date)
        times = list(expression.occurrences(anchor, after, now))
    else:
        times = [moment for moment in expression.occurrences(after, now, zone)
                 if start is None or moment >= start]
    return [moment for moment in times if end is None or moment < end]


def _completed(schedule: Any, expression: ScheduleExpression, fired: bool,
               now: datetime.datetime) -> bool:
    """True once the schedule will never invoke its target again."""
    if isinstance(expression, AtExpression):
        return fired
    end = _instant(schedule.end_date)
    return end is not None and now >= end


# -- payloads and targets ------------------------------------------------------------------------


def _payload(target: dict[str, Any], firing: Firing) -> str:
    text = target.get("Input")
    if text is None:
        return "{}"
    attributes = {
        "<aws.scheduler.schedule-arn>": firing.schedule_arn,
        "<aws.scheduler.scheduled-time>": firing.scheduled_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "<aws.scheduler.execution-id>": firing.execution_id,
        "<aws.scheduler.attempt-number>": "1",
    }
    for keyword, value in attributes.items():
        text = text.replace(keyword, value)
    return str(text)


def _start_execution_api(payload: str) -> None:
    """The sfn:startExecution universal target: the payload is the API's parameters."""
    parameters = json.loads(payload)
    if not isinstance(parameters, dict) or not isinstance(parameters.get("StateMachineArn"), str):
        raise ValueError("sfn:startExecution input needs a StateMachineArn string")
    execution_input = parameters.get("Input", "{}")
    if not isinstance(execution_input, str):
        raise ValueError("sfn:startExecution Input must be JSON text (a string)")
    start_state_machine(parameters["StateMachineArn"], execution_input, parameters.get("Name"))


def _delivery(arn: str, payload: str) -> Callable[[], Any] | None:
    """What delivering `payload` to `arn` runs, or None for a target local mode lacks."""
    if is_lambda_target(arn):
        return functools.partial(invoke_lambda, arn, payload)
    if is_state_machine_target(arn):
        return functools.partial(start_state_machine, arn, payload)
    if arn == SFN_START_EXECUTION:
        return functools.partial(_start_execution_api, payload)
    return None


def _log_failure(key: LaneKey, exc: Exception) -> None:
    logger.warning("schedule %s target %s: delivery failed: %r", key[0], key[1], exc)


# -- the ticker ----------------------------------------------------------------------------------


class SchedulerTicker:
    """Fires the schedules moto holds. `since` is where the first tick's window starts (default:
    now by `clock`); `interval` is the thread's tick period in seconds (60: minute boundaries).
    """

    def __init__(self, *, since: datetime.datetime | None = None,
                 clock: Callable[[], datetime.datetime] = _utc_now,
                 interval: float = TICK_SECONDS) -> None:
        self._clock = clock
        self._interval = interval
        self._last = (since or clock()).astimezone(UTC)
        self._tick_lock = threading.Lock()
        self._records_lock = threading.Lock()
        self._records: dict[str, Firing] = {}
        self._invalid: dict[str, str] = {}
        self._lanes = Lanes("local-schedule-target", _log_failure)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- ticking -------------------------------------------------------------------------------

    def tick(self, now: datetime.datetime) -> list[Firing]:
        """Fire every ENABLED schedule due in (previous tick, now]; gives the firings started
        (their deliveries run on other threads: see `wait_for_firings`)."""
        now = now.astimezone(UTC)
        with self._tick_lock:
            after = self._last
            if now <= after:
                return []
            started: list[Firing] = []
            for backend, schedule in _stored_schedules():
                started.extend(self._tick_schedule(backend, schedule, after, now))
            self._last = now
            return started

    def _tick_schedule(self, backend: Any, schedule: Any, after: datetime.datetime,
                       now: datetime.datetime) -> list[Firing]:
        if schedule.state != "ENABLED":
            return []
        try:
            expression = _parsed(schedule.schedule_expression)
            zone = ZoneInfo(schedule.schedule_expression_timezone or "UTC")
        except (ScheduleExpressionError, ZoneInfoNotFoundError, ValueError) as exc:
            self._note_invalid(schedule.arn, str(exc))
            return []
        self._invalid.pop(schedule.arn, None)
        fired = [self._fire(schedule, moment)
                 for moment in _due_times(schedule, expression, zone, after, now)]
        if schedule.action_after_completion == "DELETE" and _completed(
                schedule, expression, bool(fired), now):
            try:
                backend.delete_schedule(schedule.group_name, schedule.name)
            except require(_EXCEPTIONS_MODULE, "ScheduleNotFound"):
                pass  # deleted by a client meanwhile
        return fired

    def _note_invalid(self, arn: str, message: str) -> None:
        if self._invalid.get(arn) != message:
            logger.warning("schedule %s is never fired: %s", arn, message)
        self._invalid[arn] = message

    def _fire(self, schedule: Any, moment: datetime.datetime) -> Firing:
        target = dict(schedule.target or {})
        arn = str(target.get("Arn", ""))
        firing = Firing(schedule=schedule.name, group=schedule.group_name,
                        schedule_arn=schedule.arn, scheduled_time=moment, target=arn,
                        execution_id=uuid.uuid4().hex[:16])
        self._store(firing)
        delivery = _delivery(arn, _payload(target, firing))
        if delivery is None:
            message = (f"target {arn!r} is not delivered in local mode (Lambda functions, "
                       f"state machines and {SFN_START_EXECUTION} are)")
            logger.warning("schedule %s: %s", schedule.arn, message)
            self._settle(firing.execution_id, message)
            return firing

        def job() -> None:
            try:
                delivery()
            except Exception as exc:
                self._settle(firing.execution_id, f"{type(exc).__name__}: {exc}")
                raise
            self._settle(firing.execution_id, None)

        self._lanes.submit((schedule.arn, arn), job)
        return firing

    # -- records -------------------------------------------------------------------------------

    def _store(self, firing: Firing) -> None:
        with self._records_lock:
            self._records[firing.execution_id] = firing
            while len(self._records) > MAX_RECORDS:
                del self._records[next(iter(self._records))]

    def _settle(self, execution_id: str, error: str | None) -> None:
        with self._records_lock:
            firing = self._records.get(execution_id)
            if firing is not None:
                self._records[execution_id] = dataclasses.replace(
                    firing, ok=error is None, error=error)

    def firings(self) -> list[Firing]:
        """The most recent firings (up to MAX_RECORDS), oldest first."""
        with self._records_lock:
            return list(self._records.values())

    def wait_for_firings(self, timeout: float = 10.0) -> bool:
        """Wait until no target delivery is queued or running; False if some still are after
        `timeout` seconds."""
        return self._lanes.work.wait_idle(time.monotonic() + timeout)

    def invalid_schedules(self) -> dict[str, str]:
        """Schedule ARN -> why it cannot fire (bad expression or time zone), as of the last
        tick that read it."""
        with self._tick_lock:
            return dict(self._invalid)

    # -- the thread ----------------------------------------------------------------------------

    def start(self) -> "SchedulerTicker":
        """Tick on a daemon thread at each multiple of `interval` seconds (idempotent)."""
        if self._thread is None:
            self._stopping.clear()
            self._thread = threading.Thread(target=self._run, daemon=True,
                                            name="local-scheduler-ticker")
            self._thread.start()
        return self

    @property
    def running(self) -> bool:
        """True while the ticking thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (deliveries already started still finish)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            self._stopping.set()
            thread.join(timeout)

    def _seconds_to_next_tick(self) -> float:
        seconds = self._clock().timestamp()
        return max(0.0, (seconds // self._interval + 1) * self._interval - seconds)

    def _run(self) -> None:
        while not self._stopping.wait(self._seconds_to_next_tick()):
            now = self._clock().astimezone(UTC)
            with self._tick_lock:
                if now - self._last > MAX_CATCH_UP:
                    logger.warning("scheduler ticker paused from %s to %s: schedules due "
                                   "meanwhile are not fired", self._last, now)
                    self._last = now - datetime.timedelta(seconds=self._interval)
            try:
                self.tick(now)
            except Exception:  # noqa: BLE001 - one bad tick must not stop later ones
                logger.exception("scheduler tick at %s failed", now)

    def __enter__(self) -> "SchedulerTicker":
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def start(host: Any) -> SchedulerTicker:
    """A ticker for the schedules of `host` (a started `LocalAWS`), ticking on its thread;
    call `.stop()` when local mode ends."""
    # endpoint_url raises unless the host is started: its moto is the one the ticker reads.
    logger.debug("scheduler ticker for the local AWS at %s", host.endpoint_url)
    return SchedulerTicker().start()


def check() -> None:
    """Raise MotoMismatchError unless moto's scheduler has what the ticker reads and calls."""
    require(_MODULE, "scheduler_backends")
    require(_EXCEPTIONS_MODULE, "ScheduleNotFound")
    backend_class = require(_MODULE, "EventBridgeSchedulerBackend")
    require(_MODULE, "EventBridgeSchedulerBackend.delete_schedule")
    targets.check()
    # Schedule attributes are set per instance: build a throwaway backend and look at one.
    try:
        probe = backend_class("us-east-1", "000000000000")
        probe.create_schedule(
            description=None, end_date=None, flexible_time_window={"Mode": "OFF"},
            group_name=None, kms_key_arn=None, name="probe",
            schedule_expression="rate(1 minute)", schedule_expression_timezone=None,
            start_date=None, state=None, target={"Arn": "probe"}, action_after_completion=None)
        schedule = probe.schedule_groups["default"].schedules["probe"]
    except (TypeError, KeyError, AttributeError) as exc:
        raise MotoMismatchError(
            f"the scheduler ticker reads {_MODULE} schedule groups, which changed: {exc!r}"
        ) from exc
    missing = [name for name in _SCHEDULE_ATTRIBUTES if not hasattr(schedule, name)]
    if missing:
        raise MotoMismatchError(
            f"the scheduler ticker reads Schedule.{', '.join(missing)} in {_MODULE}, which "
            "this moto does not have")
