"""Executions of published state machine versions (`arn:...:stateMachine:NAME:3`) on moto.

moto stores a version's executions on the `StateMachineVersion`, but:
- StartExecution with a version ARN fails (HTTP 500): the parser backend calls
  `_handle_name_input_idempotency`, which versions lack, and deep-copies a `.backend` they do
  not have; once a version has an execution, starting the base machine would also deep-copy
  that version's live executions (threads, locks) and fail;
- `_get_state_machine_for_execution` gives the base machine, whose executions list misses them,
  so DescribeExecution, StopExecution and GetExecutionHistory answer ExecutionDoesNotExist;
  SendTask*, DescribeMapRun and DescribeStateMachineForExecution miss them too.

`install()` makes them all work, as on AWS:
- execution names are unique across the machine and all its versions (one ARN namespace):
  the same name and input while RUNNING gives the running execution back, anything else
  answers ExecutionAlreadyExists;
- DescribeExecution gives `stateMachineArn` (the unqualified machine) and
  `stateMachineVersionArn` for an execution started from a version ARN;
- ListExecutions with the machine's ARN lists the executions of the machine and of all its
  versions; with a version ARN, only that version's. Each item gives the unqualified
  `stateMachineArn`, plus `stateMachineVersionArn` when started from a version.
- DescribeStateMachineForExecution describes the version the execution ran.
Aliases are not covered (moto cannot start executions from alias ARNs).

Takes: nothing at import. Gives: `install()`, `check()`.
"""

from __future__ import annotations

import copy
import datetime
import json
from collections.abc import Iterator
from typing import Any

from infra.local.moto_guard import require, require_module

_MODELS_MODULE = "moto.stepfunctions.models"
_PARSER_MODELS_MODULE = "moto.stepfunctions.parser.models"
_PARSER_EXECUTION_MODULE = "moto.stepfunctions.parser.backend.execution"
_RESPONSES_MODULE = "moto.stepfunctions.responses"
_UTILS_MODULE = "moto.stepfunctions.utils"

_TERMINAL_FOR_LIST = ("SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT")


# -- where executions live ---------------------------------------------------------------------


def _is_version(instance: Any) -> bool:
    return isinstance(instance, require(_MODELS_MODULE, "StateMachineVersion"))


def _instances(state_machine: Any) -> Iterator[Any]:
    """The machine itself, then each of its published versions."""
    yield state_machine
    yield from list(getattr(state_machine, "versions", {}).values())


def _base_of(backend: Any, instance: Any) -> Any:
    """The unqualified machine of `instance` (itself unless it is a version)."""
    if not _is_version(instance):
        return instance
    source = next((sm for sm in backend.state_machines if sm.arn == instance.source_arn), None)
    return source if source is not None else instance


def _machine_name(execution_arn: str) -> str | None:
    parts = execution_arn.split(":")
    return parts[6] if len(parts) > 7 else None


def _holder_of(backend: Any, execution_arn: str) -> Any | None:
    """The machine or version whose executions list holds `execution_arn`, or None."""
    name = _machine_name(execution_arn)
    for state_machine in list(backend.state_machines):
        if state_machine.name != name:
            continue
        for instance in _instances(state_machine):
            if any(x.execution_arn == execution_arn for x in list(instance.executions)):
                return instance
    return None


def _get_state_machine_for_execution(self: Any, execution_arn: str) -> Any:
    holder = _holder_of(self, execution_arn)
    if holder is not None:
        return holder
    not_found = require(_MODELS_MODULE, "ExecutionDoesNotExist")
    name = _machine_name(execution_arn)
    base = next((sm for sm in self.state_machines if sm.name == name), None)
    if base is None:
        raise not_found("Execution Does Not Exist: '" + execution_arn + "'")
    return self.describe_state_machine(base.arn)


def _describe_state_machine_for_execution(self: Any, execution_arn: str) -> Any:
    holder = _holder_of(self, execution_arn)
    if holder is None:
        raise require(_MODELS_MODULE, "ResourceNotFound")(execution_arn)
    return holder


def _get_executions(self: Any, execution_status: Any = None) -> list[Any]:
    executions = []
    for state_machine in list(self.state_machines):
        for instance in _instances(state_machine):
            for execution in list(instance.executions):
                if execution_status is None or execution_status == execution.status:
                    executions.append(execution)
    return executions


