"""Ends of threads and engine commands: Succeed / Fail states, the end-of-workflow check,
pause callbacks, waits and Choice states. Mixed into `Lowering`.
"""
from __future__ import annotations

from chalicelib.language.model import Task, Transition

from . import data
from .actions import callback_arguments
from .graph import ROOT
from .scopes import CLEAN, TAINTED, ScopeStates, _link


class Ends:
    def end(self, scope: ScopeStates, taint: str) -> str | None:
        if not scope.root or taint == CLEAN:
            return None
        if taint == TAINTED:
            return self._fail_state(scope)
        if "check" not in scope.ends:
            name = self.namer.new("End", "check")
            scope.ends["check"] = name
            done = self.namer.new("End", "succeeded")
            scope.states[done] = {"Type": "Succeed",
                                  "Output": data.expr(data.final_output(self.workflow,
                                                                        "$states.input"))}
            scope.states[name] = {"Type": "Choice", "Choices": [
                {"Condition": data.expr("$count($states.input.failed) > 0"),
                 "Next": self._fail_state(scope)}], "Default": done}
        return scope.ends["check"]

    def _fail_state(self, scope: ScopeStates) -> str:
        if "fail" not in scope.ends:
            name = self.namer.new("End", "failed")
            scope.ends["fail"] = name
            info = data.failed_tasks_info("$states.input")
            scope.states[name] = {
                "Type": "Fail", "Error": "Stepwise.WorkflowFailed",
                "Cause": data.expr(data.failure_cause(self.workflow, "$states.input", info))}
        return scope.ends["fail"]

    def _failed_end(self, scope: ScopeStates) -> str:
        """Inside a branch: where a recorded, unhandled failure ends the branch."""
        if "branch_failed" not in scope.ends:
            name = self.namer.new("End", "branch_failed")
            scope.ends["branch_failed"] = name
            scope.states[name] = {"Type": "Pass", "End": True}
        return scope.ends["branch_failed"]

    def _end_pass(self, scope: ScopeStates, label: str, keep_goto: bool = False) -> str:
        name = self.namer.new(label if label != ROOT else "Start", "end")
        if scope.root:
            output = data.final_output(self.workflow, "$states.input")
        elif keep_goto:
            output = "$states.input"
        else:
            output = '$sift($states.input, function($v, $k) { $k != "__goto" })'
        scope.states[name] = {"Type": "Pass", "End": True, "Output": data.expr(output)}
        return name

    def command_state(self, scope: ScopeStates, task: Task, command: Transition) -> str:
        name = self.namer.new(task.name, command.target)
        doc_scope = data.after_task("$states.input", task.name)
        if command.target == "fail":
            msg = command.params.get("msg")
            info = data.value(msg, doc_scope) if msg is not None else "null"
            scope.states[name] = {
                "Type": "Fail", "Error": "Stepwise.Fail",
                "Cause": data.expr(data.failure_cause(self.workflow, "$states.input", info))}
        elif scope.root:
            scope.states[name] = {"Type": "Succeed", "Output": data.expr(
                data.final_output(self.workflow, "$states.input"))}
        else:  # succeed inside a branch ends the whole machine: raised, caught at the top
            scope.states[name] = {"Type": "Fail", "Error": "Stepwise.Succeed",
                                  "Cause": data.expr("$string($states.input)")}
        return name

    def _command_catchers(self, scope: ScopeStates) -> list[dict]:
        if "succeeded_by_command" not in scope.ends:
            name = self.namer.new("End", "succeed_command")
            scope.ends["succeeded_by_command"] = name
            doc = "$parse($states.input.Cause)"
            scope.states[name] = {"Type": "Succeed", "Output": data.expr(
                f"($sw_d := {doc}; {data.final_output(self.workflow, '$sw_d')})")}
        return [{"ErrorEquals": ["Stepwise.Succeed"],
                 "Output": data.expr("$states.errorOutput"),
                 "Next": scope.ends["succeeded_by_command"]}]

    def _pause_command(self, scope: ScopeStates, task: Task, nxt: str | None,
                       taint: str) -> str:
        name = self.namer.new(task.name, "pause")
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Arguments": data.expr(callback_arguments(task, self.target, "pause")),
                 "Output": data.expr("$states.input")}
        _link(state, nxt if nxt is not None else self.end(scope, taint))
        self._finish_end(scope, state, taint, "$states.input")
        scope.states[name] = state
        return name

    def _pause_state(self, task: Task, nxt: str) -> dict:
        state = {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                 "Arguments": data.expr(callback_arguments(task, self.target, "pause_before")),
                 "Output": data.expr("$states.input"), "Next": nxt}
        return state

    def _wait(self, seconds, nxt: str | None, scope: ScopeStates, taint: str | None,
              after: str | None = None) -> dict:
        names = data.after_task("$states.input", after) if after else data.scope_for(
            "$states.input")
        value = seconds if isinstance(seconds, int) else data.expr(data.value(seconds, names))
        state = {"Type": "Wait", "Seconds": value}
        _link(state, nxt if nxt is not None else self.end(scope, taint or CLEAN))
        if taint is not None:
            self._finish_end(scope, state, taint, "$states.input")
        return state

    def _finish_end(self, scope: ScopeStates, state: dict, taint: str, doc: str) -> None:
        if state.get("End") and scope.root:
            state["Output"] = data.expr(f"($sw_d := {doc}; "
                                        f"{data.final_output(self.workflow, '$sw_d')})")

    def _choice(self, scope, origin, rules, default, taint):
        translated = [(data.guard(g, data.after_task("$states.input", origin)), n)
                      for g, n in rules]
        return self._choice_raw(scope, origin, translated, default, taint)

    def _choice_raw(self, scope: ScopeStates, origin: str, rules: list[tuple[str, str | None]],
                    default: str | None, taint: str | None, role: str = "choice") -> str:
        name = self.namer.new(origin if origin != ROOT else "Start", role)
        end = None
        if default is None or any(n is None for _, n in rules):
            end = self.end(scope, taint or CLEAN) or self._end_pass(scope, origin)
        state = {"Type": "Choice", "Choices": [
            {"Condition": data.expr(c), "Next": n if n is not None else end} for c, n in rules],
            "Default": default if default is not None else end}
        scope.states[name] = state
        return name

    # ------------------------------------------------------------------ the task itself
