"""Who may do what over HTTP: the workflow routes for every kind of caller, lists, credentials,
admin-only routes and API keys.

The tables are built once for the module (`world`): each case makes its own workflow, project,
users or keys, so what one case changes no other case sees. Expectations come from the rules,
not from the code: levels read < write < manage; the owner has manage; a user share gives its
level, a group share its level to each member, the highest wins; no level → 404 (exactly as
for a workflow that does not exist), a lower level than needed → 403.
"""
from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib import clock
from chalicelib.service import users, workflows
from chalicelib.service.auth import Caller, authenticate
from chalicelib.store import tables as store_tables
from chalicelib.store import workflows as workflow_store
from chalicelib.store.models import Counter, Workflow, WorkflowAccess, WorkflowVersion
from infra.local.host import LocalAWS
from tests.integration.api.conftest import (
    DEFINITION,
    Answer,
    Api,
    Person,
    create_workflow,
    make_user,
)

RANK = {None: 0, "read": 1, "write": 2, "manage": 3}
MISSING = 10**9  # a workflow id that never exists
ERROR_KEYS = {"error", "errorDescription", "code"}


@dataclass
class World:
    api: Api
    admin: Person
    alice: Person  # owns every matrix workflow
    bob: Person  # the user-share callers
    carol: Person  # member of `team`
    dave: Person  # member of `others`, a group no workflow is shared with
    erin: Person  # bystander with a read share on every matrix workflow
    team_id: int
    others_id: int
    bystanders_id: int  # bystander group with a read share on every matrix workflow
    erin_project: int  # a project only erin may read
    owner: Caller  # alice, for setting workflows up through the service layer
    names: Iterator[int] = field(default_factory=itertools.count)
    cases: Iterator[int] = field(default_factory=itertools.count)

    def person(self, name: str) -> Person:
        return getattr(self, name)

    def new_user(self, prefix: str) -> Person:
        return make_user(self.api, self.admin.token, f"{prefix}{next(self.names)}")

    def new_group(self, members: list[Person]) -> int:
        group = self.api.post("/groups", self.admin.token, {"name": f"g{next(self.names)}"})
        assert group.status == 201, group.body
        for member in members:
            added = self.api.put(f"/groups/{group.body['id']}/members/{member.id}",
                                 self.admin.token)
            assert added.status == 200, added.body
        return group.body["id"]


@pytest.fixture(scope="module")
def world(api_aws: LocalAWS) -> Iterator[World]:
    """Empty tables, then users and groups that the cases share but never change."""
    store_tables.reset_connections()
    store_tables.delete_tables()
    store_tables.create_tables()
    from app import app

    with Client(app) as client:
        api = Api(client)
        user, token = users.bootstrap_admin(name="Ada Admin", email="ada@example.com")
        admin = Person(int(user.id), token, "ada@example.com")
        alice, bob, carol, dave, erin = (make_user(api, token, name) for name in
                                         ("alice", "bob", "carol", "dave", "erin"))
        built = World(api, admin, alice, bob, carol, dave, erin, 0, 0, 0, 0,
                      authenticate(f"Bearer {alice.token}"))
        built.team_id = built.new_group([carol])
        built.others_id = built.new_group([dave])
        built.bystanders_id = built.new_group([])
        project = api.post("/projects", erin.token, {"name": "erin's"})
        assert project.status == 201, project.body
        built.erin_project = project.body["id"]
        yield built


def forget_workflows() -> None:
    """Deletes every workflow. (moto copies each table a transaction writes, so a transaction
    takes longer the more the tables hold: the tests keep them small.)"""
    for model in (Workflow, WorkflowVersion, WorkflowAccess):
        with model.batch_write() as batch:
            for item in model.scan():
                batch.delete(item)


def assert_error(answer: Answer, status: int) -> None:
    assert answer.status == status, answer.body
    assert set(answer.body) == ERROR_KEYS, answer.body
    assert answer.body["code"] == status


# -- the matrix -------------------------------------------------------------------------------