def list_executions(self: Any, state_machine_arn: str, status_filter: str | None = None) -> list:
    """Named like moto's method: moto's paginator looks its configuration up by __name__."""
    instance = self.describe_state_machine(state_machine_arn)
    if _is_version(instance):
        executions = list(instance.executions)
    else:
        executions = [x for member in _instances(instance) for x in list(member.executions)]
    if status_filter:
        executions = [x for x in executions if x.status == status_filter]
    return sorted(executions, key=lambda x: x.start_date, reverse=True)


# -- starting ----------------------------------------------------------------------------------


def _existing_execution(base: Any, name: str | None, execution_input: str | None) -> Any | None:
    """Idempotency over the machine and all its versions (they share one ARN namespace)."""
    already_exists = require(_MODELS_MODULE, "ExecutionAlreadyExists")
    for instance in _instances(base):
        for execution in list(instance.executions):
            if execution.name != name:
                continue
            if execution_input == execution.execution_input and execution.status == "RUNNING":
                return execution
            raise already_exists("Execution Already Exists: '" + execution.execution_arn + "'")
    return None


def _snapshot(state_machine: Any, base: Any) -> Any:
    """A deep copy of `state_machine` without any live executions (of the machine or of any
    version) and sharing the backend, as moto's own snapshot does for the machine alone."""
    memo: dict[int, Any] = {}
    for instance in _instances(base):
        memo[id(instance.executions)] = []
    if state_machine is not base:
        memo[id(state_machine.executions)] = []
    backend = getattr(base, "backend", None)
    if backend is not None:
        memo[id(backend)] = backend
    return copy.deepcopy(state_machine, memo)


def _start_execution(
    self: Any,
    state_machine_arn: str,
    name: str | None = None,
    execution_input: str | None = None,
    trace_header: str | None = None,
) -> Any:
    """moto's parser StartExecution, for machines and their versions alike."""
    execution_type = require(_PARSER_MODELS_MODULE, "Execution")
    invalid_input = require(_PARSER_MODELS_MODULE, "InvalidExecutionInput")
    state_machine = self.describe_state_machine(state_machine_arn)
    base = _base_of(self, state_machine)
    existing = _existing_execution(base, name, execution_input)
    if existing is not None:
        return existing
    clone = _snapshot(state_machine, base)
    if execution_input is None:
        input_data = "{}"
    else:
        input_data = execution_input
        try:
            json.loads(execution_input)
        except Exception as exc:
            raise invalid_input(str(exc)) from exc
    execution_arn = (
        f"arn:{self.partition}:states:{self.region_name}:{self.account_id}:execution:"
        f"{state_machine.name}:{name}"
    )
    execution = execution_type(
        name=name,
        sm_type=clone.sm_type,
        role_arn=clone.roleArn,
        exec_arn=execution_arn,
        account_id=self.account_id,
        region_name=self.region_name,
        state_machine=clone,
        start_date=datetime.datetime.now(tz=datetime.UTC),
        cloud_watch_logging_session=None,
        input_data=input_data,
        trace_header=trace_header,
        activity_store={},
    )
    if state_machine is not base:
        # DescribeExecution's stateMachineArn is the unqualified machine on AWS.
        execution.state_machine_arn = base.arn
    state_machine.executions.append(execution)
    execution.start()
    return execution


# -- HTTP answers ------------------------------------------------------------------------------


def version_arn_of(execution: Any) -> str | None:
    """The version ARN an execution was started from, or None (unqualified start)."""
    state_machine = getattr(execution, "state_machine", None)
    if state_machine is not None and _is_version(state_machine):
        return state_machine.arn
    return None


def machine_arn_of(execution: Any) -> str:
    """The unqualified state machine ARN of an execution."""
    state_machine = getattr(execution, "state_machine", None)
    if state_machine is not None and _is_version(state_machine):
        return state_machine.source_arn
    return execution.state_machine_arn


def _describe_execution_patch(original: Any) -> Any:
    def describe_execution(self: Any) -> Any:
        answer = original(self)
        result = getattr(answer, "result", None)
        if isinstance(result, dict):
            execution = self.stepfunction_backend.describe_execution(result["executionArn"])
            result["stateMachineArn"] = machine_arn_of(execution)
            version_arn = version_arn_of(execution)
            if version_arn is not None:
                result["stateMachineVersionArn"] = version_arn
        return answer

    describe_execution.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return describe_execution


