"""Semantic check of a parsed expression, and what it refers to.

Takes: the root `Node` of one expression and its dialect.
Gives: `References` (task names used by task(), top-level context variables read, whether
execution() / env() are used); raises `ExpressionError` at the offending node for an unknown
function, filter or test, a wrong number of arguments, an unbound `$variable`, a misplaced
`let`, a non-literal task name or format string, or an invalid regular expression.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from . import ast
from .errors import ExpressionError
from .functions import JINJA_TESTS, Function, lookup, parse_format, supported


@dataclass
class References:
    """What one or more expressions refer to."""

    tasks: set[str | None] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)
    execution: bool = False
    env: bool = False


@dataclass(frozen=True)
class _Env:
    root: bool                 # `$` / `_` is the context (not a lambda's item)
    bound: frozenset[str]      # let-bound variable names


_TOP = _Env(True, frozenset())  # the environment of a whole expression (immutable, shared)


def check(node: ast.Node, dialect: str, refs: References | None = None) -> References:
    """Check `node`; add what it refers to to `refs` (a new one when omitted)."""
    refs = refs if refs is not None else References()
    _Checker(dialect, refs).visit(node, _TOP)
    return refs


def resolve(dialect: str, call: ast.Call) -> Function:
    """The `Function` a checked call refers to (raises for an unknown name)."""
    function = lookup(dialect, call.style, call.name)
    if function is None:
        kind = {"filter": "filter", "method": "method"}.get(call.style, "function")
        if dialect == "yaql":
            kind = "function"
        names = ", ".join(supported(dialect, call.style))
        raise ExpressionError(f"unknown {kind} '{call.name}'; supported: {names}", call.pos)
    return function


def is_context_read(node: ast.Node, root: bool) -> str | None:
    """The variable name when `node` reads a top-level context variable ($.x, _['x'])."""
    if not root:
        return None
    if isinstance(node, ast.Attribute) and isinstance(node.target, ast.Current):
        return node.name
    if (isinstance(node, ast.Index) and isinstance(node.target, ast.Current)
            and isinstance(node.index, ast.Literal) and isinstance(node.index.value, str)):
        return node.index.value
    return None


class _Checker:
    def __init__(self, dialect: str, refs: References):
        self.dialect = dialect
        self.refs = refs

    def visit(self, node: ast.Node, env: _Env) -> None:
        kind = type(node)
        if kind is ast.Literal or kind is ast.Current:  # leaves with nothing to check
            return
        if kind is ast.Attribute:  # the most common inner node: its child, inline
            if env.root and isinstance(node.target, ast.Current):  # a context read
                self.refs.variables.add(node.name)
            self.visit(node.target, env)
            return
        if kind is ast.Index:  # the other context read
            name = is_context_read(node, env.root)
            if name is not None:
                self.refs.variables.add(name)
        method = _VISITS.get(kind)
        if method is not None:
            method(self, node, env)
        else:
            for child in ast.children(node):
                self.visit(child, env)

    def _Variable(self, node: ast.Variable, env: _Env) -> None:
        if node.name.isdigit():
            raise ExpressionError(f"positional variable '${node.name}' is not supported; "
                                  "bind a name with let(name => ...) -> ...", node.pos)
        if node.name not in env.bound:
            raise ExpressionError(
                f"variable '${node.name}' is not defined; read context variables as "
                f"$.{node.name}, or bind it with let({node.name} => ...) -> ...", node.pos)

    def _Pair(self, node: ast.Pair, env: _Env) -> None:
        raise ExpressionError("'=>' arguments are only accepted by dict() and let()",
                              node.pos)

    def _Binary(self, node: ast.Binary, env: _Env) -> None:
        if node.op in ("match", "not match"):
            self._check_regex(node.right)
        self.visit(node.left, env)
        self.visit(node.right, env)

    def _Test(self, node: ast.Test, env: _Env) -> None:
        if node.name not in JINJA_TESTS:
            raise ExpressionError(f"unknown test '{node.name}'; supported: "
                                  f"{', '.join(sorted(JINJA_TESTS))}", node.pos)
        if node.args:
            raise ExpressionError(f"test '{node.name}' takes no arguments",
                                  ast.start(node.args[0]))
        self.visit(node.operand, env)

    def _Arrow(self, node: ast.Arrow, env: _Env) -> None:
        left = node.left
        if isinstance(left, ast.Call) and left.name == "let" and left.style == "function":
            names = []
            for arg in left.args:
                if not (isinstance(arg, ast.Pair) and isinstance(arg.key, ast.Literal)
                        and isinstance(arg.key.value, str)
                        and re.fullmatch(r"[A-Za-z_]\w*", arg.key.value)):
                    raise ExpressionError("let() takes name => value arguments", ast.start(arg))
                self.visit(arg.value, env)
                names.append(arg.key.value)
            if not names:
                raise ExpressionError("let() needs at least one name => value", left.pos)
            self.visit(node.right, _Env(env.root, env.bound | frozenset(names)))
            return
        self.visit(left, env)
        self.visit(node.right, _Env(False, env.bound))

    def _Call(self, node: ast.Call, env: _Env) -> None:
        function = resolve(self.dialect, node)
        if function.name == "let":
            raise ExpressionError("let(...) must be followed by '-> expression', e.g. "
                                  "let(x => $.a) -> $x + 1", node.pos)
        self._check_arguments(node, function)
        special = _SPECIAL_CALLS.get(function.name)
        if special is not None:
            special(self, node, env)
        root_get = (function.name == "get" and node.style == "method" and env.root
                    and isinstance(node.args[0], ast.Current)
                    and isinstance(node.args[1], ast.Literal)
                    and isinstance(node.args[1].value, str))
        if root_get:
            self.refs.variables.add(node.args[1].value)
        lambdas = function.lambdas
        for i, arg in enumerate(node.args):
            if isinstance(arg, ast.Pair):
                if function.pairs:
                    self.visit(arg.key, env)
                arg = arg.value
            self.visit(arg, _Env(False, env.bound) if lambdas and i in lambdas else env)

    def _check_arguments(self, node: ast.Call, function: Function) -> None:
        positional: list[ast.Node] = []
        keywords: list[ast.Pair] = []
        for arg in node.args:
            (keywords if isinstance(arg, ast.Pair) else positional).append(arg)
        shown = node.name if node.style != "filter" else f"filter '{node.name}'"
        if function.pairs:
            if positional:
                raise ExpressionError(f"{shown}() takes key => value arguments, e.g. "
                                      f"{node.name}(a => 1)", ast.start(positional[0]))
            return
        if keywords and self.dialect == "yaql":
            raise ExpressionError("'=>' arguments are only accepted by dict() and let()",
                                  ast.start(keywords[0]))
        for kw in keywords:
            key = kw.key.value if isinstance(kw.key, ast.Literal) else None
            if key not in function.keywords:
                allowed = (f"; it accepts {', '.join(sorted(function.keywords))}="
                           if function.keywords else "")
                raise ExpressionError(
                    f"{shown} does not take the argument '{key}'{allowed}", ast.start(kw))
        receiver = 1 if node.style == "method" or node.style == "filter" else 0
        count = len(positional) - receiver
        lo = function.min_args - receiver
        hi = None if function.max_args is None else function.max_args - receiver
        if count < lo or (hi is not None and count > hi) or (
                receiver and function.max_args == 0):
            if hi is None:
                expected = f"at least {lo}"
            elif lo == hi:
                expected = str(lo)
            else:
                expected = f"{lo} to {hi}"
            if node.style in ("method", "filter") and function.max_args == 0:
                raise ExpressionError(f"{node.name}() cannot be called as a "
                                      f"{node.style}; write {node.name}()", node.pos)
            plural = "" if expected == "1" else "s"
            raise ExpressionError(f"{shown}() takes {expected} argument{plural}, "
                                  f"{count} given", node.pos)

    def _call_task(self, node: ast.Call, env: _Env) -> None:
        if node.style != "function":
            raise ExpressionError("write task(name), not name.task()", node.pos)
        if not node.args:
            self.refs.tasks.add(None)
            return
        arg = node.args[0]
        if not (isinstance(arg, ast.Literal) and isinstance(arg.value, str)):
            raise ExpressionError("task() takes a task name written literally, e.g. "
                                  "task(my_task) or task('my_task')", ast.start(arg))
        self.refs.tasks.add(arg.value)

    def _call_execution(self, node: ast.Call, env: _Env) -> None:
        self.refs.execution = True

    def _call_env(self, node: ast.Call, env: _Env) -> None:
        self.refs.env = True

    def _call_format(self, node: ast.Call, env: _Env) -> None:
        pattern = node.args[0]
        if not (isinstance(pattern, ast.Literal) and isinstance(pattern.value, str)):
            raise ExpressionError("format() needs a literal format string, e.g. "
                                  "'{0} of {1}'.format($.a, $.b)", ast.start(pattern))
        parse_format(pattern.value, pattern.pos, len(node.args) - 1)

    def _call_matches(self, node: ast.Call, env: _Env) -> None:
        self._check_regex(node.args[1])

    def _call_mapattr(self, node: ast.Call, env: _Env) -> None:
        arg = node.args[1] if len(node.args) == 2 else node
        if not (isinstance(arg, ast.Pair) and isinstance(arg.value, ast.Literal)
                and isinstance(arg.value.value, str)):
            raise ExpressionError("the map filter is supported as map(attribute='name')",
                                  ast.start(arg))

    def _check_regex(self, node: ast.Node) -> None:
        if isinstance(node, ast.Literal) and isinstance(node.value, str):
            try:
                re.compile(node.value)
            except re.error as error:
                raise ExpressionError(f"invalid regular expression: {error}",
                                      node.pos) from None


# node class → the `_Checker` method named after it (the node classes are not subclassed)
_VISITS = {
    cls: getattr(_Checker, "_" + cls.__name__)
    for cls in vars(ast).values()
    if isinstance(cls, type) and issubclass(cls, ast.Node) and hasattr(_Checker, "_" + cls.__name__)
}

# canonical function name → the `_Checker` method with its extra checks (`_call_<name>`)
_SPECIAL_CALLS = {
    name[len("_call_"):]: method
    for name, method in vars(_Checker).items() if name.startswith("_call_")
}
