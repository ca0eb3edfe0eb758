"""Executions through the real civis client, run by Step Functions on the local AWS.

Status changes reach the app as on AWS (Step Functions event → EventBridge rule → the app's
`on_execution_event`, see `infra.local.stack`). Each test leaves its executions final, and the
`runner` fixture stops any left running, so no status event outlives its test.
"""
from __future__ import annotations

import time
from urllib.parse import quote

import pytest
from civis.base import CivisAPIError

from tests.compat.conftest import workflow_yaml

pytestmark = pytest.mark.moto

TASK = "load / daily"  # a space and a slash: the caller must encode it
WITH_INPUT = f"""version: '2.0'
greet:
  input:
    - myParam
    - ALL_CAPS: y
  tasks:
    {TASK}:
      action: std.echo output="<% $.ALL_CAPS %>"
      on-success: last
    last:
      action: std.noop
"""
LONG = """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 30
"""
FINAL = ("succeeded", "failed", "cancelled")


@pytest.fixture
def client(civis_for, admin, runner):
    return civis_for(admin.token)


@pytest.fixture
def raw(civis_for, admin, runner):
    """The same calls answered as `requests.Response`s, for their status codes."""
    return civis_for(admin.token, return_type="raw")


def _workflow(client, definition: str | None = None, **kwargs) -> int:
    return client.workflows.post("wf", definition=definition or workflow_yaml(), **kwargs).id


