"""Translation of templates to JSONata, checked by evaluating the JSONata with jsonata-python.

The default `Scope` reads `$states.input.ctx`, `$states.input.tasks.<name>`, ...; the tests
bind `$states` as a variable, as Step Functions does.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonata
import pytest
import yaml
from jsonata.jexception import JException

from chalicelib.compiler.jsonata import (
    Scope,
    guard_to_jsonata,
    is_constant,
    template_to_jsonata,
    value_to_jsonata,
)
from chalicelib.compiler.jsonata.calls import SIMPLE_CALLS
from chalicelib.compiler.jsonata.runtime import HELPERS, closure
from chalicelib.compiler.jsonata.translate import Translator
from chalicelib.language.expressions import ExpressionError, is_template, parse_template
from chalicelib.language.expressions.functions import CANONICAL_NAMES, YAQL_FUNCTIONS

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"

CTX = {
    "x": 2, "neg": -7, "s": "ab", "l": [1, 2, 3], "d": {"a": 1, "b": [1]}, "n": None,
    "t": True, "empty": [], "nested": [[1, 2]], "dpdk": False, "sriov": True,
    "people": [{"name": "ann", "age": 31, "tags": ["a"]},
               {"name": "bob", "age": 45, "tags": []}],
}
TASKS = {"a": {"result": {"x": 5, "items": [{"id": 1}, {"id": 2}]}, "state": "SUCCESS",
               "state_info": None, "published": {}}}
CURRENT = {"result": [{"uuid": "u1", "ok": True}, "junk", {"uuid": "u2", "ok": False}],
           "state": "SUCCESS", "state_info": None, "published": {}}
EXECUTION = {"id": "ex-1", "name": "wf", "input": {"server_name": "web"},
             "created_at": "2024-01-01 00:00:00", "params": {}}
ENV = {"region": "eu", "deep": {"k": "v"}}


def evaluate(text: str, context: dict | None = None, **variables: Any) -> Any:
    """Evaluate JSONata text the way Step Functions would, and normalise through JSON."""
    states = {"input": {"ctx": CTX if context is None else context, "tasks": TASKS, "task": CURRENT,
                        "execution": EXECUTION, "env": ENV}}
    result = jsonata.Jsonata(text).evaluate(None, {"states": states, **variables})
    return json.loads(json.dumps(result))


def run(value: Any, context: dict | None = None, scope: Scope | None = None,
        **variables: Any) -> Any:
    return evaluate(value_to_jsonata(value, scope or Scope()), context, **variables)


# -- behaviour ----------------------------------------------------------------------------

@pytest.mark.parametrize("template, expected", [
    ("<% $.x + 1 %>", 3),
    ("<% $.x %>", 2),
    ("<% $.n %>", None),
    ("<% $ %>", CTX),
    ("<% $.d.a %>", 1),
    ("<% $.d.missing %>", None),
    ("<% $.d.missing.deeper %>", None),
    ("<% $.get('nope') %>", None),
    ("<% $.get('nope', 5) %>", 5),
    ("<% $.get('x', 5) %>", 2),
    ("<% $.d.get('b') %>", [1]),
    ("<% $.d['a'] %>", 1),
    ("<% $['x'] %>", 2),
    ("<% $.l[0] %>", 1),
    ("<% $.l[-1] %>", 3),
    ("<% $.nested %>", [[1, 2]]),
    ("<% $.nested[0] %>", [1, 2]),
    ("<% $.people.name %>", ["ann", "bob"]),
    ("<% $.people.tags %>", [["a"], []]),
])
def test_reading_values(template, expected):
    assert run(template) == expected


@pytest.mark.parametrize("template, expected", [
    ("<% 7 / 2 %>", 3),
    ("<% $.neg / 2 %>", -4),          # floored, as in Python
    ("<% 7.0 / 2 %>", 3.5),
    ("<% 8 / 2 %>", 4),
    ("<% 7 mod 3 %>", 1),
    ("<% -7 mod 3 %>", 2),
    ("<% 2 * 3 + 1 %>", 7),
    ("<% -$.x %>", -2),
    ("{{ 7 / 2 }}", 3.5),
    ("{{ 7 // 2 }}", 3),
    ("{{ -7 // 2 }}", -4),
    ("{{ 7 % 3 }}", 1),
    ("{{ 2 ** 10 }}", 1024),
])
def test_arithmetic(template, expected):
    assert run(template) == expected


@pytest.mark.parametrize("template, expected", [
    ("<% $.s + 'c' %>", "abc"),
    ("<% $.l + [4] %>", [1, 2, 3, 4]),
    ("<% $.nested + $.nested %>", [[1, 2], [1, 2]]),
    ("<% $.x + $.x %>", 4),
    ("<% $.d + {c => 3} %>", {"a": 1, "b": [1], "c": 3}),
    ("{{ _.x ~ 'a' ~ _.n }}", "2aNone"),
    ("{{ _.s + 'c' }}", "abc"),
    ("<% $.l.toSet() - [2] %>", [1, 3]),
])
def test_plus_decides_at_run_time(template, expected):
    assert run(template) == expected


@pytest.mark.parametrize("template, expected", [
    ("<% $.empty and 'X' or 'Y' %>", "Y"),
    ("<% $.l and 'X' or 'Y' %>", "X"),
    ("<% $.n or 'default' %>", "default"),
    ("<% $.x and $.s %>", "ab"),
    ("<% 0 and $.s %>", 0),
    ("<% {} or [] %>", []),
    ("<% not $.empty %>", True),
    ("<% not $.d %>", False),
    ("<% not '' %>", True),
    ("<% $.x = 2 and $.s != 'x' %>", True),
    ("<% $.n = null %>", True),
    ("<% $.d.missing = null %>", True),
    ("<% $.l = [1, 2, 3] %>", True),
    ("<% $.x >= 2 and $.x < 3 %>", True),
    ("<% 2 in $.l %>", True),
    ("<% 'b' in $.s %>", True),
    ("<% not $.x in [1, 5] %>", True),
    ("<% {a => 1} in [{a => 1}] %>", True),
    ("<% dict(DPDK => ($.dpdk or $.sriov), HOST => $.dpdk) %>", {"DPDK": True, "HOST": False}),
    ("{{ _.x if _.t else 3 }}", 2),
    ("{{ _.x if _.empty else 3 }}", 3),
    ("{{ _.x if _.empty }}", None),
    ("{{ 'b' in _.d }}", True),
    ("{{ 'z' not in _.d }}", True),
    ("{{ _.x == 2 and not _.n }}", True),
])
def test_logic_uses_python_truthiness(template, expected):
    assert run(template) == expected


def test_in_on_a_dict_is_refused_in_yaql():
    with pytest.raises(Exception, match="containsKey"):
        run("<% 'b' in $.d %>")


def test_undefined_variable_is_an_error_but_nested_missing_keys_are_null():
    for template in ("<% $.nope %>", "{{ _.nope }}", "hi <% $.nope %>", "<% $.nope.x %>"):
        with pytest.raises(Exception, match="variable 'nope' is not defined"):
            run(template)
    assert run("<% $.d.nope %>") is None
    assert run("{{ _.d.nope }}") is None


@pytest.mark.parametrize("template, expected", [
    ("<% $.people.where($.age > 40).name %>", ["bob"]),
    ("<% $.people.where($.age > 40) %>", [CTX["people"][1]]),
    ("<% $.people.where($.age > 99) %>", []),
    ("<% $.people.select($.name) %>", ["ann", "bob"]),
    ("<% $.people.select($.tags) %>", [["a"], []]),
    ("<% $.nested.select($) %>", [[1, 2]]),
    ("<% $.l.where($ > 1).select($ * 10) %>", [20, 30]),
    ("<% $.people.select($.tags.where($ = 'a')) %>", [["a"], []]),
    ("<% $.people.any($.age > 40) %>", True),
    ("<% $.people.all($.age > 40) %>", False),
    ("<% $.people.orderByDescending($.age).name %>", ["bob", "ann"]),
    ("<% $.people.orderBy($.name).age %>", [31, 45]),
    ("<% $.people.toDict($.name, $.age) %>", {"ann": 31, "bob": 45}),
    ("<% let(a => 40) -> $.people.where($.age > $a).name %>", ["bob"]),
    ("<% let(a => 1, b => 2) -> $a + $b + $.x %>", 5),
    ("<% let(hr => $.d) -> $.l.where($hr.get('a') = $) %>", [1]),
    ("<% let(f => $.d) -> $f.keys().where($f[$] = 1) %>", ["a"]),
    ("<% $.people.select(let(n => $.name) -> $n + '!') %>", ["ann!", "bob!"]),
    ("<% $.d -> $.a %>", 1),
    ("<% $.people[0] -> $.name + $.name %>", "annann"),
])
def test_lambdas_rebind_dollar(template, expected):
    assert run(template) == expected


@pytest.mark.parametrize("template, expected", [
    ("<% '{0} and {1}'.format($.x, $.s) %>", "2 and ab"),
    ("<% '{}!'.format($.n) %>", "None!"),
    ("<% \"{0}-{0}\".format($.t) %>", "True-True"),
    ("<% '{{literal}} {0}'.format(1) %>", "{literal} 1"),
    ("{{ '{} of {}'.format(1, 2) }}", "1 of 2"),
    ("<% concat('^', $.s, '$') %>", "^ab$"),
    ("<% concat('a', $.x, $.n) %>", "a2None"),
    ("<% $.l.join(', ') %>", "1, 2, 3"),
    ("<% join($.l, '-') %>", "1-2-3"),
    ("<% str($.d) %>", "{'a': 1, 'b': [1]}"),
    ("<% str(\"it's\") %>", "it's"),
    ("<% str([\"it's\", null, true]) %>", "[\"it's\", None, True]"),
])
def test_strings(template, expected):
    assert run(template) == expected


def test_interpolation_converts_like_python_str():
    assert run("hi <% $.x %>!") == "hi 2!"
    assert run("<% $.t %>/<% $.n %>/<% $.l %>/<% $.d %>") == \
        "True/None/[1, 2, 3]/{'a': 1, 'b': [1]}"
    assert run("{{ _.s }}-{{ _.x + 1 }}") == "ab-3"
    assert run("no template") == "no template"
    assert run("  <% $.l %>\n") == [1, 2, 3]  # one expression: the raw value


@pytest.mark.parametrize("template, expected", [
    ("<% len($.l) %>", 3), ("<% $.s.len() %>", 2), ("<% $.d.count() %>", 2),
    ("<% $.d.keys() %>", ["a", "b"]), ("<% $.d.values() %>", [1, [1]]),
    ("<% $.d.items() %>", [["a", 1], ["b", [1]]]),
    ("<% $.l.sum() %>", 6), ("<% $.l.max() %>", 3), ("<% min(3, 1) %>", 1),
    ("<% [{a => 1}, {b => 2}].sum() %>", {"a": 1, "b": 2}),
    ("<% $.l.first() %>", 1), ("<% $.empty.first('z') %>", "z"), ("<% $.l.last() %>", 3),
    ("<% [1, [2, [3]]].flatten() %>", [1, 2, 3]),
    ("<% [1, 2, 1].distinct() %>", [1, 2]), ("<% [[1], [1]].toSet() %>", [[1]]),
    ("<% range(3) %>", [0, 1, 2]), ("<% range(2, 4) %>", [2, 3]), ("<% range(0) %>", []),
    ("<% int('12') + float('1.5') %>", 13.5), ("<% int(-2.7) %>", -2),
    ("<% bool([]) %>", False), ("<% bool([0]) %>", True), ("<% bool('0') %>", True),
    ("<% $.l.contains(2) %>", True), ("<% $.s.contains('b') %>", True),
    ("<% $.d.containsKey('b') %>", True), ("<% $.d.containsValue(1) %>", True),
    ("<% isDict($.d) and isList($.l) and isString($.s) %>", True),
    ("<% isInteger(2) and not isInteger(2.5) %>", True),
    ("<% $.s.startsWith('a') and $.s.endsWith('b') %>", True),
    ("<% 'abc'.indexOf('c') %>", 2), ("<% 'abc'.indexOf('z') %>", -1),
    ("<% $.l.indexOf(3) %>", 2),
    ("<% ' a b '.trim() %>", "a b"), ("<% 'a,b'.split(',') %>", ["a", "b"]),
    ("<% ' a  b '.split() %>", ["a", "b"]),
    ("<% 'aXbX'.replace('X', '-') %>", "a-b-"), ("<% 'aXbX'.replace('X', '-', 1) %>", "a-bX"),
    ("<% $.s.toUpper() + 'Q'.toLower() %>", "ABq"),
    ("<% $.s.matches('^a') %>", True), ("<% $.s =~ 'z' %>", False),
    ("<% 'a/b'.matches('a/b') %>", True),
    ("<% coalesce($.n, null, $.x) %>", 2),
    ("<% list(a, $.x) %>", ["a", 2]), ("<% dict() %>", {}),
    ("<% $.l.skip(1) %>", [2, 3]), ("<% $.l.take(2) %>", [1, 2]),
    ("<% $.l.reverse() %>", [3, 2, 1]), ("<% [3, 1, 2].sort() %>", [1, 2, 3]),
    ("<% 'hello'.substring(1, 3) %>", "ell"),
    ("<% {ip => 1}.ip %>", 1),
    ("<% yaml_parse('  ') %>", None), ("<% json_parse($.d) %>", {"a": 1, "b": [1]}),
])
def test_functions(template, expected):
    assert run(template) == expected


def test_now_and_uuid_are_strings():
    now = run("<% now() %>")
    assert now.endswith("Z") and now[4] == "-" and "T" in now
    uuid = run("<% uuid() %>")
    assert len(uuid) == 36 and uuid[14] == "4"


@pytest.mark.parametrize("template, expected", [
    ("{{ _.l | length }}", 3),
    ("{{ _.l | join(', ') }}", "1, 2, 3"),
    ("{{ _.l | join }}", "123"),
    ("{{ _.nope | default('dd') }}", "dd"),
    ("{{ _.n | default('dd') }}", None),       # Jinja replaces only undefined values
    ("{{ _.n | default('dd', true) }}", "dd"),
    ("{{ _.d.zz | d(7) }}", 7),
    ("{{ _.s | upper }}", "AB"),
    ("{{ 'AB' | lower }}", "ab"),
    ("{{ _.x | string }}", "2"),
    ("{{ '5' | int + 1 }}", 6),
    ("{{ _.d | list }}", ["a", "b"]),
    ("{{ _.d | tojson }}", '{"a":1,"b":[1]}'),
    ("{{ _.l | first }}", 1),
    ("{{ _.l | last }}", 3),
    ("{{ [3, 1] | sort }}", [1, 3]),
    ("{{ _.people | map(attribute='name') | join(',') }}", "ann,bob"),
    ("{{ _.x is defined }}", True),
    ("{{ _.nope is defined }}", False),
    ("{{ _.nope is not defined }}", True),
    ("{{ _.n is none }}", True),
    ("{{ _.x is not none }}", True),
    ("{{ _.x is number and _.s is string and _.d is mapping }}", True),
    ("{{ _.x is even }}", True),
    ("{{ _.d.get('a') }}", 1),
    ("{{ _.get('x') }}", 2),
    ("{{ _.d.keys() | list }}", ["a", "b"]),
    ("{{ ', '.join(['a', 'b']) }}", "a, b"),
    ("{{ {'a': _.l} }}", {"a": [1, 2, 3]}),
    ("{{ (1, 2) }}", [1, 2]),
    ("{{ _['x'] }}", 2),
])
def test_jinja(template, expected):
    assert run(template) == expected


def test_task_execution_and_env():
    assert run("<% task(a).result.x %>") == 5
    assert run("<% task('a').result.items.id %>") == [1, 2]
    assert run("{{ task('a').state }}") == "SUCCESS"
    assert run("<% task(missing).result %>") is None
    assert run("<% task().result.where(isDict($)).select($.uuid) %>") == ["u1", "u2"]
    assert run("<% task().result.where(isDict($)).where($.ok = false).uuid %>") == ["u2"]
    assert run("<% execution().id %>") == "ex-1"
    assert run("<% execution().input.server_name %>") == "web"
    assert run("<% env().deep.k %>") == "v"
    assert run("{{ env().region }}") == "eu"


def test_custom_scope_for_task_and_context():
    scope = Scope(ctx="$ctx", task=lambda name: f"$tasks.{name or 'self'}",
                  execution="$exe", env="$e")
    text = value_to_jsonata("<% task(a).result.x + $.y + task().result %>", scope)
    assert evaluate(text, tasks={"a": {"result": {"x": 1}}, "self": {"result": 10}},
                    ctx={"y": 100}) == 111


def test_scope_is_hashable_and_has_step_functions_defaults():
    assert hash(Scope(locals={"x": "$item"})) == hash(Scope())
    scope = Scope()
    assert (scope.ctx, scope.task("a"), scope.task(None)) == \
        ("$states.input.ctx", "$states.input.tasks.a", "$states.input.task")
    assert scope.task("my-task") == '$lookup($states.input.tasks,"my-task")'


def test_with_items_locals_come_before_the_context():
    scope = Scope(locals={"x": "$item.x", "i": "$item"})
    assert run("<% $.x %>", scope=scope, item={"x": 40}) == 40
    assert run("<% $.i.x + $.l.len() %>", scope=scope, item={"x": 40}) == 43
    assert run("<% $.get('x') %>", scope=scope, item={"x": 40}) == 40
    assert run("{{ _.x is defined }}", scope=scope, item={"x": 40}) is True
    whole = run("<% $ %>", scope=scope, item={"x": 40})
    assert whole["x"] == 40 and whole["s"] == "ab"


def test_values_with_templates_inside_containers():
    value = {"a": "<% $.x %>", "b": ["<% $.nested %>", 1, [2], "<% $.s %>"],
             "c": {"d": "text <% $.x %>", "e": None}, "f": True, 7: "seven"}
    assert run(value) == {"a": 2, "b": [[[1, 2]], 1, [2], "ab"],
                          "c": {"d": "text 2", "e": None}, "f": True, "7": "seven"}
    assert run(["<% $.empty %>"]) == [[]]
    assert run([]) == [] and run({}) == {}


def test_guards_are_booleans_with_python_truthiness():
    for template, expected in [("<% $.empty %>", False), ("<% $.l %>", True),
                               ("<% $.x = 2 %>", True), ("{{ _.d }}", True),
                               ("<% $.n %>", False), ("<% $.s %> ", True)]:
        text = guard_to_jsonata(parse_template(template), Scope())
        assert evaluate(text) is expected, template


def test_is_constant():
    assert is_constant({"a": [1, "x", {"b": None}], "c": "50%"})
    assert not is_constant({"a": [1, {"b": "<% $.x %>"}]})
    assert not is_constant("{{ _.x }}")


def test_template_to_jsonata_matches_value_to_jsonata():
    template = parse_template("hi <% $.x %>")
    assert template_to_jsonata(template, Scope()) == value_to_jsonata("hi <% $.x %>", Scope())


def test_simple_reads_need_no_helpers():
    assert value_to_jsonata("<% $.x %>", Scope()) == (
        "($exists($states.input.ctx.x)?$states.input.ctx.x:"
        "$error(\"variable 'x' is not defined\"))")
    assert value_to_jsonata({"k": 1}, Scope()) == '{"k":1}'


def test_odd_variable_names_are_read_with_lookup():
    assert run("<% $.get('OS-EXT:type', 'no') %>", context={"OS-EXT:type": "yes"}) == "yes"
    assert run("{{ _['a b'] }}", context={"a b": 1}) == 1
    assert run("<% $.and %>", context={"and": 3}) == 3


def test_run_time_failures_for_what_a_state_machine_cannot_do():
    with pytest.raises(Exception, match="cannot run in a state machine"):
        run("<% tasks(execution().id, true, ERROR) %>")
    with pytest.raises(Exception, match="literal regular expression"):
        run("<% let(r => 'a') -> $.s.matches($r) %>")
    with pytest.raises(Exception, match="cannot parse text"):
        run("<% yaml_parse('a: 1') %>")


def test_run_time_errors_like_mistral():
    for template, fragment in [("<% $.l[5] %>", "out of range"),
                               ("<% $.empty.first() %>", "empty list"),
                               ("<% $.x.where(true) %>", "expects a list"),
                               ("<% len($.x) %>", "len() expects")]:
        with pytest.raises(Exception, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            run(template)


def test_translation_errors_are_expression_errors():
    with pytest.raises(ExpressionError) as caught:
        value_to_jsonata({"a": ["<% nope() %>"]}, Scope())
    assert caught.value.offset == 3


def test_every_function_and_helper_is_implemented():
    translator = Translator(Scope())
    for name in CANONICAL_NAMES - {"let"}:
        function = YAQL_FUNCTIONS.get(name)
        deferred = function is not None and function.deferred
        assert hasattr(translator, f"_fn_{name}") or name in SIMPLE_CALLS or deferred, name
    for name in HELPERS:
        jsonata.Jsonata("(" + "".join(f"$_{h}:={HELPERS[h]};" for h in closure({name})) + "1)")


def test_translation_is_fast():
    """Not a benchmark: a typical expression translates in far less than a millisecond,
    so a generous bound only catches accidental blow-ups."""
    import time

    started = time.perf_counter()
    for _ in range(200):
        value_to_jsonata("<% task(a).result.where($.status = 'FAILED').select($.name)"
                         ".join(', ') %>", Scope())
    assert (time.perf_counter() - started) / 200 < 0.01


# -- the corpus of real workflows -----------------------------------------------------------

def _strings(value: Any):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _corpus_templates() -> list[str]:
    found: dict[str, None] = {}
    for path in sorted(CORPUS.glob("*.yaml")):
        for text in _strings(yaml.safe_load(path.read_text())):
            if is_template(text):
                found[text] = None
    return list(found)


def test_every_corpus_expression_translates_to_valid_jsonata():
    templates = _corpus_templates()
    assert len(templates) > 600
    failures = []
    for text in templates:
        try:
            parse_template(text)
            jsonata.Jsonata(value_to_jsonata(text, Scope()))
        except Exception as error:  # collect them all for one readable report
            failures.append(f"{text!r}: {error}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("template, ctx, expected", [
    ("<% $.message.where($.get('status', 'SUCCESS') != 'SUCCESS').select(concat("
     "\"Role '{}':\".format($.role_name), \" \", $.get('message', '(error unknown)')))"
     ".join(', ') %>",
     {"message": [{"role_name": "c", "status": "FAILED", "message": "boom"},
                  {"role_name": "d"}]}, "Role 'c': boom"),
    ("<% let(chain_name => concat($.role_name, 'ServiceChain'))-> "
     "$.heat_resource_tree.resources.values().where($.name = $chain_name).first({}) %>",
     {"role_name": "X", "heat_resource_tree": {"resources": {
         "r1": {"name": "XServiceChain", "id": 1}, "r2": {"name": "Y"}}}},
     {"name": "XServiceChain", "id": 1}),
    ("<% let(hr => $.heat_resource_tree.parameters) -> $.role_name_list.where("
     "int($hr.get(concat($, 'Count'), {}).get('default', 0)) > 0) %>",
     {"heat_resource_tree": {"parameters": {"ComputeCount": {"default": "2"}}},
      "role_name_list": ["Compute", "Controller"]}, ["Compute"]),
    ("<% $.headers and {\"container\" => $.container, \"headers\" => $.headers} or "
     "{\"container\" => $.container} %>", {"headers": {}, "container": "c"},
     {"container": "c"}),
    ("<% ($.node_uuids.toSet() - task().result.where(isDict($)).select($.uuid).toSet()) + "
     "task().result.where(isDict($)).where($.ok = false).toSet() %>",
     {"node_uuids": ["u1", "u3"]}, ["u3", {"uuid": "u2", "ok": False}]),
    ("<% not $.path in list(a, b) %>", {"path": "c"}, True),
    ("<% $.scheduler_hints.get('capabilities:node', '').replace('%index%', '(\\d+)') %>",
     {"scheduler_hints": {"capabilities:node": "node-%index%"}}, "node-(\\d+)"),
])
def test_corpus_expressions_evaluate_like_mistral(template, ctx, expected):
    assert run(template, context=ctx) == expected


def test_corpus_guard_on_the_current_task():
    template = '<% bool(task().result.values().first().error) and "FAILED" or "SUCCESS" %>'
    scope = Scope(task=lambda name: "$current")
    assert run(template, scope=scope, current={"result": {"n1": {"error": "x"}}}) == "FAILED"
    assert run(template, scope=scope, current={"result": {"n1": {"error": None}}}) == \
        "SUCCESS"
    with pytest.raises(JException, match="expects a dict"):  # values() of a list, as YAQL
        run(template, scope=scope, current={"result": [1]})
