"""Scopes of a machine being built, and small helpers shared by the lowering modules.

A scope is the `States` object of the machine's top level or of one Parallel branch: a
state may only go `Next` to a state of its own scope. `ScopeStates` remembers which task
copies a scope holds; the helpers link states, merge branch docs and order the states.
"""
from __future__ import annotations

from dataclasses import dataclass, field

CLEAN, MAYBE, TAINTED = "clean", "maybe", "tainted"


@dataclass
class ScopeStates:
    """The `States` of one scope: the machine's top level or one Parallel branch."""

    root: bool
    states: dict[str, dict] = field(default_factory=dict)
    visited: dict[tuple[str, str | None], str] = field(default_factory=dict)
    names: set[str] = field(default_factory=set)  # tasks with a copy in this scope
    ends: dict[str, str] = field(default_factory=dict)


def _link(state: dict, nxt: str | None) -> None:
    if nxt is None:
        state["End"] = True
        state.pop("Next", None)
    else:
        state["Next"] = nxt
        state.pop("End", None)


def _unwrap(text: str) -> str:
    return text[3:-3] if text.startswith("{% ") and text.endswith(" %}") else text


def _merge_docs(early_joins: bool = False) -> str:
    """The doc after a Parallel: its branches' docs merged (with the early-join fields when
    the workflow has early joins)."""
    extra = ',"joins":$merge($sw_r.joins),"fired":[$sw_r.fired]' if early_joins else ""
    return ('($sw_r:=$states.result;{"ctx":$merge($sw_r.ctx),"tasks":$merge($sw_r.tasks),'
            '"failed":[$sw_r.failed],"arrivals":$distinct([$sw_r.arrivals]),'
            f'"__goto":[$sw_r.__goto][0]{extra}}})')


def _ordered(states: dict[str, dict], start: str) -> dict[str, dict]:
    """States in the order they are reached from `start`, for a readable document."""
    order: dict[str, dict] = {}
    stack = [start]
    while stack:
        name = stack.pop()
        if name in order:
            continue
        state = states.get(name)
        if state is None:
            continue
        order[name] = state
        # push in reverse: catchers first, then rules, then Default, then Next
        if "Next" in state:
            stack.append(state["Next"])
        if "Default" in state:
            stack.append(state["Default"])
        if "Choices" in state:
            stack.extend([c["Next"] for c in reversed(state["Choices"])])
        if "Catch" in state:
            stack.extend([c["Next"] for c in reversed(state["Catch"])])
    # states no path reaches (e.g. the success path of a task that always fails) are dropped
    return order
