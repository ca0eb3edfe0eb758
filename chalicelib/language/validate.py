"""The whole document: shape, version, workbook or list of workflows, then every part.

`analyze` takes the definition text and gives an `Analysis`: every problem found (sorted) and,
for the builder, the normalised specs of the workflows and ad-hoc actions. `validate` gives only
the problems. A document is either ``version`` plus workflows as top-level keys, or a workbook
(``version``, ``name``, ``description``, ``workflows``, ``actions``).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

from chalicelib.errors import Problem
from chalicelib.language.calls import AdHocSpec, check_adhoc, check_call, parse_adhoc
from chalicelib.language.context import Context, Path
from chalicelib.language.loader import LoadError, parse
from chalicelib.language.nodes import Mapping, Node, Scalar, describe
from chalicelib.language.schema import WORKBOOK_KEYS
from chalicelib.language.workflows import WorkflowSpec, analyze_workflow

_FIX_VERSION = "write version: '2.0' (quoted)"
_WORKBOOK_MARKS = ("workflows", "actions", "name")


@dataclass
class Analysis:
    problems: list[Problem]
    warnings: list[Problem] = field(default_factory=list)  # accepted, but probably a mistake
    workbook: str | None = None
    description: str = ""
    workflows: dict[str, WorkflowSpec] = field(default_factory=dict)
    actions: dict[str, AdHocSpec] = field(default_factory=dict)
    calls: dict[tuple[str, str], str] = field(
        default_factory=dict
    )  # (workflow, task) → resolved short name


def validate(text: str) -> list[Problem]:
    return analyze(text).problems


def analyze(text: str) -> Analysis:
    # Parsing and checking allocate many small objects and free none of them before the
    # end: pausing the cyclic garbage collector meanwhile spares it repeated scans.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _analyze(text)
    finally:
        if collecting:
            gc.enable()


def _analyze(text: str) -> Analysis:
    try:
        root, source = parse(text)
    except LoadError as error:
        return Analysis([error.problem])
    ctx = Context(source)
    result = Analysis([])
    if root is None or (isinstance(root, Scalar) and root.value is None):
        ctx.problem(
            None,
            (),
            "the definition is empty",
            "start with version: '2.0' and one workflow with tasks",
        )
    elif not isinstance(root, Mapping):
        ctx.problem(
            root,
            (),
            f"a definition must be a mapping (version, workflows), not {describe(root)}",
            "start with version: '2.0' and one workflow with tasks",
        )
    else:
        _document(ctx, root, result)
    result.problems = ctx.report.sorted()
    result.warnings = sorted(set(ctx.report.warnings))
    return result


def _is_workbook(root: Mapping) -> bool:
    for key in _WORKBOOK_MARKS:
        value = root.get(key)
        if value is not None and not (isinstance(value, Mapping) and "tasks" in value.entries):
            return True
    return False


def _version(ctx: Context, root: Mapping) -> None:
    node = root.get("version")
    if node is None:
        ctx.problem(
            root,
            (),
            "the definition has no version",
            f"add {_FIX_VERSION} as the first line",
            key="version",
        )
        return
    value = node.value if isinstance(node, Scalar) else None
    if value == "2.0" or (
        isinstance(value, (int, float)) and not isinstance(value, bool) and value == 2
    ):
        return
    ctx.problem(node, ("version",), f"version must be '2.0', not {describe(node)}", _FIX_VERSION)


def _duplicates(ctx: Context, node: Mapping, path: Path, what: str) -> None:
    for key in node.duplicates:
        ctx.problem(
            key,
            (*path, key.text),
            f"{what} '{key.text}' is defined twice",
            f"rename one of them: {what} names must be unique",
            key=key.text,
        )


def _document(ctx: Context, root: Mapping, result: Analysis) -> None:
    _version(ctx, root)
    workflows: list[tuple[str, Scalar, Node, Path]] = []
    actions: list[tuple[str, Scalar, Node, Path]] = []
    if _is_workbook(root):
        for key, knode, value in root.items():
            if key not in WORKBOOK_KEYS and isinstance(value, Mapping) and "tasks" in value.entries:
                ctx.problem(
                    knode,
                    (key,),
                    f"workflow '{key}' is outside workflows: in a workbook",
                    "indent it under workflows:, or remove name: to list workflows at the top",
                )
        ctx.unknown_keys(root, (), WORKBOOK_KEYS, "a workbook", skip_workflows=True)
        name = root.get("name")
        if name is None:
            ctx.problem(root, (), "a workbook needs a name", "add name: my_workbook", key="name")
        elif isinstance(name, Scalar) and isinstance(name.value, str) and name.value:
            ctx.workbook = result.workbook = name.value
        else:
            ctx.problem(
                name,
                ("name",),
                f"the workbook name must be a string, not {describe(name)}",
                "write name: my_workbook",
            )
        description = root.get("description")
        if description is not None:
            result.description = ctx.text(description, ("description",)) or ""
        if root.get("tags") is not None:
            ctx.string_list(root.get("tags"), ("tags",), "a tag")  # type: ignore[arg-type]
        wf_node = root.get("workflows")
        if isinstance(wf_node, Mapping):
            _duplicates(ctx, wf_node, ("workflows",), "workflow")
            workflows = [(k, kn, v, ("workflows", k)) for k, kn, v in wf_node.items()]
        elif wf_node is not None and not (isinstance(wf_node, Scalar) and wf_node.value is None):
            ctx.problem(
                wf_node,
                ("workflows",),
                f"workflows must be a mapping of workflow names, not {describe(wf_node)}",
                "write each workflow as 'name:' with its keys indented under it",
            )
        action_node = root.get("actions")
        if isinstance(action_node, Mapping):
            _duplicates(ctx, action_node, ("actions",), "action")
            actions = [(k, kn, v, ("actions", k)) for k, kn, v in action_node.items()]
        elif action_node is not None and not (
            isinstance(action_node, Scalar) and action_node.value is None
        ):
            ctx.problem(
                action_node,
                ("actions",),
                f"actions must be a mapping of action names, not {describe(action_node)}",
                "write each ad-hoc action as 'name:' with base: and base-input: under it",
            )
    else:
        _duplicates(ctx, root, (), "workflow")
        for key, knode, value in root.items():
            if key == "version":
                continue
            if value.anchor is not None and not (
                isinstance(value, Mapping) and "tasks" in value.entries
            ):
                continue  # a key that only holds a YAML anchor for use elsewhere
            workflows.append((key, knode, value, (key,)))
    if not workflows:
        ctx.problem(
            root,
            (),
            "the definition has no workflow",
            "add a workflow: a name with tasks: under it",
        )
    for name, _key, value, _path in workflows:
        ctx.workflows[name] = value
    for name, _key, value, _path in actions:
        ctx.actions[name] = value
    for name, knode, value, path in actions:
        spec = parse_adhoc(ctx, name, knode, value, path)
        if spec is not None:
            result.actions[name] = spec
    check_adhoc(ctx, result.actions)
    for name, knode, value, path in workflows:
        wf = analyze_workflow(ctx, name, knode, value, path)
        if wf is not None:
            result.workflows[name] = wf
            tasks_node = value.get("tasks") if isinstance(value, Mapping) else None
            if isinstance(tasks_node, Mapping):
                _duplicates(ctx, tasks_node, (*path, "tasks"), "task")
    for wf in result.workflows.values():
        for task in wf.tasks.values():
            short = check_call(ctx, task, result.workflows, result.actions)
            if short is not None:
                result.calls[(wf.name, task.name)] = short
