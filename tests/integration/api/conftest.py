"""Fixtures for the HTTP API on the local AWS (moto), driven through `chalice.test.Client`.

- `tables`: the service's DynamoDB tables, empty at the start of each test;
- `api`: an `Api` that sends requests as a given user (by API key) and decodes the answers;
- `people`: an admin plus users and a group to share with, each with a key (the same ids and
  keys in every test).
"""
from __future__ import annotations

import base64
import copy
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.service import users
from chalicelib.service.auth import authenticate
from chalicelib.store import tables as store_tables
from chalicelib.store.models import MODELS
from infra.local.host import LocalAWS

DEFINITION = """version: '2.0'
hello:
  tasks:
    greet:
      action: std.echo output="hi"
"""


@pytest.fixture(scope="session")
def api_aws() -> Iterator[LocalAWS]:
    with LocalAWS(set_endpoint_env=True) as host:
        store_tables.reset_connections()
        yield host
    store_tables.reset_connections()


_connected_to: list[str | None] = []  # the endpoint the models' clients were built for


def _moto_tables() -> dict[str, Any] | None:
    """The service's tables inside the in-process moto server, or None if not reachable."""
    try:
        from moto.dynamodb.models import dynamodb_backends
    except ImportError:
        return None
    names = {model.Meta.table_name for model in MODELS}
    for account in list(dynamodb_backends):
        for region in list(dynamodb_backends[account]):
            found = {name: table for name, table in
                     dynamodb_backends[account][region].tables.items() if name in names}
            if len(found) == len(names) and all(hasattr(t, "items") for t in found.values()):
                return found
    return None


def _snapshot() -> dict[str, Any] | None:
    found = _moto_tables()
    return None if found is None else {n: copy.deepcopy(t.items) for n, t in found.items()}


def _restore(snapshot: dict[str, Any]) -> None:
    for name, table in (_moto_tables() or {}).items():
        table.items = copy.deepcopy(snapshot[name])


def _empty_by_requests() -> None:
    for model in MODELS:
        keys = [model._hash_key_attribute().attr_name]
        if model._range_key_attribute() is not None:
            keys.append(model._range_key_attribute().attr_name)
        items = list(model.scan(attributes_to_get=keys))
        if items:
            with model.batch_write() as batch:
                for item in items:
                    batch.delete(item)


# snapshots of moto's items: "empty" tables, and "people" once the `people` fixture made them
_snapshots: dict[str, Any] = {}


@pytest.fixture(scope="session")
def engine(api_aws: LocalAWS) -> dict[str, str]:
    """What the AWS template makes, on the local AWS: functions, the status-change rule."""
    from infra.local import stack

    return stack.provision(api_aws)


@pytest.fixture
def runner(engine: dict[str, str], api_aws: LocalAWS, tables: None) -> Iterator[LocalAWS]:
    """The engine with no state machines left from earlier tests (their ids start again
    from 1 on the emptied tables, so execution names would repeat), nor executions still
    running whose status events could come during this test."""
    from infra.local import stack

    stack.clear_state_machines(api_aws)
    yield api_aws
    stack.clear_state_machines(api_aws)


@pytest.fixture
def tables(api_aws: LocalAWS) -> None:
    """Empty tables for each test, made once per session. Emptying puts back a snapshot of
    moto's items (or, without one, deletes every item by requests): deleting and creating
    the tables, with new clients each time, cost about 2 s a test."""
    endpoint = os.environ.get("AWS_ENDPOINT_URL")
    if _connected_to != [endpoint]:
        store_tables.reset_connections()
        store_tables.delete_tables()
        store_tables.create_tables()
        _connected_to[:] = [endpoint]
        _snapshots.clear()
        _snapshots["empty"] = _snapshot()
    if _snapshots["empty"] is not None:
        _restore(_snapshots["empty"])
    else:
        _empty_by_requests()


_serving: list[bool] = [False]  # true while `Api` waits for the app to answer a request


