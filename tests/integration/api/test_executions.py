"""Executions through the HTTP API, run by Step Functions on the local AWS.

Status changes reach the app as they do on AWS: Step Functions events → EventBridge rule →
the app's `on_execution_event` function (see `infra.local.stack`).
"""
from __future__ import annotations

import threading
import time
from urllib.parse import quote

import pytest

from chalicelib.service import executions as service
from chalicelib.service.auth import authenticate
from tests.integration.api.conftest import create_workflow

pytestmark = pytest.mark.moto

LONG = """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 30
"""
FAILING = """version: '2.0'
broken:
  tasks:
    first task:
      action: std.noop
      on-success: boom
    boom:
      action: std.fail
"""
WITH_INPUT = """version: '2.0'
greet:
  input:
    - who
    - greeting: Hello
  tasks:
    say:
      action: std.echo output="<% $.greeting %>, <% $.who %>"
"""


def wait_final(api, token, workflow_id, execution_id, timeout=15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = api.get(f"/workflows/{workflow_id}/executions/{execution_id}", token)
        assert got.status == 200, got.body
        if got.body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return got.body
        time.sleep(0.1)


def test_a_run_succeeds_and_reports_every_task(api, people, runner):
    workflow = create_workflow(api, people.alice.token)
    started = api.post(f"/workflows/{workflow['id']}/executions", people.alice.token)
    assert started.status == 201, started.body
    body = started.body
    assert (body["state"], body["mistralState"], body["input"], body["includedTasks"]) == (
        "running", "running", {}, [])
    assert body["definition"] == workflow["definition"] and body["user"]["id"] == \
        people.alice.id
    final = wait_final(api, people.alice.token, workflow["id"], body["id"])
    assert (final["state"], final["mistralState"]) == ("succeeded", "success")
    assert final["finishedAt"] >= final["startedAt"]
    [task] = final["tasks"]
    assert (task["name"], task["mistralState"]) == ("greet", "success")
    assert [run["state"] for run in task["runs"]] == ["succeeded"]
    shown = api.get(f"/workflows/{workflow['id']}", people.alice.token).body
    assert (shown["state"], shown["lastExecutionId"]) == ("succeeded", body["id"])


def test_a_failed_task_fails_the_execution_with_its_reason(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=FAILING)
    started = api.post(f"/workflows/{workflow['id']}/executions", people.alice.token)
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert (final["state"], final["mistralState"]) == ("failed", "error")
    tasks = {t["name"]: t for t in final["tasks"]}
    assert tasks["first task"]["mistralState"] == "success"
    assert tasks["boom"]["mistralState"] == "error"
    assert "std.fail" in tasks["boom"]["mistralStateInfo"]
    path = (f"/workflows/{workflow['id']}/executions/{started.body['id']}/tasks/"
            f"{quote('first task', safe='')}")
    one = api.get(path, people.alice.token)
    assert (one.status, one.body["name"]) == (200, "first task")
    assert api.get(path + "x", people.alice.token).status == 404
    assert api.get(f"/workflows/{workflow['id']}", people.alice.token).body["state"] == "failed"


def test_input_defaults_and_checks(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=WITH_INPUT)
    path = f"/workflows/{workflow['id']}/executions"
    missing = api.post(path, people.alice.token, {"input": {}})
    assert missing.status == 400 and "'who'" in missing.body["errorDescription"]
    unknown = api.post(path, people.alice.token, {"input": {"who": "x", "whom": "y"}})
    assert unknown.status == 400 and "Did you mean" in unknown.body["errorDescription"]
    started = api.post(path, people.alice.token, {"input": {"who": "World"}})
    assert started.status == 201 and started.body["input"] == {"who": "World"}
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert final["state"] == "succeeded"
    listed = api.get(path, people.alice.token)
    assert [e["id"] for e in listed.body] == [started.body["id"]]
    assert listed.headers["x-pagination-total-entries"] == "1"


def test_invalid_definitions_are_not_run(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition="version: '2.0'\nwf: 3\n")
    answer = api.post(f"/workflows/{workflow['id']}/executions", people.alice.token)
    assert answer.status == 400 and "invalid" in answer.body["errorDescription"]
    assert api.get(f"/workflows/{workflow['id']}/executions", people.alice.token).body == []


def test_readers_see_executions_but_cannot_start_or_cancel(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=LONG)
    api.put(f"/workflows/{workflow['id']}/shares/users", people.alice.token,
            {"user_ids": [people.bob.id], "permission_level": "read"})
    path = f"/workflows/{workflow['id']}/executions"
    assert api.post(path, people.bob.token).status == 403
    started = api.post(path, people.alice.token)
    assert api.get(f"{path}/{started.body['id']}", people.bob.token).status == 200
    assert api.post(f"{path}/{started.body['id']}/cancel", people.bob.token).status == 403
    assert api.get(f"{path}/{started.body['id']}", people.carol.token).status == 404
    api.post(f"{path}/{started.body['id']}/cancel", people.alice.token)


def test_cancel_stops_a_running_execution(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=LONG)
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, people.alice.token)
    cancelled = api.post(f"{path}/{started.body['id']}/cancel", people.alice.token)
    assert cancelled.status == 202 and cancelled.body["id"] == started.body["id"]
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert (final["state"], final["mistralState"]) == ("cancelled", "cancelled")
    # the workflow follows just after the execution is stored final
    deadline = time.monotonic() + 5
    shown = api.get(f"/workflows/{workflow['id']}", people.alice.token).body
    while shown["state"] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
        shown = api.get(f"/workflows/{workflow['id']}", people.alice.token).body
    assert shown["state"] == "cancelled"


