"""Token cursor shared by the YAQL and Jinja recursive-descent parsers.

Takes: a token list from `lexer.tokenize`.
Gives: `TokenCursor`, with look-ahead, expectation helpers that raise `ExpressionError` at
the offending token, and a nesting guard so that deeply nested input fails cleanly instead
of exhausting the Python stack.
"""
from __future__ import annotations

from .errors import ExpressionError
from .lexer import Token

MAX_NESTING = 50


class TokenCursor:
    """Walks a token list; subclasses implement the grammar."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.index = 0
        self.depth = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.index]

    def peek(self, ahead: int = 1) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
        tok = self.tokens[self.index]
        if tok.kind != "eof":
            self.index += 1
        return tok

    def accept_op(self, *ops: str) -> Token | None:
        if self.tok.is_op(*ops):
            return self.advance()
        return None

    def accept_name(self, *names: str) -> Token | None:
        if self.tok.is_name(*names):
            return self.advance()
        return None

    def expect_op(self, op: str, context: str) -> Token:
        if not self.tok.is_op(op):
            raise ExpressionError(
                f"expected '{op}' {context} but found {self.tok.describe()}", self.tok.pos)
        return self.advance()

    def expect_end(self) -> None:
        if self.tok.kind != "eof":
            raise ExpressionError(
                f"unexpected {self.tok.describe()}: the expression should end here "
                "(is an operator or a comma missing?)", self.tok.pos)

    def unexpected(self, wanted: str = "a value") -> ExpressionError:
        return ExpressionError(f"expected {wanted} but found {self.tok.describe()}",
                               self.tok.pos)

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise ExpressionError(
                f"expression nested too deeply (more than {MAX_NESTING} levels of brackets, "
                "operators or calls)", self.tok.pos)

    def leave(self) -> None:
        self.depth -= 1
