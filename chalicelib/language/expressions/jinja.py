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
from .parsing import TokenCursor
from .records import frozen_record

_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}
_KEYWORDS = {"true": True, "false": False, "none": None,
             "True": True, "False": False, "None": None}
_RESERVED = frozenset({"and", "or", "not", "in", "is", "if", "else"})


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
    def expr(self) -> ast.Node:
        self.enter()
        try:
            node = self.or_()
            tok = self.accept_name("if")
            if tok is None:
                return node
            test = self.or_()
            otherwise = self.expr() if self.accept_name("else") else None
            return ast.Conditional(tok.pos, test, node, otherwise)
        finally:
            self.leave()

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
        while True:
            tok = self.tok
            if tok.kind == "op" and tok.value in _COMPARE:
                op = _COMPARE[tok.value]
                self.advance()
            elif tok.is_name("in"):
                op = "in"
                self.advance()
            elif tok.is_name("not") and self.peek().is_name("in"):
                op = "not in"
                self.advance()
                self.advance()
            else:
                break
            self.enter()
            pairs.append((tok.pos, op, self.math1()))
        for _ in pairs:
            self.leave()
        if not pairs:
            return first
        # a < b < c means (a < b) and (b < c), as in Python
        left = first
        result: ast.Node | None = None
        for pos, op, right in pairs:
            comparison = ast.Binary(pos, op, left, right)
            result = comparison if result is None else ast.Binary(pos, "and", result, comparison)
            left = right
        return result

    def math1(self) -> ast.Node:
        return self._chain(self.concat, self._op({"+": "add", "-": "sub"}))

    def concat(self) -> ast.Node:
        return self._chain(self.math2, self._op({"~": "concat"}))

    def math2(self) -> ast.Node:
        return self._chain(self.pow_, self._op(
            {"*": "mul", "/": "truediv", "//": "floordiv", "%": "mod"}))

    def pow_(self) -> ast.Node:
        return self._chain(self.unary, self._op({"**": "pow"}))

    def unary(self, with_filters: bool = True) -> ast.Node:
        tok = self.accept_op("-", "+")
        if tok is not None:
            self.enter()
            try:
                node: ast.Node = ast.Unary(tok.pos, "neg" if tok.value == "-" else "pos",
                                           self.unary(False))
            finally:
                self.leave()
        else:
            node = self.postfix(self.primary())
        return self.filters(node) if with_filters else node

    def postfix(self, node: ast.Node) -> ast.Node:
        levels = 0
        try:
            while True:
                if self.accept_op("."):
                    name = self.tok
                    if name.kind != "name":
                        raise self.unexpected("a name after '.'")
                    self.advance()
                    node = ast.Attribute(name.pos, self._value(node), name.value)
                elif self.tok.is_op("["):
                    tok = self.advance()
                    if self.tok.is_op(":"):
                        raise ExpressionError("slices are not supported", self.tok.pos)
                    index = self.expr()
                    if self.tok.is_op(":"):
                        raise ExpressionError("slices are not supported", self.tok.pos)
                    self.expect_op("]", "to close the index")
                    node = ast.Index(tok.pos, self._value(node), index)
                elif self.tok.is_op("("):
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
        tok = self.tok
        if tok.kind == "num":
            self.advance()
            return ast.Literal(tok.pos, tok.value)
        if tok.kind == "str":
            self.advance()
            value = tok.value
            while self.tok.kind == "str":  # 'a' 'b' is 'ab', as in Python
                value += self.advance().value
            return ast.Literal(tok.pos, value)
        if tok.kind == "name":
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