def test_no_concurrent_executions_when_the_workflow_forbids_them(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=LONG,
                               allow_concurrent_executions=False)
    path = f"/workflows/{workflow['id']}/executions"
    first = api.post(path, people.alice.token)
    assert first.status == 201
    second = api.post(path, people.alice.token)
    assert second.status == 409 and second.body["error"] == "already_running"
    api.post(f"{path}/{first.body['id']}/cancel", people.alice.token)
    wait_final(api, people.alice.token, workflow["id"], first.body["id"])
    third = api.post(path, people.alice.token)
    assert third.status == 201
    api.post(f"{path}/{third.body['id']}/cancel", people.alice.token)


def test_fifty_racing_starts_start_exactly_one(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=LONG,
                               allow_concurrent_executions=False)
    caller = authenticate(f"Bearer {people.alice.token}")
    outcomes: list[str] = []
    barrier = threading.Barrier(50)

    def attempt() -> None:
        barrier.wait()
        try:
            service.start(caller, workflow["id"], {})
            outcomes.append("started")
        except service.store.AlreadyRunning:
            outcomes.append("already_running")

    threads = [threading.Thread(target=attempt) for _ in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(outcomes)) == ["already_running", "started"]
    assert outcomes.count("started") == 1 and len(outcomes) == 50
    listed = api.get(f"/workflows/{workflow['id']}/executions", people.alice.token).body
    assert len(listed) == 1
    api.post(f"/workflows/{workflow['id']}/executions/{listed[0]['id']}/cancel",
             people.alice.token)


def test_an_idempotency_key_starts_one_execution(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=WITH_INPUT)
    path = f"/workflows/{workflow['id']}/executions"
    body = {"input": {"who": "World"}}

    def post(key: str, sent: dict = body, token: str = people.alice.token):
        return api.call("POST", path, token, sent, headers={"Idempotency-Key": key})

    first = post("order-17")
    again = post("order-17")
    assert (first.status, again.status) == (201, 201)
    assert again.body["id"] == first.body["id"]
    other = post("order-18")
    assert other.body["id"] != first.body["id"]
    changed = post("order-17", {"input": {"who": "Moon"}})
    assert changed.status == 409 and "different request" in changed.body["errorDescription"]
    assert post("", {}).status == 400
    listed = api.get(path, people.alice.token).body
    assert sorted(e["id"] for e in listed) == sorted([first.body["id"], other.body["id"]])


