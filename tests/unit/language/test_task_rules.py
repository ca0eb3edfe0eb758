"""Task-level rules: keys, action / workflow, inline parameters, types of every option."""

from __future__ import annotations

from chalicelib.language import check

from ._helpers import assert_problems, wrap_tasks


def test_unknown_task_key_suggests_the_closest():
    found = check(
        wrap_tasks(
            """
        a:
          action: std.noop
          on-sucess: b
        b: {}
        """
        )
    )
    assert [(p.line, p.column, p.message, p.path, p.key, p.fix) for p in found] == [
        (
            6,
            7,
            "unknown key 'on-sucess' in a task",
            "wf.tasks.a.on-sucess",
            "on-sucess",
            "did you mean 'on-success'?",
        ),
    ]


def test_task_must_be_a_mapping():
    assert_problems(wrap_tasks("a: [1]\n"), [(4, 8, "task 'a' must be a mapping", "wf.tasks.a")])


def test_action_and_workflow_both_set():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: std.noop
              workflow: sub
            """
        ),
        [(6, 17, "has both action and workflow", "wf.tasks.a.workflow")],
    )


def test_action_name_cannot_be_an_expression():
    assert_problems(
        wrap_tasks("a:\n  action: <% $.name %>\n"),
        [(5, 15, "the action name cannot be an expression", "wf.tasks.a.action")],
    )


def test_inline_parameter_syntax_errors_point_into_the_string():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: std.echo output
            b:
              action: std.echo output="open
            """
        ),
        [
            (5, 24, "expected a parameter written key=value", "wf.tasks.a.action"),
            (7, 31, "the quoted value of output is not closed", "wf.tasks.b.action"),
        ],
    )


def test_input_and_publish_must_be_mappings():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: std.echo
              input: [1]
              publish: text
              publish-on-error: 3
            """
        ),
        [
            (6, 14, "input must be a mapping", "wf.tasks.a.input"),
            (7, 16, "publish must be a mapping", "wf.tasks.a.publish"),
            (8, 25, "publish-on-error must be a mapping", "wf.tasks.a.publish-on-error"),
        ],
    )


def test_expression_input_cannot_be_combined_with_inline_parameters():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: my.action x=1
              input: <% $.all %>
            """
        ),
        [
            (
                5,
                15,
                "inline parameters cannot be combined with an expression input",
                "wf.tasks.a.action",
            )
        ],
    )


def test_join_values():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success: [d]
            b:
              on-success: [d]
            c:
              join: 0
            d:
              join: "2"
            e:
              join: true
            """
        ),
        [
            (
                9,
                13,
                "join must be all, one or a whole number of at least 1, not the number 0",
                "wf.tasks.c.join",
            ),
            (
                11,
                13,
                "join must be all, one or a whole number of at least 1, not the string '2'",
                "wf.tasks.d.join",
            ),
            (13, 13, "not the boolean true", "wf.tasks.e.join"),
        ],
    )


def test_join_larger_than_inbound_count():
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success: [c]
            b:
              on-complete: [c]
            c:
              join: 3
            d:
              join: 1
            """
        ),
        [
            (9, 13, "join: 3 waits for more tasks than the 2 that lead to 'c'", "wf.tasks.c.join"),
            (11, 13, "join: 1 waits for more tasks than the 0 that lead to 'd'", "wf.tasks.d.join"),
        ],
    )


def test_with_items_forms():
    assert_problems(
        wrap_tasks(
            """
            a:
              with-items: x in $.xs
            b:
              with-items: [x in <% $.a %>, x in <% $.b %>]
            c:
              with-items: 3
            d:
              with-items: []
            ok:
              with-items:
                - x in <% $.xs %>
                - y in [1, 2]
                - z in {{ _.zs }}
            """
        ),
        [
            (
                5,
                24,
                "with-items list '$.xs' is neither an expression nor a list",
                "wf.tasks.a.with-items",
            ),
            (7, 36, "with-items names 'x' twice", "wf.tasks.b.with-items.1"),
            (
                9,
                19,
                "with-items must be 'name in <% list %>', not the number 3",
                "wf.tasks.c.with-items",
            ),
            (11, 19, "with-items needs at least one", "wf.tasks.d.with-items"),
        ],
    )


