"""The document that flows through a compiled machine, and the JSONata that reads and builds it.

Every state's input and output is a *doc*: ``{"ctx": {...}, "tasks": {...}, "failed": [...],
"arrivals": [...]}``. `ctx` is Mistral's context (workflow input, `vars`, published values)
and flows along transitions, so parallel branches see only their own publications until a
join merges them, as in Mistral. `tasks` maps a task name to ``{"result", "state",
"state_info", "published"}`` for ``task(name)``. `failed` lists unhandled task failures; the
machine ends FAILED when any is left at the end. `arrivals` records ``{"join", "from"}`` for
every transition that reached a join task, until the join runs. Workflows with early joins
(`early_joins`) also carry ``joins`` (the item keys of the current region entries) and
``fired``. Keys may be missing (JSONata drops undefined values); every reader tolerates that.
"""
from __future__ import annotations

import json

from chalicelib.compiler.jsonata import Scope, guard_to_jsonata, value_to_jsonata
from chalicelib.compiler.jsonata.pieces import object_literal
from chalicelib.language.expressions import parse_template
from chalicelib.language.model import Value, Workflow

EXECUTION = ('{"id": $states.context.Execution.Id, "name": $states.context.Execution.Name, '
             '"input": $states.context.Execution.Input, '
             '"created_at": $states.context.Execution.StartTime}')
ENV = ('($e := $states.context.Execution.Input.__env; $type($e) = "object" ? $e : {})')


# what json.dumps(text, ensure_ascii=False) does for a str, without building an encoder
_ENCODE_STRING = json.encoder.encode_basestring


def lit(value: object) -> str:
    """A JSON literal is a JSONata literal."""
    if type(value) is str:  # the common case: a task or variable name
        return _ENCODE_STRING(value)
    return json.dumps(value, ensure_ascii=False)


def field(obj: str, name: str) -> str:
    escaped = name.replace("`", "")
    return f"{obj}.`{escaped}`"


def expr(text: str) -> str:
    return "{% " + text + " %}"


def scope_for(doc: str, current: str | dict[str, str] | None = None,
              locals_: dict | None = None) -> Scope:
    """Names for expressions of a state whose doc is `doc` (a JSONata expression).

    `current` is task()'s object while publishing (None elsewhere): JSONata giving it, or
    the fields of the object literal that builds it (key → JSONata of the value)."""
    if doc == "$states.input" and current is None and not locals_:
        return INPUT_SCOPE  # the most common names, built once
    fields = current if isinstance(current, dict) else None
    if fields is not None:
        current = object_literal(fields)

    def task(name: str | None) -> str:
        if name is None:
            return current if current is not None else f"{doc}.__current"
        return field(f"{doc}.tasks", name)

    def task_fields(name: str | None) -> dict[str, str] | None:
        return fields if name is None else None
    # the key names the doc, which gives ctx (execution and env are always the same);
    # with-items names are not in the key, so their scopes share nothing
    return Scope(ctx=f"{doc}.ctx", task=task, task_fields=task_fields, execution=EXECUTION,
                 env=ENV, locals=locals_ or {}, key=None if locals_ else doc,
                 task_key=current if current is not None else f"{doc}.__current")


INPUT_SCOPE = Scope(ctx="$states.input.ctx", task=lambda name: (
    "$states.input.__current" if name is None else field("$states.input.tasks", name)),
    execution=EXECUTION, env=ENV, key="$states.input", task_key="$states.input.__current")


def after_task(doc: str, task: str) -> Scope:
    """Names for expressions evaluated once `task` has finished and been recorded in `doc`
    (its transition guards, engine command parameters): task() is that task."""
    if task == "\x00root":
        return scope_for(doc)
    return scope_for(doc, field(f"{doc}.tasks", task))


def value(val: Value, scope: Scope) -> str:
    return value_to_jsonata(val, scope)


def guard(text: str, scope: Scope) -> str:
    return guard_to_jsonata(parse_template(text), scope)


def init_doc(workflow: Workflow) -> str:
    """The first doc, built from the execution input: defaults, then input, then `vars`.

    Input keys starting with ``__`` are reserved for the engine (``__env``, ...)."""
    defaults = {p.name: p.default for p in workflow.input if p.has_default}
    required = [p.name for p in workflow.input if not p.has_default]
    declared = [p.name for p in workflow.input]
    given = ('$sift($states.input, function($v, $k) { $substring($k, 0, 2) != "__" })')
    # as Mistral does at start: refuse missing and undeclared inputs together, run nothing
    check = (f'($sw_keys := $keys({given}); '
             f'$sw_missing := $filter({lit(required)}, function($n) {{ $not($n in $sw_keys) }}); '
             f'$sw_extra := $filter($sw_keys, function($n) {{ $not($n in {lit(declared)}) }}); '
             '($count($sw_missing) + $count($sw_extra)) > 0 ? $error("Invalid input: missing "'
             ' & $string([$sw_missing]) & ", unexpected " & $string([$sw_extra])) : true)')
    base = f"($sw_ok := {check}; $merge([{lit(defaults)}, {given}]))"
    if workflow.vars:
        vars_ = value(workflow.vars, Scope(ctx="$sw_c0", execution=EXECUTION, env=ENV))
        ctx = f"($sw_c0 := {base}; $merge([$sw_c0, {vars_}]))"
    else:
        ctx = base
    return '{"ctx": ' + ctx + ', "tasks": {}}'


def final_output(workflow: Workflow, doc: str) -> str:
    """The workflow's output on success: its `output` clause, else the published context."""
    scope = scope_for(doc)
    if workflow.has_output:
        return value(workflow.output, scope)
    inputs = lit([p.name for p in workflow.input])
    return (f'($o := $sift({doc}.ctx, function($v, $k) {{ $not($k in {inputs}) }}); '
            '$exists($o) ? $o : {})')


def failure_cause(workflow: Workflow, doc: str, info: str) -> str:
    """Cause of a FAILED execution: JSON of ``{"result": info}`` merged with output-on-error."""
    parts = ['{"result": ' + info + "}"]
    if workflow.has_output_on_error:
        parts.append(value(workflow.output_on_error, scope_for(doc)))
    return f"$string($merge([{', '.join(parts)}]))"


def failed_tasks_info(doc: str) -> str:
    return (f'"Failure caused by error in tasks: " & $join({doc}.failed.task, ", ")')
