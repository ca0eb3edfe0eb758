"""The validated workflow model: what the language package gives the compiler.

Every object here is built by `chalicelib.language.build` from a document that has passed
validation, so the compiler can trust it: task names are unique, transition targets exist,
task-defaults are already applied, inline action parameters are merged into `input`, and
workbook-qualified names (``wb.wf``) are resolved to short names.

Values that may hold expressions (task input, publish, guards, ...) are kept as the plain
Python values YAML produced (str / int / float / bool / None / list / dict); strings may embed
``<% yaql %>`` or ``{{ jinja }}`` templates, parsed by `chalicelib.language.expressions`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Union

ENGINE_COMMANDS = ("succeed", "fail", "pause")

Value = Any  # a YAML value that may contain expression templates


@dataclass(frozen=True)
class Position:
    """1-based line and column in the source text."""

    line: int
    column: int


NOWHERE = Position(0, 0)


@dataclass(frozen=True)
class Transition:
    """One entry of an on-success / on-error / on-complete clause.

    `target` is a task name, or an engine command (`succeed`, `fail`, `pause`) when
    `is_command` is true (a task named like a command overrides the command, as in Mistral).
    `guard` is the expression text of ``- target: <% guard %>``, or None when unconditional.
    `params` holds an engine command's parameters (``fail msg=...`` → ``{"msg": ...}``).
    """

    target: str
    guard: str | None = None
    is_command: bool = False
    params: dict[str, Value] = field(default_factory=dict)
    position: Position = NOWHERE


@dataclass(frozen=True)
class RetryPolicy:
    """`count` retries after the first attempt (count 1 = 2 attempts), `delay` seconds apart.

    `count` and `delay` are ints, or expression strings evaluated at run time.
    """

    count: int | str
    delay: int | str = 0
    break_on: str | None = None
    continue_on: str | None = None
    position: Position = NOWHERE


@dataclass(frozen=True)
class WithItem:
    """``name in <% expr %>``: `items` is the expression string (or a literal list)."""

    name: str
    items: Value


JoinSpec = Union[None, Literal["all"], int]  # "one" is normalised to 1


@dataclass(frozen=True)
class AdHocAction:
    """A workbook ``actions:`` entry: runs `base` with `base_input` evaluated against the
    ad-hoc action's own input (``$`` / ``$.param``), then transforms the result by `output`."""

    name: str
    base: str
    base_input: dict[str, Value] = field(default_factory=dict)
    input: tuple[tuple[str, Value, bool], ...] = ()  # (name, default, has_default)
    output: Value = None
    has_output: bool = False
    position: Position = NOWHERE


@dataclass(frozen=True)
class Task:
    name: str
    position: Position = NOWHERE
    description: str = ""
    # exactly one of action / workflow is set; a task with neither runs std.noop
    action: str | None = None
    workflow: str | None = None
    input: dict[str, Value] = field(default_factory=dict)
    # ``input: <% expr %>``: the whole input is one expression giving a mapping at run time
    # (then `input` is empty); None when the input is written as a mapping
    input_expression: str | None = None
    publish: dict[str, Value] = field(default_factory=dict)
    publish_on_error: dict[str, Value] = field(default_factory=dict)
    on_success: tuple[Transition, ...] = ()
    on_error: tuple[Transition, ...] = ()
    on_complete: tuple[Transition, ...] = ()
    join: JoinSpec = None
    requires: tuple[str, ...] = ()
    with_items: tuple[WithItem, ...] = ()
    concurrency: int | str | None = None
    retry: RetryPolicy | None = None
    wait_before: int | str | None = None
    wait_after: int | str | None = None
    timeout: int | str | None = None
    pause_before: bool | str = False
    keep_result: bool | str = True
    target: str | None = None
    safe_rerun: bool | str = False
    fail_on: str | None = None


@dataclass(frozen=True)
class Parameter:
    """A workflow input: required when `has_default` is false."""

    name: str
    default: Value = None
    has_default: bool = False
    position: Position = NOWHERE


@dataclass(frozen=True)
class Workflow:
    name: str
    type: Literal["direct", "reverse"] = "direct"
    position: Position = NOWHERE
    description: str = ""
    input: tuple[Parameter, ...] = ()
    output: Value = None
    has_output: bool = False
    output_on_error: Value = None
    has_output_on_error: bool = False
    vars: dict[str, Value] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)  # in document order

    def start_tasks(self) -> list[str]:
        """Direct workflows: tasks that no transition names, in document order."""
        named = {
            t.target
            for task in self.tasks.values()
            for t in (*task.on_success, *task.on_error, *task.on_complete)
            if not t.is_command
        }
        return [name for name in self.tasks if name not in named]


@dataclass(frozen=True)
class Document:
    """A whole definition: one or more workflows; the first one is the entry point."""

    version: str = "2.0"
    name: str | None = None  # workbook name, when the document is a workbook
    description: str = ""
    workflows: dict[str, Workflow] = field(default_factory=dict)
    actions: dict[str, AdHocAction] = field(default_factory=dict)

    @property
    def main(self) -> Workflow:
        return next(iter(self.workflows.values()))
