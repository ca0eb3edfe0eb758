"""Emits "Step Functions Execution Status Change" events from moto's Step Functions, as AWS does.

moto never emits them. `install()` hooks the two points where moto's parser backend changes an
execution's status: `Execution.start` (RUNNING) and the worker communication's `terminated`
(SUCCEEDED, FAILED, TIMED_OUT or ABORTED, after moto recorded the outcome; StopExecution ends
there too, once the interpreter noticed the stop). Every Standard execution, nested ones
started by `states:startExecution[.sync[:2]]` included, thus gives exactly one RUNNING event
and one final event. Express executions give none, as on AWS.

Each event is put on the default event bus of the execution's account and region through
moto's EventBridge backend (`EventsBackend.put_events`), so EventBridge rules and their targets
decide where it goes; with no matching rule nothing is delivered. The hooks only enqueue (the
execution's own thread never waits for delivery, so nothing can deadlock on moto's locks); one
dispatcher thread puts the events on the bus in the order they were emitted, so an execution's
RUNNING event always comes before its final one.

The event has AWS's documented shape: `version "0"`, `id`, `detail-type`, `source "aws.states"`,
`account`, `time` (ISO-8601, `Z`), `region`, `resources [executionArn]` and `detail`
{executionArn, stateMachineArn (unqualified, also for executions of a version), name, status,
startDate and stopDate (epoch ms; stopDate null while RUNNING), input, inputDetails, output and
outputDetails (null unless SUCCEEDED), error and cause (null unless set), redriveCount (0),
redriveStatus}. Input is dropped (`inputDetails.included: false`) when escaped input and output
exceed 248 KiB together, output when it alone does, as AWS documents.

Takes: nothing at import. Gives: `install()`, `check()`, `wait_for_events(timeout)` (blocks
until every event emitted so far is on the bus and the rule targets it reached have run, see
`infra.local.rule_targets`), `delivery_errors()`.
"""

from __future__ import annotations

import collections
import datetime
import functools
import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

from infra.local.moto_guard import MotoMismatchError, require, require_module
from infra.local.pending import PendingWork

_EXECUTION_MODULE = "moto.stepfunctions.parser.backend.execution"
_EVENTS_MODULE = "moto.events.models"
_ENCODING_MODULE = "moto.stepfunctions.parser.asl.utils.encoding"

SOURCE = "aws.states"
DETAIL_TYPE = "Step Functions Execution Status Change"
PAYLOAD_LIMIT = 248 * 1024
_REDRIVABLE = frozenset({"FAILED", "ABORTED", "TIMED_OUT"})
_FINAL_SENT = "_stepwise_final_status_event"

logger = logging.getLogger(__name__)


# -- building events ---------------------------------------------------------------------------


def _epoch_millis(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.UTC)
        return int(value.timestamp() * 1000)
    return int(value)


def _compact_json(value: Any) -> str:
    to_json_str = require(_ENCODING_MODULE, "to_json_str")
    return to_json_str(value, separators=(",", ":"))


def _status_text(status: Any) -> str:
    return str(getattr(status, "value", status))


def _machine_arn(execution: Any) -> str:
    state_machine = execution.state_machine
    return getattr(state_machine, "source_arn", None) or state_machine.arn


def _escaped_size(text: str) -> int:
    """Bytes of `text` once escaped into the event's JSON (UTF-8)."""
    return len(json.dumps(text, ensure_ascii=False).encode("utf-8"))


def build_detail(execution: Any, status: str) -> dict[str, Any]:
    """The event's `detail` for `execution` at `status` (RUNNING, or its final status)."""
    final = status != "RUNNING"
    input_text = _compact_json(execution.input_data)
    output_text = _compact_json(execution.output) if status == "SUCCEEDED" else None
    detail: dict[str, Any] = {
        "executionArn": execution.exec_arn,
        "stateMachineArn": _machine_arn(execution),
        "name": execution.name,
        "status": status,
        "startDate": _epoch_millis(execution.start_date),
        "stopDate": _epoch_millis(execution.stop_date) if final else None,
        "input": input_text,
        "inputDetails": {"included": True},
        "output": output_text,
        "outputDetails": {"included": True} if output_text is not None else None,
        "error": (execution.error or None) if final else None,
        "cause": (execution.cause or None) if final else None,
        "redriveCount": 0,
        "redriveStatus": "REDRIVABLE" if status in _REDRIVABLE else "NOT_REDRIVABLE",
    }
    escaped_input = _escaped_size(input_text)
    escaped_output = _escaped_size(output_text) if output_text is not None else 0
    if escaped_input + escaped_output > PAYLOAD_LIMIT:
        detail["input"] = None
        detail["inputDetails"] = {"included": False}
    if escaped_output > PAYLOAD_LIMIT:
        detail["output"] = None
        detail["outputDetails"] = {"included": False}
    return detail


def build_entry(execution: Any, status: str) -> dict[str, Any]:
    """A PutEvents entry (for moto's `EventsBackend.put_events`) for `execution` at `status`."""
    if status == "RUNNING":
        moment = execution.start_date
    else:
        moment = execution.stop_date or datetime.datetime.now(tz=datetime.UTC)
    millis = _epoch_millis(moment)
    return {
        "Source": SOURCE,
        "DetailType": DETAIL_TYPE,
        "Detail": json.dumps(build_detail(execution, status)),
        "Resources": [execution.exec_arn],
        # moto keeps event times as epoch seconds; targets render them as ISO-8601 `Z`.
        "Time": (millis or 0) / 1000.0,
        "EventBusName": "default",
    }


