"""Stepwise routes for notifications: an execution's deliveries, the webhook secret."""
from __future__ import annotations

from chalice import Blueprint

from chalicelib import clock
from chalicelib.api.http import ApiRequest, endpoint, int_param
from chalicelib.service import notifications
from chalicelib.service.auth import Caller
from chalicelib.store.models import Notification, WebhookSecret, plain

bp = Blueprint(__name__)


def _try(attempt: dict) -> dict:
    return {"at": attempt.get("at"), "statusCode": attempt.get("status_code"),
            "error": attempt.get("error"), "durationMs": attempt.get("duration_ms")}


def _notification(item: Notification) -> dict:
    due = item.next_at if item.pending else None
    return {"kind": item.kind, "target": item.target, "attempt": int(item.attempt),
            "deliveryId": item.delivery_id, "status": item.status,
            "nextTryAt": None if due is None else clock.epoch_iso(int(due)),
            "createdAt": item.created_at, "tries": [_try(t) for t in plain(item.tries or [])]}


def _secret(item: WebhookSecret) -> dict:
    return {"secret": item.secret, "createdAt": item.created_at}


@endpoint(bp, "/workflows/{id}/executions/{execution_id}/notifications", ["GET"])
def list_notifications(request: ApiRequest, caller: Caller, id: str,
                       execution_id: str) -> list:
    return [_notification(item) for item in notifications.list_for(
        caller, int_param(id), int_param(execution_id, "execution"))]


@endpoint(bp, "/workflows/{id}/webhook_secret", ["GET"])
def get_webhook_secret(request: ApiRequest, caller: Caller, id: str) -> dict:
    return _secret(notifications.webhook_secret(caller, int_param(id)))


@endpoint(bp, "/workflows/{id}/webhook_secret/rotate", ["POST"])
def rotate_webhook_secret(request: ApiRequest, caller: Caller, id: str) -> dict:
    return _secret(notifications.rotate_webhook_secret(caller, int_param(id)))
