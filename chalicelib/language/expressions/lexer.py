"""Tokenizer for the YAQL and Jinja expression subsets.

Takes: the expression source (the text between the delimiters), its dialect ("yaql" or
"jinja") and the offset of the source inside the template text.
Gives: a list of `Token`s ending with an "eof" token; raises `ExpressionError` for an
unterminated string or a character the dialect does not use. Every token's `pos` is an
offset into the template text.

Two scanners give the same tokens. The usual one (`_split`) takes ASCII text without escape
sequences: one `findall` of a regular expression cuts it into (whitespace, token) pairs and
a short loop types them. Anything it does not cover (non-ASCII text, strings with
backslashes, characters that start no token, YAQL's refused `==`) leaves a gap between the
pieces it finds, and then the general scanner (`_scan`) reads the text instead: one pass,
simple regular expressions anchored at the current position, strings read character by
character; it also gives every error.
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


def _categories(dialect: str) -> dict[str, str]:
    """ASCII character → the branch of `tokenize` it starts (characters not listed: error)."""
    found = {ch: "space" for ch in " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"}
    found.update((ch, "digit") for ch in "0123456789")
    found.update((chr(c), "name") for c in range(128) if chr(c) == "_" or chr(c).isalpha())
    found.update((ch, "op") for ch in _OPERATORS_BY_CHAR[dialect])
    found.update((ch, "quote") for ch in _QUOTES[dialect])
    if dialect == "yaql":
        found["$"] = "dollar"
        found["="] = "equals"
    return found


_CATEGORIES = {dialect: _categories(dialect) for dialect in _OPERATORS}
_new_token = tuple.__new__  # Token(...) without its Python-level __new__


def tokenize(source: str, dialect: str, base: int = 0) -> list[Token]:
    """Split `source` into tokens; `base` is added to every offset."""
    if source.isascii():
        tokens = _split(source, dialect, base)
        if tokens is not None:
            return tokens
    return _scan(source, dialect, base)


def _token_pattern(dialect: str) -> re.Pattern[str]:
    """(whitespace, token) for the tokens `_split` covers; `_scan`'s branches, in ASCII."""
    operators = [re.escape(op) for op in _OPERATORS[dialect]]
    strings = [r"'[^'\\]*'", r'"[^"\\]*"']  # no escapes: those are for `_scan`
    if dialect == "yaql":
        # '==' is an error: '=' must not match its first half (the gap sends it to `_scan`)
        operators[operators.index("=")] = "=(?!=)"
        operators.append(r"\$(?:[A-Za-z0-9_]+)?")  # a variable, or '$' alone
        strings.append("`[^`]*`")  # raw: a backslash is a plain character
    token = "|".join([r"[A-Za-z_][A-Za-z0-9_]*", r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?",
                      *strings, *operators])
    return re.compile(rf"(\s*)({token})")


# dialect -> the `findall` of its token pattern; first character of a token -> its kind
_FINDALL = {dialect: _token_pattern(dialect).findall for dialect in _OPERATORS}
_KINDS = {
    dialect: {
        **{ch: "op" for ch in _OPERATORS_BY_CHAR[dialect]},
        **{ch: "name" for ch in table if table[ch] == "name"},
        **{ch: "num" for ch in "0123456789"},
        **{ch: "str" for ch in _QUOTES[dialect]},
        **({"$": "var"} if dialect == "yaql" else {}),
    }
    for dialect, table in _CATEGORIES.items()
}


def _split(source: str, dialect: str, base: int) -> list[Token] | None:
    """The tokens of ASCII `source` when one `findall` covers all of it, else None."""
    kinds = _KINDS[dialect]
    new, token = _new_token, Token
    tokens: list[Token] = []
    append = tokens.append
    pos = base
    for space, text in _FINDALL[dialect](source):
        if space:
            pos += len(space)
        kind = kinds[text[0]]
        if kind == "name" or kind == "op":  # its own value
            append(new(token, (kind, text, pos)))
        elif kind == "num":
            append(new(token, ("num", float(text) if "." in text or "e" in text
                               or "E" in text else int(text), pos)))
        elif kind == "str":
            append(new(token, ("str", text[1:-1], pos)))
        elif len(text) > 1:  # '$name'
            append(new(token, ("var", text[1:], pos)))
        else:
            append(new(token, ("op", "$", pos)))
        pos += len(text)
    # The pieces are found in order without overlap; their lengths add up to the offset
    # after the last one exactly when nothing was skipped between them.
    end = pos - base
    if end != len(source) and not source[end:].isspace():
        return None
    append(new(token, ("eof", None, base + len(source))))
    return tokens


def _scan(source: str, dialect: str, base: int) -> list[Token]:
    """The general scanner: every token and every error, one character class at a time."""
    operators = _OPERATORS_BY_CHAR[dialect]
    categories = _CATEGORIES[dialect]
    tokens: list[Token] = []
    append = tokens.append
    whitespace, number, name = _WHITESPACE.match, _NUMBER.match, _NAME.match
    startswith = source.startswith
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        # the branch a character starts: a table for ASCII, the Unicode tests otherwise
        category = categories.get(ch)
        if category is None and ch > "\x7f":
            category = "space" if ch.isspace() else "name" if ch.isalpha() else None
        if category == "space":
            i = whitespace(source, i).end()
            continue
        if category == "name":
            m = name(source, i)
            if m is None:  # a letter outside ASCII
                raise ExpressionError(f"unexpected character {ch!r}; names use the letters "
                                      "a-z, A-Z, digits and '_'", base + i)
            append(_new_token(Token, ("name", m.group(), base + i)))
            i = m.end()
            continue
        if category == "equals" and startswith("==", i):
            raise ExpressionError("YAQL compares with '=', not '=='", base + i)
        if category == "op" or category == "equals":
            for op in operators[ch]:
                if startswith(op, i):
                    append(_new_token(Token, ("op", op, base + i)))
                    i += len(op)
                    break
            else:
                raise ExpressionError(_unexpected_character(ch, dialect), base + i)
            continue
        if category == "digit":
            m = number(source, i)
            text = m.group()
            is_float = "." in text or "e" in text or "E" in text
            append(_new_token(
                Token, ("num", float(text) if is_float else int(text), base + i)))
            i = m.end()
            continue
        if category == "quote":
            value, end = _read_string(source, i, base)
            append(_new_token(Token, ("str", value, base + i)))
            i = end
            continue
        if category == "dollar":
            m = _VARIABLE.match(source, i)
            if m:
                append(_new_token(Token, ("var", m.group()[1:], base + i)))
                i = m.end()
            else:
                append(_new_token(Token, ("op", "$", base + i)))
                i += 1
            continue
        raise ExpressionError(_unexpected_character(ch, dialect), base + i)
    append(_new_token(Token, ("eof", None, base + n)))
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
