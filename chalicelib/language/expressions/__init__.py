"""The expression language of workflow definitions: YAQL `<% %>` and Jinja `{{ }}`.

Takes: strings from a workflow definition.
Gives: `is_template`, `parse_template` → `Template`, `parse_expression` → `Expression`, and
`ExpressionError` (message + offset into the text). The syntax tree classes live in
`chalicelib.language.expressions.ast`; the compiler translates trees to JSONata.

The supported subset:
- YAQL: `$`, `$.x`, `$name` (bound by `let(name => ...) -> ...`), `x -> y`, literals
  (numbers, '...', "...", true/false/null, lists, `{k => v}`; bare words are strings),
  `.attr`, `[index]`, `and or not = != < > <= >= in + - * / mod =~ !~`, and the functions
  of `functions.YAQL_FUNCTIONS` in both call styles (`len($.x)`, `$.x.len()`).
- Jinja: `_`, `_.x`, literals (True/False/None too, tuples, `{'k': v}`), `.attr`,
  `[index]`, calls of `functions.JINJA_GLOBALS`, methods of `functions.JINJA_METHODS`,
  `| filters` of `functions.JINJA_FILTERS`, `is [not] tests`, `a if c else b`,
  `and or not == != < > <= >= in, not in + - ~ * / // % **`. No `{% %}` statements.
Anything else is an `ExpressionError` when the template is parsed.
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
