"""Each local adapter proven on real ASL documents run by moto through LocalAWS."""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from infra.local import adapters, moto_guard
from infra.local.host import LocalAWS
from infra.local.sfn import (
    ExecutionTimeout,
    deploy_lambda,
    deploy_state_machine,
    run_state_machine,
    start_execution,
    wait_for,
)
from tests.integration.local import handlers

pytestmark = pytest.mark.moto

HANDLERS = "tests.integration.local.handlers"
LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
START_EXECUTION = "arn:aws:states:::states:startExecution"


def jsonata(states: dict[str, Any], start: str | None = None) -> dict[str, Any]:
    """A JSONata-mode definition starting at `start` (default: the first state)."""
    return {"QueryLanguage": "JSONata", "StartAt": start or next(iter(states)), "States": states}


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def functions(local_aws: LocalAWS) -> dict[str, str]:
    """Lambda functions (name → ARN) backed by tests/integration/local/handlers.py."""
    names = [
        "echo", "always_fail", "fail_then_succeed", "value_error", "remember_token",
        "concurrency_probe",
    ]
    arns = {name: deploy_lambda(local_aws, name, f"{HANDLERS}.{name}") for name in names}
    arns["missing"] = deploy_lambda(local_aws, "missing", "tests.no_such_module.handler")
    return arns


# -- guard -------------------------------------------------------------------------------------


def test_moto_check_passes_and_adapters_are_installed(local_aws: LocalAWS) -> None:
    adapters.check_moto()
    assert adapters.adapters_installed()
    adapters.install_adapters()  # idempotent


def test_moto_check_fails_loudly_on_another_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(moto_guard.metadata, "version", lambda name: "5.3.0")
    with pytest.raises(moto_guard.MotoMismatchError, match="moto==5.2.5"):
        adapters.check_moto()


def test_moto_check_fails_loudly_on_a_missing_internal() -> None:
    with pytest.raises(moto_guard.MotoMismatchError, match="_no_such_thing"):
        moto_guard.require("moto.stepfunctions.parser.asl.jsonata.jsonata", "_no_such_thing")


# -- JSONata -----------------------------------------------------------------------------------

TRICKY = 'he said "hi" \\ back\nnew line\ttab \u00e9\u4e2d'


def test_jsonata_expressions_variables_and_escaping(local_aws: LocalAWS) -> None:
    definition = jsonata(
        {
            "Init": {
                "Type": "Pass",
                "Assign": {
                    "text": "{% $states.input.text %}",
                    "double": "{% $states.input.n * 2 %}",
                    "nothing": None,
                    "literal": TRICKY,
                },
                "Output": {"shout": "{% $states.input.text & '!' %}", "n": "{% $states.input.n %}"},
                "Next": "Use",
            },
            "Use": {
                "Type": "Pass",
                "Output": {
                    "text": "{% $text %}",
                    "same": "{% $text = $literal %}",
                    "double": "{% $double %}",
                    "nullType": "{% $type($nothing) %}",
                    "shout": "{% $states.input.shout %}",
                    "exec": "{% $states.context.Execution.Name %}",
                    "halves": "{% 4 / 2 %}",
                    "range": "{% $range(0, 4, 2) %}",
                    "parts": "{% $partition([1, 2, 3], 2) %}",
                    "parsed": "{% $parse('{\"a\": [1]}') %}",
                    "hash": "{% $hash('abc') %}",
                    "md5": "{% $hash('abc', 'MD5') %}",
                    "uuid": "{% $uuid() %}",
                },
                "End": True,
            },
        }
    )
    result = run_state_machine(local_aws, definition, {"text": TRICKY, "n": 21})
    assert result.status == "SUCCEEDED", result.describe()
    out = result.output
    assert out["text"] == TRICKY and out["same"] is True and out["shout"] == TRICKY + "!"
    assert out["double"] == 42 and out["nullType"] == "null"
    assert out["exec"] == result.execution_arn.rsplit(":", 1)[1]
    assert out["halves"] == 2 and isinstance(out["halves"], int)
    assert out["range"] == [0, 2, 4] and out["parts"] == [[1, 2], [3]]
    assert out["parsed"] == {"a": [1]}
    assert out["hash"] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert out["md5"] == "900150983cd24fb0d6963f7d28e17f72"
    assert uuid.UUID(out["uuid"]).version == 4
    assert result.state_output("Init") == [{"shout": TRICKY + "!", "n": 21}]


