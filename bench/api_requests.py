"""DynamoDB requests per API operation, at two table sizes, on the local AWS (moto).

Run from the project root:

    PYTHONPATH=. .venv/bin/python bench/api_requests.py            # full run (about a minute)
    PYTHONPATH=. .venv/bin/python bench/api_requests.py --quick    # fewer runs, for CI smoke
    PYTHONPATH=. .venv/bin/python bench/api_requests.py --json     # machine-readable results

The app runs in this process through `chalice.test.Client`; its DynamoDB tables live on a
`LocalAWS` (moto's server, in a thread of this process). Every botocore client created after
start-up gets three hooks: ``before-call.dynamodb`` counts API calls by operation name (each
Query page, BatchGetItem and TransactWriteItems is one call), ``before-send.dynamodb`` counts
HTTP requests (retries included) and ``after-call.dynamodb`` counts the items reads give back.
moto's DynamoDB handler counts, independently, the requests it served; the three request
totals are compared on every run.

The table is filled (not measured: BatchWriteItem of the items the store writes) with a mix of
owners, shares, schedules, archived and hidden workflows, so the callers read only some of
them; every operation is then measured with 10 and with 1,000 workflows in the table.
Operations that change a workflow get a fresh one per run, removed afterwards, so the table
keeps its size. The callers: alice (no group) and carol (member of one group).

The script prints numbers and the targets they are meant to meet; it never fails on a miss.
"""
from __future__ import annotations

import argparse
import base64
import collections
import functools
import json
import logging
import os
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import botocore.session

from bench.report import table

STARTED = time.perf_counter()
SIZES = (10, 1000)
RUNS = 3  # measured runs per operation, after one warm-up run (counted, not timed)
QUICK_RUNS = 1
LIST_TARGET = 3  # auth GetItem + 1 Query (the caller) + 1 BatchGetItem (the page)
GET_TARGET = 2  # auth GetItem + 1 GetItem

DEFINITION = """version: '2.0'
hello:
  tasks:
    greet:
      action: std.echo output="hi"
"""


def dependent_definition(workflow_id: int) -> str:
    """A workflow that runs workflow `workflow_id` (one dependency)."""
    return f"""version: '2.0'
main:
  tasks:
    run_child:
      action: civis.workflows.execute workflow_id={workflow_id}
"""


# -- counting ------------------------------------------------------------------------------------


class Tally:
    """DynamoDB requests seen by botocore (API calls, HTTP sends) and served by moto."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.calls: collections.Counter[str] = collections.Counter()
        self.sends = 0
        self.served: collections.Counter[str] = collections.Counter()
        self.items = 0  # items the reads gave back
        self.clients = 0

    def reset(self) -> None:
        with self._lock:
            self.calls = collections.Counter()
            self.sends = 0
            self.served = collections.Counter()
            self.items = 0

    def on_call(self, model: Any = None, **_: Any) -> None:  # must give None: see botocore
        with self._lock:
            self.calls[model.name] += 1

    def on_send(self, request: Any = None, **_: Any) -> None:  # None lets the request go
        with self._lock:
            self.sends += 1

    def on_reply(self, parsed: Any = None, **_: Any) -> None:
        if not isinstance(parsed, dict):
            return
        responses = parsed.get("Responses") or {}  # BatchGetItem: table -> items
        items = int("Item" in parsed) + parsed.get("Count", 0) + (
            sum(len(found) for found in responses.values()) if isinstance(responses, dict)
            else len(responses))  # TransactGetItems: a list
        with self._lock:
            self.items += items

    def on_served(self, action: str) -> None:
        with self._lock:
            self.served[action] += 1


def install_hooks(tally: Tally) -> None:
    """Counts every DynamoDB request of every botocore client created from now on.

    PynamoDB 6.1 builds one client per `Connection` (one per model class, plus the one
    transactions share) from a botocore session of its own (`Connection.session`, through
    `botocore.session.get_session`), and boto3 builds its clients from botocore sessions too:
    wrapping `botocore.session.Session.create_client` reaches all of them. A client copies
    its session's event handlers when created, hence hooks on the client itself.
    """
    create = botocore.session.Session.create_client

    @functools.wraps(create)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = create(self, *args, **kwargs)
        client.meta.events.register("before-call.dynamodb", tally.on_call)
        client.meta.events.register("before-send.dynamodb", tally.on_send)
        client.meta.events.register("after-call.dynamodb", tally.on_reply)
        tally.clients += 1
        return client

    botocore.session.Session.create_client = create_client

    from moto.dynamodb.responses import DynamoHandler

    serve = DynamoHandler.call_action

    @functools.wraps(serve)
    def call_action(self: Any) -> Any:
        tally.on_served(self._get_action())
        return serve(self)

    DynamoHandler.call_action = call_action


# -- the world: users, a group, a project and workflows -----------------------------------------


@dataclass
class Answer:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Person:
    id: int
    token: str
    caller: Any  # chalicelib.service.auth.Caller


class Api:
    """Requests to the app through `chalice.test.Client`, as a given person (by API key)."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def call(self, method: str, path: str, token: str, body: Any = None) -> Answer:
        basic = base64.b64encode(f"{token}:".encode()).decode()
        headers = {"Content-Type": "application/json", "Authorization": f"Basic {basic}"}
        data = b"" if body is None else json.dumps(body).encode()
        response = self.client.http.request(method, path, headers=headers, body=data)
        text = response.body.decode() if response.body else ""
        return Answer(response.status_code, json.loads(text) if text else None,
                      {k.lower(): v for k, v in response.headers.items()})

    def checked(self, method: str, path: str, token: str, body: Any = None,
                status: int = 200) -> Any:
        answer = self.call(method, path, token, body)
        if answer.status != status:
            raise RuntimeError(f"{method} {path}: HTTP {answer.status} {answer.body}")
        return answer.body


