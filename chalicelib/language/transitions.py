"""on-success / on-error / on-complete clauses: parsing, then the checks on the task graph.

`parse_clause` takes a clause node and gives its `RawTransition`s (plus the ``publish`` node of
Mistral's ``{publish: ..., next: ...}`` form). `check_targets` resolves each target to a task
or an engine command; `check_graph` reports a direct workflow without a start task, loops that
can never end, and ``join: N`` larger than the number of inbound tasks; `check_requires`
reports unknown and cyclic ``requires`` of reverse workflows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable

from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.inline import parse_inline
from chalicelib.language.loader import Mapping, Node, Scalar, Sequence, describe
from chalicelib.language.model import ENGINE_COMMANDS
from chalicelib.language.schema import CLAUSES, ENGINE_COMMAND_PARAMS, did_you_mean, is_template

_FIX_FORM = "write a task name, a list of names, or '- name: <% condition %>' items"


@dataclass
class RawTransition:
    target: str
    node: Scalar  # the scalar holding the target (offset `offset` into its value)
    clause: str
    path: Path
    guard: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    offset: int = 0
    is_command: bool = False


def _one(
    ctx: Context, text: str, node: Scalar, path: Path, clause: str, scope: Scope, guard: str | None
) -> RawTransition | None:
    inline = parse_inline(text)
    if inline.error:
        message, offset = inline.error
        ctx.problem(
            node,
            path,
            f"cannot read transition {text!r}: {message}",
            "write the target name, then engine command parameters as key=value",
            offset=offset,
        )
        return None
    if not inline.name:
        ctx.problem(node, path, "a transition target cannot be empty", _FIX_FORM)
        return None
    if is_template(inline.name):
        ctx.problem(
            node,
            path,
            f"a transition target must be a task name, not the expression {inline.name!r}",
            "write - task_name: <% condition %> to choose a target at run time",
        )
        return None
    for key, value in inline.params.items():
        ctx.checker.value(value, node, path, inline.offsets[key], scope.tasks, scope.workflow)
    return RawTransition(inline.name, node, clause, path, guard, inline.params, inline.name_offset)


def _items(ctx: Context, node: Node, path: Path, clause: str, scope: Scope) -> list[RawTransition]:
    result: list[RawTransition] = []
    items = node.items if isinstance(node, Sequence) else [node]
    for index, item in enumerate(items):
        where = (*path, str(index)) if isinstance(node, Sequence) else path
        if isinstance(item, Scalar) and isinstance(item.value, str):
            found = _one(ctx, item.value, item, where, clause, scope, None)
        elif isinstance(item, Mapping) and len(item.entries) == 1:
            key, knode, guard_node = next(item.items())
            guard = None
            if (
                isinstance(guard_node, Scalar)
                and isinstance(guard_node.value, str)
                and is_template(guard_node.value)
            ):
                guard = guard_node.value
                ctx.checker.string(guard_node, (*where, key), guard, 0, scope.tasks, scope.workflow)
            else:
                ctx.problem(
                    guard_node,
                    (*where, key),
                    f"the condition of transition '{key}' must be an expression, "
                    f"not {describe(guard_node)}",
                    f"write - {key}: <% condition %>",
                )
            found = _one(ctx, key, knode, where, clause, scope, guard)
        elif isinstance(item, Mapping):
            ctx.problem(
                item,
                where,
                "each transition item must name one target",
                "write one '- name: <% condition %>' per list item",
            )
            found = None
        else:
            ctx.problem(
                item, where, f"a transition must be a task name, not {describe(item)}", _FIX_FORM
            )
            found = None
        if found:
            result.append(found)
    return result


def parse_clause(
    ctx: Context, node: Node, path: Path, clause: str, scope: Scope
) -> tuple[list[RawTransition], Node | None]:
    """The transitions of one clause and the ``publish`` node of the advanced form (if any)."""
    if isinstance(node, Scalar) and node.value is None:
        return [], None
    if isinstance(node, Mapping):
        if "next" not in node.entries and "publish" not in node.entries:
            ctx.problem(
                node,
                path,
                f"{clause} as a mapping must have 'next' (and optionally 'publish')",
                "write a list instead: '- name: <% condition %>' items",
            )
            return [], None
        for key, knode, _value in node.items():
            if key not in ("next", "publish"):
                ctx.problem(
                    knode,
                    (*path, key),
                    f"unknown key '{key}' in {clause}",
                    did_you_mean(key, ("next", "publish")),
                )
        nxt = node.get("next")
        found = (
            []
            if nxt is None or (isinstance(nxt, Scalar) and nxt.value is None)
            else _items(ctx, nxt, (*path, "next"), clause, scope)
        )
        return found, node.get("publish")
    if isinstance(node, (Sequence, Scalar)) and not (
        isinstance(node, Scalar) and not isinstance(node.value, str)
    ):
        return _items(ctx, node, path, clause, scope), None
    ctx.problem(
        node, path, f"{clause} must be a task name or a list, not {describe(node)}", _FIX_FORM
    )
    return [], None


def check_targets(
    ctx: Context, transitions: Iterable[RawTransition], tasks: dict[str, Any], own: str | None
) -> None:
    """Resolve targets (tasks first, then engine commands); `own` is the task's name (None for
    task-defaults, whose transitions to a task itself are dropped later)."""
    for t in transitions:
        path = t.path
        if t.target in tasks:
            if t.params:
                ctx.problem(
                    t.node,
                    path,
                    f"transition to task '{t.target}' cannot take parameters",
                    "only engine commands (succeed, fail, pause) take parameters such as msg=...",
                    key=t.target,
                    offset=t.offset,
                )
            if own is not None and t.target == own:
                ctx.problem(
                    t.node,
                    path,
                    f"task '{own}' transitions to itself",
                    "repeat a task with retry (count, delay, continue-on), or via another task",
                    key=t.target,
                    offset=t.offset,
                )
        elif t.target in ENGINE_COMMANDS:
            t.is_command = True
            for key in t.params:
                if key not in ENGINE_COMMAND_PARAMS:
                    ctx.problem(
                        t.node,
                        path,
                        f"engine command {t.target} takes no parameter '{key}'",
                        'write msg="..." or nothing',
                        key=key,
                        offset=t.offset,
                    )
        else:
            ctx.problem(
                t.node,
                path,
                f"transition to unknown task '{t.target}'",
                did_you_mean(t.target, [*tasks, *ENGINE_COMMANDS], "tasks and engine commands"),
                key=t.target,
                offset=t.offset,
            )


def check_graph(
    ctx: Context,
    wf_path: Path,
    tasks: dict[str, Any],
    effective: dict[str, Any],
    positions: dict[str, Node],
) -> None:
    """Direct workflows: start tasks, never-ending loops, join counts. `effective` maps each
    task name to its `TaskSpec` with task-defaults applied."""
    out: dict[str, list[RawTransition]] = {name: [] for name in tasks}
    inbound: dict[str, set[str]] = {name: set() for name in tasks}
    for name in tasks:
        for clause in CLAUSES:
            for t in effective[name].values.get(clause, ()):
                out[name].append(t)
                if not t.is_command and t.target in inbound:
                    inbound[t.target].add(name)
    if tasks and all(inbound[name] for name in tasks):
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
    for component in _components(
        {n: [t.target for t in ts if not t.is_command and t.target in out] for n, ts in out.items()}
    ):
        members = set(component)
        if len(component) == 1 and not any(
            t.target == component[0] and not t.is_command for t in out[component[0]]
        ):
            continue
        endless = all(
            t.guard is None and t.clause != "on-error" and not t.is_command and t.target in members
            for n in component
            for t in out[n]
        )
        if endless:
            first = min(component, key=lambda n: list(tasks).index(n))
            ctx.problem(
                positions[first],
                (*wf_path, "tasks", first),
                f"tasks {', '.join(sorted(members))} loop forever: "
                "no transition ever leaves the loop",
                "add a condition (- name: <% ... %>) or an on-error or engine command that leaves",
                key=first,
            )


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
    for component in _components(graph):
        if len(component) > 1 or component[0] in graph[component[0]]:
            first = min(component, key=lambda n: list(tasks).index(n))
            ctx.problem(
                positions[first],
                (*wf_path, "tasks", first),
                f"tasks {', '.join(sorted(component))} require each other in a cycle",
                "remove one of the requires so that the requirements form a tree",
                key=first,
            )
