"""In-process Lambda functions for moto's Docker-free Lambda backend.

With `{"lambda": {"use_docker": false}}` moto answers Invoke from `LambdaSimpleBackend`, which
echoes the payload back. `InProcessLambdaBackend.invoke` instead imports the function's
`Handler` ("package.module.function", resolved from sys.path) and calls it in this process with
(event, context):
- a return value becomes the JSON payload;
- a raised exception becomes a function error: header `X-Amz-Function-Error: Unhandled` and
  payload `{"errorMessage", "errorType", "stackTrace"}`, so Step Functions Retry/Catch match the
  exception's class name (and `States.TaskFailed`);
- InvocationType `Event` runs the handler on a background thread and answers at once;
- the function's environment variables are in `os.environ` while its handler runs. All
  functions share this process's environment: when invocations overlap, a variable both set
  has the value of the one that started last, and each variable gets its earlier value back
  once no running invocation sets it.

Takes: nothing at import. Gives: `install()`, which swaps moto's lookup table
`moto.awslambda_simple.models.lambda_simple_backends` for one holding this backend.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import threading
import time
import traceback
import uuid
from collections.abc import Iterator
from typing import Any, Callable

from infra.local.moto_guard import require, require_module

_SIMPLE_MODULE = "moto.awslambda_simple.models"

_handler_cache: dict[str, Callable[[Any, Any], Any]] = {}
_handler_lock = threading.Lock()


class HandlerLoadError(Exception):
    """The function's Handler string cannot be imported."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type


class LocalLambdaContext:
    """The parts of the Lambda context object handlers commonly read."""

    def __init__(self, function: Any) -> None:
        self.function_name: str = function.function_name
        self.function_version: str = str(getattr(function, "version", "$LATEST"))
        self.invoked_function_arn: str = function.function_arn
        self.memory_limit_in_mb: int = int(getattr(function, "memory_size", 128) or 128)
        self.aws_request_id: str = str(uuid.uuid4())
        self.log_group_name: str = f"/aws/lambda/{function.function_name}"
        self.log_stream_name: str = f"local/{self.aws_request_id}"
        self.environment: dict[str, str] = dict(getattr(function, "environment_vars", {}) or {})
        timeout_seconds = float(getattr(function, "timeout", 3) or 3)
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before the function's configured timeout (not enforced locally)."""
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def resolve_handler(handler: str | None) -> Callable[[Any, Any], Any]:
    """Takes "package.module.function"; gives the callable (cached), or raises HandlerLoadError."""
    if not handler or "." not in handler:
        raise HandlerLoadError(
            "Runtime.HandlerNotFound", f"Bad handler '{handler}': expected module.function"
        )
    with _handler_lock:
        cached = _handler_cache.get(handler)
    if cached is not None:
        return cached
    module_name, _, attribute = handler.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:
        raise HandlerLoadError(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {exc}"
        ) from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise HandlerLoadError(
            "Runtime.HandlerNotFound", f"Handler '{attribute}' missing on module '{module_name}'"
        )
    with _handler_lock:
        _handler_cache[handler] = function
    return function