@dataclass
class World:
    api: Api
    admin: Person
    alice: Person
    bob: Person
    carol: Person  # the member of `team`
    team_id: int
    project_id: int
    child_id: int  # a workflow of alice's that `probe_id` runs
    probe_id: int  # alice's: shared with bob and team, in the project, runs `child_id`
    workflows: int = 0  # in the table, scratch workflows aside
    serial: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))


def _caller(token: str) -> Any:
    from chalicelib.service.auth import authenticate

    return authenticate(f"Bearer {token}")


def _person(api: Api, admin_token: str, name: str) -> Person:
    user = api.checked("POST", "/users", admin_token, {
        "name": f"{name.title()} Example", "email": f"{name}@example.com"}, 201)
    key = api.checked("POST", f"/users/{user['id']}/api_keys", admin_token, {
        "expires_in": 86400, "name": "bench"}, 201)
    return Person(user["id"], key["token"], _caller(key["token"]))


def new_workflow(owner: Person, name: str, *, definition: str = DEFINITION,
                 user_shares: dict[str, str] | None = None,
                 group_shares: dict[str, str] | None = None, project_ids: set[int] | None = None,
                 scheduled: bool = False, archived: bool = False, hidden: bool = False,
                 at: datetime | None = None) -> Any:
    """A workflow as `workflows.create` makes it, with shares; its id allocated, not stored."""
    from chalicelib import clock
    from chalicelib.service import workflow_fields as fields
    from chalicelib.store import ids
    from chalicelib.store.models import Workflow

    moment = clock.iso(at) if at else clock.now()
    schedule = dict(fields.SCHEDULE_DEFAULTS)
    if scheduled:
        schedule.update(scheduled=True, scheduled_days=[1, 3], scheduled_hours=[6],
                        scheduled_minutes=[30])
    return Workflow(
        ids.allocate("workflow"), name=name, owner_id=owner.id, author=owner.caller.summary(),
        definition=definition, valid=True, schedule=schedule,
        notifications=dict(fields.NOTIFICATION_DEFAULTS), time_zone=fields.DEFAULT_TIME_ZONE,
        user_shares=user_shares or {}, group_shares=group_shares or {},
        project_ids=project_ids or None, state="scheduled" if scheduled else "idle",
        archived=archived, hidden=hidden, created_at=moment, updated_at=moment,
        definition_version=1, version=1)


def _items(workflow: Any) -> list[Any]:
    """The items `store.save` writes for a new workflow: itself, version 1, access entries."""
    from chalicelib.store import workflows as store
    from chalicelib.store.models import WorkflowVersion

    version = WorkflowVersion(int(workflow.id), 1, definition=workflow.definition,
                              author_id=int(workflow.owner_id), created_at=workflow.created_at)
    # the store's own builder of access entries, so that they match what `store.save` writes
    return [workflow, version] + [store._access_item(workflow, principal, level)
                                  for principal, level in store.principals_of(workflow).items()]