def test_jsonpath_mode_reads_variables(local_aws: LocalAWS) -> None:
    definition = {
        "StartAt": "Set",
        "States": {
            "Set": {
                "Type": "Pass",
                "Assign": {"who.$": "$.who", "quote": 'a "b" \\c'},
                "Next": "Get",
            },
            "Get": {
                "Type": "Pass",
                "Parameters": {"who.$": "$who", "quote.$": "$quote"},
                "End": True,
            },
        },
    }
    result = run_state_machine(local_aws, definition, {"who": "x\"y"})
    assert result.output == {"who": 'x"y', "quote": 'a "b" \\c'}, result.describe()


def test_error_function_is_caught_as_query_evaluation_error(
    local_aws: LocalAWS, functions: dict[str, str]
) -> None:
    definition = jsonata(
        {
            "Call": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Arguments": {
                    "FunctionName": functions["echo"],
                    "Payload": "{% $states.input.ok ? $states.input : $error('no \"ok\" given') %}",
                },
                "Catch": [
                    {
                        "ErrorEquals": ["States.QueryEvaluationError"],
                        "Assign": {"caught": "{% $states.errorOutput.Error %}"},
                        "Output": "{% $states.errorOutput %}",
                        "Next": "Handled",
                    }
                ],
                "End": True,
            },
            "Handled": {
                "Type": "Pass",
                "Output": {"caught": "{% $caught %}", "cause": "{% $states.input.Cause %}"},
                "End": True,
            },
        }
    )
    result = run_state_machine(local_aws, definition, {"ok": False})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.entered() == ["Call", "Handled"]
    assert result.output["caught"] == "States.QueryEvaluationError"
    assert 'no "ok" given' in result.output["cause"]
    assert result.events_of("EvaluationFailed")


def test_uncaught_error_function_fails_the_execution(local_aws: LocalAWS) -> None:
    definition = jsonata(
        {"P": {"Type": "Pass", "Output": "{% $error('stop here') %}", "End": True}}
    )
    result = run_state_machine(local_aws, definition, {})
    assert result.status == "FAILED"
    assert result.error == "States.QueryEvaluationError"
    assert "stop here" in (result.cause or "")


def test_choice_wait_and_fail_take_expressions(local_aws: LocalAWS) -> None:
    definition = jsonata(
        {
            "Wait": {"Type": "Wait", "Seconds": "{% $states.input.pause %}", "Next": "Route"},
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.kind = 'bad' %}", "Next": "Fail"}],
                "Default": "Done",
            },
            "Done": {"Type": "Succeed"},
            "Fail": {
                "Type": "Fail",
                "Error": "{% 'Custom.' & $states.input.kind %}",
                "Cause": "{% 'kind was ' & $string($states.input) %}",
            },
        }
    )
    ok = run_state_machine(local_aws, definition, {"pause": 0, "kind": "good"})
    assert ok.status == "SUCCEEDED" and ok.entered() == ["Wait", "Route", "Done"]
    bad = run_state_machine(local_aws, definition, {"pause": 0, "kind": "bad"})
    assert (bad.status, bad.error) == ("FAILED", "Custom.bad")
    assert bad.cause == 'kind was {"pause":0,"kind":"bad"}'


# -- Lambda ------------------------------------------------------------------------------------


def test_lambda_runs_in_process(local_aws: LocalAWS, functions: dict[str, str]) -> None:
    definition = jsonata(
        {
            "Invoke": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Arguments": {
                    "FunctionName": functions["echo"],
                    "Payload": {"v": "{% $states.input.v %}"},
                },
                "Next": "Direct",
            },
            "Direct": {
                "Type": "Task",
                "Resource": functions["echo"],
                "Arguments": {"previous": "{% $states.input.Payload %}"},
                "End": True,
            },
        }
    )
    result = run_state_machine(local_aws, definition, {"v": [1, "two"]})
    assert result.status == "SUCCEEDED", result.describe()
    invoked = result.state_output("Invoke")[0]
    assert invoked["StatusCode"] == 200
    assert invoked["Payload"] == {"event": {"v": [1, "two"]}, "function": "echo"}
    assert result.output == {
        "event": {"previous": {"event": {"v": [1, "two"]}, "function": "echo"}},
        "function": "echo",
    }


