"""Branching: clauses, guards, branches without join, joins, a non-series-parallel DAG and
loops, run on the local AWS."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.compiler.conftest import before

pytestmark = pytest.mark.moto


def test_on_success_and_on_complete_run_after_success_not_on_error(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [ok]
      on-error: [bad]
      on-complete: [always]
    ok:
      action: t.rec
    bad:
      action: t.rec
    always:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.ran()) == Counter(["a", "ok", "always"])
    assert run.ran()[0] == "a"


def test_on_error_and_on_complete_run_after_failure_not_on_success(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.fail
      on-success: [ok]
      on-error: [bad]
      on-complete: [always]
    ok:
      action: t.rec
    bad:
      action: t.rec
    always:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.ran()) == Counter(["a", "bad", "always"])


def test_several_true_guards_start_several_targets(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [x]
  tasks:
    a:
      action: t.rec
      on-success:
        - gt0: <% $.x > 0 %>
        - gt1: <% $.x > 1 %>
        - gt5: <% $.x > 5 %>
        - always
    gt0:
      action: t.rec
    gt1:
      action: t.rec
    gt5:
      action: t.rec
    always:
      action: t.rec
""", {"x": 3})
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "gt0", "gt1", "always"])


@pytest.mark.parametrize("x, taken", [(1, "left"), (2, "right")])
def test_exclusive_guards_take_one_branch(sw, x, taken):
    run = sw.run("""
version: '2.0'
wf:
  input: [x]
  tasks:
    a:
      action: t.rec
      on-success:
        - left: <% $.x = 1 %>
        - right: <% $.x != 1 %>
    left:
      action: t.rec
      publish: {branch: left}
    right:
      action: t.rec
      publish: {branch: right}
""", {"x": x})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["a", taken]
    assert run.output == {"branch": taken}


