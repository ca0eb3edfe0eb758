"""Structural check of an Amazon States Language document (JSONata query language).

Takes an ASL dict; raises `InvalidStateMachine` listing every structural fault: unknown
state types or fields, missing or dangling `Next`, unreachable states, duplicate or over-long
state names, malformed Retry/Catch, malformed ``{% %}`` expressions. What it checks is what
Step Functions' own validation rejects at CreateStateMachine time, so a compiled machine that
passes here deploys. A failure is a compiler defect, not the author's.
"""
from __future__ import annotations

from chalicelib.errors import StepwiseError

COMMON = {"Type", "Comment", "QueryLanguage"}
FLOW = {"Next", "End"}
FIELDS = {
    "Task": COMMON | FLOW | {"Resource", "Arguments", "Output", "Assign", "TimeoutSeconds",
                             "HeartbeatSeconds", "Retry", "Catch", "Credentials"},
    "Pass": COMMON | FLOW | {"Output", "Assign"},
    "Choice": COMMON | {"Choices", "Default", "Output", "Assign"},
    "Wait": COMMON | FLOW | {"Seconds", "Timestamp", "Output", "Assign"},
    "Succeed": COMMON | {"Output"},
    "Fail": COMMON | {"Error", "Cause"},
    "Parallel": COMMON | FLOW | {"Branches", "Arguments", "Output", "Assign", "Retry", "Catch"},
    "Map": COMMON | FLOW | {"Items", "ItemSelector", "ItemProcessor", "MaxConcurrency",
                            "Output", "Assign", "Retry", "Catch", "Label",
                            "ToleratedFailurePercentage", "ToleratedFailureCount"},
}
MAX_NAME = 80
FLOWING = frozenset(kind for kind, fields in FIELDS.items() if "Next" in fields)
NOT_EXPRESSIONS = frozenset({"Branches", "ItemProcessor", "Type", "Next", "End", "Comment"})


class InvalidStateMachine(StepwiseError):
    status = 500
    code = "invalid_state_machine"

    def __init__(self, faults: list[str]):
        self.faults = faults
        super().__init__("compiled state machine is invalid: " + "; ".join(faults[:5]))


def check(definition: dict) -> None:
    if _valid(definition):
        return
    faults: list[str] = []
    if definition.get("QueryLanguage", "JSONPath") not in ("JSONata", "JSONPath"):
        faults.append("QueryLanguage must be JSONata or JSONPath")
    _check_machine(definition, "", faults, set())
    if faults:
        raise InvalidStateMachine(faults)


def _check_machine(machine: dict, where: str, faults: list[str], names: set[str]) -> None:
    states = machine.get("States")
    start = machine.get("StartAt")
    if not isinstance(states, dict) or not states:
        faults.append(f"{where or 'machine'}: States must be a non-empty object")
        return
    if start not in states:
        faults.append(f"{where or 'machine'}: StartAt '{start}' is not a state")
    for name, state in states.items():
        here = f"{where}{name}"
        if name in names:
            faults.append(f"{here}: state name used twice")
        names.add(name)
        if not name or len(name) > MAX_NAME:
            faults.append(f"{here}: state names must have 1 to {MAX_NAME} characters")
        _check_state(state, here, states, faults, names)
    reached = _reachable(states, start)
    for name in states:
        if name not in reached:
            faults.append(f"{where}{name}: state is not reachable from StartAt")


