"""Lambda handlers standing in for a deployment's registered actions (run in-process).

Each takes (event, context) like a Lambda handler and gives a JSON value or raises.
"""
from __future__ import annotations

from typing import Any


class AcmeError(Exception):
    """The error a registered action raises."""


def acme_do(event: Any, context: Any) -> dict[str, Any]:
    """Gives the event back with the function's name."""
    return {"got": event, "function": context.function_name}


def acme_fail(event: Any, context: Any) -> None:
    """Always raises AcmeError."""
    raise AcmeError(f"acme refused {event.get('n')}")
