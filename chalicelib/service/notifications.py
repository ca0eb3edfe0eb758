"""Notifications of executions: e-mails and signed webhooks, kept in an outbox and retried.

- `execution_final(workflow, execution)` is called once, by the settling that made an
  execution's attempt final. It records what the execution owes (conditional puts keyed by
  execution, attempt, kind and target, so nothing is recorded twice) and tries to deliver it
  at once:
  - a success e-mail when the execution succeeded and `successOn`;
  - a failure e-mail when it failed and `failureOn` (a cancelled execution is not a failure:
    someone stopped it on purpose, so no failure e-mail);
  - a webhook POST to each of `urls`, whatever the final state.
- `sweep(now)` (the sweeper, every minute) sends one stall warning per execution that has run
  longer than `stallWarningMinutes`, and tries the deliveries that are due again.
- Retries: a try that fails with a retriable error (network error, timeout, HTTP 5xx or 429,
  SES throttling) is tried again after 1, 2, 4, ... minutes, at most an hour apart, until 24
  hours after the notification was recorded. Other failures are final.
- `list_for`, `webhook_secret`, `rotate_webhook_secret`: what the API shows. E-mails go to the
  configured addresses, or to the workflow owner's address when the list is empty.
"""
from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from typing import Any

from chalicelib import clock, config
from chalicelib.errors import DeliveryFailed, NotFound
from chalicelib.service import notify_mail, webhooks
from chalicelib.service.auth import Caller
from chalicelib.service.workflows import get as get_workflow
from chalicelib.store import executions as execution_store
from chalicelib.store import notifications as store
from chalicelib.store import principals
from chalicelib.store import workflows as workflow_store
from chalicelib.store.models import Execution, Notification, WebhookSecret, Workflow, plain

log = logging.getLogger("stepwise.notifications")

FIRST_RETRY_SECONDS = 60
MAX_RETRY_GAP_SECONDS = 3600
RETRY_WINDOW_SECONDS = 24 * 3600
SWEEP_LIMIT = 50
FINAL_EVENTS = {"succeeded": "execution.succeeded", "failed": "execution.failed",
                "cancelled": "execution.cancelled"}


# -- what an execution owes ----------------------------------------------------------------------


def links(workflow_id: int, execution_id: int) -> dict[str, str]:
    """API URLs of the workflow and the execution (paths when no base URL is configured)."""
    base = f"{config.resolve_api_url()}/workflows/{workflow_id}"
    return {"workflow": base, "execution": f"{base}/executions/{execution_id}"}


def failed_tasks(execution: Execution) -> list[dict[str, str | None]]:
    """[{name, error}] of the tasks that ended in error."""
    return [{"name": task.get("name"), "error": task.get("mistral_state_info")}
            for task in plain(execution.tasks or [])
            if task.get("mistral_state") == "error"]


def webhook_body(workflow: Workflow, execution: Execution) -> dict[str, Any]:
    """The JSON a webhook receives about a final execution."""
    return {
        "event": FINAL_EVENTS.get(execution.state, f"execution.{execution.state}"),
        "workflowId": int(workflow.id), "workflowName": workflow.name,
        "executionId": int(execution.id), "attempt": int(execution.attempt or 0),
        "state": execution.state, "mistralState": execution.mistral_state,
        "mistralStateInfo": execution.mistral_state_info,
        "startedAt": execution.started_at, "finishedAt": execution.finished_at,
        "failedTasks": failed_tasks(execution),
        "links": links(int(workflow.id), int(execution.id)),
    }


def _flat(name: str) -> str:
    """A workflow name fit for a subject line: control characters become spaces."""
    return "".join(" " if ord(char) < 32 or ord(char) == 127 else char for char in name)


def _recipients(addresses: list[str], workflow: Workflow) -> list[str]:
    if addresses:
        return list(addresses)
    owner = principals.get_user(int(workflow.owner_id))
    return [owner.email] if owner is not None and owner.email else []


def _success_mail(workflow: Workflow, execution: Execution, settings: dict
                  ) -> dict[str, str | None]:
    subject = (settings.get("success_email_subject")
               or f"Workflow {_flat(workflow.name)} succeeded")
    link = links(int(workflow.id), int(execution.id))["execution"]
    body = settings.get("success_email_body") or (
        f"Execution {execution.id} of workflow **{workflow.name}** (id {workflow.id}) "
        f"succeeded at {execution.finished_at}.")
    return {"subject": subject, "body": f"{body}\n\n---\n\nExecution: [{link}]({link})\n",
            "from_name": settings.get("success_email_from_name"),
            "reply_to": settings.get("success_email_reply_to")}