def wait_final(client, workflow_id: int, execution_id: int, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while True:
        got = client.workflows.get_executions(workflow_id, execution_id)
        if got.state in FINAL or time.monotonic() > deadline:
            return got
        time.sleep(0.05)


def test_a_run_started_with_no_body_succeeds(client, raw, admin):
    workflow_id = _workflow(client)
    answer = raw.workflows.post_executions(workflow_id)  # sends the body {}
    assert answer.status_code == 201 and answer.request.body == b"{}"
    started = answer.json()
    assert (started["state"], started["mistralState"]) == ("running", "running")
    assert started["input"] == {} and started["includedTasks"] == []
    assert started["definition"] == workflow_yaml() and started["user"]["id"] == admin.id
    final = wait_final(client, workflow_id, started["id"])
    assert (final.id, final.state, final.mistral_state) == (started["id"], "succeeded",
                                                            "success")
    assert final.finished_at >= final.started_at
    [task] = final.tasks
    assert (task.name, task.mistral_state) == ("greet", "success")
    assert [run.state for run in task.runs] == ["succeeded"]
    assert task.executions == []
    shown = client.workflows.get(workflow_id)
    assert (shown.state, shown.last_execution_id) == ("succeeded", started["id"])


def test_input_keeps_the_callers_casing_on_the_wire(client):
    workflow_id = _workflow(client, WITH_INPUT)
    given = {"myParam": 1, "ALL_CAPS": "x"}
    started = client.workflows.post_executions(workflow_id, input=given)
    assert started.json_data["input"] == given
    assert started.input == {"my_param": 1, "all_caps": "x"}  # civis snake-cases user data
    final = wait_final(client, workflow_id, started.id)
    assert final.state == "succeeded" and final.json_data["input"] == given
    assert {t.name: t.mistral_state for t in final.tasks} == {TASK: "success",
                                                               "last": "success"}
    # the task name URL-encoded by the caller, decoded by the server
    task = client.workflows.get_executions_tasks(workflow_id, started.id, quote(TASK, safe=""))
    assert (task.name, task.mistral_state) == (TASK, "success")
    assert [run.state for run in task.runs] == ["succeeded"]
    with pytest.raises(CivisAPIError) as raised:  # unencoded, the slash splits the path:
        client.workflows.get_executions_tasks(workflow_id, started.id, TASK)
    assert raised.value.status_code == 403  # no such route, answered as API Gateway does
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.get_executions_tasks(workflow_id, started.id, "missing%20task")
    assert raised.value.status_code == 404 and "'missing task'" in raised.value.error_message


def test_bad_input_is_a_400(client):
    workflow_id = _workflow(client, WITH_INPUT)
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post_executions(workflow_id, input={"ALL_CAPS": "x"})
    assert raised.value.status_code == 400 and "'myParam'" in raised.value.error_message
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post_executions(workflow_id, input={"my_param": 1})
    assert raised.value.status_code == 400
    assert client.workflows.list_executions(workflow_id) == []


def test_listing_plain_with_headers_and_by_iterator(client):
    workflow_id = _workflow(client)
    ids = [client.workflows.post_executions(workflow_id).id for _ in range(3)]
    for execution_id in ids:
        assert wait_final(client, workflow_id, execution_id).state == "succeeded"
    listed = client.workflows.list_executions(workflow_id)
    assert [e.id for e in listed] == sorted(ids, reverse=True)
    assert {e.state for e in listed} == {"succeeded"}
    assert {e.mistral_state for e in listed} == {"success"}
    headers = listed.headers
    assert (headers["X-Pagination-Total-Entries"], headers["X-Pagination-Total-Pages"],
            headers["X-Pagination-Per-Page"], headers["X-Pagination-Current-Page"]) == (
        "3", "1", "20", "1")
    second = client.workflows.list_executions(workflow_id, limit=2, page_num=2,
                                              order_dir="asc")
    assert [e.id for e in second] == [max(ids)]
    assert second.headers["X-Pagination-Total-Pages"] == "2"
    paged = client.workflows.list_executions(workflow_id, iterator=True, limit=2,
                                             order_dir="asc")
    assert [e.id for e in paged] == sorted(ids)


def test_cancel_answers_202_then_the_execution_is_cancelled(client, raw):
    workflow_id = _workflow(client, LONG)
    started = client.workflows.post_executions(workflow_id)
    answer = raw.workflows.post_executions_cancel(workflow_id, started.id)
    assert answer.status_code == 202 and answer.json()["id"] == started.id
    final = wait_final(client, workflow_id, started.id)
    assert (final.state, final.mistral_state) == ("cancelled", "cancelled")
    assert client.workflows.get(workflow_id).state == "cancelled"


def test_a_second_run_is_refused_while_one_runs_when_concurrency_is_off(client):
    workflow_id = _workflow(client, LONG, allow_concurrent_executions=False)
    first = client.workflows.post_executions(workflow_id)
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post_executions(workflow_id)
    assert raised.value.status_code == 409
    assert raised.value._response.json()["error"] == "already_running"
    client.workflows.post_executions_cancel(workflow_id, first.id)
    assert wait_final(client, workflow_id, first.id).state == "cancelled"
    second = client.workflows.post_executions(workflow_id)
    assert second.id != first.id and second.state == "running"
    client.workflows.post_executions_cancel(workflow_id, second.id)
    assert wait_final(client, workflow_id, second.id).state == "cancelled"


def test_an_invalid_definition_is_not_run(client):
    workflow_id = _workflow(client, "version: '2.0'\nwf: 3\n")
    with pytest.raises(CivisAPIError) as raised:
        client.workflows.post_executions(workflow_id)
    assert raised.value.status_code == 400 and "invalid" in raised.value.error_message
    assert client.workflows.list_executions(workflow_id) == []


def test_included_tasks_run_only_those_tasks(client):
    workflow_id = _workflow(client, """version: '2.0'
chain:
  tasks:
    a:
      action: std.noop
      on-success: [b]
    b:
      action: std.noop
      on-success: [c]
    c:
      action: std.noop
""")
    started = client.workflows.post_executions(workflow_id, included_tasks=["a", "c"])
    assert started.included_tasks == ["a", "c"]
    final = wait_final(client, workflow_id, started.id)
    assert final.state == "succeeded"
    assert [task.name for task in final.tasks] == ["a", "c"]


FLAKY = """version: '2.0'
flaky:
  tasks:
    first:
      action: std.echo output=1
      on-success: [load]
    load:
      action: aws.lambda
      input:
        function_name: sw-flaky
        payload: {key: load}
"""


def test_retry_after_fixing_the_cause_and_rerun_from_a_task(civis_for, admin, runner):
    from infra.local.sfn import deploy_lambda
    from tests.integration.api import handlers

    deploy_lambda(runner, "sw-flaky", "tests.integration.api.handlers.flaky")
    handlers.CALLS.clear()
    handlers.BROKEN.add("load")
    client = civis_for(admin.token)  # built from the served GET /endpoints
    try:
        workflow_id = _workflow(client, FLAKY)
        started = client.workflows.post_executions(workflow_id)
        failed = wait_final(client, workflow_id, started.id)
        assert failed.state == "failed"
        handlers.BROKEN.clear()
        retried = client.workflows.post_executions_retry(workflow_id, started.id,
                                                         task_name="load")
        assert (retried.id, retried.state) == (started.id, "running")
        final = wait_final(client, workflow_id, started.id)
        assert final.state == "succeeded"
        load = next(task for task in final.tasks if task.name == "load")
        assert [run.state for run in load.runs] == ["succeeded", "failed"]
        rerun = client.workflows.post_executions_rerun(workflow_id, started.id, "first")
        assert rerun.id == started.id
        again = wait_final(client, workflow_id, started.id)
        assert again.state == "succeeded"
        assert [len(task.runs) for task in again.tasks] == [2, 3]
        assert handlers.CALLS == {"load": 3}
    finally:
        handlers.BROKEN.clear()


PAUSING = """version: '2.0'
pausing:
  tasks:
    first:
      action: std.noop
      on-success: [pause, second]
    second:
      action: std.noop
"""


def test_resume_a_paused_execution(civis_for, admin, runner):
    import time

    client = civis_for(admin.token)
    workflow = client.workflows.post("pausing", definition=PAUSING)
    started = client.workflows.post_executions(workflow.id)
    deadline = time.monotonic() + 15
    shown = started
    while shown.state != "paused" and time.monotonic() < deadline:
        time.sleep(0.1)
        shown = client.workflows.get_executions(workflow.id, started.id)
    assert (shown.state, shown.mistral_state) == ("paused", "paused")
    resumed = client.workflows.post_executions_resume(workflow.id, started.id)
    assert resumed.id == started.id and resumed.state == "running"
    while shown.state in ("paused", "running") and time.monotonic() < deadline:
        time.sleep(0.1)
        shown = client.workflows.get_executions(workflow.id, started.id)
    assert shown.state == "succeeded"
    assert [task.name for task in shown.tasks] == ["first", "second"]
