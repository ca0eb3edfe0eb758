"""The expression language of workflow definitions: YAQL `<% %>` and Jinja `{{ }}`.

Takes: strings from a workflow definition.
Gives: `is_template`, `parse_template` → `Template`, `parse_expression` → `Expression`, and
`ExpressionError` (message + offset into the text). The syntax tree classes live in
`chalicelib.language.expressions.ast`; the compiler translates trees to JSONata.
"""
from __future__ import annotations

from .ast import Node
from .errors import ExpressionError
from .functions import parse_format
from .template import Expression, Template, is_template, parse_expression, parse_template

__all__ = [
    "Expression",
    "ExpressionError",
    "Node",
    "Template",
    "is_template",
    "parse_expression",
    "parse_format",
    "parse_template",
]