def test_lambda_errors_drive_retry_and_catch(
    local_aws: LocalAWS, functions: dict[str, str]
) -> None:
    key_flaky, key_fail = unique("flaky"), unique("fail")

    def task(function: str, payload: dict[str, Any], **extra: Any) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": LAMBDA_INVOKE,
            "Arguments": {"FunctionName": functions[function], "Payload": payload},
            **extra,
        }

    catch_to = {"Output": "{% $states.errorOutput %}", "Next": "Caught"}

    def retry(attempts: int) -> list[dict[str, Any]]:
        return [{"ErrorEquals": ["MyError"], "IntervalSeconds": 1, "MaxAttempts": attempts}]

    definition = jsonata(
        {
            "Both": {
                "Type": "Parallel",
                "Branches": [
                    jsonata(
                        {
                            "Flaky": task(
                                "fail_then_succeed",
                                {"key": key_flaky, "failures": 1},
                                Retry=retry(2),
                                Output="{% $states.result.Payload %}",
                                End=True,
                            )
                        }
                    ),
                    jsonata(
                        {
                            "Failing": task(
                                "always_fail",
                                {"key": key_fail},
                                Retry=retry(1),
                                Catch=[{"ErrorEquals": ["MyError"], **catch_to}],
                                End=True,
                            ),
                            "Caught": {"Type": "Pass", "End": True},
                        }
                    ),
                    jsonata(
                        {
                            "Builtin": task(
                                "value_error",
                                {},
                                Catch=[{"ErrorEquals": ["States.TaskFailed"], **catch_to}],
                                End=True,
                            ),
                            "Caught": {"Type": "Pass", "End": True},
                        }
                    ),
                ],
                "End": True,
            }
        }
    )
    result = run_state_machine(local_aws, definition, {})
    assert result.status == "SUCCEEDED", result.describe()
    flaky, failing, builtin = result.output
    assert flaky == {"attempt": 2} and handlers.calls(key_flaky) == 2
    assert failing["Error"] == "MyError" and handlers.calls(key_fail) == 2
    assert json.loads(failing["Cause"])["errorMessage"] == f"always failing for {key_fail}"
    assert builtin["Error"] == "ValueError"
    assert json.loads(builtin["Cause"])["errorType"] == "ValueError"
    assert [e["taskFailedEventDetails"]["error"] for e in result.events_of("TaskFailed")].count(
        "MyError"
    ) == 3


def test_unimportable_handler_is_a_function_error(
    local_aws: LocalAWS, functions: dict[str, str]
) -> None:
    lambda_client = local_aws.client("lambda")
    response = lambda_client.invoke(FunctionName="missing", Payload=b"{}")
    assert response["FunctionError"] == "Unhandled"
    assert json.loads(response["Payload"].read())["errorType"] == "Runtime.ImportModuleError"


def test_wait_for_task_token_success_and_failure(
    local_aws: LocalAWS, functions: dict[str, str]
) -> None:
    definition = jsonata(
        {
            "Ask": {
                "Type": "Task",
                "Resource": f"{LAMBDA_INVOKE}.waitForTaskToken",
                "Arguments": {
                    "FunctionName": functions["remember_token"],
                    "Payload": {
                        "token": "{% $states.context.Task.Token %}",
                        "q": "{% $states.input.q %}",
                    },
                },
                "TimeoutSeconds": 20,
                "Catch": [
                    {
                        "ErrorEquals": ["Human.Rejected"],
                        "Output": "{% $states.errorOutput %}",
                        "Next": "Rejected",
                    }
                ],
                "Next": "Answered",
            },
            "Answered": {"Type": "Pass", "Output": {"answer": "{% $states.input %}"}, "End": True},
            "Rejected": {
                "Type": "Fail",
                "Error": "{% $states.input.Error %}",
                "Cause": "{% $states.input.Cause %}",
            },
        }
    )
    machine = deploy_state_machine(local_aws, definition, name=unique("token"))
    sfn = local_aws.client("stepfunctions")

    accepted = start_execution(local_aws, machine, {"q": "yes?"})
    event = handlers.TOKENS.get(timeout=10)
    assert event["q"] == "yes?"
    sfn.send_task_success(taskToken=event["token"], output=json.dumps({"ok": True}))
    result = wait_for(local_aws, accepted)
    assert result.output == {"answer": {"ok": True}}, result.describe()

    rejected = start_execution(local_aws, machine, {"q": "no?"})
    event = handlers.TOKENS.get(timeout=10)
    sfn.send_task_failure(taskToken=event["token"], error="Human.Rejected", cause="said no")
    result = wait_for(local_aws, rejected)
    assert (result.status, result.error, result.cause) == ("FAILED", "Human.Rejected", "said no")


