"""A count of background jobs not finished yet, that callers can wait to reach zero.

Local delivery threads (status events, rule targets) count their queued work here, so tests
and local mode can wait until everything handed to them has been done.
"""
from __future__ import annotations

import threading
import time


class PendingWork:
    def __init__(self) -> None:
        self._idle = threading.Condition(threading.Lock())
        self._count = 0

    def started(self) -> None:
        with self._idle:
            self._count += 1

    def finished(self) -> None:
        with self._idle:
            self._count -= 1
            if self._count == 0:
                self._idle.notify_all()

    def wait_idle(self, deadline: float) -> bool:
        """Waits until no job is pending or `deadline` (time.monotonic) passes; gives which."""
        with self._idle:
            while self._count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
            return True

    @property
    def count(self) -> int:
        with self._idle:
            return self._count
