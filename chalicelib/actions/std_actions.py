"""The actions function: runs the actions compiled tasks cannot run inside Step Functions.

Takes (`handler`): the event `{"action": name, "input": {...}, "task": ..., "execution": ...}`
compiled state machines send, and the Lambda context (unused). Gives: the task result. A raised
error fails the task; its class name is the error name workflows catch (see `errors`).

Dispatch (`run_action`), in order:
- `std.noop` (null), `std.echo` (its `output`), `std.fail` (raises error "std.fail" with
  `error_data` as cause), in case a deployment routes them here;
- actions in the action registry (STEPWISE_ACTION_REGISTRY): the mapped Lambda function;
- `std.http` (`http_action`) and `std.email` (`email_action`);
- anything else, Civis job actions (`civis.*`) included: `ActionNotRegistered`.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from chalicelib import config

from . import email_action, http_action, registry
from .errors import ActionInputError, ActionNotRegistered, WorkflowFail

DEFAULT_FAIL_CAUSE = "Fail action expected exception."


def _echo(params: Mapping[str, Any]) -> Any:
    return params.get("output")


def _noop(params: Mapping[str, Any]) -> None:
    return None


def _fail(params: Mapping[str, Any]) -> None:
    data = params.get("error_data")
    if data is None:
        raise WorkflowFail(DEFAULT_FAIL_CAUSE)
    raise WorkflowFail(data if isinstance(data, str) else json.dumps(data))


def _http(params: Mapping[str, Any]) -> Any:
    return http_action.run(params, allow_loopback=config.resolve_http_allow_loopback())


INLINE: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "std.noop": _noop, "std.echo": _echo, "std.fail": _fail,
}
BUILT_IN: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "std.http": _http, "std.email": email_action.send,
}


def parse_event(event: object) -> tuple[str, dict[str, Any]]:
    """Takes the actions event; gives (action name, input object)."""
    if not isinstance(event, Mapping):
        raise ActionInputError("actions event must be an object")
    action = event.get("action")
    if not isinstance(action, str) or not action:
        raise ActionInputError("actions event needs a non-empty string 'action'")
    params = event.get("input")
    if params is None:
        params = {}
    if not isinstance(params, dict):
        raise ActionInputError(f"input of action '{action}' must be an object")
    return action, params


def run_action(action: str, params: dict[str, Any],
               action_registry: Mapping[str, str] | None = None) -> Any:
    """Runs `action` on `params`; gives its result (see the module docstring for the order)."""
    inline = INLINE.get(action)
    if inline is not None:
        return inline(params)
    function = config.resolve_action_registry(action_registry).get(action)
    if function is not None:
        return registry.invoke(action, function, params)
    built_in = BUILT_IN.get(action)
    if built_in is not None:
        return built_in(params)
    raise ActionNotRegistered(action)


def handler(event: Any, context: Any) -> Any:
    """Lambda entry point of the actions function."""
    action, params = parse_event(event)
    return run_action(action, params)
