"""Helpers for the language tests: dedented documents and compact problem lists."""

from __future__ import annotations

import textwrap

from chalicelib.errors import Problem
from chalicelib.language import check


def doc(text: str) -> str:
    """A test document written indented inside a test function."""
    return textwrap.dedent(text).lstrip("\n")


def problems(text: str) -> list[Problem]:
    return check(doc(text))


def assert_problems(text: str, expected: list[tuple[int, int, str, str]]) -> None:
    """`expected` lists (line, column, message substring, path), in sorted order."""
    found = problems(text)
    shown = "\n".join(f"  ({p.line}, {p.column}, {p.message!r}, {p.path!r})" for p in found)
    assert len(found) == len(expected), f"expected {len(expected)} problems, got:\n{shown}"
    for problem, (line, column, message, path) in zip(found, expected, strict=True):
        assert (problem.line, problem.column, problem.path) == (line, column, path), (
            f"got:\n{shown}"
        )
        assert message in problem.message, f"{message!r} not in {problem.message!r}; got:\n{shown}"
        assert problem.fix, f"problem without a fix sentence: {problem}"


def wrap_tasks(tasks: str, header: str = "") -> str:
    """A one-workflow document around an indented block of tasks (4 spaces deep)."""
    return (
        "version: '2.0'\nwf:\n"
        + textwrap.indent(doc(header), "  ")
        + "  tasks:\n"
        + textwrap.indent(doc(tasks), "    ")
    )
