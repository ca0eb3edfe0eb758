"""with-items: one list, zipped lists, concurrency, empty lists and failing items, run on the
local AWS."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.compiler import handlers

pytestmark = pytest.mark.moto


def test_one_list_runs_the_action_per_item_and_collects_results_in_order(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [xs]
  tasks:
    each:
      with-items: x in <% $.xs %>
      action: t.rec
      input: {ret: <% $.x * 10 %>, x: <% $.x %>}
      publish: {results: <% task().result %>}
      on-success: [after]
    after:
      action: t.rec
      input: {seen: <% $.results %>}
""", {"xs": [1, 2, 3]})
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted(c["input"]["x"] for c in run.calls("each")) == [1, 2, 3]
    assert run.output == {"results": [10, 20, 30]}
    assert run.calls("after")[0]["input"] == {"seen": [10, 20, 30]}


def test_two_lists_are_zipped(sw):
    run = sw.run("""
version: '2.0'
wf:
  input: [xs, ys]
  tasks:
    each:
      with-items:
        - x in <% $.xs %>
        - y in <% $.ys %>
      action: t.rec
      input: {ret: "<% $.x %>-<% $.y %>", x: <% $.x %>, y: <% $.y %>}
      publish: {pairs: <% task().result %>}
""", {"xs": [1, 2, 3], "ys": ["a", "b", "c"]})
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted((c["input"]["x"], c["input"]["y"]) for c in run.calls()) == [
        (1, "a"), (2, "b"), (3, "c")]
    assert run.output == {"pairs": ["1-a", "2-b", "3-c"]}


def test_concurrency_is_honoured(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [1, 2, 3, 4, 5, 6] %>
      concurrency: 2
      action: t.probe
      input: {item: <% $.x %>, seconds: 0.15}
      publish: {items: <% task().result.item %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert len(run.calls()) == 6
    peak = max(handlers.PEAK.values())
    assert peak == 2, f"{peak} items ran at once"
    assert run.output == {"items": [1, 2, 3, 4, 5, 6]}


def test_empty_list_gives_empty_result_and_runs_nothing(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [] %>
      action: t.fail
      publish: {results: <% task().result %>}
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["after"]
    assert run.output == {"results": []}


def test_one_failing_item_all_items_still_run_then_task_error(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [1, 2, 3, 4] %>
      concurrency: 1
      action: t.rec
      input: {x: <% $.x %>, fail: <% $.x = 2 %>}
      on-success: [never]
      on-error: [handler]
    never:
      action: t.rec
    handler:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted(c["input"]["x"] for c in run.calls("each")) == [1, 2, 3, 4]
    assert Counter(run.called()) == Counter({"each": 4, "handler": 1})


def test_failing_item_unhandled_fails_the_execution(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [1, 2, 3] %>
      action: t.rec
      input: {x: <% $.x %>, fail: <% $.x = 3 %>}
""")
    assert run.status == "FAILED", run.describe()
    assert len(run.calls("each")) == 3


def test_with_items_over_std_echo(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - names: [ann, bob]
  tasks:
    greet:
      with-items: n in <% $.names %>
      action: std.echo output="hi <% $.n %>"
      publish: {greetings: <% task().result %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"greetings": ["hi ann", "hi bob"]}
