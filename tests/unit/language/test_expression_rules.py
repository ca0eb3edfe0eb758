"""Expressions inside definitions: located parse errors and task(name) references."""

from __future__ import annotations

from chalicelib.language import check, lint

from ._helpers import assert_problems, doc, wrap_tasks


def test_error_in_a_plain_scalar_points_at_the_offending_character():
    # `%>` of `<% $.x + %>` is at offset 9 of the value; the value starts at column 12
    assert_problems(
        wrap_tasks("a:\n  publish:\n    y: <% $.x + %>\n"),
        [(6, 21, "invalid expression", "wf.tasks.a.publish.y")],
    )


def test_error_in_a_quoted_scalar_counts_the_quote():
    assert_problems(
        wrap_tasks('a:\n  publish:\n    y: "<% $.x + %>"\n'),
        [(6, 22, "invalid expression", "wf.tasks.a.publish.y")],
    )


def test_error_in_an_inline_parameter():
    assert_problems(
        wrap_tasks("a:\n  action: std.echo output=<% $.x + %>\n"),
        [(5, 40, "invalid expression", "wf.tasks.a.action.output")],
    )


def test_error_in_a_block_scalar_is_located_on_its_own_line():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: std.echo
              input:
                output: |
                  first line
                  second <% 1 + %>
            """
        ),
        [(9, 25, "invalid expression", "wf.tasks.a.input.output")],
    )


def test_error_in_a_folded_scalar():
    assert_problems(
        wrap_tasks(
            """
            a:
              action: std.echo
              input:
                output: >
                  first
                  then <% $.x ) %>
            """
        ),
        [(9, 23, "invalid expression: unexpected ')'", "wf.tasks.a.input.output")],
    )


def test_expressions_are_checked_everywhere():
    text = doc(
        """
        version: '2.0'
        wf:
          input:
            - x: <% 1 + %>
          vars:
            v: <% ( %>
          output:
            o: <% ) %>
          output-on-error: <% , %>
          tasks:
            a:
              action: std.noop
              publish-on-error:
                e: <% ] %>
              on-success:
                - b: <% $.a and %>
              with-items: i in <% [ %>
              timeout: <% * %>
              retry: {count: 1, break-on: <% = %>}
            b: {}
        """
    )
    assert [p.path for p in check(text)] == [
        "wf.input.0.x",
        "wf.vars.v",
        "wf.output.o",
        "wf.output-on-error",
        "wf.tasks.a.publish-on-error.e",
        "wf.tasks.a.on-success.0.b",
        "wf.tasks.a.with-items",
        "wf.tasks.a.timeout",
        "wf.tasks.a.retry.break-on",
    ]


def test_plain_text_with_a_lone_opener_is_not_an_expression():
    assert check(wrap_tasks('a:\n  action: std.echo\n  input: {output: "50 <% off"}\n')) == []


def test_unknown_task_reference_is_a_warning_not_a_problem():
    text = wrap_tasks(
        """
        a:
          action: std.echo output=1
          publish:
            r: <% task(aa).result %>
            s: "{{ task('a').result }}"
            t: <% task().result %>
        """
    )
    assert check(text) == []
    warnings = lint(text)
    assert [(w.line, w.column, w.message, w.path, w.fix) for w in warnings] == [
        (
            7,
            20,
            "task(aa) names no task of workflow wf: it is null at run time",
            "wf.tasks.a.publish.r",
            "did you mean 'a'?",
        ),
    ]
