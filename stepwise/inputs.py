"""The input of an execution from the command line.

`execution_input(pairs, json_text)` takes the ``--input k=v`` values and the ``--input-json``
text (or None) and gives the input object: the JSON object first, then each pair on top of it.
A pair's value is the JSON it parses as (``n=3`` gives 3, ``on=true`` gives True,
``tags=["a"]`` a list) and otherwise the text as written (``name=Ada``). Raises `BadInput`.
"""
from __future__ import annotations

import json
from typing import Any


class BadInput(ValueError):
    pass


def _refuse(constant: str) -> Any:
    raise ValueError(constant)  # NaN and Infinity are not JSON the API would accept


def parse_value(text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_refuse)
    except ValueError:
        return text


def execution_input(pairs: list[str], json_text: str | None) -> dict[str, Any]:
    given: dict[str, Any] = {}
    if json_text is not None:
        try:
            given = json.loads(json_text, parse_constant=_refuse)
        except ValueError as error:
            raise BadInput(f"--input-json is not valid JSON: {error}") from None
        if not isinstance(given, dict):
            raise BadInput("--input-json must be a JSON object")
    for pair in pairs:
        key, equals, value = pair.partition("=")
        if not equals or not key:
            raise BadInput(f"--input {pair!r}: write it as NAME=VALUE")
        given[key] = parse_value(value)
    return given
