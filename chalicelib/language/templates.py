"""Expression checks: every template in a value must parse, and ``task(name)`` must exist.

Takes nodes (or strings cut out of a scalar, with their offset) and a `Report`; parses each
string that holds a template with `chalicelib.language.expressions.parse_template`, maps an
`ExpressionError` offset to the line and column in the source text, and warns about
``task(name)`` references to tasks that the enclosing workflow does not have (Mistral accepts
them and evaluates them to null; real definitions contain them, so they are not errors).
"""

from __future__ import annotations

import math
import re
from typing import Any

from chalicelib.language.expressions import ExpressionError, is_template, parse_template
from chalicelib.language.nodes import Mapping, Node, Scalar, Source, to_python
from chalicelib.language.schema import Report, did_you_mean

_TASK_REF = re.compile(r"\btask\(\s*(?:'([^'\\]*)'|\"([^\"\\]*)\"|([A-Za-z_][\w-]*))\s*\)")
_FIX_EXPRESSION = "correct the expression: YAQL goes in <% ... %>, Jinja in {{ ... }}"

def position_in(node: Scalar, offset: int, source: Source) -> tuple[int, int]:
    """Line and column of character `offset` of a scalar's value."""
    if node.style in (None, "'", '"') and node.line == node.end_line:
        return node.line, node.column + offset + (1 if node.style else 0)
    text = node.value if isinstance(node.value, str) else node.text
    target = sum(1 for ch in text[:offset] if not ch.isspace())
    src = source.text
    i = node.index
    if node.style in ("|", ">"):
        i = src.find("\n", i) + 1
        if i <= 0:
            return node.line, node.column
    elif node.style:
        i += 1
    count = 0
    end = min(node.end_index, len(src))
    while i < end:
        if not src[i].isspace():
            if count == target:
                return source.position(i)
            count += 1
        i += 1
    return node.line, node.column


class TemplateChecker:
    """Checks templates against one source; `tasks` is the enclosing workflow's task names
    (None outside a workflow, e.g. in ad-hoc actions)."""

    def __init__(self, report: Report, source: Source):
        self.report = report
        self.source = source
        self._seen: set[tuple[int, str]] = set()

    def string(
        self,
        node: Scalar,
        path: tuple[str, ...],
        text: str,
        base: int = 0,
        tasks: dict[str, Any] | None = None,
        workflow: str = "",
    ) -> None:
        """Check one string found at character `base` of `node`'s value."""
        if is_template(text):
            self.template(node, path, text, base, tasks, workflow)

    def template(
        self,
        node: Scalar,
        path: tuple[str, ...],
        text: str,
        base: int = 0,
        tasks: dict[str, Any] | None = None,
        workflow: str = "",
    ) -> None:
        """`string` for a text the caller knows to hold a template (`is_template`)."""
        try:
            template = parse_template(text)
        except ExpressionError as error:
            offset = getattr(error, "offset", 0) or 0
            message = getattr(error, "message", None) or str(error)
            where = position_in(node, base + max(0, min(offset, len(text))), self.source)
            self.report.add(
                node, path, f"invalid expression: {message}", _FIX_EXPRESSION, position=where
            )
            return
        except RecursionError:
            self.report.add(
                node, path, "expression is nested too deeply", "simplify the expression"
            )
            return
        except Exception as error:  # noqa: BLE001 - a parser failure must still be a located problem
            self.report.add(
                node,
                path,
                f"cannot parse this expression ({type(error).__name__}: {error})",
                _FIX_EXPRESSION,
            )
            return
        if tasks is None:
            return
        for name in template.task_refs:
            if name is None or name in tasks:
                continue
            offset = next(
                (
                    base + m.start(g)
                    for m in _TASK_REF.finditer(text)
                    for g in (1, 2, 3)
                    if m.group(g) == name
                ),
                base,
            )
            self.report.add(
                node,
                path,
                f"task({name}) names no task of workflow {workflow}: it is null at run time",
                did_you_mean(name, tasks, "tasks"),
                key=name,
                position=position_in(node, offset, self.source),
                warning=True,
            )

    def value(
        self,
        value: Any,
        node: Scalar,
        path: tuple[str, ...],
        base: int = 0,
        tasks: dict[str, Any] | None = None,
        workflow: str = "",
    ) -> None:
        """Check a plain Python value cut from a scalar (e.g. an inline JSON list)."""
        if isinstance(value, str):
            self.string(node, path, value, base, tasks, workflow)
        elif isinstance(value, float) and not math.isfinite(value):
            self.report.add(node, path, f"{value} is not a number JSON can hold",
                            "write a finite number, or a string")
        elif isinstance(value, list):
            for item in value:
                self.value(item, node, path, base, tasks, workflow)
        elif isinstance(value, dict):
            for item in value.values():
                self.value(item, node, path, base, tasks, workflow)

    def plain(
        self,
        node: Node | None,
        path: tuple[str, ...],
        tasks: dict[str, Any] | None = None,
        workflow: str = "",
    ) -> Any:
        """Check every string in a value tree (a shared, anchored node once per workflow) and
        give the node's plain value (`nodes.to_python`): one walk for both."""
        if node is None:
            return None
        if node.anchor is not None:
            mark = (id(node), workflow)
            if mark in self._seen:
                return to_python(node)
            self._seen.add(mark)
        # exact type tests: the node classes are not subclassed, and these run per value
        kind = type(node)
        if kind is Scalar:
            value = node.value  # type: ignore[union-attr]
            kind = type(value)
            if kind is str:
                # the cheap test first: most strings hold no template at all
                if "<%" in value or "{{" in value or "{%" in value:
                    if is_template(value):
                        self.template(node, path, value, 0, tasks, workflow)  # type: ignore[arg-type]
            elif kind is float and not math.isfinite(value):
                self._not_finite(node, path, value)  # type: ignore[arg-type]
            return value
        plain = self.plain
        if kind is Mapping:
            result = {}
            for key, (_knode, child) in node.entries.items():  # type: ignore[union-attr]
                if type(child) is Scalar and child.anchor is None:
                    # a leaf, the usual child: checked here, its path built only when needed
                    value = child.value  # type: ignore[union-attr]
                    kind = type(value)
                    if kind is str:
                        if "<%" in value or "{{" in value or "{%" in value:
                            if is_template(value):
                                self.template(child, (*path, key), value, 0, tasks, workflow)
                    elif kind is float and not math.isfinite(value):
                        self._not_finite(child, (*path, key), value)  # type: ignore[arg-type]
                    result[key] = value
                else:
                    result[key] = plain(child, (*path, key), tasks, workflow)
            return result
        return [
            plain(child, (*path, str(index)), tasks, workflow)
            for index, child in enumerate(node.items)  # type: ignore[union-attr]
        ]

    def _not_finite(self, node: Scalar, path: tuple[str, ...], value: float) -> None:
        self.report.add(node, path, f"{value} is not a number JSON can hold",
                        "write a finite number, or a string")
