"""Nested Step Functions executions (`arn:aws:states:::states:startExecution[.sync[:2]]`) on moto.

moto's `StateTaskService._normalise_parameters/_normalise_response` are no-ops, so the task's
PascalCase parameters (`StateMachineArn`, `Input`, `Name`) reach boto3's camelCase
`start_execution` unconverted, and the camelCase answers (`executionArn`, datetimes) are not
turned back into what ASL sees (`ExecutionArn`, epoch milliseconds).

`install()` gives the Step Functions task service real normalisers, built from botocore's service
model: parameters are renamed to the API's member names; responses are renamed to PascalCase and
datetimes become epoch milliseconds (so they are JSON and DescribeExecution can render them). The
parent then waits for the child: `.sync` gives the child's DescribeExecution (Output as a JSON
string), `.sync:2` the same with Input/Output parsed; a failed child fails the task with
`States.TaskFailed` and a Cause holding the child's DescribeExecution (its Error and Cause).
The child is polled every `SYNC_POLL_SECONDS` rather than moto's 0.5 s.

The same renaming is given to `arn:aws:states:::aws-sdk:sfn:*` tasks (for instance
`sendTaskSuccess`, which early joins use to wake their waiter): AWS maps the ASL's PascalCase
parameters to the API's camelCase members, moto passes them on unchanged.

Takes: nothing at import. Gives: `install()`.
"""

from __future__ import annotations

import datetime
import functools
from typing import Any, Callable

from infra.local.moto_guard import require, require_module

_SERVICE_MODULE = "moto.stepfunctions.parser.asl.component.state.exec.state_task.service"
_SFN_MODULE = f"{_SERVICE_MODULE}.state_task_service_sfn"
_CALLBACK_MODULE = f"{_SERVICE_MODULE}.state_task_service_callback"
_AWS_SDK_MODULE = f"{_SERVICE_MODULE}.state_task_service_aws_sdk"

SYNC_POLL_SECONDS = 0.05


@functools.lru_cache(maxsize=1)
def _sfn_service_model() -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model("stepfunctions")


def _operation_model(boto_action: str) -> Any | None:
    """Takes a boto3 method name (start_execution); gives botocore's operation model or None."""
    return _operations_by_method().get(boto_action)


@functools.lru_cache(maxsize=1)
def _operations_by_method() -> dict[str, Any]:
    from botocore import xform_name

    model = _sfn_service_model()
    return {xform_name(name): model.operation_model(name) for name in model.operation_names}


def to_epoch_millis(value: Any) -> Any:
    """Datetimes (anywhere in a JSON-like value) become epoch milliseconds; gives a new value."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp() * 1000)
    if isinstance(value, dict):
        return {key: to_epoch_millis(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_epoch_millis(item) for item in value]
    return value


def _normalise_parameters_patch(
    original: Callable[..., None], service: str | None = None
) -> Callable[..., None]:
    """Parameters renamed to the Step Functions API's members after `original` ran; with
    `service`, only for tasks that call that boto3 service (aws-sdk tasks call many)."""

    @functools.wraps(original)
    def _normalise_parameters(
        self: Any,
        parameters: dict,
        boto_service_name: str | None = None,
        service_action_name: str | None = None,
    ) -> None:
        original(self, parameters, boto_service_name, service_action_name)
        if service is not None and self._get_boto_service_name(boto_service_name) != service:
            return
        operation = _operation_model(self._get_boto_service_action(service_action_name))
        if operation is not None and operation.input_shape is not None:
            self._to_boto_request(parameters, operation.input_shape)

    _normalise_parameters.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return _normalise_parameters


def _normalise_response(
    self: Any,
    response: Any,
    boto_service_name: str | None = None,
    service_action_name: str | None = None,
) -> None:
    if not isinstance(response, dict):
        return
    response.pop("ResponseMetadata", None)
    operation = _operation_model(self._get_boto_service_action(service_action_name))
    if operation is not None and operation.output_shape is not None:
        self._from_boto_response(response, operation.output_shape)
    converted = to_epoch_millis(response)
    response.clear()
    response.update(converted)


_normalise_response.__stepwise_patched__ = True  # type: ignore[attr-defined]


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter patches are missing."""
    require(_SFN_MODULE, "StateTaskServiceSfn._normalise_parameters")
    require(_SFN_MODULE, "StateTaskServiceSfn._build_sync_resolver")
    require(_SFN_MODULE, "StateTaskServiceSfn._build_sync2_resolver")
    require(f"{_SERVICE_MODULE}.state_task_service", "StateTaskService._to_boto_request")
    require(f"{_SERVICE_MODULE}.state_task_service", "StateTaskService._from_boto_response")
    require(f"{_SERVICE_MODULE}.state_task_service", "StateTaskService._normalise_response")
    require(_CALLBACK_MODULE, "_DELAY_SECONDS_SYNC_CONDITION_CHECK")
    require(_AWS_SDK_MODULE, "StateTaskServiceAwsSdk._normalise_parameters")
    require(f"{_SERVICE_MODULE}.state_task_service", "StateTaskService._get_boto_service_name")


def install() -> None:
    """Give moto's Step Functions task service working parameter/response normalisers."""
    check()
    sfn_class = require(_SFN_MODULE, "StateTaskServiceSfn")
    if not getattr(sfn_class._normalise_parameters, "__stepwise_patched__", False):
        sfn_class._normalise_parameters = _normalise_parameters_patch(
            sfn_class._normalise_parameters
        )
    sfn_class._normalise_response = _normalise_response
    sdk_class = require(_AWS_SDK_MODULE, "StateTaskServiceAwsSdk")
    if not getattr(sdk_class._normalise_parameters, "__stepwise_patched__", False):
        sdk_class._normalise_parameters = _normalise_parameters_patch(
            sdk_class._normalise_parameters, "stepfunctions"
        )
    require_module(_CALLBACK_MODULE)._DELAY_SECONDS_SYNC_CONDITION_CHECK = SYNC_POLL_SECONDS
