"""What tasks call: ad-hoc actions, known actions' input keys, and sub-workflows.

`parse_adhoc` takes a workbook ``actions:`` entry and gives an `AdHocSpec`; `check_adhoc`
resolves ``base:`` chains (reporting cycles) and checks each base's input. `check_call` takes a
task with task-defaults applied and reports an unknown ``civis.*`` / ``std.*`` action, input
keys the action does not take or required keys it lacks, ad-hoc action inputs it does not
declare, and unknown sub-workflows. It gives the resolved short name of an in-document workflow
or ad-hoc action (or None).

Sub-workflow inputs are not checked here: as in Mistral, a missing or undeclared input is
refused when the sub-workflow starts (real definitions pass extra inputs such as queue_name).
A dotted workflow name that is not in the document (``other_workbook.wf``) names a workflow
stored elsewhere and is resolved at run time; an undotted unknown name is a problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.language.civis_actions import CIVIS_IMPORT_SYNC, Signature, UnknownAction, signature
from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.model import Parameter
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, describe
from chalicelib.language.schema import ADHOC_KEYS, did_you_mean
from chalicelib.language.tasks import Call, TaskSpec, parse_call
from chalicelib.language.workflows import WorkflowSpec, parse_params

_NO_SCOPE = Scope()
Key = tuple[str, Node, int | None]  # input key, node where it is written, offset into that node


@dataclass
class AdHocSpec:
    name: str
    key: Node
    path: Path
    base: Call | None = None
    base_input: dict[str, Any] | None = None
    base_input_node: Node | None = None
    input: tuple[Parameter, ...] = ()
    input_ok: bool = True
    output: Any = None
    has_output: bool = False


def parse_adhoc(ctx: Context, name: str, key: Node, node: Node, path: Path) -> AdHocSpec | None:
    if not isinstance(node, Mapping):
        ctx.problem(
            node,
            path,
            f"ad-hoc action '{name}' must be a mapping with base, not {describe(node)}",
            "indent base: and base-input: under the action name",
            key=name,
        )
        return None
    spec = AdHocSpec(name, key, path)
    ctx.unknown_keys(node, path, ADHOC_KEYS, "an ad-hoc action")
    base = node.get("base")
    if base is None:
        ctx.problem(
            key,
            path,
            f"ad-hoc action '{name}' has no base",
            "add base: the action it runs",
            key=name,
        )
    else:
        spec.base = parse_call(ctx, "base", base, (*path, "base"), _NO_SCOPE)
    for field_name, _knode, vnode in node.items():
        where = (*path, field_name)
        empty = isinstance(vnode, Scalar) and vnode.value is None
        if field_name == "base-input" and not empty:
            spec.base_input = ctx.mapping(vnode, where, _NO_SCOPE, "base-input")
            spec.base_input_node = vnode
        elif field_name == "input":
            spec.input, spec.input_ok = parse_params(ctx, vnode, where, _NO_SCOPE)
        elif field_name == "output" and not empty:
            spec.output, spec.has_output = ctx.plain(vnode, where, _NO_SCOPE), True
        elif field_name == "description" and not empty:
            ctx.text(vnode, where)
    return spec


def check_adhoc(ctx: Context, actions: dict[str, AdHocSpec]) -> None:
    """Base chains must end in a real action; each base gets input it accepts."""
    for spec in actions.values():
        if spec.base is None:
            continue
        seen = [spec.name]
        current = spec
        while current.base is not None:
            short = ctx.resolve_name(current.base.name, actions)
            if short is None:
                break
            if short in seen:
                ctx.problem(
                    spec.base.node,
                    (*spec.path, "base"),
                    f"ad-hoc actions {' → '.join([*seen, short])} form a cycle",
                    "make the chain of base: actions end in a real action",
                    key=spec.base.name,
                )
                break
            seen.append(short)
            current = actions[short]
        keys: list[Key] = [
            (k, spec.base.node, spec.base.key_offsets.get(k)) for k in spec.base.params
        ]
        if isinstance(spec.base_input_node, Mapping):
            keys += [(k, kn, None) for k, kn, _v in spec.base_input_node.items()]
        short = ctx.resolve_name(spec.base.name, actions)
        if short is not None:
            if actions[short].input_ok:
                _check_params(
                    ctx,
                    actions[short].input,
                    keys,
                    (*spec.path, "base-input"),
                    f"ad-hoc action {short}",
                )
            continue
        where = (*spec.path, "base-input")
        sig = _signature(ctx, spec.base, where)
        if sig is not None:
            _check_action(ctx, sig, spec.base, keys, spec.base_input_node, True, where)


def check_call(
    ctx: Context, task: TaskSpec, workflows: dict[str, WorkflowSpec], actions: dict[str, AdHocSpec]
) -> str | None:
    call: Call | None = task.values.get("action") or task.values.get("workflow")
    explicit = task.values.get("input")
    input_node = task.nodes.get("input")
    path = (*task.path, "input")
    if call is None:
        if explicit:
            ctx.problem(
                input_node,
                path,
                "a task without action or workflow runs std.noop, which takes no input",
                "add action: (or workflow:) to say what receives this input",
                key="input",
            )
        return None
    if isinstance(explicit, str):
        if call.params:
            ctx.problem(
                call.node,
                (*task.path, call.kind),
                "inline parameters cannot be combined with an expression input",
                "move the parameters into the input expression, or write input as a mapping",
            )
        return _resolve(ctx, call, workflows, actions, task.path)
    short = _resolve(ctx, call, workflows, actions, task.path)
    if call.kind == "workflow":
        # a sub-workflow checks its input when it starts, as in Mistral (module docstring)
        return short
    if short is not None:
        if actions[short].input_ok:
            keys = _input_keys(call, explicit, input_node)
            _check_params(ctx, actions[short].input, keys, path, f"ad-hoc action {short}")
        return short
    sig = _signature(ctx, call, path)
    if sig is not None:  # (most actions outside civis.* and std.* have none to check)
        keys = _input_keys(call, explicit, input_node)
        has_input = "input" in task.values or bool(call.params)
        _check_action(ctx, sig, call, keys, input_node, has_input, path)
    return None


def _input_keys(call: Call, explicit: Any, input_node: Node | None) -> list[Key]:
    """The input keys a task gives its action: inline parameters the explicit input does not
    override, then the keys of the input mapping."""
    keys: list[Key] = [
        (k, call.node, call.key_offsets.get(k))
        for k in call.params
        if not isinstance(explicit, dict) or k not in explicit
    ]
    if isinstance(input_node, Mapping):
        keys += [(k, kn, None) for k, kn, _v in input_node.items()]
    return keys


def _resolve(
    ctx: Context,
    call: Call,
    workflows: dict[str, WorkflowSpec],
    actions: dict[str, AdHocSpec],
    task_path: Path,
) -> str | None:
    if call.kind == "action":
        return ctx.resolve_name(call.name, actions)
    short = ctx.resolve_name(call.name, workflows)
    if short is None and "." not in call.name:
        ctx.problem(
            call.node,
            (*task_path, "workflow"),
            f"unknown workflow '{call.name}'",
            did_you_mean(call.name, workflows, "workflows of this document"),
            key=call.name,
        )
    return short


def _signature(ctx: Context, call: Call, path: Path) -> Signature | None:
    """The signature of the called action; None when there is none to check (reported when
    the action is unknown)."""
    try:
        return signature(call.name)
    except UnknownAction as error:
        ctx.problem(
            call.node,
            (*path[:-1], call.kind),
            error.message,
            did_you_mean(call.name, error.known, "actions"),
            key=call.name,
        )
        return None


def _check_action(
    ctx: Context,
    sig: Signature,
    call: Call,
    keys: list[Key],
    input_node: Node | None,
    has_input: bool,
    path: Path,
) -> None:
    _check_signature(ctx, sig, keys, call, input_node or call.node, has_input, path)
    if call.name == "civis.import" and isinstance(input_node, Mapping):
        syncs = input_node.get("syncs")
        if isinstance(syncs, Sequence):
            for index, item in enumerate(syncs.items):
                if isinstance(item, Mapping):
                    _check_signature(
                        ctx,
                        CIVIS_IMPORT_SYNC,
                        [(k, kn, None) for k, kn, _v in item.items()],
                        Call("action", "civis.import sync", {}, item),
                        item,
                        True,
                        (*path, "syncs", str(index)),
                    )


def _check_signature(
    ctx: Context, sig: Signature, keys: list[Key], call: Call, at: Node, has_input: bool, path: Path
) -> None:
    """Unknown keys at their own place; missing required keys at `at` (the input, else the call)."""
    allowed = sig.allowed
    given = {k for k, _n, _o in keys}
    if not sig.any_input:
        for key, node, offset in keys:
            if key not in allowed:
                fix = (
                    did_you_mean(key, allowed, "inputs")
                    if allowed
                    else f"{call.name} takes no input: remove it"
                )
                ctx.problem(
                    node,
                    (*path, key),
                    f"{call.name} takes no input '{key}'",
                    fix,
                    key=key,
                    offset=offset,
                )
    if sig.required_only_with_input and not has_input:
        return
    for key in sig.required:
        if key not in given:
            ctx.problem(
                at, path, f"{call.name} needs input '{key}'", f"add {key}: ... under input", key=key
            )


def _check_params(
    ctx: Context, params: tuple[Parameter, ...], keys: list[Key], path: Path, what: str
) -> None:
    """Ad-hoc action input: every key must be declared (missing ones fail at run time)."""
    declared = {p.name for p in params}
    for key, node, offset in keys:
        if key not in declared:
            ctx.problem(
                node,
                (*path, key),
                f"{what} has no input '{key}'",
                did_you_mean(key, declared, "inputs") or f"{what} declares no input",
                key=key,
                offset=offset,
            )
