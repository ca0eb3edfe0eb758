"""Validated specs → the workflow model the compiler reads.

`build` takes an `Analysis` without problems and gives a `model.Document`: task-defaults are
already applied in the specs, inline parameters are merged into ``input`` (the explicit
``input:`` wins on a conflict), ``wb.name`` references are resolved to short names, ``join:
one`` is 1, and ``version`` is the string '2.0'.
"""

from __future__ import annotations

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
    return _frozen(model.Position, {"line": node.line, "column": node.column + offset})


def _transition(t: RawTransition) -> model.Transition:
    return _frozen(
        model.Transition,
        {
            "target": t.target,
            "guard": t.guard,
            "is_command": t.is_command,
            "params": dict(t.params),
            "position": _position(t.node, t.offset),
        },
    )


def _task(spec: TaskSpec, resolved: str | None) -> model.Task:
    v = spec.values
    call: Call | None = v.get("action") or v.get("workflow")
    explicit = v.get("input")
    fields: dict[str, Any] = {}
    if call is not None:
        fields[call.kind] = resolved or call.name
        if isinstance(explicit, str):
            fields["input_expression"] = explicit
        else:
            fields["input"] = {**call.params, **(explicit or {})}
    elif isinstance(explicit, dict):
        fields["input"] = dict(explicit)
    join = v.get("join")
    return _frozen(
        model.Task,
        {
            "name": spec.name,
            "position": _position(spec.key),
            "description": v.get("description", ""),
            "action": fields.get("action"),
            "workflow": fields.get("workflow"),
            "input": fields["input"] if "input" in fields else {},
            "input_expression": fields.get("input_expression"),
            "publish": dict(v.get("publish") or {}),
            "publish_on_error": dict(v.get("publish-on-error") or {}),
            "on_success": tuple(_transition(t) for t in v.get("on-success", ())),
            "on_error": tuple(_transition(t) for t in v.get("on-error", ())),
            "on_complete": tuple(_transition(t) for t in v.get("on-complete", ())),
            "join": "all" if join == "all" else join,
            "requires": tuple(name for name, _node in v.get("requires", ())),
            "with_items": tuple(v.get("with-items", ())),
            "concurrency": v.get("concurrency"),
            "retry": v.get("retry"),
            "wait_before": v.get("wait-before"),
            "wait_after": v.get("wait-after"),
            "timeout": v.get("timeout"),
            "pause_before": v.get("pause-before", False),
            "keep_result": v.get("keep-result", True),
            "target": v.get("target"),
            "safe_rerun": v.get("safe-rerun", False),
            "fail_on": v.get("fail-on"),
        },
    )


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
