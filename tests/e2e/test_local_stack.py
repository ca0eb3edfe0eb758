"""`stepwise local` as a user runs it: start, run workflows through HTTP and the civis
client, stop, start again on the same data, and nothing is lost."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import civis
import pytest

from tests.compat.conftest import add_user
from tests.e2e.conftest import start_stack

LONG = """version: '2.0'
slow:
  tasks:
    wait:
      action: std.noop
      wait-before: 120
"""


def _wait_final(stack, workflow_id: int, execution_id: int, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status, body = stack.request("GET", f"/workflows/{workflow_id}/executions/"
                                            f"{execution_id}")
        assert status == 200, body
        if body["state"] not in ("queued", "running") or time.monotonic() > deadline:
            return body
        time.sleep(0.1)


def test_start_run_stop_restart_and_nothing_is_lost(tmp_path, stacks, monkeypatch):
    data = tmp_path / "data"
    first = start_stack(data)
    stacks.append(first)
    output = first.text()
    assert "example workflow 1: execution 1 succeeded" in output
    assert (data / "local.json").stat().st_mode & 0o777 == 0o600

    # the civis client, as users point it at the local API
    monkeypatch.setenv("CIVIS_API_ENDPOINT", first.url)
    client = civis.APIClient(api_key=first.api_key)
    [example] = client.workflows.list()
    started = client.workflows.post_executions(example.id)
    assert _wait_final(first, example.id, started.id)["state"] == "succeeded"
    slow = client.workflows.post(name="slow", definition=LONG)
    running = client.workflows.post_executions(slow.id)
    assert client.workflows.get_executions(slow.id, running.id).state == "running"
    bob = add_user(client, "bob")
    client.workflows.put_shares_users(example.id, [bob.id], "read", send_shared_email=True)
    [mail] = (data / "outbox").glob("*.eml")  # the local SES keeps what it sends
    assert "To: bob@example.com" in mail.read_text()

    assert first.stop() == 0
    assert "saved" in first.text()

    second = start_stack(data)
    stacks.append(second)
    assert second.api_key == first.api_key  # the same key works after the restart
    assert "1 execution(s) that were running are marked failed" in second.text()
    monkeypatch.setenv("CIVIS_API_ENDPOINT", second.url)
    client = civis.APIClient(api_key=second.api_key)
    assert sorted(w.name for w in client.workflows.list()) == ["hello", "slow"]
    kept = client.workflows.list_executions(example.id)
    assert [(e.id, e.state) for e in kept] == [(started.id, "succeeded"), (1, "succeeded")]
    kept_tasks = client.workflows.get_executions(example.id, started.id).tasks
    assert [t.mistral_state for t in kept_tasks] == ["success"] * len(kept_tasks) != []
    interrupted = client.workflows.get_executions(slow.id, running.id)
    assert interrupted.state == "failed"
    assert "local stack stopped" in interrupted.mistral_state_info
    assert client.workflows.get(slow.id).state == "failed"
    # users, their keys and shares too
    bobs = civis.APIClient(api_key=bob.token)
    assert [w.id for w in bobs.workflows.list()] == [example.id]
    assert bobs.workflows.get(example.id).my_permission_level == "read"

    # the engine runs again: machines are deployed anew, new ids follow the old ones
    again = client.workflows.post_executions(example.id)
    assert again.id > running.id
    assert _wait_final(second, example.id, again.id)["state"] == "succeeded"
    assert second.stop() == 0


def test_a_second_stack_on_the_same_port_fails_cleanly(tmp_path, stacks):
    first = start_stack(tmp_path / "a")
    stacks.append(first)
    result = subprocess.run(
        [sys.executable, "-m", "stepwise.cli", "local", "--port", str(first.port),
         "--data-dir", str(tmp_path / "b")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"port {first.port} on 127.0.0.1 is in use" in result.stderr
    assert not (tmp_path / "b").exists()  # it changed nothing
    assert first.stop(signum=signal.SIGINT) == 0  # Ctrl-C
    assert "saved" in first.text()
