"""Task states derived from execution histories (events shaped as Step Functions gives them)."""
import json
from datetime import UTC, datetime, timedelta

from chalicelib.engine.history import tasks

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
    assert task["mistral_state_info"] == "Lambda.Unknown"


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
