"""EventBridge rules with Lambda and Step Functions targets on moto.

moto's `Rule.send_to_targets` delivers to SQS, CloudWatch Logs, archives, event buses and API
destinations only; any other target raises NotImplementedError, so PutEvents answers HTTP 500.
`install()` wraps it:
- a DISABLED rule delivers nothing (moto delivers through disabled rules too);
- the event must match the rule's pattern, decided by moto's own matcher (`EventPattern`);
- `arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]` targets are invoked through the
  local Lambda backend (`infra.local.lambda_adapter` runs the Handler in this process);
- `arn:aws:states:REGION:ACCOUNT:stateMachine:NAME[:VERSION]` targets start an execution
  (named with a random UUID, as EventBridge does) whose input is the payload;
- every other target is left to moto, unchanged.

The payload is the event as AWS delivers it (`version`, `id`, `detail-type`, `source`,
`account`, `time` as ISO-8601 `Z`, `region`, `resources`, `detail`), or what the target's
`Input` (JSON text, sent as is), `InputPath` (a JSONPath into the event) or `InputTransformer`
(moto's template parser, JSON templates only) make of it.

Delivery is asynchronous, as EventBridge invokes Lambda functions: PutEvents returns before the
targets run. Each (rule, target) pair has `LANES` lanes; the events about one resource (the
first of `resources`: a Step Functions execution) always take the same lane, whose deliveries
run one after another in the order the events were put, on a thread of its own (never the
caller's), so a target sees an execution's RUNNING event before its final one, while events
of different executions may be delivered side by side. Failures (unknown function, handler error,
bad state machine) are logged and kept in `delivery_errors()`; there are no retries or
dead-letter queues.

Takes: nothing at import. Gives: `install()`, `check()`, `wait_for_deliveries(timeout) -> bool`
(True once no delivery is queued or running), `pending_deliveries()`, `delivery_errors()`.
The invocations and lanes themselves are shared with the scheduler in `infra.local.targets`.
"""

from __future__ import annotations

import collections
import copy
import datetime
import functools
import json
import logging
import time
import zlib
from collections.abc import Callable
from typing import Any

from infra.local import targets
from infra.local.moto_guard import require, require_module
from infra.local.targets import (
    Lanes,
    LaneKey,
    invoke_lambda,
    is_lambda_target,
    is_state_machine_target,
    start_state_machine,
)

_EVENTS_MODULE = "moto.events.models"
_EVENTS_UTILS_MODULE = "moto.events.utils"

logger = logging.getLogger(__name__)


# -- which targets -----------------------------------------------------------------------------


def _is_local_target(target: dict[str, Any]) -> bool:
    arn = str(target.get("Arn", ""))
    return is_lambda_target(arn) or is_state_machine_target(arn)


# -- payloads ----------------------------------------------------------------------------------


def _iso_time(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        moment = datetime.datetime.fromtimestamp(float(value), tz=datetime.UTC)
        return moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def aws_event(event: dict[str, Any]) -> dict[str, Any]:
    """moto's internal event message as AWS delivers it: ISO time, no ingestion time."""
    delivered = {key: value for key, value in event.items() if key != "ingestion-time"}
    if "time" in delivered:
        delivered["time"] = _iso_time(delivered["time"])
    return json.loads(json.dumps(delivered))


def payload_text(target: dict[str, Any], event: dict[str, Any]) -> str:
    """The text a target receives for `event` (moto's internal message), after its input
    configuration (`Input`, `InputPath` or `InputTransformer`), as AWS does."""
    delivered = aws_event(event)
    if target.get("Input") is not None:
        return str(target["Input"])
    if target.get("InputPath"):
        from jsonpath_ng.ext import parse

        matches = parse(target["InputPath"]).find(delivered)
        if not matches:
            raise ValueError(f"InputPath {target['InputPath']!r} matches nothing in the event")
        return json.dumps(matches[0].value)
    transformer = target.get("InputTransformer")
    if transformer:
        template_parser = require(_EVENTS_UTILS_MODULE, "EventTemplateParser")
        source = dict(delivered, **{"ingestion-time": event.get("ingestion-time", time.time())})
        transformed = template_parser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event=source,
        )
        return json.dumps(transformed)
    return json.dumps(delivered)