def test_without_join_a_task_reached_from_two_branches_runs_twice(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [b, c]
    b:
      action: t.rec
      on-success: [d]
    c:
      action: t.rec
      on-success: [d]
    d:
      action: t.rec
      on-success: [e]
    e:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter({"a": 1, "b": 1, "c": 1, "d": 2, "e": 2})


def test_join_all_runs_once_after_every_branch_and_sees_all_publications(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.sleep seconds=0.1
      publish: {pa: 1}
      on-success: [j]
    b:
      action: t.rec
      publish: {pb: 2}
      on-success: [j]
    c:
      action: t.rec
      publish: {pc: 3}
      on-success: [j]
    j:
      join: all
      action: t.rec
      input: {total: <% $.pa + $.pb + $.pc %>}
      publish: {total: <% task().result.total %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    order = run.called()
    assert Counter(order) == Counter(["a", "b", "c", "j"])
    assert order[-1] == "j"
    assert run.calls("j")[0]["input"] == {"total": 6}
    assert run.output["total"] == 6


def test_join_n_fires_once_when_n_branches_arrived(sw):
    """`join: 2` runs as soon as two of three branches arrived, not after the third."""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    fast1:
      action: t.rec
      on-success: [j]
    fast2:
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
    assert Counter(run.called())["j"] == 1
    slow = run.calls("slow")[0]
    joined = run.calls("j")[0]
    assert joined["start"] < slow["end"], "join: 2 waited for the third branch"


def test_join_n_not_spoiled_by_a_handled_failure_of_a_third_branch(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [j]
    b:
      action: t.rec
      on-success: [j]
    c:
      action: t.fail
      on-success: [j]
      on-error: [handler]
    handler:
      action: t.rec
    j:
      join: 2
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "c", "handler", "j"])


def test_join_one_fires_once_on_first_arrival(sw):
    run = sw.run("""
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
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "j", "after"])


def test_join_all_with_a_failed_inbound_branch_is_error_even_if_handled(sw):
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
      on-error: [handler]
    handler:
      action: t.rec
    j:
      join: all
      action: t.rec
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "handler"])  # j's action never runs
    assert "j" not in run.ran() and "after" not in run.ran()


def test_failed_task_transitioning_into_join_by_on_error_counts_as_arrived(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [j]
    b:
      action: t.fail
      on-error: [j]
    j:
      join: all
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["a", "b", "j"])


def test_non_series_parallel_dag_runs_no_task_before_its_dependencies(sw):
    # a -> c, b -> c, b -> d, c -> e, d -> e (c and e join)
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.sleep seconds=0.2
      publish: {pa: a}
      on-success: [c]
    b:
      action: t.rec
      publish: {pb: b}
      on-success: [c, d]
    c:
      join: all
      action: t.rec
      input: {seen: "<% $.pa %><% $.pb %>"}
      on-success: [e]
    d:
      action: t.sleep seconds=0.3
      on-success: [e]
    e:
      join: all
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    calls = {c["task"]: c for c in run.calls()}
    assert Counter(c["task"] for c in run.calls()) == Counter("abcde")
    deps = {"c": ["a", "b"], "d": ["b"], "e": ["c", "d"]}
    for task, needs in deps.items():
        for need in needs:
            assert calls[need]["end"] <= calls[task]["start"], f"{task} started before {need}"
            assert before(run.ran(), need, task), run.ran()
    assert calls["c"]["input"] == {"seen": "ab"}


def test_loop_back_to_an_earlier_task_until_a_guard_stops_it(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    init:
      publish: {i: 0}
      on-success: [work]
    work:
      action: t.rec
      input: {i: <% $.i %>}
      on-success: [bump]
    bump:
      publish: {i: <% $.i + 1 %>}
      on-success:
        - work: <% $.i < 3 %>
        - done: <% $.i >= 3 %>
    done:
      action: t.rec
      input: {i: <% $.i %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert [c["input"]["i"] for c in run.calls("work")] == [0, 1, 2]
    assert [c["input"] for c in run.calls("done")] == [{"i": 3}]
    assert run.ran() == ["init"] + ["work", "bump"] * 3 + ["done"], run.ran()
    assert run.output == {"i": 3}


def test_task_looping_on_itself(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    start:
      publish: {n: 0}
      on-success: [count]
    count:
      action: t.rec
      input: {n: <% $.n %>}
      publish: {n: <% $.n + 1 %>}
      on-success:
        - count: <% $.n < 4 %>
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert [c["input"]["n"] for c in run.calls("count")] == [0, 1, 2, 3]
    assert run.output == {"n": 4}


def test_parallel_branches_see_only_their_own_publications(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      publish: {who: a}
      on-success: [a2]
    a2:
      action: t.rec
      input: {who: <% $.who %>}
    b:
      publish: {who: b}
      on-success: [b2]
    b2:
      action: t.rec
      input: {who: <% $.who %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("a2")[0]["input"] == {"who": "a"}
    assert run.calls("b2")[0]["input"] == {"who": "b"}


def test_task_defaults_are_resolved_one_clause_kind_at_a_time(sw):
    run = sw.run("""
version: '2.0'
wf:
  task-defaults:
    on-error: [default_handler]
    on-complete: [cleanup]
    retry:
      count: 3
      delay: 0
  tasks:
    a:
      action: t.fail
      on-error: [own_handler]
      retry:
        count: 1
        delay: 0
    own_handler:
      action: t.rec
    default_handler:
      action: t.rec
    cleanup:
      action: t.rec
""")
    # a: own retry (2 runs), own on-error replaces the default one, default on-complete kept;
    # own_handler gets the default on-complete too; cleanup never transitions to itself.
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter({"a": 2, "own_handler": 1, "cleanup": 2})


def test_independent_regions_each_with_their_own_join(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    left:
      action: t.rec
      on-success: [l1, l2]
    l1:
      action: t.sleep seconds=0.5
      on-success: [lj]
    l2:
      action: t.rec
      on-success: [lj]
    lj:
      join: all
      action: t.rec
    right:
      action: t.rec
      on-success: [r1, r2]
    r1:
      action: t.rec
      on-success: [rj]
    r2:
      action: t.rec
      on-success: [rj]
    rj:
      join: all
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    calls = {c["task"]: c for c in run.calls()}
    assert Counter(c["task"] for c in run.calls()) == Counter(
        ["left", "l1", "l2", "lj", "right", "r1", "r2", "rj"])
    for need, task in [("l1", "lj"), ("l2", "lj"), ("r1", "rj"), ("r2", "rj")]:
        assert calls[need]["end"] <= calls[task]["start"]
    # the right-hand join does not wait for the slow left-hand branch
    assert calls["rj"]["start"] < calls["l1"]["end"]


def test_task_reached_twice_on_the_error_path_runs_twice(sw):
    """`cleanup` is reached from `a` (on-complete) and from `handler`: two runs, no join.
    (`cleanup` is also on a's success path, which is compiled first.)"""
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.fail
      on-error: [handler]
      on-complete: [cleanup]
    handler:
      action: t.rec
      on-complete: [cleanup]
    cleanup:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter({"a": 1, "handler": 1, "cleanup": 2})


def test_loop_whose_task_also_starts_a_side_branch_each_pass(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    init:
      publish: {i: 0}
      on-success: [bump]
    bump:
      publish: {i: <% $.i + 1 %>}
      on-success:
        - again: <% $.i < 3 %>
        - side: <% $.i > 0 %>
    again:
      action: t.rec
      on-success: [bump]
    side:
      action: t.rec
      input: {i: <% $.i %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted(c["input"]["i"] for c in run.calls("side")) == [1, 2, 3]
    assert len(run.calls("again")) == 2


def test_guards_read_the_finished_task_through_task_without_a_name(sw):
    # task() in a transition guard is the task whose clause it is, on success and on error
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: std.echo output=<% 'ok' %>
      on-success:
        - good: <% task().result = 'ok' %>
        - bad: <% task().result != 'ok' %>
      on-complete:
        - also: <% task(a).result = 'ok' %>
    good:
      action: t.rec
      input: {ret: go}
      on-success:
        - fails: <% task().result = 'go' %>
    fails:
      action: t.fail
      on-error:
        - handled: <% task().result != null %>
    handled:
      action: t.rec
    bad:
      action: t.rec
    also:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.ran()) == Counter(["a", "good", "also", "fails", "handled"])
