"""Compiler: validated workflow model → Amazon States Language (JSONata query language).

The pipeline, one pass per module:

1. ``chalicelib.language.load`` — YAML with positions → validated `model.Document`.
2. `graph.reverse_to_direct` — a reverse workflow becomes the direct workflow it runs;
   `plan.apply` puts stand-ins in place of the tasks a retry reuses or a run skips.
3. `graph.analyse` — successors, join inbound sets and the region that owns each join.
4. `lower.Lowering` — threads → states: `lower` follows each task's transitions, `regions`
   builds Parallel regions and their joins, `early_joins` the joins that fire on their N-th
   arrival, `ends` the ends and engine commands,
   `task_states` and `actions` the states of one task, `jsonata` the expressions.
5. `asl_check.check` — structural check of the emitted document.

`compile_document` runs 2–5 for every workflow of a document; `compile_text` runs 1–5.
"""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass

from chalicelib.errors import InvalidDefinition, Problem
from chalicelib.language.model import Document

from . import asl_check, graph
from . import plan as plans
from .jsonata import memo
from .lower import Lowering
from .plan import Plan
from .target import Target

__all__ = ["CompiledWorkflow", "Plan", "Target", "compile_document", "compile_text"]


@dataclass(frozen=True)
class CompiledWorkflow:
    name: str
    definition: dict  # the ASL document
    states: dict[str, tuple[str, str]]  # state name -> (task name, role)


MAX_DEFINITION_BYTES = 1024 * 1024  # Step Functions' hard limit on a definition


def compile_workflow(document: Document, name: str, target: Target | None = None,
                     reverse_targets: list[str] | None = None,
                     max_bytes: int | None = MAX_DEFINITION_BYTES,
                     plan: Plan | None = None) -> CompiledWorkflow:
    """Compile one workflow of `document`; `max_bytes` None skips the size limit (for
    measuring the compiler on workflows too large to deploy). With `plan`, the planned
    tasks' action states have the role the plan gives them instead of "task"."""
    workflow = document.workflows[name]
    if workflow.type == "reverse":
        workflow = graph.reverse_to_direct(workflow, reverse_targets)
    if plan:
        workflow = plans.apply(workflow, plan)
    # lowering follows threads depth-first: a chain of N tasks nests about 4 N calls
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8 * len(workflow.tasks) + 1000))
    try:
        with memo.compilation():  # templates repeated across tasks are translated once
            lowering = Lowering(document, workflow, graph.analyse(workflow), target or Target())
            definition = lowering.machine()
    finally:
        sys.setrecursionlimit(limit)
    asl_check.check(definition)
    if max_bytes is not None:
        size = len(json.dumps(definition, separators=(",", ":")).encode())
        if size > max_bytes:
            where = document.workflows[name].position
            raise InvalidDefinition([Problem(
                where.line, where.column,
                f"workflow '{name}' compiles to a state machine of {size // 1024} KiB; "
                f"Step Functions accepts at most {max_bytes // 1024} KiB",
                path=name, key=name, fix="move groups of tasks into sub-workflows")])
    roles = dict(lowering.namer.roles)
    if plan:
        for state, (task, role) in roles.items():
            stand_in = plan.action_of(task)
            if role == "task" and stand_in is not None:
                roles[state] = (task, plans.ROLES[stand_in])
    return CompiledWorkflow(name, definition, roles)


def compile_document(document: Document, target: Target | None = None,
                     max_bytes: int | None = MAX_DEFINITION_BYTES) -> dict[str, CompiledWorkflow]:
    """Every workflow of the document, the entry workflow first."""
    return {name: compile_workflow(document, name, target, max_bytes=max_bytes)
            for name in document.workflows}


def compile_text(text: str, target: Target | None = None,
                 max_bytes: int | None = MAX_DEFINITION_BYTES) -> dict[str, CompiledWorkflow]:
    from chalicelib.language import load
    return compile_document(load(text), target, max_bytes)
