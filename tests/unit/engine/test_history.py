"""Task states derived from execution histories (events shaped as Step Functions gives them)."""
import json
from datetime import UTC, datetime, timedelta

from chalicelib.engine.history import merge, outcomes, tasks

T0 = datetime(2026, 1, 1, tzinfo=UTC)
STATES = {"a": ["a", "task"], "b": ["b", "task"], "b.error": ["b", "error"],
          "a.join": ["a", "join"]}


def events(*steps):
    """steps: (type, state name or None, extra details) → history events, 1 s apart."""
    built = []
    for number, (kind, name, extra) in enumerate(steps, start=1):
        event = {"id": number, "previousEventId": number - 1, "type": kind,
                 "timestamp": T0 + timedelta(seconds=number)}
        if kind.endswith("StateEntered"):
            event["stateEnteredEventDetails"] = {"name": name, **extra}
        elif kind.endswith("StateExited"):
            event["stateExitedEventDetails"] = {"name": name, **extra}
        elif extra:
            event[f"{kind[0].lower()}{kind[1:]}EventDetails"] = extra
        built.append(event)
    return built


def test_runs_of_succeeded_and_recorded_failures():
    history = events(
        ("PassStateEntered", "a", {}), ("PassStateExited", "a", {}),
        ("PassStateEntered", "b", {}), ("PassStateExited", "b", {}),
        ("PassStateEntered", "b.error",
         {"input": json.dumps({"__error": {"Error": "Boom", "Cause": "it broke"}})}),
        ("PassStateExited", "b.error", {}))
    found = {t["name"]: t for t in tasks(history, STATES, final_status="FAILED")}
    assert found["a"]["mistral_state"] == "success"
    assert found["a"]["runs"][0]["state"] == "succeeded"
    assert found["a"]["runs"][0]["finished_at"] == "2026-01-01T00:00:02.000Z"
    assert (found["b"]["mistral_state"], found["b"]["mistral_state_info"]) == (
        "error", "Boom: it broke")


def test_task_failures_are_attributed_through_previous_events():
    history = events(("TaskStateEntered", "a", {}), ("TaskScheduled", None, {}),
                     ("TaskFailed", None, {"error": "Lambda.Unknown", "cause": "x"}))
    [task] = tasks(history, STATES, final_status="FAILED")
    assert task["mistral_state"] == "error" and task["runs"][0]["state"] == "failed"
    assert task["mistral_state_info"] == "Lambda.Unknown: x"


def test_a_lambda_failure_shows_its_error_message():
    cause = json.dumps({"errorMessage": "disk full", "errorType": "OSError",
                        "stackTrace": ["..."]})
    history = events(("TaskStateEntered", "a", {}), ("TaskScheduled", None, {}),
                     ("TaskFailed", None, {"error": "OSError", "cause": cause}))
    [task] = tasks(history, STATES, final_status="FAILED")
    assert task["mistral_state_info"] == "OSError: disk full"


def test_retries_add_runs_newest_first_and_unfinished_runs_follow_the_execution():
    history = events(("TaskStateEntered", "a", {}), ("TaskStateExited", "a", {}),
                     ("TaskStateEntered", "a", {}), ("TaskStateEntered", "b", {}))
    found = {t["name"]: t for t in tasks(history, STATES, final_status="ABORTED")}
    assert [r["id"] for r in found["a"]["runs"]] == [2, 1]
    assert found["a"]["runs"][0]["state"] == "cancelled"
    assert found["b"]["mistral_state"] == "cancelled"
    running = {t["name"]: t for t in tasks(history, STATES, final_status="RUNNING")}
    assert running["b"]["mistral_state"] == "running"


def test_states_that_are_not_tasks_make_no_runs():
    history = events(("PassStateEntered", "a.join", {}), ("PassStateEntered", "other", {}))
    assert tasks(history, STATES, final_status="SUCCEEDED") == []


def test_outcomes_read_the_latest_record_of_each_task_from_the_docs():
    def doc(**entries):
        return json.dumps({"ctx": {}, "tasks": entries})
    ok = {"result": 1, "state": "SUCCESS", "published": {"x": 1}}
    failed = {"result": {"Error": "E", "Cause": "c"}, "state": "ERROR", "state_info": "c"}
    history = events(
        ("PassStateEntered", "a", {"input": doc()}),
        ("PassStateExited", "a", {"output": doc(a={**ok, "result": 0})}),
        ("PassStateExited", "a", {"output": doc(a=ok)}),
        ("PassStateEntered", "b.error", {"input": doc(a=ok, b=failed)}),
        ("FailStateEntered", "End", {"input": "not json"}))
    assert outcomes(history, {"a", "b", "c"}) == {
        "a": {"result": 1, "published": {"x": 1}},
        "b": {"error": {"Error": "E", "Cause": "c"}, "published": {}}}


def test_merge_puts_new_runs_first_and_keeps_tasks_that_did_not_run_again():
    run = {"id": 1, "attempt": 0, "state": "failed"}
    earlier = [{"name": "a", "mistral_state": "success", "runs": [{**run, "state": "succeeded"}],
                "executions": []},
               {"name": "b", "mistral_state": "error", "runs": [run], "executions": []}]
    latest = [{"name": "b", "mistral_state": "success",
               "runs": [{"id": 1, "attempt": 1, "state": "succeeded"}], "executions": []},
              {"name": "c", "mistral_state": "success",
               "runs": [{"id": 1, "attempt": 1, "state": "succeeded"}], "executions": []}]
    merged = {t["name"]: t for t in merge(earlier, latest)}
    assert list(merged) == ["a", "b", "c"]
    assert merged["a"] == earlier[0]
    assert merged["b"]["mistral_state"] == "success"
    assert [(r["id"], r["attempt"], r["state"]) for r in merged["b"]["runs"]] == [
        (2, 1, "succeeded"), (1, 0, "failed")]
