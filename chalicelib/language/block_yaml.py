"""A fast reader for the plain block YAML that workflow definitions are written in.

Takes the definition text; gives the same tree of `Scalar`, `Mapping` and `Sequence` nodes
that `loader.parse` builds from libyaml's events (same values, tags, styles and positions),
or `UNHANDLED` when the text uses anything beyond its subset, in which case the caller reads
it with libyaml. The subset: printable ASCII, block mappings with plain keys, block sequences
(also indentless, and ``- key: value`` items), single-line plain, single-quoted and
double-quoted (no escapes) scalars, one-line flow sequences of plain scalars, comments, blank
lines and one leading ``---``. Anchors, aliases, tags, merge keys, duplicate keys, block and
multi-line scalars, flow mappings, other document markers, tabs, CR line breaks and anything
that is not valid YAML are left to libyaml, which also gives every syntax error its message.

Why: libyaml hands each event to Python as an object with two marks; building the tree
from the lines directly takes about a fifth less time on large definitions.
"""
from __future__ import annotations

import re
from typing import Any

from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence

UNHANDLED: Any = object()
MAX_DEPTH = 100  # deeper documents go to libyaml, which enforces the loader's own limit

_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
# printable ASCII and newlines only; anything else (tabs, CR, controls, Unicode) → libyaml
_OUTSIDE = re.compile(r"[^\x20-\x7e\n]")
# a content line: indentation, then either a sequence dash or a plain key and its colon
_KEY = re.compile(r"([^-?:,\[\]{}#&*!|>'\"%@` ]|[-?:](?=[^ \n]))[^:#\n]*?(?<! ):(?= |$)")
# first characters of plain scalars that need no further look (no indicator, no space)
_SIMPLE_START = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<$._/(+=^~;")
_PLAIN_START = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ]|[-?:](?=[^ ,\[\]{}])")


class _Unhandled(Exception):
    pass


