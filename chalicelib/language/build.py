"""Validated specs → the workflow model the compiler reads.

`build` takes an `Analysis` without problems and gives a `model.Document`: task-defaults are
already applied in the specs, inline parameters are merged into ``input`` (the explicit
``input:`` wins on a conflict), ``wb.name`` references are resolved to short names, ``join:
one`` is 1, and ``version`` is the string '2.0'.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Any

from chalicelib.language import model
from chalicelib.language.calls import AdHocSpec
from chalicelib.language.nodes import Node
from chalicelib.language.tasks import Call, TaskSpec
from chalicelib.language.transitions import RawTransition
from chalicelib.language.validate import Analysis
from chalicelib.language.workflows import WorkflowSpec


_new = object.__new__


def _frozen(cls: type, values: dict[str, Any]) -> Any:
    """An instance of the frozen dataclass `cls` whose fields are exactly `values` (every
    field, in declaration order): what ``cls(**values)`` gives, without its per-field
    ``object.__setattr__`` calls (the model has thousands of these objects)."""
    instance = _new(cls)
    instance.__dict__.update(values)
    return instance


def _position(node: Node | None, offset: int = 0) -> model.Position:
    if node is None:
        return model.NOWHERE
    position = _new(model.Position)
    own = position.__dict__
    own["line"] = node.line
    own["column"] = node.column + offset
    return position


def _transition(t: RawTransition) -> model.Transition:
    transition = _new(model.Transition)
    own = transition.__dict__
    own["target"] = t.target
    own["guard"] = t.guard
    own["is_command"] = t.is_command
    own["params"] = dict(t.params)
    own["position"] = _position(t.node, t.offset)
    return transition


# Every field of `model.Task` in declaration order, with the value a task without that key
# gets (the mutable ones, input and the publish dicts, are set afresh for each task).
_TASK_DEFAULTS: dict[str, Any] = {
    f.name: f.default if f.default is not MISSING else None for f in fields(model.Task)
}
# spec keys whose normalised value is the field's value as it is
_PLAIN = {
    "description": "description",
    "concurrency": "concurrency",
    "retry": "retry",
    "wait-before": "wait_before",
    "wait-after": "wait_after",
    "timeout": "timeout",
    "pause-before": "pause_before",
    "keep-result": "keep_result",
    "target": "target",
    "safe-rerun": "safe_rerun",
    "fail-on": "fail_on",
}
_CLAUSE_FIELDS = {"on-success": "on_success", "on-error": "on_error", "on-complete": "on_complete"}


def _task(spec: TaskSpec, resolved: str | None) -> model.Task:
    v = spec.values
    call: Call | None = v.get("action") or v.get("workflow")
    explicit = v.get("input")
    task = _TASK_DEFAULTS.copy()
    task["name"] = spec.name
    task["position"] = _position(spec.key)
    if call is not None:
        task[call.kind] = resolved or call.name
        if isinstance(explicit, str):
            task["input_expression"] = explicit
            task["input"] = {}
        else:
            task["input"] = {**call.params, **(explicit or {})}
    else:
        task["input"] = dict(explicit) if isinstance(explicit, dict) else {}
    task["publish"] = dict(v.get("publish") or {})
    task["publish_on_error"] = dict(v.get("publish-on-error") or {})
    # one pass over the keys the task has (a few), not a look-up per field (all of them)
    for key, value in v.items():
        name = _PLAIN.get(key)
        if name is not None:
            task[name] = value
        elif key in _CLAUSE_FIELDS:
            task[_CLAUSE_FIELDS[key]] = tuple([_transition(t) for t in value])
        elif key == "join":
            task["join"] = "all" if value == "all" else value
        elif key == "requires":
            task["requires"] = tuple([name for name, _node in value])
        elif key == "with-items":
            task["with_items"] = tuple(value)
    return _frozen(model.Task, task)


def _workflow(spec: WorkflowSpec, calls: dict[tuple[str, str], str]) -> model.Workflow:
    return model.Workflow(
        name=spec.name,
        type="reverse" if spec.type == "reverse" else "direct",
        position=_position(spec.key),
        description=spec.description,
        input=spec.input,
        output=spec.output,
        has_output=spec.has_output,
        output_on_error=spec.output_on_error,
        has_output_on_error=spec.has_output_on_error,
        vars=dict(spec.vars),
        tasks={
            name: _task(task, calls.get((spec.name, name))) for name, task in spec.tasks.items()
        },
    )


def _action(
    spec: AdHocSpec, actions: dict[str, AdHocSpec], workbook: str | None
) -> model.AdHocAction:
    base = spec.base.name if spec.base else "std.noop"
    if (
        base not in actions
        and workbook
        and base.startswith(workbook + ".")
        and base[len(workbook) + 1 :] in actions
    ):
        base = base[len(workbook) + 1 :]
    params = spec.base.params if spec.base else {}
    return model.AdHocAction(
        name=spec.name,
        base=base,
        base_input={**params, **(spec.base_input or {})},
        input=tuple((p.name, p.default, p.has_default) for p in spec.input),
        output=spec.output,
        has_output=spec.has_output,
        position=_position(spec.key),
    )


def build(analysis: Analysis) -> model.Document:
    """The model of a document that `validate.analyze` found no problem in."""
    return model.Document(
        version="2.0",
        name=analysis.workbook,
        description=analysis.description,
        workflows={name: _workflow(wf, analysis.calls) for name, wf in analysis.workflows.items()},
        actions={
            name: _action(a, analysis.actions, analysis.workbook)
            for name, a in analysis.actions.items()
        },
    )
