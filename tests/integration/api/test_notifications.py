"""Notifications of executions on the local AWS: e-mails in moto's SES outbox, webhooks at a
receiver on loopback, retries driven by calling the sweep with a later clock."""
from __future__ import annotations

import email
import email.policy
import hashlib
import hmac
import http.server
import json
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends

from chalicelib import config
from chalicelib.actions import clients
from chalicelib.service import executions as execution_service
from chalicelib.service import notifications
from chalicelib.store import executions as execution_store
from chalicelib.store import workflows as workflow_store
from tests.integration.api.conftest import create_workflow
from tests.integration.api.test_executions import FAILING, LONG, wait_final

pytestmark = pytest.mark.moto

SENDER = "workflows@stepwise.test"


def wait_for(check: Callable[[], Any], timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


@pytest.fixture
def outbox(api_aws, monkeypatch) -> Iterator[Callable[[], list]]:
    """Messages SES accepted during the test, parsed (From, To, Subject, text, html)."""
    clients.reset_clients()
    api_aws.client("ses").verify_email_identity(EmailAddress=SENDER)
    monkeypatch.setenv(config.EMAIL_SENDER, SENDER)
    sent = ses_backends[DEFAULT_ACCOUNT_ID][api_aws.region].sent_messages
    start = len(sent)
    yield lambda: [email.message_from_string(m.raw_data, policy=email.policy.default)
                   for m in sent[start:]]
    clients.reset_clients()


class Receiver:
    """An HTTP server on loopback that answers POSTs with the statuses it is given (then
    200) and keeps what it received."""

    def __init__(self) -> None:
        self.statuses: list[int] = []
        self.received: list[tuple[dict[str, str], bytes]] = []
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server hook
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.received.append((dict(self.headers.items()), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(monkeypatch) -> Iterator[Receiver]:
    monkeypatch.setenv(config.ALLOW_LOOPBACK_WEBHOOKS, "1")
    found = Receiver()
    yield found
    found.close()


def verify(secret: str, headers: dict[str, str], body: bytes, now: float) -> dict:
    """What a receiver does (as docs/api.md shows): check the time and the signature."""
    timestamp = headers["Stepwise-Timestamp"]
    assert abs(now - int(timestamp)) <= 300
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body,
                        hashlib.sha256).hexdigest()
    assert hmac.compare_digest(headers["Stepwise-Signature"], f"v1={expected}")
    return json.loads(body)


def run(api, token: str, workflow: dict) -> dict:
    started = api.post(f"/workflows/{workflow['id']}/executions", token)
    assert started.status == 201, started.body
    return wait_final(api, token, workflow["id"], started.body["id"])


def deliveries(api, token: str, workflow_id: int, execution_id: int) -> list[dict]:
    got = api.get(f"/workflows/{workflow_id}/executions/{execution_id}/notifications", token)
    assert got.status == 200, got.body
    return got.body


def settled(api, token: str, workflow_id: int, execution_id: int, count: int) -> list[dict]:
    """The execution's notifications once `count` of them have had a try."""
    return wait_for(lambda: [n for n in deliveries(api, token, workflow_id, execution_id)
                             if n["tries"]] if len([
                                 n for n in deliveries(api, token, workflow_id, execution_id)
                                 if n["tries"]]) >= count else None)


def parts(message) -> tuple[str, str]:
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = message.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


def test_success_email_has_the_custom_subject_and_markdown_as_text_and_html(
        api, people, runner, outbox):
    body = "# Nightly done\n\n**All** rows loaded. <script>alert(1)</script> [x](javascript:y)"
    workflow = create_workflow(api, people.alice.token, "nightly", notifications={
        "success_email_subject": "Nightly load finished", "success_email_body": body,
        "success_email_addresses": ["ops@example.com", "lead@example.com"],
        "success_email_from_name": "Data team, nightly", "success_email_reply_to":
        "data@example.com"})
    assert workflow["notifications"]["successEmailFromName"] == "Data team, nightly"
    final = run(api, people.alice.token, workflow)
    assert final["state"] == "succeeded"
    [message] = wait_for(outbox)
    assert message["Subject"] == "Nightly load finished"
    assert message["From"] == f'"Data team, nightly" <{SENDER}>'
    assert message["From"].addresses[0].display_name == "Data team, nightly"
    assert message["Reply-To"] == "data@example.com"
    assert message["To"] == "ops@example.com, lead@example.com"
    text, html = parts(message)
    assert text.startswith(body)
    assert f"/workflows/{workflow['id']}/executions/{final['id']}" in text
    assert "<h1>Nightly done</h1>" in html and "<strong>All</strong>" in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in html.replace("[x](javascript:y)", "")
    [sent] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert (sent["kind"], sent["status"], sent["target"]) == (
        "success_email", "delivered", "ops@example.com, lead@example.com")


def test_failure_email_goes_to_the_owner_and_lists_failed_tasks(api, people, runner, outbox):
    workflow = create_workflow(api, people.alice.token, "broken", definition=FAILING)
    final = run(api, people.alice.token, workflow)
    assert final["state"] == "failed"
    [message] = wait_for(outbox)
    assert message["Subject"] == "Workflow broken failed"
    assert message["From"] == f"Stepwise <{SENDER}>" and message["Reply-To"] is None
    assert message["To"] == people.alice.email
    text, html = parts(message)
    assert "**boom**" in text and "<strong>boom</strong>" in html
    assert f"/workflows/{workflow['id']}/executions/{final['id']}" in text


def test_no_email_when_the_flag_is_off(api, people, runner, outbox, receiver):
    workflow = create_workflow(api, people.alice.token, notifications={
        "success_on": False, "urls": [receiver.url]})
    final = run(api, people.alice.token, workflow)
    [hook] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert hook["kind"] == "webhook"
    assert outbox() == []


def test_a_webhook_is_signed_and_describes_the_execution(api, people, runner, receiver):
    workflow = create_workflow(api, people.alice.token, "broken", definition=FAILING,
                               notifications={"urls": [receiver.url], "failure_on": False})
    final = run(api, people.alice.token, workflow)
    [hook] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert hook["status"] == "delivered" and hook["tries"][0]["statusCode"] == 200
    secret = api.get(f"/workflows/{workflow['id']}/webhook_secret", people.alice.token)
    assert secret.status == 200 and secret.body["secret"].startswith("whsec_")
    [(headers, body)] = receiver.received
    assert headers["Stepwise-Delivery"] == hook["deliveryId"]
    assert headers["Stepwise-Event"] == "execution.failed"
    payload = verify(secret.body["secret"], headers, body, time.time())
    assert payload["workflowId"] == workflow["id"] and payload["workflowName"] == "broken"
    assert (payload["executionId"], payload["attempt"], payload["state"],
            payload["mistralState"]) == (final["id"], 0, "failed", "error")
    assert payload["startedAt"] == final["startedAt"]
    assert payload["finishedAt"] == final["finishedAt"]
    assert [task["name"] for task in payload["failedTasks"]] == ["boom"]
    assert payload["links"]["execution"].endswith(
        f"/workflows/{workflow['id']}/executions/{final['id']}")
    # a forged body does not verify
    with pytest.raises(AssertionError):
        verify(secret.body["secret"], headers, body.replace(b"failed", b"succeeded"),
               time.time())


def test_a_5xx_is_retried_by_the_sweep_until_it_is_delivered(api, people, runner, receiver):
    receiver.statuses = [500]
    workflow = create_workflow(api, people.alice.token,
                               notifications={"urls": [receiver.url], "success_on": False})
    final = run(api, people.alice.token, workflow)
    [hook] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert hook["status"] == "pending" and hook["tries"][0]["statusCode"] == 500
    assert hook["nextTryAt"] is not None
    notifications.sweep()  # not due yet: a minute after the failed try
    assert len(receiver.received) == 1
    notifications.sweep(now=time.time() + 61)
    [hook] = deliveries(api, people.alice.token, workflow["id"], final["id"])
    assert hook["status"] == "delivered" and hook["nextTryAt"] is None
    assert [t["statusCode"] for t in hook["tries"]] == [500, 200]
    assert all(t["durationMs"] >= 0 and t["at"] for t in hook["tries"])
    first, second = receiver.received
    assert first[0]["Stepwise-Delivery"] == second[0]["Stepwise-Delivery"]
    assert first[1] == second[1]
    notifications.sweep(now=time.time() + 7200)
    assert len(receiver.received) == 2


def test_a_4xx_is_not_retried(api, people, runner, receiver):
    receiver.statuses = [404]
    workflow = create_workflow(api, people.alice.token,
                               notifications={"urls": [receiver.url], "success_on": False})
    final = run(api, people.alice.token, workflow)
    [hook] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert hook["status"] == "failed" and hook["nextTryAt"] is None
    assert hook["tries"][0]["statusCode"] == 404 and "404" in hook["tries"][0]["error"]
    notifications.sweep(now=time.time() + 3600)
    assert len(receiver.received) == 1


def test_deliveries_need_read_permission_and_the_secret_needs_manage(api, people, runner):
    workflow = create_workflow(api, people.alice.token)
    final = run(api, people.alice.token, workflow)
    path = f"/workflows/{workflow['id']}/executions/{final['id']}/notifications"
    assert api.get(path, people.bob.token).status == 404
    share = api.put(f"/workflows/{workflow['id']}/shares/users", people.alice.token,
                    {"user_ids": [people.bob.id], "permission_level": "write"})
    assert share.status == 200
    assert api.get(path, people.bob.token).status == 200
    assert api.get(f"/workflows/{workflow['id']}/webhook_secret", people.bob.token).status \
        == 403
    first = api.get(f"/workflows/{workflow['id']}/webhook_secret", people.alice.token).body
    again = api.get(f"/workflows/{workflow['id']}/webhook_secret", people.alice.token).body
    assert first == again
    rotated = api.post(f"/workflows/{workflow['id']}/webhook_secret/rotate",
                       people.alice.token)
    assert rotated.status == 200 and rotated.body["secret"] != first["secret"]
    assert api.get(f"/workflows/{workflow['id']}/webhook_secret",
                   people.alice.token).body == rotated.body
    assert api.get(f"/workflows/{workflow['id']}/executions/999/notifications",
                   people.alice.token).status == 404


@pytest.mark.parametrize("url, reason", [
    ("http://127.0.0.1:9/hook", "loopback"),
    ("http://localhost:9/hook", "loopback"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://10.0.0.1/hook", "private"),
])
def test_forbidden_targets_are_recorded_as_failed_and_not_retried(api, people, runner, url,
                                                                  reason):
    workflow = create_workflow(api, people.alice.token,
                               notifications={"urls": [url], "success_on": False})
    final = run(api, people.alice.token, workflow)
    [hook] = settled(api, people.alice.token, workflow["id"], final["id"], 1)
    assert hook["status"] == "failed" and hook["nextTryAt"] is None
    [attempt] = hook["tries"]
    assert reason in attempt["error"] and attempt["statusCode"] is None


def test_a_stall_warning_is_sent_once(api, people, runner, outbox, receiver):
    workflow = create_workflow(api, people.alice.token, "slow", definition=LONG,
                               notifications={"stall_warning_minutes": 1,
                                              "urls": [receiver.url]})
    started = api.post(f"/workflows/{workflow['id']}/executions", people.alice.token).body
    notifications.sweep()  # not a minute yet
    assert outbox() == []
    notifications.sweep(now=time.time() + 120)
    notifications.sweep(now=time.time() + 180)
    [warning] = outbox()
    assert warning["Subject"] == "Workflow slow has run for more than 1 minutes"
    assert warning["To"] == people.alice.email
    # cancelled: the webhook says so, and no failure e-mail goes out
    assert api.post(f"/workflows/{workflow['id']}/executions/{started['id']}/cancel",
                    people.alice.token).status == 202
    final = wait_final(api, people.alice.token, workflow["id"], started["id"])
    assert final["state"] == "cancelled"
    kinds = settled(api, people.alice.token, workflow["id"], started["id"], 2)
    assert sorted(n["kind"] for n in kinds) == ["stall_warning", "webhook"]
    assert json.loads(receiver.received[0][1])["state"] == "cancelled"
    assert len(outbox()) == 1


def test_a_repeated_settle_sends_nothing_twice(api, people, runner, outbox, receiver):
    workflow = create_workflow(api, people.alice.token, notifications={
        "urls": [receiver.url]})
    final = run(api, people.alice.token, workflow)
    settled(api, people.alice.token, workflow["id"], final["id"], 2)
    arn = f"wf{workflow['id']}-x{final['id']}"
    event = {"name": arn, "status": "SUCCEEDED"}
    assert not execution_service.record_status(event)
    assert not execution_service.record_status(event)
    stored = workflow_store.get(workflow["id"])
    execution = execution_store.get(workflow["id"], final["id"])
    assert notifications.execution_final(stored, execution) == 0
    assert len(outbox()) == 1 and len(receiver.received) == 1
    assert len(deliveries(api, people.alice.token, workflow["id"], final["id"])) == 2


def test_header_injection_is_refused_or_flattened(api, people, runner, outbox):
    bad = api.post("/workflows", people.alice.token, {
        "name": "wf", "definition": "version: '2.0'\n",
        "notifications": {"success_email_subject": "Hi\r\nBcc: evil@example.com"}})
    assert bad.status == 400 and "one line" in bad.body["errorDescription"]
    for field, value in (("success_email_from_name", "Ops\r\nBcc: evil@example.com"),
                         ("success_email_reply_to", "a@example.com\r\nBcc: e@example.com")):
        bad = api.post("/workflows", people.alice.token, {
            "name": "wf", "definition": "version: '2.0'\n", "notifications": {field: value}})
        assert bad.status == 400 and field in bad.body["errorDescription"], bad.body
    workflow = create_workflow(api, people.alice.token, "evil\r\nBcc: evil@example.com",
                               definition=FAILING)
    run(api, people.alice.token, workflow)
    [message] = wait_for(outbox)
    assert message["Bcc"] is None
    assert message["Subject"] == "Workflow evil  Bcc: evil@example.com failed"
