"""One hierarchy of typed errors, each carrying its user-facing message, HTTP status and code.

The API layer renders any `StepwiseError` as Civis does:
``{"error": code, "errorDescription": message, "code": status}``.
"""
from __future__ import annotations

from dataclasses import dataclass


class StepwiseError(Exception):
    """Base of every error Stepwise raises on purpose."""

    status = 500
    code = "internal_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def to_body(self) -> dict:
        return {"error": self.code, "errorDescription": self.message, "code": self.status}


class BadRequest(StepwiseError):
    status = 400
    code = "bad_request"


class Unauthorized(StepwiseError):
    """No credentials, or credentials that are unknown, revoked or expired."""

    status = 401
    code = "unauthorized"


class Forbidden(StepwiseError):
    """The caller may see the object but not do this to it."""

    status = 403
    code = "forbidden"


class NotFound(StepwiseError):
    """No such object, or one the caller may not read (the two are not told apart)."""

    status = 404
    code = "not_found"

    def __init__(self, message: str = "The requested resource could not be found."):
        super().__init__(message)


class Conflict(StepwiseError):
    status = 409
    code = "conflict"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a workflow definition, located in its source text."""

    line: int
    column: int
    message: str
    path: str = ""  # dotted path of the offending key, e.g. "wf.tasks.t1.retry.count"
    key: str = ""  # the offending key or value as written
    fix: str = ""  # one sentence telling the author what to write instead

    def render(self, filename: str = "<definition>") -> str:
        text = f"{filename}:{self.line}:{self.column}: {self.message}"
        if self.fix:
            text += f" ({self.fix})"
        return text


class InvalidDefinition(BadRequest):
    """A workflow definition that cannot be run; carries every problem found, sorted."""

    code = "invalid_definition"

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        first = self.problems[0].render() if self.problems else "invalid definition"
        more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(first + more)


class DeliveryFailed(StepwiseError):
    """A notification (e-mail or webhook POST) was not delivered; `retriable` says whether a
    later try may succeed (network errors, 5xx, 429, throttling) or not (refused targets,
    other 4xx, rejected messages)."""

    code = "delivery_failed"

    def __init__(self, message: str, *, retriable: bool, status_code: int | None = None):
        super().__init__(message)
        self.retriable = retriable
        self.status_code = status_code
