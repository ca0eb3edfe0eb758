"""Retry, rerun from a task and `included_tasks`, through the HTTP API on the local AWS.

Users' tasks call their own Lambda functions (`handlers`): `flaky` fails until the test fixes
its cause, `counted` counts its calls, so a reused result shows as a call that did not
happen again.
"""
from __future__ import annotations

import pytest

from chalicelib.engine import runs
from chalicelib.service import executions as service
from infra.local.sfn import deploy_lambda
from tests.integration.api import handlers
from tests.integration.api.conftest import create_workflow
from tests.integration.api.test_executions import wait_final

pytestmark = pytest.mark.moto

PIPELINE = """version: '2.0'
pipeline:
  tasks:
    extract:
      action: aws.lambda function_name=sw-counted
      input:
        function_name: sw-counted
        payload: {key: extract}
      publish:
        extracted: <% task().result.n %>
      on-success: [load]
    load:
      action: aws.lambda
      input:
        function_name: sw-flaky
        payload: {key: load}
      on-success: [report]
    report:
      action: std.echo
      input:
        output: <% $.extracted %>
    side:
      action: aws.lambda
      input:
        function_name: sw-counted
        payload: {key: side}
"""

TWO_FAILURES = """version: '2.0'
two:
  tasks:
    left:
      action: aws.lambda
      input:
        function_name: sw-flaky
        payload: {key: left}
    right:
      action: aws.lambda
      input:
        function_name: sw-flaky
        payload: {key: right}
"""

CHAIN = """version: '2.0'
chain:
  tasks:
    a:
      action: aws.lambda
      input:
        function_name: sw-counted
        payload: {key: a}
      on-success: [b]
    b:
      action: aws.lambda
      input:
        function_name: sw-counted
        payload: {key: b}
      on-success: [c]
    c:
      action: aws.lambda
      input:
        function_name: sw-counted
        payload: {key: c}
"""


@pytest.fixture
def functions(runner):
    deploy_lambda(runner, "sw-flaky", "tests.integration.api.handlers.flaky")
    deploy_lambda(runner, "sw-counted", "tests.integration.api.handlers.counted")
    handlers.CALLS.clear()
    handlers.BROKEN.clear()
    yield handlers
    handlers.BROKEN.clear()


def _run(api, token, workflow_id, body=None):
    started = api.post(f"/workflows/{workflow_id}/executions", token, body)
    assert started.status == 201, started.body
    return wait_final(api, token, workflow_id, started.body["id"])


def _tasks(execution):
    return {t["name"]: t for t in execution["tasks"]}


def _run_states(task):
    return [run["state"] for run in task["runs"]]


def test_retry_after_fixing_the_cause_reuses_what_succeeded(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=PIPELINE)
    functions.BROKEN.add("load")
    failed = _run(api, token, workflow["id"])
    assert failed["state"] == "failed"
    assert _tasks(failed)["load"]["mistralState"] == "error"
    assert "load is broken" in _tasks(failed)["load"]["mistralStateInfo"]
    assert "report" not in _tasks(failed)

    functions.BROKEN.clear()  # the cause is fixed
    path = f"/workflows/{workflow['id']}/executions/{failed['id']}/retry"
    retried = api.post(path, token)
    assert retried.status == 202, retried.body
    assert (retried.body["id"], retried.body["state"]) == (failed["id"], "running")
    final = wait_final(api, token, workflow["id"], failed["id"])
    assert (final["state"], final["mistralState"]) == ("succeeded", "success")
    tasks = _tasks(final)
    assert _run_states(tasks["load"]) == ["succeeded", "failed"]  # newest first
    assert [run["id"] for run in tasks["load"]["runs"]] == [2, 1]
    assert _run_states(tasks["extract"]) == ["succeeded"]
    assert _run_states(tasks["side"]) == ["succeeded"]
    assert _run_states(tasks["report"]) == ["succeeded"]
    # extract and side were not run again; report saw what extract published the first time
    assert functions.CALLS == {"extract": 1, "side": 1, "load": 2}
    assert final["finishedAt"] >= final["startedAt"]
    listed = api.get(f"/workflows/{workflow['id']}/executions", token).body
    assert [e["id"] for e in listed] == [failed["id"]]
    shown = api.get(f"/workflows/{workflow['id']}", token).body
    assert (shown["state"], shown["lastExecutionId"]) == ("succeeded", failed["id"])


def test_the_published_values_of_reused_tasks_reach_later_tasks(api, people, functions):
    token = people.alice.token
    text = PIPELINE.replace("""    report:
      action: std.echo
      input:
        output: <% $.extracted %>""", """    report:
      action: aws.lambda
      input:
        function_name: sw-flaky
        payload:
          key: <% 'report-' + str($.extracted) %>""")
    workflow = create_workflow(api, token, definition=text)
    functions.BROKEN.add("load")
    failed = _run(api, token, workflow["id"])
    functions.BROKEN.clear()
    api.post(f"/workflows/{workflow['id']}/executions/{failed['id']}/retry", token)
    final = wait_final(api, token, workflow["id"], failed["id"])
    assert final["state"] == "succeeded", final
    assert functions.CALLS["report-1"] == 1  # extract's first (and only) result: n = 1


