"""Errors and engine commands: handled and unhandled failures, publish-on-error, errors in
expressions, output-on-error, succeed / fail / pause, run on the local AWS."""
from __future__ import annotations

import time
from collections import Counter

import pytest

pytestmark = pytest.mark.moto


def test_unhandled_error_fails_but_an_independent_branch_runs_to_its_end(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-success: [never]
    other1:
      action: t.sleep seconds=0.2
      on-success: [other2]
    other2:
      action: t.rec
      on-success: [other3]
    other3:
      action: t.rec
      publish: {reached: true}
    never:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.WorkflowFailed"
    assert Counter(run.called()) == Counter(["broken", "other1", "other2", "other3"])
    assert "broken" in str(run.cause["result"])


def test_on_complete_alone_does_not_handle_the_error_but_its_targets_run(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-complete: [after]
    after:
      action: t.rec
      on-success: [after2]
    after2:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.WorkflowFailed"
    assert run.called() == ["broken", "after", "after2"]


def test_on_error_and_on_complete_both_run_and_the_execution_succeeds(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-error: [handler]
      on-complete: [cleanup]
    handler:
      action: t.rec
    cleanup:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert Counter(run.called()) == Counter(["broken", "handler", "cleanup"])


def test_on_error_whose_guards_are_all_false_leaves_the_error_unhandled(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-error:
        - handler: <% false %>
    handler:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.called() == ["broken"]


def test_publish_on_error_is_published_and_seen_by_the_handler(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - who: ops
  tasks:
    broken:
      action: t.fail msg=boom
      publish:
        ok: true
      publish-on-error:
        ok: false
        notify: <% $.who %>
      on-error: [handler]
    handler:
      action: t.rec
      input: {ok: <% $.ok %>, notify: <% $.notify %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.calls("handler")[0]["input"] == {"ok": False, "notify": "ops"}
    assert run.output == {"ok": False, "notify": "ops"}


def test_error_in_publish_fails_without_running_on_error(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      publish:
        v: <% $.nope %>
      on-success: [next]
      on-error: [handler]
    next:
      action: t.rec
    handler:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.called() == ["a"]


def test_output_on_error_is_in_the_cause(sw):
    run = sw.run("""
version: '2.0'
wf:
  input:
    - code: 7
  output:
    never: evaluated
  output-on-error:
    reason: broken
    code: <% $.code %>
  tasks:
    broken:
      action: t.fail
""")
    assert run.status == "FAILED", run.describe()
    assert run.cause["reason"] == "broken"
    assert run.cause["code"] == 7
    assert "result" in run.cause


def test_succeed_ends_at_once_targets_before_it_start_but_their_successors_do_not(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      publish: {p: 1}
      on-success: [b, succeed]
      on-complete: [never1]
    b:
      action: t.rec
      on-success: [never2]
    never1:
      action: t.rec
    never2:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["a", "b"]
    assert run.output == {"p": 1}


def test_succeed_in_on_error_gives_success(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      on-error: [succeed]
""")
    assert run.status == "SUCCEEDED", run.describe()


def test_fail_with_message_runs_targets_before_it(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success:
        - b
        - fail msg="stopped <% 1 + 1 %>"
    b:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.Fail"
    assert run.cause["result"] == "stopped 2"
    assert Counter(run.called()) == Counter(["a", "b"])


def test_fail_without_message_has_empty_result(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      on-success: [fail]
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.Fail"
    assert run.cause == {"result": None}


def test_guarded_fail_only_when_its_guard_holds(sw):
    text = """
version: '2.0'
wf:
  input: [stop]
  tasks:
    a:
      on-success:
        - fail: <% $.stop %>
        - b
    b:
      action: t.rec
"""
    stopped = sw.run(text, {"stop": True})
    assert stopped.status == "FAILED", stopped.describe()
    going = sw.run(text, {"stop": False})
    assert going.status == "SUCCEEDED", going.describe()
    assert going.called() == ["b"]


def test_pause_command_holds_later_targets_until_resumed(sw):
    deployment = sw.deploy("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [pause, b]
    b:
      action: t.rec
      publish: {done: true}
""")
    execution = sw.start(deployment)
    token = sw.token(execution, task="a", kind="pause")
    time.sleep(0.3)
    assert sw.status(execution) == "RUNNING"
    assert "b" not in sw.entered_so_far(execution)
    sw.resume(token)
    run = sw.wait(deployment, execution)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["a", "b"]
    assert run.output == {"done": True}


def test_pause_command_starts_targets_listed_before_it(sw):
    """`pause` holds only the targets listed after it; `b` (before it) starts at once."""
    deployment = sw.deploy("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [b, pause, c]
    b:
      action: t.rec
    c:
      action: t.rec
""")
    execution = sw.start(deployment)
    token = sw.token(execution, task="a", kind="pause")
    time.sleep(0.3)
    so_far = sw.entered_so_far(execution)
    sw.resume(token)
    run = sw.wait(deployment, execution)
    assert run.status == "SUCCEEDED", run.describe()
    assert "c" not in so_far
    assert "b" in so_far, f"b waited for the resume: {so_far}"
    assert Counter(run.called()) == Counter(["a", "b", "c"])


def test_fail_command_in_one_branch_ends_the_execution(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success:
        - fail msg="stop here"
    b:
      action: t.sleep seconds=0.5
      on-success: [b2]
    b2:
      action: t.rec
""")
    assert run.status == "FAILED", run.describe()
    assert run.error == "Stepwise.Fail"
    assert run.cause["result"] == "stop here"
    assert "b2" not in run.called()


def test_succeed_command_in_one_branch_ends_the_execution(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      publish: {from_a: 1}
      on-success: [succeed]
    b:
      action: t.sleep seconds=0.5
      on-success: [b2]
    b2:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert "b2" not in run.called()
    assert run.output == {"from_a": 1}
