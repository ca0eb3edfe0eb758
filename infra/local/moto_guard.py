"""Checks that the installed moto is the one the local adapters were written against.

Takes: module paths and attribute names inside moto. Gives: the attribute (`require`), or raises
`MotoMismatchError` with a message that says what changed; `check_moto_version()` raises unless
moto is exactly `EXPECTED_MOTO_VERSION`.
"""

from __future__ import annotations

import importlib
from importlib import metadata
from typing import Any

EXPECTED_MOTO_VERSION = "5.2.5"


class MotoMismatchError(RuntimeError):
    """moto is not the version, or lacks an internal, that the local adapters patch."""


def check_moto_version() -> None:
    """Raise unless the installed moto is exactly EXPECTED_MOTO_VERSION."""
    try:
        installed = metadata.version("moto")
    except metadata.PackageNotFoundError as exc:
        raise MotoMismatchError("moto is not installed; local mode needs moto==5.2.5") from exc
    if installed != EXPECTED_MOTO_VERSION:
        raise MotoMismatchError(
            f"local mode patches moto internals and needs moto=={EXPECTED_MOTO_VERSION}, "
            f"but moto=={installed} is installed: pin it back, or re-check every adapter in "
            "infra/local against the new version before changing EXPECTED_MOTO_VERSION"
        )


def require_module(module_path: str) -> Any:
    """Import `module_path` (inside moto) or raise MotoMismatchError naming it."""
    try:
        return importlib.import_module(module_path)
    except ImportError as exc:
        raise MotoMismatchError(
            f"local adapters need module {module_path!r}, which this moto does not have"
        ) from exc


def require(module_path: str, attribute: str) -> Any:
    """Give `module_path.attribute` (dotted attribute paths allowed) or raise MotoMismatchError."""
    target: Any = require_module(module_path)
    for part in attribute.split("."):
        if not hasattr(target, part):
            raise MotoMismatchError(
                f"local adapters patch {module_path}.{attribute}, which this moto does not have"
            )
        target = getattr(target, part)
    return target
