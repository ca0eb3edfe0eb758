"""Graph facts: reverse workflows as direct ones, join inbound sets, owners, stages."""
from __future__ import annotations

import pytest

from chalicelib.compiler import compile_text, graph
from chalicelib.compiler.errors import UnsupportedShape
from chalicelib.compiler.graph import ROOT, analyse, reverse_to_direct
from chalicelib.language import load
from chalicelib.language.model import Task, Transition, Workflow

REVERSE = """
version: '2.0'
wf:
  type: reverse
  tasks:
    a:
      action: std.noop
    b:
      action: std.noop
      requires: [a]
    c:
      action: std.noop
    d:
      action: std.noop
      requires: [b, c]
    e:
      action: std.noop
      requires: [a]
"""


def shape(workflow: Workflow) -> dict:
    return {name: ([t.target for t in task.on_success], task.join)
            for name, task in workflow.tasks.items()}


def main(text: str) -> Workflow:
    return load(text).main


# -- reverse_to_direct -------------------------------------------------------------------
def test_reverse_keeps_only_the_targets_transitive_requires():
    direct = reverse_to_direct(main(REVERSE), ["d"])
    assert direct.type == "direct"
    assert shape(direct) == {"a": (["b"], None), "b": (["d"], None), "c": (["d"], None),
                             "d": ([], "all")}
    assert direct.start_tasks() == ["a", "c"]


def test_reverse_with_a_single_chain_target():
    direct = reverse_to_direct(main(REVERSE), ["b"])
    assert shape(direct) == {"a": (["b"], None), "b": ([], None)}
    assert direct.start_tasks() == ["a"]


def test_reverse_without_targets_runs_every_sink():
    direct = reverse_to_direct(main(REVERSE))
    assert shape(direct) == {"a": (["b", "e"], None), "b": (["d"], None),
                             "c": (["d"], None), "d": ([], "all"), "e": ([], None)}
    assert reverse_to_direct(main(REVERSE), []).tasks.keys() == direct.tasks.keys()


def test_reverse_keeps_document_order_whatever_the_target_order():
    direct = reverse_to_direct(main(REVERSE), ["e", "d"])
    assert list(direct.tasks) == ["a", "b", "c", "d", "e"]


def test_reverse_clears_requires_and_error_transitions_and_keeps_the_rest():
    workflow = main(REVERSE)
    direct = reverse_to_direct(workflow, ["d"])
    for name, task in direct.tasks.items():
        assert task.requires == ()
        assert task.on_error == ()
        assert task.on_complete == ()
        assert task.action == "std.noop"
        assert task.position == workflow.tasks[name].position
        assert all(t.position == task.position and t.guard is None and not t.is_command
                   for t in task.on_success)
    # the original model is untouched
    assert workflow.type == "reverse"
    assert workflow.tasks["d"].requires == ("b", "c")
    assert workflow.tasks["d"].join is None


def test_reverse_then_analyse_gives_the_join_its_fan_in():
    direct = reverse_to_direct(main(REVERSE), ["d"])
    facts = analyse(direct)
    assert facts.inbound == {"d": ["b", "c"]}
    assert facts.owner == {"d": ROOT}  # a and c both start the workflow


# -- analyse -----------------------------------------------------------------------------
DIAMOND = """
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c]
    b:
      on-success: [d]
    c:
      on-success: [d]
    d:
      join: all
"""


def test_diamond():
    facts = analyse(main(DIAMOND))
    assert facts.successors == {"a": ["b", "c"], "b": ["d"], "c": ["d"], "d": [],
                                ROOT: ["a"]}
    assert facts.inbound == {"d": ["b", "c"]}
    assert facts.joins == ["d"]
    assert facts.owner == {"d": "a"}
    assert facts.owned == {"a": ["d"]}
    assert facts.stages == {"a": [["d"]]}


def test_join_of_start_tasks_is_owned_by_the_root():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    s1:
      on-success: [j]
    s2:
      on-success: [j]
    j:
      join: 1
"""))
    assert facts.successors[ROOT] == ["s1", "s2"]
    assert facts.inbound == {"j": ["s1", "s2"]}
    assert facts.owner == {"j": ROOT}
    assert facts.stages == {ROOT: [["j"]]}


def test_owner_is_the_nearest_common_dominator():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    s:
      on-success: [a]
    a:
      on-success: [b, c]
    b:
      on-success: [b2]
    b2:
      on-success: [j]
    c:
      on-success: [c1, c2]
    c1:
      on-success: [j]
    c2:
      on-success: [j]
    j:
      join: all
"""))
    assert facts.inbound == {"j": ["b2", "c1", "c2"]}
    assert facts.owner == {"j": "a"}  # not s, the farther dominator; not c, which misses b2


def test_join_inside_a_branch_is_owned_by_the_branch_task():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c]
    b:
      on-success: [b1, b2]
    b1:
      on-success: [j]
    b2:
      on-success: [j]
    j:
      join: all
    c:
      action: std.noop
