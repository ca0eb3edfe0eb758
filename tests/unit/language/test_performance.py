"""Validation speed: a 1,000-task chain loads well under 100 ms (best of five runs)."""

from __future__ import annotations

import time

from chalicelib.language import load


def _chain(n: int) -> str:
    lines = ["version: '2.0'", "chain:", "  tasks:"]
    for i in range(n):
        lines += [f"    t{i}:", f"      action: std.echo output={i}"]
        if i + 1 < n:
            lines.append(f"      on-success: t{i + 1}")
    return "\n".join(lines) + "\n"


def test_thousand_task_chain_loads_fast():
    text = _chain(1000)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        document = load(text)
        best = min(best, time.perf_counter() - start)
    assert len(document.main.tasks) == 1000 and document.main.start_tasks() == ["t0"]
    assert best < 0.1, f"best load took {best * 1000:.1f} ms"
