"""Task options with a syntax of their own: with-items, retry and join.

Each parser takes the option's node and gives its normalised value (`WithItem`s, a
`RetryPolicy`, ``"all"`` or an int), or None after reporting what is wrong.
"""

from __future__ import annotations

import re
from typing import Any

from chalicelib.language.context import Context, Path, Scope
from chalicelib.language.inline import parse_inline
from chalicelib.language.loader import LoadError, parse
from chalicelib.language.model import Position, RetryPolicy, WithItem
from chalicelib.language.nodes import Mapping, Node, Scalar, Sequence, describe, to_python
from chalicelib.language.schema import RETRY_KEYS, is_template

_WITH_ITEMS = re.compile(r"\s*([A-Za-z_][\w-]*)\s+in\s+(\S.*?)\s*\Z", re.S)
_FIX_WITH_ITEMS = "write with-items: name in <% $.list %> (or name in [1, 2, 3])"


def parse_with_items(
    ctx: Context, node: Node, path: Path, scope: Scope
) -> tuple[WithItem, ...] | None:
    items = node.items if isinstance(node, Sequence) else [node]
    if not items:
        ctx.problem(node, path, "with-items needs at least one 'name in list'", _FIX_WITH_ITEMS)
        return None
    result: list[WithItem] = []
    for index, item in enumerate(items):
        where = (*path, str(index)) if isinstance(node, Sequence) else path
        text = item.value if isinstance(item, Scalar) and isinstance(item.value, str) else None
        match = _WITH_ITEMS.match(text) if text is not None else None
        if match is None:
            ctx.problem(
                item,
                where,
                f"with-items must be 'name in <% list %>', not {describe(item)}",
                _FIX_WITH_ITEMS,
            )
            return None
        name, rest = match.group(1), match.group(2)
        if any(existing.name == name for existing in result):
            ctx.problem(
                item, where, f"with-items names '{name}' twice", "give each list its own name"
            )
            return None
        if is_template(rest):
            ctx.checker.template(item, where, rest, match.start(2), scope.tasks, scope.workflow)
            result.append(WithItem(name, rest))
            continue
        literal = None
        if rest.startswith("["):
            try:
                root, _source = parse(rest)
                literal = to_python(root) if isinstance(root, Sequence) else None
            except LoadError:
                literal = None
        if literal is None:
            ctx.problem(
                item,
                where,
                f"with-items list {rest!r} is neither an expression nor a list",
                _FIX_WITH_ITEMS,
                offset=match.start(2),
            )
            return None
        result.append(WithItem(name, literal))
    return tuple(result)


def parse_retry(ctx: Context, node: Node, path: Path, scope: Scope) -> RetryPolicy | None:
    found: dict[str, tuple[Any, Node, int | None]] = {}
    if isinstance(node, Mapping):
        ctx.unknown_keys(node, path, RETRY_KEYS, "retry")
        for key, _k, value in node.items():
            if key in RETRY_KEYS:
                found[key] = (to_python(value), value, None)
    elif (
        isinstance(node, Scalar)
        and isinstance(node.value, str)
        and not node.value.lstrip().startswith(("<%", "{{"))
    ):
        inline = parse_inline(node.value, has_name=False)
        if inline.error:
            ctx.problem(
                node,
                path,
                f"cannot read retry: {inline.error[0]}",
                "write retry: count=3 delay=10",
                offset=inline.error[1],
            )
            return None
        for key, value in inline.params.items():
            if key not in RETRY_KEYS:
                ctx.problem(
                    node,
                    (*path, key),
                    f"unknown retry parameter '{key}'",
                    "use count, delay, break-on and continue-on",
                    key=key,
                    offset=inline.offsets[key] - len(key) - 1,
                )
            else:
                found[key] = (value, node, inline.offsets[key])
    else:
        ctx.problem(
            node,
            path,
            f"retry must be a mapping or 'count=N delay=S', not {describe(node)}",
            "write retry: {count: 3, delay: 10}",
        )
        return None
    if "count" not in found:
        ctx.problem(
            node, path, "retry needs a count", "add count: N (retries after the first attempt)"
        )
        return None
    count = ctx.number(*found["count"][:2], (*path, "count"), scope, 0, found["count"][2])
    delay = (
        ctx.number(*found["delay"][:2], (*path, "delay"), scope, 0, found["delay"][2])
        if "delay" in found
        else 0
    )
    extra = {}
    for key in ("break-on", "continue-on"):
        if key in found:
            extra[key] = ctx.expression(*found[key][:2], (*path, key), scope, found[key][2])
            if extra[key] is None:
                return None
    if count is None or delay is None:
        return None
    return RetryPolicy(
        count,
        delay,
        extra.get("break-on"),
        extra.get("continue-on"),
        Position(node.line, node.column),
    )


def parse_join(ctx: Context, node: Node, path: Path) -> str | int | None:
    value = node.value if isinstance(node, Scalar) else None
    if value == "all":
        return "all"
    if value == "one":
        return 1
    if isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return value
    ctx.problem(
        node,
        path,
        f"join must be all, one or a whole number of at least 1, not {describe(node)}",
        "write join: all (wait for every inbound task) or join: N",
    )
    return None
