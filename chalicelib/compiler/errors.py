"""Errors of the compiler: a workflow shape the Step Functions translation cannot express."""
from __future__ import annotations

from chalicelib.errors import InvalidDefinition, Problem
from chalicelib.language.model import Position


class UnsupportedShape(InvalidDefinition):
    def __init__(self, task: str, position: Position, message: str, fix: str):
        super().__init__([Problem(position.line, position.column, message,
                                  path=f"tasks.{task}", key=task, fix=fix)])
