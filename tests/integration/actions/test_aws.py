"""The action functions on the local AWS: std.email on SES, registered actions on Lambda,
task tokens on DynamoDB, and both functions called by running state machines."""
from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from chalicelib.actions import callbacks, std_actions, tokens
from chalicelib.actions.errors import ActionFailed, ActionNotRegistered, EmailNotSent
from infra.local.host import LocalAWS
from infra.local.sfn import (
    deploy_lambda,
    deploy_state_machine,
    run_state_machine,
    start_execution,
    wait_for,
)

from .conftest import LocalHTTPServer

pytestmark = pytest.mark.moto

HANDLERS = "tests.integration.actions.handlers"
SENDER = "workflows@stepwise.test"
EXECUTION = "arn:aws:states:us-east-1:123456789012:execution:m:run-1"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def run(action: str, params: dict[str, Any]) -> Any:
    return std_actions.handler({"action": action, "input": params, "task": "t",
                                "execution": EXECUTION}, None)


# -- std.email ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def verified_sender(local_aws: LocalAWS) -> str:
    local_aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    return SENDER


def test_email_is_sent_through_ses(verified_sender: str, local_aws: LocalAWS,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.EMAIL_SENDER, verified_sender)
    message_id = run("std.email", {"to_addrs": ["ops@example.com"], "subject": "Done",
                                   "body": "workflow finished", "smtp_password": "hunter2"})
    sent = ses_backends[DEFAULT_ACCOUNT_ID][local_aws.region].sent_messages
    message = next(m for m in sent if m.id == message_id)
    assert (message.source, message.subject, message.body) == (
        SENDER, "Done", "workflow finished")
    assert message.destinations["ToAddresses"] == ["ops@example.com"]


def test_unverified_sender_is_not_sent(local_aws: LocalAWS) -> None:
    with pytest.raises(EmailNotSent, match="MessageRejected"):
        run("std.email", {"to_addrs": ["ops@example.com"], "from_addr": "nobody@else.test"})


# -- registered actions ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def registered(local_aws: LocalAWS) -> dict[str, str]:
    """Action name -> function name, deployed on the local Lambda."""
    names = {"acme.do": unique("acme-do"), "acme.fail": unique("acme-fail")}
    deploy_lambda(local_aws, names["acme.do"], f"{HANDLERS}.acme_do")
    deploy_lambda(local_aws, names["acme.fail"], f"{HANDLERS}.acme_fail")
    return names


def test_registered_action_runs_its_function(registered: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ACTION_REGISTRY, json.dumps(registered))
    assert run("acme.do", {"n": 1}) == {"got": {"n": 1}, "function": registered["acme.do"]}


def test_registered_action_errors(registered: dict[str, str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ACTION_REGISTRY,
                       json.dumps({**registered, "acme.gone": "no-such-function"}))
    with pytest.raises(ActionFailed, match="failed in function .*: AcmeError: acme refused 7"):
        run("acme.fail", {"n": 7})
    with pytest.raises(ActionFailed, match="cannot invoke function 'no-such-function'"):
        run("acme.gone", {})
    with pytest.raises(ActionNotRegistered, match="'acme.other'"):
        run("acme.other", {})


# -- task tokens -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tokens_table(local_aws: LocalAWS) -> str:
    name = unique("stepwise-tokens")
    local_aws.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "execution", "AttributeType": "S"},
                              {"AttributeName": "task", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "execution", "KeyType": "HASH"},
                   {"AttributeName": "task", "KeyType": "RANGE"}])
    return name


def test_dynamo_token_store(tokens_table: str) -> None:
    store = tokens.DynamoTokenStore(tokens_table)
    store.put(tokens.TaskToken(EXECUTION, "t1", "tok-a", "pause", 1.5))
    store.put(tokens.TaskToken(EXECUTION, "t1", "tok-b", "async", 2.5))
    assert store.get(EXECUTION, "t1") == tokens.TaskToken(EXECUTION, "t1", "tok-b", "async", 2.5)
    assert store.get(EXECUTION, "t2") is None
    store.delete(EXECUTION, "t1")
    assert store.get(EXECUTION, "t1") is None


