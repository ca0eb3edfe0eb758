"""Users' own Lambda functions in local mode, mapped to Python handlers by a config file.

Workflows call Lambda functions by name (`action: aws.lambda function_name=my-fn`, or actions
registered to functions). In local mode a file such as `stepwise.functions.yaml` says which
Python handler runs for each name, as a SAM template's Handler and CodeUri do:

    functions:
      my-fn:
        handler: my_module.handler   # module.attribute, as Lambda's Handler string
        code_dir: ./lambdas          # optional; relative to this file; default: its directory
        timeout: 30                  # optional; seconds, 1-900; default 3 (Lambda's)
        environment: {KEY: value}    # optional; os.environ while the handler runs

The file is YAML (JSON is valid YAML too). `deploy_user_functions(host, path)` checks all of it
before deploying anything: unknown keys are refused, the handler must be `module.attribute`,
`code_dir` must be a directory, and the module must import and the attribute be callable, so
a mistake fails at start rather than at the first invocation. Every error is a
`FunctionsConfigError` naming the file and the offending key.

Each function is then created (or updated) on the local AWS with `infra.local.sfn.deploy_lambda`
and runs in this process through `infra.local.lambda_adapter`. Limits of one process for all:
- `code_dir` is on `sys.path` only while the handler module is imported; that import may pull
  in modules beside it, but imports made later, inside the handler, must be importable from
  the process's own `sys.path`;
- Python keeps one module per name, so two functions whose handler modules (or their
  top-level packages) share a name but live in different directories are refused: rename one;
- the timeout is what `context.get_remaining_time_in_millis()` counts down from; it is not
  enforced; a changed handler file is not reloaded until local mode restarts;
- environment variables are shared while invocations overlap (see `lambda_adapter`).

Takes: a started `LocalAWS` (anything with `.client(service)`) and the file's path. Gives:
`deploy_user_functions(host, path) -> {name: function ARN}`, `load_functions_config(path) ->
list[UserFunction]` (checked, handlers imported, nothing deployed), `FunctionsConfigError`.
"""

from __future__ import annotations

import contextlib
import importlib
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from infra.local.lambda_adapter import HandlerLoadError, resolve_handler
from infra.local.sfn import deploy_lambda

ALLOWED_KEYS = ("handler", "code_dir", "timeout", "environment")
DEFAULT_TIMEOUT = 3
MAX_TIMEOUT = 900
_FUNCTION_NAME = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HANDLER = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)+")
_VARIABLE_NAME = re.compile(r"[A-Za-z]\w*")


class FunctionsConfigError(ValueError):
    """The functions config file is wrong; the message names the file and the key."""


@dataclass(frozen=True)
class UserFunction:
    """One checked entry of the file."""

    name: str
    handler: str
    code_dir: Path
    timeout: int = DEFAULT_TIMEOUT
    environment: dict[str, str] = field(default_factory=dict)


