"""Texts of task states that depend on the task alone, built once per task.

Takes the `Lowering` of a workflow; gives `Prepared`, which hands out a task's action (the
`ActionState` of a task without with-items), its success doc and its error doc, building
each at most once per compilation.

Why up front: the lowering follows threads recursively, one task a few frames deeper than
the one before, and CPython grows its frame stack in chunks that a call crossing a chunk's
end allocates and its return frees again; the translation of expressions, many calls deep,
then costs several times more at some depths than at others. `Prepared` builds the pieces
most tasks need in one flat loop before the recursion starts. A piece whose building fails
keeps its exception and raises it only when the lowering asks for the piece, so errors
surface where and when they did before (a task the lowering never reaches raises nothing).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from chalicelib.language.model import Task

from . import data
from .actions import ActionState, build_action
from .task_states import error_doc, success_doc

if TYPE_CHECKING:
    from .lower import Lowering


class _Failed:
    __slots__ = ("error",)

    def __init__(self, error: Exception):
        self.error = error


class Prepared:
    def __init__(self, lowering: "Lowering"):
        self.lowering = lowering
        self._built: dict[tuple, Any] = {}
        inbound = lowering.graph.inbound
        for task in lowering.workflow.tasks.values():
            if task.with_items:
                continue  # its action runs per item, in the item's scope
            action = self._build(("action", task.name), self._action, task)
            if isinstance(action, ActionState):
                self._build(("success", task.name, action.result, False), success_doc,
                            lowering, task, "$states.input", action.result, False)
            if task.on_error or task.on_complete or task.publish_on_error or task.name in inbound:
                self._build(("error", task.name, False), error_doc, lowering, task, False)

    def _action(self, task: Task) -> ActionState:
        return build_action(task, self.lowering.document, self.lowering.target,
                            data.scope_for("$states.input"))

    def _build(self, key: tuple, build: Callable[..., Any], *args: Any) -> Any:
        try:
            value = build(*args)
        except Exception as error:  # noqa: BLE001 - raised again when the piece is asked for
            value = _Failed(error)
        self._built[key] = value
        return value

    def _get(self, key: tuple, build: Callable[..., Any], *args: Any) -> Any:
        value = self._built.get(key)
        if value is None:
            value = self._build(key, build, *args)
        if type(value) is _Failed:
            raise value.error
        return value

    def action(self, task: Task) -> ActionState:
        """The action of a task without with-items, its arguments read from the state input."""
        return self._get(("action", task.name), self._action, task)

    def success_doc(self, task: Task, result: str, final: bool) -> str:
        """`task_states.success_doc` for a task whose state input is the doc."""
        return self._get(("success", task.name, result, final), success_doc, self.lowering, task,
                         "$states.input", result, final)

    def error_doc(self, task: Task, final: bool) -> str:
        return self._get(("error", task.name, final), error_doc, self.lowering, task, final)
