"""Pieces of JSONata text and the helpers that build them.

Takes: Python values and strings.
Gives: `Js` (JSONata text plus the static kind of its value), `Env` (what `$` and the
let-bound variables are at a point of the translation) and small text utilities: JSON
string and constant literals, parenthesising, member access, regular-expression literals.
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple


class Js(NamedTuple):
    """A piece of JSONata: its text and the static kind of its value ("str", "int",
    "float", "num", "bool", "null", "list", "dict") or None when only known at run time;
    `fields` is set when the text is an object literal: its keys and their values' text."""

    text: str
    kind: str | None = None
    fields: Mapping[str, str] | None = None


NUMERIC = frozenset({"int", "float", "num"})
SCALAR = frozenset({"str", "int", "float", "num", "bool", "null", "dict"})
SIMPLE_PATH = re.compile(r"\$?[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
JSONATA_WORDS = frozenset({"and", "or", "in", "true", "false", "null", "function"})
MAX_INT = "9007199254740991"
_NAME = re.compile(r"[A-Za-z_]\w*")




@dataclass(frozen=True)
class Env:
    current: str | None                 # JSONata for `$`; None at the root (the context)
    variables: Mapping[str, str]        # let-bound names → JSONata variables


def same(left: Js, right: Js) -> str | None:
    return left.kind if left.kind == right.kind and left.kind in ("list", "str") else None


def number_kind(left: Js, right: Js) -> str | None:
    if left.kind == "int" and right.kind == "int":
        return "int"
    if left.kind in NUMERIC and right.kind in NUMERIC:
        return "float" if "float" in (left.kind, right.kind) else "num"
    return None


# what json.dumps(text, ensure_ascii=False) does for a str, without building an encoder
_ENCODE_STRING = json.encoder.encode_basestring


def string(text: str) -> str:
    if type(text) is str:
        return _ENCODE_STRING(text)
    return json.dumps(text, ensure_ascii=False)


def constant(value: Any) -> Js:
    if value is None:
        return Js("null", "null")
    if isinstance(value, bool):
        return Js("true" if value else "false", "bool")
    if isinstance(value, int):
        return Js(str(value), "int")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"{value!r} cannot be represented in JSON")
        return Js(repr(value), "float")
    if isinstance(value, str):
        return Js(string(value), "str")
    if hasattr(value, "isoformat"):  # YAML dates and timestamps
        return Js(string(value.isoformat()), "str")
    raise ValueError(f"a value of type {type(value).__name__} cannot be used in a workflow")


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def object_literal(fields: Mapping[str, str]) -> str:
    """JSONata building the object with these keys and value expressions."""
    return "{" + ",".join(f"{string(k)}:{v}" for k, v in fields.items()) + "}"


def field_read(fields: Mapping[str, str], name: str) -> Js:
    """Key `name` of an object literal, null when missing or undefined, as `$_attr` reads it
    (an object literal is always an object, so only the value's existence is left to test)."""
    value = fields.get(name)
    if value is None or value == "null":
        return Js("null", "null")
    if _JSON_STRING.fullmatch(value):
        return Js(value, "str")
    value = atom(value)
    return Js(f"($exists({value})?{value}:null)")


def atom(text: str) -> str:
    """`text` wrapped in parentheses unless it is a plain name or path."""
    return text if SIMPLE_PATH.fullmatch(text) else f"({text})"


def member(atom: str, name: str) -> str:
    """JSONata reading key `name` of the object `atom`."""
    if _NAME.fullmatch(name) and name not in JSONATA_WORDS:
        return f"{atom}.{name}"
    return f"$lookup({atom},{string(name)})"


def regex(pattern: str) -> str:
    """A JSONata regular-expression literal for a Python pattern."""
    out: list[str] = []
    escaped = False
    for ch in pattern:
        if escaped:
            out.append(ch)
            escaped = False
        elif ch == "\\":
            out.append(ch)
            escaped = True
        elif ch == "/":
            out.append("\\/")
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "/" + "".join(out) + "/"