def _check_state(state: dict, here: str, states: dict, faults: list[str],
                 names: set[str]) -> None:
    kind = state.get("Type")
    if kind not in FIELDS:
        faults.append(f"{here}: unknown Type {kind!r}")
        return
    for key in state:
        if key not in FIELDS[kind]:
            faults.append(f"{here}: field {key} is not allowed in a {kind} state")
    if FLOW & FIELDS[kind]:
        if ("Next" in state) == bool(state.get("End")):
            faults.append(f"{here}: exactly one of Next and End is required")
    for target in _targets(state):
        if target not in states:
            faults.append(f"{here}: transition to unknown state '{target}'")
    for key, value in state.items():
        if key not in ("Branches", "ItemProcessor", "Type", "Next", "End", "Comment"):
            _check_expressions(value, f"{here}.{key}", faults)
    if kind == "Choice":
        if not state.get("Choices"):
            faults.append(f"{here}: a Choice needs at least one rule")
        for rule in state.get("Choices", []):
            if "Next" not in rule or "Condition" not in rule:
                faults.append(f"{here}: each Choice rule needs Condition and Next")
    for key in ("Retry", "Catch"):
        _check_handlers(state.get(key, []), f"{here}.{key}", faults, key == "Retry")
    if kind == "Parallel":
        for i, branch in enumerate(state.get("Branches", [])):
            _check_machine(branch, f"{here}.Branches[{i}].", faults, names)
        if not state.get("Branches"):
            faults.append(f"{here}: a Parallel needs at least one branch")
    if kind == "Map":
        processor = state.get("ItemProcessor")
        if not isinstance(processor, dict):
            faults.append(f"{here}: a Map needs an ItemProcessor")
        else:
            _check_machine(processor, f"{here}.ItemProcessor.", faults, names)
    if kind == "Wait" and ("Seconds" in state) == ("Timestamp" in state):
        faults.append(f"{here}: a Wait needs exactly one of Seconds and Timestamp")
    if kind == "Task" and not isinstance(state.get("Resource"), str):
        faults.append(f"{here}: a Task needs a Resource")


def _check_handlers(handlers: list, here: str, faults: list[str], retry: bool) -> None:
    for i, handler in enumerate(handlers):
        errors = handler.get("ErrorEquals")
        if not errors:
            faults.append(f"{here}[{i}]: ErrorEquals must list at least one error")
        elif "States.ALL" in errors and (len(errors) > 1 or i != len(handlers) - 1):
            faults.append(f"{here}[{i}]: States.ALL must be alone and last")
        if retry:
            if handler.get("IntervalSeconds", 1) < 1 or handler.get("MaxAttempts", 0) < 0:
                faults.append(f"{here}[{i}]: IntervalSeconds ≥ 1 and MaxAttempts ≥ 0")
            if handler.get("BackoffRate", 1.0) < 1.0:
                faults.append(f"{here}[{i}]: BackoffRate must be at least 1.0")
        elif "Next" not in handler:
            faults.append(f"{here}[{i}]: a catcher needs Next")


def _check_expressions(value, here: str, faults: list[str]) -> None:
    """Every string in a field must be a whole ``{% %}`` expression or plain text."""
    stack = [(value, here)]
    while stack:
        item, where = stack.pop()
        kind = type(item)
        if kind is str:
            if "%" in item:
                stripped = item.strip()
                if stripped.startswith("{%") != stripped.endswith("%}"):
                    faults.append(f"{where}: malformed {{% %}} expression")
        elif kind is dict:
            if "States" not in item:  # nested machines are checked on their own
                stack.extend((inner, f"{where}.{key}") for key, inner in item.items())
        elif kind is list:
            stack.extend((inner, where) for inner in item)


def _targets(state: dict) -> list[str]:
    found = [c.get("Next") for c in state.get("Catch", [])]
    found += [c.get("Next") for c in state.get("Choices", [])]
    for key in ("Next", "Default"):
        if key in state:
            found.append(state[key])
    return [t for t in found if t is not None]


def _reachable(states: dict, start: str) -> set[str]:
    seen: set[str] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        if name in seen or name not in states:
            continue
        seen.add(name)
        stack.extend(_targets(states[name]))
    return seen


# -- the fast path -----------------------------------------------------------------------------
# Compiled machines are almost always valid: one pass that stops at the first fault and builds
# no location text decides that; only a machine with a fault is walked again by the checks
# above, which name every fault. Every rule of `_check_machine` has its twin here (the unit
# tests of each fault fail when a twin is missing).


