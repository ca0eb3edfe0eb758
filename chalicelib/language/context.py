"""Shared state of one validation run, and the small value checks every part uses.

Gives `Context` (the report, the template checker, the source and the names known in the
document) with helpers that check one node and return its normalised value, or None after
reporting a problem: `expression`, `number`, `flag`, `mapping`, `text`, `string_list`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, Source, describe
from chalicelib.language.schema import Report, did_you_mean, is_template
from chalicelib.language.templates import TemplateChecker, position_in

Path = tuple[str, ...]
_KNOWN: dict[tuple[str, ...], frozenset[str]] = {}  # allowed keys → the same as a set


@dataclass
class Scope:
    """Where a value is checked: the workflow's task names (for ``task(name)``) and its name."""

    tasks: dict[str, Any] | None = None
    workflow: str = ""


@dataclass
class Context:
    source: Source
    report: Report = field(default_factory=Report)
    workbook: str | None = None
    workflows: dict[str, Node] = field(default_factory=dict)  # short name → workflow node
    actions: dict[str, Node] = field(default_factory=dict)  # ad-hoc action short name → node
    checker: TemplateChecker = field(init=False)

    def __post_init__(self) -> None:
        self.checker = TemplateChecker(self.report, self.source)

    # -- reporting -------------------------------------------------------------------------
    def problem(
        self,
        node: Node | None,
        path: Path,
        message: str,
        fix: str = "",
        key: str | None = None,
        offset: int | None = None,
    ) -> None:
        position = None
        if offset is not None and isinstance(node, Scalar) and isinstance(node.value, str):
            position = position_in(node, offset, self.source)
        self.report.add(node, path, message, fix, key, position)

    def unknown_keys(
        self,
        node: Mapping,
        path: Path,
        allowed: tuple[str, ...],
        what: str,
        allow_anchored: bool = False,
        skip_workflows: bool = False,
    ) -> None:
        """Report keys not in `allowed` (with a suggestion); `allow_anchored` accepts keys that
        only hold a YAML anchor, `skip_workflows` leaves mappings with tasks to the caller."""
        known = _KNOWN.get(allowed)
        if known is None:
            known = _KNOWN[allowed] = frozenset(allowed)
        for key, (knode, value) in node.entries.items():
            if key in known or (allow_anchored and value.anchor is not None):
                continue
            if skip_workflows and isinstance(value, Mapping) and "tasks" in value.entries:
                continue
            self.unknown_key(knode, path, key, allowed, what, allow_anchored)

    def unknown_key(
        self,
        knode: Scalar,
        path: Path,
        key: str,
        allowed: tuple[str, ...],
        what: str,
        allow_anchored: bool = False,
    ) -> None:
        """Report one key of the mapping at `path` that is not in `allowed`."""
        fix = did_you_mean(key, allowed, "keys")
        if allow_anchored and not fix.startswith("did you"):
            fix = f"{fix}; an extra key that only holds a YAML anchor (&name) is allowed"
        self.problem(knode, (*path, key), f"unknown key '{key}' in {what}", fix, key)

    def resolve_name(self, name: str, table: dict[str, Any]) -> str | None:
        """A short name from ``name`` or ``workbook.name``; None when the table lacks it."""
        if name in table:
            return name
        if self.workbook and name.startswith(self.workbook + "."):
            short = name[len(self.workbook) + 1 :]
            if short in table:
                return short
        return None

    # -- value checks ------------------------------------------------------------------------
    def plain(self, node: Node | None, path: Path, scope: Scope) -> Any:
        """The plain value of a node (`nodes.to_python`), every template in it checked."""
        return self.checker.plain(node, path, scope.tasks, scope.workflow)

    def mapping(self, node: Node, path: Path, scope: Scope, what: str) -> dict[str, Any] | None:
        """A mapping of names to values (templates checked); None (reported) otherwise."""
        if isinstance(node, Mapping):
            return self.checker.plain(node, path, scope.tasks, scope.workflow)
        self.problem(
            node,
            path,
            f"{what} must be a mapping of name: value, not {describe(node)}",
            f"write {path[-1]} as 'name: value' lines, indented under it",
        )
        return None

    def text(self, node: Node, path: Path) -> str | None:
        if (
            isinstance(node, Scalar)
            and not isinstance(node.value, (bool,))
            and node.value is not None
        ):
            return str(node.value)
        if isinstance(node, Scalar) and node.value is None:
            return ""
        self.problem(
            node, path, f"{path[-1]} must be a string, not {describe(node)}", "write plain text"
        )
        return None

    def expression(
        self, value: Any, node: Node, path: Path, scope: Scope, offset: int | None = None
    ) -> str | None:
        """A template string such as ``<% $.x > 1 %>``."""
        if isinstance(value, str) and is_template(value):
            if isinstance(node, Scalar):
                self.checker.template(node, path, value, offset or 0, scope.tasks, scope.workflow)
            return value
        shown = (
            repr(value)
            if isinstance(value, str)
            else describe(node)
            if offset is None
            else repr(value)
        )
        self.problem(
            node,
            path,
            f"{path[-1]} must be an expression, not {shown}",
            f"write {path[-1]}: <% ... %> (YAQL) or {{{{ ... }}}} (Jinja)",
            offset=offset,
        )
        return None

    def number(
        self,
        value: Any,
        node: Node,
        path: Path,
        scope: Scope,
        minimum: int,
        offset: int | None = None,
    ) -> int | str | None:
        """A whole number ≥ `minimum`, or an expression giving one at run time."""
        if isinstance(value, float) and not isinstance(value, bool) and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool):
            if value >= minimum:
                return value
            self.problem(
                node,
                path,
                f"{path[-1]} must be at least {minimum}, not {value}",
                f"write a whole number of {minimum} or more",
                offset=offset,
            )
            return None
        if isinstance(value, str) and is_template(value):
            return self.expression(value, node, path, scope, offset)
        shown = repr(value) if offset is not None or isinstance(value, str) else describe(node)
        self.problem(
            node,
            path,
            f"{path[-1]} must be a whole number or an expression, not {shown}",
            f"write a whole number of {minimum} or more, or <% expression %>",
            offset=offset,
        )
        return None

    def flag(self, value: Any, node: Node, path: Path, scope: Scope) -> bool | str | None:
        """true / false, or an expression."""
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and is_template(value):
            return self.expression(value, node, path, scope)
        self.problem(
            node,
            path,
            f"{path[-1]} must be true, false or an expression, not {describe(node)}",
            f"write {path[-1]}: true or {path[-1]}: false",
        )
        return None

    def string_list(self, node: Node, path: Path, what: str) -> list[tuple[str, Scalar]] | None:
        """A string or a list of strings, with their nodes."""
        items = node.items if isinstance(node, Sequence) else [node]
        result = []
        for index, item in enumerate(items):
            where = (*path, str(index)) if isinstance(node, Sequence) else path
            if isinstance(item, Scalar) and isinstance(item.value, str) and item.value:
                result.append((item.value, item))
            else:
                self.problem(
                    item,
                    where,
                    f"{what} must be a name, not {describe(item)}",
                    f"write {path[-1]} as a name or a list of names",
                )
                return None
        return result
