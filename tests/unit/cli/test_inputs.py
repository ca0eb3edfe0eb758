"""`--input NAME=VALUE` and `--input-json`: the execution's input object."""
from __future__ import annotations

import pytest

from stepwise.inputs import BadInput, execution_input


@pytest.mark.parametrize(("pair", "value"), [
    ("n=3", 3), ("ratio=0.5", 0.5), ("on=true", True), ("off=false", False), ("none=null", None),
    ('tags=["a", 1]', ["a", 1]), ('where={"x": 1}', {"x": 1}), ('quoted="3"', "3"),
    ("name=Ada", "Ada"), ("empty=", ""), ("phrase=hello world", "hello world"),
    ("url=https://x.org/?a=b", "https://x.org/?a=b"), ("nan=NaN", "NaN"),
    ("big=Infinity", "Infinity"), ("half={\"x\": ", "{\"x\": "),
])
def test_values_are_json_when_they_parse_else_text(pair, value):
    assert execution_input([pair], None) == {pair.split("=")[0]: value}


def test_pairs_go_on_top_of_the_json_object():
    given = execution_input(["b=2", "c=x", "b=3"], '{"a": 1, "b": 1}')
    assert given == {"a": 1, "b": 3, "c": "x"}


def test_no_input_is_an_empty_object():
    assert execution_input([], None) == {}


@pytest.mark.parametrize(("pairs", "json_text", "message"), [
    (["novalue"], None, "write it as NAME=VALUE"),
    (["=3"], None, "write it as NAME=VALUE"),
    ([], "[1, 2]", "must be a JSON object"),
    ([], "{nope", "not valid JSON"),
    ([], '{"x": NaN}', "not valid JSON"),
])
def test_malformed_input_is_refused(pairs, json_text, message):
    with pytest.raises(BadInput, match=message):
        execution_input(pairs, json_text)
