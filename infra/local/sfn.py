"""A small runner for state machines on the local AWS (compiler tests, benchmarks).

Takes: a started `LocalAWS` (anything with `.client(service)`), ASL definitions as dicts, inputs
as JSON values. Gives:
- `deploy_lambda(host, name, handler, *, timeout=30, environment=None) -> function ARN`
  (Handler is a dotted Python path run in-process by the local Lambda adapter, which sets the
  environment variables while the handler runs);
- `deploy_state_machine(host, definition, *, name=None, role_arn=...) -> state machine ARN`
  (creates, or updates one of the same name);
- `start_execution(host, state_machine_arn, input, *, name=None) -> execution ARN`;
- `wait_for(host, execution_arn, *, timeout=30.0) -> ExecutionResult`;
- `run_state_machine(host, definition, input, *, name=None, timeout=30.0, role_arn=...)`, the
  three above in one call;
- `ExecutionResult`: status, output, error, cause, raw history events, and views over them.
"""

from __future__ import annotations

import hashlib
import io
import json
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from typing import Any, Callable, Union

from botocore.exceptions import ClientError

ACCOUNT_ID = "123456789012"
DEFAULT_STATES_ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/stepwise-local-states"
LAMBDA_ROLE_NAME = "stepwise-local-lambda"
TERMINAL_STATUSES = frozenset({"SUCCEEDED", "FAILED", "ABORTED", "TIMED_OUT"})

ClientFactory = Callable[[str], Any]
HostLike = Union[Any, ClientFactory]


class ExecutionTimeout(TimeoutError):
    """An execution was still RUNNING when the caller stopped waiting."""


def _client(host: HostLike, service: str) -> Any:
    if hasattr(host, "client"):
        return host.client(service)
    return host(service)


def _loads(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except (TypeError, ValueError):
        return text


# -- results -----------------------------------------------------------------------------------


@dataclass
class ExecutionResult:
    """What an execution ended with, plus its full history."""

    execution_arn: str
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    events: list[dict[str, Any]] = field(default_factory=list)

    @property
    def succeeded(self) -> bool:
        return self.status == "SUCCEEDED"

    def entered(self) -> list[str]:
        """State names in the order they were entered (Map/Parallel inner states included)."""
        return [
            event["stateEnteredEventDetails"]["name"]
            for event in self.events
            if event["type"].endswith("StateEntered")
        ]

    def exited(self) -> list[str]:
        """State names in the order they were exited."""
        return [
            event["stateExitedEventDetails"]["name"]
            for event in self.events
            if event["type"].endswith("StateExited")
        ]

    def state_input(self, name: str) -> list[Any]:
        """Parsed input of each time state `name` was entered."""
        return [
            _loads(event["stateEnteredEventDetails"].get("input"))
            for event in self.events
            if event["type"].endswith("StateEntered")
            and event["stateEnteredEventDetails"]["name"] == name
        ]

    def state_output(self, name: str) -> list[Any]:
        """Parsed output of each time state `name` was exited."""
        return [
            _loads(event["stateExitedEventDetails"].get("output"))
            for event in self.events
            if event["type"].endswith("StateExited")
            and event["stateExitedEventDetails"]["name"] == name
        ]

    @property
    def transitions(self) -> int:
        """Number of state-entered events (a proxy for billed state transitions)."""
        return sum(1 for event in self.events if event["type"].endswith("StateEntered"))

    def events_of(self, event_type: str) -> list[dict[str, Any]]:
        """History events of one type (e.g. "TaskFailed")."""
        return [event for event in self.events if event["type"] == event_type]

    def describe(self) -> str:
        """A one-paragraph summary for assertion messages."""
        return (
            f"{self.status} error={self.error!r} cause={self.cause!r} "
            f"output={self.output!r} entered={self.entered()}"
        )


# -- deployment --------------------------------------------------------------------------------


def _lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("README.txt", "runs in-process from its Handler path\n")
    return buffer.getvalue()


def _lambda_role_arn(host: HostLike) -> str:
    iam = _client(host, "iam")
    try:
        return iam.get_role(RoleName=LAMBDA_ROLE_NAME)["Role"]["Arn"]
    except ClientError:
        trust = {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": "lambda.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                }
            ],
        }
        return iam.create_role(
            RoleName=LAMBDA_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(trust)
        )["Role"]["Arn"]


