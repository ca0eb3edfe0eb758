"""Document-level rules: YAML errors, version, workbook shape, workflow keys, inputs."""

from __future__ import annotations

from chalicelib.language import check, load

from ._helpers import assert_problems, doc


def test_empty_document():
    assert_problems("", [(1, 1, "the definition is empty", "")])


def test_root_must_be_a_mapping():
    assert_problems("- a\n- b\n", [(1, 1, "must be a mapping", "")])


def test_yaml_syntax_error_is_one_problem_at_the_parser_mark():
    assert_problems(
        """
        version: '2.0'
        wf:
          tasks: [a,
        """,
        [(4, 1, "YAML syntax error", "")],
    )


def test_bad_indentation_is_a_syntax_error():
    found = check(
        "version: '2.0'\nwf:\n  tasks:\n    a:\n      action: std.noop\n     on-success: b\n"
    )
    assert (
        len(found) == 1 and found[0].message.startswith("YAML syntax error") and found[0].line == 6
    )


def test_several_documents_are_refused():
    assert_problems("version: '2.0'\n---\nx: 1\n", [(2, 1, "more than one YAML document", "")])


def test_control_characters_are_refused():
    assert_problems("version: '2.0'\nwf: \x07\n", [(2, 5, "control characters", "")])


def test_unknown_tags_are_refused():
    assert_problems(
        """
        version: '2.0'
        wf: !thing
          tasks: {a: {}}
        """,
        [(2, 5, "unsupported YAML tag !thing", "")],
    )


def test_nesting_deeper_than_the_limit_is_one_problem():
    found = check("version: '2.0'\nwf: " + "[" * 100_000)
    assert [(p.line, p.message) for p in found] == [
        (2, "the document is nested more than 200 levels deep")
    ]


def test_missing_version():
    assert_problems(
        """
        wf:
          tasks: {a: {}}
        """,
        [(1, 1, "has no version", "")],
    )


def test_wrong_version():
    assert_problems(
        """
        version: '1.0'
        wf:
          tasks: {a: {}}
        """,
        [(1, 10, "version must be '2.0'", "version")],
    )
    assert (
        check(doc("version: '2'\nwf: {tasks: {a: {}}}"))[0].fix == "write version: '2.0' (quoted)"
    )


def test_numeric_version_two_is_accepted():
    for version in ("2", "2.0", "'2.0'", '"2.0"'):
        assert check(f"version: {version}\nwf:\n  tasks:\n    a: {{}}\n") == []


def test_no_workflow():
    assert_problems("version: '2.0'\n", [(1, 1, "has no workflow", "")])


def test_workflow_must_be_a_mapping():
    assert_problems(
        """
        version: '2.0'
        wf: [a]
        """,
        [(2, 5, "workflow 'wf' must be a mapping with tasks", "wf")],
    )


def test_workbook_unknown_key_and_missing_name():
    assert_problems(
        """
        version: '2.0'
        workflows:
          wf:
            tasks: {a: {}}
        action:
          x: {base: std.noop}
        """,
        [
            (1, 1, "a workbook needs a name", ""),
            (5, 1, "unknown key 'action' in a workbook", "action"),
        ],
    )
    found = check(doc("version: '2.0'\nname: wb\nworkflows: {wf: {tasks: {a: {}}}}\naction: {}\n"))
    assert found[0].fix == "did you mean 'actions'?"


def test_workflow_unknown_key_with_suggestion():
    found = check(
        doc(
            """
        version: '2.0'
        wf:
          taks: {}
          tasks: {a: {}}
        """
        )
    )
    assert [(p.line, p.column, p.message, p.path, p.key, p.fix) for p in found] == [
        (3, 3, "unknown key 'taks' in a workflow", "wf.taks", "taks", "did you mean 'tasks'?")
    ]


def test_workflow_level_keys_holding_anchors_are_allowed():
    text = doc(
        """
        version: '2.0'
        wf:
          defaults: &run
            action: std.echo output=1
          tasks:
            a:
              <<: *run
            b:
              <<: *run
              action: std.noop
          plain_extra: 1
        """
    )
    found = check(text)
    assert [(p.line, p.message) for p in found] == [(11, "unknown key 'plain_extra' in a workflow")]
    assert "anchor" in found[0].fix
    tasks = load(text.replace("  plain_extra: 1\n", "")).main.tasks
    assert (tasks["a"].action, tasks["a"].input) == ("std.echo", {"output": 1})
    assert (tasks["b"].action, tasks["b"].input) == ("std.noop", {})


def test_top_level_anchor_holder_is_not_a_workflow():
    text = doc(
        """
        version: '2.0'
        shared: &shared
          output: 1
        wf:
          tasks:
            a:
              action: std.echo
              input: *shared
        """
    )
    document = load(text)
    assert list(document.workflows) == ["wf"]
    assert document.main.tasks["a"].input == {"output": 1}


def test_workflow_type_and_tasks():
    assert_problems(
        """
        version: '2.0'
        wf1:
          type: sideways
          tasks: {a: {}}
        wf2:
          description: no tasks here
        wf3:
          tasks: []
        wf4:
          tasks: {}
        """,
        [
            (3, 9, "workflow type must be direct or reverse", "wf1.type"),
            (5, 1, "workflow 'wf2' has no tasks", "wf2"),
            (8, 10, "tasks must be a mapping of task names", "wf3.tasks"),
            (10, 10, "workflow 'wf4' has no tasks", "wf4.tasks"),
        ],
    )


def test_input_names():
    assert_problems(
        """
        version: '2.0'
        wf:
          input:
            - ok
            - 1bad
            - ok
            - {a: 1, b: 2}
            - with-dash: 1
          vars: [1]
          tasks: {a: {}}
        """,
        [
            (5, 7, "input name '1bad' is not an identifier", "wf.input.1"),
            (6, 7, "input 'ok' is declared twice", "wf.input.2"),
            (7, 7, "each input must be a name or a single 'name: default'", "wf.input.3"),
            (8, 7, "input name 'with-dash' is not an identifier", "wf.input.4"),
            (9, 9, "vars must be a mapping", "wf.vars"),
        ],
    )


def test_duplicate_task_names():
    assert_problems(
        """
        version: '2.0'
        wf:
          tasks:
            a: {action: std.noop}
            a: {action: std.noop}
        """,
        [(5, 5, "task 'a' is defined twice", "wf.tasks.a")],
    )


def test_duplicate_keys_elsewhere_keep_the_last_value():
    document = load(
        doc(
            """
        version: '2.0'
        wf:
          tasks:
            a:
              action: std.echo
              input: {output: 1, output: 2}
        """
        )
    )
    assert document.main.tasks["a"].input == {"output": 2}


def test_non_ascii_is_accepted():
    assert check("version: '2.0'\nwf:\n  tasks:\n    a:\n      action: std.echo output=é\n") == []


def test_problems_collect_everything_sorted():
    found = check(
        doc(
            """
        version: '3.0'
        wf:
          tasks:
            a: {actoin: std.noop}
            b: {on-success: zz}
        """
        )
    )
    assert [(p.line, p.column) for p in found] == sorted((p.line, p.column) for p in found)
    assert len(found) == 3


def test_workflow_outside_workflows_in_a_workbook():
    assert_problems(
        """
        version: '2.0'
        name: wb
        wf:
          tasks: {a: {}}
        """,
        [
            (1, 1, "the definition has no workflow", ""),
            (3, 1, "workflow 'wf' is outside workflows: in a workbook", "wf"),
        ],
    )
