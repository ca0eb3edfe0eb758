"""The functions, filters and tests that Stepwise supports in expressions.

Takes: nothing (tables).
Gives: `lookup(dialect, style, name)` → `Function` (or None), the sorted lists of supported
names for error messages, Jinja test names, and `parse_format`, which splits a literal
`str.format` pattern. Every `Function.name` is a canonical name that the JSONata translator
implements; several written names (aliases) may share one canonical name.
"""
from __future__ import annotations

from dataclasses import dataclass

from .errors import ExpressionError


@dataclass(frozen=True)
class Function:
    """What the checker needs to know about one callable.

    `min_args`/`max_args` count the receiver of a method or filter; `lambdas` are the
    argument positions evaluated once per list item with `$` bound to the item; `pairs`
    means every argument is written `key => value`; `keywords` are the Jinja keyword
    arguments accepted; `deferred` marks a function Stepwise recognises but cannot evaluate
    in a state machine: it compiles to a run-time failure carrying that message.
    """

    name: str
    min_args: int
    max_args: int | None
    lambdas: frozenset[int] = frozenset()
    pairs: bool = False
    keywords: frozenset[str] = frozenset()
    deferred: str | None = None


def _f(name: str, lo: int, hi: int | None = -1, *, lambdas: tuple[int, ...] = (),
       pairs: bool = False, keywords: tuple[str, ...] = (), deferred: str | None = None
       ) -> Function:
    return Function(name, lo, lo if hi == -1 else hi, frozenset(lambdas), pairs,
                    frozenset(keywords), deferred)


_NO_TASK_QUERIES = ("cannot run in a state machine; read one task with task(name) "
                    "(its state, state_info, result, published)")

# Canonical functions shared by YAQL (function or method style) and Jinja globals.
_LEN = _f("len", 1)
_STR = _f("str", 1)
_COMMON = {
    "int": _f("int", 1), "float": _f("float", 1), "bool": _f("bool", 1),
    "list": _f("list", 0, None), "dict": _f("dict", 0, None, pairs=True),
    "keys": _f("keys", 1), "values": _f("values", 1), "items": _f("items", 1),
    "join": _f("join", 2), "concat": _f("concat", 1, None), "format": _f("format", 1, None),
    "now": _f("now", 0), "first": _f("first", 1, 2), "last": _f("last", 1, 2),
    "sum": _f("sum", 1), "min": _f("min", 1, 2), "max": _f("max", 1, 2),
    "flatten": _f("flatten", 1), "contains": _f("contains", 2),
    "containsKey": _f("containsKey", 2), "containsValue": _f("containsValue", 2),
    "get": _f("get", 2, 3),
    "isDict": _f("isDict", 1), "isList": _f("isList", 1), "isString": _f("isString", 1),
    "isInteger": _f("isInteger", 1), "isNumber": _f("isNumber", 1),
    "isBoolean": _f("isBoolean", 1),
    "startsWith": _f("startsWith", 2), "endsWith": _f("endsWith", 2),
    "indexOf": _f("indexOf", 2), "replace": _f("replace", 3, 4), "split": _f("split", 1, 2),
    "matches": _f("matches", 2),
    "any": _f("any", 1, 2, lambdas=(1,)), "all": _f("all", 1, 2, lambdas=(1,)),
    "range": _f("range", 1, 2), "sort": _f("sort", 1),
    "orderBy": _f("orderBy", 2, lambdas=(1,)),
    "orderByDescending": _f("orderByDescending", 2, lambdas=(1,)),
    "reverse": _f("reverse", 1), "toDict": _f("toDict", 2, 3, lambdas=(1, 2)),
    "coalesce": _f("coalesce", 1, None), "skip": _f("skip", 2), "take": _f("take", 2),
    "substring": _f("substring", 2, 3), "abs": _f("abs", 1), "round": _f("round", 1, 2),
}
_MISTRAL = {
    "execution": _f("execution", 0), "env": _f("env", 0), "task": _f("task", 0, 1),
    "global": _f("global", 1), "uuid": _f("uuid", 0),
    "json_pp": _f("json_pp", 1), "json_dump": _f("json_dump", 1),
    "yaml_dump": _f("yaml_dump", 1),
    "json_parse": _f("json_parse", 1), "yaml_parse": _f("yaml_parse", 1),
    "tasks": _f("tasks", 0, 4, deferred="tasks() " + _NO_TASK_QUERIES),
    "executions": _f("executions", 0, 5, deferred="executions() " + _NO_TASK_QUERIES),
}

YAQL_FUNCTIONS: dict[str, Function] = {
    **_COMMON, **_MISTRAL,
    "len": _LEN, "count": _LEN, "length": _LEN, "str": _STR, "string": _STR,
    "where": _f("filter", 2, lambdas=(1,)), "filter": _f("filter", 2, lambdas=(1,)),
    "select": _f("map", 2, lambdas=(1,)), "map": _f("map", 2, lambdas=(1,)),
    "distinct": _f("distinct", 1), "toSet": _f("distinct", 1),
    "lower": _f("lower", 1), "toLower": _f("lower", 1),
    "upper": _f("upper", 1), "toUpper": _f("upper", 1),
    "trim": _f("strip", 1), "strip": _f("strip", 1),
    "limit": _f("take", 2), "toList": _f("tolist", 1),
    "let": _f("let", 1, None, pairs=True),
    # Not a YAQL function: a misspelling found in published workbooks. Mistral fails on it
    # only when the expression runs, so it compiles to the same run-time failure.
    "tag": _f("tag", 0, None, deferred="unknown function 'tag'"),
}

