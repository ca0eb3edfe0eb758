"""Inline parameters: ``std.echo output="Hello" x=1`` → name and parameters.

Takes the text of an ``action:`` / ``workflow:`` value, a ``base:`` of an ad-hoc action, an
engine command in a transition (``fail msg="boom"``) or a retry string (``count=3 delay=10``);
gives an `Inline` with the leading name, the parameters in order, the character offset of each
parameter value (to locate expression errors) and at most one syntax error (message, offset).

Values: a quoted string, a template (``<% ... %>`` / ``{{ ... }}``, spaces allowed), a JSON
list or dict, or a bare word read as JSON when it is a number, true, false or null.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

_KEY = re.compile(r"([A-Za-z_][\w\-.]*)=")
_CLOSERS = {"<%": "%>", "{{": "}}", "{%": "%}"}
_SIMPLE = re.compile(r"[^\s=]+\Z")  # a bare name without parameters


@dataclass
class Inline:
    name: str
    name_offset: int = 0
    params: dict[str, Any] = field(default_factory=dict)
    offsets: dict[str, int] = field(default_factory=dict)  # where each value's text starts
    texts: dict[str, str] = field(default_factory=dict)  # each value as written (unquoted)
    error: tuple[str, int] | None = None


def _skip_template(text: str, i: int) -> int:
    """Index just past the template that starts at `i`, or -1 when it is not closed."""
    closer = _CLOSERS[text[i : i + 2]]
    end = text.find(closer, i + 2)
    return -1 if end < 0 else end + 2


def _skip_brackets(text: str, i: int) -> int:
    """Index just past the JSON-like list/dict starting at `i`, or -1 when unbalanced."""
    depth, n = 0, len(text)
    while i < n:
        two = text[i : i + 2]
        if two in _CLOSERS:
            i = _skip_template(text, i)
            if i < 0:
                return -1
            continue
        ch = text[i]
        if ch in "\"'":
            end = _skip_quoted(text, i)
            if end < 0:
                return -1
            i = end
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _skip_quoted(text: str, i: int) -> int:
    quote, n = text[i], len(text)
    j = i + 1
    while j < n:
        if text[j] == "\\" and quote == '"':
            j += 2
            continue
        if text[j] == quote:
            return j + 1
        j += 1
    return -1


def _bare_value(token: str) -> Any:
    if token[:1] in "[{" and token[:2] not in _CLOSERS:
        try:
            return json.loads(token)
        except (ValueError, RecursionError):
            return token
    if re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null", token):
        return json.loads(token)
    return token


def is_bare_name(text: str) -> bool:
    """True when `text` is only a name (no spaces, no parameters): `parse_inline` gives
    ``Inline(text)`` for it."""
    return _SIMPLE.match(text) is not None


def parse_inline(text: str, has_name: bool = True) -> Inline:
    """Split ``name k=v k2=v2`` (or only ``k=v ...`` when `has_name` is false)."""
    if has_name and _SIMPLE.match(text):
        return Inline(text)
    n = len(text)
    i = 0
    while i < n and text[i].isspace():
        i += 1
    start = i
    if has_name:
        while i < n and not text[i].isspace():
            i += 1
    result = Inline(text[start:i], start)
    while True:
        while i < n and text[i].isspace():
            i += 1
        if i >= n:
            return result
        match = _KEY.match(text, i)
        if not match:
            result.error = ("expected a parameter written key=value", i)
            return result
        key = match.group(1)
        i = match.end()
        if i >= n or text[i].isspace():
            result.error = (f"parameter {key} has no value after '='", i)
            return result
        value_start = i
        if text[i] in "\"'":
            end = _skip_quoted(text, i)
            if end < 0:
                result.error = (f"the quoted value of {key} is not closed", i)
                return result
            inner = text[i + 1 : end - 1]
            if text[i] == '"':
                inner = inner.replace('\\"', '"').replace("\\\\", "\\")
            result.params[key] = inner
            result.offsets[key] = value_start + 1
            result.texts[key] = inner
            i = end
            continue
        j = i
        while j < n and not text[j].isspace():
            if text[j : j + 2] in _CLOSERS:
                j = _skip_template(text, j)
            elif text[j] in "[{":
                j = _skip_brackets(text, j)
            else:
                j += 1
            if j < 0:
                result.error = (f"the value of {key} is not closed", value_start)
                return result
        token = text[value_start:j]
        result.params[key] = _bare_value(token)
        result.offsets[key] = value_start
        result.texts[key] = token
        i = j