def test_racing_starts_with_one_idempotency_key_give_one_execution(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=LONG)
    caller = authenticate(f"Bearer {people.alice.token}")
    started: list[int] = []
    barrier = threading.Barrier(10)

    def attempt() -> None:
        barrier.wait()
        started.append(int(service.start(caller, workflow["id"], {}, "same-key").execution.id))

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(started) == 10 and len(set(started)) == 1
    path = f"/workflows/{workflow['id']}/executions"
    assert [e["id"] for e in api.get(path, people.alice.token).body] == started[:1]
    api.post(f"{path}/{started[0]}/cancel", people.alice.token)


PAUSING = """version: '2.0'
pausing:
  tasks:
    first:
      action: std.noop
      on-success: [pause, second]
    second:
      action: std.noop
      on-success: third
    third:
      action: std.noop
      pause-before: true
"""


def wait_state(api, token, workflow_id, execution_id, state, timeout=15.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        got = api.get(f"/workflows/{workflow_id}/executions/{execution_id}", token).body
        if got["state"] == state or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


def test_pause_and_resume(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=PAUSING)
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, people.alice.token)
    execution = f"{path}/{started.body['id']}"
    paused = wait_state(api, people.alice.token, workflow["id"], started.body["id"], "paused")
    assert (paused["state"], paused["mistralState"]) == ("paused", "paused")
    assert api.post(f"{execution}/resume", people.bob.token).status == 404
    resumed = api.post(f"{execution}/resume", people.alice.token)
    assert resumed.status == 202 and resumed.body["state"] == "running"
    # the second pause: pause-before of `third`
    wait_state(api, people.alice.token, workflow["id"], started.body["id"], "paused")
    assert api.post(f"{execution}/resume", people.alice.token).status == 202
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert final["state"] == "succeeded"
    assert [t["name"] for t in final["tasks"]] == ["first", "second", "third"]
    again = api.post(f"{execution}/resume", people.alice.token)
    assert again.status == 400 and "Only a paused execution" in again.body["errorDescription"]


def test_each_execution_runs_the_definition_it_started_with(api, people, runner):
    workflow = create_workflow(api, people.alice.token)
    path = f"/workflows/{workflow['id']}/executions"
    first = api.post(path, people.alice.token)
    wait_final(api, people.alice.token, workflow["id"], first.body["id"])
    changed = workflow["definition"].replace("greet:", "welcome:")
    assert api.patch(f"/workflows/{workflow['id']}", people.alice.token,
                     {"definition": changed}).status == 200
    second = api.post(path, people.alice.token)
    final = wait_final(api, people.alice.token, workflow["id"], second.body["id"])
    assert [t["name"] for t in final["tasks"]] == ["welcome"]
    assert final["definition"] == changed
    old = api.get(f"{path}/{first.body['id']}", people.alice.token).body
    assert [t["name"] for t in old["tasks"]] == ["greet"]
    assert old["definition"] == workflow["definition"]


MAP = """version: '2.0'
fanout:
  input:
    - items: [1, 2, 3, 4, 5, 6]
  tasks:
    each:
      with-items: item in <% $.items %>
      concurrency: 2
      action: std.noop
      wait-before: 30
"""


def test_cancel_stops_a_running_with_items_map(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=MAP)
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, people.alice.token)
    assert started.status == 201, started.body
    time.sleep(0.5)  # the Map has begun its first iterations
    running = api.get(f"{path}/{started.body['id']}", people.alice.token).body
    assert running["state"] == "running"
    assert api.post(f"{path}/{started.body['id']}/cancel", people.alice.token).status == 202
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert (final["state"], final["mistralState"]) == ("cancelled", "cancelled")
    assert all(task["mistralState"] != "success" for task in final["tasks"])
    assert api.get(f"/workflows/{workflow['id']}", people.alice.token).body["state"] == \
        "cancelled"


REVERSE = """version: '2.0'
build:
  type: reverse
  tasks:
    fetch:
      action: std.noop
    compile:
      action: std.noop
      requires: [fetch]
    test:
      action: std.noop
      requires: [compile]
    docs:
      action: std.noop
      requires: [fetch]
"""