def _read(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise FunctionsConfigError(f"{path}: cannot read the functions config: {exc}") from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise FunctionsConfigError(f"{path}: not valid YAML: {exc}") from exc


def _environment(path: Path, where: str, value: Any) -> dict[str, str]:
    if not isinstance(value, dict):
        raise FunctionsConfigError(f"{path}: {where}: must be a mapping of NAME: value")
    variables: dict[str, str] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not _VARIABLE_NAME.fullmatch(key):
            raise FunctionsConfigError(
                f"{path}: {where}.{key}: a variable name is a letter then letters, digits or _")
        if isinstance(item, bool):  # before int: YAML's true/false, written as CloudFormation does
            variables[key] = "true" if item else "false"
        elif isinstance(item, (str, int, float)):
            variables[key] = str(item)
        else:
            raise FunctionsConfigError(
                f"{path}: {where}.{key}: must be a string or number, not {type(item).__name__}")
    return variables


def _function(path: Path, name: Any, spec: Any) -> UserFunction:
    where = f"functions.{name}"
    if not isinstance(name, str) or not _FUNCTION_NAME.fullmatch(name):
        raise FunctionsConfigError(
            f"{path}: {where}: a function name is 1-64 letters, digits, - or _")
    if not isinstance(spec, dict):
        raise FunctionsConfigError(f"{path}: {where}: must be a mapping with a handler")
    unknown = sorted(str(key) for key in spec if key not in ALLOWED_KEYS)
    if unknown:
        raise FunctionsConfigError(f"{path}: {where}: unknown key {unknown[0]!r} "
                                   f"(allowed: {', '.join(ALLOWED_KEYS)})")
    handler = spec.get("handler")
    if not isinstance(handler, str) or not _HANDLER.fullmatch(handler):
        raise FunctionsConfigError(
            f"{path}: {where}.handler: must be module.attribute (e.g. my_module.handler), "
            f"got {handler!r}")
    code_dir = path.parent
    if "code_dir" in spec:
        if not isinstance(spec["code_dir"], str) or not spec["code_dir"]:
            raise FunctionsConfigError(f"{path}: {where}.code_dir: must be a directory path")
        code_dir = path.parent / spec["code_dir"]
        if not code_dir.is_dir():
            raise FunctionsConfigError(
                f"{path}: {where}.code_dir: {code_dir} is not a directory")
    timeout = spec.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int) \
            or not 1 <= timeout <= MAX_TIMEOUT:
        raise FunctionsConfigError(
            f"{path}: {where}.timeout: must be whole seconds from 1 to {MAX_TIMEOUT}, "
            f"got {timeout!r}")
    environment = _environment(path, f"{where}.environment", spec.get("environment", {}))
    return UserFunction(name, handler, code_dir.resolve(), timeout, environment)


@contextlib.contextmanager
def _on_sys_path(directory: Path) -> Iterator[None]:
    entry = str(directory)
    added = entry not in sys.path
    if added:
        sys.path.insert(0, entry)
    try:
        yield
    finally:
        if added:
            sys.path.remove(entry)


def _locations(module: Any) -> list[Path]:
    if getattr(module, "__file__", None):
        return [Path(module.__file__).resolve()]
    return [Path(entry).resolve() for entry in getattr(module, "__path__", [])]


def _import_handler(path: Path, function: UserFunction) -> None:
    """Import the handler as the Lambda adapter will, from code_dir; raise if it cannot."""
    where = f"{path}: functions.{function.name}.handler"
    importlib.invalidate_caches()  # code_dir's files may be newer than the import system's view
    with _on_sys_path(function.code_dir):
        try:
            resolve_handler(function.handler)
        except HandlerLoadError as exc:
            raise FunctionsConfigError(f"{where}: {exc} (code_dir {function.code_dir})") from exc
    top = function.handler.split(".")[0]
    in_code_dir = (function.code_dir / f"{top}.py").is_file() or (function.code_dir / top).is_dir()
    places = _locations(sys.modules[top])
    if in_code_dir and not any(place.is_relative_to(function.code_dir) for place in places):
        raise FunctionsConfigError(
            f"{where}: module {top!r} is already loaded from {places[0] if places else '?'}, "
            f"not from {function.code_dir}; local mode runs every function in one process, "
            "where modules of the same name collide: rename one")


def load_functions_config(config_path: str | Path) -> list[UserFunction]:
    """The checked functions of the file, their handlers imported; raises
    FunctionsConfigError on the first problem."""
    path = Path(config_path).resolve()
    document = _read(path)
    if not isinstance(document, dict) or "functions" not in document:
        raise FunctionsConfigError(f"{path}: must be a mapping with a 'functions' key")
    unknown = sorted(str(key) for key in document if key != "functions")
    if unknown:
        raise FunctionsConfigError(
            f"{path}: unknown top-level key {unknown[0]!r} (allowed: functions)")
    entries = document["functions"]
    if not isinstance(entries, dict):
        raise FunctionsConfigError(f"{path}: functions: must be a mapping of function names")
    functions = [_function(path, name, spec) for name, spec in entries.items()]
    for function in functions:
        _import_handler(path, function)
    return functions


def deploy_user_functions(host: Any, config_path: str | Path) -> dict[str, str]:
    """Check the file, then create or update each function on the local AWS; gives
    {function name: function ARN}."""
    return {
        function.name: deploy_lambda(host, function.name, function.handler,
                                     timeout=function.timeout,
                                     environment=function.environment)
        for function in load_functions_config(config_path)
    }
