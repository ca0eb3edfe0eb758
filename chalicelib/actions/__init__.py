"""Lambda handlers compiled tasks invoke: the actions function and the callbacks function.

- `actions_handler` (`std_actions.handler`): std.http, std.email, registered actions;
- `callbacks_handler` (`callbacks.handler`): stores task tokens of paused / async tasks;
- the typed errors those raise, and the token stores.
"""
from __future__ import annotations

from .callbacks import handler as callbacks_handler
from .errors import (
    ActionError,
    ActionFailed,
    ActionInputError,
    ActionNotRegistered,
    EmailNotSent,
    ForbiddenTarget,
    HttpConnectionError,
    HttpError,
    HttpTimeout,
    WorkflowFail,
)
from .std_actions import handler as actions_handler
from .std_actions import run_action
from .tokens import DynamoTokenStore, MemoryTokenStore, TaskToken, TokenStore, token_store

__all__ = [
    "ActionError",
    "ActionFailed",
    "ActionInputError",
    "ActionNotRegistered",
    "DynamoTokenStore",
    "EmailNotSent",
    "ForbiddenTarget",
    "HttpConnectionError",
    "HttpError",
    "HttpTimeout",
    "MemoryTokenStore",
    "TaskToken",
    "TokenStore",
    "WorkflowFail",
    "actions_handler",
    "callbacks_handler",
    "run_action",
    "token_store",
]