def test_target_task_runs_what_it_requires(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition=REVERSE)
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, people.alice.token, {"target_task": "compile"})
    assert started.status == 201, started.body
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert final["state"] == "succeeded"
    assert [t["name"] for t in final["tasks"]] == ["fetch", "compile"]
    whole = api.post(path, people.alice.token)
    final = wait_final(api, people.alice.token, workflow["id"], whole.body["id"])
    assert sorted(t["name"] for t in final["tasks"]) == ["compile", "docs", "fetch", "test"]
    unknown = api.post(path, people.alice.token, {"target_task": "compil"})
    assert unknown.status == 400 and "Did you mean 'compile'" in unknown.body["errorDescription"]
    direct = create_workflow(api, people.alice.token)
    answer = api.post(f"/workflows/{direct['id']}/executions", people.alice.token,
                      {"target_task": "greet"})
    assert answer.status == 400 and "reverse workflows" in answer.body["errorDescription"]


WITH_CHILD = """version: '2.0'
parent:
  tasks:
    call:
      workflow: child
      input:
        n: 2
child:
  input:
    - n
  tasks:
    inner:
      action: std.echo output=<% $.n %>
"""


def test_a_sub_workflow_run_shows_as_a_child_execution_of_its_task(api, people, runner):
    token = people.alice.token
    workflow = create_workflow(api, token, definition=WITH_CHILD)
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, token)
    final = wait_final(api, token, workflow["id"], started.body["id"])
    assert final["state"] == "succeeded", final
    [task] = final["tasks"]
    [child] = task["executions"]
    assert (child["workflowId"], child["state"], child["myPermissionLevel"]) == (
        workflow["id"], "succeeded", "manage")
    assert child["id"] != final["id"] and child["finishedAt"] >= child["startedAt"]
    shown = api.get(f"{path}/{child['id']}", token).body
    assert (shown["state"], shown["input"]) == ("succeeded", {"n": 2})
    assert [(t["name"], t["mistralState"]) for t in shown["tasks"]] == [("inner", "success")]
    listed = api.get(path, token)
    assert [e["id"] for e in listed.body] == [final["id"]]
    assert listed.headers["x-pagination-total-entries"] == "1"
    assert api.get(f"{path}/{child['id']}", people.carol.token).status == 404


def test_tasks_named_in_any_script_are_reported(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition="""version: '2.0'
wf:
  tasks:
    prepü:
      action: std.noop
      on-success: [集計]
    集計:
      action: std.echo output="ünïcode ✓"
""")
    started = api.post(f"/workflows/{workflow['id']}/executions", people.alice.token)
    final = wait_final(api, people.alice.token, workflow["id"], started.body["id"])
    assert final["state"] == "succeeded"
    assert [(t["name"], t["mistralState"]) for t in final["tasks"]] == [
        ("prepü", "success"), ("集計", "success")]


def test_a_running_execution_shows_its_tasks_so_far(api, people, runner):
    workflow = create_workflow(api, people.alice.token, definition="""version: '2.0'
wf:
  tasks:
    quick:
      action: std.noop
      on-success: [slow]
    slow:
      action: std.sleep seconds=30
""")
    path = f"/workflows/{workflow['id']}/executions"
    started = api.post(path, people.alice.token).body
    deadline = time.monotonic() + 10
    while True:
        shown = api.get(f"{path}/{started['id']}", people.alice.token).body
        states = {t["name"]: t["mistralState"] for t in shown["tasks"]}
        if "slow" in states or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert shown["state"] == "running"
    assert states == {"quick": "success", "slow": "running"}
    slow = next(t for t in shown["tasks"] if t["name"] == "slow")
    assert [(r["state"], r["finishedAt"]) for r in slow["runs"]] == [("running", None)]
    one = api.get(f"{path}/{started['id']}/tasks/slow", people.alice.token)
    assert (one.status, one.body["mistralState"]) == (200, "running")
    api.post(f"{path}/{started['id']}/cancel", people.alice.token)
    final = wait_final(api, people.alice.token, workflow["id"], started["id"])
    assert {t["name"]: t["mistralState"] for t in final["tasks"]} == {
        "quick": "success", "slow": "cancelled"}
