"""The keys the language allows, and the problem collector every check writes to.

Gives the key tables (workbook, workflow, task, retry, ad-hoc action), `did_you_mean` for
fix sentences, small predicates on values (`is_template`, `is_identifier`) and `Report`, which
turns (node, path, message, fix) into located `Problem`s.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from chalicelib.errors import Problem
from chalicelib.language.expressions import is_template as _full_test
from chalicelib.language.nodes import Node, Scalar

WORKBOOK_KEYS = ("version", "name", "description", "tags", "workflows", "actions")
WORKFLOW_KEYS = (
    "type",
    "description",
    "tags",
    "input",
    "output",
    "output-on-error",
    "vars",
    "task-defaults",
    "tasks",
    "name",
    "version",
)
TASK_KEYS = (
    "name",
    "description",
    "action",
    "workflow",
    "input",
    "publish",
    "publish-on-error",
    "on-success",
    "on-error",
    "on-complete",
    "join",
    "requires",
    "with-items",
    "concurrency",
    "retry",
    "wait-before",
    "wait-after",
    "timeout",
    "pause-before",
    "keep-result",
    "target",
    "safe-rerun",
    "fail-on",
    "tags",
)
CLAUSES = ("on-success", "on-error", "on-complete")
RETRY_KEYS = ("count", "delay", "break-on", "continue-on")
ADHOC_KEYS = ("base", "base-input", "input", "output", "description", "tags", "name")
ENGINE_COMMAND_PARAMS = ("msg",)

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TEMPLATE_MARKS = ("<%", "{{", "{%")


def is_template(text: object) -> bool:
    """True when a string holds a closed YAQL ``<% %>`` or Jinja ``{{ }}`` / ``{% %}`` template
    (a lone ``<%`` without ``%>`` after it is plain text, as in Mistral)."""
    # the marks of _TEMPLATE_MARKS, tested without a generator: most strings have none
    return (
        isinstance(text, str)
        and ("<%" in text or "{{" in text or "{%" in text)
        and _full_test(text)
    )


def is_identifier(text: object) -> bool:
    return isinstance(text, str) and _IDENTIFIER.match(text) is not None


def did_you_mean(word: str, choices: Iterable[str], what: str = "") -> str:
    """A fix sentence: the closest choice, or the list of choices."""
    options = sorted(set(choices))
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not options:
        return ""
    shown = ", ".join(options[:12]) + (", ..." if len(options) > 12 else "")
    return f"use one of{(' the ' + what) if what else ''}: {shown}"


def join_path(path: tuple[str, ...]) -> str:
    return ".".join(path)


class Report:
    """Collects problems; each is located at a node (or a node plus a character offset)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # suspicious but accepted (Mistral runs them)

    def add(
        self,
        node: Node | None,
        path: tuple[str, ...],
        message: str,
        fix: str = "",
        key: str | None = None,
        position: tuple[int, int] | None = None,
        warning: bool = False,
    ) -> None:
        if position is None:
            position = (node.line, node.column) if node is not None else (1, 1)
        if key is None:
            key = node.text if isinstance(node, Scalar) else (path[-1] if path else "")
        target = self.warnings if warning else self.problems
        target.append(Problem(position[0], position[1], message, join_path(path), str(key), fix))

    def sorted(self) -> list[Problem]:
        return sorted(set(self.problems))
