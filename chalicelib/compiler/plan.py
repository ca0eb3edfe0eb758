"""Run plans: which tasks of a run execute their action, and which stand in for it.

A retried or rerun execution goes on from where an earlier attempt stopped: tasks that
succeeded give the result they gave then, failed tasks that are not retried fail again with
the error they had, and the rest run. `included_tasks` runs only some tasks: the others pass
their transitions on without running anything.

Takes a direct `Workflow` and a `Plan`; `apply` gives the workflow with every planned task
rewritten to a stand-in action (results and errors are read at run time from the
execution input, under ``__reuse``, so one machine serves every retry with the same plan).
`choose` picks the plan of a retry from the tasks of the earlier attempt.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from chalicelib.language.model import Workflow

from .graph import analyse

# execution input key: task name -> {"result" | "error": ..., "published": {...}}
REUSE_INPUT = "__reuse"

# stand-in actions (names no author can write: the loader accepts printable names only)
REUSE = "\x00reuse"
REPLAY_ERROR = "\x00replay_error"
SKIP = "\x00skip"
ROLES = {REUSE: "reused", REPLAY_ERROR: "replayed", SKIP: "skipped"}


def earlier(task: str) -> str:
    """JSONata giving the earlier outcome of `task` from the execution input."""
    return (f"$lookup($states.context.Execution.Input.{REUSE_INPUT}, "
            f"{json.dumps(task, ensure_ascii=False)})")


def earlier_published(task: str) -> str:
    return f"($sw_p := {earlier(task)}.published; $type($sw_p) = \"object\" ? $sw_p : {{}})"


@dataclass(frozen=True)
class Plan:
    reuse: frozenset[str] = frozenset()  # succeeded earlier: give that result again
    replay_errors: frozenset[str] = frozenset()  # failed earlier, not retried: fail again
    skip: frozenset[str] = frozenset()  # not included: run nothing, follow on-success

    def __bool__(self) -> bool:
        return bool(self.reuse or self.replay_errors or self.skip)

    def action_of(self, task: str) -> str | None:
        if task in self.reuse:
            return REUSE
        if task in self.replay_errors:
            return REPLAY_ERROR
        if task in self.skip:
            return SKIP
        return None

    def key(self) -> str:
        """A short digest naming the plan (and the machine compiled for it)."""
        text = json.dumps([sorted(self.reuse), sorted(self.replay_errors), sorted(self.skip)])
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    def to_json(self) -> dict[str, list[str]]:
        return {"reuse": sorted(self.reuse), "replay_errors": sorted(self.replay_errors),
                "skip": sorted(self.skip)}

    @classmethod
    def from_json(cls, value: Mapping[str, Iterable[str]] | None) -> Plan:
        value = value or {}
        return cls(frozenset(value.get("reuse", ())), frozenset(value.get("replay_errors", ())),
                   frozenset(value.get("skip", ())))


def apply(workflow: Workflow, plan: Plan) -> Workflow:
    """The workflow with each planned task's action replaced by its stand-in.

    A stand-in keeps the task's transitions and join, and drops what belongs to running the
    action: input, with-items, retry, timeout, waits, pause-before, fail-on and publish (a
    reused or replayed task publishes what it published then, a skipped task nothing)."""
    if not plan:
        return workflow
    tasks = dict(workflow.tasks)
    for name, task in workflow.tasks.items():
        action = plan.action_of(name)
        if action is None:
            continue
        tasks[name] = replace(
            task, action=action, workflow=None, input={}, input_expression=None,
            with_items=(), concurrency=None, retry=None, wait_before=None, wait_after=None,
            timeout=None, pause_before=False, fail_on=None, publish={}, publish_on_error={})
    return replace(workflow, tasks=tasks)


@dataclass(frozen=True)
class EarlierTask:
    """A task as the earlier attempt left it."""

    state: str  # success | error | cancelled | running
    runs: int


def choose(workflow: Workflow, earlier: Mapping[str, EarlierTask], rerun: Iterable[str]
           ) -> Plan:
    """The plan of an attempt that runs the tasks `rerun` again, and every task a transition
    from them can reach (their input may come from the tasks rerun).

    One stored outcome cannot stand for several runs, so tasks in a loop, run more than once
    or cancelled run again too, with what follows them. Of the other tasks, those that
    succeeded are reused and those that failed fail again."""
    graph = analyse(workflow)
    known = {name: task for name, task in earlier.items() if name in workflow.tasks}

    def stable(name: str, task: EarlierTask) -> bool:
        once = task.state == "error" or (task.state == "success" and task.runs == 1)
        return once and not graph.leads(name, name)

    sources = set(rerun) | {name for name, task in known.items() if not stable(name, task)}
    again = sources | {name for name in known
                       if any(graph.leads(source, name) for source in sources)}
    reuse = {name for name, task in known.items()
             if name not in again and task.state == "success"}
    replay = {name for name, task in known.items()
              if name not in again and task.state == "error"}
    return Plan(frozenset(reuse), frozenset(replay))