def _batch(workflows: list[Any], delete: bool) -> None:
    """Writes (or deletes) the items of `workflows` with BatchWriteItem, not transactions:
    moto copies every table a transaction touches, which makes a bulk fill slow."""
    from chalicelib.store.models import Workflow, WorkflowAccess, WorkflowVersion

    models = (Workflow, WorkflowVersion, WorkflowAccess)
    batches = {model: model.batch_write() for model in models}
    for item in (i for w in workflows for i in _items(w)):
        if delete:
            batches[type(item)].delete(item)
        else:
            batches[type(item)].save(item)
    for batch in batches.values():
        batch.commit()


def put_workflow(owner: Person, name: str, **options: Any) -> int:
    """Stores one workflow (see `new_workflow`) by BatchWriteItem; not measured."""
    workflow = new_workflow(owner, name, **options)
    _batch([workflow], delete=False)
    return int(workflow.id)


def forget(workflow_id: int) -> None:
    """Removes a workflow with its access entries and versions; not measured."""
    from chalicelib.store import workflows as store
    from chalicelib.store.models import WorkflowVersion

    workflow = store.get(workflow_id)
    if workflow is None:
        return
    with WorkflowVersion.batch_write() as batch:
        for version in WorkflowVersion.query(workflow_id):
            batch.delete(version)
    _batch([workflow], delete=True)


WORDS = ("nightly", "etl", "report", "sync", "load", "score", "model", "export", "clean",
         "ingest", "audit", "refresh", "build", "daily", "weekly", "backfill")


def fill(world: World, total: int) -> float:
    """Adds workflows until the table holds `total`; gives the seconds it took.

    Owners take turns (admin, alice, bob, carol); one workflow in 5 of the others' is shared
    with alice, one in 7 with the group; one in 3 is scheduled, one in 11 archived, one in 13
    hidden; names and times are shuffled so that name, created and updated orders differ.
    """
    started = time.perf_counter()
    owners = (world.admin, world.alice, world.bob, world.carol)
    base = datetime(2026, 1, 1, tzinfo=UTC)
    rng = world.rng
    fresh = []
    while world.workflows < total:
        i = world.workflows
        owner = owners[i % 4]
        users = {str(world.alice.id): "read"} if i % 5 == 0 and owner is not world.alice else {}
        groups = {str(world.team_id): "write"} if i % 7 == 0 else {}
        name = f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i:04d}"
        fresh.append(new_workflow(
            owner, name, user_shares=users, group_shares=groups, scheduled=i % 3 == 0,
            archived=i % 11 == 0, hidden=i % 13 == 0,
            at=base + timedelta(minutes=rng.randrange(500_000))))
        world.workflows += 1
    _batch(fresh, delete=False)
    return time.perf_counter() - started


def build_world(api: Api) -> World:
    """An admin, alice, bob, carol (in the group Team), alice's project and two workflows."""
    from chalicelib.service import users

    _, token = users.bootstrap_admin(name="Ada Admin", email="ada@example.com")
    admin = Person(_caller(token).id, token, _caller(token))
    alice, bob, carol = (_person(api, token, n) for n in ("alice", "bob", "carol"))
    team_id = api.checked("POST", "/groups", token, {"name": "Team"}, 201)["id"]
    api.checked("PUT", f"/groups/{team_id}/members/{carol.id}", token)
    carol.caller = _caller(carol.token)  # her key now names the group
    project_id = api.checked("POST", "/projects", alice.token, {"name": "Reports"}, 201)["id"]
    child_id = put_workflow(alice, "child")
    probe_id = put_workflow(
        alice, "probe", definition=dependent_definition(child_id),
        user_shares={str(bob.id): "read"}, group_shares={str(team_id): "read"},
        project_ids={project_id})
    return World(api, admin, alice, bob, carol, team_id, project_id, child_id, probe_id,
                 workflows=2)


# -- operations ----------------------------------------------------------------------------------


@dataclass
class Call:
    method: str
    path: str
    who: Person
    body: Any = None
    status: int = 200
    after: Callable[[Answer], None] | None = None  # clean-up, not measured