@pytest.fixture(autouse=True)
def no_table_scans(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Records the DynamoDB operations the app makes while it answers requests, and fails the
    test on any Scan (fixtures may scan to clean up; request paths may not)."""
    from botocore.client import BaseClient

    calls: list[str] = []
    original = BaseClient._make_api_call

    def recording(client: BaseClient, operation: str, params: dict) -> Any:
        if _serving[0] and client.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return original(client, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", recording)
    yield calls
    assert "Scan" not in calls, "a request path scanned a DynamoDB table"


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


class Api:
    def __init__(self, client: Client) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str | None = None, body: Any = None,
             *, basic: bool = True, raw: str | None = None,
             headers: dict[str, str] | None = None) -> Answer:
        headers = {"Content-Type": "application/json", **(headers or {})}
        if token is not None:
            if basic:
                encoded = base64.b64encode(f"{token}:".encode()).decode()
                headers["Authorization"] = f"Basic {encoded}"
            else:
                headers["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else ("" if body is None else json.dumps(body))
        _serving[0] = True
        try:
            response = self.client.http.request(method, path, headers=headers,
                                                body=data.encode())
        finally:
            _serving[0] = False
        text = response.body.decode() if response.body else ""
        return Answer(response.status_code, json.loads(text) if text else None,
                      {k.lower(): v for k, v in response.headers.items()})

    def get(self, path: str, token: str, **kwargs: Any) -> Answer:
        return self.call("GET", path, token, **kwargs)

    def post(self, path: str, token: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("POST", path, token, body if body is not None else {}, **kwargs)

    def put(self, path: str, token: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("PUT", path, token, body if body is not None else {}, **kwargs)

    def patch(self, path: str, token: str, body: Any = None, **kwargs: Any) -> Answer:
        return self.call("PATCH", path, token, body if body is not None else {}, **kwargs)

    def delete(self, path: str, token: str, **kwargs: Any) -> Answer:
        return self.call("DELETE", path, token, {}, **kwargs)


@pytest.fixture
def api(tables: None) -> Iterator[Api]:
    from app import app

    with Client(app) as client:
        yield Api(client)


@dataclass
class Person:
    id: int
    token: str
    email: str


@dataclass
class People:
    admin: Person
    alice: Person
    bob: Person
    carol: Person
    team_id: int  # a group holding carol

    def __getitem__(self, name: str) -> Person:
        return getattr(self, name)


def make_user(api: Api, admin_token: str, name: str) -> Person:
    created = api.post("/users", admin_token, {"name": name.title() + " Example",
                                                "email": f"{name}@example.com"})
    assert created.status == 201, created.body
    key = api.post(f"/users/{created.body['id']}/api_keys", admin_token,
                   {"expires_in": 3600, "name": "tests"})
    assert key.status == 201, key.body
    return Person(created.body["id"], key.body["token"], f"{name}@example.com")


def _make_people(api: Api) -> People:
    user, token = users.bootstrap_admin(name="Ada Admin", email="ada@example.com")
    assert authenticate(f"Bearer {token}").admin
    admin = Person(int(user.id), token, "ada@example.com")
    alice, bob, carol = (make_user(api, token, n) for n in ("alice", "bob", "carol"))
    team = api.post("/groups", token, {"name": "Team"})
    assert team.status == 201, team.body
    added = api.put(f"/groups/{team.body['id']}/members/{carol.id}", token)
    assert added.status == 200, added.body
    # carol's key was issued before she joined: the membership must reach it
    assert authenticate(f"Bearer {carol.token}").group_ids == frozenset({team.body["id"]})
    return People(admin, alice, bob, carol, team.body["id"])


@pytest.fixture
def people(api: Api) -> People:
    """The same people (ids and keys) in every test: made once, then put back from a snapshot
    of the tables (making them by requests took most of each test's time)."""
    made = _snapshots.get("people")
    if made is not None:
        _restore(made[0])
        return made[1]
    found = _make_people(api)
    snapshot = _snapshot()
    if snapshot is not None:
        _snapshots["people"] = (snapshot, found)
    return found


def create_workflow(api: Api, token: str, name: str = "wf", **fields: Any) -> dict:
    created = api.post("/workflows", token, {"name": name, "definition": DEFINITION, **fields})
    assert created.status == 201, created.body
    return created.body
