"""The states of one task: its action, retries, with-items fan-out and result bookkeeping.

Takes a task, the state names around it (`main`, where success goes, where an error goes)
and the lowering that owns the scope; adds the task's states to the scope. `success_doc`
and `error_doc` are the JSONata that record a finished task in the doc: publish (or
publish-on-error), the task's entry for ``task(name)``, unhandled failures, and arrivals at
join tasks (guards evaluated against the new context, as Mistral does after publishing).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from chalicelib.language.model import Task, Transition

from . import data, plan
from .jsonata import Scope
from .jsonata.pieces import object_literal
from .actions import ActionState, build_action

if TYPE_CHECKING:
    from .lower import Lowering
    from .scopes import ScopeStates

ITEM_ERROR = "__stepwise_item_error"
CATCH_OUTPUT = '$merge([$states.input, {"__error": $states.errorOutput, "__attempt": %s}])'
NEXT_ATTEMPT = "($exists($states.input.__attempt) ? $states.input.__attempt : 0) + 1"
CATCH_EXPR = data.expr(CATCH_OUTPUT % NEXT_ATTEMPT)


def handled_statically(task: Task) -> bool | None:
    """Whether a failure of `task` is handled (an on-error target or command starts):
    True, False, or None when its on-error guards decide at run time."""
    if not task.on_error:
        return False
    if any(not t.guard for t in task.on_error):
        return True
    return None


def _arrivals(lowering: "Lowering", task: Task, items: tuple[Transition, ...]) -> tuple[str, bool]:
    """The arrivals at join tasks that `items` add, as JSONata array items, and whether a
    guard decides any of them (guards read the new doc, `$sw_new`)."""
    joins = lowering.graph.inbound
    if not joins:
        return "", False
    early = lowering.graph.early
    entries = []
    guarded = False
    source = None
    for t in items:
        if t.target not in joins or t.is_command or t.target in early:
            continue
        if source is None:
            source = data.lit(task.name)
        arrival = f'{{"join":{data.lit(t.target)},"from":{source}}}'
        if t.guard:
            guarded = True
            scope = data.after_task("$sw_new", task.name)
            arrival = f"({data.guard(t.guard, scope)})?{arrival}:undefined"
        entries.append(arrival)
    return ",".join(entries), guarded


def _record(lowering: "Lowering", body: str, arrivals: str, final: bool) -> str:
    """Finish a doc expression: add arrivals decided by guards (`_doc_fields` adds the
    others), or give the workflow output at the very end."""
    if arrivals:
        body += f';$sw_new:=$merge([$sw_new,{{"arrivals":[$sw_new.arrivals,{arrivals}]}}])'
    tail = data.final_output(lowering.workflow, "$sw_new") if final else "$sw_new"
    return f"({body};{tail})"


def _doc_fields(lowering: "Lowering", task: Task, status: str, result: str, info: str,
                arrivals: str) -> str:
    """`$sw_new`, the doc with `task` recorded; `arrivals` are array items to add."""
    name = data.lit(task.name)
    keep = task.keep_result not in (False, "false")
    kept = result if keep else "null"
    # a join consumes its arrivals; no arrival ever names a task that is not a join
    earlier = (f"$sw_in.arrivals[join!={name}]" if task.name in lowering.graph.inbound
               else "$sw_in.arrivals")
    if arrivals:
        earlier += "," + arrivals
    # early joins: the item keys of the regions entered and the joins fired, kept along
    early = ',"joins":$sw_in.joins,"fired":$sw_in.fired' if lowering.graph.early else ""
    return ('$sw_new:={"ctx":$merge([$sw_in.ctx,$sw_pub]),'
            f'"tasks":$merge([$sw_in.tasks,{{{name}:{{"result":{kept},'
            f'"state":"{status}","state_info":{info},"published":$sw_pub}}}}]),'
            f'"failed":$sw_in.failed,"arrivals":[{earlier}]{early}}}')


def _split_arrivals(lowering: "Lowering", task: Task,
                    items: tuple[Transition, ...]) -> tuple[str, str]:
    """(arrivals built with the doc, arrivals added after it): all go after it when a guard
    decides one of them, since guards read the new doc."""
    arrivals, guarded = _arrivals(lowering, task, items)
    return ("", arrivals) if guarded else (arrivals, "")


# task() while recording a task: the object literal of its entry (key → JSONata)
SUCCEEDED = {"result": "$sw_res", "state": '"SUCCESS"'}
FAILED = {"result": "$sw_err", "state": '"ERROR"', "state_info": "$sw_info"}
SUCCEEDED_TEXT, FAILED_TEXT = object_literal(SUCCEEDED), object_literal(FAILED)


def _scope(task: Task, current: dict[str, str], text: str):
    """Names while recording `task`: task() and task(<its name>) are `current`, built by
    the JSONata `text`."""

    def task_ref(name: str | None) -> str:
        if name is None or name == task.name:
            return text
        return data.field("$sw_in.tasks", name)

    def task_fields(name: str | None) -> dict[str, str] | None:
        return current if name is None or name == task.name else None
    # the names of `data.scope_for("$sw_in")`, but task() is the task being recorded
    return Scope(ctx="$sw_in.ctx", task=task_ref, task_fields=task_fields,
                 execution=data.EXECUTION, env=data.ENV, key="$sw_in", task_key=text)


def success_doc(lowering: "Lowering", task: Task, doc: str, result: str, final: bool) -> str:
    if task.action == plan.REUSE:
        publish = plan.earlier_published(task.name)
    else:
        publish = (data.value(task.publish, _scope(task, SUCCEEDED, SUCCEEDED_TEXT))
                   if task.publish else "{}")
    inline, after = _split_arrivals(lowering, task, (*task.on_success, *task.on_complete))
    body = (f"$sw_in:={doc};$sw_res:={result};$sw_pub:={publish};"
            + _doc_fields(lowering, task, "SUCCESS", "$sw_res", "null", inline))
    return _record(lowering, body, after, final)


def error_doc(lowering: "Lowering", task: Task, final: bool) -> str:
    inbound = lowering.graph.inbound.get(task.name, [])
    cause = data.lit(f"Failed by tasks: {inbound}" if inbound else "")
    join_failure = '{"Error": "Stepwise.JoinFailed", "Cause": ' + cause + "}"
    if task.action == plan.REPLAY_ERROR:
        publish = plan.earlier_published(task.name)
    else:
        publish = (data.value(task.publish_on_error, _scope(task, FAILED, FAILED_TEXT))
                   if task.publish_on_error else "{}")
    static = handled_statically(task)
    if static is not None:
        handled = "true" if static else "false"
    else:
        handled = " or ".join(f"({data.guard(t.guard, data.after_task('$sw_new', task.name))})"
                              for t in task.on_error)
    inline, after = _split_arrivals(lowering, task, (*task.on_error, *task.on_complete))
    body = ("$sw_in:=$states.input;"
            f"$sw_err:=$exists($sw_in.__error)?$sw_in.__error:{join_failure};"
            "$sw_info:=$sw_err.Cause;"
            f"$sw_pub:={publish};"
            + _doc_fields(lowering, task, "ERROR", "$sw_err", "$sw_info", inline)
            + f";$sw_handled:={handled};"
            '$sw_new:=$sw_handled?$sw_new:$merge([$sw_new,{"failed":'
            f'[$sw_new.failed,{{"task":{data.lit(task.name)},"error":$sw_err}}]}}])')
    return _record(lowering, body, after, final)


class TaskStates:
    def __init__(self, lowering: "Lowering", scope: "ScopeStates", task: Task, main: str,
                 after: str | None, error_entry: str, taint: str, record_failure: bool = False):
        self.record_failure = record_failure
        self.lowering = lowering
        self.scope = scope
        self.task = task
        self.main = main
        self.after = after
        self.error_entry = error_entry
        self.final = after is None and scope.root
        self.namer = lowering.namer
        retry = task.retry
        self.explicit_retry = retry is not None and not self._native_retry()
        self.deferred = bool(task.with_items or task.fail_on
                             or (retry is not None and retry.continue_on))

    # -- helpers
    def _native_retry(self) -> bool:
        retry = self.task.retry
        return (retry is not None and not self.task.with_items and not retry.break_on
                and not retry.continue_on and isinstance(retry.count, int)
                and isinstance(retry.delay, int) and retry.delay >= 1 and retry.count >= 1)

    def _name(self, role: str) -> str:
        return self.namer.new(self.task.name, role)

    def _expression_failed(self) -> str:
        scope = self.scope
        if "expression" not in scope.ends:
            name = self.namer.new("End", "expression_failed")
            scope.ends["expression"] = name
            scope.states[name] = {"Type": "Fail",
                                  "Error": data.expr("$states.input.__error.Error"),
                                  "Cause": data.expr("$states.input.__error.Cause")}
        return scope.ends["expression"]

    def _link(self, state: dict, nxt: str | None) -> dict:
        if nxt is None:
            state["End"] = True
        else:
            state["Next"] = nxt
        return state

    def _catchers(self, on_error: str) -> list[dict]:
        output = failure = CATCH_EXPR
        if self.record_failure:
            name = data.lit(self.task.name)
            entry = f'{{"task":{name},"error":$states.errorOutput}}'
            record = (f'{{{name}:{{"result":$states.errorOutput,"state":"ERROR",'
                      '"state_info":$states.errorOutput.Cause}}')
            failure = data.expr(f'$merge([$states.input,{{"__error":$states.errorOutput,'
                                f'"tasks":$merge([$states.input.tasks,{record}]),'
                                f'"failed":[$states.input.failed,{entry}]}}])')
        catchers = [{"ErrorEquals": ["States.ALL"], "Output": failure, "Next": on_error}]
        if self.task.on_error or self.task.on_complete:
            # an expression error must not run on-error / on-complete, as in Mistral
            catchers.insert(0, {"ErrorEquals": ["States.QueryEvaluationError"],
                                "Output": output, "Next": self._expression_failed()})
        return catchers

    # -- build
    def build(self) -> None:
        task = self.task
        failure_next = self._retry_states() if self.explicit_retry else self.error_entry
        success_next = self._deferred_states(failure_next) if self.deferred else self.after
        scope = data.scope_for("$states.input")
        if task.with_items:
            state = self._map_state(scope)
        else:
            state = self._action_state(self.lowering.prepared.action(task), failure_next)
        if state.get("_failing"):
            state.pop("_result")
        elif self.deferred:
            state["Output"] = data.expr(
                f'$merge([$states.input, {{"__result": {state.pop("_result")}, '
                f'"__attempt": {NEXT_ATTEMPT}}}])')
        else:
            result = state.pop("_result")
            state["Output"] = data.expr(self.lowering.prepared.success_doc(task, result,
                                                                           self.final))
            if (state.pop("_kind") in ("task", "pass") and not self.explicit_retry
                    and self.scope.root):
                self.lowering.foldable.add(self.main)
        state.pop("_kind", None)
        if state.get("_failing"):
            del state["_failing"]
        elif "Next" not in state:
            self._link(state, success_next)
        state["Comment"] = f"task {task.name}"
        self.scope.states[self.main] = state

    def _action_state(self, action: ActionState, failure_next: str) -> dict:
        task = self.task
        if action.kind == "pass":
            return {"Type": "Pass", "_result": action.result, "_kind": "pass"}
        if action.kind == "wait":
            return {"Type": "Wait", "Seconds": data.expr(action.seconds), "_result": "null",
                    "_kind": "wait"}
        if action.kind == "fail":
            output = (f'$merge([$states.input, {{"__error": {action.error}, '
                      f'"__attempt": {NEXT_ATTEMPT}}}])')
            return {"Type": "Pass", "Output": data.expr(output), "Next": failure_next,
                    "_result": "null", "_kind": "fail", "_failing": True}
        state = {"Type": "Task", "Resource": action.resource,
                 "Arguments": data.expr(action.arguments or "{}"),
                 "_result": action.result, "_kind": "task"}
        if task.timeout:
            state["TimeoutSeconds"] = _seconds(task.timeout)
        if self._native_retry():
            state["Retry"] = [{"ErrorEquals": ["States.TaskFailed"],
                               "MaxAttempts": task.retry.count,
                               "IntervalSeconds": task.retry.delay, "BackoffRate": 1.0}]
        state["Catch"] = self._catchers(failure_next)
        return state

    def _map_state(self, scope) -> dict:
        task = self.task
        names = [w.name for w in task.with_items]
        lists = [data.value(w.items, scope) for w in task.with_items]
        if len(lists) == 1:
            items = f'[$map({lists[0]}, function($v) {{ {{{data.lit(names[0])}: $v}} }})]'
        else:
            fields = ", ".join(f"{data.lit(n)}: $p[{i}]" for i, n in enumerate(names))
            items = f"[$map($zip({', '.join(lists)}), function($p) {{ {{{fields}}} }})]"
        item_scope = data.scope_for("$states.input", locals_={
            n: data.field("$states.input.item", n) for n in names})
        action = build_action(task, self.lowering.document, self.lowering.target, item_scope)
        iteration = self._name("item")
        states: dict[str, dict] = {}
        if action.kind == "fail":
            states[iteration] = {"Type": "Pass", "End": True, "Output": data.expr(
                f'{{"{ITEM_ERROR}": {action.error}}}')}
        elif action.kind == "pass":
            states[iteration] = {"Type": "Pass", "End": True, "Output": data.expr(action.result)}
        elif action.kind == "wait":
            states[iteration] = {"Type": "Wait", "Seconds": data.expr(action.seconds),
                                 "Output": data.expr("null"), "End": True}
        else:
            failed = self._name("item_failed")
            states[failed] = {"Type": "Pass", "End": True}
            states[iteration] = {
                "Type": "Task", "Resource": action.resource,
                "Arguments": data.expr(action.arguments or "{}"),
                "Output": data.expr(action.result), "End": True,
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": failed,
                           "Output": data.expr(f'{{"{ITEM_ERROR}": $states.errorOutput}}')}]}
            if task.timeout:
                states[iteration]["TimeoutSeconds"] = _seconds(task.timeout)
        state = {"Type": "Map", "Items": data.expr(items),
                 "ItemSelector": {"ctx": data.expr("$states.input.ctx"),
                                  "tasks": data.expr("$states.input.tasks"),
                                  "item": data.expr("$states.context.Map.Item.Value")},
                 "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"},
                                   "StartAt": iteration, "States": states},
                 "_result": "$states.result", "_kind": "map"}
        if task.concurrency is not None:
            state["MaxConcurrency"] = (task.concurrency if isinstance(task.concurrency, int)
                                       else data.expr(data.value(task.concurrency, scope)))
        state["Catch"] = self._catchers(self.error_entry)
        return state

    def _retry_states(self) -> str:
        """An explicit retry loop: break-on, expression counts, with-items, zero delay."""
        retry = self.task.retry
        name = self._name("retry")
        wait = self._name("retry_wait")
        count = retry.count if isinstance(retry.count, int) else data.expr(
            data.value(retry.count, data.scope_for("$states.input")))
        count_text = str(count) if isinstance(count, int) else f"({count[3:-3]})"
        rules = []
        if retry.break_on:
            scope = self._error_scope()
            rules.append({"Condition": data.expr(data.guard(retry.break_on, scope)),
                          "Next": self.error_entry})
        rules.append({"Condition": data.expr(f"$states.input.__attempt <= {count_text}"),
                      "Next": wait})
        self.scope.states[name] = {"Type": "Choice", "Choices": rules, "Default": self.error_entry}
        self.scope.states[wait] = {"Type": "Wait", "Seconds": _seconds(retry.delay) or 0,
                                   "Next": self.main}
        return name

    def _error_scope(self):
        current = {"result": "$states.input.__error", "state": '"ERROR"'}
        scope = data.scope_for("$states.input", current)
        return scope

    def _deferred_states(self, failure_next: str) -> str:
        task = self.task
        check = self._name("check")
        done = self._name("done")
        rules = []
        if task.with_items:
            failed = self._name("items_failed")
            errors = (f'$filter($states.input.__result, function($i) {{ $type($i) = "object" '
                      f'and $exists($lookup($i, "{ITEM_ERROR}")) }})')
            rules.append({"Condition": data.expr(f"$count({errors}) > 0"), "Next": failed})
            self.scope.states[failed] = {"Type": "Pass", "Next": failure_next, "Output": data.expr(
                f'$merge([$states.input, {{"__error": {{"Error": "Stepwise.WithItemsFailed", '
                f'"Cause": $string([{errors}.`{ITEM_ERROR}`])}}}}])')}
        current = {"result": "$states.input.__result", "state": '"SUCCESS"'}
        scope = data.scope_for("$states.input", current)
        if task.fail_on:
            failed = self._name("fail_on")
            rules.append({"Condition": data.expr(data.guard(task.fail_on, scope)),
                          "Next": failed})
            self.scope.states[failed] = {"Type": "Pass", "Next": self.error_entry,
                                         "Output": data.expr(
                '$merge([$states.input, {"__error": {"Error": "Stepwise.FailOn", '
                '"Cause": "fail-on condition is true"}}])')}
        retry = task.retry
        if retry is not None and retry.continue_on:
            wait = self._name("continue_wait")
            count = retry.count if isinstance(retry.count, int) else \
                f"({data.value(retry.count, scope)})"
            rules.append({"Condition": data.expr(
                f"({data.guard(retry.continue_on, scope)}) and $states.input.__attempt <= {count}"),
                "Next": wait})
            self.scope.states[wait] = {"Type": "Wait", "Seconds": _seconds(retry.delay) or 0,
                                       "Next": self.main}
        self.scope.states[check] = {"Type": "Choice", "Choices": rules, "Default": done}
        done_state = {"Type": "Pass", "Output": data.expr(self.lowering.prepared.success_doc(
            task, "$states.input.__result", self.final))}
        self._link(done_state, self.after)
        self.scope.states[done] = done_state
        return check


def _seconds(value):
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return data.expr(data.value(value, data.scope_for("$states.input")))
