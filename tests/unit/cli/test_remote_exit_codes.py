"""Exit codes and messages of the remote commands, against a canned API."""
from __future__ import annotations

import json

import pytest

from stepwise.cli import main

DEFINITION = "version: '2.0'\nnightly:\n  tasks:\n    go:\n      action: std.noop\n"
WORKFLOW = {"id": 3, "name": "nightly", "valid": True, "validationErrors": None,
            "user": {"id": 7}, "archived": False}
NO_WORKFLOWS = "/workflows?author=7&archived=false&limit=50&page_num=1"


def execution(state: str, **fields) -> dict:
    return {"id": 5, "state": state, "mistralStateInfo": None, "startedAt": None,
            "finishedAt": None, "tasks": [], **fields}


@pytest.fixture
def nightly(tmp_path, stub_api) -> str:
    """A definition file, and an API where its caller (user 7) has no workflow yet."""
    stub_api.answer("GET", "/users/me", {"id": 7})
    stub_api.answer("GET", NO_WORKFLOWS, [])
    stub_api.answer("POST", "/workflows", WORKFLOW, status=201)
    stub_api.answer("POST", "/workflows/3/executions", execution("running"), status=201)
    path = tmp_path / "nightly.yaml"
    path.write_text(DEFINITION)
    return str(path)


@pytest.mark.parametrize(("final", "code"), [("succeeded", 0), ("failed", 3),
                                             ("cancelled", 4)])
def test_run_watch_exit_code_follows_the_final_state(nightly, stub_api, capsys, final, code):
    stub_api.answer_in_turn("GET", "/workflows/3/executions/5",
                            [execution("running"), execution("paused"), execution(final)])
    assert main(["run", nightly, "--watch", "--interval", "0.01"]) == code
    assert capsys.readouterr().out.splitlines() == [
        "workflow 3 execution 5: running", "workflow 3 execution 5: paused",
        f"workflow 3 execution 5: {final}"]


