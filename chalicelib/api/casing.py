"""Key casing: Civis clients send snake_case (python client) or camelCase (CLI) at any depth;
responses are camelCase."""
from __future__ import annotations

import re
from typing import Any


class DuplicateKey(ValueError):
    """One mapping names the same field twice (e.g. ``timeZone`` and ``time_zone``)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def snake(name: str) -> str:
    """``allowConcurrentExecutions`` → ``allow_concurrent_executions`` (snake stays snake)."""
    return _BOUNDARY.sub("_", name).lower() if any(c.isupper() for c in name) else name


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def snake_keys(value: Any, *, keep: frozenset[str] = frozenset()) -> Any:
    """Gives `value` with every mapping key snake_cased, recursively; the values under keys
    named in `keep` (user data such as an execution's ``input``) are left as they are."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            name = snake(key)
            if name in result:
                raise DuplicateKey(name)
            result[name] = item if name in keep else snake_keys(item, keep=keep)
        return result
    if isinstance(value, list):
        return [snake_keys(item, keep=keep) for item in value]
    return value


def camel_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {camel(k): camel_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [camel_keys(item) for item in value]
    return value
