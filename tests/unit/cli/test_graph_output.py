"""`stepwise graph`: Mermaid and DOT text for several workflow shapes."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chalicelib.language import load
from stepwise.cli import main
from stepwise.graph import dot, mermaid, task_graph

CANNED = Path(__file__).parent / "data" / "execution.json"

BRANCHES = """version: '2.0'
branches:
  tasks:
    start:
      action: std.noop
      on-success:
        - big: <% $.size > 10 %>
        - small
      on-error:
        - fail msg="start broke"
      on-complete: [audit]
    big:
      action: std.noop
    small:
      action: std.noop
      on-success: [succeed]
    audit:
      action: std.noop
      on-error: [pause]
"""

# a transition's target cannot hold a space (``name key=value`` gives parameters)
NAMES = """version: '2.0'
odd:
  tasks:
    'say "hi" | there':
      action: std.noop
      on-success: ['café#1']
    'café#1':
      action: std.noop
      on-success: ['back\\slash<b>']
    'back\\slash<b>':
      action: std.noop
"""

REVERSE = """version: '2.0'
build:
  type: reverse
  tasks:
    fetch:
      action: std.noop
    compile:
      action: std.noop
      requires: [fetch]
    package:
      action: std.noop
      requires: [compile, fetch]
"""

WORKBOOK = """version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: helper
  helper:
    tasks:
      work:
        action: std.noop
"""


def graph_of(text: str, workflow: str | None = None, states=None):
    document = load(text)
    return task_graph(document.workflows[workflow] if workflow else document.main, states)


def test_mermaid_of_branches_shows_each_clause_guards_and_commands():
    text = mermaid(graph_of(BRANCHES))
    assert text.splitlines() == [
        "flowchart TD",
        '    n0["start"]',
        '    n1["big"]',
        '    n2["small"]',
        '    n3["audit"]',
        '    n4(["fail msg=#34;start broke#34;"])',
        '    n5(["succeed"])',
        '    n6(["pause"])',
        '    n0 -->|"#60;% $.size #62; 10 %#62;"| n1',
        "    n0 --> n2",
        '    n0 -.->|"on-error"| n4',
        '    n0 ==>|"on-complete"| n3',
        "    n2 --> n5",
        '    n3 -.->|"on-error"| n6',
        "    linkStyle 2,5 stroke:#c62828",
    ]


def test_dot_of_branches_styles_error_and_complete_edges():
    text = dot(graph_of(BRANCHES))
    assert 'n4 [label="fail msg=\\"start broke\\"", shape="oval"];' in text
    assert '    n0 -> n1 [label="<% $.size > 10 %>"];' in text
    assert '    n0 -> n2;' in text
    assert '    n0 -> n4 [style="dashed", color="#c62828", label="on-error"];' in text
    assert '    n0 -> n3 [style="bold", label="on-complete"];' in text
    assert text.startswith('digraph "branches" {\n') and text.endswith("}\n")


def test_names_with_quotes_spaces_and_unicode_only_appear_escaped_in_labels():
    graph = graph_of(NAMES)
    assert [node.id for node in graph.nodes] == ["n0", "n1", "n2"]
    text = mermaid(graph)
    assert '    n0["say #34;hi#34; #124; there"]' in text
    assert '    n1["café#35;1"]' in text
    assert '    n2["back\\slash#60;b#62;"]' in text
    assert "    n0 --> n1\n    n1 --> n2\n" in text
    text = dot(graph)
    assert '    n0 [label="say \\"hi\\" | there"];' in text
    assert '    n1 [label="café#1"];' in text
    assert '    n2 [label="back\\\\slash<b>"];' in text


@pytest.mark.parametrize("render", [mermaid, dot])
def test_every_quote_in_the_output_is_a_label_delimiter(render):
    for line in render(graph_of(NAMES)).splitlines():
        unescaped = re.sub(r'\\\\|\\"', "", line)
        assert unescaped.count('"') % 2 == 0, line


def test_reverse_workflows_draw_requires_from_the_required_task():
    graph = graph_of(REVERSE)
    assert [(e.source, e.target, e.kind) for e in graph.edges] == [
        ("n0", "n1", "requires"), ("n1", "n2", "requires"), ("n0", "n2", "requires")]
    assert "    n1 --> n2\n" in mermaid(graph) and "    n0 -> n2;\n" in dot(graph)


def test_sub_workflow_calls_are_marked():
    graph = graph_of(WORKBOOK)
    assert '    n0[["call<br>sub-workflow helper"]]' in mermaid(graph)
    assert '    n0 [label="call\\nsub-workflow helper", peripheries="2"];' in dot(graph)
    assert '    n0["work"]' in mermaid(graph_of(WORKBOOK, "helper"))


def test_execution_states_colour_the_task_nodes():
    execution = json.loads(CANNED.read_text())
    states = {task["name"]: task["mistralState"] for task in execution["tasks"]}
    graph = graph_of(execution["definition"], states=states)
    text = mermaid(graph)
    assert "    class n0 success\n" in text
    assert "    class n1 error\n" in text
    assert "    class n2 running\n" in text
    assert "    class n3 cancelled\n" in text
    assert "    class n4 neverran\n" in text
    assert "    classDef neverran fill:#ffffff,stroke:#424242\n" in text
    text = dot(graph)
    assert ('n0 [label="extract\\nsub-workflow fetcher", peripheries="2", style="filled", '
            'fillcolor="#a5d6a7"];') in text
    assert 'n1 [label="load rows", style="filled", fillcolor="#ef9a9a"];' in text
    assert 'n2 [label="notify", style="filled", fillcolor="#90caf9"];' in text
    assert 'n3 [label="report", style="filled", fillcolor="#bdbdbd"];' in text
    assert 'n4 [label="archive", style="filled", fillcolor="#ffffff"];' in text


def test_without_an_execution_nothing_is_coloured():
    text = mermaid(graph_of(BRANCHES)) + dot(graph_of(BRANCHES))
    assert "classDef" not in text and "fillcolor" not in text


def test_graph_command_prints_either_format(tmp_path, capsys):
    path = tmp_path / "wf.yaml"
    path.write_text(BRANCHES)
    assert main(["graph", str(path)]) == 0
    assert capsys.readouterr().out == mermaid(graph_of(BRANCHES))
    assert main(["graph", str(path), "--format", "dot"]) == 0
    assert capsys.readouterr().out == dot(graph_of(BRANCHES))


def test_graph_command_usage_and_invalid_files(tmp_path, capsys):
    path = tmp_path / "wf.yaml"
    path.write_text(WORKBOOK)
    assert main(["graph", str(path), "--workflow", "nope"]) == 2
    assert "choose one of main, helper" in capsys.readouterr().err
    assert main(["graph"]) == 2
    assert "either FILE or --execution" in capsys.readouterr().err
    path.write_text("version: '2.0'\nwf:\n  tasks:\n    a:\n      on-success: b\n")
    assert main(["graph", str(path)]) == 1
    assert f"{path}:5:" in capsys.readouterr().err
