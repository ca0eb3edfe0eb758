"""The actions and callbacks handlers without AWS: dispatch, registry errors, token parsing."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest

from chalicelib import config
from chalicelib.actions import callbacks, registry, std_actions, tokens
from chalicelib.actions.errors import ActionFailed, ActionInputError, ActionNotRegistered


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (config.ACTION_REGISTRY, config.TOKENS_TABLE, config.HTTP_ALLOW_LOOPBACK):
        monkeypatch.delenv(name, raising=False)


def event(action: str, params: Any = None) -> dict[str, Any]:
    return {"action": action, "input": params, "task": "t1",
            "execution": "arn:aws:states:us-east-1:123456789012:execution:m:e"}


def test_inline_std_actions() -> None:
    assert std_actions.handler(event("std.echo", {"output": {"a": 1}}), None) == {"a": 1}
    assert std_actions.handler(event("std.noop"), None) is None
    with pytest.raises(Exception) as raised:
        std_actions.handler(event("std.fail", {"error_data": {"why": "x"}}), None)
    assert type(raised.value).__name__ == "std.fail"
    assert json.loads(str(raised.value)) == {"why": "x"}


@pytest.mark.parametrize("action", ["nova.servers_create", "civis.scripts.python3",
                                    "civis.run_job", "std.ssh"])
def test_unregistered_actions_name_themselves_and_the_fix(action: str) -> None:
    with pytest.raises(ActionNotRegistered) as raised:
        std_actions.handler(event(action, {"x": 1}), None)
    assert str(raised.value) == (
        f"action '{action}' is not registered in this deployment; map it to a Lambda function "
        "in STEPWISE_ACTION_REGISTRY")


@pytest.mark.parametrize("bad", [None, [], {"input": {}}, {"action": ""},
                                 {"action": "std.echo", "input": [1]}])
def test_malformed_events(bad: Any) -> None:
    with pytest.raises(ActionInputError):
        std_actions.handler(bad, None)


class FakeLambda:
    """Records invoke calls; answers with a fixed payload and optional function error."""

    def __init__(self, payload: Any, function_error: str | None = None) -> None:
        self.payload = payload
        self.function_error = function_error
        self.calls: list[dict[str, Any]] = []

    def invoke(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(kwargs)
        answer: dict[str, Any] = {"Payload": io.BytesIO(json.dumps(self.payload).encode())}
        if self.function_error:
            answer["FunctionError"] = self.function_error
        return answer


def test_registry_invoke_passes_the_input_and_gives_the_payload() -> None:
    fake = FakeLambda({"ok": True})
    assert registry.invoke("acme.do", "acme-fn", {"n": 1}, client=fake) == {"ok": True}
    assert fake.calls == [{"FunctionName": "acme-fn", "InvocationType": "RequestResponse",
                           "Payload": b'{"n": 1}'}]


def test_registry_function_errors_become_action_failed() -> None:
    fake = FakeLambda({"errorType": "ValueError", "errorMessage": "bad n"}, "Unhandled")
    with pytest.raises(ActionFailed, match="action 'acme.do' failed in function 'acme-fn': "
                                           "ValueError: bad n"):
        registry.invoke("acme.do", "acme-fn", {}, client=fake)


def test_registry_routes_before_built_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple] = []
    monkeypatch.setattr(registry, "invoke", lambda *args, **kw: seen.append(args) or "done")
    monkeypatch.setenv(config.ACTION_REGISTRY, json.dumps({"std.http": "my-http",
                                                           "civis.run": "civis-fn"}))
    assert std_actions.handler(event("std.http", {"url": "x"}), None) == "done"
    assert std_actions.handler(event("civis.run", {}), None) == "done"
    assert seen == [("std.http", "my-http", {"url": "x"}), ("civis.run", "civis-fn", {})]


def test_callbacks_store_tokens_in_memory_by_default() -> None:
    tokens.MEMORY.clear()
    execution = "arn:aws:states:us-east-1:123456789012:execution:m:e"
    assert callbacks.handler({"token": "tok-1", "kind": "pause", "task": "t1",
                              "execution": execution}, None) is None
    stored = tokens.MEMORY.get(execution, "t1")
    assert stored is not None and (stored.token, stored.kind) == ("tok-1", "pause")
    tokens.MEMORY.delete(execution, "t1")
    assert tokens.MEMORY.get(execution, "t1") is None


@pytest.mark.parametrize("bad", [
    None, {}, {"token": "t", "kind": "sleep", "task": "a", "execution": "e"},
    {"token": "", "kind": "async", "task": "a", "execution": "e"},
    {"token": "t", "kind": "async", "task": "a"},
])
def test_callbacks_refuse_malformed_events(bad: Any) -> None:
    with pytest.raises(ActionInputError):
        callbacks.handler(bad, None)


def test_token_store_follows_config() -> None:
    assert tokens.token_store() is tokens.MEMORY
    store = tokens.token_store("tokens-table")
    assert isinstance(store, tokens.DynamoTokenStore) and store.table == "tokens-table"
