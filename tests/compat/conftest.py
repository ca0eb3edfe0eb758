"""The real `civis` client against Stepwise served over HTTP on loopback.

- `served`: the local AWS (moto) with what the AWS template makes (`infra.local.stack`: the
  tables, the functions, the rule sending Step Functions status events to the app's
  `on_execution_event`), and the Chalice app served by Chalice's local server on 127.0.0.1
  (a free port), for the whole session. Status events need nothing from that server: the
  rule's target runs `app.on_execution_event` in this process (the local Lambda adapter).
  One per process, also for the conftests that import these fixtures;
- `runner`: for tests that run executions, no state machines or running executions left from
  earlier tests (ids start again from 1 on the emptied tables, so names would repeat);
- `tables`: emptied before each test (table clients are rebuilt only when they point elsewhere:
  building them costs seconds);
- `civis_for(token)`: a `civis.APIClient` for that API key, built as users build it (endpoint
  from ``CIVIS_API_ENDPOINT``); the API description comes from the server's ``GET /endpoints``
  unless a test passes another;
- `admin` / `user` tokens.
"""
from __future__ import annotations

import json
import os
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from chalicelib.service import users
from chalicelib.store import models as store_models
from chalicelib.store import tables as store_tables
from infra.local import stack
from infra.local.host import LocalAWS


@dataclass
class Served:
    url: str
    aws_endpoint: str
    aws: LocalAWS


_serving: list[Served] = []  # the one `served` of this process, while it runs


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    from chalice.config import Config
    from chalice.local import create_local_server

    if _serving:
        # another conftest imported this fixture (tests/integration/cli): chalice can make a
        # local server of the app once per process, so that session shares this one
        yield _serving[0]
        return
    with LocalAWS(set_endpoint_env=True) as aws:
        stack.provision(aws)  # the tables too
        from app import app

        server = create_local_server(app, Config(chalice_stage="dev"), "127.0.0.1", 0)
        port = server.server.server_address[1]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}/"
        with urllib.request.urlopen(f"{url}ping", timeout=10) as response:
            assert json.loads(response.read()) == {"status": "ok"}
        _serving.append(Served(url, aws.endpoint_url, aws))
        yield _serving[0]
        _serving.clear()
        server.server.shutdown()
    store_tables.reset_connections()


def _clients_use(endpoint: str) -> bool:
    """Whether every table client there is, and every one still to be built, uses `endpoint`."""
    if os.environ.get("AWS_ENDPOINT_URL") != endpoint:
        return False
    connections = [m._connection.connection for m in store_models.MODELS
                   if m._connection is not None] + list(store_models._connection)
    return all(c._client is None or c._client.meta.endpoint_url == endpoint
               for c in connections)


@pytest.fixture
def tables(served: Served) -> None:
    if not _clients_use(served.aws_endpoint):
        store_tables.reset_connections()
        store_tables.create_tables()
    for model in store_models.MODELS:  # emptying is quicker than deleting and creating
        items = list(model.scan())
        if items:
            with model.batch_write() as batch:
                for item in items:
                    batch.delete(item)


@pytest.fixture
def runner(served: Served, tables: None) -> Iterator[LocalAWS]:
    stack.clear_state_machines(served.aws)
    yield served.aws
    stack.clear_state_machines(served.aws)  # so no late event reaches the next test's tables


@pytest.fixture
def civis_for(served: Served, monkeypatch: pytest.MonkeyPatch):
    import civis

    monkeypatch.setenv("CIVIS_API_ENDPOINT", served.url)  # read when the client is built
    monkeypatch.delenv("CIVIS_API_KEY", raising=False)

    def build(token: str, **kwargs) -> civis.APIClient:
        return civis.APIClient(api_key=token, **kwargs)

    return build


@dataclass
class Account:
    id: int
    token: str
    email: str


@pytest.fixture
def admin(tables: None) -> Account:
    user, token = users.bootstrap_admin(name="Ada Admin", email="ada@example.com")
    return Account(int(user.id), token, user.email)


def add_user(civis_client, name: str, *, admin: bool = False) -> Account:
    """Creates a user through the API (as an admin's client) with a one-hour key."""
    created = civis_client.users.post(name.title() + " Example", f"{name}@example.com",
                                      admin=admin)
    key = civis_client.users.post_api_keys(created.id, 3600, name="tests")
    return Account(created.id, key.token, f"{name}@example.com")


def workflow_yaml(name: str = "hello") -> str:
    return f"version: '2.0'\n{name}:\n  tasks:\n    greet:\n      action: std.echo output=hi\n"


os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
