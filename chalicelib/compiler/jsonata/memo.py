"""The memo of translated templates of one compilation.

Takes nothing; gives `compilation()`, a context manager under which `current()` is one dict
that the translator fills with the templates it translated (key → translation), and
`current()` itself (None outside a compilation, where nothing is remembered).

Why: real workflows repeat the same templates in many tasks (``<% task().result %>`` in
every publish, ``<% env() %>``, ``<% $.x %>``), and a template read in the same kind of
scope translates to the same text every time. The memo lives only as long as one
compilation, so nothing a compilation remembers reaches another one.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_MEMO: ContextVar[dict | None] = ContextVar("stepwise_translation_memo", default=None)

current = _MEMO.get


@contextmanager
def compilation() -> Iterator[dict]:
    """A fresh memo for the translations made inside the `with` block."""
    token = _MEMO.set({})
    try:
        yield _MEMO.get()
    finally:
        _MEMO.reset(token)
