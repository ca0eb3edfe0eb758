"""Robustness: whatever the text, `load` / `check` (and compiling what loads) succeed or
raise `InvalidDefinition`.

Mutates valid documents at the YAML-value level (delete, rename, retype and replace values)
and at the text level (truncate, insert characters, delete slices, shift indentation).
"""

from __future__ import annotations

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.compiler import compile_document
from chalicelib.errors import InvalidDefinition
from chalicelib.language import check, lint, load, model
from chalicelib.language.schema import TASK_KEYS, WORKFLOW_KEYS

from ._helpers import doc

CORPUS = Path(__file__).resolve().parents[4] / "shared" / "corpus"
OWN = [
    doc(
        """
        version: '2.0'
        wf:
          input: [a, {b: 2}]
          task-defaults:
            on-error: [cleanup]
            retry: {count: 2, delay: 1}
          tasks:
            start:
              action: std.echo output=<% $.a %>
              publish: {x: <% task().result %>}
              on-success:
                - fan: <% $.x > 1 %>
                - fail msg="small"
            fan:
              with-items: i in <% range(3) %>
              concurrency: 2
              action: std.noop
              on-complete: [join]
            join:
              join: all
              action: civis.run_job job_id=3
            cleanup:
              action: std.fail
        """
    ),
    doc(
        """
        version: '2.0'
        name: wb
        actions:
          greet:
            base: std.echo output="hi <% $.who %>"
            input: [who]
        workflows:
          main:
            type: reverse
            tasks:
              a:
                action: greet who=x
              b:
                requires: [a]
                workflow: wb.sub
          sub:
            tasks:
              s:
                action: std.http url=http://x retry="count=3 delay=2"
                timeout: 5
        """
    ),
    doc(
        """
        version: 2
        workflow:
          anchors: &run
            action: civis.run_job
          tasks:
            one:
              <<: *run
              input: {job_id: 1}
              on-success: [two]
            two:
              <<: *run
              input: {job_id: 2}
        """
    ),
]
SEED_TEXTS = OWN + [p.read_text() for p in sorted(CORPUS.glob("*.yaml")) if p.stat().st_size < 4000]
SEED_VALUES = [yaml.safe_load(text) for text in SEED_TEXTS]

INTERESTING = st.sampled_from(
    [
        "<% $.x %>",
        "<% $.x",
        "{{ _.x }}",
        "{{",
        "<% task(nope).result %>",
        "<% ( %>",
        "fail msg=<% 1 %>",
        "x in <% $.xs %>",
        "x in [1,",
        "x in",
        "std.echo output=",
        'std.echo output="',
        "civis.run_job",
        "civis.nope",
        "std.http",
        "std.bogus",
        "wb.sub",
        "other.wf",
        "reverse",
        "direct",
        "all",
        "one",
        "count=1 delay=x",
        "a=b c",
        "succeed",
        "pause",
        "fail",
        "start",
        "fan",
        "join",
        "a",
        "b",
        "",
        " ",
        "é",
        "\t",
        "2.0",
        *TASK_KEYS,
        *WORKFLOW_KEYS,
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-3, 10**6)
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
    | INTERESTING
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6) | INTERESTING, inner, max_size=3)
    ),
    max_leaves=6,
)


def _containers(value, found):
    if isinstance(value, (dict, list)):
        found.append(value)
        for child in value.values() if isinstance(value, dict) else value:
            _containers(child, found)
    return found


def _mutate(data, value):
    containers = _containers(value, [])
    if not containers:
        return data.draw(VALUES)
    target = data.draw(st.sampled_from(containers))
    if isinstance(target, dict):
        if not target:
            target[data.draw(INTERESTING)] = data.draw(VALUES)
            return value
        key = data.draw(st.sampled_from(list(target)))
        op = data.draw(st.sampled_from(["delete", "rename", "replace", "retype", "insert"]))
        if op == "delete":
            del target[key]
        elif op == "rename":
            target[data.draw(INTERESTING | st.text(max_size=8))] = target.pop(key)
        elif op == "replace":
            target[key] = data.draw(VALUES)
        elif op == "retype":
            old = target[key]
            target[key] = (
                [old] if not isinstance(old, list) else {str(i): v for i, v in enumerate(old)}
            )
        else:
            target[data.draw(INTERESTING)] = data.draw(VALUES)
    else:
        if target and data.draw(st.booleans()):
            index = data.draw(st.integers(0, len(target) - 1))
            if data.draw(st.booleans()):
                del target[index]
            else:
                target[index] = data.draw(VALUES)
        else:
            target.append(data.draw(VALUES))
    return value


def _assert_robust(text: str) -> None:
    problems = check(text)
    assert isinstance(problems, list)
    assert isinstance(lint(text), list)
    try:
        document = load(text)
    except InvalidDefinition as error:
        assert error.problems and problems == error.problems
    else:
        assert problems == [] and isinstance(document, model.Document) and document.workflows
        # a valid document compiles, or is refused as a shape the compiler cannot express
        try:
            compiled = compile_document(document)
        except InvalidDefinition as error:
            assert error.problems
        else:
            assert list(compiled) == list(document.workflows)


@settings(max_examples=700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_value_mutations_never_crash(data):
    value = copy.deepcopy(data.draw(st.sampled_from(SEED_VALUES)))
    for _ in range(data.draw(st.integers(1, 4))):
        value = _mutate(data, value)
    text = yaml.safe_dump(value, sort_keys=False, allow_unicode=True)
    _assert_robust(text)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_text_mutations_never_crash(data):
    text = data.draw(st.sampled_from(SEED_TEXTS))
    _assert_robust(mutate_text(data, text, st.text(min_size=1, max_size=6) | INTERESTING))


def mutate_text(data, text: str, pieces) -> str:
    """`text` after 1 to 3 edits: truncate, insert one of `pieces`, delete a slice, or
    re-indent a line."""
    for _ in range(data.draw(st.integers(1, 3))):
        op = data.draw(st.sampled_from(["truncate", "insert", "delete", "indent"]))
        at = data.draw(st.integers(0, len(text)))
        if op == "truncate":
            text = text[:at]
        elif op == "insert":
            text = text[:at] + data.draw(pieces) + text[at:]
        elif op == "delete":
            text = text[:at] + text[at + data.draw(st.integers(1, 40)) :]
        else:
            lines = text.split("\n")
            index = data.draw(st.integers(0, max(0, len(lines) - 1)))
            lines[index] = " " * data.draw(st.integers(0, 6)) + lines[index].lstrip()
            text = "\n".join(lines)
    return text


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=200))
def test_arbitrary_text_never_crashes(text):
    _assert_robust(text)
