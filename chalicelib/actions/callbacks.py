"""The callbacks function: stores the task token of a paused or async task.

Compiled state machines invoke it with `.waitForTaskToken` and the payload
`{"token", "kind": "pause" | "pause_before" | "async", "task", "execution"}`; the task then
waits until the engine sends SendTaskSuccess/Failure with the stored token.

Takes: that event (and the Lambda context, unused). Gives: nothing; raises `ActionInputError`
for a malformed event, so the task fails at once instead of waiting forever.
"""
from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from .errors import ActionInputError
from .tokens import TaskToken, token_store

KINDS = frozenset({"pause", "pause_before", "async"})


def parse_event(event: object) -> TaskToken:
    """Takes the callbacks event; gives the TaskToken to store."""
    if not isinstance(event, Mapping):
        raise ActionInputError("callbacks event must be an object")
    fields = {}
    for name in ("token", "kind", "task", "execution"):
        value = event.get(name)
        if not isinstance(value, str) or not value:
            raise ActionInputError(f"callbacks event needs a non-empty string '{name}'")
        fields[name] = value
    if fields["kind"] not in KINDS:
        raise ActionInputError(f"callbacks event kind must be one of {', '.join(sorted(KINDS))}")
    return TaskToken(stored_at=time.time(), **fields)


def handler(event: Any, context: Any) -> None:
    """Lambda entry point: stores the event's token in the configured TokenStore; a pause
    also marks the execution paused, so the API shows it and accepts a resume."""
    record = parse_event(event)
    token_store().put(record)
    if record.kind in ("pause", "pause_before"):
        from chalicelib.service.executions import mark_paused

        mark_paused(record.execution)
