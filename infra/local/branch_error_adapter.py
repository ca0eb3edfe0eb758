"""A Parallel branch or Map iteration that fails with a `States.*` error passes it on.

On AWS, a Parallel state whose branch fails with, say, `States.QueryEvaluationError` or
`States.Timeout` fails with that error (its Catch and Retry see it), and so does a Map state
for a failed iteration. moto rebuilds the branch's (iteration's) error name as a
`CustomErrorName`, which refuses names that begin with `States.`: the Parallel (Map) then
fails with `States.Runtime` and the cause "ValueError(Custom Error Names MUST NOT begin with
the prefix 'States.', ...)", and every Parallel around it does the same. `install()` makes
both places build a `StatesErrorName` for a `States.*` name (and a custom name otherwise), so
the error passes through unchanged, as on AWS.

Takes: nothing at import. Gives: `install()` and `check()`.
"""

from __future__ import annotations

import inspect
from typing import Any

from infra.local.moto_guard import MotoMismatchError, require, require_module

_ERROR_NAME_PACKAGE = "moto.stepfunctions.parser.asl.component.common.error_name"
_CUSTOM_MODULE = f"{_ERROR_NAME_PACKAGE}.custom_error_name"
_STATES_MODULE = f"{_ERROR_NAME_PACKAGE}.states_error_name"
_BASE_MODULE = f"{_ERROR_NAME_PACKAGE}.error_name"
_EXEC_PACKAGE = "moto.stepfunctions.parser.asl.component.state.exec"
_BRANCHES_MODULE = f"{_EXEC_PACKAGE}.state_parallel.branches_decl"
_ITERATION_MODULE = f"{_EXEC_PACKAGE}.state_map.iteration.iteration_worker"
# where each module builds the error name of a failed branch / iteration
_CALLERS = {
    _BRANCHES_MODULE: ("BranchesDecl._eval_body", "CustomErrorName(error_name=exit_error_name)"),
    _ITERATION_MODULE: ("IterationWorker._eval_job", "CustomErrorName(error_name=error_name)"),
}
_PREFIX = "States."


def error_name(error_name: Any) -> Any:
    """The ErrorName moto should carry for `error_name`: a `StatesErrorName` for the names
    of the Step Functions errors, a `CustomErrorName` otherwise."""
    custom = require(_CUSTOM_MODULE, "CustomErrorName")
    if not isinstance(error_name, str) or not error_name.startswith(_PREFIX):
        return custom(error_name=error_name)
    try:
        return require(_STATES_MODULE, "StatesErrorName").from_name(error_name)
    except ValueError:  # a `States.` name moto does not know: carried as it is
        name = custom.__new__(custom)
        require(_BASE_MODULE, "ErrorName").__init__(name, error_name=error_name)
        return name


error_name.__stepwise_patched__ = True  # type: ignore[attr-defined]


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter patches are missing or no longer
    build the error name the way it replaces."""
    require(_CUSTOM_MODULE, "CustomErrorName")
    require(_STATES_MODULE, "StatesErrorName.from_name")
    require(_BASE_MODULE, "ErrorName")
    for module_path, (function, call) in _CALLERS.items():
        require(module_path, "CustomErrorName")
        code = inspect.getsource(require(module_path, function))
        if call not in code:
            raise MotoMismatchError(
                f"local adapters expect {module_path}.{function} to call {call}; "
                "re-check infra/local/branch_error_adapter.py against this moto"
            )


def install() -> None:
    """Make moto's Parallel and Map states build their branches' error names with
    `error_name` (idempotent)."""
    check()
    for module_path in _CALLERS:
        require_module(module_path).CustomErrorName = error_name
