"""Install every local adapter into the moto running in this process.

The adapters are monkeypatches on moto 5.2.5 internals; they must run in the process that hosts
moto (see `infra.local.host.LocalAWS`) and are never imported by deployed code (`chalicelib/`).

- `infra.local.jsonata_adapter`: JSONata evaluator, escaped variable declarations, `$uuid`,
  `$hash`, evaluation errors as `States.QueryEvaluationError`;
- `infra.local.lambda_adapter`: Lambda functions run in-process from their Handler string;
- `infra.local.sfn_adapter`: nested executions (`states:startExecution[.sync[:2]]`);
- `infra.local.state_output_adapter`: datetimes in state data stay renderable;
- `infra.local.api_adapter`: SendTaskFailure and StopExecution keep their `cause`;
- `infra.local.assign_adapter`: string literals in `Assign` are decoded like any JSON string;
- `infra.local.dynamodb_adapter`: item writes are atomic (one at a time), as on AWS;
- `infra.local.sfn_versions_adapter`: executions started from a version ARN can be described,
  listed, stopped and their history read; DescribeExecution gives `stateMachineVersionArn`;
- `infra.local.status_events`: every Standard execution puts "Step Functions Execution Status
  Change" events (RUNNING, then its final status) on the default event bus
  (`status_events.wait_for_events(timeout)` waits until they are delivered);
- `infra.local.rule_targets`: EventBridge rules invoke Lambda targets and start Step Functions
  targets;
- `infra.local.scheduler_ticker` is not a patch but a thread local mode starts
  (`scheduler_ticker.start(host)`); `check_moto()` checks what it reads from moto too;
- `infra.local.branch_error_adapter`: a Parallel branch or Map iteration failing with a
  `States.*` error fails its state with that error, as on AWS;
- `infra.local.branch_stop_adapter`: a branch stopped before it started does not run (and
  raises nothing in its thread).

Takes: nothing. Gives: `install_adapters()` (idempotent, thread-safe) and `check_moto()`, which
raises `MotoMismatchError` if moto is not exactly 5.2.5 or a patched internal is missing.
"""

from __future__ import annotations

import threading

from infra.local import (
    api_adapter,
    assign_adapter,
    branch_error_adapter,
    branch_stop_adapter,
    dynamodb_adapter,
    jsonata_adapter,
    lambda_adapter,
    rule_targets,
    scheduler_ticker,
    sfn_adapter,
    sfn_versions_adapter,
    state_output_adapter,
    status_events,
)
from infra.local.moto_guard import MotoMismatchError, check_moto_version

__all__ = ["MotoMismatchError", "adapters_installed", "check_moto", "install_adapters"]

_lock = threading.Lock()
_installed = False


def check_moto() -> None:
    """Raise MotoMismatchError unless moto is 5.2.5 and has every internal the adapters patch."""
    check_moto_version()
    jsonata_adapter.check()
    lambda_adapter.check()
    sfn_adapter.check()
    state_output_adapter.check()
    api_adapter.check()
    assign_adapter.check()
    dynamodb_adapter.check()
    sfn_versions_adapter.check()
    status_events.check()
    rule_targets.check()
    scheduler_ticker.check()
    branch_error_adapter.check()
    branch_stop_adapter.check()


def install_adapters() -> None:
    """Check moto, then patch it in this process; later calls do nothing."""
    global _installed
    with _lock:
        if _installed:
            return
        check_moto()
        jsonata_adapter.install()
        lambda_adapter.install()
        sfn_adapter.install()
        state_output_adapter.install()
        api_adapter.install()
        assign_adapter.install()
        dynamodb_adapter.install()
        sfn_versions_adapter.install()
        status_events.install()
        rule_targets.install()
        branch_error_adapter.install()
        branch_stop_adapter.install()
        _installed = True


def adapters_installed() -> bool:
    """True once install_adapters() has completed in this process."""
    return _installed