# kind of caller -> (who calls, bob's user share, team's group share, the caller's level)
KINDS: dict[str, tuple[str, str | None, str | None, str | None]] = {
    "owner": ("alice", None, None, "manage"),
    "user-manage": ("bob", "manage", None, "manage"),
    "user-write": ("bob", "write", None, "write"),
    "user-read": ("bob", "read", None, "read"),
    "no-share": ("bob", None, None, None),
    "group-read": ("carol", None, "read", "read"),
    "group-write": ("carol", None, "write", "write"),
    "group-manage": ("carol", None, "manage", "manage"),
    "other-group": ("dave", None, None, None),
}


@dataclass
class Case:
    world: World
    caller: Person
    level: str | None
    workflow_id: int
    version: int  # the workflow's write version once set up
    project_id: int | None

    @property
    def api(self) -> Api:
        return self.world.api

    def path(self, template: str, workflow_id: int | None = None) -> str:
        return template.format(wf=workflow_id or self.workflow_id, project=self.project_id,
                               erin=self.world.erin.id, bystanders=self.world.bystanders_id)

    def get(self, person: Person, suffix: str = "") -> Answer:
        return self.api.get(f"/workflows/{self.workflow_id}{suffix}", person.token)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # {wf}, {project} (the caller's), {erin}, {bystanders}
    needed: str
    status: int
    body: dict | None = None
    check: Callable[[Case, Answer], None] | None = None
    project: bool = False  # the caller makes a project first (POST /projects)
    placed: bool = False  # ... and the workflow starts in it and in erin's project


def _check_get(case: Case, answer: Answer) -> None:
    assert answer.body["id"] == case.workflow_id
    assert answer.body["myPermissionLevel"] == case.level


def _check_put(case: Case, answer: Answer) -> None:
    assert answer.body["name"] == "renamed"
    assert answer.body["myPermissionLevel"] == case.level
    assert case.get(case.world.alice).body["name"] == "renamed"


def _check_patch(case: Case, answer: Answer) -> None:
    assert answer.body["description"] == "patched"
    assert case.get(case.world.alice).body["description"] == "patched"


def _check_clone(case: Case, answer: Answer) -> None:
    assert answer.body["id"] != case.workflow_id
    assert answer.body["user"]["id"] == case.caller.id
    assert answer.body["myPermissionLevel"] == "manage"
    assert answer.body["name"] == f"Clone of Workflow {case.workflow_id} wf"


def _check_archive(case: Case, answer: Answer) -> None:
    assert answer.body["archived"] is True
    assert case.get(case.world.alice).body["archived"] is True


def _check_projects(case: Case, answer: Answer) -> None:
    assert [p["id"] for p in answer.body] == [case.project_id]  # not erin's project


def _check_put_project(case: Case, answer: Answer) -> None:
    listed = case.get(case.caller, "/projects")
    assert [p["id"] for p in listed.body] == [case.project_id]


def _check_delete_project(case: Case, answer: Answer) -> None:
    assert case.get(case.caller, "/projects").body == []
    assert case.get(case.world.erin, "/projects").body == [
        case.api.get(f"/projects/{case.world.erin_project}", case.world.erin.token).body]


def _share_ids(shares: dict, bucket: str, kind: str) -> list[int]:
    return [entry["id"] for entry in shares[bucket][kind]]


def _check_shares(case: Case, answer: Answer) -> None:
    (shares,) = answer.body
    assert case.world.alice.id in _share_ids(shares, "owners", "users")
    assert case.world.erin.id in _share_ids(shares, "readers", "users")
    assert case.world.bystanders_id in _share_ids(shares, "readers", "groups")


def _check_put_users(case: Case, answer: Answer) -> None:
    assert case.world.erin.id in _share_ids(answer.body, "writers", "users")
    assert case.world.erin.id not in _share_ids(answer.body, "readers", "users")
    assert case.get(case.world.erin).body["myPermissionLevel"] == "write"


def _check_put_groups(case: Case, answer: Answer) -> None:
    assert case.world.bystanders_id in _share_ids(answer.body, "writers", "groups")
    assert case.world.bystanders_id not in _share_ids(answer.body, "readers", "groups")


def _check_delete_user(case: Case, answer: Answer) -> None:
    assert_error(case.get(case.world.erin), 404)


