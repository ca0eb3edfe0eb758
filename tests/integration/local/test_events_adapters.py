"""Status-change events, rule targets and version executions on the local AWS (moto)."""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from botocore.exceptions import ClientError

from infra.local import adapters, moto_guard, rule_targets, sfn_versions_adapter, status_events
from infra.local.host import LocalAWS
from infra.local.sfn import (
    ACCOUNT_ID,
    DEFAULT_STATES_ROLE_ARN,
    deploy_lambda,
    deploy_state_machine,
    history,
    start_execution,
    wait_for,
)
from tests.integration.local import handlers

pytestmark = pytest.mark.moto

HANDLER = "tests.integration.local.handlers.record_event"
DETAIL_TYPE = "Step Functions Execution Status Change"
# Every machine of this module is named evt-...; the rules only see those.
PREFIX = "evt-"
ALL_FUNCTION = "evt-all-statuses"
FAILED_FUNCTION = "evt-failures"
DISABLED_FUNCTION = "evt-disabled"
INPUT_FUNCTION = "evt-constant-input"
INPUT_PATH_FUNCTION = "evt-input-path"
TRANSFORMED_FUNCTION = "evt-transformed"
ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DETAIL_KEYS = {
    "executionArn",
    "stateMachineArn",
    "name",
    "status",
    "startDate",
    "stopDate",
    "input",
    "inputDetails",
    "output",
    "outputDetails",
    "error",
    "cause",
    "redriveCount",
    "redriveStatus",
}


def unique(prefix: str) -> str:
    return f"{PREFIX}{prefix}-{uuid.uuid4().hex[:8]}"


def machine_prefix(local_aws: LocalAWS) -> str:
    return f"arn:aws:states:{local_aws.region}:{ACCOUNT_ID}:stateMachine:{PREFIX}"


def status_pattern(local_aws: LocalAWS, **detail: Any) -> str:
    pattern = {
        "source": ["aws.states"],
        "detail-type": [DETAIL_TYPE],
        "detail": {"stateMachineArn": [{"prefix": machine_prefix(local_aws)}], **detail},
    }
    return json.dumps(pattern)


@pytest.fixture(scope="module")
def rules(local_aws: LocalAWS) -> Iterator[dict[str, str]]:
    """Lambda recorders behind three status-change rules: every status, FAILED only, and a
    disabled rule. Removed at the end so other modules' executions deliver nothing."""
    events = local_aws.client("events")
    names = (
        ALL_FUNCTION,
        FAILED_FUNCTION,
        DISABLED_FUNCTION,
        INPUT_FUNCTION,
        INPUT_PATH_FUNCTION,
        TRANSFORMED_FUNCTION,
    )
    arns = {name: deploy_lambda(local_aws, name, HANDLER) for name in names}
    created = {
        "evt-all": (status_pattern(local_aws), ALL_FUNCTION, "ENABLED"),
        "evt-failed": (status_pattern(local_aws, status=["FAILED"]), FAILED_FUNCTION, "ENABLED"),
        "evt-disabled": (status_pattern(local_aws), DISABLED_FUNCTION, "DISABLED"),
    }
    for rule, (pattern, function, state) in created.items():
        events.put_rule(Name=rule, EventPattern=pattern, State=state)
        events.put_targets(Rule=rule, Targets=[{"Id": "recorder", "Arn": arns[function]}])
    yield arns
    status_events.wait_for_events(10)
    for rule in created:
        events.remove_targets(Rule=rule, Ids=["recorder"])
        events.delete_rule(Name=rule)


def statuses_for(function: str, execution_arn: str) -> list[dict[str, Any]]:
    """The events `function` received about one execution, oldest first."""
    return [
        event
        for event in handlers.received(function)
        if event.get("detail", {}).get("executionArn") == execution_arn
    ]


def millis(value: datetime.datetime) -> int:
    return round(value.timestamp() * 1000)


def assert_envelope(event: dict[str, Any], local_aws: LocalAWS, execution_arn: str) -> None:
    assert event["version"] == "0"
    uuid.UUID(event["id"])
    assert event["detail-type"] == DETAIL_TYPE and event["source"] == "aws.states"
    assert event["account"] == ACCOUNT_ID and event["region"] == local_aws.region
    assert event["resources"] == [execution_arn]
    assert ISO_Z.match(event["time"]), event["time"]
    sent = datetime.datetime.strptime(event["time"], "%Y-%m-%dT%H:%M:%SZ")
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    assert abs((now - sent).total_seconds()) < 60
    assert set(event["detail"]) == DETAIL_KEYS


