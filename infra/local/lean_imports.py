"""Keeping local mode's memory down: moto packages imported only for a name they define.

moto's Step Functions interpreter imports `moto.batch.utils` for one enum (`JobStatus`, for the
Batch service integration). Importing it runs `moto/batch/__init__.py`, which imports Batch's
models and, through them, EC2's region, zone and instance-type tables: about 130 MiB and 0.7 s
that local mode never uses. `defer_package("moto.batch")` registers the package without running
its `__init__`, so its submodules import on their own; the first read of a name the package
itself defines (`moto.batch.batch_backends`, as moto's backend lookup does) runs the
`__init__` then, and everything works as before.

Takes: nothing at import. Gives: `defer_package(name)`, called by `infra.local` before any
moto module is imported.
"""
from __future__ import annotations

import importlib.util
import sys
import threading
from typing import Any

_lock = threading.RLock()


def defer_package(name: str) -> None:
    """Registers package `name` with its `__init__` not run until one of its own names is
    read; does nothing when it is imported already."""
    with _lock:
        if name in sys.modules:
            return
        spec = importlib.util.find_spec(name)
        if spec is None or spec.submodule_search_locations is None or spec.loader is None:
            return
        package = importlib.util.module_from_spec(spec)
        done = False

        def load_on_use(attribute: str) -> Any:
            nonlocal done
            with _lock:
                if not done:
                    done = True
                    del package.__getattr__
                    spec.loader.exec_module(package)
            try:
                return package.__dict__[attribute]
            except KeyError:
                raise AttributeError(f"module {name!r} has no attribute {attribute!r}") from None

        package.__getattr__ = load_on_use  # type: ignore[method-assign]
        sys.modules[name] = package
        parent, _, child = name.rpartition(".")
        if parent in sys.modules:
            setattr(sys.modules[parent], child, package)