LONG_WAIT = {"Type": "Wait", "Seconds": 60, "End": True}


def test_stop_execution_keeps_error_and_cause(local_aws: LocalAWS) -> None:
    machine = deploy_state_machine(
        local_aws, jsonata({"Long": LONG_WAIT}), name=unique("stop")
    )
    execution = start_execution(local_aws, machine, {})
    time.sleep(0.05)
    local_aws.client("stepfunctions").stop_execution(
        executionArn=execution, error="User.Cancelled", cause="cancelled by a test"
    )
    result = wait_for(local_aws, execution, timeout=5)
    assert (result.status, result.error, result.cause) == (
        "ABORTED", "User.Cancelled", "cancelled by a test",
    )
    assert result.events[-1]["type"] == "ExecutionAborted"


def test_wait_for_gives_up_at_timeout(local_aws: LocalAWS) -> None:
    machine = deploy_state_machine(
        local_aws, jsonata({"Long": LONG_WAIT}), name=unique("slow")
    )
    execution = start_execution(local_aws, machine, {})
    with pytest.raises(ExecutionTimeout, match="still RUNNING"):
        wait_for(local_aws, execution, timeout=0.2)
    assert wait_for(local_aws, execution, timeout=5).status == "ABORTED"


# -- nested executions -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def child_machine(local_aws: LocalAWS) -> str:
    child = jsonata(
        {
            "Route": {
                "Type": "Choice",
                "Choices": [{"Condition": "{% $states.input.fail %}", "Next": "Broken"}],
                "Default": "Work",
            },
            "Work": {
                "Type": "Pass",
                "Output": {"tripled": "{% $states.input.x * 3 %}"},
                "End": True,
            },
            "Broken": {
                "Type": "Fail",
                "Error": "Child.Broken",
                "Cause": "{% 'x was ' & $states.input.x %}",
            },
        }
    )
    return deploy_state_machine(local_aws, child, name=unique("child"))


def parent(child_arn: str, resource: str, fail: bool) -> dict[str, Any]:
    return jsonata(
        {
            "Run": {
                "Type": "Task",
                "Resource": resource,
                "Arguments": {
                    "StateMachineArn": child_arn,
                    "Name": "{% 'child-' & $uuid() %}",
                    "Input": {"x": "{% $states.input.x %}", "fail": fail},
                },
                "End": True,
            }
        }
    )


def test_nested_sync2_gives_the_child_output(local_aws: LocalAWS, child_machine: str) -> None:
    result = run_state_machine(
        local_aws, parent(child_machine, f"{START_EXECUTION}.sync:2", False), {"x": 4}
    )
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output["Status"] == "SUCCEEDED"
    assert result.output["Output"] == {"tripled": 12}
    assert result.output["Input"] == {"x": 4, "fail": False}
    assert isinstance(result.output["StartDate"], int)


def test_nested_sync2_failure_fails_the_parent(local_aws: LocalAWS, child_machine: str) -> None:
    result = run_state_machine(
        local_aws, parent(child_machine, f"{START_EXECUTION}.sync:2", True), {"x": 4}
    )
    assert (result.status, result.error) == ("FAILED", "States.TaskFailed"), result.describe()
    child = json.loads(result.cause or "{}")
    assert child["Status"] == "FAILED"
    assert (child["Error"], child["Cause"]) == ("Child.Broken", "x was 4")


