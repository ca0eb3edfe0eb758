"""Retry (count, delay, break-on, continue-on), timeout, wait-before / wait-after,
pause-before, fail-on and async actions, run on the local AWS."""
from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.moto


def test_retry_count_until_the_action_succeeds(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    flaky:
      action: t.flaky failures=2
      retry:
        count: 3
        delay: 0
      publish: {attempt: <% task().result.attempt %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert len(run.calls("flaky")) == 3
    assert run.output == {"attempt": 3}


def test_retry_count_exhausted_gives_count_plus_one_runs_then_error(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      retry:
        count: 2
        delay: 0
      on-error: [handler]
    handler:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["broken"] * 3 + ["handler"]


def test_retry_delay_spaces_the_attempts(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    flaky:
      action: t.flaky failures=1
      retry:
        count: 2
        delay: 1
""")
    assert run.status == "SUCCEEDED", run.describe()
    first, second = run.calls("flaky")
    assert second["start"] - first["end"] >= 0.9


def test_break_on_stops_retrying_after_the_first_failure(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      retry:
        count: 5
        delay: 0
        break-on: <% true %>
""")
    assert run.status == "FAILED", run.describe()
    assert len(run.calls("broken")) == 1


def test_break_on_false_keeps_retrying(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    broken:
      action: t.fail
      retry:
        count: 2
        delay: 0
        break-on: <% false %>
""")
    assert run.status == "FAILED", run.describe()
    assert len(run.calls("broken")) == 3


def test_continue_on_reruns_a_successful_action_while_its_condition_holds(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    poll:
      action: t.count
      retry:
        count: 10
        delay: 0
        continue-on: <% task().result.n < 3 %>
      publish: {n: <% task().result.n %>}
      on-success: [after]
    after:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["poll"] * 3 + ["after"]
    assert run.output == {"n": 3}


def test_continue_on_stops_at_count(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    poll:
      action: t.count
      retry:
        count: 2
        delay: 0
        continue-on: <% true %>
      publish: {n: <% task().result.n %>}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert len(run.calls("poll")) == 3
    assert run.output == {"n": 3}


def test_retry_on_with_items_reruns_every_item(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    each:
      with-items: x in <% [1, 2, 3] %>
      action: t.rec
      input: {x: <% $.x %>, fail: <% $.x = 2 %>}
      retry:
        count: 1
        delay: 0
      on-error: [handler]
    handler:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert sorted(c["input"]["x"] for c in run.calls("each")) == [1, 1, 2, 2, 3, 3]
    assert run.called()[-1] == "handler"


def test_timeout_makes_the_task_error_and_on_error_runs(sw):
    started = time.monotonic()
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    slow:
      action: t.sleep seconds=3
      timeout: 1
      on-success: [never]
      on-error: [handler]
    never:
      action: t.rec
    handler:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert "never" not in run.ran()
    assert run.ran()[-1] == "handler"
    assert time.monotonic() - started < 2.9


def test_wait_before_and_wait_after(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      wait-before: 1
      wait-after: 1
      on-success: [b]
    b:
      action: t.rec
""")
    assert run.status == "SUCCEEDED", run.describe()
    entered = run.entered()
    assert entered.index("a.wait_before") < entered.index("a") < entered.index("a.wait_after") \
        < entered.index("b")
    a, b = run.calls("a")[0], run.calls("b")[0]
    assert b["start"] - a["end"] >= 0.9


def test_pause_before_holds_the_task_until_resumed(sw):
    deployment = sw.deploy("""
version: '2.0'
wf:
  tasks:
    a:
      action: t.rec
      on-success: [b]
    b:
      action: t.rec
      pause-before: true
      on-success: [c]
    c:
      action: t.rec
""")
    execution = sw.start(deployment)
    token = sw.token(execution, task="b", kind="pause_before")
    time.sleep(0.2)
    assert sw.status(execution) == "RUNNING"
    assert "b" not in sw.entered_so_far(execution)
    sw.resume(token)
    run = sw.wait(deployment, execution)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.called() == ["a", "b", "c"]


def test_fail_on_turns_a_successful_action_into_an_error(sw):
    text = """
version: '2.0'
wf:
  input: [status]
  tasks:
    check:
      action: t.rec
      input: {ret: {status: <% $.status %>}}
      fail-on: <% task().result.status = 'bad' %>
      on-success: [ok]
      on-error: [handler]
    ok:
      action: t.rec
    handler:
      action: t.rec
"""
    bad = sw.run(text, {"status": "bad"})
    assert bad.status == "SUCCEEDED", bad.describe()
    assert bad.called() == ["check", "handler"]
    good = sw.run(text, {"status": "good"})
    assert good.status == "SUCCEEDED", good.describe()
    assert good.called() == ["check", "ok"]


def test_async_noop_waits_for_its_callback_and_takes_its_result(sw):
    deployment = sw.deploy("""
version: '2.0'
wf:
  tasks:
    wait_for_it:
      action: std.async_noop
      publish: {got: <% task().result %>}
""")
    execution = sw.start(deployment)
    token = sw.token(execution, task="wait_for_it", kind="async")
    time.sleep(0.1)
    assert sw.status(execution) == "RUNNING"
    sw.resume(token, {"answer": 42})
    run = sw.wait(deployment, execution)
    assert run.status == "SUCCEEDED", run.describe()
    assert run.output == {"got": {"answer": 42}}


def test_std_sleep_and_std_noop(sw):
    run = sw.run("""
version: '2.0'
wf:
  tasks:
    nap:
      action: std.sleep seconds=1
      on-success: [after]
    after:
      action: std.noop
      publish: {done: true}
""")
    assert run.status == "SUCCEEDED", run.describe()
    assert run.ran() == ["nap", "after"]
    assert run.output == {"done": True}
