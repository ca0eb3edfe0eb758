"""Lowering: a workflow model becomes the states of one Step Functions machine.

Takes a direct `Workflow` with its `Graph` (reverse workflows arrive already rewritten);
gives the ASL document (a dict). The translation follows the threads Mistral runs: each
task is one state (plus small helper states only where a construct needs them), an
unconditional single transition is a plain `Next`, several started targets become a
`Parallel` whose branches each run their own thread (so a task reached by two transitions
without `join` runs twice, as in Mistral), and a join runs once after the region that
contains all its inbound tasks, when its arrivals satisfy `all` / N, except that `join: one`
and `join: N` below all inbound tasks fire on the N-th arrival (`early_joins`). Loops are `Next`
edges back to a state of the same scope. Unhandled failures are recorded in the doc so
that other branches run to their end; the machine then ends FAILED.

At the top level the lowering also tracks whether a failure may have been recorded
("taint"), so that the common clean path ends without an extra check state.
"""
from __future__ import annotations

from chalicelib.language.model import Document, Task, Transition, Workflow

from . import data, plan
from .errors import UnsupportedShape
from .graph import ROOT, Graph
from .guards import exclusive
from .early_joins import EarlyJoins
from .ends import Ends
from .names import Namer
from .regions import Regions
from .scopes import CLEAN, MAYBE, TAINTED, ScopeStates, _link, _ordered, _unwrap
from .target import Target
from .prepared import Prepared
from .task_states import TaskStates, handled_statically

MAX_STATES = 20000


class Lowering(Regions, Ends, EarlyJoins):
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
        # top-level task states that can build the first doc themselves (`_fold_start`)
        self.foldable: set[str] = set()
        self.prepared = Prepared(self)

    # ------------------------------------------------------------------ top level
    def machine(self) -> dict:
        top = ScopeStates(root=True)
        starts = self.graph.successors[ROOT]  # the workflow's start tasks
        init = data.init_doc(self.workflow)
        if len(starts) == 1 and ROOT not in self.graph.owned:
            start = self.namer.new("Start", "init")
            first = self.thread(top, starts[0], CLEAN)
            top.states[start] = {"Type": "Pass", "Output": data.expr(init), "Next": first}
            self._fold_start(top, start, init)
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

    def _fold_start(self, top: ScopeStates, start: str, init: str) -> None:
        """Drop the Start state when the first state can build the first doc itself."""
        first = top.states[start]["Next"]
        state = top.states[first]
        if first not in self.foldable:
            return
        for key in ("Arguments", "Output"):
            if key in state:
                body = _unwrap(state[key]).replace("$states.input", "$sw_init")
                state[key] = data.expr(f"($sw_init := {init}; {body})")
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
        handled = handled_statically(task)
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

    def enter(self, scope: ScopeStates, origin: str, name: str, taint: str,
              solo: bool = False) -> str:
        """Where a transition from `origin` to task `name` starts: the task's thread, or the
        count of an arrival at an early join."""
        if name in self.graph.early and not solo:
            return self.arrival(scope, origin, name)
        return self.thread(scope, name, taint, solo=solo)

    def _fails_straight(self, scope: ScopeStates, task: Task, error_items) -> bool:
        retry = task.retry
        native_retry = retry is None or (
            isinstance(retry.count, int) and isinstance(retry.delay, int) and retry.delay >= 1
            and retry.count >= 1 and not retry.break_on and not retry.continue_on)
        return (not error_items and not task.publish_on_error
                and task.name not in self.graph.inbound and not task.with_items
                and not task.fail_on and native_retry
                and task.action not in ("std.fail", plan.REPLAY_ERROR)
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
        for t in items:
            if t.is_command:
                break
        else:  # no engine command (the common case): start the targets
            return self.fan_out(scope, task.name, self._started(items), taint, None,
                                with_joins=bool(items))
        guarded_commands = [t for t in items if t.is_command and t.guard]
        terminal = next((t for t in items if t.is_command and not t.guard
                         and t.target in ("succeed", "fail")), None)
        before = items[: items.index(terminal)] if terminal else items
        pause_at = next((i for i, t in enumerate(before)
                         if t.is_command and t.target == "pause" and not t.guard), None)
        now = before if pause_at is None else before[:pause_at]
        targets = self._started(now)
        later = [] if pause_at is None else self._started(before[pause_at + 1:])
        then = None
        # joins this task owns are evaluated only when these transitions start something:
        # a failure with nowhere to go leaves every join it owns unreached
        reaches = any(not t.is_command for t in before)
        if terminal is not None:
            then = self.command_state(scope, task, terminal)
            if terminal.target == "succeed":
                # targets listed before `succeed` start, but nothing after them runs
                targets = [t for t in targets if t.target not in self.graph.early]
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

    def _started(self, items) -> list[Transition]:
        """The transitions among `items` that start something here: a task's thread, or
        the count of an arrival at an early join. Engine commands are not; transitions into
        other joins are recorded in the doc and checked when the join's region ends."""
        joins, early = self.graph.inbound, self.graph.early
        return [t for t in items
                if not t.is_command and (t.target not in joins or t.target in early)]

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
            return self.enter(scope, origin, targets[0].target, taint)
        if len(guarded) == len(targets) and exclusive([t.guard for t in guarded]):
            doc_scope = data.after_task("$states.input", origin)
            rules = [(data.guard(t.guard, doc_scope), self.enter(scope, origin, t.target, taint))
                     for t in guarded]
            return self._choice_raw(scope, origin, rules, None, taint)
        return self.region(scope, origin, targets, taint, None)

    def _action_states(self, scope: ScopeStates, task: Task, main: str, after: str | None,
                       error_entry: str, taint: str, record_failure: bool = False) -> None:
        TaskStates(self, scope, task, main, after, error_entry, taint, record_failure).build()

    def _error_state(self, scope: ScopeStates, task: Task, name: str, nxt: str | None,
                     taint: str) -> None:
        """The Pass that records a failure of `task` and goes where its error clauses say."""
        state = {"Type": "Pass", "Output": None}
        _link(state, nxt if nxt is not None else self.end(scope, taint))
        final = bool(state.get("End") and scope.root)
        state["Output"] = data.expr(self.prepared.error_doc(task, final))
        scope.states[name] = state
