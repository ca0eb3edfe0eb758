"""One workflow: its own keys, its tasks and the rules that need all of its tasks at once.

`analyze_workflow` takes a workflow's mapping node and gives a `WorkflowSpec`: inputs as
`Parameter`s, output / vars as plain values, and every task as a `TaskSpec` with task-defaults
already applied. It reports wrong keys and types, unknown transition targets, self-transitions,
keys that do not fit the workflow type, a direct workflow without a start task, never-ending
loops, impossible joins and unknown or cyclic ``requires``. `parse_params` reads an ``input:``
list (also used by ad-hoc actions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.graph import check_graph, check_requires
from chalicelib.language.model import Parameter, Position
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, describe
from chalicelib.language.schema import CLAUSES, WORKFLOW_KEYS, is_identifier
from chalicelib.language.tasks import TaskSpec, merge_defaults, parse_task
from chalicelib.language.transitions import check_targets

_FIX_INPUT = (
    "write input as a list: '- name' for a required input, '- name: default' for an optional one"
)


@dataclass
class WorkflowSpec:
    name: str
    key: Node
    path: Path
    type: str = "direct"
    description: str = ""
    input: tuple[Parameter, ...] = ()
    input_ok: bool = True  # False when the input list had problems (skip call checks against it)
    output: Any = None
    has_output: bool = False
    output_on_error: Any = None
    has_output_on_error: bool = False
    vars: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, TaskSpec] = field(default_factory=dict)  # effective (defaults applied)


def parse_params(
    ctx: Context, node: Node, path: Path, scope: Scope
) -> tuple[tuple[Parameter, ...], bool]:
    """An ``input:`` list → parameters; the flag is False when something was reported."""
    if isinstance(node, Scalar) and node.value is None:
        return (), True
    if not isinstance(node, Sequence):
        ctx.problem(node, path, f"input must be a list of names, not {describe(node)}", _FIX_INPUT)
        return (), False
    result: list[Parameter] = []
    ok = True
    for index, item in enumerate(node.items):
        where = (*path, str(index))
        if isinstance(item, Scalar) and isinstance(item.value, str):
            name, default, has_default, at = item.value, None, False, item
        elif isinstance(item, Mapping) and len(item.entries) == 1:
            name, at, value = next(item.items())
            default, has_default = ctx.plain(value, (*where, name), scope), True
        else:
            ctx.problem(
                item,
                where,
                f"each input must be a name or a single 'name: default', not {describe(item)}",
                _FIX_INPUT,
            )
            ok = False
            continue
        if not is_identifier(name):
            ctx.problem(
                at,
                where,
                f"input name {name!r} is not an identifier",
                "use letters, digits and underscores, starting with a letter or underscore",
                key=name,
            )
            ok = False
        elif any(p.name == name for p in result):
            ctx.problem(
                at, where, f"input '{name}' is declared twice", "declare each input once", key=name
            )
            ok = False
        else:
            result.append(Parameter(name, default, has_default, Position(at.line, at.column)))
    return tuple(result), ok


def analyze_workflow(
    ctx: Context, name: str, key: Node, node: Node, path: Path
) -> WorkflowSpec | None:
    if not isinstance(node, Mapping):
        ctx.problem(
            node,
            path,
            f"workflow '{name}' must be a mapping with tasks, not {describe(node)}",
            "indent the workflow's keys (type, input, tasks, ...) under its name",
            key=name,
        )
        return None
    spec = WorkflowSpec(name, key, path)
    ctx.unknown_keys(node, path, WORKFLOW_KEYS, "a workflow", allow_anchored=True)
    type_node = node.get("type")
    if type_node is not None and not (isinstance(type_node, Scalar) and type_node.value is None):
        if isinstance(type_node, Scalar) and type_node.value in ("direct", "reverse"):
            spec.type = type_node.value
        else:
            ctx.problem(
                type_node,
                (*path, "type"),
                f"workflow type must be direct or reverse, not {describe(type_node)}",
                "write type: direct (the default) or type: reverse",
            )
    tasks_node = node.get("tasks")
    task_names: dict[str, Node] = {}
    if tasks_node is None or (isinstance(tasks_node, Scalar) and tasks_node.value is None):
        ctx.problem(
            key,
            path,
            f"workflow '{name}' has no tasks",
            "add tasks: with at least one task",
            key=name,
        )
    elif not isinstance(tasks_node, Mapping):
        ctx.problem(
            tasks_node,
            (*path, "tasks"),
            f"tasks must be a mapping of task names, not {describe(tasks_node)}",
            "write each task as 'name:' with its keys indented under it",
        )
    elif not tasks_node.entries:
        ctx.problem(
            tasks_node, (*path, "tasks"), f"workflow '{name}' has no tasks", "add at least one task"
        )
    else:
        for task_name, knode, _value in tasks_node.items():
            if not task_name.strip():
                ctx.problem(
                    knode, (*path, "tasks"), "a task name cannot be empty", "give the task a name"
                )
            else:
                task_names[task_name] = knode
    scope = Scope(task_names, name)
    _header(ctx, spec, node, path, scope)
    defaults = None
    defaults_node = node.get("task-defaults")
    if defaults_node is not None:
        defaults = parse_task(
            ctx,
            "",
            node.entries["task-defaults"][0],
            defaults_node,
            (*path, "task-defaults"),
            scope,
        )
        _check_task(ctx, spec, defaults, task_names, None)
    if not task_names:
        return spec
    for task_name, (knode, value) in tasks_node.entries.items():  # type: ignore[union-attr]
        if task_name not in task_names:
            continue
        own = parse_task(ctx, task_name, knode, value, (*path, "tasks", task_name), scope)
        _check_task(ctx, spec, own, task_names, task_name)
        spec.tasks[task_name] = merge_defaults(defaults, own)
    if spec.type == "direct":
        check_graph(ctx, path, task_names, spec.tasks, task_names)
    else:
        requires = {
            n: [(r, rn, (*t.path, "requires")) for r, rn in t.values.get("requires", ())]
            for n, t in spec.tasks.items()
        }
        check_requires(ctx, path, task_names, requires, task_names)
    return spec


def _header(ctx: Context, spec: WorkflowSpec, node: Mapping, path: Path, scope: Scope) -> None:
    for key, _knode, value in node.items():
        where = (*path, key)
        empty = isinstance(value, Scalar) and value.value is None
        if key == "description" and not empty:
            spec.description = ctx.text(value, where) or ""
        elif key == "input":
            spec.input, spec.input_ok = parse_params(ctx, value, where, scope)
        elif key == "output" and not empty:
            spec.output, spec.has_output = ctx.plain(value, where, scope), True
        elif key == "output-on-error" and not empty:
            spec.output_on_error, spec.has_output_on_error = ctx.plain(value, where, scope), True
        elif key == "vars" and not empty:
            spec.vars = ctx.mapping(value, where, scope, "vars") or {}
        elif key == "tags" and not empty:
            ctx.string_list(value, where, "a tag")
        elif key in ("name", "version") and not empty:
            ctx.text(value, where)


def _check_task(
    ctx: Context, wf: WorkflowSpec, task: TaskSpec, task_names: dict[str, Node], own: str | None
) -> None:
    """Checks on one task's own keys (or the task-defaults) that need the workflow around it."""
    what = f"task '{own}'" if own is not None else "task-defaults"
    if "action" in task.nodes and "workflow" in task.nodes:
        ctx.problem(
            task.nodes["workflow"],
            (*task.path, "workflow"),
            f"{what} has both action and workflow",
            "keep one: action runs an action, workflow runs a sub-workflow",
            key="workflow",
        )
    values, nodes = task.values, task.nodes
    for clause in CLAUSES:
        transitions = values.get(clause)
        if transitions:
            check_targets(ctx, transitions, task_names, own)
    if wf.type == "reverse":
        for clause in CLAUSES:
            if clause in nodes:
                ctx.problem(
                    nodes[clause],
                    (*task.path, clause),
                    f"{clause} is not allowed in a reverse workflow",
                    "use requires in the dependent task, or make the workflow type: direct",
                    key=clause,
                )
        if "join" in nodes:
            ctx.problem(
                nodes["join"],
                (*task.path, "join"),
                "join is not allowed in a reverse workflow",
                "a reverse task already waits for all of its requires; remove join",
                key="join",
            )
    elif "requires" in nodes:
        ctx.problem(
            task.nodes["requires"],
            (*task.path, "requires"),
            "requires is only allowed in a reverse workflow",
            "set type: reverse on the workflow, or use on-success in the required tasks",
            key="requires",
        )