def _check_delete_group(case: Case, answer: Answer) -> None:
    (shares,) = case.get(case.world.alice, "/shares").body
    assert all(case.world.bystanders_id not in _share_ids(shares, bucket, "groups")
               for bucket in ("readers", "writers", "owners"))


def _check_transfer(case: Case, answer: Answer) -> None:
    assert answer.body == {"dependencies": []}
    as_erin = case.get(case.world.erin).body
    assert (as_erin["user"]["id"], as_erin["myPermissionLevel"]) == (case.world.erin.id,
                                                                       "manage")
    assert case.get(case.world.alice).body["myPermissionLevel"] == "manage"  # kept


def _check_dependencies(case: Case, answer: Answer) -> None:
    assert answer.body == []


ROUTES: dict[str, Route] = {
    "get": Route("GET", "/workflows/{wf}", "read", 200, check=_check_get),
    "put": Route("PUT", "/workflows/{wf}", "write", 200,
                 {"name": "renamed", "definition": DEFINITION}, _check_put),
    "patch": Route("PATCH", "/workflows/{wf}", "write", 200, {"description": "patched"},
                   _check_patch),
    "clone": Route("POST", "/workflows/{wf}/clone", "read", 201, {}, _check_clone),
    "archive": Route("PUT", "/workflows/{wf}/archive", "write", 200, {"status": True},
                     _check_archive),
    "list-projects": Route("GET", "/workflows/{wf}/projects", "read", 200,
                           check=_check_projects, project=True, placed=True),
    "put-project": Route("PUT", "/workflows/{wf}/projects/{project}", "write", 204, {},
                         _check_put_project, project=True),
    "delete-project": Route("DELETE", "/workflows/{wf}/projects/{project}", "write", 204,
                            check=_check_delete_project, project=True, placed=True),
    "list-shares": Route("GET", "/workflows/{wf}/shares", "read", 200, check=_check_shares),
    "put-user-shares": Route("PUT", "/workflows/{wf}/shares/users", "manage", 200,
                             {"user_ids": ["{erin}"], "permission_level": "write"},
                             _check_put_users),
    "put-group-shares": Route("PUT", "/workflows/{wf}/shares/groups", "manage", 200,
                              {"group_ids": ["{bystanders}"], "permission_level": "write"},
                              _check_put_groups),
    "delete-user-share": Route("DELETE", "/workflows/{wf}/shares/users/{erin}", "manage", 204,
                               check=_check_delete_user),
    "delete-group-share": Route("DELETE", "/workflows/{wf}/shares/groups/{bystanders}",
                                "manage", 204, check=_check_delete_group),
    "transfer": Route("PUT", "/workflows/{wf}/transfer", "manage", 200,
                      {"user_id": "{erin}", "include_dependencies": False}, _check_transfer),
    "dependencies": Route("GET", "/workflows/{wf}/dependencies", "read", 200,
                          check=_check_dependencies),
}


def _body(case: Case, template: dict | None) -> dict | None:
    """The route's body with "{erin}" / "{bystanders}" placeholders made ids."""

    def fill(value: Any) -> Any:
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, str) and value.startswith("{"):
            return int(case.path(value))
        return value

    return None if template is None else {k: fill(v) for k, v in template.items()}


def _setup(world: World, kind: str, route: Route) -> Case:
    """A fresh workflow of alice's shared as `kind` needs, plus erin and the bystander group
    (read); with the caller's project when the route needs one."""
    if next(world.cases) % 12 == 0:
        forget_workflows()  # nothing looks at other cases' workflows; this keeps moto fast
    who, user_level, group_level, level = KINDS[kind]
    caller = world.person(who)
    project_id = None
    if route.project:
        project = world.api.post("/projects", caller.token, {"name": "mine"})
        assert project.status == 201, project.body
        project_id = project.body["id"]
    workflow = workflows.create(world.owner, {"name": "wf", "definition": DEFINITION}).workflow
    before = workflow_store.principals_of(workflow)
    user_shares = {str(world.erin.id): "read"}
    if user_level:
        user_shares[str(world.bob.id)] = user_level
    group_shares = {str(world.bystanders_id): "read"}
    if group_level:
        group_shares[str(world.team_id)] = group_level
    workflow.user_shares, workflow.group_shares = user_shares, group_shares
    if route.placed:
        workflow.project_ids = {project_id, world.erin_project}
    workflow_store.save(workflow, before=before, new_definition=False, author_id=world.alice.id)
    return Case(world, caller, level, int(workflow.id), int(workflow.version), project_id)


