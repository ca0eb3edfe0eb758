"""Rules on a workflow's task graph (with task-defaults applied).

`check_graph` (direct workflows) reports a workflow without a start task, loops that can never
end (a strongly connected set of tasks whose every transition is an unconditional on-success /
on-complete to another member) and ``join: N`` larger than the number of inbound tasks;
`check_requires` (reverse workflows) reports unknown and cyclic ``requires``.
"""

from __future__ import annotations

from typing import Any

from chalicelib.language.context import Context, Path
from chalicelib.language.nodes import Node, Scalar
from chalicelib.language.schema import CLAUSES, did_you_mean
from chalicelib.language.transitions import RawTransition


def check_graph(
    ctx: Context,
    wf_path: Path,
    tasks: dict[str, Any],
    effective: dict[str, Any],
    positions: dict[str, Node],
) -> None:
    """Direct workflows: start tasks, never-ending loops, join counts. `effective` maps each
    task name to its `TaskSpec` with task-defaults applied."""
    out: dict[str, list[RawTransition]] = {}
    inbound: dict[str, set[str]] = {name: set() for name in tasks}
    graph: dict[str, list[str]] = {}  # task → the tasks its transitions name
    for name in tasks:
        values = effective[name].values
        transitions: list[RawTransition] = []
        targets: list[str] = []
        for clause in CLAUSES:
            found = values.get(clause)
            if found:
                transitions += found
                for t in found:
                    if not t.is_command and t.target in inbound:
                        inbound[t.target].add(name)
                        targets.append(t.target)
        out[name] = transitions
        graph[name] = targets
    if tasks and all(inbound.values()):
        first = next(iter(tasks))
        ctx.problem(
            positions[first],
            (*wf_path, "tasks"),
            "no task can start: every task is the target of a transition",
            "make sure at least one task is not named in any on-success / on-error / on-complete",
            key=first,
        )
    for name in tasks:
        join = effective[name].values.get("join")
        if isinstance(join, int) and join > len(inbound[name]):
            ctx.problem(
                effective[name].nodes.get("join", positions[name]),
                (*wf_path, "tasks", name, "join"),
                f"join: {join} waits for more tasks than the {len(inbound[name])} "
                f"that lead to '{name}'",
                f"write join: all, or a number up to {len(inbound[name])}",
            )
    for component in _cycles(graph):
        members = set(component)
        endless = all(
            t.guard is None and t.clause != "on-error" and not t.is_command and t.target in members
            for n in component
            for t in out[n]
        )
        if endless:
            first = min(component, key=list(tasks).index)
            ctx.problem(
                positions[first],
                (*wf_path, "tasks", first),
                f"tasks {', '.join(sorted(members))} loop forever: "
                "no transition ever leaves the loop",
                "add a condition (- name: <% ... %>) or an on-error or engine command that leaves",
                key=first,
            )


def _cycles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected components that hold a cycle (more than one task, or one that
    names itself). Tasks that no cycle leads to are peeled off first (Kahn's algorithm: in
    most workflows that is every task), so the component search sees only the rest."""
    indegree = dict.fromkeys(graph, 0)
    for edges in graph.values():
        for target in edges:
            indegree[target] += 1
    ready = [name for name, count in indegree.items() if count == 0]
    while ready:
        for target in graph[ready.pop()]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    rest = {
        name: [t for t in edges if indegree[t]] for name, edges in graph.items() if indegree[name]
    }
    return [
        component
        for component in _components(rest)
        if len(component) > 1 or component[0] in rest[component[0]]
    ]


def _components(graph: dict[str, list[str]]) -> list[list[str]]:
    """Strongly connected components (iterative Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    result: list[list[str]] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, 0)]
        while work:
            node, i = work.pop()
            if i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            recurse = False
            edges = graph[node]
            while i < len(edges):
                nxt = edges[i]
                i += 1
                if nxt not in index:
                    work.append((node, i))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                result.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return result


def check_requires(
    ctx: Context,
    wf_path: Path,
    tasks: dict[str, Any],
    requires: dict[str, list[tuple[str, Scalar, Path]]],
    positions: dict[str, Node],
) -> None:
    """Reverse workflows: every required task exists and requirements form no cycle."""
    graph: dict[str, list[str]] = {name: [] for name in tasks}
    for name, items in requires.items():
        for required, node, path in items:
            if required in tasks:
                graph[name].append(required)
            else:
                ctx.problem(
                    node,
                    path,
                    f"task '{name}' requires unknown task '{required}'",
                    did_you_mean(required, tasks, "tasks"),
                    key=required,
                )
    for component in _cycles(graph):
        first = min(component, key=list(tasks).index)
        ctx.problem(
            positions[first],
            (*wf_path, "tasks", first),
            f"tasks {', '.join(sorted(component))} require each other in a cycle",
            "remove one of the requires so that the requirements form a tree",
            key=first,
        )
