"""Mistral v2 / Civis workflow definitions: YAML text → validated `model.Document`.

`load(text)` parses, validates and builds the model, raising `InvalidDefinition` with every
problem found (sorted by position); `check(text)` gives the problems only ([] when valid);
`lint(text)` gives warnings: things Mistral accepts that are probably mistakes (a ``task(name)``
naming no task of the workflow). None of them raises anything else, whatever the text.
"""

from __future__ import annotations

import gc

from chalicelib.errors import InvalidDefinition, Problem
from chalicelib.language import model
from chalicelib.language.build import build
from chalicelib.language.validate import analyze

__all__ = ["check", "lint", "load", "model"]


def check(text: str) -> list[Problem]:
    """Every problem of the definition, sorted; [] when it is valid."""
    return analyze(text).problems


def load(text: str) -> model.Document:
    """The validated model of a definition; raises `InvalidDefinition` listing all problems."""
    # Loading allocates many small objects and frees none of them before the end: pausing
    # the cyclic garbage collector meanwhile spares it repeated scans of the growing tree.
    collecting = gc.isenabled()
    gc.disable()
    try:
        analysis = analyze(text)
        if analysis.problems:
            raise InvalidDefinition(analysis.problems)
        return build(analysis)
    finally:
        if collecting:
            gc.enable()


def lint(text: str) -> list[Problem]:
    """Accepted but suspicious constructs, sorted (the definition may still be invalid)."""
    return analyze(text).warnings