def test_numbers_and_flags():
    assert_problems(
        wrap_tasks(
            """
            a:
              concurrency: 0
              timeout: -1
              wait-before: soon
              wait-after: 1.5
              pause-before: maybe
              keep-result: 1
              safe-rerun: <% $.x %>
              fail-on: true
            ok:
              concurrency: <% $.n %>
              timeout: 10
              wait-before: 0
              wait-after: 2.0
              keep-result: false
              fail-on: <% $.bad %>
            """
        ),
        [
            (5, 20, "concurrency must be at least 1, not 0", "wf.tasks.a.concurrency"),
            (6, 16, "timeout must be at least 0, not -1", "wf.tasks.a.timeout"),
            (
                7,
                20,
                "wait-before must be a whole number or an expression, not 'soon'",
                "wf.tasks.a.wait-before",
            ),
            (8, 19, "wait-after must be a whole number or an expression", "wf.tasks.a.wait-after"),
            (9, 21, "pause-before must be true, false or an expression", "wf.tasks.a.pause-before"),
            (10, 20, "keep-result must be true, false or an expression", "wf.tasks.a.keep-result"),
            (12, 16, "fail-on must be an expression", "wf.tasks.a.fail-on"),
        ],
    )


def test_retry_mapping_rules():
    assert_problems(
        wrap_tasks(
            """
            a:
              retry: {delay: 1}
            b:
              retry: {count: -1, dely: 2}
            c:
              retry: {count: 3, break-on: yes}
            d:
              retry: [3]
            """
        ),
        [
            (5, 14, "retry needs a count", "wf.tasks.a.retry"),
            (7, 22, "count must be at least 0, not -1", "wf.tasks.b.retry.count"),
            (7, 26, "unknown key 'dely' in retry", "wf.tasks.b.retry.dely"),
            (
                9,
                35,
                "break-on must be an expression, not the boolean true",
                "wf.tasks.c.retry.break-on",
            ),
            (11, 14, "retry must be a mapping", "wf.tasks.d.retry"),
        ],
    )


def test_retry_string_rules():
    assert_problems(
        wrap_tasks(
            """
            a:
              retry: delay=3
            b:
              retry: count=x delay=1
            c:
              retry: count=2 tries=4
            d:
              retry: count=2 3
            """
        ),
        [
            (5, 14, "retry needs a count", "wf.tasks.a.retry"),
            (
                7,
                20,
                "count must be a whole number or an expression, not 'x'",
                "wf.tasks.b.retry.count",
            ),
            (9, 22, "unknown retry parameter 'tries'", "wf.tasks.c.retry.tries"),
            (
                11,
                22,
                "cannot read retry: expected a parameter written key=value",
                "wf.tasks.d.retry",
            ),
        ],
    )


def test_requires_only_in_reverse_and_transitions_only_in_direct():
    assert_problems(
        wrap_tasks(
            """
            a:
              requires: b
            b: {}
            """
        ),
        [(5, 17, "requires is only allowed in a reverse workflow", "wf.tasks.a.requires")],
    )
    assert_problems(
        wrap_tasks(
            """
            a:
              on-success: b
              join: all
            b:
              requires: [a]
            """,
            header="type: reverse\n",
        ),
        [
            (6, 19, "on-success is not allowed in a reverse workflow", "wf.tasks.a.on-success"),
            (7, 13, "join is not allowed in a reverse workflow", "wf.tasks.a.join"),
        ],
    )


def test_requires_names_and_cycles():
    assert_problems(
        wrap_tasks(
            """
            a:
              requires: [b, nope]
            b:
              requires: c
            c:
              requires: [b]
            d:
              requires: [d]
            e:
              requires: {x: 1}
            """,
            header="type: reverse\n",
        ),
        [
            (6, 21, "task 'a' requires unknown task 'nope'", "wf.tasks.a.requires"),
            (7, 5, "tasks b, c require each other in a cycle", "wf.tasks.b"),
            (11, 5, "tasks d require each other in a cycle", "wf.tasks.d"),
            (14, 17, "a required task must be a name", "wf.tasks.e.requires"),
        ],
    )


def test_task_defaults_are_checked_like_tasks():
    assert_problems(
        wrap_tasks(
            """
            a: {}
            """,
            header="""
            task-defaults:
              on-error: [nope]
              retry: {count: x}
              bogus: 1
            """,
        ),
        [
            (4, 16, "transition to unknown task 'nope'", "wf.task-defaults.on-error.0"),
            (
                5,
                20,
                "count must be a whole number or an expression",
                "wf.task-defaults.retry.count",
            ),
            (6, 5, "unknown key 'bogus' in a task", "wf.task-defaults.bogus"),
        ],
    )
