"""Delivering to Lambda functions and Step Functions state machines on the local AWS.

Shared by the two local sources of target invocations, EventBridge rules
(`infra.local.rule_targets`) and EventBridge Scheduler schedules
(`infra.local.scheduler_ticker`).

Takes: target ARNs and payload text. Gives:
- `is_lambda_target(arn)`, `is_state_machine_target(arn)`: which ARNs are delivered here;
- `invoke_lambda(function_arn, payload)`: runs the function through the local Lambda backend
  (`infra.local.lambda_adapter` runs its Handler in this process) and raises if the function
  fails;
- `start_state_machine(state_machine_arn, payload, name=None) -> execution ARN`;
- `Lanes`: FIFO lanes of jobs, one worker thread per busy lane, whose pending work can be
  awaited.
"""

from __future__ import annotations

import collections
import logging
import threading
import uuid
from collections.abc import Callable

from infra.local.moto_guard import require
from infra.local.pending import PendingWork

logger = logging.getLogger(__name__)

Job = Callable[[], None]
LaneKey = tuple[str, str]


def _arn_parts(arn: str) -> list[str]:
    return arn.split(":")


def is_lambda_target(arn: str) -> bool:
    """arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]."""
    parts = _arn_parts(arn)
    return len(parts) in (7, 8) and parts[2] == "lambda" and parts[5] == "function"


def is_state_machine_target(arn: str) -> bool:
    """arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION]."""
    parts = _arn_parts(arn)
    return len(parts) in (7, 8) and parts[2] == "states" and parts[5] == "stateMachine"


def invoke_lambda(function_arn: str, payload: str) -> None:
    """Run the function on `payload` and wait for it; raise RuntimeError on a function error
    (moto raises its own error for a function that does not exist)."""
    parts = _arn_parts(function_arn)
    account, region, name = parts[4], parts[3], parts[6]
    qualifier = parts[7] if len(parts) == 8 else None
    get_backend = require("moto.awslambda.utils", "get_backend")
    response_headers: dict[str, str] = {}
    result = get_backend(account, region).invoke(
        name,
        qualifier,
        payload.encode("utf-8"),
        {"X-Amz-Invocation-Type": "RequestResponse"},
        response_headers,
    )
    if response_headers.get("x-amz-function-error"):
        text = result.decode("utf-8", "replace") if isinstance(result, bytes) else str(result)
        raise RuntimeError(f"function error: {text}")


def start_state_machine(state_machine_arn: str, payload: str, name: str | None = None) -> str:
    """Start an execution with input `payload`, named `name` or a random UUID (as EventBridge
    names the executions it starts); gives the execution ARN."""
    parts = _arn_parts(state_machine_arn)
    account, region = parts[4], parts[3]
    get_backend = require("moto.stepfunctions.responses", "get_backend")
    execution = get_backend(account, region).start_execution(
        state_machine_arn, name=name or str(uuid.uuid4()), execution_input=payload
    )
    return str(execution.execution_arn)


def check() -> None:
    """Raise MotoMismatchError if the moto lookups used here are missing."""
    require("moto.awslambda.utils", "get_backend")
    require("moto.stepfunctions.responses", "get_backend")


class Lanes:
    """FIFO lanes keyed by (source, target): jobs of one lane run one after another, in the
    order submitted, on a worker thread of that lane (never the submitter's).

    A job that raises is reported to `on_error(key, exc)`; `work` counts jobs queued or
    running, so callers can wait for them (`work.wait_idle(deadline)`).
    """

    def __init__(self, thread_prefix: str, on_error: Callable[[LaneKey, Exception], None]):
        self._thread_prefix = thread_prefix
        self._on_error = on_error
        self._lock = threading.Lock()
        self._lanes: dict[LaneKey, collections.deque[Job]] = {}
        self.work = PendingWork()

    def submit(self, key: LaneKey, job: Job) -> None:
        self.work.started()
        with self._lock:
            lane = self._lanes.get(key)
            if lane is not None:
                lane.append(job)
                return
            self._lanes[key] = collections.deque([job])
        worker = threading.Thread(
            target=self._drain, args=(key,), daemon=True, name=f"{self._thread_prefix}-{key[1]}"
        )
        worker.start()

    def _drain(self, key: LaneKey) -> None:
        while True:
            with self._lock:
                lane = self._lanes[key]
                if not lane:
                    del self._lanes[key]
                    return
                job = lane.popleft()
            try:
                job()
            except Exception as exc:  # noqa: BLE001 - a target's failure is reported, not ours
                self._on_error(key, exc)
            finally:
                self.work.finished()