def _version(workflow_id: int) -> int:
    return int(workflow_store.get(workflow_id).version)


def _workflow_ids() -> int:
    """How many workflow ids were handed out."""
    return int(Counter.get("id#workflow").value)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("route_name", ROUTES)
def test_workflow_route_matrix(world: World, route_name: str, kind: str) -> None:
    route = ROUTES[route_name]
    case = _setup(world, kind, route)
    body = _body(case, route.body)
    made = _workflow_ids() if route_name == "clone" else None
    answer = case.api.call(route.method, case.path(route.path), case.caller.token, body)
    if case.level is None:
        assert_error(answer, 404)
        missing = case.api.call(route.method, case.path(route.path, MISSING),
                                case.caller.token, body)
        assert answer.body == missing.body  # nothing tells it from a workflow that is not there
    elif RANK[case.level] < RANK[route.needed]:
        assert_error(answer, 403)
    else:
        assert answer.status == route.status, answer.body
        if route.status == 204:
            assert answer.body is None
        route.check(case, answer)
        if route.needed == "read":
            assert _version(case.workflow_id) == case.version  # reading writes nothing
        return
    assert _version(case.workflow_id) == case.version  # a refused call changes nothing
    if made is not None:
        assert _workflow_ids() == made  # ... and makes no clone


# -- lists ------------------------------------------------------------------------------------


@dataclass
class Model:
    """What the list test did, kept independently of the service: the expected answers."""

    members: dict[int, set[int]] = field(default_factory=dict)  # group id -> user ids
    workflows: dict[int, dict] = field(default_factory=dict)

    def level(self, user_id: int, workflow_id: int) -> str | None:
        record = self.workflows[workflow_id]
        if record["owner"] == user_id:
            return "manage"
        levels = [record["users"].get(user_id)] + [
            level for group, level in record["groups"].items()
            if user_id in self.members[group]]
        return max(levels, key=lambda lv: RANK[lv])

    def readable(self, user_id: int, *, archived: str = "false", hidden: bool = False,
                 where: Callable[[dict], bool] = lambda r: True) -> set[int]:
        return {wid for wid, record in self.workflows.items()
                if self.level(user_id, wid) and record["hidden"] == hidden
                and (archived == "all" or record["archived"] == (archived == "true"))
                and where(record)}


