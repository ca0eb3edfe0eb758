"""Templates: strings that embed YAQL `<% %>` and Jinja `{{ }}` expressions.

Takes: a string from a workflow definition (or a bare expression for `parse_expression`).
Gives: `is_template`, `parse_template` → `Template` (literal parts and checked
`Expression`s, with the task names, context variables, execution() and env() they use),
and `parse_expression` → `Expression`. Errors are `ExpressionError`s whose offset is an
index into the given text.

Delimiters are found by a linear scan that skips quoted strings (and, for Jinja, nested
braces), so `<% '%>' %>` and `{{ {'a': 1} }}` work. A string with `<%` but no `%>` after it
is plain text, as in Mistral; so is a lone `{{` or `{%`. Jinja statements `{% ... %}` are
refused.
"""
from __future__ import annotations

import functools

import re

from .ast import Node
from .check import References, check
from .errors import ExpressionError
from .jinja import parse_jinja
from .records import frozen_record
from .yaql import parse_yaql

_OPENERS = re.compile(r"<%|\{\{|\{%")
_CLOSERS = {"<%": "%>", "{{": "}}", "{%": "%}"}


@frozen_record
class Expression:
    """One checked expression: `source` is the text between the delimiters, found at
    `offset` in the template text; `node` is its syntax tree (offsets in the template)."""

    dialect: str
    source: str
    offset: int
    node: Node


@frozen_record
class Template:
    """A parsed template string.

    `parts` alternates literal text and expressions in order. `task_refs` holds the names
    used in task(name) (None for task()), `var_refs` the top-level context variables read
    ($.x, _.x, $.get('x')).
    """

    text: str
    parts: tuple[str | Expression, ...]
    task_refs: frozenset[str | None] = frozenset()
    var_refs: frozenset[str] = frozenset()
    uses_execution: bool = False
    uses_env: bool = False

    @property
    def single(self) -> Expression | None:
        """The expression when the template is exactly one expression (surrounding
        whitespace allowed): its value is the expression's raw value, not a string."""
        found = None
        for part in self.parts:
            if isinstance(part, Expression):
                if found is not None:
                    return None
                found = part
            elif part.strip():  # literal text around (only blank text is allowed)
                return None
        return found

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))


def is_template(text: str) -> bool:
    """True if `text` contains a `<% ... %>`, `{{ ... }}` or `{% ... %}`."""
    if not isinstance(text, str):
        return False
    # The first '<%' and the first '{{' are always where the scan below would find them,
    # so for these two openers it is enough to compare with the last closer of the kind.
    first = text.find("<%")
    if first >= 0 and text.rfind("%>") >= first + 2:
        return True
    first = text.find("{{")
    if first >= 0 and text.rfind("}}") >= first + 2:
        return True
    if "{%" not in text:
        return False
    return any(text.find(_CLOSERS[m.group()], m.end()) >= 0 for m in _OPENERS.finditer(text))


@functools.lru_cache(maxsize=8192)
def parse_template(text: str) -> Template:
    """Split `text` into literal parts and checked expressions.

    Templates are immutable, so results are cached: validation and compilation parse the
    same strings, and real workflows repeat many of them."""
    parts: list[str | Expression] = []
    refs = References()
    pos = 0
    literal = ""  # text since the last expression (a lone '{{' or '{%' is text too)
    search = _OPENERS.search
    while (match := search(text, pos)) is not None:
        opener = match.group()
        start, inner = match.span()
        # the first closer after the opener: none at all makes the opener plain text
        first = text.find(_CLOSERS[opener], inner)
        if first < 0:
            if opener == "<%":
                raise ExpressionError("unterminated '<%': close the expression with '%>'",
                                      start)
            literal += text[pos:inner]
            pos = inner
            continue
        if opener == "{%":
            raise ExpressionError("Jinja statements ({% ... %}) are not supported; write an "
                                  "expression such as {{ a if cond else b }}", start)
        dialect = "yaql" if opener == "<%" else "jinja"
        end = _find_closer(text, inner, dialect, first)
        if end < 0:
            raise ExpressionError(f"unterminated '{opener}': close the expression with "
                                  f"'{_CLOSERS[opener]}'", start)
        literal += text[pos:start]
        if literal:
            parts.append(literal)
            literal = ""
        source = text[inner:end]
        node = (parse_yaql if dialect == "yaql" else parse_jinja)(source, inner)
        check(node, dialect, refs)
        parts.append(Expression(dialect, source, inner, node))  # what `_parse` gives
        pos = end + 2
    literal += text[pos:]
    if literal:
        parts.append(literal)
    return Template(text, tuple(parts), frozenset(refs.tasks), frozenset(refs.variables),
                    refs.execution, refs.env)


def parse_expression(source: str, dialect: str = "yaql") -> Expression:
    """Parse and check a bare expression (no delimiters); offsets index into `source`."""
    if dialect not in ("yaql", "jinja"):
        raise ValueError(f"unknown dialect {dialect!r}; use 'yaql' or 'jinja'")
    return _parse(source, dialect, 0, References())


def references(expression: Expression) -> References:
    """What one expression refers to (tasks, context variables, execution(), env())."""
    return check(expression.node, expression.dialect)


def _parse(source: str, dialect: str, offset: int, refs: References) -> Expression:
    parse = parse_yaql if dialect == "yaql" else parse_jinja
    node = parse(source, offset)
    check(node, dialect, refs)
    return Expression(dialect, source, offset, node)


def _find_closer(text: str, start: int, dialect: str, first: int | None = None) -> int:
    """Index of the closing delimiter, skipping quoted strings and (Jinja) nested braces.

    `first` is the offset of the first closer at or after `start` when the caller has
    looked it up already. Gives -1 when there is none; raises for a string left open."""
    closer = "%>" if dialect == "yaql" else "}}"
    quotes = "'\"`" if dialect == "yaql" else "'\""
    if first is None:
        first = text.find(closer, start)
    if first < 0:  # no closer at all: nothing to find, and no string error to report
        return -1
    # no string or brace before the first closer: the scan below stops there
    between = text[start:first]
    if dialect == "yaql":
        if "'" not in between and '"' not in between and "`" not in between:
            return first
    elif "'" not in between and '"' not in between and "{" not in between:
        return first
    depth = 0
    i, n = start, len(text)
    while i < n:
        ch = text[i]
        if ch in quotes:
            j = i + 1
            while j < n and text[j] != ch:
                j += 2 if text[j] == "\\" and ch != "`" else 1
            if j >= n:
                if text.find(closer, i) < 0:
                    return -1
                raise ExpressionError(f"unterminated string: add the closing {ch}", i)
            i = j + 1
            continue
        if dialect == "jinja" and ch == "{":
            depth += 1
        elif dialect == "jinja" and ch == "}" and depth > 0:
            depth -= 1
        elif text.startswith(closer, i):
            return i
        i += 1
    return -1
