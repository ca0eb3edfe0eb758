"""Texts of task states that depend on the task alone, built once per task.

Takes the `Lowering` of a workflow; gives `Prepared`, which hands out a task's action (the
`ActionState` of a task without with-items), its success doc and its error doc, building
each at most once per compilation.

Why up front: the lowering follows threads recursively, one task a few frames deeper than
the one before, and CPython grows its frame stack in chunks that a call crossing a chunk's
end allocates and its return frees again; the translation of expressions, many calls deep,
then costs several times more at some depths than at others. `Prepared` builds the pieces
most tasks need in flat loops before the recursion starts, one loop per kind of piece (the
same code run over all tasks in a row runs faster than the three kinds interleaved). A
piece whose building fails keeps its exception and raises it only when the lowering asks
for the piece, so errors surface where and when they did before (a task the lowering never
reaches raises nothing).
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


def _build(build: Callable[..., Any], *args: Any) -> Any:
    try:
        return build(*args)
    except Exception as error:  # noqa: BLE001 - raised again when the piece is asked for
        return _Failed(error)


def _given(value: Any) -> Any:
    if type(value) is _Failed:
        raise value.error
    return value


class Prepared:
    def __init__(self, lowering: "Lowering"):
        self.lowering = lowering
        document, target = lowering.document, lowering.target
        scope = data.scope_for("$states.input")
        tasks = [task for task in lowering.workflow.tasks.values() if not task.with_items]
        # a task with with-items runs its action per item, in the item's scope: none here
        self._actions: dict[str, Any] = {
            task.name: _build(build_action, task, document, target, scope) for task in tasks}
        # the common success doc: the action's own result, not the last state of the machine
        self._success: dict[str, Any] = {}
        for task in tasks:
            action = self._actions[task.name]
            if type(action) is ActionState:
                self._success[task.name] = _build(success_doc, lowering, task, "$states.input",
                                                  action.result, False)
        inbound = lowering.graph.inbound
        self._errors: dict[str, Any] = {
            task.name: _build(error_doc, lowering, task, False) for task in tasks
            if task.on_error or task.on_complete or task.publish_on_error
            or task.name in inbound}
        self._other: dict[tuple, Any] = {}  # the rarer pieces, built when first asked for

    def _get(self, key: tuple, build: Callable[..., Any], *args: Any) -> Any:
        value = self._other.get(key)
        if value is None:
            value = self._other[key] = _build(build, *args)
        return _given(value)

    def action(self, task: Task) -> ActionState:
        """The action of a task without with-items, its arguments read from the state input."""
        value = self._actions.get(task.name)
        if value is None:
            value = self._actions[task.name] = _build(
                build_action, task, self.lowering.document, self.lowering.target,
                data.scope_for("$states.input"))
        return _given(value)

    def success_doc(self, task: Task, result: str, final: bool) -> str:
        """`task_states.success_doc` for a task whose state input is the doc."""
        if not final:
            action = self._actions.get(task.name)
            if type(action) is ActionState and action.result == result:
                value = self._success.get(task.name)
                if value is not None:
                    return _given(value)
        return self._get(("success", task.name, result, final), success_doc, self.lowering,
                         task, "$states.input", result, final)

    def error_doc(self, task: Task, final: bool) -> str:
        if not final:
            value = self._errors.get(task.name)
            if value is not None:
                return _given(value)
        return self._get(("error", task.name, final), error_doc, self.lowering, task, final)
