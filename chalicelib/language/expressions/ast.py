"""Syntax tree shared by the YAQL and Jinja parsers.

Takes: nothing (plain data classes).
Gives: the node classes the parsers build and the JSONata translator walks. Every node
carries `pos`, the offset of its significant token in the template text. Both dialects use
the same nodes; operator names are dialect-neutral (`div` is YAQL's integer-aware `/`,
`truediv` is Jinja's `/`).
"""
from __future__ import annotations

from .records import frozen_record

Scalar = str | int | float | bool | None

BINARY_OPS = frozenset({
    "or", "and",                                  # Python truthiness, return an operand
    "eq", "ne", "lt", "gt", "le", "ge",           # comparisons
    "in", "not in",                               # membership
    "match", "not match",                         # YAQL =~ / !~ (regular expression search)
    "add", "sub", "mul", "div", "truediv", "floordiv", "mod", "pow",
    "concat",                                     # Jinja ~ (both sides as strings)
})
UNARY_OPS = frozenset({"not", "neg", "pos"})
CALL_STYLES = frozenset({"function", "method", "filter"})


@frozen_record
class Node:
    """Base of every syntax node."""

    pos: int


@frozen_record
class Literal(Node):
    """A number, string, boolean or null written in the expression (YAQL bare words too)."""

    value: Scalar


@frozen_record
class ListLit(Node):
    """`[a, b]` (and Jinja tuples `(a, b)`)."""

    items: tuple[Node, ...]


@frozen_record
class DictLit(Node):
    """`{a => 1}` (YAQL) or `{'a': 1}` (Jinja)."""

    items: tuple[tuple[Node, Node], ...]


@frozen_record
class Current(Node):
    """YAQL `$` / Jinja `_`: the context at top level, the current item inside a lambda."""


@frozen_record
class Variable(Node):
    """A YAQL variable bound by `let(name => ...)`, written `$name`."""

    name: str


@frozen_record
class Attribute(Node):
    """`target.name`."""

    target: Node
    name: str


@frozen_record
class Index(Node):
    """`target[index]`."""

    target: Node
    index: Node


@frozen_record
class Pair(Node):
    """A `key => value` (YAQL) or `key=value` (Jinja keyword) argument."""

    key: Node
    value: Node


@frozen_record
class Call(Node):
    """A function call. For `style` "method" (`x.f()`) and "filter" (`x | f`), `args[0]` is
    the receiver; `name` is the name as written."""

    name: str
    args: tuple[Node, ...]
    style: str = "function"


@frozen_record
class Binary(Node):
    """`left <op> right`; `pos` is the operator's offset."""

    op: str
    left: Node
    right: Node


@frozen_record
class Unary(Node):
    """`not x`, `-x`, `+x`."""

    op: str
    operand: Node


@frozen_record
class Conditional(Node):
    """Jinja `then if test else otherwise` (`otherwise` None when there is no else)."""

    test: Node
    then: Node
    otherwise: Node | None


@frozen_record
class Test(Node):
    """Jinja `operand is [not] name[(args)]`."""

    operand: Node
    name: str
    negated: bool
    args: tuple[Node, ...] = ()


@frozen_record
class Arrow(Node):
    """YAQL `left -> right`: `right` is evaluated with `$` bound to `left` (or, when `left`
    is `let(...)`, with the let variables bound and `$` unchanged)."""

    left: Node
    right: Node


def children(node: Node) -> tuple[Node, ...]:
    """The direct sub-nodes of `node`, in source order."""
    get = _CHILDREN.get(type(node))
    return get(node) if get is not None else ()


def _conditional_children(node: Conditional) -> tuple[Node, ...]:
    rest = (node.otherwise,) if node.otherwise is not None else ()
    return (node.then, node.test, *rest)


# node class → its children (exact classes: the node classes are not subclassed)
_CHILDREN = {
    ListLit: lambda node: node.items,
    DictLit: lambda node: tuple(part for pair in node.items for part in pair),
    Attribute: lambda node: (node.target,),
    Index: lambda node: (node.target, node.index),
    Pair: lambda node: (node.key, node.value),
    Call: lambda node: node.args,
    Binary: lambda node: (node.left, node.right),
    Unary: lambda node: (node.operand,),
    Conditional: _conditional_children,
    Test: lambda node: (node.operand, *node.args),
    Arrow: lambda node: (node.left, node.right),
}


def start(node: Node) -> int:
    """Offset where the source text of `node` begins (its leftmost token)."""
    return min([node.pos, *(start(child) for child in children(node))])