class _SharedEnvironment:
    """Functions' environment variables layered onto os.environ while invocations run."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._layers: list[dict[str, str]] = []  # running invocations' variables, oldest first
        self._saved: dict[str, str | None] = {}  # values from before any layer set the key

    def _push(self, variables: dict[str, str]) -> None:
        with self._lock:
            for key, value in variables.items():
                self._saved.setdefault(key, os.environ.get(key))
                os.environ[key] = value
            self._layers.append(variables)

    def _pop(self, variables: dict[str, str]) -> None:
        with self._lock:
            # Identity, not equality: two invocations may carry equal variables.
            index = next(i for i, layer in enumerate(self._layers) if layer is variables)
            del self._layers[index]
            for key in variables:
                still = [layer[key] for layer in self._layers if key in layer]
                if still:
                    os.environ[key] = still[-1]
                    continue
                previous = self._saved.pop(key)
                if previous is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = previous

    @contextlib.contextmanager
    def applied(self, variables: dict[str, str]) -> Iterator[None]:
        """`variables` in os.environ for the duration of the block."""
        if not variables:
            yield
            return
        layer = dict(variables)
        self._push(layer)
        try:
            yield
        finally:
            self._pop(layer)


_environment = _SharedEnvironment()


def _error_payload(error_type: str, message: str, stack: list[str]) -> bytes:
    return json.dumps(
        {"errorMessage": message, "errorType": error_type, "stackTrace": stack}
    ).encode("utf-8")


def _decode_event(body: Any) -> Any:
    if body is None or body == b"" or body == "":
        return {}
    text = body.decode("utf-8") if isinstance(body, (bytes, bytearray)) else str(body)
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def run_handler(function: Any, body: Any) -> tuple[bytes, bool]:
    """Call `function`'s handler with the decoded body; gives (payload bytes, is_function_error)."""
    try:
        handler = resolve_handler(function.handler)
    except HandlerLoadError as exc:
        return _error_payload(exc.error_type, str(exc), []), True
    event = _decode_event(body)
    context = LocalLambdaContext(function)
    try:
        with _environment.applied(context.environment):
            result = handler(event, context)
    except Exception as exc:  # a raised exception is the function's error, as on Lambda
        stack = traceback.format_tb(exc.__traceback__.tb_next if exc.__traceback__ else None)
        return _error_payload(exc.__class__.__name__, str(exc), stack), True
    try:
        return json.dumps(result).encode("utf-8"), False
    except (TypeError, ValueError) as exc:
        message = f"Unable to marshal response: {exc}"
        return _error_payload("Runtime.MarshalError", message, []), True


def _header(headers: Any, name: str) -> str | None:
    if headers is None:
        return None
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower())
    return value


def _make_backend_class() -> type:
    simple_backend = require(_SIMPLE_MODULE, "LambdaSimpleBackend")

    class InProcessLambdaBackend(simple_backend):  # type: ignore[misc, valid-type]
        """moto's Lambda backend whose Invoke runs the Handler in this process."""

        def invoke(
            self,
            function_name: str,
            qualifier: str | None,
            body: Any,
            headers: Any,
            response_headers: Any,
        ) -> bytes | None:
            function = self.get_function(function_name, qualifier)
            invocation_type = _header(headers, "X-Amz-Invocation-Type") or "RequestResponse"
            if invocation_type == "DryRun":
                return b""
            if invocation_type == "Event":
                worker = threading.Thread(
                    target=run_handler, args=(function, body), daemon=True,
                    name=f"local-lambda-{function.function_name}",
                )
                worker.start()
                return b""
            payload, failed = run_handler(function, body)
            if failed:
                response_headers["x-amz-function-error"] = "Unhandled"
            version = str(getattr(function, "version", "$LATEST"))
            response_headers["x-amz-executed-version"] = version
            return payload

    InProcessLambdaBackend.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return InProcessLambdaBackend


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter replaces are missing."""
    require(_SIMPLE_MODULE, "LambdaSimpleBackend.invoke")
    require(_SIMPLE_MODULE, "lambda_simple_backends")
    require("moto.core.base_backend", "BackendDict")
    require("moto.awslambda.utils", "get_backend")


def install() -> None:
    """Point moto's Docker-free Lambda lookup at InProcessLambdaBackend (idempotent)."""
    check()
    module = require_module(_SIMPLE_MODULE)
    if getattr(module.lambda_simple_backends, "__stepwise_patched__", False):
        return
    backend_dict_type = require("moto.core.base_backend", "BackendDict")
    backends = backend_dict_type(_make_backend_class(), "lambda")
    backends.__stepwise_patched__ = True
    module.lambda_simple_backends = backends