def test_retry_of_one_named_task_leaves_the_other_failures(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=TWO_FAILURES)
    functions.BROKEN.update({"left", "right"})
    failed = _run(api, token, workflow["id"])
    assert {n: t["mistralState"] for n, t in _tasks(failed).items()} == {
        "left": "error", "right": "error"}
    functions.BROKEN.clear()
    path = f"/workflows/{workflow['id']}/executions/{failed['id']}/retry"

    assert api.post(path, token, {"task_name": "left"}).status == 202
    once = wait_final(api, token, workflow["id"], failed["id"])
    assert once["state"] == "failed"  # right still failed
    tasks = _tasks(once)
    assert (tasks["left"]["mistralState"], _run_states(tasks["left"])) == (
        "success", ["succeeded", "failed"])
    assert (tasks["right"]["mistralState"], _run_states(tasks["right"])) == (
        "error", ["failed"])
    assert functions.CALLS == {"left": 2, "right": 1}

    assert api.post(path, token, {"taskName": "right"}).status == 202  # CLI casing
    twice = wait_final(api, token, workflow["id"], failed["id"])
    assert twice["state"] == "succeeded"
    assert _run_states(_tasks(twice)["right"]) == ["succeeded", "failed"]
    assert _run_states(_tasks(twice)["left"]) == ["succeeded", "failed"]
    assert functions.CALLS == {"left": 2, "right": 2}


def test_retry_refusals_change_nothing(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=TWO_FAILURES)
    functions.BROKEN.add("left")
    failed = _run(api, token, workflow["id"])
    path = f"/workflows/{workflow['id']}/executions/{failed['id']}"
    api.put(f"/workflows/{workflow['id']}/shares/users", token,
            {"user_ids": [people.bob.id], "permission_level": "read"})
    cases = [
        (token, {"task_name": "right"}, 400, "must name a failed task"),
        (token, {"task_name": "nope"}, 400, "must name a failed task"),
        (token, {"task": "left"}, 400, "Did you mean"),
        (people.bob.token, {}, 403, ""),
        (people.carol.token, {}, 404, ""),
    ]
    for caller, body, status, message in cases:
        answer = api.post(f"{path}/retry", caller, body)
        assert answer.status == status, (body, answer.body)
        assert message in answer.body.get("errorDescription", "")
    assert api.get(path, token).body == failed
    assert api.post(f"{path}/rerun", token, {"from_task": "nope"}).status == 400
    assert api.post(f"{path}/rerun", token, {}).status == 400
    assert api.get(path, token).body == failed



def test_only_a_failed_execution_can_be_retried(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=CHAIN)
    done = _run(api, token, workflow["id"])
    answer = api.post(f"/workflows/{workflow['id']}/executions/{done['id']}/retry", token)
    assert answer.status == 400 and "succeeded" in answer.body["errorDescription"]


def test_rerun_from_a_task_runs_it_and_what_follows(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=CHAIN)
    done = _run(api, token, workflow["id"])
    assert done["state"] == "succeeded"
    path = f"/workflows/{workflow['id']}/executions/{done['id']}/rerun"
    answer = api.post(path, token, {"fromTask": "b"})
    assert answer.status == 202 and answer.body["id"] == done["id"]
    final = wait_final(api, token, workflow["id"], done["id"])
    assert final["state"] == "succeeded"
    tasks = _tasks(final)
    assert [len(tasks[n]["runs"]) for n in "abc"] == [1, 2, 2]
    assert functions.CALLS == {"a": 1, "b": 2, "c": 2}


def test_a_retry_waits_its_turn_when_the_workflow_forbids_concurrent_runs(api, people,
                                                                        functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=TWO_FAILURES,
                               allow_concurrent_executions=False)
    functions.BROKEN.add("left")
    failed = _run(api, token, workflow["id"])
    slow = api.patch(f"/workflows/{workflow['id']}", token, {"definition": """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 30
"""})
    assert slow.status == 200
    running = api.post(f"/workflows/{workflow['id']}/executions", token)
    assert running.status == 201
    path = f"/workflows/{workflow['id']}/executions"
    refused = api.post(f"{path}/{failed['id']}/retry", token)
    assert refused.status == 409 and refused.body["error"] == "already_running"
    assert api.get(f"{path}/{failed['id']}", token).body["state"] == "failed"
    api.post(f"{path}/{running.body['id']}/cancel", token)
    wait_final(api, token, workflow["id"], running.body["id"])
    functions.BROKEN.clear()
    assert api.post(f"{path}/{failed['id']}/retry", token).status == 202
    # the retry runs the definition version the execution started with
    assert wait_final(api, token, workflow["id"], failed["id"])["state"] == "succeeded"


def test_status_events_of_an_earlier_attempt_change_nothing(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=TWO_FAILURES)
    functions.BROKEN.add("left")
    failed = _run(api, token, workflow["id"])
    functions.BROKEN.clear()
    api.post(f"/workflows/{workflow['id']}/executions/{failed['id']}/retry", token)
    final = wait_final(api, token, workflow["id"], failed["id"])
    assert final["state"] == "succeeded"
    first = runs.execution_name(workflow["id"], failed["id"])
    for status in ("RUNNING", "FAILED", "ABORTED"):
        assert not service.record_status({"name": first, "status": status})
    assert api.get(f"/workflows/{workflow['id']}/executions/{failed['id']}",
                   token).body == final


def test_included_tasks_run_only_those_tasks(api, people, functions):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=CHAIN)
    final = _run(api, token, workflow["id"], {"included_tasks": ["a", "c"]})
    assert final["state"] == "succeeded"
    assert final["includedTasks"] == ["a", "c"]
    assert sorted(_tasks(final)) == ["a", "c"]
    assert functions.CALLS == {"a": 1, "c": 1}
    path = f"/workflows/{workflow['id']}/executions"
    for body, message in (({"included_tasks": ["a", "x"]}, "'x', which is not a task"),
                          ({"included_tasks": ["a", "bb"]}, "Did you mean 'b'?"),
                          ({"included_tasks": "a"}, "list of task names")):
        answer = api.post(path, token, body)
        assert answer.status == 400 and message in answer.body["errorDescription"], answer.body
    assert len(api.get(path, token).body) == 1