def _valid(definition: dict) -> bool:
    if definition.get("QueryLanguage", "JSONPath") not in ("JSONata", "JSONPath"):
        return False
    return _valid_machine(definition, set())


def _valid_machine(machine: dict, names: set[str]) -> bool:
    states = machine.get("States")
    start = machine.get("StartAt")
    if type(states) is not dict or not states or start not in states:
        return False
    edges: dict[str, list[str]] = {}
    for name, state in states.items():
        if name in names or not name or len(name) > MAX_NAME:
            return False
        names.add(name)
        targets = _valid_state(state, states, names)
        if targets is None:
            return False
        edges[name] = targets
    seen = {start}
    stack = [start]
    while stack:
        for target in edges[stack.pop()]:
            if target not in seen:
                seen.add(target)
                stack.append(target)
    return len(seen) == len(states)


def _valid_state(state: dict, states: dict, names: set[str]) -> list[str] | None:
    """The state's transitions when it is valid, else None."""
    kind = state.get("Type")
    allowed = FIELDS.get(kind)  # type: ignore[arg-type]
    if allowed is None or not allowed.issuperset(state):
        return None
    if kind in FLOWING and ("Next" in state) == bool(state.get("End")):
        return None
    targets = []
    nxt = state.get("Next")
    if nxt is not None:
        targets.append(nxt)
    for key, value in state.items():
        if key in NOT_EXPRESSIONS:
            continue
        if type(value) is str:  # most fields: a whole expression, or text without '%'
            if not ("%" not in value or value.startswith("{%") and value.endswith("%}")
                    or _valid_expressions(value)):
                return None
            if key == "Default":
                targets.append(value)
            continue
        if not _valid_expressions(value):
            return None
        if key == "Catch" or key == "Retry":
            if not _valid_handlers(value, key == "Retry"):
                return None
            if key == "Catch":
                targets += [c["Next"] for c in value]
        elif key == "Choices":
            if not value or any("Next" not in r or "Condition" not in r for r in value):
                return None
            targets += [r["Next"] for r in value]
        elif key == "Default":
            targets.append(value)
    if kind == "Choice" and not state.get("Choices"):
        return None
    if kind == "Parallel":
        branches = state.get("Branches")
        if not branches or not all(_valid_machine(b, names) for b in branches):
            return None
    elif kind == "Map":
        processor = state.get("ItemProcessor")
        if not isinstance(processor, dict) or not _valid_machine(processor, names):
            return None
    elif kind == "Wait" and ("Seconds" in state) == ("Timestamp" in state):
        return None
    elif kind == "Task" and not isinstance(state.get("Resource"), str):
        return None
    for target in targets:
        if target not in states:
            return None
    return targets


def _valid_handlers(handlers: list, retry: bool) -> bool:
    last = len(handlers) - 1
    for i, handler in enumerate(handlers):
        errors = handler.get("ErrorEquals")
        if not errors or ("States.ALL" in errors and (len(errors) > 1 or i != last)):
            return False
        if retry:
            if (handler.get("IntervalSeconds", 1) < 1 or handler.get("MaxAttempts", 0) < 0
                    or handler.get("BackoffRate", 1.0) < 1.0):
                return False
        elif "Next" not in handler:
            return False
    return True


def _valid_expressions(value) -> bool:
    kind = type(value)
    if kind is str:
        if "%" not in value:
            return True
        if value.startswith("{%"):
            if value.endswith("%}"):
                return True
        stripped = value.strip()
        return stripped.startswith("{%") == stripped.endswith("%}")
    if kind is dict:
        if "States" in value:  # nested machines are checked on their own
            return True
        value = value.values()
    elif kind is not list:
        return True
    for item in value:
        # the common item, a whole expression or plain text, without a call of its own
        if type(item) is str:
            if "%" in item and not (item.startswith("{%") and item.endswith("%}")):
                stripped = item.strip()
                if stripped.startswith("{%") != stripped.endswith("%}"):
                    return False
        elif not _valid_expressions(item):
            return False
    return True