class ListScene:
    """Users, groups and workflows made through the API, mirrored in a `Model`."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.api = world.api
        self.model = Model()
        self.p, self.q, self.r, self.s, self.t = (world.new_user(n) for n in "pqrst")

    def group(self, *people: Person) -> int:
        group_id = self.world.new_group(list(people))
        self.model.members[group_id] = {p.id for p in people}
        return group_id

    def membership(self, group_id: int, person: Person, member: bool) -> None:
        path = f"/groups/{group_id}/members/{person.id}"
        answer = (self.api.put(path, self.world.admin.token) if member
                  else self.api.delete(path, self.world.admin.token))
        assert answer.status == (200 if member else 204), answer.body
        (self.model.members[group_id].add if member
         else self.model.members[group_id].discard)(person.id)

    def workflow(self, owner: Person, name: str, *, hidden: bool = False,
                 scheduled: bool = False) -> int:
        fields: dict[str, Any] = {"hidden": hidden}
        if scheduled:
            fields["schedule"] = {"scheduled": True, "scheduled_days": [1],
                                  "scheduled_hours": [3]}
        created = self.api.post("/workflows", owner.token,
                                {"name": name, "definition": DEFINITION, **fields})
        assert created.status == 201, created.body
        workflow_id = created.body["id"]
        self.model.workflows[workflow_id] = {
            "owner": owner.id, "users": {}, "groups": {}, "hidden": hidden, "archived": False,
            "scheduled": scheduled, "name": name}
        return workflow_id

    def share(self, by: Person, workflow_id: int, level: str, *, users: tuple[Person, ...] = (),
              groups: tuple[int, ...] = ()) -> None:
        record = self.model.workflows[workflow_id]
        if users:
            answer = self.api.put(f"/workflows/{workflow_id}/shares/users", by.token,
                                  {"user_ids": [u.id for u in users], "permission_level": level})
            assert answer.status == 200, answer.body
            record["users"].update({u.id: level for u in users})
        if groups:
            answer = self.api.put(f"/workflows/{workflow_id}/shares/groups", by.token,
                                  {"group_ids": list(groups), "permission_level": level})
            assert answer.status == 200, answer.body
            record["groups"].update({g: level for g in groups})

    def unshare(self, by: Person, workflow_id: int, kind: str, principal_id: int) -> None:
        answer = self.api.delete(f"/workflows/{workflow_id}/shares/{kind}/{principal_id}",
                                 by.token)
        assert answer.status == 204, answer.body
        self.model.workflows[workflow_id][kind].pop(principal_id)

    def archive(self, by: Person, workflow_id: int) -> None:
        answer = self.api.put(f"/workflows/{workflow_id}/archive", by.token, {"status": True})
        assert answer.status == 200, answer.body
        self.model.workflows[workflow_id]["archived"] = True

    def transfer(self, by: Person, workflow_id: int, to: Person) -> None:
        answer = self.api.put(f"/workflows/{workflow_id}/transfer", by.token,
                              {"user_id": to.id, "include_dependencies": False})
        assert answer.status == 200, answer.body
        record = self.model.workflows[workflow_id]
        record["users"][record["owner"]] = "manage"
        record["users"].pop(to.id, None)
        record["owner"] = to.id


def _list(api: Api, person: Person, **query: Any) -> tuple[list[int], dict[str, str]]:
    text = "&".join(f"{k}={v}" for k, v in query.items())
    answer = api.get(f"/workflows?{text}" if text else "/workflows", person.token)
    assert answer.status == 200, answer.body
    return [w["id"] for w in answer.body], answer.headers


def _pages(api: Api, person: Person, limit: int, **query: Any) -> list[int]:
    """Every page of a list, in order; checks the pagination headers of each page."""
    seen: list[int] = []
    page = 1
    while True:
        ids, headers = _list(api, person, limit=limit, page_num=page, **query)
        total = int(headers["x-pagination-total-entries"])
        assert int(headers["x-pagination-total-pages"]) == -(-total // limit)
        assert int(headers["x-pagination-per-page"]) == limit
        assert int(headers["x-pagination-current-page"]) == page
        if not ids:
            assert (page - 1) * limit >= total
            return seen
        assert len(ids) == min(limit, total - (page - 1) * limit)
        seen += ids
        page += 1


def test_lists_show_exactly_what_each_caller_may_read(world: World) -> None:
    forget_workflows()
    scene = ListScene(world)
    p, q, r, s, t = scene.p, scene.q, scene.r, scene.s, scene.t
    g1, g2, g3 = scene.group(r, s), scene.group(s), scene.group(q)

    private = scene.workflow(p, "p private")
    scene.share(p, scene.workflow(p, "p to q read"), "read", users=(q,))
    both = scene.workflow(p, "p to g1 write, q manage")
    scene.share(p, both, "write", groups=(g1,))
    scene.share(p, both, "manage", users=(q,))
    scene.share(q, scene.workflow(q, "q hidden", hidden=True), "read", users=(p,))
    archived = scene.workflow(q, "q archived")
    scene.share(q, archived, "manage", groups=(g2,))
    scene.share(q, archived, "read", users=(r,))
    scene.archive(s, archived)  # s manages it through g2
    unshared = scene.workflow(r, "r unshared from p")
    scene.share(r, unshared, "write", users=(p,))
    scene.unshare(r, unshared, "users", p.id)
    ungrouped = scene.workflow(p, "p unshared from g1")
    scene.share(p, ungrouped, "read", groups=(g1,))
    scene.unshare(p, ungrouped, "groups", g1)
    scene.transfer(s, scene.workflow(s, "s transferred to q"), q)
    scene.share(p, scene.workflow(p, "p scheduled", scheduled=True), "read", groups=(g1,))
    left = scene.workflow(r, "r to g3, q leaves, t joins")
    scene.share(r, left, "read", groups=(g3,))
    scene.membership(g3, q, False)
    scene.membership(g3, t, True)
    mixed = scene.workflow(p, "p mixed")
    scene.share(p, mixed, "read", users=(s,), groups=(g1,))
    scene.share(p, mixed, "write", groups=(g2,))
    hidden_archived = scene.workflow(q, "q hidden archived", hidden=True)
    scene.share(q, hidden_archived, "write", users=(r,))
    scene.archive(r, hidden_archived)
    for n in range(2):
        scene.share(q, scene.workflow(q, f"q more {n}"), "read", groups=(g1,))
    admins = scene.workflow(world.admin, "admin's own")
    model = scene.model
    assert model.level(s.id, mixed) == "write" and model.level(r.id, mixed) == "read"
    assert model.level(q.id, left) is None and model.level(t.id, left) == "read"
    assert model.level(p.id, unshared) is None and model.level(r.id, ungrouped) is None
    assert model.level(world.admin.id, private) is None and admins

    for person in (p, q, r, s, t, world.admin):
        everything = model.readable(person.id, archived="all") | model.readable(
            person.id, archived="all", hidden=True)
        # every workflow: readable ones at the model's level, the rest invisible
        for workflow_id in model.workflows:
            got = world.api.get(f"/workflows/{workflow_id}", person.token)
            if workflow_id in everything:
                assert got.status == 200, (person, workflow_id, got.body)
                assert got.body["myPermissionLevel"] == model.level(person.id, workflow_id)
            else:
                assert_error(got, 404)
        for archived_query, hidden in itertools.product(("false", "true", "all"),
                                                        (False, True)):
            ids, headers = _list(world.api, person, archived=archived_query,
                                 hidden=str(hidden).lower(), limit=50)
            expected = model.readable(person.id, archived=archived_query, hidden=hidden)
            assert sorted(ids) == sorted(expected), (person, archived_query, hidden)
            assert int(headers["x-pagination-total-entries"]) == len(expected)
        default, _ = _list(world.api, person)
        assert sorted(default) == sorted(model.readable(person.id))
        for limit, hidden in ((1, "true"), (2, "false")):
            paged = _pages(world.api, person, limit, archived="all", hidden=hidden,
                           order="name", order_dir="asc")
            expected = model.readable(person.id, archived="all", hidden=hidden == "true")
            assert paged == sorted(expected, key=lambda w: (model.workflows[w]["name"], w))
        filters: list[tuple[dict, Callable[[dict], bool]]] = [
            ({"author": p.id}, lambda rec: rec["owner"] == p.id),
            ({"author": f"{q.id},{r.id}"}, lambda rec: rec["owner"] in (q.id, r.id)),
            ({"state[]": "scheduled"}, lambda rec: rec["scheduled"]),
            ({"state": "idle", "scheduled": "false"}, lambda rec: not rec["scheduled"]),
        ]
        for query, where in filters:
            ids, headers = _list(world.api, person, archived="all", **query)
            expected = model.readable(person.id, archived="all", where=where)
            assert sorted(ids) == sorted(expected), (person, query)
            assert int(headers["x-pagination-total-entries"]) == len(expected)


def test_dependencies_do_not_reveal_unreadable_workflows(world: World) -> None:
    api = world.api
    owner, other = world.new_user("deps"), world.new_user("deps")
    secret = create_workflow(api, other.token, "secret")["id"]
    readable = create_workflow(api, other.token, "readable")["id"]
    shared = api.put(f"/workflows/{readable}/shares/users", other.token,
                     {"user_ids": [owner.id], "permission_level": "read"})
    assert shared.status == 200, shared.body
    mine = create_workflow(api, owner.token, "mine")["id"]
    tasks = "".join(f"""    run{n}:
      action: civis.workflows.execute workflow_id={workflow_id}
