"""The names a state gives to Mistral's data, as JSONata.

Takes: JSONata snippets chosen by the compiler for the state being compiled.
Gives: `Scope`, the mapping the translator uses for the context, task(name), execution(),
env() and with-items names.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from .pieces import member


def _default_task(name: str | None) -> str:
    """task(name) → $states.input.tasks.<name>; task() → $states.input.task."""
    if name is None:
        return "$states.input.task"
    return member("$states.input.tasks", name)


def _no_fields(name: str | None) -> Mapping[str, str] | None:
    return None


@dataclass(frozen=True)
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

    ctx: str = "$states.input.ctx"
    task: Callable[[str | None], str] = _default_task
    task_fields: Callable[[str | None], Mapping[str, str] | None] = _no_fields
    execution: str = "$states.input.execution"
    env: str = "$states.input.env"
    locals: Mapping[str, str] = field(default_factory=dict, hash=False)
    key: str | None = None
    task_key: str | None = None
