"""The names a state gives to Mistral's data, as JSONata.

Takes: JSONata snippets chosen by the compiler for the state being compiled.
Gives: `Scope`, the mapping the translator uses for the context, task(name), execution(),
env() and with-items names.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

from .pieces import member


def _default_task(name: str | None) -> str:
    """task(name) → $states.input.tasks.<name>; task() → $states.input.task."""
    if name is None:
        return "$states.input.task"
    return member("$states.input.tasks", name)


def _no_fields(name: str | None) -> Mapping[str, str] | None:
    return None


class Scope:
    """How Mistral names map to JSONata in the state being compiled.

    `ctx` evaluates to the context object (workflow input + vars + published values);
    `task(name)` gives the JSONata for task(name)'s object (`None` = task(), the current
    task) with keys "result", "state", "state_info", "published"; `task_fields(name)` gives,
    when `task(name)` is an object literal (the task being recorded), its keys and the
    JSONata of their values (missing keys read as null), else None; `execution` evaluates to
    {"id", "name", "input", "created_at", "params"}; `env` to the env dict; `locals` maps
    names bound by with-items to JSONata, looked up before `ctx` for $.x / _.x. Generated
    code names its own variables `$_...` and `$__...`: these strings must not use them.

    `key` and `task_key` let a compilation reuse translations (`memo`): scopes with the same
    `key` (not None) give the same ctx, execution, env and locals, so a template that reads
    no task translates to the same text in both; when they also have the same `task_key`
    (not None), task() and its fields are the same too. task(name) is never shared.
    """

    # a plain class with slots, never changed once built (it is hashable): the lowering
    # builds one per recorded task, and a frozen dataclass sets each field through
    # object.__setattr__
    __slots__ = ("ctx", "task", "task_fields", "execution", "env", "locals", "key", "task_key")

    def __init__(self, ctx: str = "$states.input.ctx",
                 task: Callable[[str | None], str] = _default_task,
                 task_fields: Callable[[str | None], Mapping[str, str] | None] = _no_fields,
                 execution: str = "$states.input.execution", env: str = "$states.input.env",
                 locals: Mapping[str, str] | None = None,  # noqa: A002 - the field's name
                 key: str | None = None, task_key: str | None = None):
        self.ctx = ctx
        self.task = task
        self.task_fields = task_fields
        self.execution = execution
        self.env = env
        self.locals = {} if locals is None else locals
        self.key = key
        self.task_key = task_key

    def _identity(self) -> tuple:
        return (self.ctx, self.task, self.task_fields, self.execution, self.env, self.key,
                self.task_key)

    def __eq__(self, other: object) -> bool:
        if type(other) is not Scope:
            return NotImplemented
        return self._identity() == other._identity() and self.locals == other.locals

    def __hash__(self) -> int:  # locals (a dict) are left out, as equal scopes agree on them
        return hash(self._identity())

    def __repr__(self) -> str:
        return (f"Scope(ctx={self.ctx!r}, execution={self.execution!r}, env={self.env!r}, "
                f"locals={self.locals!r}, key={self.key!r}, task_key={self.task_key!r})")