@dataclass
class Op:
    label: str  # method + path template
    who: str
    prepare: Callable[[World], Call]  # not measured
    target: int | None = None  # most DynamoDB requests the spec allows, where it says


def _on_scratch(method: str, suffix: str, body: Any = None, status: int = 200,
                scratch: Callable[[World], dict[str, Any]] | None = None
                ) -> Callable[[World], Call]:
    """Runs on a fresh workflow of alice's, shared with bob and the group (read), unless
    `scratch` gives other options of `put_workflow`; the workflow is removed afterwards."""

    def prepare(world: World) -> Call:
        options = {"user_shares": {str(world.bob.id): "read"},
                   "group_shares": {str(world.team_id): "read"}}
        options.update(scratch(world) if scratch else {})
        world.serial += 1
        workflow_id = put_workflow(world.alice, f"scratch {world.serial}", **options)
        path = f"/workflows/{workflow_id}{suffix}".format(
            project=world.project_id, bob=world.bob.id, team=world.team_id)
        value = body(world) if callable(body) else body
        return Call(method, path, world.alice, value, status,
                    after=lambda _answer: forget(workflow_id))

    return prepare


def _forget_created(answer: Answer) -> None:
    forget(int(answer.body["id"]))


def operations() -> list[Op]:
    def on_probe(suffix: str, who: str = "alice") -> Callable[[World], Call]:
        return lambda w: Call("GET", f"/workflows/{w.probe_id}{suffix}".format(bob=w.bob.id),
                              getattr(w, who))

    new_body = {"name": "new", "definition": DEFINITION}
    put_body = {"name": "replaced", "definition": DEFINITION.replace("hi", "hello"),
                "description": "replaced"}
    return [
        Op("GET /workflows", "alice", lambda w: Call("GET", "/workflows", w.alice),
           LIST_TARGET),
        Op("GET /workflows?state=scheduled", "alice",
           lambda w: Call("GET", "/workflows?state=scheduled", w.alice), LIST_TARGET),
        Op("GET /workflows?order=name", "alice",
           lambda w: Call("GET", "/workflows?order=name&order_dir=asc", w.alice), LIST_TARGET),
        Op("GET /workflows", "carol (1 group)", lambda w: Call("GET", "/workflows", w.carol),
           LIST_TARGET + 1),
        Op("GET /workflows/{id}", "alice", on_probe(""), GET_TARGET),
        Op("POST /workflows", "alice",
           lambda w: Call("POST", "/workflows", w.alice, new_body, 201, _forget_created)),
        Op("PUT /workflows/{id}", "alice", _on_scratch("PUT", "", put_body)),
        Op("PATCH /workflows/{id}", "alice", _on_scratch("PATCH", "", {"name": "patched"})),
        Op("POST /workflows/{id}/clone", "alice",
           lambda w: Call("POST", f"/workflows/{w.probe_id}/clone", w.alice, {}, 201,
                          _forget_created)),
        Op("PUT /workflows/{id}/archive", "alice",
           _on_scratch("PUT", "/archive", {"status": True})),
        Op("GET /workflows/{id}/shares", "alice", on_probe("/shares")),
        Op("PUT /workflows/{id}/shares/users", "alice", _on_scratch(
            "PUT", "/shares/users",
            lambda w: {"user_ids": [w.carol.id], "permission_level": "write"})),
        Op("PUT /workflows/{id}/shares/groups", "alice", _on_scratch(
            "PUT", "/shares/groups",
            lambda w: {"group_ids": [w.team_id], "permission_level": "write"})),
        Op("DELETE /workflows/{id}/shares/users/{user_id}", "alice",
           _on_scratch("DELETE", "/shares/users/{bob}", status=204)),
        Op("DELETE /workflows/{id}/shares/groups/{group_id}", "alice",
           _on_scratch("DELETE", "/shares/groups/{team}", status=204)),
        Op("GET /workflows/{id}/projects", "alice", on_probe("/projects")),
        Op("PUT /workflows/{id}/projects/{project_id}", "alice",
           _on_scratch("PUT", "/projects/{project}", status=204)),
        Op("DELETE /workflows/{id}/projects/{project_id}", "alice",
           _on_scratch("DELETE", "/projects/{project}", status=204,
                       scratch=lambda w: {"project_ids": {w.project_id}})),
        Op("PUT /workflows/{id}/transfer", "alice", _on_scratch(
            "PUT", "/transfer",
            lambda w: {"user_id": w.bob.id, "include_dependencies": False})),
        Op("PUT /workflows/{id}/transfer (+1 dependency)", "alice", _on_scratch(
            "PUT", "/transfer",
            lambda w: {"user_id": w.bob.id, "include_dependencies": True},
            scratch=lambda w: {"definition": dependent_definition(w.child_id)})),
        Op("GET /workflows/{id}/dependencies", "alice", on_probe("/dependencies")),
        Op("GET /workflows/{id}/dependencies?user_id=", "alice",
           on_probe("/dependencies?user_id={bob}")),
        Op("GET /users/me", "alice", lambda w: Call("GET", "/users/me", w.alice)),
        Op("GET /users/me", "carol (1 group)", lambda w: Call("GET", "/users/me", w.carol)),
        Op("POST /users/{id}/api_keys", "alice",
           lambda w: Call("POST", f"/users/{w.alice.id}/api_keys", w.alice,
                          {"expires_in": 3600, "name": "bench"}, 201)),
    ]


