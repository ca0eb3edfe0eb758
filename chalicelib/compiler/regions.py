"""Regions: a Parallel running one thread per started target, then the joins it owns.

Also the loops that leave a region (continued once its branches end) and the top-level
split between the clean and the tainted copy of a continuation. Mixed into `Lowering`.
"""
from __future__ import annotations

from chalicelib.language.model import Transition

from . import data
from .early_joins import fired, with_join_items
from .errors import UnsupportedShape
from .graph import ROOT
from .scopes import CLEAN, MAYBE, TAINTED, ScopeStates, _link, _merge_docs, _ordered


class Regions:
    def region(self, scope: ScopeStates, origin: str, targets: list[Transition], taint: str,
               then: str | None, arguments: str | None = None, with_joins: bool = True,
               solo: bool = False, extra=None) -> str:
        """A Parallel running one thread per started target, then the joins it owns.

        `solo` runs only the targets themselves, not what follows them; `extra` builds one
        more branch in the scope it is given."""
        owned = self.graph.owned.get(origin, []) if with_joins else []
        early = [j for j in owned if j in self.graph.early]
        if early:
            arguments = with_join_items(arguments, early)
        if origin in self.fan_stack:
            task = self.workflow.tasks.get(origin)
            raise UnsupportedShape(
                origin, task.position if task else self.workflow.position,
                f"task '{origin}' starts parallel branches inside a loop that returns to it",
                "move the loop into a sub-workflow, or end the branches before looping")
        self.fan_stack.append(origin)
        try:
            layers, tail = self._join_layers(origin, owned)
            after_joins = self._owned_joins(scope, origin, tail, taint, then)
            label = "Start" if origin == ROOT else origin
            nested = any(checked for _, checked in layers)
            if not targets and extra is None and not nested:
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
                entry = self.enter(branch, origin, transition.target, CLEAN, solo=solo)
                if transition.guard:
                    skip = self._end_pass(branch, transition.target)
                    entry = self._choice_raw(branch, transition.target, [
                        (data.guard(transition.guard, data.after_task("$states.input", origin)),
                         entry)],
                        skip, None)
                branches.append({"StartAt": entry, "States": _ordered(branch.states, entry)})
            for joins, checked in layers:
                if branches or checked:
                    branches = self.counted_region(label, origin, branches, joins, checked)
            self.scope_stack.pop()
            self.fan_stack.pop()
            gotos = self.goto_log[mark:]
            del self.goto_log[mark:]
            if gotos and nested:
                task = self.workflow.tasks.get(origin)
                raise UnsupportedShape(
                    origin, task.position if task else self.workflow.position,
                    f"a loop leaves the region that task '{origin}' starts, where another "
                    "join's thread leads to a 'join: one' or 'join: N' task",
                    "move the loop into a sub-workflow")
            after = after_joins if after_joins else self.end(scope, MAYBE)
            return self._parallel(scope, label, "parallel", branches,
                                  self._loop_back(scope, label, gotos, taint, after), arguments)
        finally:
            if self.fan_stack and self.fan_stack[-1] == origin:
                self.fan_stack.pop()

    def _join_layers(self, origin: str, owned: list[str]) -> tuple[list, list[list[str]]]:
        """Where the joins a region owns are checked: gives the layers of its counted region
        and the stages checked after it.

        An early join counts arrivals only while its region runs, and the threads of the
        joins checked in earlier stages may arrive at it: the early joins of stage i are
        released after the stages before i have run. Each layer is (early joins, stages
        checked inside the layer before they are released); the layers nest in order, the
        first innermost. The stages from the last one with an early join on are checked
        after the region."""
        stages = self.graph.stages.get(origin, []) if owned else []
        layers, start = [], 0
        for number, stage in enumerate(stages):
            early = [j for j in stage if j in self.graph.early]
            if early:
                layers.append((early, stages[start:number]))
                start = number
        return layers, stages[start:]

    def _owned_joins(self, scope: ScopeStates, origin: str, stages: list[list[str]],
                     taint: str, then: str | None) -> str | None:
        """Check joins a region owns, stage by stage, then continue with `then`."""
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
        merged = _merge_docs(bool(self.graph.early))
        state = {"Type": "Parallel", "Branches": branches, "Output": data.expr(merged)}
        if arguments is not None:
            state["Arguments"] = data.expr(arguments)
        if scope.root:
            state["Catch"] = self._command_catchers(scope)
        _link(state, nxt)
        if state.get("End") and scope.root:
            state["Output"] = data.expr(f"($sw_d := {merged}; "
                                        f"{data.final_output(self.workflow, '$sw_d')})")
        name = self.namer.new(label, role)
        scope.states[name] = state
        return name

    def _join_check(self, scope: ScopeStates, join: str, taint: str) -> str:
        task = self.workflow.tasks[join]
        inbound = self.graph.inbound[join]
        failed = "$count($states.input.failed) > 0"
        if join in self.graph.early:
            # it ran (or not) in the branch of its N-th arrival; here only its error path
            satisfied = fired(join)
            default = self.end(scope, taint) or self._end_pass(scope, join)
        else:
            need = len(inbound) if task.join == "all" else min(int(task.join), len(inbound))
            arrived = f"$count($distinct($states.input.arrivals[join = {data.lit(join)}].from))"
            satisfied = f"{arrived} >= {need}"
            default = self.thread(scope, join, taint)  # first: the common copy keeps the name
        rules = []
        if scope.root and taint == CLEAN:
            rules.append((f"$not({satisfied}) and {failed}",
                          self.thread_error_entry(scope, join, TAINTED)))
        rules.append((f"$not({satisfied})", self.thread_error_entry(scope, join, taint)))
        if scope.root and taint == CLEAN:
            # a failure was recorded: the tainted copy of what follows (an early join has
            # run already, in its waiter branch: only the end is left)
            tainted = (self.end(scope, TAINTED) if join in self.graph.early
                       else self.thread(scope, join, TAINTED))
            rules.append((failed, tainted))
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
        entry = self.thread(scope, name, taint)
        # a join reached again inside its own loop continues in the enclosing scope, where
        # its check runs once more; there is no copy of its error path here
        return scope.ends.get(f"error:{name}:{taint if scope.root else None}", entry)

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
