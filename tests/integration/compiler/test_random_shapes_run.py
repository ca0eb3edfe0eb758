"""Random acyclic direct workflows (guards, error clauses, joins, engine commands) run on
the local AWS: each execution ends SUCCEEDED or FAILED for a workflow reason — never with a
structural or expression fault of the compiled machine (States.Runtime, a JSONata error)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from chalicelib.errors import InvalidDefinition

pytestmark = pytest.mark.moto

WORKFLOW_ERRORS = {"Stepwise.WorkflowFailed", "Stepwise.Fail"}


@st.composite
def acyclic_workflows(draw) -> str:
    count = draw(st.integers(2, 7))
    names = [f"t{i}" for i in range(count)]
    lines = ["version: '2.0'", "wf:", "  input: [{x: 1}]", "  tasks:"]
    for index, name in enumerate(names):
        later = names[index + 1:]
        lines.append(f"    {name}:")
        action = draw(st.sampled_from(["t.rec", "t.fail", "std.noop", "std.echo output=1"]))
        lines.append(f"      action: {action}")
        lines.append(f"      publish: {{p{index}: <% $.x + {index} %>}}")
        if index and draw(st.booleans()):
            lines.append(f"      join: {draw(st.sampled_from(['all', 'one']))}")
        for clause in ("on-success", "on-error", "on-complete"):
            if later and (index == 0 and clause == "on-success" or draw(st.integers(0, 2)) == 0):
                targets = draw(st.lists(st.sampled_from(later + ["fail", "succeed"]),
                                        min_size=1, max_size=3))
                lines.append(f"      {clause}:")
                for target in targets:
                    if draw(st.booleans()):
                        lines.append(f"        - {target}: <% $.x > {draw(st.integers(0, 2))} %>")
                    else:
                        lines.append(f"        - {target}")
    return "\n".join(lines) + "\n"


# Found by this test: an early join (t3) reached only through the thread of a `join: all`
# task (t1) that is checked after t0's region. Its arrivals came after the region, or with no
# region at all when t0 fails, and the machine failed with States.Runtime.
JOIN_ONE_AFTER_JOIN_ALL = """version: '2.0'
wf:
  input: [{x: 1}]
  tasks:
    t0:
      action: t.fail
      publish: {p0: <% $.x + 0 %>}
      on-success:
        - t3: <% $.x > 0 %>
      on-complete:
        - t1: <% $.x > 0 %>
    t1:
      action: t.rec
      publish: {p1: <% $.x + 1 %>}
      join: all
      on-success:
        - t2
      on-error:
        - t2
      on-complete:
        - t2
    t2:
      action: t.rec
      publish: {p2: <% $.x + 2 %>}
      on-success:
        - t3
      on-complete:
        - t3
    t3:
      action: t.rec
      publish: {p3: <% $.x + 3 %>}
      join: one
      on-complete:
        - t4
    t4:
      action: t.rec
      publish: {p4: <% $.x + 4 %>}
"""


@settings(max_examples=40, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(text=acyclic_workflows())
@example(text=JOIN_ONE_AFTER_JOIN_ALL)
def test_random_workflows_end_for_workflow_reasons_only(sw, text):
    try:
        run = sw.run(text, timeout=20.0)
    except InvalidDefinition as error:  # a shape the compiler refuses, with its reason
        assert error.problems, text
        return
    assert run.status in ("SUCCEEDED", "FAILED"), (run.describe(), text)
    if run.status == "FAILED":
        assert run.result.error in WORKFLOW_ERRORS, (run.result.error, run.result.cause, text)
