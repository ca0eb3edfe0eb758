"""The per-compilation memo of translated templates gives what translating afresh gives."""
from __future__ import annotations

import pytest

from chalicelib.compiler import data
from chalicelib.compiler.jsonata import guard_to_jsonata, memo, value_to_jsonata
from chalicelib.compiler.task_states import FAILED, FAILED_TEXT, SUCCEEDED, SUCCEEDED_TEXT, _scope
from chalicelib.language import load
from chalicelib.language.expressions import parse_template

TEMPLATES = [
    "<% task().result %>", "<% task(a).result %>", "<% task(b).state %>", "<% env() %>",
    "<% execution().id %>", "<% $.x %>", "<% $.x and $.y %>", "<% $.x or $.y %>",
    "<% $.items.where($.n > 1).select($.n) %>", "{{ _.x if _.y else _.z }}",
    "<% len($.x) %> of <% $.y %>", "<% $.x in [1, 2] %>", "<% let(v => $.x) -> $v + 1 %>",
    "<% $.get('x', 2) %>", "{{ task().result.items | default([]) }}", "plain text",
]
VALUES = [
    {"a": TEMPLATES[6], "b": TEMPLATES[6], "c": [TEMPLATES[7], TEMPLATES[0]]},
    {"x": TEMPLATES[0], "y": TEMPLATES[1]}, TEMPLATES[10], [TEMPLATES[12], TEMPLATES[12]],
]


def _tasks():
    document = load("version: '2.0'\nwf:\n  tasks:\n    a:\n      action: std.noop\n"
                    "      on-success: [b]\n    b:\n      action: std.noop\n")
    return list(document.workflows["wf"].tasks.values())


def _scopes():
    a, b = _tasks()
    return [data.scope_for("$states.input"), data.after_task("$states.input", "a"),
            data.after_task("$states.input", "b"), data.after_task("$sw_new", "a"),
            data.scope_for("$states.input", {"result": "$r", "state": '"ERROR"'}),
            data.scope_for("$states.input", locals_={"x": "$item"}),
            _scope(a, SUCCEEDED, SUCCEEDED_TEXT), _scope(b, SUCCEEDED, SUCCEEDED_TEXT),
            _scope(a, FAILED, FAILED_TEXT)]


def _all(scopes):
    """Per scope: its translations of every value and guard."""
    return [[value_to_jsonata(v, scope) for v in TEMPLATES + VALUES]
            + [guard_to_jsonata(parse_template(t), scope) for t in TEMPLATES]
            for scope in scopes]


@pytest.mark.parametrize("backwards", [False, True])
def test_memo_gives_fresh_translations(backwards):
    scopes = _scopes()
    fresh = _all(scopes)
    with memo.compilation() as remembered:
        order = scopes[::-1] if backwards else scopes
        for _ in range(2):  # the second round reads what the first remembered
            got = _all(order)
            assert (got[::-1] if backwards else got) == fresh
    assert remembered  # something was shared
    assert memo.current() is None  # nothing outlives the compilation


def test_task_by_name_is_never_shared():
    a, b = _tasks()
    with memo.compilation() as remembered:
        first = value_to_jsonata("<% task(a).result %>", _scope(a, SUCCEEDED, SUCCEEDED_TEXT))
        second = value_to_jsonata("<% task(a).result %>", _scope(b, SUCCEEDED, SUCCEEDED_TEXT))
    assert first != second
    assert not any(key[0] == "<% task(a).result %>" for key in remembered)


def test_current_task_is_shared_only_between_equal_task_keys():
    with memo.compilation():
        after_a = value_to_jsonata("<% task().result %>", data.after_task("$states.input", "a"))
        after_b = value_to_jsonata("<% task().result %>", data.after_task("$states.input", "b"))
    assert "`a`" in after_a and "`b`" in after_b