JINJA_GLOBALS: dict[str, Function] = {
    **_MISTRAL, "range": _COMMON["range"], "dict": _COMMON["dict"],
}

JINJA_FILTERS: dict[str, Function] = {
    "length": _LEN, "count": _LEN, "string": _STR,
    "int": _COMMON["int"], "float": _COMMON["float"], "list": _f("tolist", 1),
    "join": _f("join", 1, 2), "default": _f("default", 1, 3, keywords=("boolean",)),
    "d": _f("default", 1, 3, keywords=("boolean",)),
    "upper": _f("upper", 1), "lower": _f("lower", 1), "capitalize": _f("capitalize", 1),
    "trim": _f("strip", 1), "replace": _f("replace", 3, 4),
    "first": _f("first", 1), "last": _f("last", 1), "sort": _f("sort", 1),
    "unique": _f("distinct", 1), "reverse": _f("reverse", 1),
    "sum": _f("sum", 1), "min": _f("min", 1), "max": _f("max", 1),
    "abs": _f("abs", 1), "round": _f("round", 1, 2), "items": _f("items", 1),
    "map": _f("mapattr", 1, 2, keywords=("attribute",)), "tojson": _f("tojson", 1),
    "json_pp": _MISTRAL["json_pp"], "json_dump": _MISTRAL["json_dump"],
    "yaml_dump": _MISTRAL["yaml_dump"], "json_parse": _MISTRAL["json_parse"],
    "yaml_parse": _MISTRAL["yaml_parse"],
}

JINJA_METHODS: dict[str, Function] = {
    "get": _COMMON["get"], "keys": _COMMON["keys"], "values": _COMMON["values"],
    "items": _COMMON["items"], "upper": _f("upper", 1), "lower": _f("lower", 1),
    "strip": _f("strip", 1), "split": _COMMON["split"],
    "startswith": _COMMON["startsWith"], "endswith": _COMMON["endsWith"],
    "replace": _COMMON["replace"], "join": _COMMON["join"], "format": _COMMON["format"],
}

JINJA_TESTS = frozenset({"defined", "undefined", "none", "number", "integer", "float",
                         "string", "mapping", "sequence", "iterable", "boolean", "true",
                         "false", "even", "odd"})

CANONICAL_NAMES = frozenset(
    f.name for table in (YAQL_FUNCTIONS, JINJA_GLOBALS, JINJA_FILTERS, JINJA_METHODS)
    for f in table.values())


def lookup(dialect: str, style: str, name: str) -> Function | None:
    """The function called `name` in this dialect and call style, or None."""
    return _table(dialect, style).get(name)


def supported(dialect: str, style: str) -> list[str]:
    """Sorted names usable in this dialect and call style (for error messages)."""
    return sorted(n for n, f in _table(dialect, style).items() if n != "tag")


def _table(dialect: str, style: str) -> dict[str, Function]:
    if dialect == "yaql":
        return YAQL_FUNCTIONS
    return {"function": JINJA_GLOBALS, "filter": JINJA_FILTERS,
            "method": JINJA_METHODS}[style]


def parse_format(pattern: str, pos: int, arg_count: int) -> list[str | int]:
    """Split a `str.format` pattern into literal text and argument indexes.

    Supports `{}`, `{0}`, `{{` and `}}`; raises `ExpressionError` at `pos` for format specs,
    named fields, mixed numbering or a missing argument.
    """
    parts: list[str | int] = []
    text: list[str] = []
    auto = 0
    numbering = ""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch in "{}" and pattern.startswith(ch * 2, i):
            text.append(ch)
            i += 2
            continue
        if ch == "}":
            raise ExpressionError("single '}' in a format string; write '}}'", pos)
        if ch != "{":
            text.append(ch)
            i += 1
            continue
        end = pattern.find("}", i)
        if end < 0:
            raise ExpressionError("unclosed '{' in a format string; write '{{' for a brace",
                                  pos)
        field = pattern[i + 1:end]
        if field == "":
            if numbering == "manual":
                raise ExpressionError("format string mixes {} and {0} fields", pos)
            numbering, index = "auto", auto
            auto += 1
        elif field.isdigit():
            if numbering == "auto":
                raise ExpressionError("format string mixes {} and {0} fields", pos)
            numbering, index = "manual", int(field)
        else:
            raise ExpressionError(
                f"format field '{{{field}}}' is not supported; use {{}} or {{0}}, {{1}}, ...",
                pos)
        if index >= arg_count:
            raise ExpressionError(
                f"format string uses argument {index} but only {arg_count} "
                f"argument{'s are' if arg_count != 1 else ' is'} given", pos)
        if text:
            parts.append("".join(text))
            text = []
        parts.append(index)
        i = end + 1
    if text:
        parts.append("".join(text))
    return parts
