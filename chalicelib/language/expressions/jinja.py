"""Parser for the Jinja expression subset used inside `{{ }}`.

Takes: the source text between `{{` and `}}` and its offset in the template text.
Gives: the root `Node` of its syntax tree; raises `ExpressionError` at the offending token.

Grammar (loosest first), after Jinja's own parser:
    cond    := or ('if' or ('else' cond)?)?
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := math1 (('==' | '!=' | '<' | '>' | '<=' | '>=' | 'in' | 'not' 'in') math1)*
    math1   := concat (('+' | '-') concat)*
    concat  := math2 ('~' math2)*
    math2   := pow (('*' | '/' | '//' | '%') pow)*
    pow     := unary ('**' unary)*
    unary   := ('-' | '+') unary | postfix filters
    postfix := primary ('.' name | '[' cond ']' | '(' args ')')*
    filters := ('|' name ['(' args ')'] | 'is' ['not'] name ['(' args ')'])*
`_` is the context; other bare names must be called (`task('t')`, `execution()`).
"""
from __future__ import annotations

from . import ast
from .errors import ExpressionError
from .lexer import tokenize
from .parsing import MAX_NESTING, TokenCursor
from .records import frozen_record

_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}
_KEYWORDS = {"true": True, "false": False, "none": None,
             "True": True, "False": False, "None": None}
_RESERVED = frozenset({"and", "or", "not", "in", "is", "if", "else"})

# The binary operators by level, loosest (1) to tightest (8); level 3 is the prefix `not`,
# level 4 the comparisons (chained: `a < b < c`), `not in` is found by `_compare_op`.
_LEVEL_SYMBOLS = {
    **{symbol: (4, op) for symbol, op in _COMPARE.items()},
    "+": (5, "add"), "-": (5, "sub"), "~": (6, "concat"),
    "*": (7, "mul"), "/": (7, "truediv"), "//": (7, "floordiv"), "%": (7, "mod"),
    "**": (8, "pow"),
}
_LEVEL_WORDS = {"or": (1, "or"), "and": (2, "and"), "in": (4, "in"), "not": (4, "not in")}
_NOT_LEVEL = 3
_COMPARE_LEVEL = 4


@frozen_record
class _Name(ast.Node):
    """A bare name seen by the parser; it must become a function call."""

    name: str


def parse_jinja(source: str, base: int = 0) -> ast.Node:
    """Parse one Jinja expression; offsets in the tree and in errors are `base` + index."""
    parser = _JinjaParser(tokenize(source, "jinja", base))
    if parser.tok.kind == "eof":
        raise ExpressionError("empty expression: write a Jinja expression between {{ and }}",
                              parser.tok.pos)
    node = parser.expr()
    parser.expect_end()
    return node


