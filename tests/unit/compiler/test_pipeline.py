"""The compiler pipeline on small workflows: the shape of the machines it emits.

The number and kind of states is what a run costs (Step Functions bills state transitions),
so these tests pin the shapes: one state per task on plain paths, helper states only where
a construct needs them.
"""
from __future__ import annotations

import json
from collections import Counter

import pytest

from chalicelib.compiler import CompiledWorkflow, Target, compile_text
from chalicelib.compiler.asl_check import check

LAMBDA = "arn:aws:states:::lambda:invoke"


def compile_one(text: str, name: str = "wf", **kwargs) -> dict:
    compiled = compile_text(text, **kwargs)
    return compiled[name].definition


def all_states(machine: dict):
    """(name, state) for every state of the machine, branches and item processors included."""
    for name, state in machine["States"].items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from all_states(branch)
        if "ItemProcessor" in state:
            yield from all_states(state["ItemProcessor"])


def kinds(machine: dict) -> Counter:
    return Counter(state["Type"] for _, state in all_states(machine))


def chain(n: int, action: str) -> str:
    lines = ["version: '2.0'", "wf:", "  tasks:"]
    for i in range(1, n + 1):
        lines += [f"    t{i}:", f"      action: {action}"]
        if i < n:
            lines.append(f"      on-success: t{i + 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_chain_of_lambda_tasks_is_one_task_state_each(n):
    machine = compile_one(chain(n, "my.action"))
    assert machine["StartAt"] == "t1"
    assert "Start.init" not in machine["States"]
    tasks = [name for name, state in all_states(machine) if state["Type"] == "Task"]
    assert tasks == [f"t{i}" for i in range(1, n + 1)]
    assert all(machine["States"][t]["Resource"] == LAMBDA for t in tasks)
    for i in range(1, n):
        assert machine["States"][f"t{i}"]["Next"] == f"t{i + 1}"
    last = machine["States"][f"t{n}"]
    assert last["End"] is True
    assert "Next" not in last
    # the only other state is the shared failure end, reached from the catchers
    assert kinds(machine) == Counter({"Task": n, "Fail": 1})
    assert "Parallel" not in kinds(machine) and "Choice" not in kinds(machine)


def test_unregistered_action_goes_through_the_actions_function():
    state = compile_one(chain(1, "my.action"))["States"]["t1"]
    assert '"arn:aws:lambda:us-east-1:123456789012:function:stepwise-actions"' in \
        state["Arguments"]
    assert '"action":"my.action"' in state["Arguments"]


def test_registered_action_calls_its_own_function():
    target = Target(action_registry={"my.action": "my-fn"})
    state = compile_one(chain(1, "my.action"), target=target)["States"]["t1"]
    assert '"arn:aws:lambda:us-east-1:123456789012:function:my-fn"' in state["Arguments"]
    assert "stepwise-actions" not in state["Arguments"]


@pytest.mark.parametrize("n", [1, 3, 6])
def test_chain_of_echo_tasks_is_pass_states(n):
    machine = compile_one(chain(n, "std.echo output=1"))
    assert machine["StartAt"] == "t1"
    assert kinds(machine) == Counter({"Pass": n})
    for i in range(1, n):
        assert machine["States"][f"t{i}"]["Next"] == f"t{i + 1}"
    assert machine["States"][f"t{n}"]["End"] is True


EXCLUSIVE = """
version: '2.0'
wf:
  tasks:
    a:
      action: my.action
      on-success:
        - b: <% $.x = 1 %>
        - c: <% $.x = 2 %>
    b:
      action: my.action
    c:
      action: my.action
"""


def test_exclusive_guards_give_one_choice_and_no_parallel():
    machine = compile_one(EXCLUSIVE)
    counts = kinds(machine)
    assert counts["Choice"] == 1
    assert counts["Parallel"] == 0
    assert counts["Task"] == 3
    choice = machine["States"]["a.choice"]
    assert machine["States"]["a"]["Next"] == "a.choice"
    assert [rule["Next"] for rule in choice["Choices"]] == ["b", "c"]
    assert choice["Default"] == "a.end"
    assert machine["States"]["a.end"]["Type"] == "Pass"
    assert machine["States"]["a.end"]["End"] is True


def test_jinja_negated_guards_give_one_choice():
    machine = compile_one("""
version: '2.0'
wf:
  tasks:
    a:
      action: my.action
      on-success:
        - b: "{{ _.ok }}"
        - c: "{{ not _.ok }}"
    b:
      action: my.action
    c:
      action: my.action
""")
    assert kinds(machine)["Choice"] == 1
    assert kinds(machine)["Parallel"] == 0


def test_non_exclusive_guards_give_a_parallel_of_guarded_branches():
    machine = compile_one(EXCLUSIVE.replace("$.x = 2", "$.y = 2"))
    parallels = [(n, s) for n, s in all_states(machine) if s["Type"] == "Parallel"]
    assert [n for n, _ in parallels] == ["a.parallel"]
    assert machine["States"]["a"]["Next"] == "a.parallel"
    branches = parallels[0][1]["Branches"]
    assert [b["StartAt"] for b in branches] == ["b.choice", "c.choice"]
    for branch, task in zip(branches, ["b", "c"]):
        guard = branch["States"][f"{task}.choice"]
        assert guard["Type"] == "Choice"
        assert [rule["Next"] for rule in guard["Choices"]] == [task]
        assert guard["Default"] == f"{task}.end"
        assert branch["States"][task]["Type"] == "Task"


def test_join_all_after_a_fan_out_is_a_parallel_then_a_join_choice():
    machine = compile_one("""
version: '2.0'
wf:
  tasks:
    a:
      action: my.action
      on-success: [b, c]
    b:
      action: my.action
      on-success: d
    c:
      action: my.action
      on-success: d
    d:
      join: all
      action: my.action
""")
    states = machine["States"]
    assert states["a"]["Next"] == "a.parallel"
    parallel = states["a.parallel"]
    assert parallel["Type"] == "Parallel"
    assert [b["StartAt"] for b in parallel["Branches"]] == ["b", "c"]
    assert parallel["Next"] == "d.join"
    assert states["d.join"]["Type"] == "Choice"
    # the clean path, taken when nothing failed, keeps the task's own name
    assert states["d.join"]["Default"] == "d"
    assert states["d"]["Type"] == "Task"
    assert states["d"]["End"] is True
    # the join task runs once per path, never inside the branches
    branch_names = {n for b in parallel["Branches"] for n in b["States"]}
    assert not {"d", "d [2]", "d.join"} & branch_names
    assert kinds(machine)["Parallel"] == 1


def test_with_items_is_a_map_with_the_task_concurrency():
    machine = compile_one("""
version: '2.0'
wf:
  input: [xs]
  tasks:
    a:
      with-items: x in <% $.xs %>
      concurrency: 3
      action: my.action v=<% $.x %>
""")
    state = machine["States"]["a"]
    assert state["Type"] == "Map"
    assert state["MaxConcurrency"] == 3
    processor = state["ItemProcessor"]
    assert processor["ProcessorConfig"] == {"Mode": "INLINE"}
    assert processor["StartAt"] == "a.item"
    assert processor["States"]["a.item"]["Type"] == "Task"
    assert processor["States"]["a.item"]["Resource"] == LAMBDA
    assert state["Next"] == "a.check"


def test_with_items_without_concurrency_has_no_limit():
    machine = compile_one("""
version: '2.0'
wf:
  tasks:
    a:
      with-items: x in <% [1, 2] %>
      action: my.action v=<% $.x %>
""")
    assert "MaxConcurrency" not in machine["States"]["a"]


RETRY = """
version: '2.0'
wf:
  tasks:
    a:
      action: my.action
      retry:
        count: 2
        delay: 3
      on-success: b
    b:
      action: my.action
      retry:
        count: 2
        delay: 3
        break-on: <% $.x = 1 %>
"""


def test_simple_retry_is_native():
    states = compile_one(RETRY)["States"]
    assert states["a"]["Retry"] == [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2,
                                     "IntervalSeconds": 3, "BackoffRate": 1.0}]
    assert "a.retry" not in states
    assert "a.retry_wait" not in states


