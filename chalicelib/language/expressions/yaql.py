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
from .parsing import MAX_NESTING, TokenCursor

_COMPARE = {"=": "eq", "!=": "ne", "<": "lt", ">": "gt", "<=": "le", ">=": "ge"}
_SUM = {"+": "add", "-": "sub"}
_PRODUCT = {"*": "mul", "/": "div"}
_MATCH = {"=~": "match", "!~": "not match"}
_KEYWORDS = {"true": True, "false": False, "null": None}
_OPERATOR_WORDS = frozenset({"and", "or", "not", "in", "mod"})


# The binary operators by level, loosest (1) to tightest (7); level 3 is the prefix `not`.
_LEVEL_SYMBOLS = {
    **{symbol: (4, op) for symbol, op in _COMPARE.items()},
    **{symbol: (5, op) for symbol, op in _SUM.items()},
    **{symbol: (6, op) for symbol, op in _PRODUCT.items()},
    **{symbol: (7, op) for symbol, op in _MATCH.items()},
}
_LEVEL_WORDS = {"or": (1, "or"), "and": (2, "and"), "in": (4, "in"), "mod": (6, "mod")}
_NOT_LEVEL = 3


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
    def __init__(self, tokens):
        super().__init__(tokens)
        # The nesting guard counts at most one level per token (plus one), so an expression
        # of few tokens can never trip it: `_climb` parses those, without the level-by-level
        # descent below whose only extra is counting the levels for that guard.
        self.short = len(tokens) <= MAX_NESTING

    def expr(self) -> ast.Node:
        self.enter()
        try:
            left = self._climb(1) if self.short else self.or_()
            tok = self.tokens[self.index]
            if tok.kind != "op" or tok.value != "->":
                return left
            self.advance()
            return ast.Arrow(tok.pos, left, self.expr())
        finally:
            self.leave()

    def _climb(self, level: int) -> ast.Node:
        """What `or_` gives (level 1) or the level function of `level` (2 `and_`, 3 `not_`,
        4 `compare`, ..., 8 `unary`), by precedence climbing: one call per operand."""
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
            self.advance()
            left = ast.Binary(tok.pos, found[1], left, self._climb(found[0] + 1))

    # Each level below parses its first operand, then looks at the next token itself: in
    # the common case (no operator of that level follows) no chain is set up at all.

    def _chain(self, left: ast.Node, operand, match) -> ast.Node:
        """Left-associative binary chain after `left`; `match` gives the op name for the
        current token."""
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

    def _or_op(self) -> str | None:
        tok = self.tokens[self.index]
        return "or" if tok.kind == "name" and tok.value == "or" else None

    def _and_op(self) -> str | None:
        tok = self.tokens[self.index]
        return "and" if tok.kind == "name" and tok.value == "and" else None

    def _compare_op(self) -> str | None:
        tok = self.tokens[self.index]
        if tok.kind == "op":
            return _COMPARE.get(tok.value)
        return "in" if tok.kind == "name" and tok.value == "in" else None

    def _sum_op(self) -> str | None:
        tok = self.tokens[self.index]
        return _SUM.get(tok.value) if tok.kind == "op" else None

    def _product_op(self) -> str | None:
        tok = self.tokens[self.index]
        if tok.kind == "op":
            return _PRODUCT.get(tok.value)
        return "mod" if tok.kind == "name" and tok.value == "mod" else None

    def _match_op(self) -> str | None:
        tok = self.tokens[self.index]
        return _MATCH.get(tok.value) if tok.kind == "op" else None

    def or_(self) -> ast.Node:
        left = self.and_()
        if self._or_op() is None:
            return left
        return self._chain(left, self.and_, self._or_op)

    def and_(self) -> ast.Node:
        left = self.not_()
        if self._and_op() is None:
            return left
        return self._chain(left, self.not_, self._and_op)

    def not_(self) -> ast.Node:
        tok = self.tokens[self.index]
        if tok.kind != "name" or tok.value != "not":
            return self.compare()
        self.advance()
        self.enter()
        try:
            return ast.Unary(tok.pos, "not", self.not_())
        finally:
            self.leave()

    def compare(self) -> ast.Node:
        left = self.sum_()
        if self._compare_op() is None:
            return left
        return self._chain(left, self.sum_, self._compare_op)

    def sum_(self) -> ast.Node:
        left = self.product()
        if self._sum_op() is None:
            return left
        return self._chain(left, self.product, self._sum_op)

    def product(self) -> ast.Node:
        left = self.match_()
        if self._product_op() is None:
            return left
        return self._chain(left, self.match_, self._product_op)

    def match_(self) -> ast.Node:
        left = self.unary()
        if self._match_op() is None:
            return left
        return self._chain(left, self.unary, self._match_op)

    def unary(self) -> ast.Node:
        tok = self.tokens[self.index]
        if tok.kind != "op" or (tok.value != "-" and tok.value != "+"):
            return self.postfix()
        self.advance()
        self.enter()
        try:
            return ast.Unary(tok.pos, "neg" if tok.value == "-" else "pos", self.unary())
        finally:
            self.leave()

    def postfix(self) -> ast.Node:
        node = self.primary()
        tokens = self.tokens
        tok = tokens[self.index]
        if tok.kind != "op" or (tok.value != "." and tok.value != "["):
            return node
        levels = 0
        try:
            while True:
                tok = tokens[self.index]
                step = tok.value if tok.kind == "op" else None
                if step == ".":
                    self.advance()
                    name = tokens[self.index]
                    if name.kind != "name":
                        raise self.unexpected("a name after '.'")
                    self.advance()
                    after = tokens[self.index]
                    if after.kind == "op" and after.value == "(":
                        args = self.arguments()
                        node = ast.Call(name.pos, name.value, (node, *args), "method")
                    else:
                        node = ast.Attribute(name.pos, node, name.value)
                elif step == "[":
                    self.advance()
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
        tokens = self.tokens
        tok = tokens[self.index]
        kind = tok.kind
        if kind == "num" or kind == "str":
            self.advance()
            return ast.Literal(tok.pos, tok.value)
        if kind == "var":
            self.advance()
            return ast.Variable(tok.pos, tok.value)
        if kind == "name":
            value = tok.value
            if value in _KEYWORDS:
                self.advance()
                return ast.Literal(tok.pos, _KEYWORDS[value])
            if value in _OPERATOR_WORDS:
                raise self.unexpected()
            self.advance()
            after = tokens[self.index]
            if after.kind == "op" and after.value == "(":
                return ast.Call(tok.pos, value, self.arguments(), "function")
            return ast.Literal(tok.pos, value)
        value = tok.value if kind == "op" else None
        if value == "$":
            self.advance()
            return ast.Current(tok.pos)
        if value == "(":
            self.advance()
            node = self.expr()
            self.expect_op(")", "to close the parenthesis")
            return node
        if value == "[":
            self.advance()
            items = self._items("]", "to close the list")
            return ast.ListLit(tok.pos, tuple(items))
        if value == "{":
            self.advance()
            pairs = []
            for item in self._items("}", "to close the dict"):
                if not isinstance(item, ast.Pair):
                    raise ExpressionError("dict entries are written key => value", item.pos)
                pairs.append((item.key, item.value))
            return ast.DictLit(tok.pos, tuple(pairs))
        if value == "=>":
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
