"""The nodes of a parsed definition, and the source text they point into.

Takes nothing itself: `loader.parse` builds these. Gives `Scalar`, `Mapping` and `Sequence`
nodes (1-based line and column, character index, anchor name, expanded size), `Source` (the
text and offset → line/column), `to_python` (a node's plain value) and `describe` (a few words
for messages).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from typing import Any


class Node:
    __slots__ = ("line", "column", "index", "anchor", "size")
    kind = ""

    def __init__(self, line: int, column: int, index: int, anchor: str | None):
        self.line, self.column, self.index, self.anchor = line, column, index, anchor
        self.size = 1


class Scalar(Node):
    """`value` is the constructed Python value; `text` is the scalar as written (unquoted)."""

    __slots__ = ("value", "text", "style", "tag", "end_index", "end_line")
    kind = "scalar"

    def __init__(self, line, column, index, anchor, value, text, style, tag, end_index, end_line):
        self.line, self.column, self.index, self.anchor = line, column, index, anchor
        self.size = 1
        self.value, self.text, self.style, self.tag = value, text, style, tag
        self.end_index, self.end_line = end_index, end_line


class Mapping(Node):
    """`entries` maps each key text to (key node, value node), in document order; a key
    written twice keeps its last value (as in PyYAML) and its later key node is in `duplicates`."""

    __slots__ = ("entries", "duplicates")
    kind = "mapping"

    def __init__(self, line, column, index, anchor):
        self.line, self.column, self.index, self.anchor = line, column, index, anchor
        self.size = 1
        self.entries: dict[str, tuple[Scalar, Node]] = {}
        self.duplicates: list[Scalar] = []  # key nodes written again later in the same mapping

    def get(self, key: str) -> Node | None:
        entry = self.entries.get(key)
        return entry[1] if entry else None

    def items(self) -> Iterator[tuple[str, Scalar, Node]]:
        for key, (knode, vnode) in self.entries.items():
            yield key, knode, vnode


class Sequence(Node):
    __slots__ = ("items",)
    kind = "sequence"

    def __init__(self, line, column, index, anchor):
        self.line, self.column, self.index, self.anchor = line, column, index, anchor
        self.size = 1
        self.items: list[Node] = []


class Source:
    """The text, with a table to turn character offsets into 1-based line and column."""

    def __init__(self, text: str):
        self.text = text
        self._starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self._starts.append(i + 1)
            i = find("\n", i + 1)

    def position(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, index) - 1
        return line + 1, index - self._starts[line] + 1


def to_python(node: Node | None) -> Any:
    """The plain Python value of a node (mapping keys as written)."""
    if node is None:
        return None
    if isinstance(node, Scalar):
        return node.value
    if isinstance(node, Mapping):
        return {key: to_python(value) for key, (_k, value) in node.entries.items()}
    return [to_python(item) for item in node.items]  # type: ignore[attr-defined]


def describe(node: Node | None) -> str:
    """A few words saying what kind of value a node is, for messages."""
    if node is None:
        return "nothing"
    if isinstance(node, Mapping):
        return "a mapping"
    if isinstance(node, Sequence):
        return "a list"
    value = node.value  # type: ignore[attr-defined]
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {node.text}"  # type: ignore[attr-defined]
    return f"the string {value!r}" if len(value) <= 40 else "a string"