def test_retry_with_break_on_is_a_retry_choice():
    states = compile_one(RETRY)["States"]
    assert "Retry" not in states["b"]
    assert states["b"]["Catch"][-1]["ErrorEquals"] == ["States.ALL"]
    assert states["b"]["Catch"][-1]["Next"] == "b.retry"
    retry = states["b.retry"]
    assert retry["Type"] == "Choice"
    assert [rule["Next"] for rule in retry["Choices"]] == ["b.error", "b.retry_wait"]
    assert retry["Choices"][1]["Condition"] == "{% $states.input.__attempt <= 2 %}"
    assert retry["Default"] == "b.error"
    assert states["b.retry_wait"] == {"Type": "Wait", "Seconds": 3, "Next": "b"}


def test_retry_with_zero_delay_is_an_explicit_loop():
    states = compile_one(RETRY.replace("delay: 3\n        break-on: <% $.x = 1 %>\n",
                                       "delay: 0\n"))["States"]
    assert "Retry" not in states["b"]
    assert states["b.retry"]["Type"] == "Choice"
    assert states["b.retry_wait"]["Seconds"] == 0


SUB = """
version: '2.0'
main:
  tasks:
    a:
      workflow: sub
sub:
  tasks:
    s:
      action: std.noop
"""


def test_sub_workflow_is_a_synchronous_start_execution():
    compiled = compile_text(SUB)
    assert list(compiled) == ["main", "sub"]
    state = compiled["main"].definition["States"]["a"]
    assert state["Type"] == "Task"
    assert state["Resource"] == "arn:aws:states:::states:startExecution.sync:2"
    assert ('"arn:aws:states:us-east-1:123456789012:stateMachine:stepwise-sub"'
            in state["Arguments"])
    assert kinds(compiled["sub"].definition) == Counter({"Pass": 1})