# -- dispatcher --------------------------------------------------------------------------------


class _Dispatcher:
    """One thread putting queued events on the bus, in order; counts what is not done yet."""

    def __init__(self) -> None:
        self._queue: queue.Queue[tuple[Any, str]] = queue.Queue()
        self._lock = threading.Lock()
        self.work = PendingWork()
        self._thread: threading.Thread | None = None
        self.errors: collections.deque[str] = collections.deque(maxlen=100)

    def submit(self, execution: Any, status: str) -> None:
        self.work.started()
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="local-status-events", daemon=True
                )
                self._thread.start()
        self._queue.put((execution, status))

    def _run(self) -> None:
        while True:
            execution, status = self._queue.get()
            try:
                self._deliver(execution, status)
            except Exception as exc:  # noqa: BLE001 - logged; the dispatcher goes on
                message = f"{status} event of {getattr(execution, 'exec_arn', '?')}: {exc!r}"
                self.errors.append(message)
                logger.warning("status event not delivered: %s", message)
            finally:
                self.work.finished()

    @staticmethod
    def _deliver(execution: Any, status: str) -> None:
        backends = require(_EVENTS_MODULE, "events_backends")
        backend = backends[execution.account_id][execution.region_name]
        backend.put_events([build_entry(execution, status)])



_dispatcher = _Dispatcher()
_final_lock = threading.Lock()


def _emits(execution: Any) -> bool:
    """Standard executions emit; Express ones (and synchronous starts) do not."""
    if type(execution).__name__ == "SyncExecution":
        return False
    state_machine = getattr(execution, "state_machine", None)
    return str(getattr(state_machine, "type", "STANDARD")).upper() != "EXPRESS"


def emit(execution: Any, status: str) -> None:
    """Queue the status event of `execution` (used by the hooks; safe from any thread)."""
    if not _emits(execution):
        return
    if status != "RUNNING":
        with _final_lock:
            if getattr(execution, _FINAL_SENT, False):
                return
            setattr(execution, _FINAL_SENT, True)
    _dispatcher.submit(execution, status)


def wait_for_events(timeout: float = 10.0) -> None:
    """Block until every status event emitted so far is on the bus and every rule target
    delivery it caused (including the events those deliveries emitted in turn) has finished.

    Raises TimeoutError if that takes longer than `timeout` seconds.
    """
    from infra.local import rule_targets

    deadline = time.monotonic() + timeout
    while True:
        if not _dispatcher.work.wait_idle(deadline):
            raise TimeoutError(
                f"{_dispatcher.work.count} status events still undelivered after {timeout}s"
            )
        if not rule_targets.wait_for_deliveries(max(0.0, deadline - time.monotonic())):
            raise TimeoutError(
                f"{rule_targets.pending_deliveries()} rule target deliveries still running "
                f"after {timeout}s"
            )
        if _dispatcher.work.count == 0 and rule_targets.pending_deliveries() == 0:
            return


def delivery_errors() -> list[str]:
    """The most recent failures to put a status event on the bus (oldest first)."""
    return list(_dispatcher.errors)


# -- hooks -------------------------------------------------------------------------------------


def _start_patch(original: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(original)
    def start(self: Any) -> None:
        if self.exec_worker is None:
            # Queued before the worker thread exists, so it precedes the final event.
            emit(self, "RUNNING")
        original(self)

    start.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return start


def _terminated_patch(original: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(original)
    def terminated(self: Any) -> None:
        original(self)
        execution = self.execution
        if execution.exec_status is not None:
            emit(execution, _status_text(execution.exec_status))

    terminated.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return terminated


def _require_own(class_name: str, attribute: str) -> None:
    """Like `require`, and the class itself (not only a base class) must define `attribute`."""
    owner = require(_EXECUTION_MODULE, class_name)
    if attribute not in vars(owner):
        raise MotoMismatchError(
            f"local adapters hook {_EXECUTION_MODULE}.{class_name}.{attribute}, which this moto "
            "no longer defines on that class"
        )


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter hooks or uses are missing."""
    _require_own("Execution", "start")
    _require_own("BaseExecutionWorkerCommunication", "terminated")
    require(_EXECUTION_MODULE, "BaseExecutionWorkerCommunication._reflect_execution_status")
    require(_EVENTS_MODULE, "events_backends")
    require(_EVENTS_MODULE, "EventsBackend.put_events")
    require(_ENCODING_MODULE, "to_json_str")


def install() -> None:
    """Hook moto's execution start and end (idempotent)."""
    check()
    module = require_module(_EXECUTION_MODULE)
    execution_class = module.Execution
    if not getattr(execution_class.start, "__stepwise_patched__", False):
        execution_class.start = _start_patch(execution_class.start)
    comm_class = module.BaseExecutionWorkerCommunication
    if not getattr(comm_class.terminated, "__stepwise_patched__", False):
        comm_class.terminated = _terminated_patch(comm_class.terminated)
