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


# -- the doc a task records: arrivals at joins --------------------------------------------

ARRIVALS = [MISSING, [], [{"join": "j", "from": "a"}],
            [{"join": "j", "from": "a"}, {"join": "k", "from": "b"}]]
NEW_ARRIVAL = '{"join":"j","from":"t"}'


@pytest.mark.parametrize("arrivals", ARRIVALS)
def test_arrivals_of_a_task_that_is_no_join_need_no_filter(arrivals):
    # no arrival ever names a task that is not a join, so the filter keeps every item
    old = '($sw_in:=$d;{"arrivals":[$sw_in.arrivals[join != "t"]]})'
    new = '($sw_in:=$d;{"arrivals":[$sw_in.arrivals]})'
    doc = {} if arrivals is MISSING else {"arrivals": arrivals}
    assert outcome(new, d=doc) == outcome(old, d=doc)


@pytest.mark.parametrize("arrivals", ARRIVALS)
def test_arrivals_without_guards_are_built_with_the_doc(arrivals):
    old = ('($sw_in:=$d;$sw_new:={"ctx":1,"arrivals":[$sw_in.arrivals[join != "t"]]};'
           f'$sw_new:=$merge([$sw_new,{{"arrivals":[$sw_new.arrivals,{NEW_ARRIVAL}]}}]);$sw_new)')
    new = f'($sw_in:=$d;$sw_new:={{"ctx":1,"arrivals":[$sw_in.arrivals[join!="t"],{NEW_ARRIVAL}]}};$sw_new)'
    doc = {} if arrivals is MISSING else {"arrivals": arrivals}
    assert outcome(new, d=doc) == outcome(old, d=doc)


JOINS = """
version: '2.0'
wf:
  tasks:
    a:
      on-success: [b, c]
    b:
      on-success: [j]
    c:
      on-success:
        - j: <% $.go %>
    j:
      join: all
"""


def test_recorded_arrivals():
    from chalicelib.compiler import compile_text

    def outputs(definition):
        for name, state in definition["States"].items():
            yield name, state.get("Output", "")
            for branch in state.get("Branches", []):
                yield from outputs(branch)
    found = dict(outputs(compile_text(JOINS)["wf"].definition))
    assert '"arrivals":[$sw_in.arrivals,{"join":"j","from":"b"}]' in found["b"]
    assert '$sw_new:=$merge([$sw_new,{"arrivals":[$sw_new.arrivals,(' in found["c"]
    assert '[$sw_in.arrivals[join!="j"]]' in found["j"]
