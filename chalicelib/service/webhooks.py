"""Webhook POSTs: signing and one guarded delivery.

Takes: the URL, the JSON body (text), the workflow's secret, a delivery id and the Unix time.
Gives (`post`): the HTTP status of a 2xx answer, or raises `DeliveryFailed`.

Signature: HMAC-SHA256 keyed with the secret (UTF-8), over ``"<timestamp>.<body>"``, sent as
``Stepwise-Signature: v1=<lowercase hex>`` with ``Stepwise-Timestamp: <unix seconds>`` and
``Stepwise-Delivery: <delivery id>`` (the same id on every try of one delivery).

Delivery goes through std.http's transport (`chalicelib.actions.http_action`): the host is
resolved once and checked by `net_guard` (loopback, link-local, private and metadata
addresses are refused; loopback only with STEPWISE_ALLOW_LOOPBACK_WEBHOOKS), the connection
is pinned to the checked address, redirects are not followed, and the whole try has
`TIMEOUT_SECONDS`. Network errors, timeouts, 5xx and 429 are retriable; refused targets,
redirects and other 4xx are not.
"""
from __future__ import annotations

import hashlib
import hmac

from chalicelib.actions import http_action, net_guard
from chalicelib.actions.errors import (ActionInputError, HttpConnectionError, HttpError,
                                       HttpTimeout)
from chalicelib.errors import DeliveryFailed

TIMEOUT_SECONDS = 5.0
USER_AGENT = "Stepwise-Webhooks/1"


def signature(secret: str, timestamp: int, body: str) -> str:
    """Gives the ``Stepwise-Signature`` value of `body` sent at `timestamp`."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}.{body}".encode("utf-8"),
                      hashlib.sha256).hexdigest()
    return f"v1={digest}"


def headers(secret: str, timestamp: int, body: str, delivery_id: str, event: str
            ) -> dict[str, str]:
    return {"Content-Type": "application/json", "User-Agent": USER_AGENT,
            "Stepwise-Event": event, "Stepwise-Delivery": delivery_id,
            "Stepwise-Timestamp": str(timestamp),
            "Stepwise-Signature": signature(secret, timestamp, body)}


def post(url: str, body: str, sent_headers: dict[str, str], *, allow_loopback: bool,
         resolver: net_guard.Resolver | None = None) -> int:
    """POSTs `body` once; gives the 2xx status or raises DeliveryFailed."""
    shown = net_guard.safe_url(url)
    try:
        request = http_action.build_request({
            "url": url, "method": "POST", "headers": sent_headers, "body": body,
            "timeout": TIMEOUT_SECONDS, "allow_redirects": False})
        result = http_action.send(request, allow_loopback=allow_loopback, resolver=resolver)
    except HttpError as error:
        code = error.status_code
        raise DeliveryFailed(f"{shown} answered HTTP {code}", status_code=code,
                             retriable=code >= 500 or code == 429) from None
    except (HttpTimeout, HttpConnectionError) as error:
        raise DeliveryFailed(error.message, retriable=True) from None
    except ActionInputError as error:  # with ForbiddenTarget: refused by the SSRF guard
        raise DeliveryFailed(error.message, retriable=False) from None
    status = int(result["status"])
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{shown} answered HTTP {status}; redirects are not followed",
                             status_code=status, retriable=False)
    return status
