"""Compiler: validated workflow model → Amazon States Language (JSONata query language).

The pipeline, one pass per module:

1. ``chalicelib.language.load`` — YAML with positions → validated `model.Document`.
2. `graph.reverse_to_direct` — a reverse workflow becomes the direct workflow it runs.
3. `graph.analyse` — successors, join inbound sets and the region that owns each join.
4. `lower.Lowering` — threads, regions and tasks → states (with `task_states`, `actions`,
   expressions through `jsonata`).
5. `asl_check.check` — structural check of the emitted document.

`compile_document` runs 2–5 for every workflow of a document; `compile_text` runs 1–5.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass

from chalicelib.language.model import Document

from . import asl_check, graph
from .lower import Lowering
from .target import Target

__all__ = ["CompiledWorkflow", "Target", "compile_document", "compile_text"]


@dataclass(frozen=True)
class CompiledWorkflow:
    name: str
    definition: dict  # the ASL document
    states: dict[str, tuple[str, str]]  # state name -> (task name, role)


def compile_workflow(document: Document, name: str, target: Target | None = None,
                     reverse_targets: list[str] | None = None) -> CompiledWorkflow:
    workflow = document.workflows[name]
    if workflow.type == "reverse":
        workflow = graph.reverse_to_direct(workflow, reverse_targets)
    lowering = Lowering(document, workflow, graph.analyse(workflow), target or Target())
    # lowering follows threads depth-first: a chain of N tasks nests about 4 N calls
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 8 * len(workflow.tasks) + 1000))
    try:
        definition = lowering.machine()
    finally:
        sys.setrecursionlimit(limit)
    asl_check.check(definition)
    return CompiledWorkflow(name, definition, dict(lowering.namer.roles))


def compile_document(document: Document, target: Target | None = None) -> dict[str, CompiledWorkflow]:
    """Every workflow of the document, the entry workflow first."""
    return {name: compile_workflow(document, name, target) for name in document.workflows}


def compile_text(text: str, target: Target | None = None) -> dict[str, CompiledWorkflow]:
    from chalicelib.language import load
    return compile_document(load(text), target)