"""))
    assert facts.owner == {"j": "b"}


def test_transitions_of_every_kind_count_and_commands_do_not():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    a:
      on-success:
        - b
        - fail: <% $.bad %>
      on-error: [b]
      on-complete: [c]
    b:
      join: all
    c:
      on-success: [d]
    d:
      on-success:
        - c: <% $.again %>
"""))
    assert facts.successors["a"] == ["b", "c"]
    assert facts.inbound == {"b": ["a"]}  # named twice by a, arrives once
    assert facts.owner == {"b": "a"}
    assert facts.leads("c", "c") is True  # the c → d → c loop
    assert facts.leads("d", "c") is True
    assert facts.leads("b", "c") is False


def test_join_led_to_by_one_other_join_moves_into_its_region():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c]
    b:
      on-success: [d]
    c:
      on-success: [d, e]
    d:
      join: all
      on-success: [f]
    e:
      on-success: [f]
    f:
      join: all
"""))
    assert facts.inbound == {"d": ["b", "c"], "f": ["d", "e"]}
    # both joins' inbound tasks have `a` as nearest common dominator; `f` is reached only
    # through `d` among a's joins, so it is checked where d's thread arrives
    assert facts.owner == {"d": "a", "f": "d"}
    assert facts.owned == {"a": ["d"], "d": ["f"]}
    assert facts.stages == {"a": [["d"]], "d": [["f"]]}


def test_join_led_to_by_two_joins_stays_in_a_later_stage():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c, x]
    b:
      on-success: [j1]
    c:
      on-success: [j1, j2]
    x:
      on-success: [j2]
    j1:
      join: all
      on-success: [j3]
    j2:
      join: all
      on-success: [j3]
    j3:
      join: all
"""))
    assert facts.inbound == {"j1": ["b", "c"], "j2": ["c", "x"], "j3": ["j1", "j2"]}
    assert facts.owner == {"j1": "a", "j2": "a", "j3": "a"}
    assert facts.owned == {"a": ["j1", "j2", "j3"]}
    assert facts.stages == {"a": [["j1", "j2"], ["j3"]]}


def test_independent_joins_of_one_region_share_a_stage():
    facts = analyse(main("""
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c]
    b:
      on-success: [j1, j2]
    c:
      on-success: [j1, j2]
    j1:
      join: all
    j2:
      join: 1
"""))
    assert facts.owner == {"j1": "a", "j2": "a"}
    assert facts.stages == {"a": [["j1", "j2"]]}


def test_leads():
    facts = analyse(main(DIAMOND))
    assert facts.leads("a", "d") is True
    assert facts.leads(ROOT, "d") is True
    assert facts.leads("b", "d") is True
    assert facts.leads("d", "a") is False
    assert facts.leads("b", "c") is False
    assert facts.leads("a", "a") is False  # no loop
    assert facts.leads("a", "nowhere") is False
    assert facts.leads("nowhere", "a") is False


def test_join_no_start_reaches_has_no_owner():
    # built on the model directly: the language rejects tasks nothing can reach
    workflow = Workflow("w", tasks={
        "s": Task("s"),
        "x": Task("x", on_success=(Transition("y"),)),
        "y": Task("y", join="all", on_success=(Transition("x"),)),
    })
    facts = analyse(workflow)
    assert facts.inbound == {"y": ["x"]}
    assert facts.owner == {}
    assert facts.owned == {}
    assert facts.stages == {}
    assert facts.leads("s", "y") is False


LOOP_THROUGH_JOIN = """
version: '2.0'
wf:
  tasks:
    s:
      on-success: [a]
    a:
      on-success: [b, c]
    b:
      on-success: [d]
    c:
      on-success: [d]
    d:
      join: all
      on-success:
        - a: <% $.again %>
"""


def test_loop_through_a_join_is_analysed():
    facts = analyse(main(LOOP_THROUGH_JOIN))
    assert facts.inbound == {"d": ["b", "c"]}
    assert facts.owner == {"d": "a"}
    assert facts.leads("d", "a") is True
    assert facts.leads("a", "a") is True


def test_loop_through_a_join_is_an_unsupported_shape():
    with pytest.raises(UnsupportedShape) as caught:
        compile_text(LOOP_THROUGH_JOIN)
    [problem] = caught.value.problems
    assert problem.message == ("task 'a' starts parallel branches inside a loop that "
                               "returns to it")
    assert problem.path == "tasks.a"
    assert problem.key == "a"
    assert (problem.line, problem.column) == (7, 5)
    assert problem.fix == ("move the loop into a sub-workflow, or end the branches before "
                           "looping")


def test_transitions_helper_lists_every_clause_in_order():
    task = Task("t", on_success=(Transition("a"),), on_error=(Transition("b"),),
                on_complete=(Transition("c"),))
    assert [t.target for t in graph.transitions(task)] == ["a", "b", "c"]
