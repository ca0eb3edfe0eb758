"""`join: N` / `join: one` fire on the N-th arrival, run once, and see what arrived."""
from __future__ import annotations

import uuid
from collections import Counter

import pytest

from infra.local.sfn import run_state_machine
from tests.integration.compiler import handlers

pytestmark = pytest.mark.moto


def test_join_one_runs_its_thread_while_another_inbound_branch_still_runs(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    fast:
      action: t.rec
      on-success: [j]
    slow:
      action: t.sleep seconds=1.5
      on-success: [j]
    j:
      join: one
      action: t.rec
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["fast", "slow", "j", "after"])
    slow_end = run.calls("slow")[0]["end"]
    assert run.calls("after")[0]["start"] < slow_end


def test_join_sees_the_contexts_and_results_of_the_arrived_branches(sw):
    run = sw.run("""
version: '2.0'
wf:
  output:
    total: <% $.total %>
  tasks:
    a:
      action: t.rec ret=1
      publish:
        x: <% task().result %>
      on-success: [j]
    b:
      action: t.rec ret=2
      publish:
        y: <% task().result %>
      on-success: [j]
    c:
      action: t.sleep seconds=1.5
      on-success: [j]
    j:
      join: 2
      action: t.rec
      input:
        x: <% $.x %>
        y: <% $.y %>
        b: <% task(b).result %>
      publish:
        total: <% $.x + $.y %>
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("j")[0]["input"] == {"x": 1, "y": 2, "b": 2}
    assert run.output == {"total": 3}


def test_a_task_arriving_twice_counts_once(sw):
    """`a` runs twice (two transitions start it); join: 2 still waits for `b`."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    s1:
      action: t.rec
      on-success: [a]
    s2:
      action: t.rec
      on-success: [a]
    b:
      action: t.sleep seconds=1
      on-success: [j]
    a:
      action: t.rec
      on-success: [j]
    j:
      join: 2
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["s1", "s2", "a", "a", "b", "j"])
    assert run.calls("j")[0]["start"] >= run.calls("b")[0]["end"]


def test_join_that_never_gets_n_arrivals_does_not_run(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [j]
    b:
      action: t.fail
      on-success: [j]
    c:
      action: t.fail
      on-success: [j]
    j:
      join: 2
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert "j" not in run.called()


def test_join_n_inside_a_branch_fires_once_per_run_of_its_region(sw):
    """The region owning the join is itself one of two parallel branches."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    start:
      action: t.rec
      on-success: [left, other]
    other:
      action: t.sleep seconds=1
    left:
      action: t.rec
      on-success: [p, q]
    p:
      action: t.rec
      on-success: [j]
    q:
      action: t.rec
      on-success: [j]
    j:
      join: one
      action: t.rec
      on-success: [done]
    done:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(
        ["start", "left", "other", "p", "q", "j", "done"])


def test_a_failed_task_whose_on_error_leads_into_the_join_counts_as_arrived(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-error: [j]
    ok:
      action: t.rec
      on-success: [j]
    slow:
      action: t.sleep seconds=1.5
      on-success: [j]
    j:
      join: 2
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("j")[0]["start"] < run.calls("slow")[0]["end"]


JOIN_ONE = """
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [j]
    b:
      action: t.rec
      on-success: [j]
    j:
      join: one
      action: t.rec
"""


def _run_waiter_alone(sw, item: dict):
    """The waiter branch of `JOIN_ONE`, run on its own against a prepared join item: the
    orders a whole run cannot force (the waiter storing its token after the N-th arrival,
    or after its region ended). Gives the execution result and the item's key."""
    compiled = sw.compile(JOIN_ONE)["wf"]
    region = compiled.definition["States"][compiled.definition["StartAt"]]
    waiter = region["Branches"][1]
    assert waiter["StartAt"] == "j.wait"
    key = f"test/{uuid.uuid4()}"
    sw.host.client("dynamodb").put_item(TableName="stepwise-joins",
                                        Item={"pk": {"S": key}, **item})
    doc = {"ctx": {"seed": 1}, "tasks": {}, "failed": [], "arrivals": [],
           "joins": {"j": {"key": key, "exp": "4102444800"}}}
    result = run_state_machine(sw.host, {"QueryLanguage": "JSONata", **waiter}, doc,
                               name=f"waiter-{uuid.uuid4().hex[:8]}")
    return result, key


def _action_calls() -> list[str]:
    return [c["task"] for c in handlers.CALLS if c["kind"] == "action"]


def test_a_waiter_that_comes_after_the_nth_arrival_runs_the_join(sw):
    arrived = {"froms": {"SS": ["a"]},
               "docs": {"L": [{"S": '{"ctx": {"from_a": 2}, "tasks": {}}'}]}}
    result, key = _run_waiter_alone(sw, arrived)
    assert result.status == "SUCCEEDED", result.describe()
    assert _action_calls() == ["j"]
    assert result.output["ctx"] == {"seed": 1, "from_a": 2}
    assert key in result.output["fired"]


def test_a_waiter_that_comes_after_its_region_ended_ends_without_the_join(sw):
    result, _ = _run_waiter_alone(sw, {"released": {"BOOL": True}})
    assert result.status == "SUCCEEDED", result.describe()
    assert _action_calls() == []
    assert result.output == {}


# Arrivals that come from the thread of another join of the same region: that join is
# checked after the region's own branches, so the early join must still count then.

def test_join_one_reached_only_through_a_join_all_checked_after_the_region(sw):
    """`j` gets its only arrival from `b`, a `join: all` checked once `a`'s branches end."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success:
        - j: <% 1 > 2 %>
      on-complete: [b]
    b:
      join: all
      action: t.rec
      on-success: [j]
    j:
      join: one
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "j"])


def test_join_one_after_a_failed_task_whose_on_complete_starts_a_join_all(sw):
    """`a` fails; its on-complete reaches `j` only through the `join: all` task `b`: `j`
    runs once and the execution fails for `a`'s unhandled error."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.fail
      on-success: [j]
      on-complete: [b]
    b:
      join: all
      action: t.rec
      on-success: [j]
      on-complete: [j]
    j:
      join: one
      action: t.rec
      on-complete: [after]
    after:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.WorkflowFailed", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "j", "after"])


def test_join_one_reached_from_the_thread_of_another_join_one_of_its_region(sw):
    """`e2`'s arrival comes from `e1`'s thread, which ends long after `a`'s own branches."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [p, q, x]
    p:
      action: t.rec
      on-success: [e1]
    q:
      action: t.rec
      on-success: [e1]
    x:
      action: t.rec
      on-success:
        - e2: <% 1 > 2 %>
    e1:
      join: one
      action: t.sleep seconds=1
      on-success: [e2]
    e2:
      join: one
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "p", "q", "x", "e1", "e2"])


def test_join_one_runs_once_when_another_branch_failed_unhandled(sw):
    """After the region, a recorded failure only ends the execution: the join that fired in
    its waiter branch does not run a second time."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
    a:
      action: t.rec
      on-success: [j]
    b:
      action: t.rec
      on-success: [j]
    j:
      join: one
      action: t.rec
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.WorkflowFailed", run.describe()
    assert Counter(run.called()) == Counter(["broken", "a", "b", "j", "after"])