def deploy_lambda(
    host: HostLike,
    name: str,
    handler: str,
    *,
    timeout: int = 30,
    environment: dict[str, str] | None = None,
) -> str:
    """Create Lambda function `name` whose Handler is `handler`, with `timeout` seconds and
    `environment` variables, or set those on the existing function; gives its ARN."""
    lambda_client = _client(host, "lambda")
    settings: dict[str, Any] = {
        "Handler": handler,
        "Timeout": timeout,
        "Environment": {"Variables": dict(environment or {})},
    }
    try:
        return lambda_client.create_function(
            FunctionName=name,
            Runtime="python3.11",
            Role=_lambda_role_arn(host),
            Code={"ZipFile": _lambda_zip()},
            **settings,
        )["FunctionArn"]
    except ClientError as exc:
        if exc.response["Error"]["Code"] != "ResourceConflictException":
            raise
    return lambda_client.update_function_configuration(FunctionName=name, **settings)[
        "FunctionArn"
    ]


def _default_name(definition: dict[str, Any]) -> str:
    digest = hashlib.sha1(json.dumps(definition, sort_keys=True).encode("utf-8")).hexdigest()
    return f"sm-{digest[:16]}"


def deploy_state_machine(
    host: HostLike,
    definition: dict[str, Any],
    *,
    name: str | None = None,
    role_arn: str = DEFAULT_STATES_ROLE_ARN,
) -> str:
    """Create state machine `name` (default: from the definition's hash) or update it; gives ARN."""
    sfn = _client(host, "stepfunctions")
    machine_name = name or _default_name(definition)
    text = json.dumps(definition)
    try:
        return sfn.create_state_machine(name=machine_name, definition=text, roleArn=role_arn)[
            "stateMachineArn"
        ]
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        if code not in ("StateMachineAlreadyExists", "ConflictException"):
            raise
    region = sfn.meta.region_name
    arn = f"arn:aws:states:{region}:{ACCOUNT_ID}:stateMachine:{machine_name}"
    sfn.update_state_machine(stateMachineArn=arn, definition=text, roleArn=role_arn)
    return arn


# -- running -----------------------------------------------------------------------------------


def start_execution(
    host: HostLike, state_machine_arn: str, input: Any = None, *, name: str | None = None
) -> str:
    """Start an execution (always named: moto gives `...:None` ARNs otherwise); gives its ARN."""
    sfn = _client(host, "stepfunctions")
    return sfn.start_execution(
        stateMachineArn=state_machine_arn,
        name=name or f"run-{uuid.uuid4().hex[:16]}",
        input=json.dumps({} if input is None else input),
    )["executionArn"]


def history(host: HostLike, execution_arn: str) -> list[dict[str, Any]]:
    """All history events of an execution, oldest first."""
    sfn = _client(host, "stepfunctions")
    events: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"executionArn": execution_arn}
    while True:
        page = sfn.get_execution_history(**kwargs)
        events.extend(page["events"])
        token = page.get("nextToken")
        if not token:
            return events
        kwargs["nextToken"] = token


def wait_for(
    host: HostLike, execution_arn: str, *, timeout: float = 30.0, poll: float = 0.005
) -> ExecutionResult:
    """Poll until the execution leaves RUNNING; gives its ExecutionResult.

    Raises ExecutionTimeout (after stopping the execution) if it is still running at `timeout`.
    """
    sfn = _client(host, "stepfunctions")
    deadline = time.monotonic() + timeout
    delay = poll
    while True:
        described = sfn.describe_execution(executionArn=execution_arn)
        if described["status"] in TERMINAL_STATUSES:
            break
        if time.monotonic() >= deadline:
            entered = ExecutionResult(execution_arn, "RUNNING", events=history(host, execution_arn))
            try:
                sfn.stop_execution(executionArn=execution_arn, error="Stepwise.LocalTimeout")
            except ClientError:
                pass
            raise ExecutionTimeout(
                f"execution {execution_arn} still RUNNING after {timeout}s; "
                f"states entered: {entered.entered()}"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.05)
    return ExecutionResult(
        execution_arn=execution_arn,
        status=described["status"],
        output=_loads(described.get("output")),
        error=described.get("error"),
        cause=described.get("cause"),
        events=history(host, execution_arn),
    )


def run_state_machine(
    host: HostLike,
    definition: dict[str, Any],
    input: Any = None,
    *,
    name: str | None = None,
    timeout: float = 30.0,
    role_arn: str = DEFAULT_STATES_ROLE_ARN,
) -> ExecutionResult:
    """Deploy `definition` (as state machine `name`), run it on `input` and wait for the end."""
    arn = deploy_state_machine(host, definition, name=name, role_arn=role_arn)
    execution_arn = start_execution(host, arn, input)
    return wait_for(host, execution_arn, timeout=timeout)
