"""Robustness of the lowering: random direct workflows (guards, error clauses, joins, loops,
engine commands) either compile to a structurally valid machine or are refused as a shape
the compiler cannot express — never another exception."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.compiler import compile_text
from chalicelib.compiler.asl_check import check
from chalicelib.errors import InvalidDefinition

NAMES = [f"t{i}" for i in range(8)]


@st.composite
def workflows(draw) -> str:
    count = draw(st.integers(2, 8))
    names = NAMES[:count]
    lines = ["version: '2.0'", "wf:", "  input: [{x: 1}]", "  tasks:"]
    for index, name in enumerate(names):
        lines.append(f"    {name}:")
        action = draw(st.sampled_from(["std.noop", "my.action", "std.fail", "std.echo output=1"]))
        lines.append(f"      action: {action}")
        if index and draw(st.booleans()):
            lines.append(f"      join: {draw(st.sampled_from(['all', '1', 'one']))}")
        for clause in ("on-success", "on-error", "on-complete"):
            if index == 0 and clause == "on-success" or draw(st.integers(0, 3)) == 0:
                # the first task always starts something, so every workflow has a start task
                targets = draw(st.lists(st.sampled_from(names[1:] + ["fail", "succeed",
                                                                     "pause"]),
                                        min_size=1, max_size=3))
                lines.append(f"      {clause}:")
                for target in targets:
                    if draw(st.booleans()):
                        lines.append(f"        - {target}: <% $.x > {draw(st.integers(0, 3))} %>")
                    else:
                        lines.append(f"        - {target}")
    return "\n".join(lines) + "\n"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=workflows())
def test_random_direct_workflows_compile_or_are_refused(text):
    try:
        compiled = compile_text(text)
    except InvalidDefinition as error:
        assert error.problems, text
        return
    definition = compiled["wf"].definition
    check(definition)  # raises InvalidStateMachine on any structural fault
    assert definition["QueryLanguage"] == "JSONata"