def pass_machine(local_aws: LocalAWS, name: str | None = None) -> str:
    definition = {
        "StartAt": "Done",
        "States": {"Done": {"Type": "Pass", "Parameters": {"got.$": "$.k"}, "End": True}},
    }
    return deploy_state_machine(local_aws, definition, name=name or unique("pass"))


# -- status-change events ----------------------------------------------------------------------


def test_success_gives_running_then_succeeded(local_aws: LocalAWS, rules: dict[str, str]) -> None:
    machine = pass_machine(local_aws)
    sfn = local_aws.client("stepfunctions")
    arns = [start_execution(local_aws, machine, {"k": n}, name=f"ok-{n}") for n in range(4)]
    for arn in arns:
        assert wait_for(local_aws, arn).succeeded
    status_events.wait_for_events(10)
    for n, arn in enumerate(arns):
        events = statuses_for(ALL_FUNCTION, arn)
        assert [e["detail"]["status"] for e in events] == ["RUNNING", "SUCCEEDED"], events
        described = sfn.describe_execution(executionArn=arn)
        running, succeeded = events[0], events[1]
        for event in events:
            assert_envelope(event, local_aws, arn)
            detail = event["detail"]
            assert detail["executionArn"] == arn and detail["stateMachineArn"] == machine
            assert detail["name"] == f"ok-{n}"
            assert abs(detail["startDate"] - millis(described["startDate"])) <= 1
            assert json.loads(detail["input"]) == {"k": n}
            assert detail["inputDetails"] == {"included": True}
            assert detail["error"] is None and detail["cause"] is None
        assert running["detail"]["stopDate"] is None
        assert running["detail"]["output"] is None and running["detail"]["outputDetails"] is None
        assert running["detail"]["redriveStatus"] == "NOT_REDRIVABLE"
        done = succeeded["detail"]
        assert abs(done["stopDate"] - millis(described["stopDate"])) <= 1
        assert done["stopDate"] >= done["startDate"]
        assert json.loads(done["output"]) == {"got": n} == json.loads(described["output"])
        assert done["outputDetails"] == {"included": True}
        assert statuses_for(FAILED_FUNCTION, arn) == []
        assert statuses_for(DISABLED_FUNCTION, arn) == []
    assert not status_events.delivery_errors() and not rule_targets.delivery_errors()


def test_failure_gives_running_then_failed_with_error_and_cause(
    local_aws: LocalAWS, rules: dict[str, str]
) -> None:
    definition = {
        "StartAt": "Broken",
        "States": {"Broken": {"Type": "Fail", "Error": "Evt.Broken", "Cause": "it broke"}},
    }
    machine = deploy_state_machine(local_aws, definition, name=unique("fail"))
    arn = start_execution(local_aws, machine, {"k": 1})
    assert wait_for(local_aws, arn).status == "FAILED"
    status_events.wait_for_events(10)
    events = statuses_for(ALL_FUNCTION, arn)
    assert [e["detail"]["status"] for e in events] == ["RUNNING", "FAILED"]
    failed = events[1]["detail"]
    assert failed["error"] == "Evt.Broken" and failed["cause"] == "it broke"
    assert failed["output"] is None and failed["outputDetails"] is None
    assert failed["stopDate"] is not None and failed["redriveStatus"] == "REDRIVABLE"
    only_failures = statuses_for(FAILED_FUNCTION, arn)
    assert [e["detail"]["status"] for e in only_failures] == ["FAILED"]
    assert only_failures[0]["detail"] == failed


