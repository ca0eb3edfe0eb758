"""Shortcuts of the JSONata translation, each checked against the general form it replaces.

Every shortcut is evaluated next to the helper-based text the translator emitted before it
(with jsonata-python) on inputs of every JSON type: both give the same value, or both fail.
"""
from __future__ import annotations

import json
from typing import Any

import jsonata
import pytest

from chalicelib.compiler import data
from chalicelib.compiler.jsonata import Scope, value_to_jsonata
from chalicelib.compiler.jsonata.runtime import prelude

VALUES: list[Any] = [0, 2, -1.5, "ab", "", [], [1, 2], [[1]], {}, {"a": 1}, None, True, False]
MISSING = object()  # a variable left unbound: JSONata's "undefined"


def outcome(text: str, **variables: Any) -> Any:
    """The value of `text` (through JSON), or "error" when evaluation fails."""
    bound = {k: v for k, v in variables.items() if v is not MISSING}
    try:
        result = jsonata.Jsonata(text).evaluate(None, bound)
    except Exception:  # noqa: BLE001 - any failure is the outcome being compared
        return "error"
    return json.loads(json.dumps(result))


def general(helper: str, call: str) -> str:
    return f"({prelude({helper})}{call})"


@pytest.mark.parametrize("a", VALUES)
@pytest.mark.parametrize("b", [0, 3, -2.5])
def test_plus_with_a_number_is_jsonata_plus(a, b):
    assert outcome("($a+$b)", a=a, b=b) == outcome(general("add", "$_add($a,$b)"), a=a, b=b)
    assert outcome("($b+$a)", a=a, b=b) == outcome(general("add", "$_add($b,$a)"), a=a, b=b)


@pytest.mark.parametrize("a", [0, 3, -2.5])
@pytest.mark.parametrize("b", VALUES)
def test_minus_from_a_number_is_jsonata_minus(a, b):
    assert outcome("($a-$b)", a=a, b=b) == outcome(general("sub", "$_sub($a,$b)"), a=a, b=b)


@pytest.mark.parametrize("template, text", [
    ("<% $.x + 1 %>", "(($exists($c.x)?$c.x:$error(\"variable 'x' is not defined\"))+1)"),
    ("<% 1 + $.x %>", "(1+($exists($c.x)?$c.x:$error(\"variable 'x' is not defined\")))"),
    ("<% 2 - $.x %>", "(2-($exists($c.x)?$c.x:$error(\"variable 'x' is not defined\")))"),
])
def test_arithmetic_with_a_number_needs_no_helper(template, text):
    assert value_to_jsonata(template, Scope(ctx="$c")) == text


def test_arithmetic_of_unknown_kinds_keeps_the_helpers():
    assert "$_add(" in value_to_jsonata("<% $.x + $.y %>", Scope(ctx="$c"))
    assert "$_sub(" in value_to_jsonata("<% $.x - 1 %>", Scope(ctx="$c"))


CURRENT = {"result": "$r", "state": '"SUCCESS"', "state_info": "$i"}


def published(template: str) -> str:
    return value_to_jsonata(template, data.scope_for("$d", CURRENT))


@pytest.mark.parametrize("template, text", [
    ("<% task().result %>", "($exists($r)?$r:null)"),
    ("<% task().state %>", '"SUCCESS"'),
    ("<% task().published %>", "null"),
    ("<% task().state + '!' %>", '("SUCCESS"&"!")'),
])
def test_attribute_of_the_task_being_recorded_reads_the_field(template, text):
    assert published(template) == text


@pytest.mark.parametrize("name", ["result", "state", "state_info", "published", "other"])
@pytest.mark.parametrize("value", [*VALUES, MISSING])
def test_attribute_of_an_object_literal_is_the_helper_reading_it(name, value):
    literal = data.scope_for("$d", CURRENT).task(None)
    old = general("attr", f"$_attr(({literal}),{json.dumps(name)})")
    new = published(f"<% task().{name} %>")
    assert outcome(new, r=value, i=value) == outcome(old, r=value, i=value)


def test_attribute_of_another_task_keeps_the_helper():
    assert "$_attr(" in published("<% task(other).result %>")
    assert "$_attr(" in published("<% task().result.x %>")
