"""Unescape string literals in `Assign` blocks.

moto's ASL preprocessor reads a plain string inside `Assign` (e.g. `"Assign": {"q": "a \\"b\\""}`)
by stripping the surrounding quotes only, so the variable holds the JSON escapes (`a \\"b\\"`)
instead of the string (`a "b"`). Other string literals (Parameters, Output, Result) are decoded
properly. `install()` makes the two Assign visitors decode the literal as JSON.

Takes: nothing at import. Gives: `install()`.
"""

from __future__ import annotations

import json
from typing import Any

from infra.local.moto_guard import require

_PREPROCESSOR_MODULE = "moto.stepfunctions.parser.asl.parse.preprocessor"
_TERMINAL_MODULE = (
    "moto.stepfunctions.parser.asl.component.common.assign.assign_template_value_terminal"
)
_QUERY_LANGUAGE_MODULE = "moto.stepfunctions.parser.asl.component.common.query_language"


def decode_string_literal(text: str | None) -> str | None:
    """Takes the source text of a JSON string token (quotes included); gives the string."""
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text
    return value if isinstance(value, str) else text


def _literal_of(ctx: Any) -> str | None:
    return decode_string_literal(ctx.getText()) if ctx is not None else None


def _visit_string_literal(self: Any, ctx: Any) -> Any:
    literal_type = require(_TERMINAL_MODULE, "AssignTemplateValueTerminalLit")
    return literal_type(value=_literal_of(ctx.string_literal()))


def _wrap_string_jsonata(original: Any) -> Any:
    def visit(self: Any, ctx: Any) -> Any:
        mode = require(_QUERY_LANGUAGE_MODULE, "QueryLanguageMode")
        if self._get_current_query_language().query_language_mode == mode.JSONata:
            return original(self, ctx)
        # In JSONPath mode a "{% ... %}" string is just a string.
        literal_type = require(_TERMINAL_MODULE, "AssignTemplateValueTerminalLit")
        return literal_type(value=_literal_of(ctx.string_jsonata()))

    visit.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return visit


_visit_string_literal.__stepwise_patched__ = True  # type: ignore[attr-defined]


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter patches are missing."""
    require(_PREPROCESSOR_MODULE, "Preprocessor.visitAssign_template_value_terminal_string_literal")
    require(_PREPROCESSOR_MODULE, "Preprocessor.visitAssign_template_value_terminal_string_jsonata")
    require(_PREPROCESSOR_MODULE, "Preprocessor._get_current_query_language")
    require(_TERMINAL_MODULE, "AssignTemplateValueTerminalLit")
    require(_QUERY_LANGUAGE_MODULE, "QueryLanguageMode")


def install() -> None:
    """Patch the preprocessor's Assign string visitors (idempotent)."""
    check()
    preprocessor = require(_PREPROCESSOR_MODULE, "Preprocessor")
    preprocessor.visitAssign_template_value_terminal_string_literal = _visit_string_literal
    current = preprocessor.visitAssign_template_value_terminal_string_jsonata
    if not getattr(current, "__stepwise_patched__", False):
        preprocessor.visitAssign_template_value_terminal_string_jsonata = _wrap_string_jsonata(
            current
        )
