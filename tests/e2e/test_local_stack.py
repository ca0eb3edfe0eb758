"""`stepwise local` as a user runs it: start, run workflows through HTTP and the civis
client, stop, start again on the same data, and nothing is lost."""
from __future__ import annotations

import signal
import subprocess
import sys
import time

import os

import civis
import pytest

from tests.compat.conftest import add_user
from tests.e2e.conftest import PROJECT, start_stack

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


USES_MY_FUNCTION = """version: '2.0'
doubling:
  input:
    - n
  tasks:
    double:
      action: aws.lambda
      input:
        function_name: my-doubler
        payload:
          n: <% $.n %>
      publish:
        doubled: <% task().result.n %>
"""


def _cli(stack, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "STEPWISE_URL": stack.url, "STEPWISE_API_KEY": stack.api_key}
    return subprocess.run([sys.executable, "-m", "stepwise.cli", *args], env=env,
                          cwd=PROJECT, capture_output=True, text=True, timeout=120)


def test_start_run_stop_restart_and_nothing_is_lost(tmp_path, stacks, monkeypatch):
    data = tmp_path / "data"
    (tmp_path / "lambdas").mkdir()
    (tmp_path / "lambdas" / "doubler_fn.py").write_text(
        "def handler(event, context):\n    return {'n': event['n'] * 2}\n")
    functions = tmp_path / "functions.yaml"
    functions.write_text("functions:\n  my-doubler:\n    handler: doubler_fn.handler\n"
                         "    code_dir: lambdas\n")
    first = start_stack(data, "--functions", str(functions))
    stacks.append(first)
    output = first.text()
    assert "example workflow 1: execution 1 succeeded" in output
    assert "your functions from" in output and "my-doubler" in output
    assert (data / "local.json").stat().st_mode & 0o777 == 0o600

    # the CLI, as a user runs it: the example, then a workflow calling the user's function
    ran = _cli(first, "run", "examples/hello.yaml", "--watch")
    assert ran.returncode == 0, ran.stderr
    assert "succeeded" in ran.stdout and "greet" in ran.stdout
    workflow_file = tmp_path / "doubling.yaml"
    workflow_file.write_text(USES_MY_FUNCTION)
    doubled = _cli(first, "run", str(workflow_file), "--input", "n=21", "--watch", "--json")
    assert doubled.returncode == 0, doubled.stderr
    assert '"succeeded"' in doubled.stdout

    # the civis client, as users point it at the local API
    monkeypatch.setenv("CIVIS_API_ENDPOINT", first.url)
    client = civis.APIClient(api_key=first.api_key)
    [doubling, example] = sorted(client.workflows.list(), key=lambda w: w.name)
    assert (doubling.name, example.name) == ("doubling", "hello")
    started = client.workflows.post_executions(example.id)
    assert _wait_final(first, example.id, started.id)["state"] == "succeeded"
    slow = client.workflows.post(name="slow", definition=LONG)
    running = client.workflows.post_executions(slow.id)
    assert client.workflows.get_executions(slow.id, running.id).state == "running"
    bob = add_user(client, "bob")
    client.workflows.put_shares_users(example.id, [bob.id], "read", send_shared_email=True)
    # the local SES keeps what it sends: the share notice, and the success e-mails of the
    # executions (to their owner, by default)
    mails = [mail.read_text() for mail in (data / "outbox").glob("*.eml")]
    assert sum("To: bob@example.com" in mail for mail in mails) == 1
    assert any("Subject: Workflow hello succeeded" in mail for mail in mails)

    assert first.stop() == 0
    assert "saved" in first.text()

    second = start_stack(data)
    stacks.append(second)
    assert second.api_key == first.api_key  # the same key works after the restart
    assert "1 execution(s) that were running are marked failed" in second.text()
    monkeypatch.setenv("CIVIS_API_ENDPOINT", second.url)
    client = civis.APIClient(api_key=second.api_key)
    assert sorted(w.name for w in client.workflows.list()) == ["doubling", "hello", "slow"]
    kept = client.workflows.list_executions(example.id)
    assert [e.state for e in kept] == ["succeeded"] * 3 and kept[0].id == started.id
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
