"""Sub-workflows, ad-hoc actions, registered and aws.lambda actions, and reverse workflows,
run on the local AWS."""
from __future__ import annotations

from collections import Counter

import pytest

from tests.integration.compiler import handlers
from tests.integration.compiler.conftest import REGISTERED_FUNCTION, before

pytestmark = pytest.mark.moto

SUB = """
version: '2.0'
name: book
workflows:
  main:
    input: [v]
    tasks:
      call:
        workflow: sub
        input: {x: <% $.v %>}
        publish: {r: <% task().result.y %>}
        on-success: [after]
      after:
        action: t.rec
        input: {r: <% $.r %>}
  sub:
    input: [x]
    output:
      y: <% $.x * 10 %>
    tasks:
      inner:
        action: t.rec
        input: {x: <% $.x %>, region: <% env().region %>}
"""


def test_sub_workflow_gets_its_input_and_gives_its_output_as_result(sw):
    run = sw.run(SUB, {"v": 4, "__env": {"region": "north"}})
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("inner")[0]["input"] == {"x": 4, "region": "north"}
    assert run.calls("after")[0]["input"] == {"r": 40}
    assert run.output == {"r": 40}
    assert run.ran() == ["call", "after"]


def test_sub_workflow_without_output_gives_its_published_context(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
        input: {x: 1}
        publish: {r: <% task().result %>}
  sub:
    input: [x]
    tasks:
      inner:
        action: std.echo output=<% $.x + 1 %>
        publish: {y: <% task().result %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"r": {"y": 2}}


def test_failing_sub_workflow_is_handled_by_on_error(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
        on-success: [never]
        on-error: [handler]
      never:
        action: t.rec
      handler:
        action: t.rec
  sub:
    tasks:
      inner:
        action: t.fail
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["inner", "handler"])


def test_fail_command_in_sub_workflow_makes_the_parent_task_error(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
        on-success: [never]
        on-error: [handler]
      never:
        action: t.rec
      handler:
        action: t.rec
  sub:
    tasks:
      inner:
        action: t.rec
        on-success:
          - fail msg="no"
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["inner", "handler"])


def test_unhandled_failing_sub_workflow_fails_the_parent(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
  sub:
    tasks:
      inner:
        action: t.fail
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.WorkflowFailed"


def test_retry_on_sub_workflow_runs_a_new_child_each_time(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
        retry:
          count: 2
          delay: 0
  sub:
    tasks:
      inner:
        action: t.fail
""")
    assert run.status == "FAILED", run.describe()
    assert len({c["execution"] for c in run.calls("inner")}) == 3


ADHOC = """
version: '2.0'
name: book
actions:
  greet:
    base: std.echo
    base-input:
      output: "<% $.greeting %>, <% $.name %>"
    input:
      - name
      - greeting: Hello
    output: <% $ + "!" %>
  record:
    base: t.rec
    base-input:
      doubled: <% $.n * 2 %>
      ret: {value: <% $.n * 2 %>}
    input: [n]
    output: <% $.value %>
workflows:
  main:
    tasks:
      hello:
        action: greet name=World
        publish: {hello: <% task().result %>}
        on-success: [rec]
      rec:
        action: record n=21
        publish: {rec: <% task().result %>}
"""


def test_adhoc_actions_expand_to_base_with_base_input_and_output_transform(sw):
    run = sw.run(ADHOC)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("rec")[0]["input"] == {"doubled": 42, "ret": {"value": 42}}
    assert run.calls("rec")[0]["action"] == "t.rec"
    assert run.output == {"hello": "Hello, World!", "rec": 42}


def test_adhoc_action_based_on_another_adhoc_action(sw):
    run = sw.run("""
version: '2.0'
name: book
actions:
  greet:
    base: std.echo
    base-input:
      output: "<% $.greeting %>, <% $.name %>"
    input:
      - name
      - greeting: Hello
    output: <% $ + "!" %>
  shout:
    base: greet
    base-input:
      name: <% $.who %>
      greeting: HEY
    input: [who]
    output: <% $ + "!" %>
workflows:
  main:
    tasks:
      shouting:
        action: shout who=you
        publish: {shout: <% task().result %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    # greet's output transform first, then shout's
    assert run.output == {"shout": "HEY, you!!"}


def test_registered_action_and_aws_lambda_invoke_their_functions(sw):
    run = sw.run(f"""
version: '2.0'
wf:
  tasks:
    reg:
      action: my.registered
      input: {{a: 1}}
      publish: {{reg: <% task().result %>}}
      on-success: [direct]
    direct:
      action: aws.lambda
      input:
        function_name: {REGISTERED_FUNCTION}
        payload: {{b: 2}}
      publish: {{direct: <% task().result %>}}
""", registry={"my.registered": REGISTERED_FUNCTION})
    assert run.status == "SUCCEEDED", run.describe()
    assert [c["input"] for c in handlers.CALLS if c["kind"] == "registered"] == [
        {"a": 1}, {"b": 2}]
    assert run.output == {"reg": {"echo": {"a": 1}}, "direct": {"echo": {"b": 2}}}


def test_unregistered_action_goes_to_the_actions_function(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    web:
      action: std.http url=http://example.invalid method=GET
      on-error: [handler]
    handler:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    web = run.calls("web")[0]
    assert web["action"] == "std.http"
    assert web["input"]["url"] == "http://example.invalid"
    assert run.called() == ["web", "handler"]  # the test actions function knows no std.http


REVERSE = """
version: '2.0'
wf:
  type: reverse
  input:
    - fail_b: false
  tasks:
    a:
      action: t.rec
      publish: {pa: 1}
    b:
      action: t.rec
      input: {fail: <% $.fail_b %>}
      requires: [a]
    c:
      action: t.rec
      requires: [a]
    d:
      action: t.rec
      input: {pa: <% $.pa %>}
      requires: [b]
    e:
      action: t.rec
      requires: [d, c]
"""


def test_reverse_workflow_runs_only_the_targets_transitive_requirements(sw):
    run = sw.run(REVERSE, reverse_targets=["d"])
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["a", "b", "d"]
    assert run.calls("d")[0]["input"] == {"pa": 1}


def test_reverse_workflow_without_target_runs_everything_in_dependency_order(sw):
    run = sw.run(REVERSE)
    assert run.status == "SUCCEEDED", run.describe()
    order = run.called()
    assert Counter(order) == Counter("abcde")
    for need, task in [("a", "b"), ("a", "c"), ("b", "d"), ("d", "e"), ("c", "e")]:
        assert before(order, need, task), order


def test_reverse_workflow_failed_requirement_fails_before_the_target(sw):
    run = sw.run(REVERSE, {"fail_b": True}, reverse_targets=["d"])
    assert run.status == "FAILED", run.describe()
    assert run.called() == ["a", "b"]


def test_timeout_on_a_sub_workflow_task_makes_it_error_and_on_error_runs(sw):
    run = sw.run("""
version: '2.0'
name: book
workflows:
  main:
    tasks:
      call:
        workflow: sub
        timeout: 1
        on-success: [never]
        on-error: [handler]
      never:
        action: t.rec
      handler:
        action: t.rec
  sub:
    tasks:
      slow:
        action: t.sleep seconds=2.5
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert "never" not in run.ran()
    assert run.ran()[-1] == "handler"