def test_stop_execution_gives_aborted(local_aws: LocalAWS, rules: dict[str, str]) -> None:
    definition = {
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    machine = deploy_state_machine(local_aws, definition, name=unique("stop"))
    arn = start_execution(local_aws, machine)
    status_events.wait_for_events(10)
    assert [e["detail"]["status"] for e in statuses_for(ALL_FUNCTION, arn)] == ["RUNNING"]
    local_aws.client("stepfunctions").stop_execution(
        executionArn=arn, error="Evt.Stopped", cause="operator"
    )
    assert wait_for(local_aws, arn, timeout=5).status == "ABORTED"
    status_events.wait_for_events(10)
    events = statuses_for(ALL_FUNCTION, arn)
    assert [e["detail"]["status"] for e in events] == ["RUNNING", "ABORTED"]
    aborted = events[1]["detail"]
    assert aborted["error"] == "Evt.Stopped" and aborted["cause"] == "operator"
    assert aborted["output"] is None and aborted["stopDate"] >= aborted["startDate"]
    assert statuses_for(FAILED_FUNCTION, arn) == []


def test_timeout_gives_timed_out(local_aws: LocalAWS, rules: dict[str, str]) -> None:
    definition = {
        "TimeoutSeconds": 1,
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": 30, "End": True}},
    }
    machine = deploy_state_machine(local_aws, definition, name=unique("timeout"))
    arn = start_execution(local_aws, machine)
    assert wait_for(local_aws, arn, timeout=10).status == "TIMED_OUT"
    status_events.wait_for_events(10)
    events = statuses_for(ALL_FUNCTION, arn)
    assert [e["detail"]["status"] for e in events] == ["RUNNING", "TIMED_OUT"]
    timed_out = events[1]["detail"]
    assert timed_out["output"] is None and timed_out["stopDate"] >= timed_out["startDate"] + 900


def test_nested_sync_executions_emit_too(local_aws: LocalAWS, rules: dict[str, str]) -> None:
    child = pass_machine(local_aws, unique("child"))
    parent_definition = {
        "StartAt": "Child",
        "States": {
            "Child": {
                "Type": "Task",
                "Resource": "arn:aws:states:::states:startExecution.sync:2",
                "Parameters": {"StateMachineArn": child, "Input": {"k": "nested"}},
                "End": True,
            }
        },
    }
    parent = deploy_state_machine(local_aws, parent_definition, name=unique("parent"))
    arn = start_execution(local_aws, parent)
    result = wait_for(local_aws, arn)
    assert result.succeeded, result.describe()
    child_arn = result.output["ExecutionArn"]
    status_events.wait_for_events(10)
    for execution_arn, machine in ((arn, parent), (child_arn, child)):
        events = statuses_for(ALL_FUNCTION, execution_arn)
        assert [e["detail"]["status"] for e in events] == ["RUNNING", "SUCCEEDED"]
        assert events[0]["detail"]["stateMachineArn"] == machine
    child_done = statuses_for(ALL_FUNCTION, child_arn)[1]["detail"]
    assert json.loads(child_done["output"]) == {"got": "nested"}


def test_express_executions_emit_nothing(local_aws: LocalAWS, rules: dict[str, str]) -> None:
    sfn = local_aws.client("stepfunctions")
    definition = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    machine = sfn.create_state_machine(
        name=unique("express"),
        definition=json.dumps(definition),
        roleArn=DEFAULT_STATES_ROLE_ARN,
        type="EXPRESS",
    )["stateMachineArn"]
    arn = start_execution(local_aws, machine)
    assert wait_for(local_aws, arn).succeeded
    status_events.wait_for_events(10)
    assert statuses_for(ALL_FUNCTION, arn) == []


def test_large_payloads_are_left_out_as_on_aws() -> None:
    big = "x" * (status_events.PAYLOAD_LIMIT + 10)
    execution = SimpleNamespace(
        exec_arn="arn:aws:states:us-east-1:123456789012:execution:m:e",
        name="e",
        state_machine=SimpleNamespace(arn="arn:aws:states:us-east-1:123456789012:stateMachine:m"),
        start_date=datetime.datetime.now(datetime.UTC),
        stop_date=None,
        input_data={"small": 1},
        output={"big": big},
        error=None,
        cause=None,
    )
    execution.stop_date = execution.start_date
    detail = status_events.build_detail(execution, "SUCCEEDED")
    assert detail["input"] is None and detail["inputDetails"] == {"included": False}
    assert detail["output"] is None and detail["outputDetails"] == {"included": False}
    execution.output = {"half": "y" * (status_events.PAYLOAD_LIMIT // 2)}
    execution.input_data = {"half": "z" * (status_events.PAYLOAD_LIMIT // 2)}
    detail = status_events.build_detail(execution, "SUCCEEDED")
    assert detail["input"] is None and detail["inputDetails"] == {"included": False}
    assert json.loads(detail["output"]) == execution.output


def test_moto_matcher_handles_the_patterns_we_use() -> None:
    pattern_type = moto_guard.require("moto.events.models", "EventPattern")
    event = {
        "source": "aws.states",
        "detail-type": DETAIL_TYPE,
        "detail": {
            "status": "FAILED",
            "stateMachineArn": "arn:x:stateMachine:evt-a",
            "error": "E",
            "output": None,
        },
    }

    def matches(pattern: dict[str, Any]) -> bool:
        return pattern_type.load(json.dumps(pattern)).matches_event(event)

    assert matches({"source": ["aws.states"], "detail-type": [DETAIL_TYPE]})
    assert matches({"detail": {"status": ["SUCCEEDED", "FAILED"]}})
    assert not matches({"detail": {"status": ["SUCCEEDED", "ABORTED"]}})
    assert matches({"detail": {"stateMachineArn": [{"prefix": "arn:x:stateMachine:evt-"}]}})
    assert not matches({"detail": {"stateMachineArn": [{"prefix": "arn:x:stateMachine:b"}]}})
    assert matches({"detail": {"error": [{"exists": True}], "cause": [{"exists": False}]}})
    assert not matches({"detail": {"error": [{"exists": False}]}})
    assert matches({"detail": {"status": [{"anything-but": ["RUNNING"]}]}})
    assert not matches({"source": ["aws.events"]})


# -- rule targets ------------------------------------------------------------------------------


def test_rule_targets_start_executions_and_invoke_functions(
    local_aws: LocalAWS, rules: dict[str, str]
) -> None:
    events = local_aws.client("events")
    definition = {
        "StartAt": "Done",
        "States": {"Done": {"Type": "Pass", "Parameters": {"got.$": "$.detail.k"}, "End": True}},
    }
    target_machine = deploy_state_machine(local_aws, definition, name=unique("target"))
    sqs = local_aws.client("sqs")
    queue_url = sqs.create_queue(QueueName=unique("queue"))["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    transformer = {"InputPathsMap": {"k": "$.detail.k"}, "InputTemplate": '{"value": <k>}'}
    source = f"stepwise.test.{uuid.uuid4().hex[:8]}"
    rule = unique("kick")
    events.put_rule(
        Name=rule, EventPattern=json.dumps({"source": [source], "detail-type": ["Kick"]})
    )
    events.put_targets(
        Rule=rule,
        Targets=[
            {"Id": "machine", "Arn": target_machine, "RoleArn": DEFAULT_STATES_ROLE_ARN},
            {"Id": "constant", "Arn": rules[INPUT_FUNCTION], "Input": '{"constant": true}'},
            {"Id": "path", "Arn": rules[INPUT_PATH_FUNCTION], "InputPath": "$.detail"},
            {"Id": "tx", "Arn": rules[TRANSFORMED_FUNCTION], "InputTransformer": transformer},
            {"Id": "queue", "Arn": queue_arn},  # moto's own target, left to moto
        ],
    )
    try:
        answer = events.put_events(
            Entries=[
                {"Source": source, "DetailType": "Kick", "Detail": json.dumps({"k": 7})},
                {"Source": source, "DetailType": "Other", "Detail": json.dumps({"k": 8})},
            ]
        )
        assert answer["FailedEntryCount"] == 0
        status_events.wait_for_events(10)
        sfn = local_aws.client("stepfunctions")
        started = sfn.list_executions(stateMachineArn=target_machine)["executions"]
        assert len(started) == 1
        result = wait_for(local_aws, started[0]["executionArn"])
        assert result.succeeded and result.output == {"got": 7}
        execution_input = json.loads(
            sfn.describe_execution(executionArn=started[0]["executionArn"])["input"]
        )
        assert execution_input["source"] == source and execution_input["detail"] == {"k": 7}
        assert ISO_Z.match(execution_input["time"]) and "ingestion-time" not in execution_input
        assert handlers.received(INPUT_FUNCTION) == [{"constant": True}]
        assert handlers.received(INPUT_PATH_FUNCTION) == [{"k": 7}]
        assert handlers.received(TRANSFORMED_FUNCTION) == [{"value": 7}]
        messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10)["Messages"]
        assert [json.loads(m["Body"])["detail"] for m in messages] == [{"k": 7}]
        status_events.wait_for_events(10)
        # The execution the rule started is a Standard one: it emits its own events.
        statuses = [e["detail"]["status"] for e in statuses_for(ALL_FUNCTION, result.execution_arn)]
        assert statuses == ["RUNNING", "SUCCEEDED"]
    finally:
        events.remove_targets(Rule=rule, Ids=["machine", "constant", "path", "tx", "queue"])
        events.delete_rule(Name=rule)
    assert not rule_targets.delivery_errors()


# -- versions ----------------------------------------------------------------------------------


def test_executions_of_versions_work_like_any_other(
    local_aws: LocalAWS, rules: dict[str, str]
) -> None:
    sfn = local_aws.client("stepfunctions")
    waiting = {
        "StartAt": "Sleep",
        "States": {"Sleep": {"Type": "Wait", "Seconds": 60, "End": True}},
    }
    created = sfn.create_state_machine(
        name=unique("versioned"),
        definition=json.dumps(waiting),
        roleArn=DEFAULT_STATES_ROLE_ARN,
        publish=True,
    )
    machine, version_1 = created["stateMachineArn"], created["stateMachineVersionArn"]
    assert version_1 == f"{machine}:1"
    quick = {"StartAt": "Done", "States": {"Done": {"Type": "Pass", "End": True}}}
    version_2 = sfn.update_state_machine(
        stateMachineArn=machine, definition=json.dumps(quick), publish=True
    )["stateMachineVersionArn"]
    assert version_2 == f"{machine}:2"

    slow = sfn.start_execution(stateMachineArn=version_1, name="slow", input="{}")["executionArn"]
    described = sfn.describe_execution(executionArn=slow)
    assert described["status"] == "RUNNING"
    assert described["stateMachineArn"] == machine
    assert described["stateMachineVersionArn"] == version_1
    for_execution = sfn.describe_state_machine_for_execution(executionArn=slow)
    assert json.loads(for_execution["definition"]) == waiting
    with pytest.raises(ClientError, match="ExecutionAlreadyExists"):
        sfn.start_execution(stateMachineArn=version_2, name="slow", input='{"other": 1}')
    again = sfn.start_execution(stateMachineArn=version_1, name="slow", input="{}")
    assert again["executionArn"] == slow  # same name and input while RUNNING: idempotent

    quick_arn = start_execution(local_aws, version_2, name="quick")
    plain_arn = start_execution(local_aws, machine, name="plain")
    assert wait_for(local_aws, quick_arn).succeeded and wait_for(local_aws, plain_arn).succeeded
    assert "stateMachineVersionArn" not in sfn.describe_execution(executionArn=plain_arn)

    listed = sfn.list_executions(stateMachineArn=machine)["executions"]
    assert {item["name"] for item in listed} == {"slow", "quick", "plain"}
    assert all(item["stateMachineArn"] == machine for item in listed)
    versions = {item["name"]: item.get("stateMachineVersionArn") for item in listed}
    assert versions == {"slow": version_1, "quick": version_2, "plain": None}
    only_1 = sfn.list_executions(stateMachineArn=version_1)["executions"]
    assert [item["name"] for item in only_1] == ["slow"]
    running = sfn.list_executions(stateMachineArn=machine, statusFilter="RUNNING")["executions"]
    assert [item["name"] for item in running] == ["slow"]

    sfn.stop_execution(executionArn=slow, error="Evt.Stopped", cause="version stop")
    result = wait_for(local_aws, slow, timeout=5)
    assert result.status == "ABORTED" and result.cause == "version stop"
    types = [event["type"] for event in history(local_aws, slow)]
    assert types[0] == "ExecutionStarted" and types[-1] == "ExecutionAborted"

    status_events.wait_for_events(10)
    events = statuses_for(ALL_FUNCTION, slow)
    assert [e["detail"]["status"] for e in events] == ["RUNNING", "ABORTED"]
    assert all(e["detail"]["stateMachineArn"] == machine for e in events)


# -- guards ------------------------------------------------------------------------------------

GUARDED = [
    (
        status_events,
        "moto.stepfunctions.parser.backend.execution",
        "BaseExecutionWorkerCommunication",
        "terminated",
    ),
    (status_events, "moto.stepfunctions.parser.backend.execution", "Execution", "start"),
    (rule_targets, "moto.events.models", "Rule", "send_to_targets"),
    (rule_targets, "moto.events.models", "EventPattern", "matches_event"),
    (
        sfn_versions_adapter,
        "moto.stepfunctions.models",
        "StepFunctionBackend",
        "_get_state_machine_for_execution",
    ),
    (
        sfn_versions_adapter,
        "moto.stepfunctions.parser.models",
        "StepFunctionsParserBackend",
        "_get_executions",
    ),
]


@pytest.mark.parametrize(
    ("adapter", "module", "owner", "attribute"),
    GUARDED,
    ids=[f"{a.__name__.rsplit('.', 1)[1]}-{o}.{n}" for a, _, o, n in GUARDED],
)
def test_guard_fails_loudly_when_a_patched_internal_is_missing(
    local_aws: LocalAWS,
    monkeypatch: pytest.MonkeyPatch,
    adapter: Any,
    module: str,
    owner: str,
    attribute: str,
) -> None:
    adapter.check()
    owner_class = moto_guard.require(module, owner)
    monkeypatch.delattr(owner_class, attribute)
    with pytest.raises(moto_guard.MotoMismatchError, match=attribute):
        adapter.check()
    with pytest.raises(moto_guard.MotoMismatchError, match=attribute):
        adapters.check_moto()
