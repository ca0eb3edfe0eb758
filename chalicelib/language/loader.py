"""YAML text → a tree of nodes that remember where they were written.

Takes the text of a workflow definition and gives a tree of `Scalar`, `Mapping` and `Sequence`
nodes with 1-based line and column: plain block YAML is read by `block_yaml` directly,
anything else from the YAML parser's event stream (libyaml's C
parser when PyYAML has it). Anchors and aliases are shared nodes, merge keys (``<<: *x``) are
applied, duplicate keys keep the last value (as PyYAML does). Anything the tree cannot hold
(syntax errors, several documents, unknown tags, nesting deeper than `MAX_DEPTH`, alias
expansions larger than `MAX_SIZE`) raises `LoadError` carrying one `Problem`.

The tree is a DAG of bounded depth, so recursive walks over it are safe. The node classes
live in `chalicelib.language.nodes`.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from chalicelib.errors import Problem
from chalicelib.language import block_yaml
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, Source

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = SafeConstructor()
MAX_DEPTH = 200
MAX_SIZE = 250_000  # nodes after expanding every alias

_STR, _NULL, _BOOL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool"
_INT, _FLOAT, _MERGE = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:merge"
_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_KEEP_TEXT = {
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
    "tag:yaml.org,2002:value",
    _MERGE,
}
# first character → [(tag, regexp)]: how PyYAML resolves plain scalars
_RESOLVERS = _Loader.yaml_implicit_resolvers
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FIX_SYNTAX = "fix the YAML syntax at this point (indentation, a missing ':' or an unclosed quote)"


class LoadError(Exception):
    """The text is not a YAML document we can read; `problem` says where and why."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def _problem(
    line: int, column: int, message: str, fix: str = _FIX_SYNTAX, key: str = ""
) -> Problem:
    return Problem(max(line, 1), max(column, 1), message, "", key, fix)


def _fail(line: int, column: int, message: str, fix: str = _FIX_SYNTAX, key: str = "") -> LoadError:
    return LoadError(_problem(line, column, message, fix, key))


def _syntax_problem(error: yaml.YAMLError, source: Source) -> Problem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    what = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    message = f"YAML syntax error: {what}" + (f" ({context})" if context else "")
    if mark is not None:
        return _problem(mark.line + 1, mark.column + 1, message)
    position = getattr(error, "position", None)
    if isinstance(position, int):
        line, column = source.position(min(position, len(source.text)))
        return _problem(
            line, column, message, "remove this character (control characters are not allowed)"
        )
    return _problem(1, 1, message)


def _scalar_value(tag: str, text: str, line: int, column: int) -> Any:
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag in _KEEP_TEXT:
        return text
    if tag == _INT and _DECIMAL.fullmatch(text):
        return int(text)  # what PyYAML gives for a plain decimal, without its general parser
    node = yaml.ScalarNode(tag, text)
    try:
        if tag == _BOOL:
            return _CONSTRUCTOR.construct_yaml_bool(node)
        if tag == _INT:
            return _CONSTRUCTOR.construct_yaml_int(node)
        if tag == _FLOAT:
            return _CONSTRUCTOR.construct_yaml_float(node)
    except (ValueError, ConstructorError, TypeError, OverflowError) as error:
        raise _fail(
            line,
            column,
            f"cannot read {text!r} as {tag.rsplit(':', 1)[-1]}: {error}",
            "remove the explicit tag or write a valid value",
            text,
        ) from None
    raise _unsupported_tag(tag, line, column)


def _check_tag(tag: str | None, expected: str, line: int, column: int) -> None:
    if tag not in (None, "!", expected):
        raise _unsupported_tag(tag, line, column)


def _unsupported_tag(tag: str, line: int, column: int) -> LoadError:
    return _fail(line, column, f"unsupported YAML tag {tag}",
                 "remove the tag; workflow definitions use plain YAML values", tag)


def _merge(mapping: Mapping, merged: list[tuple[Scalar, Node]]) -> None:
    """Apply ``<<`` merge values: explicit keys win; earlier merge sources win over later ones."""
    extra: dict[str, tuple[Scalar, Node]] = {}
    for _key, vnode in merged:
        sources = vnode.items if isinstance(vnode, Sequence) else [vnode]
        for source in sources:
            if not isinstance(source, Mapping):
                raise _fail(
                    source.line,
                    source.column,
                    "a merge key (<<) needs a mapping or a list of mappings",
                    "merge an anchored mapping: <<: *name",
                    "<<",
                )
            for key, entry in source.entries.items():
                extra.setdefault(key, entry)
    combined = {k: v for k, v in extra.items() if k not in mapping.entries}
    combined.update(mapping.entries)
    mapping.entries = combined


def parse(text: str) -> tuple[Node | None, Source]:
    """Parse one YAML document; gives its root node (None when the document is empty)."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as error:
            raise _fail(
                1, error.start + 1, "the definition is not UTF-8 text", "save the file as UTF-8"
            ) from None
    source = Source(text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line, column = source.position(error.start)
        raise _fail(
            line,
            column,
            "the text holds a character that is not valid Unicode",
            "remove this character",
            repr(text[error.start]),
        ) from None
    root = block_yaml.scan(text, _plain_resolver(), _scalar_value, MAX_SIZE)
    if root is not block_yaml.UNHANDLED:
        return root, source
    loader = _Loader(text)
    try:
        return _compose(loader, source), source
    except yaml.YAMLError as error:
        raise LoadError(_syntax_problem(error, source)) from None
    finally:
        loader.dispose()


def _plain_resolver():
    """The tag of a plain scalar's text, as PyYAML resolves it (memoised for one document)."""
    resolved: dict[str, str] = {}
    resolvers = _RESOLVERS

    def resolve(text: str) -> str:
        tag = resolved.get(text)
        if tag is None:
            tag = _STR
            for candidate, regexp in resolvers.get(text[:1], ()):
                if regexp.match(text):
                    tag = candidate
                    break
            resolved[text] = tag
        return tag

    return resolve