def _list_executions_response(self: Any) -> Any:
    action_result = require("moto.core.responses", "ActionResult")
    results, next_token = self.stepfunction_backend.list_executions(
        self._get_param("stateMachineArn"),
        status_filter=self._get_param("statusFilter"),
        max_results=self._get_int_param("maxResults"),
        next_token=self._get_param("nextToken"),
    )
    executions = []
    for execution in results:
        item: dict[str, Any] = {
            "executionArn": execution.execution_arn,
            "name": execution.name,
            "startDate": execution.start_date,
            "stateMachineArn": machine_arn_of(execution),
            "status": execution.status,
        }
        if execution.status in _TERMINAL_FOR_LIST and execution.stop_date is not None:
            item["stopDate"] = execution.stop_date
        version_arn = version_arn_of(execution)
        if version_arn is not None:
            item["stateMachineVersionArn"] = version_arn
        executions.append(item)
    return action_result({"executions": executions, "nextToken": next_token})


_get_state_machine_for_execution.__stepwise_patched__ = True  # type: ignore[attr-defined]
_start_execution.__stepwise_patched__ = True  # type: ignore[attr-defined]
_list_executions_response.__stepwise_patched__ = True  # type: ignore[attr-defined]


# -- install -----------------------------------------------------------------------------------


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter replaces or uses are missing."""
    require(_MODELS_MODULE, "StateMachine.stop_execution")
    require(_MODELS_MODULE, "StateMachine.publish")
    require(_MODELS_MODULE, "StateMachineVersion")
    require(_MODELS_MODULE, "StepFunctionBackend._get_state_machine_for_execution")
    require(_MODELS_MODULE, "StepFunctionBackend.describe_state_machine_for_execution")
    require(_MODELS_MODULE, "StepFunctionBackend.describe_state_machine")
    require(_MODELS_MODULE, "StepFunctionBackend.list_executions")
    require(_MODELS_MODULE, "ExecutionDoesNotExist")
    require(_MODELS_MODULE, "ExecutionAlreadyExists")
    require(_MODELS_MODULE, "ResourceNotFound")
    require(_PARSER_MODELS_MODULE, "StepFunctionsParserBackend.start_execution")
    require(_PARSER_MODELS_MODULE, "StepFunctionsParserBackend._get_executions")
    require(_PARSER_MODELS_MODULE, "Execution")
    require(_PARSER_MODELS_MODULE, "InvalidExecutionInput")
    require(_PARSER_EXECUTION_MODULE, "Execution.start")
    require(_RESPONSES_MODULE, "StepFunctionResponse.describe_execution")
    require(_RESPONSES_MODULE, "StepFunctionResponse.list_executions")
    require(_UTILS_MODULE, "PAGINATION_MODEL")
    require("moto.utilities.paginator", "paginate")
    require("moto.core.responses", "ActionResult")


def install() -> None:
    """Patch moto's Step Functions so executions of versions work everywhere (idempotent)."""
    check()
    models = require_module(_MODELS_MODULE)
    backend_class = models.StepFunctionBackend
    if getattr(backend_class._get_state_machine_for_execution, "__stepwise_patched__", False):
        return
    paginate = require("moto.utilities.paginator", "paginate")
    pagination_model = require(_UTILS_MODULE, "PAGINATION_MODEL")
    backend_class._get_state_machine_for_execution = _get_state_machine_for_execution
    backend_class.describe_state_machine_for_execution = _describe_state_machine_for_execution
    backend_class.list_executions = paginate(pagination_model=pagination_model)(list_executions)
    models.StateMachineVersion.stop_execution = models.StateMachine.stop_execution
    parser_class = require(_PARSER_MODELS_MODULE, "StepFunctionsParserBackend")
    parser_class.start_execution = _start_execution
    parser_class._get_executions = _get_executions
    response_class = require(_RESPONSES_MODULE, "StepFunctionResponse")
    response_class.describe_execution = _describe_execution_patch(response_class.describe_execution)
    response_class.list_executions = _list_executions_response