def test_sub_workflow_arn_comes_from_the_target():
    target = Target(machine_arn=lambda name: f"arn:aws:states:eu-west-1:1:stateMachine:x-{name}")
    state = compile_text(SUB, target=target)["main"].definition["States"]["a"]
    assert '"arn:aws:states:eu-west-1:1:stateMachine:x-sub"' in state["Arguments"]


LONG = "a-very-long-task-name-" * 8  # 176 characters


def test_every_state_name_is_at_most_80_characters():
    text = f"""
version: '2.0'
wf:
  tasks:
    start:
      action: my.action
      on-success: ["{LONG}1", "{LONG}2"]
    "{LONG}1":
      action: my.action
      retry:
        count: 2
        delay: 1
        break-on: <% $.x = 1 %>
      on-success: ["{LONG}join"]
    "{LONG}2":
      with-items: x in <% [1, 2] %>
      action: my.action
      on-success: ["{LONG}join"]
    "{LONG}join":
      join: all
      action: my.action
"""
    compiled = compile_text(text)["wf"]
    names = [name for name, _ in all_states(compiled.definition)]
    assert len(names) > 10
    assert all(1 <= len(name) <= 80 for name in names)
    assert len(names) == len(set(names))
    assert set(names) <= set(compiled.states)
    long_tasks = {task for task, _ in compiled.states.values() if task.startswith(LONG)}
    assert long_tasks == {f"{LONG}1", f"{LONG}2", f"{LONG}join"}
    check(compiled.definition)


def test_states_record_task_and_role():
    compiled = compile_text(RETRY)["wf"]
    assert isinstance(compiled, CompiledWorkflow)
    assert compiled.name == "wf"
    assert compiled.states["a"] == ("a", "task")
    assert compiled.states["b.retry"] == ("b", "retry")
    assert compiled.states["b.retry_wait"] == ("b", "retry_wait")
    assert compiled.states["b.error"] == ("b", "error")


def test_definition_is_json_and_checks_cleanly():
    for text in (EXCLUSIVE, RETRY, SUB, chain(3, "my.action")):
        for workflow in compile_text(text).values():
            definition = workflow.definition
            assert definition["QueryLanguage"] == "JSONata"
            assert json.loads(json.dumps(definition)) == definition
            assert check(definition) is None
