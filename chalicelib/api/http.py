"""The HTTP plumbing every route shares: authentication, request parsing, error rendering.

`endpoint(blueprint, path, methods, status=...)` registers a handler
``handler(request: ApiRequest, caller: Caller, **path_params)``. The wrapper
- authenticates the Authorization header (every route but the unauthenticated ones);
- parses the JSON body (``{}`` on GET/DELETE is fine) with keys snake_cased at every depth,
  and the query string (``state[]=a`` and ``state=a`` both give ``getlist("state")``);
- renders what the handler gives: a dict/list as JSON (camelCase is the views' job), a
  `Rendered` for other statuses or headers, None as 204;
- renders every `StepwiseError` as ``{"error", "errorDescription", "code"}`` with its status,
  adding ``WWW-Authenticate`` to 401s (the civis client needs it), and any other exception as a
  500 whose details stay in the log.
"""
from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from chalice import Blueprint, Response

from chalicelib.api.casing import DuplicateKey, snake_keys
from chalicelib.errors import BadRequest, NotFound, StepwiseError, Unauthorized
from chalicelib.service.auth import Caller, authenticate

log = logging.getLogger("stepwise.api")

JSON_HEADERS = {"Content-Type": "application/json; charset=utf-8",
                "Cache-Control": "private, no-store"}
CHALLENGE = 'Basic realm="stepwise", Bearer realm="stepwise"'
PAGINATION = ("X-Pagination-Per-Page", "X-Pagination-Current-Page",
              "X-Pagination-Total-Pages", "X-Pagination-Total-Entries")


@dataclass
class Rendered:
    body: Any
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiRequest:
    body: dict[str, Any]
    query: dict[str, list[str]]
    headers: dict[str, str] = field(default_factory=dict)  # names in lower case

    def get(self, name: str) -> str | None:
        values = self.getlist(name)
        return values[-1] if values else None

    def getlist(self, name: str) -> list[str]:
        return self.query.get(name, []) + self.query.get(f"{name}[]", [])


def _query(raw: Any) -> dict[str, list[str]]:
    if not raw:
        return {}
    return {key: list(raw.getlist(key)) for key in raw}


def _body(raw: bytes, keep: frozenset[str]) -> dict[str, Any]:
    if not raw or not raw.strip():
        return {}
    try:
        parsed = json.loads(raw)
    except UnicodeDecodeError:
        raise BadRequest("The request body is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request body is not valid JSON: {error.msg} at line "
                         f"{error.lineno}, column {error.colno}.") from None
    if not isinstance(parsed, dict):
        raise BadRequest("The request body must be a JSON object.")
    try:
        return snake_keys(parsed, keep=keep)
    except DuplicateKey as duplicate:
        raise BadRequest(f"The field {duplicate.name!r} is given twice (in snake_case and "
                         "camelCase); send it once.") from None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None):
    if status == 204:
        return Response(body="", status_code=204, headers=dict(headers or {}))
    return Response(body=json.dumps(body, separators=(",", ":")), status_code=status,
                    headers={**JSON_HEADERS, **(headers or {})})


def error_response(error: StepwiseError):
    headers = {"WWW-Authenticate": CHALLENGE} if isinstance(error, Unauthorized) else {}
    return json_response(error.to_body(), error.status, headers)


def endpoint(blueprint: Blueprint, path: str, methods: list[str], *, status: int = 200,
             authenticated: bool = True, keep: frozenset[str] = frozenset()) -> Callable:
    """Registers the decorated handler on `blueprint` for `path` and `methods`."""

    def register(handler: Callable) -> Callable:
        @functools.wraps(handler)
        def route(**params: str):
            request = blueprint.current_request
            try:
                caller = (authenticate(request.headers.get("authorization"))
                          if authenticated else None)
                api_request = ApiRequest(_body(request.raw_body, keep),
                                         _query(request.query_params),
                                         {k.lower(): v for k, v in request.headers.items()})
                result = handler(api_request, caller, **params)
            except StepwiseError as error:
                return error_response(error)
            except Exception:
                log.exception("unhandled error in %s %s", request.method, path)
                return json_response({"error": "internal_error", "code": 500,
                                      "errorDescription": "Internal server error."}, 500)
            if isinstance(result, Rendered):
                return json_response(result.body, result.status, result.headers)
            return json_response(result, 204 if result is None else status)

        blueprint.route(path, methods=methods)(route)
        return handler

    return register


def int_param(value: str, what: str = "resource") -> int:
    """A numeric path parameter; anything else names no resource (404)."""
    if not (value.isascii() and value.isdigit()) or len(value) > 18:  # not "²" nor "١"
        raise NotFound(f"The requested {what} could not be found.")
    return int(value)


def query_flag(request: ApiRequest, name: str) -> bool | None:
    value = request.get(name)
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise BadRequest(f"Query parameter {name!r} must be true or false.")


def query_int(request: ApiRequest, name: str, default: int, low: int, high: int) -> int:
    value = request.get(name)
    if value is None or value == "":
        return default
    digits = value[1:] if value[:1] == "-" else value
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 18:
        raise BadRequest(f"Query parameter {name!r} must be an integer.")
    number = int(value)
    if not low <= number <= high:
        raise BadRequest(f"Query parameter {name!r} must be between {low} and {high}.")
    return number


def paginated(items: list, *, limit: int, page_num: int, total: int, pages: int) -> Rendered:
    values = (limit, page_num, pages, total)
    headers = {name: str(value) for name, value in zip(PAGINATION, values)}
    headers["Access-Control-Expose-Headers"] = ", ".join(PAGINATION)
    return Rendered(items, 200, headers)


__all__ = ["ApiRequest", "Caller", "Rendered", "endpoint", "int_param", "paginated",
           "query_flag", "query_int"]
