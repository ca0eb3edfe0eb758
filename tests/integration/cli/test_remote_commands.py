"""The remote commands end to end: the CLI over HTTP, the app, Step Functions on moto."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.integration.cli.conftest import write

pytestmark = pytest.mark.moto

HELLO = Path(__file__).resolve().parents[3] / "examples" / "hello.yaml"
HELLO_TASKS = ("greet", "shout", "count", "report")
FAILING = """version: '2.0'
breaks:
  tasks:
    prepare:
      action: std.noop
      on-success: load
    load:
      action: std.fail
"""
LONG = """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 30
"""


def started(ran) -> tuple[int, int]:
    """The workflow and execution ids of `run --json` (workflow id from its stderr line)."""
    assert ran.code == 0, ran.err
    workflow_id = int(ran.err.split("workflow ")[1].split()[0])
    return workflow_id, ran.json()["id"]


def test_run_watch_shows_every_task_succeeded(cli):
    ran = cli("run", HELLO, "--watch", "--interval", "0.1")
    assert ran.code == 0, ran.err
    assert ran.err.startswith("created workflow ") and "'hello'" in ran.err
    lines = ran.out.splitlines()
    for task in HELLO_TASKS:
        assert any(line.startswith(f"task {task}: success, ") for line in lines), ran.out
    assert "0 retries" in ran.out and "error" not in ran.out
    executions = [line for line in lines if line.startswith("workflow ")]
    assert executions[0].endswith(": running") and executions[-1].endswith(": succeeded")
    assert lines[-1] == executions[-1]


def test_running_the_same_file_again_updates_the_workflow(cli, api_get, tmp_path):
    first = started(cli("run", HELLO, "--json"))
    path = write(tmp_path, "hello.yaml", HELLO.read_text().replace("Greets", "Says hello"))
    again = cli("run", path, "--json")
    second = started(again)
    assert again.err.startswith(f"updated workflow {first[0]} ")
    assert second[0] == first[0] and second[1] != first[1]
    assert [w["id"] for w in api_get("/workflows?limit=50")] == [first[0]]
    assert "Says hello" in api_get(f"/workflows/{first[0]}")["definition"]
    assert "Says hello" in api_get(f"/workflows/{first[0]}/executions/{second[1]}")["definition"]


def test_a_failing_workflow_exits_3_and_shows_the_error(cli, tmp_path):
    ran = cli("run", write(tmp_path, "breaks.yaml", FAILING), "--watch", "--interval", "0.1")
    assert ran.code == 3, ran.err
    assert "task prepare: success" in ran.out
    failed = next(line for line in ran.out.splitlines() if line.startswith("task load:"))
    assert failed.startswith("task load: error, ") and ", error: " in failed
    assert ran.out.splitlines()[-1].split(": ")[1].startswith("failed")


def test_input_reaches_the_execution(cli, tmp_path):
    definition = """version: '2.0'
greets:
  input:
    - who
    - times: 1
  tasks:
    say:
      action: std.echo output=<% $.who %>
