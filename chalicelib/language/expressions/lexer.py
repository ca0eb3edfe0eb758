"""Tokenizer for the YAQL and Jinja expression subsets.

Takes: the expression source (the text between the delimiters), its dialect ("yaql" or
"jinja") and the offset of the source inside the template text.
Gives: a list of `Token`s ending with an "eof" token; raises `ExpressionError` for an
unterminated string or a character the dialect does not use. Every token's `pos` is an
offset into the template text. The scanner is linear: one pass, simple regular
expressions anchored at the current position, strings read character by character.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from .errors import ExpressionError

_WHITESPACE = re.compile(r"\s+")
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_VARIABLE = re.compile(r"\$[A-Za-z0-9_]+")

_OPERATORS = {
    "yaql": ("->", "=>", "!=", "<=", ">=", "=~", "!~", "=", "<", ">", "+", "-", "*", "/",
             ".", ",", "(", ")", "[", "]", "{", "}"),
    "jinja": ("==", "!=", "<=", ">=", "//", "**", "=", "<", ">", "+", "-", "*", "/", "%",
              "~", "|", ".", ",", ":", "(", ")", "[", "]", "{", "}"),
}
# dialect -> first character -> the operators starting with it, in `_OPERATORS` order
_OPERATORS_BY_CHAR = {
    dialect: {ch: tuple(op for op in ops if op[0] == ch) for ch in {op[0] for op in ops}}
    for dialect, ops in _OPERATORS.items()
}
_QUOTES = {"yaql": "'\"`", "jinja": "'\""}
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0",
            "\\": "\\", "'": "'", '"': '"', "`": "`", "/": "/"}


class Token(NamedTuple):
    """One token: `kind` is "num", "str", "name", "var" ($name), "op" or "eof"."""

    kind: str
    value: object
    pos: int

    def is_op(self, *ops: str) -> bool:
        return self.kind == "op" and self.value in ops

    def is_name(self, *names: str) -> bool:
        return self.kind == "name" and self.value in names

    def describe(self) -> str:
        """How the token reads in an error message."""
        if self.kind == "eof":
            return "the end of the expression"
        if self.kind == "str":
            return f"the string {self.value!r}"
        if self.kind == "var":
            return f"'${self.value}'"
        return f"'{self.value}'"


def tokenize(source: str, dialect: str, base: int = 0) -> list[Token]:
    """Split `source` into tokens; `base` is added to every offset."""
    operators = _OPERATORS_BY_CHAR[dialect]
    quotes = _QUOTES[dialect]
    yaql = dialect == "yaql"
    tokens: list[Token] = []
    append = tokens.append
    whitespace, number, name = _WHITESPACE.match, _NUMBER.match, _NAME.match
    startswith = source.startswith
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == " " or ch.isspace():
            i = whitespace(source, i).end()
            continue
        if "0" <= ch <= "9":
            m = number(source, i)
            text = m.group()
            is_float = "." in text or "e" in text or "E" in text
            append(Token("num", float(text) if is_float else int(text), base + i))
            i = m.end()
            continue
        if ch == "_" or ch.isalpha():
            m = name(source, i)
            if m is None:  # a letter outside ASCII
                raise ExpressionError(f"unexpected character {ch!r}; names use the letters "
                                      "a-z, A-Z, digits and '_'", base + i)
            append(Token("name", m.group(), base + i))
            i = m.end()
            continue
        if ch in quotes:
            value, end = _read_string(source, i, base)
            append(Token("str", value, base + i))
            i = end
            continue
        if ch == "$" and yaql:
            m = _VARIABLE.match(source, i)
            if m:
                append(Token("var", m.group()[1:], base + i))
                i = m.end()
            else:
                append(Token("op", "$", base + i))
                i += 1
            continue
        if yaql and ch == "=" and startswith("==", i):
            raise ExpressionError("YAQL compares with '=', not '=='", base + i)
        for op in operators.get(ch, ()):
            if startswith(op, i):
                append(Token("op", op, base + i))
                i += len(op)
                break
        else:
            raise ExpressionError(_unexpected_character(ch, dialect), base + i)
    tokens.append(Token("eof", None, base + n))
    return tokens


def _read_string(source: str, start: int, base: int) -> tuple[str, int]:
    """Read the quoted string starting at `start`; give its value and the end offset."""
    quote = source[start]
    out: list[str] = []
    i, n = start + 1, len(source)
    raw = quote == "`"
    while i < n:
        ch = source[i]
        if ch == quote:
            return "".join(out), i + 1
        if ch == "\\" and not raw and i + 1 < n:
            nxt = source[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", source[i + 2:i + 6] or ""):
                out.append(chr(int(source[i + 2:i + 6], 16)))
                i += 6
                continue
            if nxt == "x" and re.fullmatch(r"[0-9a-fA-F]{2}", source[i + 2:i + 4] or ""):
                out.append(chr(int(source[i + 2:i + 4], 16)))
                i += 4
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
            else:  # unknown escapes keep their backslash, as in Python ('\d' stays '\d')
                out.append("\\" + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    raise ExpressionError(f"unterminated string: add the closing {quote}", base + start)


def _unexpected_character(ch: str, dialect: str) -> str:
    if ch == "$" and dialect == "jinja":
        return "unexpected '$' in a Jinja expression; read variables as _.name"
    if ch == "_" or ch.isalnum():
        return f"unexpected character {ch!r}"
    return f"unexpected character {ch!r} in a {'YAQL' if dialect == 'yaql' else 'Jinja'} expression"