def test_callbacks_write_to_the_configured_table(tokens_table: str,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.TOKENS_TABLE, tokens_table)
    callbacks.handler({"token": "tok-c", "kind": "pause_before", "task": "t3",
                       "execution": EXECUTION}, None)
    stored = tokens.DynamoTokenStore(tokens_table).get(EXECUTION, "t3")
    assert stored is not None and (stored.token, stored.kind) == ("tok-c", "pause_before")


# -- called by state machines ------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundle(local_aws: LocalAWS) -> dict[str, str]:
    """The actions and callbacks functions, deployed under unique names; name -> ARN."""
    actions = unique("stepwise-actions")
    callbacks_name = unique("stepwise-callbacks")
    return {
        "actions": deploy_lambda(local_aws, actions, "chalicelib.actions.std_actions.handler"),
        "callbacks": deploy_lambda(local_aws, callbacks_name,
                                   "chalicelib.actions.callbacks.handler"),
    }


def _action_task(function: str, action: str, params: dict[str, Any]) -> dict[str, Any]:
    payload = {"action": action, "input": params, "task": "t1",
               "execution": "{% $states.context.Execution.Id %}"}
    return {
        "QueryLanguage": "JSONata", "StartAt": "T",
        "States": {
            "T": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                  "Arguments": {"FunctionName": function, "Payload": payload},
                  "Output": "{% $states.result.Payload %}", "End": True,
                  "Catch": [{"ErrorEquals": ["HttpError", "ActionNotRegistered"],
                             "Output": "{% $states.errorOutput %}", "Next": "Caught"}]},
            "Caught": {"Type": "Pass", "End": True},
        },
    }


def test_error_names_reach_step_functions(local_aws: LocalAWS, bundle: dict[str, str],
                                          http_server: LocalHTTPServer,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.HTTP_ALLOW_LOOPBACK, "1")
    ok = run_state_machine(local_aws, _action_task(
        bundle["actions"], "std.http", {"url": f"{http_server.url}/json"}))
    assert ok.output["content"] == {"hello": "world", "n": [1, 2]}, ok.describe()
    missing = run_state_machine(local_aws, _action_task(
        bundle["actions"], "std.http", {"url": f"{http_server.url}/missing"}))
    assert missing.output["Error"] == "HttpError", missing.describe()
    # Step Functions' Cause is Lambda's error payload; its errorMessage is the result as JSON.
    lambda_error = json.loads(missing.output["Cause"])
    assert lambda_error["errorType"] == "HttpError"
    assert json.loads(lambda_error["errorMessage"])["status"] == 404
    unknown = run_state_machine(local_aws, _action_task(
        bundle["actions"], "nova.servers_create", {}))
    assert unknown.output["Error"] == "ActionNotRegistered", unknown.describe()
    failed = run_state_machine(local_aws, _action_task(
        bundle["actions"], "std.fail", {"error_data": "stop here"}))
    assert (failed.status, failed.error) == ("FAILED", "std.fail"), failed.describe()
    assert json.loads(failed.cause or "{}")["errorMessage"] == "stop here"


def test_paused_task_resumes_with_the_stored_token(local_aws: LocalAWS, bundle: dict[str, str],
                                                   tokens_table: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.TOKENS_TABLE, tokens_table)
    payload = {"token": "{% $states.context.Task.Token %}", "kind": "pause", "task": "wait_me",
               "execution": "{% $states.context.Execution.Id %}"}
    definition = {
        "QueryLanguage": "JSONata", "StartAt": "Wait",
        "States": {"Wait": {"Type": "Task", "TimeoutSeconds": 20,
                            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                            "Arguments": {"FunctionName": bundle["callbacks"],
                                          "Payload": payload},
                            "End": True}},
    }
    machine = deploy_state_machine(local_aws, definition, name=unique("pause"))
    execution = start_execution(local_aws, machine, {})
    store = tokens.DynamoTokenStore(tokens_table)
    stored = None
    for _ in range(400):
        stored = store.get(execution, "wait_me")
        if stored is not None:
            break
        time.sleep(0.01)
    assert stored is not None and stored.kind == "pause"
    local_aws.client("stepfunctions").send_task_success(taskToken=stored.token,
                                                        output=json.dumps({"resumed": True}))
    result = wait_for(local_aws, execution)
    assert result.output == {"resumed": True}, result.describe()
