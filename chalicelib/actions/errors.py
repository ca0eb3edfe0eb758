"""Errors the action functions raise; each class name is the error name Step Functions sees.

A handler that raises fails its task: Lambda reports the exception's class name as the error
(matched by the workflow's Retry/Catch) and its message as the cause. Messages therefore name
what went wrong and how to fix it, and never include secrets: no passwords, no header values,
no URL credentials or query strings.
"""
from __future__ import annotations

from chalicelib.errors import StepwiseError


class ActionError(StepwiseError):
    """Base of every error an action function raises on purpose."""

    code = "action_error"


class ActionInputError(ActionError):
    """The action's input is missing a required value or holds one of the wrong shape."""

    status = 400
    code = "action_input_error"


class ForbiddenTarget(ActionInputError):
    """A URL whose scheme or resolved address this deployment refuses to call."""

    code = "forbidden_target"


class ActionNotRegistered(ActionError):
    """An action this deployment cannot run: not built in and not in the action registry."""

    status = 400
    code = "action_not_registered"

    def __init__(self, action: str):
        super().__init__(
            f"action '{action}' is not registered in this deployment; map it to a Lambda "
            "function in STEPWISE_ACTION_REGISTRY"
        )
        self.action = action


class ActionFailed(ActionError):
    """A registered action's Lambda function failed (raised, or could not be invoked)."""

    code = "action_failed"


class HttpError(ActionError):
    """std.http got a response with status >= 400; carries the Mistral-shaped result."""

    code = "http_error"

    def __init__(self, message: str, result: dict):
        super().__init__(message)
        self.result = result
        self.status_code = int(result.get("status", 0))


class HttpTimeout(ActionError):
    """std.http got no complete response within its timeout."""

    code = "http_timeout"


class HttpConnectionError(ActionError):
    """std.http could not resolve the host, connect, or read the response."""

    code = "http_connection_error"


class EmailNotSent(ActionError):
    """std.email was refused by the mail service (e.g. an unverified sender)."""

    code = "email_not_sent"


class WorkflowFail(ActionError):
    """std.fail run by the actions function; reported under the name "std.fail".

    The compiler turns std.fail into a Fail state with error "std.fail"; the class is renamed
    so a registry that routes std.fail here gives workflows the same error name to catch.
    """

    code = "std_fail"


WorkflowFail.__name__ = "std.fail"
WorkflowFail.__qualname__ = "std.fail"
