"""The YAML loader (positions, anchors, merge keys, limits) and the inline-parameter parser."""

from __future__ import annotations

import pytest

from chalicelib.language.inline import parse_inline
from chalicelib.language.loader import LoadError, parse
from chalicelib.language.nodes import Mapping, Scalar, Sequence, to_python


def test_nodes_carry_one_based_positions_and_values():
    root, _source = parse("a: 1\nb:\n  - x\n  - 'y'\nc: yes\nd: ~\ne: 2020-01-02\n")
    assert isinstance(root, Mapping) and (root.line, root.column) == (1, 1)
    b = root.get("b")
    assert isinstance(b, Sequence) and [(i.line, i.column) for i in b.items] == [(3, 5), (4, 5)]
    assert isinstance(b.items[1], Scalar) and b.items[1].style == "'"
    assert to_python(root) == {"a": 1, "b": ["x", "y"], "c": True, "d": None, "e": "2020-01-02"}


def test_aliases_share_nodes_and_merge_keys_apply():
    root, _source = parse(
        "base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\nmany:\n  <<: [{z: 1}, {z: 2, w: 1}]\n"
    )
    assert to_python(root) == {
        "base": {"x": 1, "y": 2},
        "use": {"x": 1, "y": 3},
        "many": {"z": 1, "w": 1},
    }
    assert root.get("base").anchor == "b"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("a: [1,\n", 2, 1, "YAML syntax error"),
        ("a: *nope\n", 1, 4, "alias *nope names no finished anchor"),
        ("a: &x [*x]\n", 1, 8, "alias *x names no finished anchor"),
        ("a: !!python/object:os.system x\n", 1, 4, "unsupported YAML tag"),
        ("? [1]\n: 2\n", 1, 3, "a mapping key must be a plain name"),
        ("a:\n  <<: 3\n", 2, 7, "a merge key (<<) needs a mapping"),
        ("a: 1\n---\nb: 2\n", 2, 1, "more than one YAML document"),
    ],
)
def test_load_errors(text, line, column, message):
    with pytest.raises(LoadError) as caught:
        parse(text)
    problem = caught.value.problem
    assert (problem.line, problem.column) == (line, column) and message in problem.message


def test_alias_bombs_are_refused():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(LoadError) as caught:
        parse("\n".join(lines))
    assert "too many values" in caught.value.problem.message


def test_inline_parameters():
    inline = parse_inline(
        'std.echo output="Hello, world" n=1 f=1.5 b=true z=null l=[1, 2] e=<% $.a b %> w=bare'
    )
    assert inline.name == "std.echo" and inline.error is None
    assert inline.params == {
        "output": "Hello, world",
        "n": 1,
        "f": 1.5,
        "b": True,
        "z": None,
        "l": [1, 2],
        "e": "<% $.a b %>",
        "w": "bare",
    }
    assert inline.offsets["output"] == 17 and inline.texts["l"] == "[1, 2]"


def test_inline_parameters_edge_cases():
    assert parse_inline("  fail  ").name == "fail"
    assert parse_inline("x s='a b' t=1").params == {"s": "a b", "t": 1}
    assert parse_inline('x q="say \\"hi\\""').params == {"q": 'say "hi"'}
    assert parse_inline("x d={{ _.a }}/{{ _.b }}").params == {"d": "{{ _.a }}/{{ _.b }}"}
    assert parse_inline("x j={'a': 1}").params == {"j": "{'a': 1}"}  # not JSON: kept as text
    assert parse_inline("count=3 delay=1", has_name=False).params == {"count": 3, "delay": 1}
    assert parse_inline("x k=").error == ("parameter k has no value after '='", 4)
    assert parse_inline("x k=[1, 2").error == ("the value of k is not closed", 4)
    assert parse_inline("x positional").error == ("expected a parameter written key=value", 2)
