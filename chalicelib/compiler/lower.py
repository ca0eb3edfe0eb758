"""Lowering: a workflow model becomes the states of one Step Functions machine.

Takes a direct `Workflow` with its `Graph` (reverse workflows arrive already rewritten);
gives the ASL document (a dict). The translation follows the threads Mistral runs: each
task is one state (plus small helper states only where a construct needs them), an
unconditional single transition is a plain `Next`, several started targets become a
`Parallel` whose branches each run their own thread (so a task reached by two transitions
without `join` runs twice, as in Mistral), and a join runs once after the region that
contains all its inbound tasks, when its arrivals satisfy `all` / N. Loops are `Next`
edges back to a state of the same scope. Unhandled failures are recorded in the doc so
that other branches run to their end; the machine then ends FAILED.

At the top level the lowering also tracks whether a failure may have been recorded
("taint"), so that the common clean path ends without an extra check state.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from chalicelib.language.model import Document, Task, Transition, Workflow

from . import data
from .actions import callback_arguments
from .errors import UnsupportedShape
from .graph import ROOT, Graph
from .guards import exclusive
from .names import Namer
from .target import Target

CLEAN, MAYBE, TAINTED = "clean", "maybe", "tainted"
MAX_STATES = 20000


@dataclass
class ScopeStates:
    """The `States` of one scope: the machine's top level or one Parallel branch."""

    root: bool
    states: dict[str, dict] = field(default_factory=dict)
    visited: dict[tuple[str, str | None], str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # tasks with a copy in this scope
    active: set[str] = field(default_factory=set)  # fan-out tasks being expanded
    ends: dict[str, str] = field(default_factory=dict)


class Lowering:
    def __init__(self, document: Document, workflow: Workflow, graph: Graph, target: Target):
        self.document = document
        self.workflow = workflow
        self.graph = graph
        self.target = target
        self.namer = Namer()
        self.count = 0
        self.fan_stack: list[str] = []
        self.scope_stack: list[ScopeStates] = []
        self.goto_log: list[str] = []

    # ------------------------------------------------------------------ top level
    def machine(self) -> dict:
        top = ScopeStates(root=True)
        starts = self.workflow.start_tasks()
        init = data.init_doc(self.workflow)
        if len(starts) == 1 and ROOT not in self.graph.owned:
            start = self.namer.new("Start", "init")
            first = self.thread(top, starts[0], CLEAN)
            top.states[start] = {"Type": "Pass", "Output": data.expr(init), "Next": first}
            self._fold_start(top, start)
            start_at = top.states.get(start) and start or first
        else:
            targets = [Transition(target=name) for name in starts]
            start_at = self.region(top, ROOT, targets, CLEAN, then=None, arguments=init)
        return {
            "Comment": f"Mistral workflow '{self.workflow.name}'",
            "QueryLanguage": "JSONata",
            "StartAt": start_at,
            "States": _ordered(top.states, start_at),
        }

    def _fold_start(self, top: ScopeStates, start: str) -> None:
        """Drop the Start state when the first state can build the first doc itself."""
        first = top.states[start]["Next"]
        state = top.states[first]
        if not state.get("_foldable"):
            return
        init = data.init_doc(self.workflow)
        for key in ("Arguments", "Output"):
            if key in state:
                state[key] = data.expr(f"($sw_init := {init}; "
                                       f"{_unwrap(state[key]).replace('$states.input', '$sw_init')})")
        for catcher in state.get("Catch", []):
            catcher["Output"] = data.expr(
                f"($sw_init := {init}; "
                f"{_unwrap(catcher['Output']).replace('$states.input', '$sw_init')})")
        del top.states[start]

    # ------------------------------------------------------------------ threads
    def thread(self, scope: ScopeStates, name: str, taint: str, solo: bool = False) -> str:
        """The states of task `name` and of everything its transitions start, in `scope`
        (only the task itself when `solo`); gives the state to enter."""
        key = (name, taint if scope.root else ("solo" if solo else None))
        if key in scope.visited:
            return scope.visited[key]
        if self._loops_back(name):
            return self._goto(scope, name)
        task = self.workflow.tasks[name]
        self.count += 1
        if self.count > MAX_STATES:
            raise UnsupportedShape(name, task.position,
                                   "the workflow expands to too many states",
                                   "split it into sub-workflows")
        pre = []
        if task.pause_before not in (False, None, "false"):
            pre.append(("pause", self.namer.new(name, "pause_before")))
        if task.wait_before:
            pre.append(("wait_before", self.namer.new(name, "wait_before")))
        main = self.namer.new(name)
        scope.visited[key] = pre[0][1] if pre else main
        scope.names.add(name)

        error_items = (*task.on_error, *task.on_complete)
        if solo:
            error_entry = self.namer.new(name, "error")
            self._error_state(scope, task, error_entry, None, taint)
            self._action_states(scope, task, main, self._wait_after(scope, task, None, taint),
                                error_entry, taint)
            self._pre_states(scope, task, pre, main)
            return scope.visited[key]
        success_next = self.dispatch(scope, task, self._success_items(task), taint)
        if self._fails_straight(scope, task, error_items):
            # nothing handles or follows a failure: the catcher records it and the thread
            # ends (the machine fails, or the branch ends), with no error state of its own
            failed = self._fail_state(scope) if scope.root else self._failed_end(scope)
            self._action_states(scope, task, main, self._wait_after(scope, task, success_next,
                                                                    taint),
                                failed, taint, record_failure=True)
            self._pre_states(scope, task, pre, main)
            return scope.visited[key]
        error_entry = self.namer.new(name, "error")
        scope.ends[f"error:{name}:{key[1]}"] = error_entry
        handled = _handled(task)
        if not scope.root or handled is True or taint == TAINTED:
            error_taint = taint
            error_next = self.dispatch(scope, task, error_items, taint)
        elif handled is False:
            error_taint = TAINTED
            error_next = self.dispatch(scope, task, error_items, TAINTED)
        else:  # guarded on-error: whether the failure was handled is known at run time
            error_taint = MAYBE
            error_next = self.split(scope, name, lambda t: self.dispatch(scope, task,
                                                                         error_items, t))
        self._error_state(scope, task, error_entry, error_next, error_taint)

        after = self._wait_after(scope, task, success_next, taint)
        self._action_states(scope, task, main, after, error_entry, taint)
        self._pre_states(scope, task, pre, main)
        return scope.visited[key]

    def _fails_straight(self, scope: ScopeStates, task: Task, error_items) -> bool:
        retry = task.retry
        native_retry = retry is None or (
            isinstance(retry.count, int) and isinstance(retry.delay, int) and retry.delay >= 1
            and retry.count >= 1 and not retry.break_on and not retry.continue_on)
        return (not error_items and not task.publish_on_error
                and task.name not in self.graph.inbound and not task.with_items
                and not task.fail_on and native_retry and task.action != "std.fail"
                and task.action not in self.document.actions)

    def _wait_after(self, scope: ScopeStates, task: Task, nxt: str | None,
                    taint: str) -> str | None:
        if not task.wait_after:
            return nxt
        wait = self.namer.new(task.name, "wait_after")
        scope.states[wait] = self._wait(task.wait_after, nxt, scope, taint, after=task.name)
        return wait

    def _pre_states(self, scope: ScopeStates, task: Task, pre: list, main: str) -> None:
        nxt = main
        for kind, state_name in reversed(pre):
            if kind == "pause" and isinstance(task.pause_before, str):
                # an expression: pause only when it is true when the task is reached
                pause = self.namer.new(task.name, "pause")
                scope.states[pause] = self._pause_state(task, nxt)
                condition = data.guard(task.pause_before, data.scope_for("$states.input"))
                scope.states[state_name] = {"Type": "Choice", "Choices": [
                    {"Condition": data.expr(condition), "Next": pause}], "Default": nxt}
            elif kind == "pause":
                scope.states[state_name] = self._pause_state(task, nxt)
            else:
                scope.states[state_name] = self._wait(task.wait_before, nxt, scope, None)
            nxt = state_name

    @staticmethod
    def _success_items(task: Task) -> tuple[Transition, ...]:
        return (*task.on_success, *task.on_complete)

    # ------------------------------------------------------------------ transitions
    def dispatch(self, scope: ScopeStates, task: Task, items: tuple[Transition, ...],
                 taint: str) -> str | None:
        """Where the thread goes after `task` finished with these transitions."""
        joins = self.graph.inbound
        guarded_commands = [t for t in items if t.is_command and t.guard]
        terminal = next((t for t in items if t.is_command and not t.guard
                         and t.target in ("succeed", "fail")), None)
        before = items[: items.index(terminal)] if terminal else items
        pause_at = next((i for i, t in enumerate(before)
                         if t.is_command and t.target == "pause" and not t.guard), None)
        now = before if pause_at is None else before[:pause_at]
        targets = [t for t in now if not t.is_command and t.target not in joins]
        later = [] if pause_at is None else [
            t for t in before[pause_at + 1:] if not t.is_command and t.target not in joins]
        then = None
        # joins this task owns are evaluated only when these transitions start something:
        # a failure with nowhere to go leaves every join it owns unreached
        reaches = any(not t.is_command for t in before)
        if terminal is not None:
            then = self.command_state(scope, task, terminal)
            if terminal.target == "succeed":
                # targets listed before `succeed` start, but nothing after them runs
                if not targets:
                    return then
                return self.region(scope, task.name, targets, taint, then, with_joins=False,
                                   solo=True)
        if pause_at is None:
            node = self.fan_out(scope, task.name, targets, taint, then, with_joins=reaches)
        elif not targets:
            node = self._pause_command(scope, task, self.fan_out(
                scope, task.name, later, taint, then, with_joins=reaches), taint)
        else:  # targets before `pause` start now; those after it once resumed
            def paused(branch: ScopeStates) -> str:
                rest = self.fan_out(branch, task.name, later, CLEAN, None, with_joins=False)
                return self._pause_command(branch, task, rest, CLEAN)
            node = self.region(scope, task.name, targets, taint, then, with_joins=reaches,
                               extra=paused)
        for command in reversed(guarded_commands):
            if command.target == "pause":
                target_state = self._pause_command(scope, task, node, taint)
            else:
                target_state = self.command_state(scope, task, command)
            node = self._choice(scope, task.name, [(command.guard, target_state)], node, taint)
        return node

    def fan_out(self, scope: ScopeStates, origin: str, targets: list[Transition], taint: str,
                then: str | None, with_joins: bool = True) -> str | None:
        """Start the threads of `targets` (guards decided at run time)."""
        owned = self.graph.owned.get(origin) if with_joins else None
        if owned or then is not None:
            if not targets and not owned:
                return then
            return self.region(scope, origin, targets, taint, then, with_joins=with_joins)
        if not targets:
            return self.end(scope, taint)
        guarded = [t for t in targets if t.guard]
        if not guarded and len(targets) == 1:
            return self.thread(scope, targets[0].target, taint)
        if len(guarded) == len(targets) and exclusive([t.guard for t in guarded]):
            doc_scope = data.after_task("$states.input", origin)
            rules = [(data.guard(t.guard, doc_scope), self.thread(scope, t.target, taint))
                     for t in guarded]
            return self._choice_raw(scope, origin, rules, None, taint)
        return self.region(scope, origin, targets, taint, None)

    def region(self, scope: ScopeStates, origin: str, targets: list[Transition], taint: str,
               then: str | None, arguments: str | None = None, with_joins: bool = True,
               solo: bool = False, extra=None) -> str:
        """A Parallel running one thread per started target, then the joins it owns.

        `solo` runs only the targets themselves, not what follows them; `extra` builds one
        more branch in the scope it is given."""
        owned = self.graph.owned.get(origin, []) if with_joins else []
        if origin in self.fan_stack:
            task = self.workflow.tasks.get(origin)
            raise UnsupportedShape(
                origin, task.position if task else self.workflow.position,
                f"task '{origin}' starts parallel branches inside a loop that returns to it",
                "move the loop into a sub-workflow, or end the branches before looping")
        self.fan_stack.append(origin)
        try:
            after_joins = self._owned_joins(scope, origin, owned, taint, then)
            label = "Start" if origin == ROOT else origin
            if not targets and extra is None:
                return after_joins or self.end(scope, MAYBE) or self._end_pass(scope, label)
            branches = []
            mark = len(self.goto_log)
            self.scope_stack.append(scope)
            if extra is not None:
                branch = ScopeStates(root=False)
                entry = extra(branch)
                branches.append({"StartAt": entry, "States": _ordered(branch.states, entry)})
            for transition in targets:
                branch = ScopeStates(root=False)
                entry = self.thread(branch, transition.target, CLEAN, solo=solo)
                if transition.guard:
                    skip = self._end_pass(branch, transition.target)
                    entry = self._choice_raw(branch, transition.target, [
                        (data.guard(transition.guard, data.after_task("$states.input", origin)),
                         entry)],
                        skip, None)
                branches.append({"StartAt": entry, "States": _ordered(branch.states, entry)})
            self.scope_stack.pop()
            self.fan_stack.pop()
            gotos = self.goto_log[mark:]
            del self.goto_log[mark:]
            after = after_joins if after_joins else self.end(scope, MAYBE)
            return self._parallel(scope, label, "parallel", branches,
                                  self._loop_back(scope, label, gotos, taint, after), arguments)
        finally:
            if self.fan_stack and self.fan_stack[-1] == origin:
                self.fan_stack.pop()

    def _owned_joins(self, scope: ScopeStates, origin: str, owned: list[str], taint: str,
                     then: str | None) -> str | None:
        """Check the joins a region owns, stage by stage, then continue with `then`."""
        if not owned:
            return then
        stages = self.graph.stages[origin]
        nxt = then
        for number, stage in reversed(list(enumerate(stages))):
            last = number == len(stages) - 1
            if last and len(stage) == 1 and then is None:
                nxt = self._join_check(scope, stage[0], taint)
                continue
            branches = []
            for join in stage:
                branch = ScopeStates(root=False)
                entry = self._join_check(branch, join, CLEAN)
                branches.append({"StartAt": entry, "States": _ordered(branch.states, entry)})
            label = origin if origin != ROOT else "Start"
            nxt = self._parallel(scope, label, "joins", branches,
                                 nxt if nxt else self.end(scope, MAYBE))
        return nxt

    def _parallel(self, scope: ScopeStates, label: str, role: str, branches: list[dict],
                  nxt: str | None, arguments: str | None = None) -> str:
        """A Parallel whose output merges its branches' docs (the workflow output when it
        ends the machine); at the top level it also catches `succeed` from a branch."""
        state = {"Type": "Parallel", "Branches": branches, "Output": data.expr(_merge_docs())}
        if arguments is not None:
            state["Arguments"] = data.expr(arguments)
        if scope.root:
            state["Catch"] = self._command_catchers(scope)
        _link(state, nxt)
        if state.get("End") and scope.root:
            state["Output"] = data.expr(f"($sw_d := {_merge_docs()}; "
                                        f"{data.final_output(self.workflow, '$sw_d')})")
        name = self.namer.new(label, role)
        scope.states[name] = state
        return name

    def _join_check(self, scope: ScopeStates, join: str, taint: str) -> str:
        task = self.workflow.tasks[join]
        inbound = self.graph.inbound[join]
        need = len(inbound) if task.join == "all" else min(int(task.join), len(inbound))
        arrived = (f'$count($distinct($states.input.arrivals[join = {data.lit(join)}].from))')
        satisfied = f"{arrived} >= {need}"
        failed = "$count($states.input.failed) > 0"
        default = self.thread(scope, join, taint)  # first, so the common copy keeps the name
        rules = []
        if scope.root and taint == CLEAN:
            rules.append((f"$not({satisfied}) and {failed}",
                          self.thread_error_entry(scope, join, TAINTED)))
        rules.append((f"$not({satisfied})", self.thread_error_entry(scope, join, taint)))
        if scope.root and taint == CLEAN:
            rules.append((failed, self.thread(scope, join, TAINTED)))
        return self._choice_raw(scope, join, rules, default, taint, role="join")

    def split(self, scope: ScopeStates, origin: str, make) -> str | None:
        """At the top level, continue with the clean or the tainted copy of what `make`
        builds, as the doc's recorded failures say; inside branches there is one copy."""
        if not scope.root:
            return make(CLEAN)
        clean = make(CLEAN)
        tainted = make(TAINTED)
        return self._choice_raw(scope, origin, [("$count($states.input.failed) > 0", tainted)],
                                clean, CLEAN, role="split")

    def thread_error_entry(self, scope: ScopeStates, name: str, taint: str) -> str:
        """The error path of task `name`, entered without running it (a failed join)."""
        self.thread(scope, name, taint)
        return scope.ends[f"error:{name}:{taint if scope.root else None}"]

    def _loops_back(self, name: str) -> bool:
        """Whether starting `name` here would enter again a region being built (a loop that
        leaves the region) while an enclosing scope has `name` to return to."""
        return (any(name in outer.names for outer in self.scope_stack)
                and any(name == origin or self.graph.leads(name, origin)
                        for origin in self.fan_stack))

    def _goto(self, scope: ScopeStates, name: str) -> str:
        """A loop back to a task of an enclosing scope: end this branch and ask the region
        that contains it to continue at `name` once all its branches have finished."""
        state_name = self.namer.new(name, "loop")
        scope.states[state_name] = {"Type": "Pass", "End": True, "Output": data.expr(
            f'$merge([$states.input, {{"__goto": {data.lit(name)}}}])')}
        self.goto_log.append(name)
        return state_name

    def _loop_back(self, scope: ScopeStates, origin: str, gotos: list[str], taint: str,
                   default: str | None) -> str | None:
        """After a region whose branches loop back: continue at the requested task."""
        if not gotos:
            return default
        rules = []
        for name in dict.fromkeys(gotos):
            here = name in scope.names
            if here:
                nxt = self.split(scope, name, lambda t, n=name: self.thread(scope, n, t))
            else:
                nxt = self._end_pass(scope, name, keep_goto=True)
                self.goto_log.append(name)
            rules.append((f"$states.input.__goto = {data.lit(name)}", nxt))
        if default is None:
            default = self.end(scope, MAYBE) or self._end_pass(scope, origin)
        return self._choice_raw(scope, origin, rules, default, taint, role="loop")

    # ------------------------------------------------------------------ ends and commands
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
    def _action_states(self, scope: ScopeStates, task: Task, main: str, after: str | None,
                       error_entry: str, taint: str, record_failure: bool = False) -> None:
        from .task_states import TaskStates
        TaskStates(self, scope, task, main, after, error_entry, taint, record_failure).build()

    def _error_state(self, scope: ScopeStates, task: Task, name: str, nxt: str | None,
                     taint: str) -> None:
        """The Pass that records a failure of `task` and goes where its error clauses say."""
        from .task_states import error_doc
        state = {"Type": "Pass", "Output": None}
        _link(state, nxt if nxt is not None else self.end(scope, taint))
        final = bool(state.get("End") and scope.root)
        state["Output"] = data.expr(error_doc(self, task, final))
        scope.states[name] = state


def _handled(task: Task) -> bool | None:
    """Whether a failure of `task` is handled: True, False, or None (decided at run time)."""
    if not task.on_error:
        return False
    if any(not t.guard for t in task.on_error):
        return True
    return None


def _link(state: dict, nxt: str | None) -> None:
    if nxt is None:
        state["End"] = True
        state.pop("Next", None)
    else:
        state["Next"] = nxt
        state.pop("End", None)


def _unwrap(text: str) -> str:
    return text[3:-3] if text.startswith("{% ") and text.endswith(" %}") else text


def _merge_docs() -> str:
    return ('($sw_r := $states.result; {"ctx": $merge($sw_r.ctx), "tasks": $merge($sw_r.tasks), '
            '"failed": [$sw_r.failed], "arrivals": $distinct([$sw_r.arrivals]), '
            '"__goto": [$sw_r.__goto][0]})')


def _ordered(states: dict[str, dict], start: str) -> dict[str, dict]:
    """States in the order they are reached from `start`, for a readable document."""
    order: dict[str, None] = {}
    stack = [start]
    while stack:
        name = stack.pop()
        if name in order or name not in states:
            continue
        order[name] = None
        state = states[name]
        nxts = [c["Next"] for c in state.get("Catch", [])]
        nxts += [c["Next"] for c in state.get("Choices", [])]
        for key in ("Default", "Next"):
            if key in state:
                nxts.append(state[key])
        stack.extend(reversed(nxts))
    # states no path reaches (e.g. the success path of a task that always fails) are dropped
    return {name: {k: v for k, v in states[name].items() if not k.startswith("_")}
            for name in order}
