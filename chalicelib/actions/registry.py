"""Registered actions: actions a deployment maps to its own Lambda functions.

Takes: the action name, the function name or ARN it is registered to (from
STEPWISE_ACTION_REGISTRY) and the action input. Gives (`invoke`): the function's JSON result,
invoked synchronously (RequestResponse) with the input as payload. Raises `ActionFailed` when
the function raises (its error type and message) or cannot be invoked.
"""
from __future__ import annotations

import json
from typing import Any

from . import clients
from .errors import ActionFailed


def _decode(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode("utf-8", errors="replace")


def invoke(action: str, function: str, payload: Any, *, client: Any = None) -> Any:
    """Runs `action` on Lambda function `function` with `payload`; gives its result."""
    from botocore.exceptions import BotoCoreError, ClientError

    lambda_client = client or clients.client("lambda")
    try:
        answer = lambda_client.invoke(FunctionName=function, InvocationType="RequestResponse",
                                      Payload=json.dumps(payload).encode("utf-8"))
        result = _decode(answer["Payload"].read())
    except ClientError as error:
        code = error.response.get("Error", {}).get("Code", "error")
        raise ActionFailed(f"action '{action}': cannot invoke function '{function}' "
                           f"({code})") from None
    except BotoCoreError as error:
        raise ActionFailed(f"action '{action}': cannot invoke function '{function}' "
                           f"({type(error).__name__})") from None
    if answer.get("FunctionError"):
        if isinstance(result, dict):
            kind = result.get("errorType", "Error")
            message = result.get("errorMessage", "")
        else:
            kind, message = "Error", str(result or "")
        raise ActionFailed(f"action '{action}' failed in function '{function}': "
                           f"{kind}: {message}")
    return result
