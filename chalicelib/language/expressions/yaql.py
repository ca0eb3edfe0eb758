"""Parser for the YAQL subset used inside `<% %>`.

Takes: the source text between `<%` and `%>` and its offset in the template text.
Gives: the root `Node` of its syntax tree; raises `ExpressionError` at the offending token.

Grammar (loosest first), after YAQL's standard operator table:
    arrow   := or ('->' arrow)?
    or      := and ('or' and)*
    and     := not ('and' not)*
    not     := 'not' not | compare
    compare := sum (('=' | '!=' | '<' | '>' | '<=' | '>=' | 'in') sum)*
    sum     := product (('+' | '-') product)*
    product := match (('*' | '/' | 'mod') match)*
    match   := unary (('=~' | '!~') unary)*
    unary   := ('-' | '+') unary | postfix
    postfix := primary ('.' name ['(' args ')'] | '[' arrow ']')*
    primary := number | string | true | false | null | '$' | '$name' | name ['(' args ')']
             | '(' arrow ')' | '[' items ']' | '{' key '=>' value, ... '}'
A bare name that is not called is a string (`= fixed`, `task(get_data)`); an argument
written `key => value` is a `Pair`.
"""
from __future__ import annotations

from . import ast
from .errors import ExpressionError
from .lexer import tokenize
from .parsing import TokenCursor

_COMPARE = {"=": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}
_KEYWORDS = {"true": True, "false": False, "null": None}
_OPERATOR_WORDS = frozenset({"and", "or", "not", "in", "mod"})


def parse_yaql(source: str, base: int = 0) -> ast.Node:
    """Parse one YAQL expression; offsets in the tree and in errors are `base` + index."""
    parser = _YaqlParser(tokenize(source, "yaql", base))
    if parser.tok.kind == "eof":
        raise ExpressionError("empty expression: write a YAQL expression between <% and %>",
                              parser.tok.pos)
    node = parser.expr()
    parser.expect_end()
    return node


class _YaqlParser(TokenCursor):
    def expr(self) -> ast.Node:
        self.enter()
        try:
            left = self.or_()
            arrow = self.accept_op("->")
            if arrow is None:
                return left
            return ast.Arrow(arrow.pos, left, self.expr())
        finally:
            self.leave()

    def _chain(self, operand, match) -> ast.Node:
        """Left-associative binary chain; `match` gives the op name for the current token."""
        left = operand()
        levels = 0
        try:
            while (op := match()) is not None:
                tok = self.advance()
                self.enter()
                levels += 1
                left = ast.Binary(tok.pos, op, left, operand())
            return left
        finally:
            for _ in range(levels):
                self.leave()

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
        def match() -> str | None:
            if self.tok.kind == "op" and self.tok.value in _COMPARE:
                return _COMPARE[self.tok.value]
            return "in" if self.tok.is_name("in") else None
        return self._chain(self.sum_, match)

    def sum_(self) -> ast.Node:
        return self._chain(self.product, lambda: {"+": "add", "-": "sub"}.get(
            self.tok.value) if self.tok.kind == "op" else None)

    def product(self) -> ast.Node:
        def match() -> str | None:
            if self.tok.kind == "op":
                return {"*": "mul", "/": "div"}.get(self.tok.value)
            return "mod" if self.tok.is_name("mod") else None
        return self._chain(self.match_, match)

    def match_(self) -> ast.Node:
        return self._chain(self.unary, lambda: {"=~": "match", "!~": "not match"}.get(
            self.tok.value) if self.tok.kind == "op" else None)

    def unary(self) -> ast.Node:
        tok = self.accept_op("-", "+")
        if tok is None:
            return self.postfix()
        self.enter()
        try:
            return ast.Unary(tok.pos, "neg" if tok.value == "-" else "pos", self.unary())
        finally:
            self.leave()

    def postfix(self) -> ast.Node:
        node = self.primary()
        levels = 0
        try:
            while True:
                if self.accept_op("."):
                    name = self.tok
                    if name.kind != "name":
                        raise self.unexpected("a name after '.'")
                    self.advance()
                    if self.tok.is_op("("):
                        args = self.arguments()
                        node = ast.Call(name.pos, name.value, (node, *args), "method")
                    else:
                        node = ast.Attribute(name.pos, node, name.value)
                elif self.tok.is_op("["):
                    tok = self.advance()
                    index = self.expr()
                    self.expect_op("]", "to close the index")
                    node = ast.Index(tok.pos, node, index)
                else:
                    return node
                self.enter()
                levels += 1
        finally:
            for _ in range(levels):
                self.leave()

    def primary(self) -> ast.Node:
        tok = self.tok
        if tok.kind in ("num", "str"):
            self.advance()
            return ast.Literal(tok.pos, tok.value)
        if tok.kind == "var":
            self.advance()
            return ast.Variable(tok.pos, tok.value)
        if tok.is_op("$"):
            self.advance()
            return ast.Current(tok.pos)
        if tok.kind == "name":
            if tok.value in _KEYWORDS:
                self.advance()
                return ast.Literal(tok.pos, _KEYWORDS[tok.value])
            if tok.value in _OPERATOR_WORDS:
                raise self.unexpected()
            self.advance()
            if self.tok.is_op("("):
                return ast.Call(tok.pos, tok.value, self.arguments(), "function")
            return ast.Literal(tok.pos, tok.value)
        if tok.is_op("("):
            self.advance()
            node = self.expr()
            self.expect_op(")", "to close the parenthesis")
            return node
        if tok.is_op("["):
            self.advance()
            items = self._items("]", "to close the list")
            return ast.ListLit(tok.pos, tuple(items))
        if tok.is_op("{"):
            self.advance()
            pairs = []
            for item in self._items("}", "to close the dict"):
                if not isinstance(item, ast.Pair):
                    raise ExpressionError("dict entries are written key => value", item.pos)
                pairs.append((item.key, item.value))
            return ast.DictLit(tok.pos, tuple(pairs))
        if tok.is_op("=>"):
            raise ExpressionError("'=>' is only allowed inside a call or a dict, as "
                                  "name => value", tok.pos)
        raise self.unexpected()

    def arguments(self) -> tuple[ast.Node, ...]:
        self.expect_op("(", "before the arguments")
        return tuple(self._items(")", "to close the argument list"))

    def _items(self, closer: str, context: str) -> list[ast.Node]:
        """Comma-separated items up to `closer`; `key => value` items become Pairs."""
        items: list[ast.Node] = []
        if self.accept_op(closer):
            return items
        while True:
            item = self.expr()
            arrow = self.accept_op("=>")
            if arrow is not None:
                item = ast.Pair(item.pos, item, self.expr())
            items.append(item)
            if self.accept_op(closer):
                return items
            if not self.accept_op(","):
                raise ExpressionError(f"expected ',' or '{closer}' {context} but found "
                                      f"{self.tok.describe()}", self.tok.pos)