def test_nested_sync_and_fire_and_forget(local_aws: LocalAWS, child_machine: str) -> None:
    synced = run_state_machine(
        local_aws, parent(child_machine, f"{START_EXECUTION}.sync", False), {"x": 2}
    )
    assert synced.status == "SUCCEEDED", synced.describe()
    assert json.loads(synced.output["Output"]) == {"tripled": 6}

    started = run_state_machine(
        local_aws, parent(child_machine, START_EXECUTION, False), {"x": 1}
    )
    assert started.status == "SUCCEEDED", started.describe()
    child = wait_for(local_aws, started.output["ExecutionArn"])
    assert child.output == {"tripled": 3}


# -- Map, Parallel, history --------------------------------------------------------------------


def test_map_with_jsonata_items_and_max_concurrency(
    local_aws: LocalAWS, functions: dict[str, str]
) -> None:
    key = unique("probe")
    definition = jsonata(
        {
            "Init": {
                "Type": "Pass",
                "Assign": {"items": "{% [1..$states.input.n] %}", "key": key},
                "Next": "Each",
            },
            "Each": {
                "Type": "Map",
                "Items": "{% $items %}",
                "MaxConcurrency": "{% $states.input.width %}",
                "ItemSelector": {
                    "item": "{% $states.context.Map.Item.Value %}",
                    "index": "{% $states.context.Map.Item.Index %}",
                    "key": "{% $key %}",
                },
                "ItemProcessor": {
                    "ProcessorConfig": {"Mode": "INLINE"},
                    "StartAt": "Probe",
                    "States": {
                        "Probe": {
                            "Type": "Task",
                            "Resource": LAMBDA_INVOKE,
                            "Arguments": {
                                "FunctionName": functions["concurrency_probe"],
                                "Payload": "{% $states.input %}",
                            },
                            "Output": "{% $states.result.Payload.double %}",
                            "End": True,
                        }
                    },
                },
                "Assign": {"total": "{% $sum($states.result) %}"},
                "Output": {"doubled": "{% $states.result %}", "total": "{% $total %}"},
                "End": True,
            },
        }
    )
    result = run_state_machine(local_aws, definition, {"n": 6, "width": 2})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output == {"doubled": [2, 4, 6, 8, 10, 12], "total": 42}
    assert handlers.peak(key) == 2
    assert sorted(p["index"] for p in result.state_input("Probe")) == list(range(6))


def times(factor: str) -> dict[str, Any]:
    return {"Type": "Pass", "Output": "{% $states.input.n * " + factor + " %}", "End": True}


def test_parallel_and_history_views(local_aws: LocalAWS) -> None:
    definition = jsonata(
        {
            "First": {"Type": "Pass", "Output": {"n": "{% $states.input.n + 1 %}"}, "Next": "Fork"},
            "Fork": {
                "Type": "Parallel",
                "Branches": [
                    jsonata({"Left": times("10")}),
                    jsonata({"Right": times("100")}),
                ],
                "Next": "Last",
            },
            "Last": {"Type": "Pass", "Output": "{% $sum($states.input) %}", "End": True},
        }
    )
    result = run_state_machine(local_aws, definition, {"n": 1})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output == 220
    entered = result.entered()
    assert entered[:2] == ["First", "Fork"] and entered[-1] == "Last"
    assert sorted(entered[2:4]) == ["Left", "Right"]
    assert result.transitions == 5
    assert result.state_input("First") == [{"n": 1}]
    assert result.state_output("First") == [{"n": 2}]
    assert result.state_output("Fork") == [[20, 200]]
    assert result.events[0]["type"] == "ExecutionStarted"
    assert result.events[-1]["type"] == "ExecutionSucceeded"


def test_moto_alone_refuses_states_names_for_branch_errors() -> None:
    """Why `branch_error_adapter` exists: moto rebuilds a failed branch's error as a custom
    error name, and custom names may not begin with `States.`."""
    custom = moto_guard.require(
        "moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name",
        "CustomErrorName")
    with pytest.raises(ValueError, match="MUST NOT begin with the prefix 'States.'"):
        custom(error_name="States.QueryEvaluationError")


