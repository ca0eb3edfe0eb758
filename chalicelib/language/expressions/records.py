"""Frozen dataclasses that are cheap to build.

Takes: a class body with annotated fields (as for `@dataclass(frozen=True)`).
Gives: `frozen_record`, the frozen dataclass of that body whose `__init__` stores the
fields straight into the instance dict. The `__init__` that `dataclasses` writes for a
frozen class sets each field through `object.__setattr__`, one call per field; parsing
builds a syntax node per token and a record per expression and template, so those calls
are a large part of its time. Everything else (parameters and defaults, equality, hashing,
repr, immutability, `dataclasses.fields`) is what `@dataclass(frozen=True)` gives.
"""
from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import TypeVar, dataclass_transform

T = TypeVar("T", bound=type)


@dataclass_transform(frozen_default=True)
def frozen_record(cls: T) -> T:
    """`@dataclass(frozen=True)` with a direct `__init__` (same parameters and defaults)."""
    cls = dataclass(frozen=True)(cls)
    names = [f.name for f in fields(cls)]
    defaults = {f.name: f.default for f in fields(cls) if f.default is not MISSING}
    if any(f.default_factory is not MISSING for f in fields(cls)) or hasattr(cls, "__post_init__"):
        return cls  # not needed by the classes here; keep the general `__init__`
    params = ", ".join(f"{n}=_default_{n}" if n in defaults else n for n in names)
    body = "".join(f"\n    d[{n!r}] = {n}" for n in names)
    code = f"def __init__(self, {params}):\n    d = self.__dict__{body}\n"
    namespace: dict = {f"_default_{n}": value for n, value in defaults.items()}
    exec(code, namespace)  # noqa: S102 - built from the field names of `cls` only
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    cls.__init__ = init
    return cls
