"""Actions: what a task runs, as the pieces of one ASL state.

Takes a task of the model (with the document's ad-hoc actions and the deployment `Target`);
gives an `ActionState`: the state type, its resource and arguments, and the JSONata that
turns the state's raw result into the task result Mistral would report.
"""
from __future__ import annotations

from dataclasses import dataclass

from chalicelib.compiler.jsonata import Scope
from chalicelib.language.model import Document, Task

from . import data, plan
from .target import Target

STD_INLINE = {"std.noop", "std.echo", "std.fail", "std.sleep", "std.async_noop"}


@dataclass
class ActionState:
    kind: str  # "task" | "pass" | "wait" | "fail"
    resource: str = ""
    arguments: str | None = None  # JSONata text
    result: str = "null"  # JSONata over $states.result giving the task result
    seconds: str | None = None  # wait: JSONata text
    error: str | None = None  # fail: JSONata text of {"Error", "Cause"}
    callback: bool = False


def build_action(task: Task, document: Document, target: Target, scope: Scope) -> ActionState:
    if task.workflow is not None:
        return _sub_workflow(task, target, scope)
    name = task.action or "std.noop"
    arguments = task.input
    transforms = []  # outermost ad-hoc action first
    if task.input_expression is not None:  # `input: <% expr %>` gives the whole input
        arguments = {"__expr": data.value(task.input_expression, scope)}
    adhoc = document.actions.get(name)
    seen: set[str] = set()
    while adhoc is not None and adhoc.name not in seen:
        seen.add(adhoc.name)
        defaults = {n: d for n, d, has in adhoc.input if has}
        params = f"$merge([{data.lit(defaults)}, {_args(arguments, scope)}])"
        base_scope = Scope(ctx="$sw_params", execution=data.EXECUTION, env=data.ENV)
        inner = data.value(adhoc.base_input, base_scope)
        arguments = {"__expr": f"($sw_params := {params}; {inner})"}
        if adhoc.has_output:
            transforms.append(data.value(adhoc.output, Scope(
                ctx="$sw_raw", execution=data.EXECUTION, env=data.ENV)))
        name = adhoc.base
        adhoc = document.actions.get(name)
    action = _base_action(task, name, arguments, target, scope)
    for transform in reversed(transforms):  # the base action's own output first
        action.result = f"($sw_raw := {action.result}; {transform})"
    return action


def _args(arguments: dict, scope: Scope) -> str:
    if "__expr" in arguments and len(arguments) == 1:
        return arguments["__expr"]
    return data.value(arguments, scope)


def _arg(arguments: dict, key: str, scope: Scope, default: str = "null") -> str:
    if "__expr" in arguments:
        return f"{_args(arguments, scope)}.`{key}`"
    if key not in arguments:
        return default
    return data.value(arguments[key], scope)


def _base_action(task: Task, name: str, arguments: dict, target: Target,
                 scope: Scope) -> ActionState:
    if name == plan.REUSE:  # the outcome of an earlier attempt
        return ActionState("pass", result=f"{plan.earlier(task.name)}.result")
    if name == plan.REPLAY_ERROR:
        return ActionState("fail", error=f"{plan.earlier(task.name)}.error")
    if name in ("std.noop", plan.SKIP):
        return ActionState("pass")
    if name == "std.echo":
        return ActionState("pass", result=_arg(arguments, "output", scope))
    if name == "std.fail":
        info = _arg(arguments, "error_data", scope, '"Fail action expected exception."')
        return ActionState("fail", error=f'{{"Error": "std.fail", "Cause": {info}}}')
    if name == "std.sleep":
        return ActionState("wait", seconds=_arg(arguments, "seconds", scope, "0"))
    if name == "std.async_noop":
        return _callback(task, target, "async", "$states.result")
    if name == "aws.lambda":
        function = _arg(arguments, "function_name", scope)
        payload = _arg(arguments, "payload", scope, "{}")
        return _lambda(function, payload)
    registered = target.action_registry.get(name)
    if registered is not None:
        return _lambda(data.lit(target.function_arn(registered)), _args(arguments, scope))
    payload = (f'{{"action":{data.lit(name)},"input":{_args(arguments, scope)},'
               f'"task":{data.lit(task.name)},'
               '"execution":$states.context.Execution.Id}')
    return _lambda(data.lit(target.function_arn(target.actions_function)), payload)


def _lambda(function: str, payload: str) -> ActionState:
    arguments = f'{{"FunctionName":{function},"Payload":{payload}}}'
    return ActionState("task", resource="arn:aws:states:::lambda:invoke", arguments=arguments,
                       result="$states.result.Payload")


def callback_arguments(task: Task, target: Target, kind: str) -> str:
    function = data.lit(target.function_arn(target.callbacks_function))
    payload = (f'{{"token": $states.context.Task.Token, "kind": {data.lit(kind)}, '
               f'"task": {data.lit(task.name)}, "execution": $states.context.Execution.Id}}')
    return f'{{"FunctionName": {function}, "Payload": {payload}}}'


def _callback(task: Task, target: Target, kind: str, result: str) -> ActionState:
    return ActionState("task", resource="arn:aws:states:::lambda:invoke.waitForTaskToken",
                       arguments=callback_arguments(task, target, kind), result=result,
                       callback=True)


def _sub_workflow(task: Task, target: Target, scope: Scope) -> ActionState:
    arn = data.lit(target.sub_machine_arn(task.workflow or ""))
    if task.input_expression is not None:
        given = data.value(task.input_expression, scope)
    else:
        given = data.value(task.input, scope)
    child_input = f'$merge([{given}, {{"__env": {scope.env}}}])'
    name = ('$substring($states.context.Execution.Name, 0, 40) & "-" & '
            '$substring($uuid(), 0, 36)')
    arguments = f'{{"StateMachineArn": {arn}, "Input": {child_input}, "Name": {name}}}'
    return ActionState("task", resource="arn:aws:states:::states:startExecution.sync:2",
                       arguments=arguments, result="$states.result.Output")
