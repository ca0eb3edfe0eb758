"""Run plans on the local AWS: reused results, replayed errors and skipped tasks stand in
for a task's action without running it, and the rest of the workflow follows as usual."""
from __future__ import annotations

import json

import pytest

from chalicelib.compiler import Plan
from infra.local.sfn import history

pytestmark = pytest.mark.moto

CHAIN = """
version: '2.0'
wf:
  tasks:
    first:
      action: t.rec ret=1
      publish: {total: <% task().result + 10 %>}
      on-success: [second]
    second:
      action: t.rec
      input: {ret: <% $.total * 2 %>}
      publish: {doubled: <% task().result %>}
      on-success: [third]
    third:
      action: t.rec
      input:
        ret: <% $.get(doubled, 'none') %>
"""


def test_a_reused_task_gives_its_earlier_result_and_what_it_published_then(sw):
    # published values are reused as they were, not evaluated again (keep-result: false,
    # time-dependent expressions)
    run = sw.run(CHAIN, {"__reuse": {"first": {"result": 5, "published": {"total": 100}}}},
                 plan=Plan(reuse=frozenset({"first"})))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["second", "third"]
    assert run.ran() == ["second", "third"]
    assert run.calls("third")[0]["input"] == {"ret": 200}
    assert run.entered_roles("reused") == ["first"]


def test_a_skipped_task_runs_nothing_publishes_nothing_and_its_transitions_follow(sw):
    run = sw.run(CHAIN, plan=Plan(skip=frozenset({"second"})))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["first", "third"]
    assert run.entered_roles("skipped") == ["second"]
    assert run.calls("third")[0]["input"] == {"ret": "none"}


def test_a_replayed_error_fails_the_task_again_with_its_earlier_error(sw):
    text = """
version: '2.0'
wf:
  tasks:
    broken:
      action: t.rec
      on-success: [after_broken]
    after_broken:
      action: t.rec
    other:
      action: t.rec ret=7
"""
    error = {"Error": "ActionFailed", "Cause": "disk full"}
    run = sw.run(text, {"__reuse": {"broken": {"error": error}}},
                 plan=Plan(replay_errors=frozenset({"broken"})))
    assert run.status == "FAILED", run.describe()
    assert run.called() == ["other"]
    assert "broken" in str(run.cause["result"])
    recorded = [json.loads(e["stateEnteredEventDetails"]["input"])["__error"]
                for e in history(sw.host, run.result.execution_arn)
                if e.get("stateEnteredEventDetails", {}).get("name") in
                run.entered_roles("error")]
    assert recorded == [error]


def test_a_replayed_error_goes_to_the_tasks_error_handler(sw):
    text = """
version: '2.0'
wf:
  tasks:
    broken:
      action: t.rec
      retry: {count: 3, delay: 0}
      on-error: [handler]
    handler:
      action: t.rec
      input: {ret: <% task(broken).state_info %>}
"""
    error = {"Error": "ActionFailed", "Cause": "disk full"}
    run = sw.run(text, {"__reuse": {"broken": {"error": error, "published": {"seen": 1}}}},
                 plan=Plan(replay_errors=frozenset({"broken"})))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["handler"]  # no retries of a replayed error
    assert run.calls("handler")[0]["input"] == {"ret": "disk full"}


def test_a_reused_with_items_task_gives_its_list_and_runs_no_item(sw):
    text = """
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [1, 2, 3] %>
      action: t.rec
      input: {ret: <% $.x %>}
      publish: {items: <% task().result %>}
      on-success: [last]
    last:
      action: t.rec
      input: {ret: <% $.items %>}
"""
    run = sw.run(text, {"__reuse": {"each": {"result": [4, 5, 6],
                                             "published": {"items": [4, 5, 6]}}}},
                 plan=Plan(reuse=frozenset({"each"})))
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["last"]
    assert run.calls("last")[0]["input"] == {"ret": [4, 5, 6]}


def test_a_join_waits_for_a_reused_branch_as_for_a_run_one(sw):
    text = """
version: '2.0'
wf:
  tasks:
    left:
      action: t.rec ret=1
      publish: {l: <% task().result %>}
      on-success: [joined]
    right:
      action: t.rec ret=2
      publish: {r: <% task().result %>}
      on-success: [joined]
    joined:
      join: all
      action: t.rec
      input: {ret: <% $.l + $.r %>}
"""
    run = sw.run(text, {"__reuse": {"left": {"result": 40, "published": {"l": 40}}}},
                 plan=Plan(reuse=frozenset({"left"})))
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted(run.called()) == ["joined", "right"]
    assert run.calls("joined")[0]["input"] == {"ret": 42}
