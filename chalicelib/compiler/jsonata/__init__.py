"""Expressions of a workflow definition as JSONata for Step Functions.

Takes: parsed templates or YAML values whose strings may be templates, and a `Scope`.
Gives: JSONata expression text (without the `{% %}` that the compiler adds):
`template_to_jsonata`, `value_to_jsonata`, `guard_to_jsonata` (a boolean with Python
truthiness, for Choice conditions), and `is_constant`. The text runs on JSONata 2.x as
Step Functions has it, and on jsonata-python for local mode; it uses only standard
functions (never $eval).

Run-time rules follow Mistral: reading an undefined top-level variable fails, missing
nested keys are null, `and`/`or`/`not` use Python truthiness, YAQL `/` divides whole
numbers as integers, `+` adds numbers, strings, lists or dicts, text around expressions is
joined with Python's str(). Known differences: JSON numbers carry no int/float mark (7.0
from data divides like 7); attribute access on null or a non-dict gives null; matches() and
=~ need a literal pattern; json_parse/yaml_parse accept only already-parsed values or blank
text; yaml_dump/json_dump/json_pp give indented JSON; tasks(), executions() fail at run time.
"""
from __future__ import annotations

from typing import Any

from chalicelib.language.expressions import Template, is_template

from .pieces import Js
from .scope import Scope
from .translate import Translator

__all__ = ["Scope", "guard_to_jsonata", "is_constant", "template_to_jsonata",
           "value_to_jsonata"]


def template_to_jsonata(template: Template, scope: Scope) -> str:
    """JSONata for a template: the raw value of a single expression, else a string."""
    translator = Translator(scope)
    return translator.finish(translator.template(template))


def value_to_jsonata(value: Any, scope: Scope) -> str:
    """ONE JSONata expression building `value` (dict / list / scalar) with its templates
    evaluated. Raises ExpressionError for a bad template, ValueError for a value JSON
    cannot hold."""
    translator = Translator(scope)
    return translator.finish(translator.value(value))


def guard_to_jsonata(template: Template, scope: Scope) -> str:
    """JSONata that is true when the template's value is truthy in Python's sense
    ([], {}, "", 0, null and false are false)."""
    translator = Translator(scope)
    piece = translator.template(template)
    return translator.finish(Js(translator.truthy(piece), "bool"))


def is_constant(value: Any) -> bool:
    """True if no string inside `value` (dict values, list items) holds a template."""
    if isinstance(value, str):
        return not is_template(value)
    if isinstance(value, dict):
        return all(is_constant(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return all(is_constant(v) for v in value)
    return True