def _compose(loader: Any, source: Source) -> Node | None:  # noqa: C901 - one event loop
    # The open collection is kept in locals (`parent`, `pending` key, `merges`); the stack
    # holds those of the collections around it. This loop runs once per YAML event.
    anchors: dict[str, Node] = {}
    stack: list[tuple[Any, Any, Any]] = []
    parent: Any = None  # the innermost open Mapping or Sequence (None at the top)
    in_sequence = False
    pending: Scalar | None = None  # a mapping key waiting for its value
    merges: list[tuple[Scalar, Node]] | None = None  # ``<<`` entries of the open mapping
    root: Node | None = None
    documents = 0
    get_event = loader.get_event
    resolve = _plain_resolver()
    str_tag, merge_tag = _STR, _MERGE
    while True:
        event = get_event()
        cls = type(event)
        if cls is ScalarEvent:
            mark = event.start_mark
            line = mark.line + 1
            tag = event.tag
            text = event.value
            if tag is None or tag == "!":
                if event.implicit[0]:
                    tag = resolve(text)
                else:
                    tag = str_tag
            if tag == str_tag:
                end = event.end_mark
                node: Node = Scalar(
                    line, mark.column + 1, mark.index, event.anchor, text, text, event.style,
                    tag, end.index, end.line + 1,
                )
            elif tag == merge_tag and pending is None and parent is not None and not in_sequence:
                node = Scalar(
                    line, mark.column + 1, mark.index, event.anchor, "<<", "<<", None, merge_tag,
                    0, line,
                )
            else:
                column = mark.column + 1
                end = event.end_mark
                node = Scalar(
                    line, column, mark.index, event.anchor, _scalar_value(tag, text, line, column),
                    text, event.style, tag, end.index, end.line + 1,
                )
            if node.anchor:
                anchors[node.anchor] = node
        elif cls is MappingStartEvent or cls is SequenceStartEvent:
            mark = event.start_mark
            line, column = mark.line + 1, mark.column + 1
            is_map = cls is MappingStartEvent
            _check_tag(event.tag, _MAP if is_map else _SEQ, line, column)
            if len(stack) >= MAX_DEPTH:
                raise _fail(
                    line,
                    column,
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    "flatten the structure",
                )
            stack.append((parent, pending, merges))
            parent = (Mapping if is_map else Sequence)(line, column, mark.index, event.anchor)
            in_sequence = not is_map
            pending = merges = None
            continue
        elif cls is MappingEndEvent or cls is SequenceEndEvent:
            node = parent
            if merges:
                _merge(node, merges)  # type: ignore[arg-type]
            if cls is MappingEndEvent:
                entries = node.entries  # type: ignore[union-attr]
                size = len(entries) + 1
                for _key, child in entries.values():
                    size += child.size
            else:
                size = 1
                for child in node.items:  # type: ignore[union-attr]
                    size += child.size
            node.size = size  # type: ignore[union-attr]
            if size > MAX_SIZE:
                raise _fail(
                    node.line,  # type: ignore[union-attr]
                    node.column,  # type: ignore[union-attr]
                    "the document expands to too many values (alias bomb?)",
                    "use fewer nested aliases",
                )
            if node.anchor:  # type: ignore[union-attr]
                anchors[node.anchor] = node  # type: ignore[union-attr, index]
            parent, pending, merges = stack.pop()
            in_sequence = type(parent) is Sequence
        elif cls is AliasEvent:
            found = anchors.get(event.anchor)
            if found is None:
                mark = event.start_mark
                raise _fail(
                    mark.line + 1,
                    mark.column + 1,
                    f"alias *{event.anchor} names no finished anchor",
                    f"define &{event.anchor} before *{event.anchor} (and not inside itself)",
                    f"*{event.anchor}",
                )
            node = found
        elif cls is StreamEndEvent:
            return root
        elif cls is DocumentStartEvent:
            documents += 1
            if documents > 1:
                mark = event.start_mark
                raise _fail(
                    mark.line + 1,
                    mark.column + 1,
                    "the text holds more than one YAML document",
                    "keep one document: remove the second '---' and what follows",
                )
            continue
        else:
            continue
        if parent is None:
            root = node
        elif in_sequence:
            parent.items.append(node)
        elif pending is None:
            if type(node) is not Scalar:
                raise _fail(
                    node.line,
                    node.column,
                    "a mapping key must be a plain name, not a list or mapping",
                    "write the key as a plain string",
                )
            pending = node  # type: ignore[assignment]
        else:
            key = pending
            pending = None
            ktext = key.text
            if key.tag == merge_tag and ktext == "<<":
                if merges is None:
                    merges = []
                merges.append((key, node))
            else:
                entries = parent.entries
                if ktext in entries:
                    del entries[ktext]
                    parent.duplicates.append(key)
                entries[ktext] = (key, node)