def failing_pass(message: str) -> dict[str, Any]:
    return {"Type": "Pass", "Output": "{% $error('" + message + "') %}", "End": True}


def test_a_states_error_in_a_branch_fails_each_enclosing_parallel_with_it(
    local_aws: LocalAWS,
) -> None:
    inner = {"Type": "Parallel", "End": True, "Branches": [
        jsonata({"Fine": times("2")}), jsonata({"Broken": failing_pass("deep down")})]}
    definition = jsonata({
        "Outer": {
            "Type": "Parallel", "End": True,
            "Branches": [jsonata({"Inner": inner})],
            "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"],
                       "Output": "{% $states.errorOutput %}", "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True},
    })
    result = run_state_machine(local_aws, definition, {"n": 1})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output["Error"] == "States.QueryEvaluationError", result.describe()
    assert "deep down" in result.output["Cause"]

    uncaught = jsonata({"Inner": inner})
    result = run_state_machine(local_aws, uncaught, {"n": 1})
    assert result.status == "FAILED", result.describe()
    assert result.error == "States.QueryEvaluationError", result.describe()


def test_a_states_error_in_a_map_iteration_fails_the_map_with_it(local_aws: LocalAWS) -> None:
    definition = jsonata({
        "Each": {
            "Type": "Map", "Items": "{% [1, 2] %}", "End": True,
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "Item",
                              "States": {"Item": failing_pass("in an item")}},
            "Catch": [{"ErrorEquals": ["States.QueryEvaluationError"],
                       "Output": "{% $states.errorOutput %}", "Next": "Caught"}]},
        "Caught": {"Type": "Pass", "End": True},
    })
    result = run_state_machine(local_aws, definition, {})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output["Error"] == "States.QueryEvaluationError", result.describe()


def stopped_while_starting(delay: int, width: int = 100) -> dict[str, Any]:
    """A Parallel whose first branch fails after `delay` Pass states, while its second branch
    starts an inner Parallel of `width` branches: moto stops the inner branches, some of them
    before their threads have begun."""
    chain: dict[str, Any] = {
        f"S{i}": {"Type": "Pass", "Next": f"S{i + 1}" if i + 1 < delay else "Boom"}
        for i in range(delay)
    }
    chain["Boom"] = {"Type": "Fail", "Error": "Boom", "Cause": "on purpose"}
    inner = {"Type": "Parallel", "End": True, "Branches": [
        jsonata({f"P{i}": {"Type": "Pass", "End": True}}) for i in range(width)]}
    return jsonata({"Fork": {"Type": "Parallel", "End": True, "Branches": [
        jsonata(chain, "S0" if delay else "Boom"), jsonata({"Inner": inner})]}})