"""
    ran = cli("run", write(tmp_path, "greets.yaml", definition), "--json",
              "--input", "who=Ada", "--input-json", '{"times": 3}')
    assert ran.code == 0, ran.err
    assert ran.json()["input"] == {"who": "Ada", "times": 3}


def test_an_invalid_definition_is_reported_from_the_stored_workflow(cli, api_get, tmp_path):
    path = write(tmp_path, "bad.yaml", "version: '2.0'\nwf:\n  tasks:\n    a:\n"
                                       "      action: std.noop\n      on-success: b\n")
    ran = cli("run", path, "--watch")
    assert ran.code == 1 and ran.out == ""
    assert f"{path}:6:" in ran.err and "'b'" in ran.err
    [workflow] = api_get("/workflows")
    assert workflow["valid"] is False
    assert api_get(f"/workflows/{workflow['id']}/executions") == []


def test_executions_logs_and_coloured_graph_of_a_finished_run(cli):
    assert cli("run", HELLO, "--watch", "--interval", "0.1").code == 0
    workflow_id, _ = started(cli("run", HELLO, "--json"))

    listed = cli("executions", workflow_id)
    assert listed.code == 0
    rows = listed.out.splitlines()
    assert rows[0].split() == ["ID", "STATE", "STARTED", "(UTC)", "FINISHED", "(UTC)",
                               "DURATION"]
    assert rows[2].split()[:2] == ["1", "succeeded"]  # newest first: 2 may still run
    assert [e["id"] for e in cli("executions", workflow_id, "--json").json()] == [2, 1]
    assert [e["id"] for e in cli("executions", workflow_id, "--limit", 1, "--json").json()] \
        == [2]

    logs = cli("logs", workflow_id, 1)
    assert logs.code == 0
    lines = logs.out.splitlines()
    assert "execution 1 started" in lines[0] and "execution 1 succeeded after " in lines[-1]
    for task in HELLO_TASKS:
        assert any(f"task '{task}' run 1: succeeded, finished " in line for line in lines)
    assert cli("logs", workflow_id, 1, "--json").json()["state"] == "succeeded"

    graph = cli("graph", "--execution", workflow_id, 1)
    assert graph.code == 0 and graph.out.startswith("flowchart TD\n")
    assert "    class n0,n1,n2,n3 success\n" in graph.out
    dot = cli("graph", "--execution", workflow_id, 1, "--format", "dot")
    assert dot.out.count('fillcolor="#a5d6a7"') == 4


def wait_for_state(cli, workflow_id: int, execution_id: int, state: str) -> list[dict]:
    deadline = time.monotonic() + 15
    while True:
        listed = cli("executions", workflow_id, "--json").json()
        if {e["id"]: e["state"] for e in listed}[execution_id] == state:
            return listed
        assert time.monotonic() < deadline, listed
        time.sleep(0.1)


def test_cancel_a_long_running_execution(cli, tmp_path):
    workflow_id, execution_id = started(cli("run", write(tmp_path, "slow.yaml", LONG),
                                            "--json"))
    cancelled = cli("cancel", workflow_id, execution_id)
    assert cancelled.code == 0
    assert cancelled.out == f"workflow {workflow_id} execution {execution_id}: running\n"
    wait_for_state(cli, workflow_id, execution_id, "cancelled")
    table = cli("executions", workflow_id).out.splitlines()
    assert table[1].split()[:2] == [str(execution_id), "cancelled"]
    watched = cli("resume", workflow_id, execution_id, "--watch")
    assert watched.code == 2 and "HTTP 400: Only a paused execution" in watched.err


def test_retry_keeps_the_execution_and_runs_the_failed_task_again(cli, tmp_path):
    workflow_id, execution_id = started(cli("run", write(tmp_path, "breaks.yaml", FAILING),
                                            "--json"))
    wait_for_state(cli, workflow_id, execution_id, "failed")
    retried = cli("retry", workflow_id, execution_id, "--task", "load", "--watch",
                  "--interval", "0.1")
    assert retried.code == 3, retried.err
    assert retried.out.splitlines()[-1].startswith(
        f"workflow {workflow_id} execution {execution_id}: failed")
    assert "task load: error, " in retried.out and "1 retries" in retried.out
    execution = cli("logs", workflow_id, execution_id, "--json").json()
    runs = {task["name"]: len(task["runs"]) for task in execution["tasks"]}
    assert runs == {"prepare": 1, "load": 2}
    assert [e["id"] for e in cli("executions", workflow_id, "--json").json()] == [execution_id]


def test_an_unknown_workflow_is_a_usage_error_with_the_apis_message(cli):
    ran = cli("executions", 4242)
    assert ran.code == 2 and ran.out == ""
    assert ran.err == "stepwise: HTTP 404: The requested resource could not be found.\n"
    assert cli("logs", 4242, 1).code == 2
    assert cli("graph", "--execution", 4242, 1).code == 2


def test_missing_settings_exit_2_and_name_the_ways_to_give_them(cli, monkeypatch):
    monkeypatch.delenv("STEPWISE_URL")
    monkeypatch.delenv("STEPWISE_API_KEY")
    ran = cli("executions", 1)
    assert ran.code == 2 and ran.out == ""
    assert "no API URL and API key given" in ran.err and "STEPWISE_URL" in ran.err


def test_a_wrong_key_is_refused_without_showing_it(cli, monkeypatch):
    monkeypatch.setenv("STEPWISE_API_KEY", "sw_not-a-real-key")
    ran = cli("executions", 1)
    assert ran.code == 2 and ran.err.startswith("stepwise: HTTP 401: ")
    assert "sw_not-a-real-key" not in ran.err
