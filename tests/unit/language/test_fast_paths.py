"""Shortcuts of the front end give exactly what the general code gives.

Short YAQL expressions are parsed by precedence climbing instead of the level-by-level
descent; the lexer picks its branch for an ASCII character from a table; a transition that is
a bare task name skips the inline-parameter parser. Each is compared here with the general
path on the shared corpus and on hand-written cases (errors included).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from chalicelib.language.expressions import ExpressionError, lexer, yaql
from chalicelib.language.inline import Inline, is_bare_name, parse_inline

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"

HAND_WRITTEN = [
    "$.x + 1", "$.a - $.b - $.c", "$.a * $.b + $.c mod 2", "1 + 2 * 3 / 4 - 5",
    "not $.a and $.b or not not $.c", "$.a = 1 and $.b != 2 or $.c in [1, 2]",
    "-$.x =~ 'a' + +1", "$.s !~ '^x' and $.t =~ 'y'", "$.a < 1 <= 2 > 3 >= 4",
    "$.x -> $ + 1", "let(a => 1) -> $a * 2", "task(t1).result.get(k, 1)",
    "$.list.where($ > 1).select($ * 2)", "{a => 1, b => [1, 2]}", "($.a or $.b) and $.c",
    "$.a[0].b[1 + 2]", "not", "1 +", "and 1", "$.a = not $.b", "1 2", "(1", "[1,", "$.a..b",
    "- not 1", "1 mod", "$.x ->", "a => 1", "f(a => 1)", "1 + (2 * (3 - (4 / 5)))",
    " + ".join(["1"] * 49), " + ".join(["1"] * 25), "not " * 30 + "1", "-" * 40 + "1",
    "(" * 24 + "1" + ")" * 24, "(" * 26 + "1" + ")" * 26,
]


def _corpus_expressions() -> list[str]:
    found: set[str] = set()
    for path in sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []:
        found.update(re.findall(r"<%(.*?)%>", path.read_text()))
    return sorted(found)


def _outcome(source: str, short: bool | None) -> object:
    parser = yaql._YaqlParser(lexer.tokenize(source, "yaql", 7))
    if short is not None:
        parser.short = short
    try:
        if parser.tok.kind == "eof":
            return "empty"
        node = parser.expr()
        parser.expect_end()
        return node
    except ExpressionError as error:
        return ("error", error.message, error.offset)


@pytest.mark.parametrize("source", HAND_WRITTEN + _corpus_expressions())
def test_precedence_climbing_gives_what_the_descent_gives(source: str):
    assert _outcome(source, True) == _outcome(source, False)
    assert _outcome(source, None) == _outcome(source, False)


def test_the_lexer_table_agrees_with_the_character_tests():
    for dialect in ("yaql", "jinja"):
        table = lexer._CATEGORIES[dialect]
        for code in range(128):
            ch = chr(code)
            if ch.isspace():
                expected = "space"
            elif "0" <= ch <= "9":
                expected = "digit"
            elif ch == "_" or ch.isalpha():
                expected = "name"
            elif ch in lexer._QUOTES[dialect]:
                expected = "quote"
            elif dialect == "yaql" and ch == "$":
                expected = "dollar"
            elif dialect == "yaql" and ch == "=":
                expected = "equals"
            elif ch in lexer._OPERATORS_BY_CHAR[dialect]:
                expected = "op"
            else:
                expected = None
            assert table.get(ch) == expected, (dialect, ch)


@pytest.mark.parametrize(
    ("text", "bare"),
    [("next_task", True), ("fail", True), ("a.b", True), ("t-1", True), ("é", True),
     ("x=1", False), ("t x=1", False), (" t", False), ("t ", False), ("", False)],
)
def test_a_bare_name_is_what_the_inline_parser_reads(text: str, bare: bool):
    assert is_bare_name(text) is bare
    if bare:
        assert parse_inline(text) == Inline(text)
