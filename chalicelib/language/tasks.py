"""One task (or a workflow's task-defaults): check each key, give a normalised `TaskSpec`.

`parse_task` takes a task's mapping node and gives a `TaskSpec` whose `values` hold, for each key
that is present and valid, its normalised value: `Call` for action / workflow, dicts for input
(or an expression string) and publish, `RawTransition` lists for the clauses, ``"all"`` or an
int for join, `WithItem`s, a `RetryPolicy`, numbers or expression strings for the timing keys.
`merge_defaults` applies task-defaults following Mistral (one clause kind at a time; a default
transition or requirement naming the task itself is dropped; other keys: the task's own wins).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.inline import is_bare_name, parse_inline
from chalicelib.language.nodes import Mapping, Node, Scalar, describe, to_python
from chalicelib.language.options import parse_join, parse_retry, parse_with_items
from chalicelib.language.schema import CLAUSES, TASK_KEYS, is_template
from chalicelib.language.transitions import parse_clause

_TASK_KEYS = frozenset(TASK_KEYS)  # membership tests, once per key of every task


@dataclass
class Call:
    """``action:`` or ``workflow:`` as written: the name and its inline parameters."""

    kind: str  # "action" | "workflow"
    name: str
    params: dict[str, Any]
    node: Scalar
    key_offsets: dict[str, int] = field(default_factory=dict)  # where each parameter's key starts


@dataclass
class TaskSpec:
    name: str
    key: Node
    path: Path
    values: dict[str, Any] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)


def parse_call(ctx: Context, kind: str, node: Node, path: Path, scope: Scope) -> Call | None:
    if not (isinstance(node, Scalar) and isinstance(node.value, str) and node.value.strip()):
        ctx.problem(
            node,
            path,
            f"{kind} must be a name, not {describe(node)}",
            f"write {kind}: name (optionally followed by key=value parameters)",
        )
        return None
    text = node.value
    if is_bare_name(text) and not ("<%" in text or "{{" in text or "{%" in text):
        return Call(kind, text, {}, node, {})  # a name alone: what the general path gives
    inline = parse_inline(text)
    if node.value.lstrip().startswith(("<%", "{{", "{%")) or is_template(inline.name):
        ctx.problem(
            node,
            path,
            f"the {kind} name cannot be an expression ({node.value.strip()!r})",
            f"name the {kind} directly; choose between tasks with guarded transitions instead",
        )
        return None
    if inline.error:
        message, offset = inline.error
        ctx.problem(
            node,
            path,
            f"cannot read the parameters of {kind} {inline.name}: {message}",
            'write parameters as key=value, quoting values with spaces: key="a b"',
            offset=offset,
        )
        return None
    for key, value in inline.params.items():
        ctx.checker.value(
            value, node, (*path, key), inline.offsets[key], scope.tasks, scope.workflow
        )
    offsets = {key: inline.offsets[key] - len(key) - 1 for key in inline.params}
    return Call(kind, inline.name, inline.params, node, offsets)


def _input(ctx: Context, node: Node, path: Path, scope: Scope) -> dict[str, Any] | str | None:
    if isinstance(node, Scalar) and isinstance(node.value, str) and is_template(node.value):
        return ctx.expression(node.value, node, path, scope)
    return ctx.mapping(node, path, scope, "input")


def parse_task(
    ctx: Context, name: str, key: Node, node: Node, path: Path, scope: Scope
) -> TaskSpec:
    spec = TaskSpec(name, key, path)
    if not isinstance(node, Mapping):
        if not (isinstance(node, Scalar) and node.value is None):
            ctx.problem(
                node,
                path,
                f"task '{name}' must be a mapping of task keys, not {describe(node)}",
                "indent the task's keys (action, input, on-success, ...) under its name",
            )
        return spec
    values = spec.values
    clause_publishes: list[tuple[str, Node, Path]] = []
    for key_text, (knode, value) in node.entries.items():
        if key_text not in _TASK_KEYS:
            ctx.unknown_key(knode, path, key_text, TASK_KEYS, "a task")
            continue
        if type(value) is Scalar and value.value is None:
            continue
        where = (*path, key_text)
        spec.nodes[key_text] = value
        result: Any = None
        if key_text in ("action", "workflow"):
            result = parse_call(ctx, key_text, value, where, scope)
        elif key_text == "input":
            result = _input(ctx, value, where, scope)
        elif key_text in ("publish", "publish-on-error"):
            result = ctx.mapping(value, where, scope, key_text)
        elif key_text in CLAUSES:
            transitions, publish = parse_clause(ctx, value, where, key_text, scope)
            result = transitions
            if publish is not None:
                clause_publishes.append((key_text, publish, (*where, "publish")))
        elif key_text == "join":
            result = parse_join(ctx, value, where)
        elif key_text == "requires":
            result = ctx.string_list(value, where, "a required task")
        elif key_text == "with-items":
            result = parse_with_items(ctx, value, where, scope)
        elif key_text == "concurrency":
            result = ctx.number(to_python(value), value, where, scope, 1)
        elif key_text in ("wait-before", "wait-after", "timeout"):
            result = ctx.number(to_python(value), value, where, scope, 0)
        elif key_text == "retry":
            result = parse_retry(ctx, value, where, scope)
        elif key_text in ("pause-before", "keep-result", "safe-rerun"):
            result = ctx.flag(to_python(value), value, where, scope)
        elif key_text == "fail-on":
            result = ctx.expression(to_python(value), value, where, scope)
        elif key_text in ("description", "target", "name"):
            result = ctx.text(value, where)
        elif key_text == "tags":
            result = ctx.string_list(value, where, "a tag")
        if result is not None:
            values[key_text] = result
    for clause, publish, where in clause_publishes:
        _clause_publish(ctx, spec, clause, publish, where, scope)
    return spec


def _clause_publish(
    ctx: Context, spec: TaskSpec, clause: str, node: Node, path: Path, scope: Scope
) -> None:
    """``on-success: {publish: {branch: {...}}, next: ...}``: branch publishes join the task's."""
    if not isinstance(node, Mapping):
        ctx.problem(
            node,
            path,
            f"publish in {clause} must be a mapping with branch",
            "write publish: {branch: {name: value}}",
        )
        return
    for key, knode, value in node.items():
        if key != "branch":
            ctx.problem(
                knode,
                (*path, key),
                f"publish scope '{key}' is not supported",
                "publish under branch (task variables are visible to every later task)",
            )
            continue
        published = ctx.mapping(value, (*path, key), scope, "publish.branch")
        if published is None:
            continue
        targets = {
            "on-success": ("publish",),
            "on-error": ("publish-on-error",),
            "on-complete": ("publish", "publish-on-error"),
        }[clause]
        for target in targets:
            spec.values[target] = {**spec.values.get(target, {}), **published}
            spec.nodes.setdefault(target, value)


def merge_defaults(defaults: TaskSpec | None, task: TaskSpec) -> TaskSpec:
    """The task as it runs: task-defaults under the task's own keys (see module docstring)."""
    if defaults is None:
        return task
    values: dict[str, Any] = {}
    nodes: dict[str, Node] = {}
    for key, value in defaults.values.items():
        if key in CLAUSES:
            value = [t for t in value if t.target != task.name]
        elif key == "requires":
            value = [item for item in value if item[0] != task.name]
        values[key] = value
        nodes[key] = defaults.nodes[key]
    if (
        "action" in task.values
        or "workflow" in task.values
        or "action" in task.nodes
        or "workflow" in task.nodes
    ):
        for key in ("action", "workflow"):
            values.pop(key, None)
            nodes.pop(key, None)
    values.update(task.values)
    nodes.update(task.nodes)
    return replace(task, values=values, nodes=nodes)
