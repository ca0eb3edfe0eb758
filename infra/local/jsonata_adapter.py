"""JSONata for moto's Step Functions interpreter, evaluated by the pure-Python jsonata package.

moto composes every JSONata expression as one string: `(<declarations><expression>)`, where the
declarations bind `$states`, the ASL variables (`Assign`) and a few AWS helper functions. moto
ships no evaluator, and its declaration encoder writes string values without escaping them.

This module replaces both halves:
- `encode_declarations` writes each binding as a marked, length-prefixed JSON segment (so any
  value round-trips exactly, quotes, backslashes and newlines included);
- `evaluate` cuts those segments out, parses the remaining expression once (cached), binds the
  values as JSONata variables and evaluates; results are normalised through JSON (integral
  floats become ints, as JSON numbers print in JavaScript);
- `$uuid()` and `$hash(value[, algorithm])` are real functions;
- an evaluation error (including `$error("msg")`) surfaces as `States.QueryEvaluationError`,
  which Retry/Catch can handle.

Takes: nothing at import. Gives: `install()` which patches moto (call through
`infra.local.adapters.install_adapters`).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import uuid
from typing import Any, Callable

import jsonata as jsonata_lib

from infra.local.moto_guard import require, require_module

_PKG = "moto.stepfunctions.parser.asl"
_JSONATA_MODULE = f"{_PKG}.jsonata.jsonata"
_STRING_EXPRESSION_MODULE = f"{_PKG}.component.common.string.string_expression"
_INTRINSIC_MODULE = f"{_PKG}.component.intrinsic.jsonata"
# Modules that import `encode_jsonata_variable_declarations` by name.
_ENCODER_USERS = (_JSONATA_MODULE, f"{_PKG}.eval.states", f"{_PKG}.eval.variable_store")

QUERY_EVALUATION_ERROR = "States.QueryEvaluationError"

# A binding segment: MARK name SEP length SEP json-text. The mark uses control characters that
# cannot occur in moto's own declarations and would never be typed in an ASL expression.
_MARK = "\x1e\x1d@binding:"
_SEP = "\x1f"
_MAX_SAFE_INTEGER = 2**53


# -- encoding ----------------------------------------------------------------------------------


def _to_json_text(value: Any) -> str:
    """Compact JSON for a bound value (datetimes as ISO strings, as moto does elsewhere)."""
    return json.dumps(value, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    isoformat = getattr(value, "isoformat", None)
    if callable(isoformat):
        return isoformat()
    return str(value)


def encode_declarations(bindings: dict[str, Any]) -> str:
    """Takes {"$name": value}; gives the marked segments `evaluate` turns back into bindings."""
    parts: list[str] = []
    for reference, value in bindings.items():
        name = reference[1:] if reference.startswith("$") else reference
        text = _to_json_text(value)
        parts.append(f"{_MARK}{name}{_SEP}{len(text)}{_SEP}{text}")
    return "".join(parts)


def split_bindings(rich_expression: str) -> tuple[str, dict[str, str]]:
    """Takes a composed expression; gives (expression without segments, {name: json text})."""
    position = rich_expression.find(_MARK)
    if position < 0:
        return rich_expression, {}
    pieces: list[str] = []
    texts: dict[str, str] = {}
    cursor = 0
    while position >= 0:
        pieces.append(rich_expression[cursor:position])
        name_start = position + len(_MARK)
        name_end = rich_expression.index(_SEP, name_start)
        length_end = rich_expression.index(_SEP, name_end + 1)
        length = int(rich_expression[name_end + 1 : length_end])
        text_start = length_end + 1
        cursor = text_start + length
        # A later binding of the same name wins, as a later `:=` would.
        texts[rich_expression[name_start:name_end]] = rich_expression[text_start:cursor]
        position = rich_expression.find(_MARK, cursor)
    pieces.append(rich_expression[cursor:])
    return "".join(pieces), texts


# -- evaluation --------------------------------------------------------------------------------


def _uuid() -> str:
    return str(uuid.uuid4())


_HASH_ALGORITHMS = {
    "MD5": "md5",
    "SHA-1": "sha1",
    "SHA-256": "sha256",
    "SHA-384": "sha384",
    "SHA-512": "sha512",
}


def _hash(value: Any, algorithm: Any = "SHA-256") -> str:
    if not isinstance(value, str):
        raise ValueError("$hash expects a string as its first argument")
    name = _HASH_ALGORITHMS.get(str(algorithm))
    if name is None:
        raise ValueError(
            f"$hash algorithm must be one of {', '.join(_HASH_ALGORITHMS)}, got {algorithm!r}"
        )
    return hashlib.new(name, value.encode("utf-8")).hexdigest()


_NATIVE_FUNCTIONS: dict[str, Callable[..., Any]] = {"uuid": _uuid, "hash": _hash}
_NATIVE_FUNCTIONS_BOUND: dict[str, Any] = {
    name: jsonata_lib.Jsonata.JLambda(function) for name, function in _NATIVE_FUNCTIONS.items()
}


@functools.lru_cache(maxsize=2048)
def _parsed(expression: str) -> Any:
    """Parse once per distinct expression text; gives a prototype Jsonata object."""
    return jsonata_lib.Jsonata(expression)


def _parse_float(text: str) -> float | int:
    number = float(text)
    if number.is_integer() and abs(number) < _MAX_SAFE_INTEGER:
        return int(number)
    return number


def _normalise(result: Any) -> Any:
    """JSON round-trip of a JSONata result; functions and NaN are unsupported results."""
    if result is None or isinstance(result, (bool, str, int)):
        return result
    try:
        text = json.dumps(result, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise _evaluation_exception("the expression returned an unsupported result type") from exc
    return json.loads(text, parse_float=_parse_float)


def _evaluation_exception(message: str) -> Exception:
    exception_type = require(_JSONATA_MODULE, "JSONataException")
    return exception_type(QUERY_EVALUATION_ERROR, message)


def evaluate(rich_expression: str) -> Any:
    """Evaluate one composed JSONata expression; gives a JSON value (None for null/undefined)."""
    expression, texts = split_bindings(rich_expression)
    bindings: dict[str, Any] = dict(_NATIVE_FUNCTIONS_BOUND)
    for name, text in texts.items():
        value = json.loads(text)
        # A top-level None would read as "undefined"; JSON null must stay null.
        bindings[name] = jsonata_lib.Utils.NULL_VALUE if value is None else value
    try:
        prototype = _parsed(expression)
        instance = copy.copy(prototype)  # evaluation state is per call; the AST is shared
        jsonata_lib.Jsonata.CURRENT.jsonata = instance
        result = instance.evaluate(None, bindings)
    except RecursionError as exc:
        raise _evaluation_exception("the expression recursed too deeply") from exc
    except Exception as exc:  # jsonata raises JException and plain Python errors
        raise _evaluation_exception(str(exc) or exc.__class__.__name__) from exc
    return _normalise(result)



# -- error surfacing ---------------------------------------------------------------------------


# Field names worth quoting in a cause; moto otherwise reports internal component names.
_ASL_FIELDS = frozenset(
    {
        "Arguments", "Output", "Assign", "Condition", "Items", "ItemSelector", "MaxConcurrency",
        "Seconds", "Timestamp", "Error", "Cause", "TimeoutSeconds", "HeartbeatSeconds",
        "ToleratedFailureCount", "ToleratedFailurePercentage", "MaxItems",
    }
)


def _raise_query_evaluation_error(env: Any, expression: str, details: str | None) -> None:
    """Raise moto's FailureEventException for a failed JSONata evaluation in `env`."""
    failure_event_mod = require_module(f"{_PKG}.component.common.error_name.failure_event")
    states_error_name = require(
        f"{_PKG}.component.common.error_name.states_error_name", "StatesErrorName"
    )
    error_type = require(
        f"{_PKG}.component.common.error_name.states_error_name_type", "StatesErrorNameType"
    )
    api = require_module("moto.stepfunctions.parser.api")
    event_details_type = require(f"{_PKG}.eval.event.event_detail", "EventDetails")

    field = getattr(env, "next_field_name", None)
    where = f" specified for the field '{field}'" if field in _ASL_FIELDS else ""
    cause = (
        f"The JSONata expression '{expression}'{where} threw an error during evaluation. "
        f"{details or ''}"
    ).rstrip()
    error_name = states_error_name(typ=error_type.StatesQueryEvaluationError)
    raise failure_event_mod.FailureEventException(
        failure_event=failure_event_mod.FailureEvent(
            env=env,
            error_name=error_name,
            event_type=api.HistoryEventType.EvaluationFailed,
            event_details=event_details_type(
                evaluationFailedEventDetails=api.EvaluationFailedEventDetails(
                    error=error_name.error_name, cause=cause
                )
            ),
        )
    )


