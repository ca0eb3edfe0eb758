"""The fast block-YAML reader gives exactly libyaml's tree, or leaves the text to libyaml.

Every text it accepts must also be accepted by the libyaml path, with the same nodes
(values, tags, styles, positions, sizes); texts it does not handle fall back unchanged.
"""
from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench import compile as bench
from chalicelib.language import block_yaml, loader
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, Source

from .test_fuzz import INTERESTING, SEED_TEXTS, SEED_VALUES, _mutate, mutate_text

ROOT = Path(__file__).resolve().parents[3]


def fast(text: str):
    return block_yaml.scan(text, loader._plain_resolver(), loader._scalar_value, loader.MAX_SIZE)


def slow(text: str) -> Node | None:
    parser = loader._Loader(text)
    try:
        return loader._compose(parser, Source(text))
    finally:
        parser.dispose()


def difference(a: Node, b: Node, path: str = "") -> str | None:
    """Where two trees differ (None when they are the same in every field)."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} / {type(b).__name__}"
    for name in ("line", "column", "index", "anchor", "size"):
        if getattr(a, name) != getattr(b, name):
            return f"{path}: {name} {getattr(a, name)!r} / {getattr(b, name)!r}"
    if isinstance(a, Scalar):
        for name in ("value", "text", "style", "tag", "end_index", "end_line"):
            x, y = getattr(a, name), getattr(b, name)
            if x != y or type(x) is not type(y):
                return f"{path}: {name} {x!r} / {y!r}"
        return None
    if isinstance(a, Mapping):
        if list(a.entries) != list(b.entries) or len(a.duplicates) != len(b.duplicates):
            return f"{path}: keys {list(a.entries)} / {list(b.entries)}"
        for key, (knode, vnode) in a.entries.items():
            found = (difference(knode, b.entries[key][0], f"{path}/key {key}")
                     or difference(vnode, b.entries[key][1], f"{path}/{key}"))
            if found:
                return found
        return None
    assert isinstance(a, Sequence)
    if len(a.items) != len(b.items):
        return f"{path}: {len(a.items)} items / {len(b.items)}"
    for index, (x, y) in enumerate(zip(a.items, b.items)):
        found = difference(x, y, f"{path}[{index}]")
        if found:
            return found
    return None


def assert_same_or_unhandled(text: str) -> bool:
    """True when the fast reader handled `text` (and then agrees with libyaml)."""
    try:
        tree = fast(text)
    except loader.LoadError:
        # a scalar the loader cannot construct: libyaml's path must refuse it too
        with pytest.raises(loader.LoadError):
            slow(text)
        return True
    if tree is block_yaml.UNHANDLED:
        return False
    expected = slow(text)  # raises if libyaml refuses a text the fast reader accepted
    assert difference(tree, expected) is None, (difference(tree, expected), text)
    return True


GENERATED = [bench.chain(4), bench.fanout(5), bench.dag(6, 1)]  # fast-path documents
REFERENCE = sorted((ROOT.parent / "shared" / "corpus").glob("*.yaml")) + sorted(
    (ROOT / "bench" / "workflows").glob("*.yaml")) + sorted((ROOT / "examples").glob("*.yaml"))


@pytest.mark.parametrize("path", REFERENCE, ids=lambda p: p.name[-60:])
def test_reference_documents(path):
    assert_same_or_unhandled(path.read_text(encoding="utf-8"))


def test_most_reference_documents_take_the_fast_path():
    handled = [p for p in REFERENCE if assert_same_or_unhandled(p.read_text(encoding="utf-8"))]
    assert len(handled) >= len(REFERENCE) // 2


@pytest.mark.parametrize("text", [
    "a:\nb: 1\n",
    "a:   \n  # note\nb: x  # hi\n",
    "a:\n- x\n- 'y'  \nc: [p, q ]  \nd: []\n",
    "- a: 1\n  b:\n- c\n",
    "- - x\n  - y\n- z\n",
    "---\nversion: '2.0'\nwf:\n  tasks:\n    t:\n      action: std.noop\n",
    "k: 'it''s'\nq: \"x y\"\nn: ~\nb: yes\nf: 1.5\ni: 0x1f\nt: 2001-12-14\n",
    "k: a#b\nl: -1\nm: -x\nn: :x\no: ?y\n",
    "a:\n  - x\n  -  y\n  -   z: 1\n      w: 2\n",
    "1: x\ntrue: y\nnull: z\n",
])
def test_written_cases_agree_with_libyaml(text):
    assert assert_same_or_unhandled(text)


@pytest.mark.parametrize("text", [
    "a: b: c\n",  # mapping values are not allowed here
    "a: 1\n- x\n",
    "a:\n  b: 1\n - c\n",
    "a: x\n  y\n",  # a plain scalar on two lines
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  text\n",
    "a: {b: 1}\n",
    "a: 1\na: 2\n",
    "a:\tb\n",
    "a: 1\r\n",
    "  a: 1\n",
    "---\na: 1\n---\nb: 2\n",
    "a: \"x\\ty\"\n",
    "a: [b, [c]]\n",
    "<<: {a: 1}\n",
])
def test_what_the_fast_reader_leaves_to_libyaml(text):
    assert fast(text) is block_yaml.UNHANDLED


PIECES = st.lists(st.sampled_from(list(" -:#'\"[],{}&*!|>%@`?\nabx01<>$.")
                                  + ["  ", "- ", ": ", " #", "\n  ", "\n- "]),
                  min_size=1, max_size=4).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_text_mutations_agree_with_libyaml(data):
    text = mutate_text(data, data.draw(st.sampled_from(SEED_TEXTS + GENERATED)),
                       PIECES | INTERESTING)
    try:
        assert_same_or_unhandled(text)
    except (yaml.YAMLError, loader.LoadError) as error:
        raise AssertionError(f"fast reader accepted what libyaml refuses: {error}\n{text}")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_dumped_values_agree_with_libyaml(data):
    value = copy.deepcopy(data.draw(st.sampled_from(SEED_VALUES)))
    for _ in range(data.draw(st.integers(0, 3))):
        value = _mutate(data, value)
    for flow in (False, None):
        text = yaml.safe_dump(value, sort_keys=False, default_flow_style=flow)
        assert_same_or_unhandled(text)


def test_deep_nesting_is_left_to_the_loader_limit():
    text = "".join(" " * (2 * depth) + f"k{depth}:\n" for depth in range(300)) + " " * 600 + "v: 1\n"
    assert fast(text) is block_yaml.UNHANDLED
    with pytest.raises(loader.LoadError):
        loader.parse(text)
