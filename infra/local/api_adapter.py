"""Step Functions API calls whose `cause` moto drops: SendTaskFailure and StopExecution.

moto's HTTP handler for SendTaskFailure reads `error` but not `cause`, and StopExecution stops
the execution with empty error and cause. `install()` replaces both handlers so the error and
cause reach the interpreter: the waiting task fails with them (visible to Catch through
`$states.errorOutput`), and an aborted execution records them in its `ExecutionAborted` event
and DescribeExecution.

Takes: nothing at import. Gives: `install()`.
"""

from __future__ import annotations

from typing import Any

from infra.local.moto_guard import require, require_module

_RESPONSES_MODULE = "moto.stepfunctions.responses"
_MODELS_MODULE = "moto.stepfunctions.models"


def _send_task_failure(self: Any) -> Any:
    empty_result = require("moto.core.responses", "EmptyResult")
    self.stepfunction_backend.send_task_failure(
        self._get_param("taskToken"),
        error=self._get_param("error"),
        cause=self._get_param("cause"),
    )
    return empty_result()


def _stop_execution(self: Any) -> Any:
    action_result = require("moto.core.responses", "ActionResult")
    arn = self._get_param("executionArn")
    backend = self.stepfunction_backend
    backend._validate_execution_arn(arn)
    state_machine = backend._get_state_machine_for_execution(arn)
    execution = _state_machine_stop(
        state_machine, arn, error=self._get_param("error"), cause=self._get_param("cause")
    )
    return action_result({"stopDate": execution.stop_date})


def _state_machine_stop(
    state_machine: Any, execution_arn: str, error: str | None = None, cause: str | None = None
) -> Any:
    """Stop one execution of `state_machine` with the given error and cause; gives it."""
    not_found = require(_MODELS_MODULE, "ExecutionDoesNotExist")
    utcnow = require("moto.core.utils", "utcnow")
    execution = next(
        (x for x in state_machine.executions if x.execution_arn == execution_arn), None
    )
    if execution is None:
        raise not_found("Execution Does Not Exist: '" + execution_arn + "'")
    execution.stop(stop_date=utcnow(), error=error, cause=cause)
    return execution


_send_task_failure.__stepwise_patched__ = True  # type: ignore[attr-defined]
_stop_execution.__stepwise_patched__ = True  # type: ignore[attr-defined]


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter replaces or uses are missing."""
    require(_RESPONSES_MODULE, "StepFunctionResponse.send_task_failure")
    require(_RESPONSES_MODULE, "StepFunctionResponse.stop_execution")
    require(_MODELS_MODULE, "StepFunctionBackend._validate_execution_arn")
    require(_MODELS_MODULE, "StepFunctionBackend._get_state_machine_for_execution")
    require(_MODELS_MODULE, "ExecutionDoesNotExist")
    require("moto.core.responses", "EmptyResult")
    require("moto.core.responses", "ActionResult")
    require("moto.core.utils", "utcnow")


def install() -> None:
    """Replace moto's SendTaskFailure and StopExecution handlers (idempotent)."""
    check()
    response_class = require_module(_RESPONSES_MODULE).StepFunctionResponse
    response_class.send_task_failure = _send_task_failure
    response_class.stop_execution = _stop_execution
