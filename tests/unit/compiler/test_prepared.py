"""Pieces built before the lowering: a failure surfaces only for a task the lowering reaches."""
from __future__ import annotations

import pytest

from chalicelib.compiler import compile_text, prepared

WORKFLOW = """
version: '2.0'
wf:
  tasks:
    a:
      action: my.action
      on-success: [b]
    b:
      action: my.action
    unreached:
      action: my.action
      on-success: [loop]
    loop:
      action: my.action
      on-success:
        - unreached: <% $.again %>
"""


def failing_for(name: str):
    real = prepared.build_action

    def build(task, *args):
        if task.name == name:
            raise ValueError(f"cannot build {name}")
        return real(task, *args)
    return build


def test_a_reached_task_raises_its_failure(monkeypatch):
    monkeypatch.setattr(prepared, "build_action", failing_for("b"))
    with pytest.raises(ValueError, match="cannot build b"):
        compile_text(WORKFLOW)


def test_a_task_never_reached_raises_nothing(monkeypatch):
    # every task has an inbound transition, so only `a` starts: the loop is never reached
    monkeypatch.setattr(prepared, "build_action", failing_for("unreached"))
    compiled = compile_text(WORKFLOW)
    assert "unreached" not in compiled["wf"].definition["States"]