class _JinjaParser(TokenCursor):
    def __init__(self, tokens):
        super().__init__(tokens)
        # The nesting guard counts at most one level per token (plus one), so an expression
        # of few tokens can never trip it: `_climb` parses those, without the level-by-level
        # descent below whose only extra is counting the levels for that guard.
        self.short = len(tokens) <= MAX_NESTING

    def expr(self) -> ast.Node:
        self.enter()
        try:
            node = self._climb(1) if self.short else self.or_()
            tok = self.accept_name("if")
            if tok is None:
                return node
            test = self._climb(1) if self.short else self.or_()
            otherwise = self.expr() if self.accept_name("else") else None
            return ast.Conditional(tok.pos, test, node, otherwise)
        finally:
            self.leave()

    def _climb(self, level: int) -> ast.Node:
        """What `or_` gives (level 1) or the level function of `level` (2 `and_`, 3 `not_`,
        4 `compare`, 5 `math1`, ..., 9 `unary`), by precedence climbing: one call per
        operand."""
        tokens = self.tokens
        tok = tokens[self.index]
        if level <= _NOT_LEVEL and tok.kind == "name" and tok.value == "not":
            self.advance()
            left: ast.Node = ast.Unary(tok.pos, "not", self._climb(_NOT_LEVEL))
        else:
            left = self.unary()
        while True:
            tok = tokens[self.index]
            kind = tok.kind
            if kind == "op":
                found = _LEVEL_SYMBOLS.get(tok.value)
            elif kind == "name":
                found = _LEVEL_WORDS.get(tok.value)
            else:
                return left
            if found is None or found[0] < level:
                return left
            if found[0] == _COMPARE_LEVEL:
                pairs = []
                while (op := self._compare_op()) is not None:
                    tok = self.advance()
                    if op == "not in":
                        self.advance()
                    pairs.append((tok.pos, op, self._climb(_COMPARE_LEVEL + 1)))
                if not pairs:  # a 'not' that is not followed by 'in'
                    return left
                left = _comparisons(left, pairs)
                continue
            self.advance()
            left = ast.Binary(tok.pos, found[1], left, self._climb(found[0] + 1))

    def _compare_op(self) -> str | None:
        """The comparison the current token starts (`not in` spans two tokens)."""
        tok = self.tok
        if tok.kind == "op":
            return _COMPARE.get(tok.value)
        if tok.kind == "name":
            if tok.value == "in":
                return "in"
            if tok.value == "not" and self.peek().is_name("in"):
                return "not in"
        return None

    def _chain(self, operand, match) -> ast.Node:
        left = operand()
        levels = 0
        try:
            while (op := match()) is not None:
                tok = self.advance()
                if op == "not in":
                    self.advance()
                self.enter()
                levels += 1
                left = ast.Binary(tok.pos, op, left, operand())
            return left
        finally:
            for _ in range(levels):
                self.leave()

    def _op(self, table: dict[str, str]):
        return lambda: table.get(self.tok.value) if self.tok.kind == "op" else None

    def or_(self) -> ast.Node:
        return self._chain(self.and_, lambda: "or" if self.tok.is_name("or") else None)

    def and_(self) -> ast.Node:
        return self._chain(self.not_, lambda: "and" if self.tok.is_name("and") else None)

    def not_(self) -> ast.Node:
        tok = self.accept_name("not")
        if tok is None:
            return self.compare()
        self.enter()
        try:
            return ast.Unary(tok.pos, "not", self.not_())
        finally:
            self.leave()

    def compare(self) -> ast.Node:
        first = self.math1()
        pairs: list[tuple[int, str, ast.Node]] = []
        while (op := self._compare_op()) is not None:
            tok = self.advance()
            if op == "not in":
                self.advance()
            self.enter()
            pairs.append((tok.pos, op, self.math1()))
        for _ in pairs:
            self.leave()
        return _comparisons(first, pairs) if pairs else first

    def math1(self) -> ast.Node:
        return self._chain(self.concat, self._op({"+": "add", "-": "sub"}))

    def concat(self) -> ast.Node:
        return self._chain(self.math2, self._op({"~": "concat"}))

    def math2(self) -> ast.Node:
        return self._chain(self.pow_, self._op(
            {"*": "mul", "/": "truediv", "//": "floordiv", "%": "mod"}))

    def pow_(self) -> ast.Node:
        return self._chain(self.unary, self._op({"**": "pow"}))

    # `unary`, `postfix` and `filters` look at the next token themselves before anything
    # else: most operands are a bare value, for which none of their loops starts.

    def unary(self, with_filters: bool = True) -> ast.Node:
        tok = self.tokens[self.index]
        if tok.kind == "op" and (tok.value == "-" or tok.value == "+"):
            self.advance()
            self.enter()
            try:
                node: ast.Node = ast.Unary(tok.pos, "neg" if tok.value == "-" else "pos",
                                           self.unary(False))
            finally:
                self.leave()
        else:
            node = self.postfix(self.primary())
        if not with_filters:
            return node
        tok = self.tokens[self.index]
        if tok.kind == "op" and tok.value == "|" or tok.kind == "name" and tok.value == "is":
            return self.filters(node)
        return node

    def postfix(self, node: ast.Node) -> ast.Node:
        tokens = self.tokens
        levels = 0
        try:
            while True:
                tok = tokens[self.index]
                step = tok.value if tok.kind == "op" else None
                if step == ".":
                    self.advance()
                    name = self.tok
                    if name.kind != "name":
                        raise self.unexpected("a name after '.'")
                    self.advance()
                    node = ast.Attribute(name.pos, self._value(node), name.value)
                elif step == "[":
                    self.advance()
                    if self.tok.is_op(":"):
                        raise ExpressionError("slices are not supported", self.tok.pos)
                    index = self.expr()
                    if self.tok.is_op(":"):
                        raise ExpressionError("slices are not supported", self.tok.pos)
                    self.expect_op("]", "to close the index")
                    node = ast.Index(tok.pos, self._value(node), index)
                elif step == "(":
                    args = self.arguments()
                    if isinstance(node, _Name):
                        node = ast.Call(node.pos, node.name, args, "function")
                    elif isinstance(node, ast.Attribute):
                        node = ast.Call(node.pos, node.name, (node.target, *args), "method")
                    else:
                        raise ExpressionError("only named functions and methods can be "
                                              "called", self.tok.pos)
                else:
                    return self._value(node)
                self.enter()
                levels += 1
        finally:
            for _ in range(levels):
                self.leave()

    def filters(self, node: ast.Node) -> ast.Node:
        levels = 0
        try:
            while True:
                if self.accept_op("|"):
                    name = self._filter_name()
                    args = self.arguments() if self.tok.is_op("(") else ()
                    node = ast.Call(name.pos, name.value, (node, *args), "filter")
                elif self.tok.is_name("is"):
                    self.advance()
                    negated = self.accept_name("not") is not None
                    name = self._filter_name()
                    args = self.arguments() if self.tok.is_op("(") else ()
                    node = ast.Test(name.pos, node, name.value, negated, args)
                else:
                    return node
                self.enter()
                levels += 1
        finally:
            for _ in range(levels):
                self.leave()

    def _filter_name(self):
        tok = self.tok
        if tok.kind != "name":
            raise self.unexpected("a filter or test name")
        self.advance()
        return tok

    def _value(self, node: ast.Node) -> ast.Node:
        if isinstance(node, _Name):
            raise ExpressionError(
                f"unknown name '{node.name}': read context variables as _.{node.name}",
                node.pos)
        return node

    def primary(self) -> ast.Node:
        tok = self.tokens[self.index]
        kind = tok.kind
        if kind == "num":
            self.advance()
            return ast.Literal(tok.pos, tok.value)
        if kind == "str":
            self.advance()
            value = tok.value
            while self.tok.kind == "str":  # 'a' 'b' is 'ab', as in Python
                value += self.advance().value
            return ast.Literal(tok.pos, value)
        if kind == "name":
            if tok.value in _KEYWORDS:
                self.advance()
                return ast.Literal(tok.pos, _KEYWORDS[tok.value])
            if tok.value in _RESERVED:
                raise self.unexpected()
            self.advance()
            if tok.value == "_":
                return ast.Current(tok.pos)
            return _Name(tok.pos, tok.value)
        if tok.is_op("("):
            self.advance()
            if self.accept_op(")"):
                return ast.ListLit(tok.pos, ())
            node = self.expr()
            if self.tok.is_op(","):  # a tuple
                items = [node]
                while self.accept_op(","):
                    if self.tok.is_op(")"):
                        break
                    items.append(self.expr())
                node = ast.ListLit(tok.pos, tuple(items))
            self.expect_op(")", "to close the parenthesis")
            return node
        if tok.is_op("["):
            self.advance()
            items = []
            while not self.accept_op("]"):
                items.append(self.expr())
                if not self.accept_op(","):
                    self.expect_op("]", "to close the list")
                    break
            return ast.ListLit(tok.pos, tuple(items))
        if tok.is_op("{"):
            self.advance()
            pairs = []
            while not self.accept_op("}"):
                key = self.expr()
                self.expect_op(":", "between a dict key and its value")
                pairs.append((key, self.expr()))
                if not self.accept_op(","):
                    self.expect_op("}", "to close the dict")
                    break
            return ast.DictLit(tok.pos, tuple(pairs))
        raise self.unexpected()

    def arguments(self) -> tuple[ast.Node, ...]:
        self.expect_op("(", "before the arguments")
        args: list[ast.Node] = []
        while not self.accept_op(")"):
            if self.tok.kind == "name" and self.peek().is_op("="):
                key = self.advance()
                self.advance()
                args.append(ast.Pair(key.pos, ast.Literal(key.pos, key.value), self.expr()))
            else:
                args.append(self.expr())
            if not self.accept_op(","):
                self.expect_op(")", "to close the argument list")
                break
        return tuple(args)


def _comparisons(first: ast.Node, pairs: list[tuple[int, str, ast.Node]]) -> ast.Node:
    """`first` compared by each (pos, op, operand) of `pairs` in turn: a < b < c means
    (a < b) and (b < c), as in Python."""
    left = first
    result: ast.Node | None = None
    for pos, op, right in pairs:
        comparison = ast.Binary(pos, op, left, right)
        result = comparison if result is None else ast.Binary(pos, "and", result, comparison)
        left = right
    assert result is not None
    return result
