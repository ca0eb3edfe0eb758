"""The built model: task-defaults merging, inline parameters, transitions, options."""

from __future__ import annotations

import pytest

from chalicelib.errors import InvalidDefinition
from chalicelib.language import load, model
from chalicelib.language.model import Position, RetryPolicy, Transition, WithItem

from ._helpers import doc, wrap_tasks


def _targets(transitions: tuple[Transition, ...]) -> list[str]:
    return [t.target for t in transitions]


DEFAULTS = wrap_tasks(
    """
    own_error:
      on-error: [handler]
    own_success:
      on-success: [handler]
    handler: {}
    cleanup: {}
    own_retry:
      retry: {count: 1}
      timeout: 5
    """,
    header="""
    task-defaults:
      on-error: [cleanup]
      on-complete: [cleanup]
      retry: {count: 3, delay: 2}
      timeout: 60
    """,
)


def test_own_on_error_replaces_the_default_on_error():
    task = load(DEFAULTS).main.tasks["own_error"]
    assert _targets(task.on_error) == ["handler"]
    assert _targets(task.on_complete) == ["cleanup"]


def test_own_on_success_still_gets_the_default_on_complete_and_on_error():
    task = load(DEFAULTS).main.tasks["own_success"]
    assert _targets(task.on_success) == ["handler"]
    assert _targets(task.on_error) == ["cleanup"]
    assert _targets(task.on_complete) == ["cleanup"]


def test_a_default_target_never_transitions_to_itself():
    task = load(DEFAULTS).main.tasks["cleanup"]
    assert (task.on_error, task.on_complete) == ((), ())


def test_own_retry_replaces_the_default_retry_and_own_keys_win():
    tasks = load(DEFAULTS).main.tasks
    assert tasks["own_retry"].retry == RetryPolicy(1, 0, position=Position(16, 14))
    assert tasks["own_retry"].timeout == 5
    assert tasks["handler"].retry == RetryPolicy(3, 2, position=Position(6, 12))
    assert tasks["handler"].timeout == 60


def test_default_transitions_make_targets_non_start_tasks():
    workflow = load(DEFAULTS).main
    assert workflow.start_tasks() == ["own_error", "own_success", "own_retry"]


def test_default_action_is_replaced_as_a_whole_by_the_task_call():
    tasks = load(
        wrap_tasks(
            """
        a: {}
        b:
          workflow: sub
        """,
            header="task-defaults:\n  action: std.echo output=1\n",
        )
        + "sub:\n  tasks: {s: {}}\n"
    ).main.tasks
    assert (tasks["a"].action, tasks["a"].input) == ("std.echo", {"output": 1})
    assert (tasks["b"].action, tasks["b"].workflow, tasks["b"].input) == (None, "sub", {})


def test_inline_parameters_merge_into_input_and_explicit_input_wins():
    task = load(
        wrap_tasks(
            """
        a:
          action: >-
            std.http url="http://x/a b" method=GET timeout=5
            verify=false json={"k":[1,2]} headers=null
          input:
            method: POST
        """
        )
    ).main.tasks["a"]
    assert task.input == {
        "url": "http://x/a b",
        "method": "POST",
        "timeout": 5,
        "verify": False,
        "json": {"k": [1, 2]},
        "headers": None,
    }


def test_inline_expression_parameters_keep_their_spaces():
    task = load(wrap_tasks("a:\n  action: my.action cmd=<% $.a + ' ' + $.b %> n=1\n")).main.tasks[
        "a"
    ]
    assert task.action == "my.action"
    assert task.input == {"cmd": "<% $.a + ' ' + $.b %>", "n": 1}


def test_expression_input():
    task = load(
        wrap_tasks("a:\n  action: swift.put_container\n  input: <% $.create_input %>\n")
    ).main.tasks["a"]
    assert (task.input, task.input_expression) == ({}, "<% $.create_input %>")


def test_no_action_means_std_noop_with_no_call():
    task = load(wrap_tasks("a:\n  publish: {x: 1}\n")).main.tasks["a"]
    assert (task.action, task.workflow, task.publish) == (None, None, {"x": 1})


def test_transitions_with_guards_commands_and_params():
    tasks = load(
        wrap_tasks(
            """
        a:
          on-success:
            - b
            - c: <% $.x > 1 %>
            - fail msg="too small": <% $.x < 0 %>
          on-error: fail msg=<% $.why %>
          on-complete:
            next: [pause]
            publish:
              branch: {done: true}
        b: {}
        c: {}
        """
        )
    ).main.tasks
    a = tasks["a"]
    assert a.on_success == (
        Transition("b", None, False, {}, Position(6, 11)),
        Transition("c", "<% $.x > 1 %>", False, {}, Position(7, 11)),
        Transition("fail", "<% $.x < 0 %>", True, {"msg": "too small"}, Position(8, 11)),
    )
    assert a.on_error == (Transition("fail", None, True, {"msg": "<% $.why %>"}, Position(9, 17)),)
    assert a.on_complete == (Transition("pause", None, True, {}, Position(11, 16)),)
    assert a.publish == {"done": True} and a.publish_on_error == {"done": True}