# -- measuring -----------------------------------------------------------------------------------


def measure(world: World, tally: Tally, op: Op, runs: int) -> dict[str, Any]:
    """Runs `op` 1 + `runs` times: every run is counted, the first one is not timed."""
    counts, items, breakdowns, times, problems = [], [], [], [], []
    for attempt in range(1 + runs):
        call = op.prepare(world)
        tally.reset()
        started = time.perf_counter()
        answer = world.api.call(call.method, call.path, call.who.token, call.body)
        elapsed = time.perf_counter() - started
        calls, sends, served = dict(tally.calls), tally.sends, dict(tally.served)
        if answer.status != call.status:
            problems.append(f"HTTP {answer.status} (expected {call.status}): {answer.body}")
        if sum(calls.values()) != sends or calls != served:
            problems.append(f"botocore calls {calls}, HTTP sends {sends}, moto served {served}")
        counts.append(sum(calls.values()))
        items.append(tally.items)
        breakdowns.append(calls)
        if attempt:
            times.append(elapsed * 1000)
        if call.after is not None:
            call.after(answer)
    return {"requests": counts, "items_read": items, "breakdown": breakdowns[-1],
            "same_every_run": all(b == breakdowns[0] for b in breakdowns),
            "median_ms": statistics.median(times), "problems": problems}


def readable(world: World, who: Person) -> tuple[int, int]:
    """How many workflows `who` may read, and how many a default list shows (not measured)."""
    from chalicelib.store import workflows as store

    seen, shown = set(), set()
    for principal in who.caller.principals():
        for entry in store.access_entries(principal):
            seen.add(int(entry.workflow_id))
            if not entry.archived and not entry.hidden:
                shown.add(int(entry.workflow_id))
    return len(seen), len(shown)


def run(sizes: tuple[int, ...], runs: int) -> dict[str, Any]:
    from chalice.test import Client

    from infra.local.host import LocalAWS

    tally = Tally()
    install_hooks(tally)
    logging.getLogger("stepwise.api").setLevel(logging.CRITICAL)
    results: dict[str, Any] = {"runs": runs, "sizes": list(sizes), "phases": []}
    with LocalAWS(set_endpoint_env=True):
        from app import app
        from chalicelib.store import tables

        tables.reset_connections()  # every client is built after the hooks
        tables.create_tables()
        with Client(app) as client:
            world = build_world(Api(client))
            ops = operations()
            for size in sizes:
                fill_seconds = fill(world, size)
                started = time.perf_counter()
                phase: dict[str, Any] = {
                    "workflows": world.workflows, "fill_seconds": fill_seconds,
                    "reads": {p: readable(world, getattr(world, p)) for p in ("alice", "carol")},
                    "ops": []}
                for op in ops:
                    phase["ops"].append({"label": op.label, "who": op.who, "target": op.target,
                                         **measure(world, tally, op, runs)})
                phase["measure_seconds"] = time.perf_counter() - started
                results["phases"].append(phase)
    results["clients_hooked"] = tally.clients
    results["seconds"] = time.perf_counter() - STARTED
    return results


# -- output --------------------------------------------------------------------------------------