class _Reader:
    """Lines → nodes in one pass, with a stack of the open collections and their indents."""

    def __init__(self, resolve, construct):
        self.resolve = resolve  # plain text -> tag
        self.construct = construct  # (tag, text, line, column) -> value

    def read(self, text: str) -> Node:  # noqa: C901 - one loop over the lines
        stack: list[list] = []  # [indent, node, is_sequence] of each open collection
        root: Node | None = None
        pending: tuple | None = None  # a key whose value starts on a later line
        item_at = -1  # indent of a dash whose item starts on a later line (-1: none)
        limit = 1 << 30  # a line indented more than this continues a scalar: not handled
        started = False
        index = 0
        number = 0
        key_line = _KEY.match
        for raw in text.split("\n"):
            number += 1
            line_index = index
            index += len(raw) + 1
            body = raw.lstrip(" ")
            if not body or body[0] == "#":
                continue
            indent = len(raw) - len(body)
            if indent == 0 and body.startswith(("---", "...")):
                if body[:3] != "---" or started or root is not None \
                        or not self._tail_ok(body[3:]):
                    raise _Unhandled
                started = True
                continue
            position = line_index + indent
            if indent > limit or len(stack) > MAX_DEPTH:
                raise _Unhandled
            limit = 1 << 30
            while True:
                dash = body[0] == "-" and (len(body) == 1 or body[1] == " ")
                if pending is not None and (indent <= pending[0] and not (
                        dash and indent == pending[0])):
                    self._empty_value(pending)
                    pending = None
                if dash:
                    if pending is not None:  # the value of a key: a (maybe indentless) list
                        node = Sequence(number, indent + 1, position, None)
                        self._set(pending, node)
                        pending = None
                        stack.append([indent, node, True])
                    elif item_at >= 0:
                        if indent <= item_at:
                            raise _Unhandled
                        node = Sequence(number, indent + 1, position, None)
                        stack[-1][1].items.append(node)
                        stack.append([indent, node, True])
                    elif root is None:
                        root = Sequence(number, indent + 1, position, None)
                        stack.append([indent, root, True])
                    elif stack[-1][0] != indent or not stack[-1][2]:
                        self._close(stack, indent, True)
                    rest = body[1:].lstrip(" ")
                    item_at = indent
                    if not rest or rest[0] == "#":
                        break
                    shift = len(body) - len(rest)
                    indent += shift
                    position += shift
                    body = rest
                    continue
                key = key_line(body)
                if item_at >= 0:  # the item of the last dash
                    if indent <= item_at:
                        raise _Unhandled
                    if key is None:
                        if stack[-1][0] != item_at:
                            raise _Unhandled
                        stack[-1][1].items.append(self.inline(body, number, position,
                                                              indent + 1))
                        limit = item_at
                        item_at = -1
                        break
                    node = Mapping(number, indent + 1, position, None)
                    stack[-1][1].items.append(node)
                    stack.append([indent, node, False])
                    item_at = -1
                elif pending is not None:  # the value of the last key, a mapping
                    if key is None:
                        raise _Unhandled
                    node = Mapping(number, indent + 1, position, None)
                    self._set(pending, node)
                    pending = None
                    stack.append([indent, node, False])
                elif root is None:
                    if key is None or indent != 0:
                        raise _Unhandled
                    root = Mapping(number, 1, position, None)
                    stack.append([0, root, False])
                else:
                    if key is None:
                        raise _Unhandled
                    if stack[-1][0] != indent or stack[-1][2]:
                        self._close(stack, indent, False)
                ktext = key.group()[:-1]
                if ktext == "<<" or "#" in ktext:
                    raise _Unhandled
                mapping = stack[-1][1]
                if ktext in mapping.entries:
                    raise _Unhandled  # duplicate keys are left to libyaml
                knode = self.plain(ktext, number, indent + 1, position)
                rest = body[len(ktext) + 1:]
                value = rest.lstrip(" ")
                if value and value[0] != "#":
                    skip = len(ktext) + 1 + len(rest) - len(value)
                    vnode = self.inline(value, number, position + skip, indent + 1 + skip)
                    mapping.entries[ktext] = (knode, vnode)
                    limit = indent
                else:
                    colon = position + len(ktext)
                    pending = (indent, mapping, ktext, knode, number,
                               indent + len(ktext) + 2, colon + 1)
                    mapping.entries[ktext] = (knode, None)
                break
        if item_at >= 0:
            raise _Unhandled
        if pending is not None:
            self._empty_value(pending)
        self._close(stack, -1)
        if root is None:
            raise _Unhandled
        return root

    @staticmethod
    def _set(pending: tuple, node: Node) -> None:
        pending[1].entries[pending[2]] = (pending[3], node)

    def _empty_value(self, pending: tuple) -> None:
        _, _, _, _, number, column, index = pending
        self._set(pending, Scalar(number, column, index, None, None, "", "", _NULL, index,
                                  number))

    @staticmethod
    def _close(stack: list[list], indent: int, sequence: bool = False) -> None:
        """Close the collections indented deeper than `indent`, and one of the other kind at
        `indent` (an indentless list ends at its mapping's next key); their sizes are final.
        Checks that a collection of the wanted kind continues at `indent`."""
        while stack and (stack[-1][0] > indent
                         or (stack[-1][0] == indent and stack[-1][2] != sequence)):
            _, node, is_sequence = stack.pop()
            size = 1
            if is_sequence:
                for child in node.items:
                    size += child.size
            else:
                for _key, child in node.entries.values():
                    size += 1 + child.size
            node.size = size
        if indent >= 0 and (not stack or stack[-1][0] != indent):
            raise _Unhandled

    # -- scalars -----------------------------------------------------------------------------
    def plain(self, text: str, line: int, column: int, index: int) -> Scalar:
        tag = self.resolve(text)
        value = text if tag == _STR else self.construct(tag, text, line, column)
        return Scalar(line, column, index, None, value, text, "", tag, index + len(text), line)

    def inline(self, body: str, line: int, index: int, column: int) -> Node:
        """The value written on this line from `body` (which starts at `index`)."""
        first = body[0]
        if first in _SIMPLE_START and " #" not in body and ": " not in body \
                and body[-1] not in ": ":
            return self.plain(body, line, column, index)
        if first == "'":
            return self._quoted(body, line, index, column, "'")
        if first == '"':
            return self._quoted(body, line, index, column, '"')
        if first == "[":
            return self._flow(body, line, index, column)
        if not _PLAIN_START.match(body):
            raise _Unhandled
        cut = body.find(" #")
        text = (body if cut < 0 else body[:cut]).rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _Unhandled
        return self.plain(text, line, column, index)

    @staticmethod
    def _tail_ok(tail: str) -> bool:
        rest = tail.lstrip(" ")
        return not rest or (rest[0] == "#" and len(rest) < len(tail))

    def _quoted(self, body: str, line: int, index: int, column: int, quote: str) -> Scalar:
        if quote == '"':
            end = body.find('"', 1)
            if end < 0 or "\\" in body[:end]:
                raise _Unhandled
            text = body[1:end]
        else:
            end = 1
            while True:
                end = body.find("'", end)
                if end < 0:
                    raise _Unhandled
                if body.startswith("''", end):
                    end += 2
                    continue
                break
            text = body[1:end].replace("''", "'")
        if not self._tail_ok(body[end + 1:]):
            raise _Unhandled
        return Scalar(line, column, index, None, text, text, quote, _STR, index + end + 1, line)

    def _flow(self, body: str, line: int, index: int, column: int) -> Sequence:
        close = body.find("]")
        if close < 0 or not self._tail_ok(body[close + 1:]):
            raise _Unhandled
        inner = body[1:close]
        if any(c in inner for c in "[]{}#'\"&*!|>%@`?"):
            raise _Unhandled
        sequence = Sequence(line, column, index, None)
        if inner.strip(" "):
            offset = 1
            for part in inner.split(","):
                text = part.strip(" ")
                if not text or ":" in text or text[0] == "-" and text[1:2] in ("", " "):
                    raise _Unhandled
                lead = len(part) - len(part.lstrip(" "))
                start = offset + lead
                sequence.items.append(self.plain(text, line, column + start, index + start))
                offset += len(part) + 1
            sequence.size = 1 + len(sequence.items)
        return sequence


def scan(text: str, resolve, construct, max_size: int) -> Node | None:
    """The tree of `text`, or UNHANDLED. `resolve(text)` gives a plain scalar's tag and
    `construct(tag, text, line, column)` its value, as the loader's event loop does; a tree
    of more than `max_size` nodes is left to the loader's own check."""
    if _OUTSIDE.search(text):
        return UNHANDLED
    try:
        root = _Reader(resolve, construct).read(text)
    except _Unhandled:
        return UNHANDLED
    return UNHANDLED if root.size > max_size else root