# -- delivery ----------------------------------------------------------------------------------


_errors: collections.deque[str] = collections.deque(maxlen=100)


def _record_failure(key: LaneKey, exc: Exception) -> None:
    message = f"rule {key[0]} target {key[1]}: {exc!r}"
    _errors.append(message)
    logger.warning("rule target delivery failed: %s", message)


_lanes = Lanes("local-rule-target", _record_failure)
LANES = 4  # per (rule, target): events of one resource always take the same one


def wait_for_deliveries(timeout: float = 10.0) -> bool:
    """Wait until no Lambda or Step Functions target delivery is queued or running; gives
    False if some still are after `timeout` seconds."""
    return _lanes.work.wait_idle(time.monotonic() + timeout)


def pending_deliveries() -> int:
    """How many target deliveries are queued or running."""
    return _lanes.work.count


def delivery_errors() -> list[str]:
    """The most recent failed target deliveries (oldest first)."""
    return list(_errors)


def _lane(target_id: str, event: dict[str, Any]) -> str:
    """The lane of an event for one target: events about the same resource (a Step Functions
    execution) share a lane, so they arrive in order; others may run side by side, as
    EventBridge invokes a function concurrently."""
    resources = event.get("resources") or [""]
    return f"{target_id}#{zlib.crc32(str(resources[0]).encode()) % LANES}"


def _submit(rule: Any, target: dict[str, Any], event: dict[str, Any]) -> None:
    arn = str(target["Arn"])
    key = (str(rule.arn), _lane(str(target.get("Id", arn)), event))
    try:
        payload = payload_text(target, event)
    except Exception as exc:  # noqa: BLE001 - logged; PutEvents itself succeeds
        message = f"rule {key[0]} target {key[1]}: input not built: {exc!r}"
        _errors.append(message)
        logger.warning("rule target delivery failed: %s", message)
        return
    if is_lambda_target(arn):
        _lanes.submit(key, functools.partial(invoke_lambda, arn, payload))
    else:
        _lanes.submit(key, functools.partial(start_state_machine, arn, payload))


# -- hook --------------------------------------------------------------------------------------


def _send_to_targets_patch(original: Callable[..., None]) -> Callable[..., None]:
    @functools.wraps(original)
    def send_to_targets(self: Any, original_event: Any, transform_input: bool = True) -> None:
        # ENABLED, or ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS; DISABLED delivers nothing.
        if not str(getattr(self, "state", "ENABLED")).startswith("ENABLED"):
            return
        targets = list(self.targets)
        local = [target for target in targets if _is_local_target(target)]
        if local and self.event_pattern.matches_event(original_event):
            for target in local:
                _submit(self, target, dict(original_event))
        others = [target for target in targets if not _is_local_target(target)]
        if not others:
            return
        if len(others) == len(targets):
            original(self, original_event, transform_input)
            return
        # A shallow copy with only moto's targets; the rule itself is never modified.
        rest = copy.copy(self)
        rest.targets = others
        original(rest, original_event, transform_input)

    send_to_targets.__stepwise_patched__ = True  # type: ignore[attr-defined]
    return send_to_targets


def check() -> None:
    """Raise MotoMismatchError if the internals this adapter hooks or uses are missing."""
    require(_EVENTS_MODULE, "Rule.send_to_targets")
    require(_EVENTS_MODULE, "EventPattern.matches_event")
    require(_EVENTS_UTILS_MODULE, "EventTemplateParser.parse")
    targets.check()


def install() -> None:
    """Wrap moto's rule delivery (idempotent)."""
    check()
    rule_class = require_module(_EVENTS_MODULE).Rule
    if not getattr(rule_class.send_to_targets, "__stepwise_patched__", False):
        rule_class.send_to_targets = _send_to_targets_patch(rule_class.send_to_targets)