def _surface_errors(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """Wrap a string-expression `_eval_body` so JSONata failures become catchable ASL errors."""
    exception_type = require(_JSONATA_MODULE, "JSONataException")

    @functools.wraps(original)
    def _eval_body(self: Any, env: Any) -> None:
        try:
            original(self, env)
        except exception_type as exc:
            _raise_query_evaluation_error(env, self.expression, exc.details)

    _eval_body.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return _eval_body


def _skip_string_revalidation(original: Callable[..., None]) -> Callable[..., None]:
    """moto re-evaluates a string result as `$type(...)`; a normalised str is always a string."""

    @functools.wraps(original)
    def validate(env: Any, expression: str, rich_expression: str, result: Any) -> None:
        if isinstance(result, str):
            return
        original(env, expression, rich_expression, result)

    validate.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return validate


# -- installation ------------------------------------------------------------------------------


def check() -> None:
    """Raise MotoMismatchError if any internal this adapter patches is missing."""
    require(_JSONATA_MODULE, "_eval_jsonata")
    require(_JSONATA_MODULE, "eval_jsonata_expression")
    require(_JSONATA_MODULE, "JSONataException")
    for module in _ENCODER_USERS:
        require(module, "encode_jsonata_variable_declarations")
    require(_STRING_EXPRESSION_MODULE, "StringJSONata._eval_body")
    require(_STRING_EXPRESSION_MODULE, "StringVariableSample._eval_body")
    require(_STRING_EXPRESSION_MODULE, "validate_jsonata_expression_output")
    declarations = require(_INTRINSIC_MODULE, "_DECLARATION_BY_VARIABLE_REFERENCE")
    if not isinstance(declarations, dict):
        raise TypeError("moto's JSONata helper declarations are no longer a dict")


def install() -> None:
    """Patch moto's JSONata evaluator, encoder, helper functions and error surfacing."""
    check()
    jsonata_module = require_module(_JSONATA_MODULE)
    jsonata_module._eval_jsonata = evaluate
    for module in _ENCODER_USERS:
        require_module(module).encode_jsonata_variable_declarations = encode_declarations

    declarations = require(_INTRINSIC_MODULE, "_DECLARATION_BY_VARIABLE_REFERENCE")
    for name in _NATIVE_FUNCTIONS:
        declarations.pop(f"${name}", None)  # the native binding serves instead of the stub

    string_expression = require_module(_STRING_EXPRESSION_MODULE)
    for class_name in ("StringJSONata", "StringVariableSample"):
        cls = getattr(string_expression, class_name)
        if not getattr(cls._eval_body, "__stepwise_patched__", False):
            cls._eval_body = _surface_errors(cls._eval_body)
    validate = string_expression.validate_jsonata_expression_output
    if not getattr(validate, "__stepwise_patched__", False):
        string_expression.validate_jsonata_expression_output = _skip_string_revalidation(validate)


def installed() -> bool:
    """True when `install()` has run in this process."""
    return require(_JSONATA_MODULE, "_eval_jsonata") is evaluate
