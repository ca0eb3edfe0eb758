"""Lambda handlers for the compiled-machine tests, run in-process by the local Lambda adapter.

`actions` is the deployment's actions function (payload ``{"action", "input", "task",
"execution"}``); it behaves according to the action name:

- ``t.rec``: records the call and gives ``input["ret"]`` if given, else the input (raises
  `ActionFailed` when ``input["fail"]`` is true);
- ``t.fail``: records the call and raises `ActionFailed` (message ``input["msg"]``);
- ``t.flaky``: fails (`Flaky`) until it has run ``input["failures"]`` times for this
  execution and task, then gives ``{"attempt": n}``;
- ``t.count``: gives ``{"n": n}``, how many times it ran for this execution and task;
- ``t.sleep``: sleeps ``input["seconds"]`` and gives ``{"slept": seconds}``;
- ``t.probe``: sleeps briefly while counting overlapping calls of its execution and task;
- anything else raises `UnknownAction`.

`callbacks` keeps the task tokens of pauses and async actions for the test to answer.
`registered` stands for a Lambda an action registry points at (its payload is the bare input);
`core_local` plays StackStorm's `core.local` for corpus workflows.
Every call is appended to `CALLS` with start and end times (monotonic).
"""
from __future__ import annotations

import shlex
import threading
import time
from collections import Counter
from typing import Any

CALLS: list[dict[str, Any]] = []
TOKENS: list[dict[str, Any]] = []
PEAK: Counter = Counter()

_lock = threading.Lock()
_runs: Counter = Counter()
_active: Counter = Counter()


class ActionFailed(Exception):
    """Raised by ``t.fail``."""


class Flaky(Exception):
    """Raised by ``t.flaky`` until it has failed often enough."""


class UnknownAction(Exception):
    """An action the test actions function does not implement."""


def reset() -> None:
    with _lock:
        CALLS.clear()
        TOKENS.clear()
        PEAK.clear()
        _runs.clear()
        _active.clear()


def _record(entry: dict[str, Any]) -> dict[str, Any]:
    entry = {**entry, "start": time.monotonic(), "end": None}
    with _lock:
        CALLS.append(entry)
    return entry


def _done(entry: dict[str, Any]) -> None:
    entry["end"] = time.monotonic()


def _count(key: tuple) -> int:
    with _lock:
        _runs[key] += 1
        return _runs[key]


def actions(event: dict[str, Any], context: Any) -> Any:
    name = event.get("action")
    given = event.get("input")
    given = given if isinstance(given, dict) else {}
    key = (event.get("execution"), event.get("task"))
    entry = _record({"kind": "action", "action": name, "input": event.get("input"),
                     "task": event.get("task"), "execution": event.get("execution")})
    try:
        if name == "t.rec":
            if given.get("fail"):
                raise ActionFailed(f"asked to fail: {given}")
            return given["ret"] if "ret" in given else event.get("input")
        if name == "t.fail":
            raise ActionFailed(str(given.get("msg", "t.fail failed")))
        if name == "t.flaky":
            attempt = _count(key)
            if attempt <= int(given.get("failures", 1)):
                raise Flaky(f"attempt {attempt} failed")
            return {"attempt": attempt}
        if name == "t.count":
            return {"n": _count(key)}
        if name == "t.sleep":
            time.sleep(float(given.get("seconds", 0)))
            return {"slept": given.get("seconds")}
        if name == "t.probe":
            with _lock:
                _active[key] += 1
                PEAK[key] = max(PEAK[key], _active[key])
            try:
                time.sleep(float(given.get("seconds", 0.15)))
            finally:
                with _lock:
                    _active[key] -= 1
            return {"item": given.get("item")}
        raise UnknownAction(f"no test action named {name!r}")
    finally:
        _done(entry)


def callbacks(event: dict[str, Any], context: Any) -> dict[str, Any]:
    with _lock:
        TOKENS.append(dict(event))
    return {"accepted": True}


def registered(event: Any, context: Any) -> Any:
    entry = _record({"kind": "registered", "function": context.function_name, "input": event})
    _done(entry)
    if isinstance(event, dict) and event.get("explode"):
        raise ActionFailed("registered function asked to fail")
    return {"echo": event}


def core_local(event: Any, context: Any) -> dict[str, Any]:
    """A tiny `core.local`: understands ``echo`` and ``printf`` with literal arguments."""
    entry = _record({"kind": "core.local", "input": event})
    _done(entry)
    cmd = (event or {}).get("cmd", "")
    words = shlex.split(cmd)
    if words and words[0] in ("echo", "printf"):
        stdout = " ".join(words[1:])
    else:
        stdout = ""
    return {"stdout": stdout, "stderr": "", "return_code": 0, "succeeded": True}