def test_single_string_and_list_clauses():
    tasks = load(wrap_tasks("a:\n  on-success: b\n  on-error: [b, c]\nb: {}\nc: {}\n")).main.tasks
    assert _targets(tasks["a"].on_success) == ["b"]
    assert _targets(tasks["a"].on_error) == ["b", "c"]


def test_join_forms():
    tasks = load(
        wrap_tasks(
            """
        a:
          on-success: [x, y, z]
        b:
          on-success: [x, y, z]
        x:
          join: all
        y:
          join: one
        z:
          join: 2
        """
        )
    ).main.tasks
    assert (tasks["x"].join, tasks["y"].join, tasks["z"].join, tasks["a"].join) == (
        "all",
        1,
        2,
        None,
    )


def test_with_items_forms_and_concurrency():
    tasks = load(
        wrap_tasks(
            """
        a:
          with-items: x in <% $.xs %>
          concurrency: 3
        b:
          with-items:
            - "x in [1, 'two', {k: 3}]"
            - y in {{ _.ys }}
          concurrency: <% $.n %>
        """
        )
    ).main.tasks
    assert tasks["a"].with_items == (WithItem("x", "<% $.xs %>"),)
    assert tasks["a"].concurrency == 3
    assert tasks["b"].with_items == (
        WithItem("x", [1, "two", {"k": 3}]),
        WithItem("y", "{{ _.ys }}"),
    )
    assert tasks["b"].concurrency == "<% $.n %>"


def test_retry_forms():
    tasks = load(
        wrap_tasks(
            """
        a:
          retry:
            count: <% $.n %>
            delay: 10
            break-on: <% $.fatal %>
            continue-on: <% $.pending %>
        b:
          retry: count=3 delay=<% $.d %> break-on=<% $.x = 1 %>
        c:
          retry: {count: 0}
        """
        )
    ).main.tasks
    assert tasks["a"].retry == RetryPolicy(
        "<% $.n %>", 10, "<% $.fatal %>", "<% $.pending %>", Position(6, 9)
    )
    assert tasks["b"].retry == RetryPolicy(3, "<% $.d %>", "<% $.x = 1 %>", None, Position(11, 14))
    assert tasks["c"].retry == RetryPolicy(0, 0, position=Position(13, 14))


def test_other_options():
    task = load(
        wrap_tasks(
            """
        a:
          description: does a
          wait-before: 1
          wait-after: <% $.w %>
          timeout: 30
          pause-before: true
          keep-result: false
          safe-rerun: <% $.safe %>
          fail-on: <% $.bad %>
          target: executors
          publish-on-error: {err: <% task().result %>}
        """
        )
    ).main.tasks["a"]
    assert (task.description, task.wait_before, task.wait_after, task.timeout) == (
        "does a",
        1,
        "<% $.w %>",
        30,
    )
    assert (task.pause_before, task.keep_result, task.safe_rerun) == (True, False, "<% $.safe %>")
    assert (task.fail_on, task.target) == ("<% $.bad %>", "executors")
    assert task.publish_on_error == {"err": "<% task().result %>"}
    assert task.position == Position(4, 5)


def test_workflow_fields():
    document = load(
        doc(
            """
        version: 2.0
        wf:
          description: the workflow
          input:
            - required
            - optional: 5
            - nothing: null
          vars: {v: 1}
          output: {out: <% $.v %>}
          output-on-error: {err: true}
          tasks:
            a: {}
        other:
          type: reverse
          tasks:
            t:
              requires: [u]
            u: {}
        """
        )
    )
    wf = document.main
    assert document.version == "2.0" and document.name is None
    assert (wf.name, wf.type, wf.description, wf.position) == (
        "wf",
        "direct",
        "the workflow",
        Position(2, 1),
    )
    assert wf.input == (
        model.Parameter("required", None, False, Position(5, 7)),
        model.Parameter("optional", 5, True, Position(6, 7)),
        model.Parameter("nothing", None, True, Position(7, 7)),
    )
    assert (wf.vars, wf.output, wf.has_output) == ({"v": 1}, {"out": "<% $.v %>"}, True)
    assert (wf.output_on_error, wf.has_output_on_error) == ({"err": True}, True)
    other = document.workflows["other"]
    assert other.type == "reverse" and other.tasks["t"].requires == ("u",)


def test_workflow_without_output_clause():
    wf = load(wrap_tasks("a: {}\n")).main
    assert (wf.has_output, wf.has_output_on_error, wf.output) == (False, False, None)


def test_merge_keys_and_aliases():
    tasks = load(
        doc(
            """
        version: '2.0'
        wf:
          tasks:
            a: &base
              action: std.echo
              input: {output: 1}
              on-success: [c]
            b:
              <<: *base
              input: {output: 2}
            c: {}
        """
        )
    ).main.tasks
    assert (tasks["b"].action, tasks["b"].input, _targets(tasks["b"].on_success)) == (
        "std.echo",
        {"output": 2},
        ["c"],
    )


def test_load_raises_with_all_problems_sorted():
    with pytest.raises(InvalidDefinition) as caught:
        load(wrap_tasks("a:\n  on-success: [zz]\n  join: 0\n"))
    assert [p.line for p in caught.value.problems] == [5, 6]
    assert caught.value.status == 400 and "zz" in caught.value.message