def _count(row: dict[str, Any]) -> str:
    low, high = min(row["requests"]), max(row["requests"])
    return str(low) if low == high else f"{low}-{high}"


def _breakdown(calls: dict[str, int]) -> str:
    return " ".join(f"{name}×{n}" if n > 1 else name for name, n in calls.items()) or "-"


def print_results(results: dict[str, Any]) -> None:
    phases = results["phases"]
    sizes = [f"{p['workflows']:,}" for p in phases]
    print("DynamoDB requests per API operation (auth included: 1 GetItem of the API key)")
    for phase, size in zip(phases, sizes):
        (alice_all, alice_list), (carol_all, carol_list) = (
            phase["reads"]["alice"], phase["reads"]["carol"])
        print(f"  {size} workflows in the table: alice may read {alice_all} ({alice_list} "
              f"neither archived nor hidden), carol {carol_all} ({carol_list}); "
              f"filled in {phase['fill_seconds']:.1f} s, measured in "
              f"{phase['measure_seconds']:.1f} s")
    headers = (["operation", "as"] + [f"req @{s}" for s in sizes] + ["target", "ok"]
               + ["DynamoDB operations"] + [f"items @{s}" for s in sizes]
               + [f"ms @{s}" for s in sizes])
    lines, notes = [], []
    for index, first in enumerate(phases[0]["ops"]):
        rows = [p["ops"][index] for p in phases]
        breakdowns = []
        for row in rows:
            text = _breakdown(row["breakdown"])
            if text not in breakdowns:
                breakdowns.append(text)
        target = first["target"]
        ok = "" if target is None else (
            "ok" if all(max(r["requests"]) <= target for r in rows) else "MISSED")
        lines.append([first["label"], first["who"]] + [_count(r) for r in rows]
                     + ["" if target is None else f"<= {target}", ok, " | ".join(breakdowns)]
                     + [str(r["items_read"][-1]) for r in rows]
                     + [f"{r['median_ms']:.1f}" for r in rows])
        for row, size in zip(rows, sizes):
            if not row["same_every_run"]:
                notes.append(f"{first['label']} @{size}: the operations differ between runs")
            notes.extend(f"{first['label']} @{size}: {p}" for p in row["problems"])
    print(table(headers, lines, left={0, 1, 3 + len(sizes), 4 + len(sizes)}))
    print()
    print(f"req @N: DynamoDB requests with N workflows in the table (min-max over "
          f"{results['runs'] + 1} runs when they differ); DynamoDB operations: the same requests "
          "by operation (\" | \" between sizes when they differ).")
    print("items @N: items the reads gave back (GetItem, Query, BatchGetItem), last run.")
    print(f"ms @N: moto-in-process time, not an AWS latency: median wall time of "
          f"{results['runs']} runs after a warm-up, app and moto both in this process (moto over "
          "loopback HTTP; moto's TransactWriteItems copies every table it writes to, so its "
          "writes slow down as the table grows).")
    print("Targets: GET workflow <= 2; one list page <= 3, plus 1 Query per group of the "
          "caller.")
    if notes:
        print("Problems:")
        for note in notes:
            print(f"  ! {note}")
    else:
        print(f"Every run: botocore API calls = HTTP requests sent = requests moto served "
              f"({results['clients_hooked']} botocore clients hooked).")
    print(f"finished in {results['seconds']:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_RUNS} timed run per operation instead of {RUNS}")
    parser.add_argument("--runs", type=int, default=None,
                        help="timed runs per operation, after a warm-up run")
    parser.add_argument("--sizes", type=lambda s: tuple(int(x) for x in s.split(",")),
                        default=SIZES, help="workflows in the table, ascending (10,1000)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON only")
    args = parser.parse_args(argv)
    runs = args.runs or (QUICK_RUNS if args.quick else RUNS)
    if list(args.sizes) != sorted(args.sizes) or min(args.sizes) < 2:
        parser.error("--sizes must be ascending, each at least 2")
    results = run(args.sizes, runs)
    if args.json:
        print(json.dumps(results, indent=1, default=str))
    else:
        print_results(results)
    return 0


if __name__ == "__main__":
    status = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # moto holds millions of objects by now (mostly copies of table items: each of its
    # transactions copies the tables it writes to); freeing them at exit takes many seconds
    os._exit(status)