def _failure_mail(workflow: Workflow, execution: Execution) -> dict[str, str]:
    link = links(int(workflow.id), int(execution.id))["execution"]
    lines = [f"Execution {execution.id} of workflow **{workflow.name}** (id {workflow.id}) "
             f"failed at {execution.finished_at}.", "",
             f"Reason: {execution.mistral_state_info or 'unknown'}", ""]
    tasks = failed_tasks(execution)
    if tasks:
        lines += ["Failed tasks:", ""]
        lines += [f"- **{task['name']}**: {task['error'] or 'no error given'}" for task in tasks]
        lines.append("")
    lines.append(f"Execution: [{link}]({link})")
    return {"subject": f"Workflow {_flat(workflow.name)} failed",
            "body": "\n".join(lines) + "\n"}


def _stall_mail(workflow: Workflow, execution: Execution, minutes: int) -> dict[str, str]:
    link = links(int(workflow.id), int(execution.id))["execution"]
    return {"subject": f"Workflow {_flat(workflow.name)} has run for more than {minutes} "
                       "minutes",
            "body": f"Execution {execution.id} of workflow **{workflow.name}** (id "
                    f"{workflow.id}) started at {execution.started_at} and is still "
                    f"{execution.state}.\n\nExecution: [{link}]({link})\n"}


def _item(workflow: Workflow, execution: Execution, kind: str, target: str,
          payload: dict[str, Any], now: int) -> Notification:
    attempt = int(execution.attempt or 0)
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return Notification(
        store.scope(int(workflow.id), int(execution.id)), f"{attempt:04d}#{kind}#{digest}",
        workflow_id=int(workflow.id), execution_id=int(execution.id), attempt=attempt,
        kind=kind, target=target, delivery_id=str(uuid.uuid4()), payload=json.dumps(payload),
        status="pending", pending="1", next_at=now, tries=[], created_at=clock.now(),
        created_epoch=now)


def _mail_item(workflow: Workflow, execution: Execution, kind: str, addresses: list[str],
               mail: dict[str, Any], now: int) -> Notification | None:
    to = _recipients(addresses, workflow)
    if not to:
        return None
    return _item(workflow, execution, kind, ", ".join(to), {**mail, "to": to}, now)


def owed(workflow: Workflow, execution: Execution, now: int) -> list[Notification]:
    """The notifications a final execution owes, by its workflow's settings."""
    settings = plain(workflow.notifications or {})
    items: list[Notification | None] = []
    if execution.state == "succeeded" and settings.get("success_on", True):
        items.append(_mail_item(workflow, execution, "success_email",
                                settings.get("success_email_addresses") or [],
                                _success_mail(workflow, execution, settings), now))
    if execution.state == "failed" and settings.get("failure_on", True):
        items.append(_mail_item(workflow, execution, "failure_email",
                                settings.get("failure_email_addresses") or [],
                                _failure_mail(workflow, execution), now))
    body = webhook_body(workflow, execution)
    for url in dict.fromkeys(settings.get("urls") or []):
        items.append(_item(workflow, execution, "webhook", url, body, now))
    return [item for item in items if item is not None]


def execution_final(workflow: Workflow, execution: Execution) -> int:
    """Records what the (now final) execution owes and tries each new one; gives how many
    were recorded. Never raises: the execution is final whatever happens to its
    notifications, and one that could not be tried stays due in the outbox."""
    now = int(time.time())
    recorded = 0
    try:
        items = owed(workflow, execution, now)
    except Exception:  # noqa: BLE001
        log.exception("notifications of execution %s/%s", workflow.id, execution.id)
        return 0
    for item in items:
        try:
            if store.record(item):
                recorded += 1
                _try(item, now)
        except Exception:  # noqa: BLE001 - the sweeper tries it again
            log.exception("notification %s of execution %s/%s", item.kind, workflow.id,
                          execution.id)
    return recorded


# -- delivery ------------------------------------------------------------------------------------


def retry_at(tries: int, created: int, now: int) -> int | None:
    """When to try again after `tries` failed tries of a notification recorded at `created`
    (1, 2, 4, ... minutes later, at most an hour apart); None once 24 hours have passed."""
    gap = min(FIRST_RETRY_SECONDS * 2 ** max(tries - 1, 0), MAX_RETRY_GAP_SECONDS)
    return now + gap if now + gap <= created + RETRY_WINDOW_SECONDS else None


