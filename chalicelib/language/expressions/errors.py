"""The one error type of the expression language.

Takes: a user-facing sentence and the 0-based character offset where the problem starts.
Gives: `ExpressionError`, raised by every parser, checker and translator of expressions.
"""
from __future__ import annotations


class ExpressionError(Exception):
    """An expression that Stepwise cannot parse, check or translate.

    `message` is one sentence for the workflow author (what is wrong and what to write
    instead); `offset` is the 0-based character offset into the template text (or into the
    bare expression given to `parse_expression`) where the offending token starts.
    """

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset

    def shifted(self, delta: int) -> ExpressionError:
        """The same error with its offset moved by `delta` characters."""
        return ExpressionError(self.message, self.offset + delta)

    def __repr__(self) -> str:
        return f"ExpressionError({self.message!r}, offset={self.offset})"