def test_run_creates_the_workflow_named_after_the_file_and_starts_it(nightly, stub_api,
                                                                      capsys):
    assert main(["run", nightly, "--input", "n=3", "--input", "who=Ada"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "workflow 3 execution 5: running\n"
    assert captured.err == "created workflow 3 'nightly'\n"
    posted = [s for s in stub_api.requests if s.method == "POST"]
    assert [(s.path, s.body) for s in posted] == [
        ("/workflows", {"name": "nightly", "definition": DEFINITION}),
        ("/workflows/3/executions", {"input": {"n": 3, "who": "Ada"}})]


def test_run_updates_the_callers_workflow_of_that_name(nightly, stub_api, capsys):
    stub_api.answer("GET", NO_WORKFLOWS, [WORKFLOW])
    stub_api.answer("PATCH", "/workflows/3", WORKFLOW)
    assert main(["run", nightly, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == 5
    assert [(s.method, s.path) for s in stub_api.requests if s.method != "GET"] == [
        ("PATCH", "/workflows/3"), ("POST", "/workflows/3/executions")]
    assert stub_api.requests[2].body == {"definition": DEFINITION}


def test_an_invalid_stored_workflow_exits_1_without_starting(nightly, stub_api, capsys):
    stub_api.answer("POST", "/workflows", {
        **WORKFLOW, "valid": False,
        "validationErrors": "definition:4:5: first problem\ndefinition:6:7: second"},
        status=201)
    assert main(["run", nightly, "--watch"]) == 1
    assert capsys.readouterr().err.splitlines()[1:] == [f"{nightly}:4:5: first problem",
                                                        f"{nightly}:6:7: second"]
    assert not any(s.path.endswith("/executions") for s in stub_api.requests)


@pytest.mark.parametrize("status", [400, 404, 409, 500])
def test_api_errors_exit_2_with_the_apis_description(stub_api, capsys, status):
    stub_api.answer("POST", "/workflows/3/executions/5/cancel",
                    {"error": "e", "code": status, "errorDescription": "Told you why."},
                    status=status)
    assert main(["cancel", "3", "5"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == f"stepwise: HTTP {status}: Told you why.\n"


def test_watch_interrupted_exits_130_and_says_how_to_cancel(nightly, monkeypatch, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("stepwise.watch.follow", interrupted)
    assert main(["run", nightly, "--watch"]) == 130
    assert "stepwise cancel 3 5" in capsys.readouterr().err


def test_retry_and_rerun_watch_like_run(stub_api, capsys):
    stub_api.answer("POST", "/workflows/3/executions/5/retry", execution("running"), status=202)
    stub_api.answer("POST", "/workflows/3/executions/5/rerun", execution("running"), status=202)
    stub_api.answer("GET", "/workflows/3/executions/5", execution("failed"))
    assert main(["retry", "3", "5", "--watch", "--task", "go"]) == 3
    assert main(["rerun", "3", "5", "--from-task", "go", "--watch"]) == 3
    assert main(["rerun", "3", "5", "--from-task", "go"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "workflow 3 execution 5: running"


def test_watch_with_json_keeps_stdout_for_the_final_execution(stub_api, capsys):
    stub_api.answer("POST", "/workflows/3/executions/5/resume", execution("running"),
                    status=202)
    stub_api.answer("GET", "/workflows/3/executions/5", execution("succeeded"))
    assert main(["resume", "3", "5", "--watch", "--json"]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["state"] == "succeeded"
    assert captured.err == "workflow 3 execution 5: succeeded\n"


def test_connection_flags_work_before_and_after_the_command(stub_api, capsys, monkeypatch):
    monkeypatch.delenv("STEPWISE_URL")
    stub_api.answer("GET", "/workflows/3/executions?limit=50&page_num=1", [])
    assert main(["--url", stub_api.url, "executions", "3"]) == 0
    assert main(["executions", "3", "--url", stub_api.url]) == 0
    assert main(["executions", "3"]) == 2
    assert "no API URL given" in capsys.readouterr().err


def test_a_key_given_as_a_flag_is_never_printed(stub_api, capsys):
    stub_api.answer("GET", "/workflows/3/executions/5", {"error": "unauthorized", "code": 401,
                                                        "errorDescription": "Bad key."},
                    status=401)
    assert main(["logs", "3", "5", "--api-key", "sw_flag-secret"]) == 2
    assert stub_api.requests[0].headers["Authorization"] == "Bearer sw_flag-secret"
    captured = capsys.readouterr()
    assert "sw_flag-secret" not in captured.out + captured.err


def test_stdin_definitions_need_a_name(capsys):
    assert main(["run", "-"]) == 2
    assert "needs --name" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["run", "x.yaml", "--interval", "0"],
                                  ["executions", "3", "--limit", "0"],
                                  ["cancel", "three", "5"],
                                  ["rerun", "3", "5"]])
def test_bad_arguments_are_usage_errors(argv):
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2


def _run(time: str, state: str, execution_id=None, reason=None) -> dict:
    return {"workflowId": 3, "scheduledTime": time, "source": "backfill", "state": state,
            "executionId": execution_id, "reason": reason, "createdAt": time,
            "updatedAt": time}


def test_backfill_posts_the_window_and_prints_each_run(stub_api, capsys):
    stub_api.answer("POST", "/workflows/3/backfill", {"dryRun": True, "truncated": True, "runs": [
        _run("2027-01-04T14:30:00.000Z", "planned"),
        _run("2027-01-06T14:30:00.000Z", "planned")]})
    assert main(["backfill", "3", "--start", "2027-01-01T00:00:00Z", "--end",
                 "2027-02-01T00:00:00Z", "--dry-run", "--max-runs", "2"]) == 0
    [seen] = stub_api.requests
    assert seen.body == {"start": "2027-01-01T00:00:00Z", "end": "2027-02-01T00:00:00Z",
                         "dry_run": True, "max_runs": 2}
    out, err = capsys.readouterr()
    assert out.splitlines() == ["2027-01-04T14:30:00.000Z planned",
                                "2027-01-06T14:30:00.000Z planned"]
    assert err.strip() == "2 would run; the window holds more (raise --max-runs)"


def test_backfill_shows_started_skipped_and_api_errors(stub_api, capsys):
    stub_api.answer("POST", "/workflows/3/backfill", {"dryRun": False, "truncated": False,
                                                      "runs": [
        _run("2027-01-04T14:30:00.000Z", "started", 12),
        _run("2027-01-06T14:30:00.000Z", "failed", reason="The workflow's definition "
                                                          "is invalid")]})
    assert main(["backfill", "3", "--start", "2027-01-01T00:00:00Z", "--end",
                 "2027-02-01T00:00:00Z"]) == 0
    assert stub_api.requests[0].body == {"start": "2027-01-01T00:00:00Z",
                                         "end": "2027-02-01T00:00:00Z", "dry_run": False}
    out, _ = capsys.readouterr()
    assert out.splitlines() == [
        "2027-01-04T14:30:00.000Z started execution 12",
        "2027-01-06T14:30:00.000Z failed (The workflow's definition is invalid)"]
    stub_api.answer("POST", "/workflows/3/backfill", {
        "error": "bad_request", "code": 400, "errorDescription": "'end' must come after "
                                                                 "'start'."}, status=400)
    assert main(["backfill", "3", "--start", "2027-02-01T00:00:00Z", "--end",
                 "2027-01-01T00:00:00Z"]) == 2
    assert "HTTP 400: 'end' must come after 'start'." in capsys.readouterr().err
