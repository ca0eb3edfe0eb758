"""Static facts about transition guards.

Takes the guard texts of one clause; tells whether at most one of them can be true at a time
(`exclusive`), which lets a clause like ``- a: <% $.x = 1 %>`` / ``- b: <% $.x = 2 %>`` or
``<% c %>`` / ``<% not c %>`` compile to one Choice state instead of a Parallel of guarded
branches. Only shapes that are certainly exclusive are recognised; anything else is treated
as possibly overlapping, which is always correct.
"""
from __future__ import annotations

import re
from itertools import combinations

_COMPARISON = re.compile(r"^(?P<lhs>.+?)\s*(?P<op>==|!=|<=|>=|=|<|>)\s*(?P<rhs>[^=<>!]+)$")
_LITERAL = re.compile(r"""^(-?\d+(\.\d+)?|'[^']*'|"[^"]*"|true|false|null|True|False|None)$""")
_COMPLEMENT = {("<=", ">"), (">", "<="), ("<", ">="), (">=", "<"), ("=", "!="), ("!=", "=")}


def _body(text: str) -> str:
    text = text.strip()
    for opening, closing in (("<%", "%>"), ("{{", "}}")):
        if text.startswith(opening) and text.endswith(closing):
            text = text[len(opening):-len(closing)]
    text = " ".join(text.split())
    while text.startswith("(") and text.endswith(")") and _balanced(text[1:-1]):
        text = text[1:-1].strip()
    return text


def _balanced(text: str) -> bool:
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


_CONNECTIVE = re.compile(r"\s(or|and)\s")


def _simple(text: str) -> bool:
    """No `and` / `or` outside parentheses (where `not` or a comparison would bind tighter)."""
    depth = 0
    for match in _CONNECTIVE.finditer(text):
        depth = sum({"(": 1, ")": -1}.get(c, 0) for c in text[:match.start()])
        if depth == 0:
            return False
    return True


def _negation(text: str) -> str | None:
    if text.startswith("not "):
        rest = text[4:].strip()
        whole = rest.startswith("(") and rest.endswith(")") and _balanced(rest[1:-1])
        if whole or _simple(rest):
            return _body(rest)
    return None


def _literal(text: str) -> object:
    """A literal's value, so that 1 and 1.0, or True and true, compare equal."""
    text = text.strip()
    if text[:1] in "'\"":
        return ("str", text[1:-1])
    lowered = {"true": True, "false": False, "null": None, "none": None}
    if text.lower() in lowered:
        return ("const", lowered[text.lower()])
    return ("num", float(text))


def _pair_exclusive(a: str, b: str) -> bool:
    if _negation(a) == b or _negation(b) == a:
        return True
    if not (_simple(a) and _simple(b)):
        return False
    left, right = _COMPARISON.match(a), _COMPARISON.match(b)
    if not left or not right or left["lhs"].strip() != right["lhs"].strip():
        return False
    ops = (left["op"].replace("==", "="), right["op"].replace("==", "="))
    rhs = (left["rhs"].strip(), right["rhs"].strip())
    if ops in _COMPLEMENT and rhs[0] == rhs[1]:
        return True
    return (ops == ("=", "=") and all(_LITERAL.match(r) for r in rhs)
            and _literal(rhs[0]) != _literal(rhs[1]))


def exclusive(guards: list[str]) -> bool:
    """True when no two of the guards can be true together."""
    bodies = [_body(g) for g in guards]
    return all(_pair_exclusive(a, b) for a, b in combinations(bodies, 2))
