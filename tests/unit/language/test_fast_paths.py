"""Shortcuts of the front end give exactly what the general code gives.

Short YAQL and Jinja expressions are parsed by precedence climbing instead of the
level-by-level descent; the lexer cuts ASCII text with one `findall` (`_split`) instead of its
character-by-character scanner (`_scan`), which picks its branch for an ASCII character from
a table; syntax nodes, expressions and templates are built by a direct `__init__`; a
transition that is a bare task name skips the inline-parameter parser. Each is compared here
with the general path on the shared corpus, on hand-written cases (errors included) and on
generated text.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.language.expressions import ExpressionError, ast, jinja, lexer, template, yaql
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


JINJA_HAND_WRITTEN = [
    "_.x + 1", "_.a - _.b - _.c", "_.a * _.b + _.c % 2 // 3 ** 4", "1 ~ 2 ~ _.s",
    "not _.a and _.b or not not _.c", "_.a == 1 and _.b != 2 or _.c in [1, 2]",
    "_.a < 1 <= 2 > 3 >= 4", "_.a not in _.b", "not _.a not in _.b", "_.a < _.b not in _.c",
    "_.a not _.b", "_.a not", "-_.x | abs + +1", "- - _.x", "_.x | length > 0",
    "_.x is defined and _.y is not none", "_.a if _.b else _.c if _.d else _.e", "_.a if _.b",
    "task('t').result", "_.xs | join(', ')", "{'a': 1, 'b': (1, 2)}", "(_.a or _.b) and _.c",
    "_.a[0].b[1 + 2]", "not", "1 +", "and 1", "_.a == not _.b", "1 2", "(1", "[1,", "_.a..b",
    "- not 1", "1 %", "a", "a.b", "_.x(1)", "f(a=1)", "1 + (2 * (3 - (4 / 5)))", "_[1:2]",
    " + ".join(["1"] * 49), " + ".join(["1"] * 25), "not " * 30 + "1", "-" * 40 + "1",
    "(" * 24 + "1" + ")" * 24, "(" * 26 + "1" + ")" * 26, " < ".join(["1"] * 26),
]


def _outcome(source: str, short: bool | None, dialect: str = "yaql") -> object:
    parser_class = yaql._YaqlParser if dialect == "yaql" else jinja._JinjaParser
    try:
        parser = parser_class(lexer.tokenize(source, dialect, 7))
        if short is not None:
            parser.short = short
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


def _jinja_corpus_expressions() -> list[str]:
    found: set[str] = set()
    for path in sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []:
        found.update(re.findall(r"\{\{(.*?)\}\}", path.read_text()))
    return sorted(found)


@pytest.mark.parametrize("source", JINJA_HAND_WRITTEN + _jinja_corpus_expressions())
def test_jinja_precedence_climbing_gives_what_the_descent_gives(source: str):
    assert _outcome(source, True, "jinja") == _outcome(source, False, "jinja")
    assert _outcome(source, None, "jinja") == _outcome(source, False, "jinja")


def _scanned(source: str, dialect: str) -> object:
    try:
        return lexer._scan(source, dialect, 5)
    except ExpressionError as error:
        return ("error", error.message, error.offset)


def _lexer_agrees(source: str) -> None:
    for dialect in ("yaql", "jinja"):
        split = lexer._split(source, dialect, 5) if source.isascii() else None
        scanned = _scanned(source, dialect)
        if split is not None:  # what `_split` gives, it gives exactly as `_scan`
            assert split == scanned, (dialect, source)
        if isinstance(scanned, tuple):  # every error goes through `_scan`
            assert split is None, (dialect, source)
        tokens = lexer.tokenize(source, dialect, 5) if not isinstance(scanned, tuple) else None
        assert tokens is None or tokens == scanned


LEXER_CASES = [
    "$.x + 1", "$ab.c", "$", "$.a == 1", "$.a =~ 'x'", "a=>b", "a==>b", "a !== b", "1.5e3 + 2",
    "1e", "1.x", "'a\\b'", "'it''s'", '"a" \'b\'', "`raw\\text`", "'open", "é", "a\x1cb",
    "x\ty\n", "  ", "", "a @ b", "_.x | f", "a // b ** c", "{'a': 1}", "a ~ b", "!x", "a;b",
    "'\\u0041'", "$1", "$.x.y[0]", "task(a).result", "len($.xs) > 0", "a\u00a0b",
]


@pytest.mark.parametrize("source", LEXER_CASES + HAND_WRITTEN + JINJA_HAND_WRITTEN)
def test_the_findall_lexer_gives_what_the_scanner_gives(source: str):
    _lexer_agrees(source)


# text made of the characters that matter to the lexers (and some that start no token)
_LEXER_TEXT = st.text(
    alphabet=st.sampled_from(list("ab_1290.eE+-$ '\"`\\=<>!~*/%|()[]{},:@#;\t\n\x1cé\u00a0")),
    max_size=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_LEXER_TEXT)
def test_the_findall_lexer_agrees_on_generated_text(source: str):
    _lexer_agrees(source)


# expressions made of a few of each: values, operators, prefixes, postfix steps, brackets
_ATOMS = st.sampled_from(["$", "$.x", "_", "_.x", "1", "2.5", "'s'", "true", "none", "a",
                          "task(t)", "task('t')", "task()", "env()", "execution()", "$v",
                          "len($.xs)", "_.xs | length", "[1, 2]", "{'k': 1}", "{k => 1}"])
_BINARY = st.sampled_from([" + ", " - ", " * ", " / ", " mod ", " % ", " // ", " ** ", " ~ ",
                           " = ", " == ", " != ", " < ", " >= ", " and ", " or ", " in ",
                           " not in ", " =~ ", " -> ", " if ", " else ", " is ", " | ", "."])
_PREFIX = st.sampled_from(["", "", "not ", "-", "+", "("])
_SUFFIX = st.sampled_from(["", "", ".y", "[0]", ".len()", "(1)", ")", " is defined"])


@st.composite
def _expressions(draw) -> str:
    count = draw(st.integers(1, 6))
    parts = [draw(_PREFIX) + draw(_ATOMS) + draw(_SUFFIX)]
    for _ in range(count - 1):
        parts.append(draw(_BINARY) + draw(_PREFIX) + draw(_ATOMS) + draw(_SUFFIX))
    return "".join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(_expressions())
def test_the_shortcuts_agree_on_generated_expressions(source: str):
    _lexer_agrees(source)
    for dialect in ("yaql", "jinja"):
        assert _outcome(source, True, dialect) == _outcome(source, False, dialect)


def test_records_are_built_as_the_dataclass_builds_them():
    classes = [cls for cls in vars(ast).values()
               if isinstance(cls, type) and issubclass(cls, ast.Node)]
    classes += [template.Expression, template.Template, jinja._Name]
    for cls in classes:
        fields = dataclasses.fields(cls)
        values = [f"v{i}" for i in range(len(fields))]
        built = cls(*values)
        general = object.__new__(cls)
        for field, value in zip(fields, values):
            object.__setattr__(general, field.name, value)
        assert built == general and hash(built) == hash(general)
        assert vars(built) == vars(general) and repr(built) == repr(general)
        with pytest.raises(dataclasses.FrozenInstanceError):
            built.pos = 1  # type: ignore[misc]
        for field in fields:  # the defaults are the dataclass's
            if field.default is not dataclasses.MISSING:
                short = cls(*values[:-1]) if field is fields[-1] else None
                assert short is None or getattr(short, field.name) == field.default


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
