"""on-success / on-error / on-complete clauses: parsing, then the checks on the task graph.

`parse_clause` takes a clause node and gives its `RawTransition`s (plus the ``publish`` node of
Mistral's ``{publish: ..., next: ...}`` form). `check_targets` resolves each target to a task
or an engine command (a task named like a command wins) and reports unknown targets,
self-transitions and parameters the target does not take. Graph rules are in `graph`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.inline import is_bare_name, parse_inline
from chalicelib.language.model import ENGINE_COMMANDS
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, describe
from chalicelib.language.schema import ENGINE_COMMAND_PARAMS, did_you_mean, is_template

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
    if is_bare_name(text) and not is_template(text):
        # the common case, a task name alone: what the general path below gives for it
        return RawTransition(text, node, clause, path, guard, {}, 0)
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
    listed = type(node) is Sequence
    items = node.items if listed else [node]  # type: ignore[attr-defined]
    for index, item in enumerate(items):
        where = (*path, str(index)) if listed else path
        kind = type(item)
        if kind is Scalar and type(item.value) is str:
            found = _one(ctx, item.value, item, where, clause, scope, None)
        elif kind is Mapping and len(item.entries) == 1:
            key, (knode, guard_node) = next(iter(item.entries.items()))
            guard = None
            if (
                isinstance(guard_node, Scalar)
                and isinstance(guard_node.value, str)
                and is_template(guard_node.value)
            ):
                guard = guard_node.value
                ctx.checker.template(
                    guard_node, (*where, key), guard, 0, scope.tasks, scope.workflow
                )
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
