"""Task graphs of workflow definitions, as Mermaid or Graphviz DOT text.

`task_graph(workflow, states)` takes a `chalicelib.language.model.Workflow` and gives a `Graph`:
- a node per task, in document order; a task that calls a sub-workflow is marked as such;
- a terminal node per engine command a transition names (fail, succeed, pause), one per
  command and parameters;
- an edge per transition: on-success plain, on-error dashed and red, on-complete bold, each
  but on-success labelled with its clause, a guard added to the label; for reverse
  workflows, an edge from each required task to the task that requires it.
With `states` (task name → the execution's ``mistralState``), task nodes are coloured: success
green, error red, running blue, cancelled grey, and white for tasks that never ran.
`mermaid(graph)` gives a ``flowchart TD``, `dot(graph)` a ``digraph``. Node ids are n0, n1, ...
whatever the task names hold; the names appear only in escaped labels.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from chalicelib.language.model import Transition, Workflow

NodeKind = Literal["task", "subworkflow", "command"]
EdgeKind = Literal["on-success", "on-error", "on-complete", "requires"]

NEVER_RAN = "never ran"
FILL = {"success": "#a5d6a7", "error": "#ef9a9a", "running": "#90caf9",
        "cancelled": "#bdbdbd", NEVER_RAN: "#ffffff"}
_CLASS = {"success": "success", "error": "error", "running": "running",
          "cancelled": "cancelled", NEVER_RAN: "neverran"}  # Mermaid class names: no spaces


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    kind: NodeKind
    detail: str = ""  # the sub-workflow a task calls
    state: str | None = None  # a key of FILL when the graph shows an execution


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind
    guard: str | None = None  # the template as written, ``<% ... %>``

    @property
    def label(self) -> str:
        clause = "" if self.kind in ("on-success", "requires") else self.kind
        return ": ".join(part for part in (clause, self.guard) if part)


@dataclass
class Graph:
    name: str
    nodes: list[Node] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)


def _command_name(transition: Transition) -> str:
    params = " ".join(f"{key}={json.dumps(value, ensure_ascii=False)}"
                      for key, value in transition.params.items())
    return f"{transition.target} {params}".strip()


def task_graph(workflow: Workflow, states: Mapping[str, str] | None = None) -> Graph:
    graph = Graph(workflow.name)
    ids: dict[str, str] = {}
    for name, task in workflow.tasks.items():
        ids[name] = f"n{len(graph.nodes)}"
        state = None if states is None else states.get(name, NEVER_RAN)
        graph.nodes.append(Node(ids[name], name, "subworkflow" if task.workflow else "task",
                                task.workflow or "", state if state in FILL else None))
    commands: dict[str, str] = {}
    for name, task in workflow.tasks.items():
        for required in task.requires:
            graph.edges.append(Edge(ids[required], ids[name], "requires"))
        clauses = (("on-success", task.on_success), ("on-error", task.on_error),
                   ("on-complete", task.on_complete))
        for kind, transitions in clauses:
            for transition in transitions:
                if transition.is_command:
                    command = _command_name(transition)
                    if command not in commands:
                        commands[command] = f"n{len(graph.nodes)}"
                        graph.nodes.append(Node(commands[command], command, "command"))
                    target = commands[command]
                else:
                    target = ids[transition.target]
                graph.edges.append(Edge(ids[name], target, kind, transition.guard))
    return graph


def _plain(text: str) -> str:
    """One line: labels never need a line break from a name or a guard."""
    return " ".join(text.split())


_MERMAID_ESCAPES = {ord(c): f"#{ord(c)};" for c in '"#&<>`|'}


def _mermaid_text(text: str) -> str:
    return _plain(text).translate(_MERMAID_ESCAPES)


def _mermaid_node(node: Node) -> str:
    label = _mermaid_text(node.name)
    if node.kind == "subworkflow":
        return f'{node.id}[["{label}<br>sub-workflow {_mermaid_text(node.detail)}"]]'
    if node.kind == "command":
        return f'{node.id}(["{label}"])'
    return f'{node.id}["{label}"]'


_MERMAID_ARROWS = {"on-success": "-->", "on-error": "-.->", "on-complete": "==>",
                   "requires": "-->"}


def mermaid(graph: Graph) -> str:
    lines = ["flowchart TD"]
    lines += [f"    {_mermaid_node(node)}" for node in graph.nodes]
    for edge in graph.edges:
        arrow = _MERMAID_ARROWS[edge.kind]
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"    {edge.source} {arrow}{label} {edge.target}")
    red_edges = [str(i) for i, edge in enumerate(graph.edges) if edge.kind == "on-error"]
    if red_edges:
        lines.append(f"    linkStyle {','.join(red_edges)} stroke:#c62828")
    states = {node.state for node in graph.nodes if node.state}
    for state in (s for s in FILL if s in states):
        lines.append(f"    classDef {_CLASS[state]} fill:{FILL[state]},stroke:#424242")
        members = ",".join(node.id for node in graph.nodes if node.state == state)
        lines.append(f"    class {members} {_CLASS[state]}")
    return "\n".join(lines) + "\n"


def _dot_text(text: str) -> str:
    return _plain(text).replace("\\", "\\\\").replace('"', '\\"')


def _dot_node(node: Node) -> str:
    attributes = {"label": _dot_text(node.name)}
    if node.kind == "subworkflow":
        attributes["label"] += f"\\nsub-workflow {_dot_text(node.detail)}"
        attributes["peripheries"] = "2"
    elif node.kind == "command":
        attributes["shape"] = "oval"
    if node.state:
        attributes.update(style="filled", fillcolor=FILL[node.state])
    return f"{node.id} [{_dot_attributes(attributes)}];"


def _dot_attributes(attributes: Mapping[str, str]) -> str:
    """Values already escaped by `_dot_text` or written here."""
    return ", ".join(f'{key}="{value}"' for key, value in attributes.items())


_DOT_EDGE_STYLES = {"on-success": {}, "on-error": {"style": "dashed", "color": "#c62828"},
                    "on-complete": {"style": "bold"}, "requires": {}}


def dot(graph: Graph) -> str:
    lines = [f'digraph "{_dot_text(graph.name)}" {{', '    node [shape="box"];']
    lines += [f"    {_dot_node(node)}" for node in graph.nodes]
    for edge in graph.edges:
        attributes = dict(_DOT_EDGE_STYLES[edge.kind])
        if edge.label:
            attributes["label"] = _dot_text(edge.label)
        listed = f" [{_dot_attributes(attributes)}]" if attributes else ""
        lines.append(f"    {edge.source} -> {edge.target}{listed};")
    lines.append("}")
    return "\n".join(lines) + "\n"
