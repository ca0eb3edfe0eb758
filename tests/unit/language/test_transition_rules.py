"""Transition rules: targets, engine commands, guards, start tasks and endless loops."""

from __future__ import annotations

from chalicelib.language import check

from ._helpers import assert_problems, wrap_tasks


def test_unknown_target_with_suggestion():
    found = check(
        wrap_tasks(
            """
        load:
          on-success: [lod]
        """
        )
    )
    assert [(p.line, p.column, p.message, p.path, p.key, p.fix) for p in found] == [
        (
            5,
            20,
            "transition to unknown task 'lod'",
            "wf.tasks.load.on-success.0",
            "lod",
            "did you mean 'load'?",
        ),
    ]


def test_a_task_may_loop_on_itself_while_a_guard_holds():
    # Mistral runs a task that transitions to itself again, one task execution per pass
    assert_problems(
        wrap_tasks(
            """
            start:
              on-success: poll
            poll:
              on-complete:
                - poll: <% not $.done %>
            """
        ),
        [],
    )


def test_an_unconditional_self_loop_can_never_finish():
    problems = check(
        wrap_tasks(
            """
            start:
              on-success: poll
            poll:
              on-success: poll
            """
        )
    )
    assert [p.message for p in problems if "loop forever" in p.message], problems


def test_engine_commands_and_their_parameters():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success:
                - fail msg="boom"
                - succeed
                - pause
              on-error:
                - fail reason=1: <% $.x %>
                - b x=1
            b: {}
            """
        ),
        [
            (10, 11, "engine command fail takes no parameter 'reason'", "wf.tasks.a.on-error.0"),
            (11, 11, "transition to task 'b' cannot take parameters", "wf.tasks.a.on-error.1"),
        ],
    )


def test_task_named_like_a_command_overrides_the_command():
    assert (
        check(
            wrap_tasks(
                """
        a:
          on-success: [fail]
        fail:
          action: std.echo output=1
        """
            )
        )
        == []
    )


def test_guards_must_be_expressions():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success:
                - b: true
                - c: "$.x > 1"
                - {b: <% 1 %>, c: <% 2 %>}
                - [b]
                - 7
            b: {}
            c: {}
            """
        ),
        [
            (
                6,
                14,
                "the condition of transition 'b' must be an expression, not the boolean true",
                "wf.tasks.a.on-success.0.b",
            ),
            (
                7,
                14,
                "the condition of transition 'c' must be an expression",
                "wf.tasks.a.on-success.1.c",
            ),
            (8, 11, "each transition item must name one target", "wf.tasks.a.on-success.2"),
            (9, 11, "a transition must be a task name, not a list", "wf.tasks.a.on-success.3"),
            (
                10,
                11,
                "a transition must be a task name, not the number 7",
                "wf.tasks.a.on-success.4",
            ),
        ],
    )


def test_advanced_clause_form():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success:
                next: [b]
                publish:
                  branch: {x: 1}
                  global: {y: 2}
            b:
              on-success: {b: <% $.x %>}
            c:
              on-error:
                next: b
                after: c
            """
        ),
        [
            (
                9,
                11,
                "publish scope 'global' is not supported",
                "wf.tasks.a.on-success.publish.global",
            ),
            (11, 19, "on-success as a mapping must have 'next'", "wf.tasks.b.on-success"),
            (15, 9, "unknown key 'after' in on-error", "wf.tasks.c.on-error.after"),
        ],
    )


def test_direct_workflow_needs_a_start_task():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success:
                - b: <% $.go %>
            b:
              on-error: [a]
            """
        ),
        [(4, 5, "no task can start", "wf.tasks")],
    )


def test_loop_that_can_never_end():
    assert_problems(
        wrap_tasks(
            """
            start:
              on-success: [a]
            a:
              on-success: [b]
            b:
              on-complete: [a]
            """
        ),
        [(6, 5, "tasks a, b loop forever", "wf.tasks.a")],
    )


def test_loops_that_can_end_are_accepted():
    guarded = """
        start:
          on-success: [a]
        a:
          on-success: [b]
        b:
          on-success:
            - a: <% $.more %>
        """
    via_error = """
        start:
          on-success: [a]
        a:
          on-success: [b]
          on-error: [b]
        b:
          on-success: [a]
        """
    via_command = """
        start:
          on-success: [a]
        a:
          on-success: [b]
        b:
          on-success: [a, pause]
        """
    leaving = """
        start:
          on-success: [a]
        a:
          on-success: [b, done]
        b:
          on-success: [a]
        done: {}
        """
    for tasks in (guarded, via_error, via_command, leaving):
        assert check(wrap_tasks(tasks)) == [], tasks


def test_task_defaults_transitions_count_for_start_tasks_and_loops():
    text = wrap_tasks(
        """
        a:
          on-success: [b]
        b: {}
        cleanup: {}
        """,
        header="""
        task-defaults:
          on-complete: [cleanup]
        """,
    )
    assert check(text) == []


def test_numbers_json_cannot_hold_are_refused():
    problems = check(
        wrap_tasks(
            """
            a:
              action: std.echo
              input:
                output: [1, .inf]
              publish:
                y: .nan
            """
        )
    )
    assert sorted(p.message for p in problems) == [
        "inf is not a number JSON can hold",
        "nan is not a number JSON can hold",
    ]
