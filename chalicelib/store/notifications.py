"""The notification outbox and the webhook secrets, in DynamoDB.

- `record` stores a notification on condition that its key is new, so an execution settled
  twice owes each notification once; it gives whether it stored it.
- `claim` takes a due notification for one try (a conditional write on its `next_at`), so two
  sweepers never send the same one at once; `settle_try` stores the try's outcome.
- `due` lists what is due (a Query of the sparse `due` index); `of_execution` lists an
  execution's notifications (one Query).
- `secret` gives a workflow's webhook secret, made at first need (`secret_item`: with its
  creation time); `rotate` replaces it.
"""
from __future__ import annotations

import secrets as random_secrets
from typing import Any

from pynamodb.exceptions import PutError, UpdateError

from chalicelib import clock
from chalicelib.store.models import Notification, WebhookSecret

LEASE_SECONDS = 120  # a claimed try that never reports back is tried again after this


def scope(workflow_id: int, execution_id: int) -> str:
    return f"{workflow_id}#{execution_id}"


def _conditional_failed(error: Exception) -> bool:
    return "ConditionalCheckFailed" in str(error)


def record(item: Notification) -> bool:
    """Stores `item` unless one with its key exists; gives whether it stored it."""
    try:
        item.save(condition=Notification.key.does_not_exist())
    except PutError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


def claim(item: Notification, now: int) -> bool:
    """Takes a pending, due `item` for one try; gives whether this caller got it."""
    if item.pending is None or item.next_at is None or int(item.next_at) > now:
        return False
    try:
        item.update(actions=[Notification.next_at.set(now + LEASE_SECONDS)],
                    condition=(Notification.next_at == int(item.next_at))
                    & Notification.pending.exists())
    except UpdateError as error:
        if _conditional_failed(error):
            return False
        raise
    return True


def settle_try(item: Notification, attempt: dict[str, Any], next_at: int | None,
               status: str) -> None:
    """Appends one try; with `next_at`, another try is due then, else `status` is final."""
    actions = [Notification.tries.set((item.tries or []) + [attempt]),
               Notification.status.set(status)]
    if next_at is None:
        actions += [Notification.pending.remove(), Notification.next_at.remove()]
    else:
        actions.append(Notification.next_at.set(next_at))
    item.update(actions=actions)


def due(now: int, limit: int) -> list[Notification]:
    """Pending notifications whose next try is due, the most overdue first."""
    return list(Notification.by_due.query("1", Notification.next_at <= now, limit=limit))


def of_execution(workflow_id: int, execution_id: int) -> list[Notification]:
    """Every notification of an execution, by attempt, then kind and target."""
    return list(Notification.query(scope(workflow_id, execution_id), consistent_read=True))


def new_secret() -> str:
    return "whsec_" + random_secrets.token_urlsafe(32)


def secret(workflow_id: int) -> str:
    """The workflow's webhook secret; made (once, even under races) when it has none."""
    try:
        return WebhookSecret.get(workflow_id, consistent_read=True).secret
    except WebhookSecret.DoesNotExist:
        pass
    made = WebhookSecret(workflow_id, secret=new_secret(), created_at=clock.now())
    try:
        made.save(condition=WebhookSecret.workflow_id.does_not_exist())
    except PutError as error:
        if not _conditional_failed(error):
            raise
        return WebhookSecret.get(workflow_id, consistent_read=True).secret
    return made.secret


def rotate(workflow_id: int) -> WebhookSecret:
    """Replaces the workflow's webhook secret with a new one; gives the new one."""
    made = WebhookSecret(workflow_id, secret=new_secret(), created_at=clock.now())
    made.save()
    return made


def secret_item(workflow_id: int) -> WebhookSecret:
    """The workflow's secret item (made when missing)."""
    secret(workflow_id)
    return WebhookSecret.get(workflow_id, consistent_read=True)