""" for n, workflow_id in enumerate((secret, readable, mine, MISSING)))
    parent = create_workflow(api, owner.token, "parent",
                             definition=f"version: '2.0'\nmain:\n  tasks:\n{tasks}")
    assert parent["valid"], parent["validationErrors"]

    def entry(workflow_id: int, name: str, level: str | None, key: str, value: bool) -> dict:
        return {"objectType": "Workflow", "fcoType": "workflows", "id": workflow_id,
                "name": name, "permissionLevel": level, "description": None, key: value}

    def listed(path: str, body: Any = None) -> list[dict]:
        answer = api.call("GET" if body is None else "PUT", path, owner.token, body)
        assert answer.status == 200, answer.body
        found = answer.body if body is None else answer.body["dependencies"]
        return sorted(found, key=lambda d: d["id"])

    path = f"/workflows/{parent['id']}/dependencies"
    # the secret workflow is left out exactly as the one that does not exist
    assert listed(path) == [
        entry(readable, "readable", None, "shareable", False),
        entry(mine, "mine", None, "shareable", True)]
    assert listed(f"{path}?user_id={other.id}") == [
        entry(readable, "readable", "manage", "shareable", False),
        entry(mine, "mine", None, "shareable", True)]
    assert listed(f"/workflows/{parent['id']}/transfer",
                  {"user_id": other.id, "include_dependencies": True}) == [
        entry(readable, "readable", None, "shared", False),
        entry(mine, "mine", "manage", "shared", True)]
    assert api.get(f"/workflows/{mine}", other.token).body["myPermissionLevel"] == "manage"


# -- credentials ----------------------------------------------------------------------------


def _basic(token: str, *, as_password: bool = False) -> str:
    pair = f":{token}" if as_password else f"{token}:"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def _send(api: Api, method: str, path: str, authorization: str | None) -> Answer:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = api.client.http.request(method, path, headers=headers,
                                       body=b"" if method == "GET" else b"{}")
    text = response.body.decode() if response.body else ""
    return Answer(response.status_code, json.loads(text) if text else None,
                  {k.lower(): v for k, v in response.headers.items()})


def test_every_route_but_ping_needs_a_valid_key(world: World, monkeypatch) -> None:
    from app import app

    person = world.new_user("keys")
    revoked = world.api.post(f"/users/{person.id}/api_keys", person.token,
                             {"expires_in": 3600}).body
    expiring = world.api.post(f"/users/{person.id}/api_keys", person.token,
                              {"expires_in": 60}).body
    for key in (revoked, expiring):
        assert world.api.get("/users/me", key["token"], basic=False).status == 200
    gone = world.api.delete(f"/users/{person.id}/api_keys/{revoked['id']}", person.token)
    assert gone.status == 200 and gone.body["revokedAt"], gone.body
    later = clock.iso(datetime.now(UTC) + timedelta(minutes=2))
    monkeypatch.setattr(clock, "now", lambda: later)  # the 60-second key has expired

    garbage = "sw_" + "x" * 43
    authorizations = {
        "none": None, "empty": "", "bad key (basic)": _basic(garbage),
        "bad key (bearer)": f"Bearer {garbage}", "revoked (basic)": _basic(revoked["token"]),
        "revoked (bearer)": f"Bearer {revoked['token']}",
        "expired (basic)": _basic(expiring["token"]),
        "expired (bearer)": f"Bearer {expiring['token']}",
        "not base64": "Basic !!!", "empty bearer": "Bearer ", "other scheme": "Token abc",
        "long key": f"Bearer {'k' * 300}",
    }
    routes = [(path, method) for path, methods in app.routes.items() for method in methods
              if path != "/ping"]
    assert len(routes) >= 20, routes
    bodies = set()
    for path, method in routes:
        concrete = path.replace("{id}", str(person.id)).replace("{user_id}", str(person.id))
        for part in ("{project_id}", "{group_id}", "{key_id}"):
            concrete = concrete.replace(part, "1")
        for name, authorization in authorizations.items():
            answer = _send(world.api, method, concrete, authorization)
            assert_error(answer, 401)
            assert "Basic" in answer.headers.get("www-authenticate", ""), (method, path, name)
            assert "Bearer" in answer.headers["www-authenticate"]
            bodies.add(str(answer.body))
    assert len(bodies) == 1  # nothing tells a revoked or expired key from an unknown one
    assert world.api.get("/ping", None).status == 200
    for authorization in (_basic(person.token), _basic(person.token, as_password=True),
                          f"Bearer {person.token}", f"bearer {person.token}"):
        me = _send(world.api, "GET", "/users/me", authorization)
        assert (me.status, me.body["id"]) == (200, person.id), authorization


def test_admin_only_routes(world: World) -> None:
    api, admin = world.api, world.admin
    group_id = world.new_group([])
    stranger = world.new_user("member")
    for person in (world.alice, world.carol):
        assert_error(api.post("/users", person.token, {"name": "Mallory Example", "admin": True,
                                                       "email": "mallory@example.com"}), 403)
        assert_error(api.post("/groups", person.token, {"name": "mine"}), 403)
        for target in (group_id, world.team_id):
            path = f"/groups/{target}/members/{person.id}"
            assert_error(api.put(path, person.token), 403)
            assert_error(api.delete(f"/groups/{target}/members/{world.carol.id}",
                                    person.token), 403)
    team = api.get(f"/groups/{world.team_id}", admin.token).body
    assert [m["id"] for m in team["members"]] == [world.carol.id]
    assert authenticate(f"Bearer {world.alice.token}").group_ids == frozenset()
    created = api.post("/users", admin.token, {"name": "Mallory Example",
                                               "email": "mallory@example.com"})
    assert created.status == 201, created.body  # the refused attempts made nobody
    assert api.post("/groups", admin.token, {"name": "theirs"}).status == 201
    added = api.put(f"/groups/{group_id}/members/{stranger.id}", admin.token)
    assert added.status == 200 and [m["id"] for m in added.body["members"]] == [stranger.id]
    assert api.delete(f"/groups/{group_id}/members/{stranger.id}", admin.token).status == 204
    assert api.get(f"/groups/{group_id}", admin.token).body["members"] == []


def test_api_keys_belong_to_their_user_and_admins(world: World) -> None:
    api, admin = world.api, world.admin
    me, other = world.new_user("own"), world.new_user("own")
    theirs = api.get(f"/users/{other.id}/api_keys", other.token).body
    (their_key,) = theirs
    path = f"/users/{other.id}/api_keys"
    assert_error(api.get(path, me.token), 404)
    assert_error(api.post(path, me.token, {"expires_in": 60}), 404)
    assert_error(api.delete(f"{path}/{their_key['id']}", me.token), 404)
    assert_error(api.delete(f"/users/{me.id}/api_keys/{their_key['id']}", me.token), 404)
    assert_error(api.get(f"/users/{MISSING}/api_keys", me.token), 404)
    assert api.get(path, other.token).body == theirs  # untouched
    assert api.get("/users/me", other.token).status == 200

    mine = api.get(f"/users/{me.id}/api_keys", me.token)
    assert mine.status == 200 and len(mine.body) == 1
    extra = api.post(f"/users/{me.id}/api_keys", me.token, {"expires_in": 60})
    assert extra.status == 201 and api.get("/users/me", extra.body["token"]).status == 200
    revoked = api.delete(f"/users/{me.id}/api_keys/{extra.body['id']}", me.token)
    assert revoked.status == 200 and revoked.body["active"] is False
    assert_error(api.get("/users/me", extra.body["token"]), 401)

    listed = api.get(path, admin.token)
    assert listed.status == 200 and [k["id"] for k in listed.body] == [their_key["id"]]
    made = api.post(path, admin.token, {"expires_in": 60})
    assert made.status == 201, made.body
    assert api.get("/users/me", made.body["token"]).body["id"] == other.id
    gone = api.delete(f"{path}/{their_key['id']}", admin.token)
    assert gone.status == 200 and gone.body["revokedAt"], gone.body
    assert_error(api.get("/users/me", other.token), 401)
