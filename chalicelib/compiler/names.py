"""State names: unique across the whole machine, at most 80 characters, readable.

Takes task names as authors wrote them (any Unicode, any length); gives ASL state names and
remembers which task and role each name stands for.
"""
from __future__ import annotations

import hashlib
import re

MAX_LENGTH = 80
_UNSAFE = re.compile(r"[\x00-\x1f\x7f]")


class Namer:
    def __init__(self) -> None:
        self.roles: dict[str, tuple[str, str]] = {}  # state name -> (task name, role)
        self._serials: dict[tuple[str, str], int] = {}

    def new(self, task: str, role: str = "task") -> str:
        base = task if task.isprintable() else _UNSAFE.sub("_", task)
        suffix = "" if role == "task" else f".{role}"
        name = base + suffix if len(base) + len(suffix) <= MAX_LENGTH else self._fit(base, suffix)
        if name not in self.roles:  # the common case: the serial kept below would not change
            self.roles[name] = (task, role)
            return name
        serial = self._serials.get((base, suffix), 1)
        while name in self.roles:
            serial += 1
            name = self._fit(base, f"{suffix} [{serial}]")
        self._serials[(base, suffix)] = serial
        self.roles[name] = (task, role)
        return name

    @staticmethod
    def _fit(base: str, suffix: str) -> str:
        if len(base) + len(suffix) <= MAX_LENGTH:
            return base + suffix
        digest = hashlib.sha1(base.encode()).hexdigest()[:8]
        keep = MAX_LENGTH - len(suffix) - len(digest) - 1
        return f"{base[:keep]}~{digest}{suffix}"
