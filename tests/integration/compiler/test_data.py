"""Sequences and data: publish, vars, input defaults, output, keep-result, interpolation,
task(name).result, execution().input and env(), run on the local AWS."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.moto


def test_sequence_runs_in_order_and_passes_published_values(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [x]
  tasks:
    a:
      action: t.rec
      input: {v: <% $.x %>}
      publish: {y: <% task().result.v + 1 %>}
      on-success: [b]
    b:
      action: t.rec
      input: {v: <% $.y %>}
      publish: {z: <% task().result.v * 10 %>}
      on-success: [c]
    c:
      action: std.echo output=<% $.z %>
      publish: {w: <% task(c).result %>}
""", {"x": 1})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.ran() == ["a", "b", "c"]
    assert [(c["task"], c["input"]) for c in run.calls()] == [("a", {"v": 1}), ("b", {"v": 2})]
    # without `output`, the output is the published context, not the input
    assert run.output == {"y": 2, "z": 20, "w": 20}


def test_vars_and_input_defaults_are_in_the_context_and_inputs_are_not_output(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - name
    - greeting: Hello
  vars:
    punct: "!"
  tasks:
    a:
      action: t.rec
      input: {text: "<% $.greeting %>, <% $.name %><% $.punct %>"}
      publish: {said: <% task().result.text %>}
""", {"name": "Ann"})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls()[0]["input"] == {"text": "Hello, Ann!"}
    assert run.output == {"punct": "!", "said": "Hello, Ann!"}


def test_given_input_overrides_the_default(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - greeting: Hello
  tasks:
    a:
      action: std.echo output=<% $.greeting %>
      publish: {said: <% task().result %>}
""", {"greeting": "Hi"})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"said": "Hi"}


def test_output_clause_is_the_execution_output(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [a, b]
  output:
    sum: <% $.a + $.b %>
    doubled: <% $.d %>
    literal: fixed
  tasks:
    t:
      action: std.echo output=<% ($.a + $.b) * 2 %>
      publish: {d: <% task().result %>}
""", {"a": 2, "b": 3})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"sum": 5, "doubled": 10, "literal": "fixed"}


def test_keep_result_false_publish_sees_result_but_later_task_result_is_null(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      input: {ret: {big: 42}}
      keep-result: false
      publish: {seen: <% task().result.big %>}
      on-success: [b]
    b:
      action: std.echo output=<% task(a).result %>
      publish: {later: <% task().result %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"seen": 42, "later": None}


def test_string_interpolation_and_task_result_by_name(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [who]
  tasks:
    first:
      action: t.rec
      input: {ret: {n: 7}}
      on-success: [second]
    second:
      action: t.rec
      input:
        text: "hi <% $.who %>, n=<% task(first).result.n %>"
        n: <% task(first).result.n %>
      publish:
        msg: "<% task().result.text %> (done)"
""", {"who": "bob"})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("second")[0]["input"] == {"text": "hi bob, n=7", "n": 7}
    assert run.output == {"msg": "hi bob, n=7 (done)"}


def test_execution_input_and_env(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - x
    - extra: 1
  tasks:
    a:
      action: t.rec
      input:
        from_exec: <% execution().input.x %>
        region: <% env().region %>
      publish:
        from_exec: <% execution().input.x %>
        region: <% env().region %>
        jinja_env: "{{ env().region }}"
""", {"x": "given", "__env": {"region": "north"}})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls()[0]["input"] == {"from_exec": "given", "region": "north"}
    assert run.output == {"from_exec": "given", "region": "north", "jinja_env": "north"}


def test_jinja_context_and_division_rules(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - seven: 7
  tasks:
    a:
      publish:
        yaql_int: <% $.seven / 2 %>
        yaql_float: <% 7.0 / 2 %>
        jinja_div: "{{ _.seven / 2 }}"
        jinja_str: "x={{ _.seven }}"
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"yaql_int": 3, "yaql_float": 3.5, "jinja_div": 3.5,
                          "jinja_str": "x=7"}


def test_undefined_variable_in_output_fails_the_execution(sw):
    run = sw.run("""
version: '2.0'
wf:
  output:
    v: <% $.nope %>
  tasks:
    a:
      action: t.rec
""")
    assert run.ran() == ["a"]
    assert run.status == "FAILED", run.describe()


def test_whole_input_as_one_expression(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [params]
  tasks:
    a:
      action: t.rec
      input: <% $.params %>
""", {"params": {"a": 1, "b": [2]}})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls()[0]["input"] == {"a": 1, "b": [2]}


def test_yaql_collection_methods(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - l: [1, 2, 3]
    - d: {b: 1}
  tasks:
    a:
      publish:
        total: <% $.l.sum() %>
        has_b: <% $.d.containsKey('b') %>
        has_c: <% $.d.containsKey('c') %>
        count: <% $.l.len() %>
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"total": 6, "has_b": True, "has_c": False, "count": 3}


def test_missing_required_input_runs_nothing(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [needed]
  tasks:
    a:
      action: t.rec
""", {"other": 1})
    assert run.status == "FAILED", run.describe()
    assert run.calls() == []
    assert "needed" in f"{run.error} {run.result.cause}"