def _deliver(item: Notification, now: int) -> int | None:
    payload = json.loads(item.payload)
    if item.kind == "webhook":
        event = payload.get("event", "execution")
        secret = store.secret(int(item.workflow_id))
        return webhooks.post(
            item.target, item.payload,
            webhooks.headers(secret, now, item.payload, item.delivery_id, event),
            allow_loopback=config.resolve_webhooks_allow_loopback())
    notify_mail.send(payload["to"], payload["subject"], payload["body"],
                     payload.get("from_name"), payload.get("reply_to"))
    return None


def _try(item: Notification, now: int) -> None:
    """One try of a due item (claimed first, so no one else tries it meanwhile); stores its
    outcome."""
    if not store.claim(item, now):
        return
    began = time.monotonic()
    attempt: dict[str, Any] = {"at": clock.now()}
    next_at, status = None, "delivered"
    try:
        code = _deliver(item, now)
        if code is not None:
            attempt["status_code"] = code
    except DeliveryFailed as error:
        attempt["error"] = error.message
        if error.status_code is not None:
            attempt["status_code"] = error.status_code
        next_at = retry_at(len(item.tries or []) + 1, int(item.created_epoch), now) \
            if error.retriable else None
    except Exception as error:  # noqa: BLE001 - e.g. DynamoDB unavailable: try again later
        log.exception("notification %s of execution %s", item.kind, item.execution)
        attempt["error"] = f"Stepwise could not try it: {type(error).__name__}"
        next_at = retry_at(len(item.tries or []) + 1, int(item.created_epoch), now)
    if "error" in attempt:
        status = "pending" if next_at is not None else "failed"
    attempt["duration_ms"] = int((time.monotonic() - began) * 1000)
    store.settle_try(item, attempt, next_at, status)


def _stall_check(execution: Execution, workflows: dict[int, Workflow | None], now: int
                 ) -> bool:
    workflow_id = int(execution.workflow_id)
    if workflow_id not in workflows:
        workflows[workflow_id] = workflow_store.get(workflow_id)
    workflow = workflows[workflow_id]
    if workflow is None or execution.stall_warned_at or not execution.started_at:
        return False
    settings = plain(workflow.notifications or {})
    minutes = settings.get("stall_warning_minutes")
    if not minutes or clock.parse(execution.started_at).timestamp() + 60 * int(minutes) > now:
        return False
    if not execution_store.flag_stall(execution, clock.now()):
        return False  # another sweeper warned already
    item = _mail_item(workflow, execution, "stall_warning",
                      settings.get("failure_email_addresses") or [],
                      _stall_mail(workflow, execution, int(minutes)), now)
    if item is not None and store.record(item):
        _try(item, now)
    return True


def sweep(now: float | None = None) -> int:
    """Stall warnings for long-running executions, then due retries (the sweeper runs it
    every minute; `now` is the Unix time to act at); gives how many items it handled."""
    moment = int(time.time() if now is None else now)
    handled = 0
    workflows: dict[int, Workflow | None] = {}
    for execution in execution_store.active(SWEEP_LIMIT):
        try:
            handled += _stall_check(execution, workflows, moment)
        except Exception:  # noqa: BLE001 - one execution must not stop the sweep
            log.exception("stall check of execution %s/%s", execution.workflow_id,
                          execution.id)
    for item in store.due(moment, SWEEP_LIMIT):
        try:
            _try(item, moment)
        except Exception:  # noqa: BLE001 - tried again once its lease ends
            log.exception("notification %s of execution %s", item.kind, item.execution)
        handled += 1
    return handled


# -- what the API shows --------------------------------------------------------------------------


def list_for(caller: Caller, workflow_id: int, execution_id: int) -> list[Notification]:
    """An execution's notifications and their tries (read permission)."""
    get_workflow(caller, workflow_id, "read")
    if execution_store.get(workflow_id, execution_id) is None:
        raise NotFound()
    return store.of_execution(workflow_id, execution_id)


def webhook_secret(caller: Caller, workflow_id: int) -> WebhookSecret:
    """The workflow's webhook secret (manage permission), made when it has none."""
    get_workflow(caller, workflow_id, "manage")
    return store.secret_item(workflow_id)


def rotate_webhook_secret(caller: Caller, workflow_id: int) -> WebhookSecret:
    """A new webhook secret for the workflow (manage permission); the old one stops working
    at once, also for retries of earlier deliveries."""
    get_workflow(caller, workflow_id, "manage")
    return store.rotate(workflow_id)
