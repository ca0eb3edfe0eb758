"""Keep an execution's final output JSON-clean so DescribeExecution can render it.

An `aws-sdk:*` task can put raw boto3 values (datetimes) into state data. moto stores the last
state's data as the execution output and its DescribeExecution handler `json.dumps` it, which
fails (HTTP 500). `install()` wraps the point where moto records the outcome of an execution so
the stored output goes through moto's own JSON encoder (datetimes become ISO-8601 strings, as
they already appear in the history events). An execution stopped with an error and cause
(see `infra.local.api_adapter`) keeps them for DescribeExecution.

Takes: nothing at import. Gives: `install()`.
"""

from __future__ import annotations

import functools
import json
from typing import Any, Callable

from infra.local.moto_guard import require, require_module

_EXECUTION_MODULE = "moto.stepfunctions.parser.backend.execution"
_ENCODING_MODULE = "moto.stepfunctions.parser.asl.utils.encoding"


def json_clean(value: Any) -> Any:
    """Gives `value` after a JSON round-trip through moto's encoder (datetimes as ISO strings)."""
    to_json_str = require(_ENCODING_MODULE, "to_json_str")
    return json.loads(to_json_str(value))


def _patch(original: Callable[[Any], None]) -> Callable[[Any], None]:
    @functools.wraps(original)
    def _reflect_execution_status(self: Any) -> None:
        original(self)
        execution = self.execution
        if getattr(execution, "output", None) is not None:
            execution.output = json_clean(execution.output)
        if execution.exec_status == "ABORTED":
            stopped = execution.exec_worker.env.program_state()
            execution.error = getattr(stopped, "error", None) or None
            execution.cause = getattr(stopped, "cause", None) or None

    _reflect_execution_status.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return _reflect_execution_status


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter patches are missing."""
    require(_EXECUTION_MODULE, "BaseExecutionWorkerCommunication._reflect_execution_status")
    require(_ENCODING_MODULE, "to_json_str")


def install() -> None:
    """Wrap moto's execution-outcome recorder (idempotent)."""
    check()
    cls = require_module(_EXECUTION_MODULE).BaseExecutionWorkerCommunication
    if not getattr(cls._reflect_execution_status, "__stepwise_patched__", False):
        cls._reflect_execution_status = _patch(cls._reflect_execution_status)