def test_branches_stopped_before_they_start_raise_nothing(
    local_aws: LocalAWS, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without `branch_stop_adapter`, each inner branch stopped before its thread began
    raises RuntimeError in that thread (when the stop lands while the inner Parallel starts
    its branches: a few delays make that likely)."""
    raised: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args.exc_value))
    for delay in (0, 4, 16):
        result = run_state_machine(local_aws, stopped_while_starting(delay), {})
        assert (result.status, result.error) == ("FAILED", "Boom"), result.describe()
    time.sleep(0.3)  # threads of stopped branches that start late
    assert raised == []


def test_datetimes_in_state_output_do_not_break_describe(local_aws: LocalAWS) -> None:
    table = unique("table")
    local_aws.client("dynamodb").create_table(
        TableName=table,
        KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    definition = jsonata(
        {
            "Describe": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:dynamodb:describeTable",
                "Arguments": {"TableName": table},
                "End": True,
            }
        }
    )
    result = run_state_machine(local_aws, definition, {})
    assert result.status == "SUCCEEDED", result.describe()
    assert isinstance(result.output["Table"]["CreationDateTime"], str)


def test_concurrent_updates_of_one_item_see_each_other(local_aws: LocalAWS) -> None:
    """UpdateItem is atomic: each of many concurrent ADDs reads a different old value (the
    appended text makes moto's read-copy-write of the item slow enough to interleave)."""
    from concurrent.futures import ThreadPoolExecutor

    from infra.local.tables import create_joins_table

    table = create_joins_table(local_aws, unique("joins"))
    client = local_aws.client("dynamodb")
    bulk = "x" * 1500

    def arrive(index: int) -> int:
        answer = client.update_item(
            TableName=table, Key={"pk": {"S": "one"}},
            UpdateExpression="ADD #froms :from SET #docs = list_append(if_not_exists(#docs, "
                             ":none), :doc)",
            ExpressionAttributeNames={"#froms": "froms", "#docs": "docs"},
            ExpressionAttributeValues={":from": {"SS": [f"t{index}"]}, ":none": {"L": []},
                                       ":doc": {"L": [{"S": bulk}]}},
            ReturnValues="ALL_OLD")
        return len(answer.get("Attributes", {}).get("froms", {}).get("SS", []))

    with ThreadPoolExecutor(max_workers=16) as pool:
        seen = sorted(pool.map(arrive, range(120)))
    assert seen == list(range(120))


def test_aws_sdk_sfn_send_task_success_wakes_a_waiting_branch(local_aws: LocalAWS) -> None:
    """`aws-sdk:sfn:sendTaskSuccess` takes the ASL's PascalCase parameters, as on AWS."""
    from infra.local.tables import create_joins_table

    table = create_joins_table(local_aws, unique("joins"))
    key = {"pk": {"S": "{% $states.context.Execution.Name %}"}}
    waiter = {"Type": "Task",
              "Resource": "arn:aws:states:::aws-sdk:dynamodb:updateItem.waitForTaskToken",
              "Arguments": {"TableName": table, "Key": key, "UpdateExpression": "SET #t = :t",
                            "ExpressionAttributeNames": {"#t": "token"},
                            "ExpressionAttributeValues": {
                                ":t": {"S": "{% $states.context.Task.Token %}"}}},
              "End": True}
    waker = {
        "Poll": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:dynamodb:getItem",
                 "Arguments": {"TableName": table, "Key": key, "ConsistentRead": True},
                 "Next": "Stored?"},
        "Stored?": {"Type": "Choice", "Choices": [
            {"Condition": "{% $exists($states.input.Item.token.S) %}", "Next": "Wake"}],
            "Default": "Later"},
        "Later": {"Type": "Wait", "Seconds": 1, "Next": "Poll"},
        "Wake": {"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:sfn:sendTaskSuccess",
                 "Arguments": {"TaskToken": "{% $states.input.Item.token.S %}",
                               "Output": "{% $string({'woken': true}) %}"},
                 "End": True}}
    definition = jsonata({"Both": {
        "Type": "Parallel", "End": True,
        "Branches": [{"StartAt": "Wait", "States": {"Wait": waiter}},
                     {"StartAt": "Poll", "States": waker}]}})
    result = run_state_machine(local_aws, definition, {})
    assert result.status == "SUCCEEDED", result.describe()
    assert result.output[0] == {"woken": True}


# -- host --------------------------------------------------------------------------------------


def test_deployed_code_never_imports_local_mode() -> None:
    root = Path(__file__).resolve().parents[3] / "chalicelib"
    offenders = [
        str(path.relative_to(root.parent))
        for path in root.rglob("*.py")
        if re.search(r"^\s*(from|import)\s+infra\b", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert offenders == []


def test_reset_forgets_resources_but_keeps_the_configuration(local_aws: LocalAWS) -> None:
    """Runs last in this module: it empties moto (module fixtures are gone afterwards)."""
    sfn = local_aws.client("stepfunctions")
    deploy_state_machine(local_aws, jsonata({"P": {"Type": "Pass", "End": True}}), name="before")
    local_aws.reset()
    assert sfn.list_state_machines()["stateMachines"] == []
    # Execution and the in-process Lambda backend still work after the reset.
    echo = deploy_lambda(local_aws, "echo", f"{HANDLERS}.echo")
    definition = jsonata(
        {
            "Call": {
                "Type": "Task",
                "Resource": LAMBDA_INVOKE,
                "Arguments": {"FunctionName": echo, "Payload": {"after": "reset"}},
                "Output": "{% $states.result.Payload.event %}",
                "End": True,
            }
        }
    )
    assert run_state_machine(local_aws, definition, {}).output == {"after": "reset"}
