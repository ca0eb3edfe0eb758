"""A Parallel branch (or Map iteration) stopped before it started does not run.

When one branch of a Parallel fails, moto stops the other branches. A branch whose worker
thread has not begun its program yet then fails in that thread: moto's `Program.eval` first
sets the branch's next state, which its environment refuses once stopped ("Could not set
NextState value when in state ProgramStopped"), and the exception escapes the thread. On AWS
such a branch is simply cancelled. `install()` makes `Program.eval` return quietly in that
one case (a branch's environment that is no longer running refused the start state), so the
branch reports its end like any other stopped branch.

Takes: nothing at import. Gives: `install()` and `check()`.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from infra.local.moto_guard import MotoMismatchError, require, require_module

_PROGRAM_MODULE = "moto.stepfunctions.parser.asl.component.program.program"
_ENVIRONMENT_MODULE = "moto.stepfunctions.parser.asl.eval.environment"
_FIRST_LINE = "env.next_state_name = self.start_at.start_at_name"
_REFUSAL = "Could not set NextState value when in state"


def _patch(original: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    @functools.wraps(original)
    def eval(self: Any, env: Any) -> None:
        try:
            original(self, env)
        except RuntimeError as error:
            stopped_before_start = (
                _REFUSAL in str(error) and env.is_frame() and not env.is_running()
            )
            if not stopped_before_start:
                raise

    eval.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return eval


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter relies on are missing or no
    longer behave as it expects."""
    program_eval = require(_PROGRAM_MODULE, "Program.eval")
    require(_ENVIRONMENT_MODULE, "Environment.is_frame")
    require(_ENVIRONMENT_MODULE, "Environment.is_running")
    setter = require(_ENVIRONMENT_MODULE, "Environment.next_state_name").fset
    original = getattr(program_eval, "__wrapped__", program_eval)
    sets_start_first = _FIRST_LINE in inspect.getsource(original)
    if not sets_start_first or _REFUSAL not in inspect.getsource(setter):
        raise MotoMismatchError(
            "local adapters expect moto's Program.eval to start by setting the next state, "
            "which a stopped environment refuses; re-check infra/local/branch_stop_adapter.py"
        )


def install() -> None:
    """Wrap moto's `Program.eval` (idempotent)."""
    check()
    program = require_module(_PROGRAM_MODULE).Program
    if not getattr(program.eval, "__stepwise_patched__", False):
        program.eval = _patch(program.eval)
